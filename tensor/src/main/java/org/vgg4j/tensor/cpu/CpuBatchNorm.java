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

    /**
     * The loops over one contiguous row (sums, and the masked ones of a batch norm fused with the
     * ReLU after it); the scalar version is the reference for the vector one.
     */
    interface RowSums {
        /** sum of a[off, off+len). */
        float sum(float[] a, int off, int len);

        /** sum of (a[i] - mean)^2 over the row. */
        float sumSquaredDeviation(float[] a, int off, int len, float mean);

        /** sum of dy[i] * (x[i] - mean) over the row. */
        float dotDeviation(float[] dy, float[] x, int off, int len, float mean);

        /** sum of dy[i] where x[i] * scale + shift > 0 (a following ReLU passes the gradient). */
        float sumWhere(float[] dy, float[] x, int off, int len, float scale, float shift);

        /** sum of dy[i] * (x[i] - mean) where x[i] * scale + shift > 0. */
        float dotDeviationWhere(float[] dy, float[] x, int off, int len, float mean, float scale, float shift);

        /**
         * gradX[i] = a * d + b * (x[i] - mean) + k over the row, d = dy[i] where x[i] * scale +
         * shift > 0, else 0 (not a sum, but the same masked loop: C2 leaves the conditional scalar).
         */
        void gradientWhere(float[] dy, float[] x, float[] gradX, int off, int len, float a, float b, float k,
                           float mean, float scale, float shift);

        /** y[i] = max(0, x[i] * scale + shift) over the row (the forward with its ReLU). */
        void affineRelu(float[] x, float[] y, int off, int len, float scale, float shift);
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

        @Override
        public float sumWhere(float[] dy, float[] x, int off, int len, float scale, float shift) {
            float s = 0f;
            for (int i = off; i < off + len; i++) {
                s += x[i] * scale + shift > 0f ? dy[i] : 0f;
            }
            return s;
        }

        @Override
        public float dotDeviationWhere(float[] dy, float[] x, int off, int len, float mean, float scale, float shift) {
            float s = 0f;
            for (int i = off; i < off + len; i++) {
                s += (x[i] * scale + shift > 0f ? dy[i] : 0f) * (x[i] - mean);
            }
            return s;
        }

        @Override
        public void affineRelu(float[] x, float[] y, int off, int len, float scale, float shift) {
            for (int i = off; i < off + len; i++) {
                y[i] = Math.max(x[i] * scale + shift, 0f);
            }
        }

        @Override
        public void gradientWhere(float[] dy, float[] x, float[] gradX, int off, int len, float a, float b, float k,
                                  float mean, float scale, float shift) {
            for (int i = off; i < off + len; i++) {
                float d = x[i] * scale + shift > 0f ? dy[i] : 0f;
                gradX[i] = a * d + b * (x[i] - mean) + k;
            }
        }
    };

    static void forwardTraining(RowSums r, float[] x, float[] gamma, float[] beta, float[] y, float[] saveMean,
                                float[] saveInvStd, float[] runMean, float[] runVar, int n, int c, int s,
                                float momentum, float eps, boolean relu) {
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
            affine(r, x, y, ch, n, c, s, scale, beta[ch] - mean * scale, relu);
        });
    }

    static void forwardInference(RowSums r, float[] x, float[] gamma, float[] beta, float[] runMean, float[] runVar,
                                 float[] y, int n, int c, int s, float eps, boolean relu) {
        Parallel.parallelFor(c, ch -> {
            float scale = (float) (gamma[ch] / Math.sqrt((double) runVar[ch] + eps));
            affine(r, x, y, ch, n, c, s, scale, beta[ch] - runMean[ch] * scale, relu);
        });
    }

    /**
     * y = x * scale + shift over channel ch of every image, then max(0, y) when relu (C2
     * vectorises these loops itself; the backward recomputes x * scale + shift the same way).
     */
    private static void affine(RowSums r, float[] x, float[] y, int ch, int n, int c, int s, float scale, float shift,
                               boolean relu) {
        for (int img = 0; img < n; img++) {
            int off = (img * c + ch) * s;
            if (relu) {
                r.affineRelu(x, y, off, s, scale, shift);
            } else {
                for (int i = off; i < off + s; i++) {
                    y[i] = x[i] * scale + shift;
                }
            }
        }
    }

    /**
     * With xhat = (x - mean) invStd: gradBeta += sum dy, gradGamma += sum dy xhat, and
     * gradX = gamma invStd / M (M dy - sum dy - xhat sum dy xhat), written as
     * a dy + b (x - mean) + k. With beta (not null), the forward was followed by a ReLU: dy
     * counts only where x * scale + shift > 0, recomputed as the forward computed it.
     */
    static void backward(RowSums r, float[] x, float[] dy, float[] gamma, float[] beta, float[] saveMean,
                         float[] saveInvStd, float[] gradX, float[] gradGamma, float[] gradBeta, int n, int c, int s) {
        long m = (long) n * s;
        boolean relu = beta != null;
        Parallel.parallelFor(c, ch -> {
            float mean = saveMean[ch];
            float invStd = saveInvStd[ch];
            float scale = gamma[ch] * invStd;
            float shift = relu ? beta[ch] - mean * scale : 0f;
            double sumDy = 0;
            double sumDyDev = 0;
            for (int img = 0; img < n; img++) {
                int off = (img * c + ch) * s;
                if (relu) {
                    sumDy += r.sumWhere(dy, x, off, s, scale, shift);
                    sumDyDev += r.dotDeviationWhere(dy, x, off, s, mean, scale, shift);
                } else {
                    sumDy += r.sum(dy, off, s);
                    sumDyDev += r.dotDeviation(dy, x, off, s, mean);
                }
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
                if (relu) {
                    r.gradientWhere(dy, x, gradX, off, s, a, b, k, mean, scale, shift);
                } else {
                    for (int i = off; i < off + s; i++) {
                        gradX[i] = a * dy[i] + b * (x[i] - mean) + k;
                    }
                }
            }
        });
    }
}
