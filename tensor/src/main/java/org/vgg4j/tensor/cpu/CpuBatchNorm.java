package org.vgg4j.tensor.cpu;

/**
 * Batch normalisation over x viewed as [N, C, S] (S = H*W, or 1 after a linear layer), one task
 * per channel. Statistics use two passes (mean, then the squared deviations) with each row of S
 * values summed in float and the rows accumulated in double, as {@link CpuOps#biasGrad} does; the
 * row sums go through {@link RowSums}, whose Vector API version keeps several partial sums (a
 * plain float reduction loop does not vectorise, since C2 keeps the order of float additions).
 *
 * <p>Definitions are PyTorch's: biased variance for normalising, unbiased (times M/(M-1), M = N*S)
 * for the running variance, {@code running = (1 - momentum) * running + momentum * batch}.
 */
final class CpuBatchNorm {
    private CpuBatchNorm() {}

    /** Sums over one contiguous row; the scalar version is the reference for the vector one. */
    interface RowSums {
        /** sum of a[off, off+len). */
        float sum(float[] a, int off, int len);

        /** sum of (a[i] - mean)^2 over the row. */
        float sumSquaredDeviation(float[] a, int off, int len, float mean);

        /** sum of dy[i] * (x[i] - mean) over the row. */
        float dotDeviation(float[] dy, float[] x, int off, int len, float mean);
    }

    /** Plain loops. */
    static final RowSums SCALAR = new RowSums() {
        @Override
        public float sum(float[] a, int off, int len) {
            float s = 0f;
            for (int i = off; i < off + len; i++) {
                s += a[i];
            }
            return s;
        }

        @Override
        public float sumSquaredDeviation(float[] a, int off, int len, float mean) {
            float s = 0f;
            for (int i = off; i < off + len; i++) {
                float d = a[i] - mean;
                s += d * d;
            }
            return s;
        }

        @Override
        public float dotDeviation(float[] dy, float[] x, int off, int len, float mean) {
            float s = 0f;
            for (int i = off; i < off + len; i++) {
                s += dy[i] * (x[i] - mean);
            }
            return s;
        }
    };

    static void forwardTraining(RowSums r, float[] x, float[] gamma, float[] beta, float[] y, float[] saveMean,
                                float[] saveInvStd, float[] runMean, float[] runVar, int n, int c, int s,
                                float momentum, float eps) {
        long m = (long) n * s;
        Parallel.parallelFor(c, ch -> {
            double acc = 0;
            for (int img = 0; img < n; img++) {
                acc += r.sum(x, (img * c + ch) * s, s);
            }
            float mean = (float) (acc / m);
            double sq = 0;
            for (int img = 0; img < n; img++) {
                sq += r.sumSquaredDeviation(x, (img * c + ch) * s, s, mean);
            }
            double var = sq / m;
            float invStd = (float) (1.0 / Math.sqrt(var + eps));
            saveMean[ch] = mean;
            saveInvStd[ch] = invStd;
            runMean[ch] = (1 - momentum) * runMean[ch] + momentum * mean;
            runVar[ch] = (float) ((1 - momentum) * runVar[ch] + momentum * var * m / (m - 1));
            float scale = gamma[ch] * invStd;
            affine(x, y, ch, n, c, s, scale, beta[ch] - mean * scale);
        });
    }

    static void forwardInference(float[] x, float[] gamma, float[] beta, float[] runMean, float[] runVar, float[] y,
                                 int n, int c, int s, float eps) {
        Parallel.parallelFor(c, ch -> {
            float scale = (float) (gamma[ch] / Math.sqrt((double) runVar[ch] + eps));
            affine(x, y, ch, n, c, s, scale, beta[ch] - runMean[ch] * scale);
        });
    }

    /** y = x * scale + shift over channel ch of every image (C2 vectorises this loop itself). */
    private static void affine(float[] x, float[] y, int ch, int n, int c, int s, float scale, float shift) {
        for (int img = 0; img < n; img++) {
            int off = (img * c + ch) * s;
            for (int i = off; i < off + s; i++) {
                y[i] = x[i] * scale + shift;
            }
        }
    }

    /**
     * With xhat = (x - mean) invStd: gradBeta += sum dy, gradGamma += sum dy xhat, and
     * gradX = gamma invStd / M (M dy - sum dy - xhat sum dy xhat), written as
     * a dy + b (x - mean) + k.
     */
    static void backward(RowSums r, float[] x, float[] dy, float[] gamma, float[] saveMean, float[] saveInvStd,
                         float[] gradX, float[] gradGamma, float[] gradBeta, int n, int c, int s) {
        long m = (long) n * s;
        Parallel.parallelFor(c, ch -> {
            float mean = saveMean[ch];
            float invStd = saveInvStd[ch];
            double sumDy = 0;
            double sumDyDev = 0;
            for (int img = 0; img < n; img++) {
                int off = (img * c + ch) * s;
                sumDy += r.sum(dy, off, s);
                sumDyDev += r.dotDeviation(dy, x, off, s, mean);
            }
            double sumDyXhat = sumDyDev * invStd;
            gradBeta[ch] += (float) sumDy;
            gradGamma[ch] += (float) sumDyXhat;
            if (gradX == null) {
                return;
            }
            float a = gamma[ch] * invStd;
            float b = (float) (-a * invStd * sumDyXhat / m);
            float k = (float) (-a * sumDy / m);
            for (int img = 0; img < n; img++) {
                int off = (img * c + ch) * s;
                for (int i = off; i < off + s; i++) {
                    gradX[i] = a * dy[i] + b * (x[i] - mean) + k;
                }
            }
        });
    }
}
