package org.vgg4j.tensor.cpu;

import org.vgg4j.tensor.Rng;

/**
 * Elementwise, bias, loss, dropout, optimiser and reduction kernels on raw arrays. The loops are
 * simple counted loops over contiguous ranges, which C2 vectorises by itself; large ones are
 * split across cores. Arguments are checked by {@link CpuBackend}.
 */
final class CpuOps {
    private CpuOps() {}

    /** Below this many elements an elementwise op stays on the calling thread. */
    static final int GRAIN = 1 << 15;

    /** y [N, C, S] += bias [C]. */
    static void biasAdd(float[] y, float[] bias, int n, int c, int s) {
        Parallel.parallelRange((long) n * c, Math.max(1, GRAIN / Math.max(1, s)), (lo, hi) -> {
            for (long nc = lo; nc < hi; nc++) {
                float b = bias[(int) (nc % c)];
                int off = (int) (nc * s);
                for (int i = 0; i < s; i++) {
                    y[off + i] += b;
                }
            }
        });
    }

    /** gradBias [C] += sum over n, s of gradY [N, C, S]; summed in double per channel. */
    static void biasGrad(float[] gradY, float[] gradBias, int n, int c, int s) {
        Parallel.parallelRange(c, Math.max(1, GRAIN / Math.max(1, (long) s * n)), (lo, hi) -> {
            for (int ch = (int) lo; ch < hi; ch++) {
                double acc = 0;
                for (int img = 0; img < n; img++) {
                    int off = (img * c + ch) * s;
                    float part = 0f;
                    for (int i = 0; i < s; i++) {
                        part += gradY[off + i];
                    }
                    acc += part;
                }
                gradBias[ch] += (float) acc;
            }
        });
    }

    static void relu(float[] x, float[] y, int len) {
        Parallel.parallelRange(len, GRAIN, (lo, hi) -> {
            for (int i = (int) lo; i < hi; i++) {
                y[i] = Math.max(x[i], 0f);
            }
        });
    }

    static void reluBackward(float[] y, float[] gradY, float[] gradX, int len) {
        Parallel.parallelRange(len, GRAIN, (lo, hi) -> {
            for (int i = (int) lo; i < hi; i++) {
                gradX[i] = y[i] > 0f ? gradY[i] : 0f;
            }
        });
    }

    static void scale(float[] x, float alpha, float[] y, int len) {
        Parallel.parallelRange(len, GRAIN, (lo, hi) -> {
            for (int i = (int) lo; i < hi; i++) {
                y[i] = alpha * x[i];
            }
        });
    }

    static void axpy(float alpha, float[] x, float[] y, int len) {
        Parallel.parallelRange(len, GRAIN, (lo, hi) -> {
            for (int i = (int) lo; i < hi; i++) {
                y[i] += alpha * x[i];
            }
        });
    }

    static void add(float[] a, float[] b, float[] out, int len) {
        Parallel.parallelRange(len, GRAIN, (lo, hi) -> {
            for (int i = (int) lo; i < hi; i++) {
                out[i] = a[i] + b[i];
            }
        });
    }

    static void mul(float[] a, float[] b, float[] out, int len) {
        Parallel.parallelRange(len, GRAIN, (lo, hi) -> {
            for (int i = (int) lo; i < hi; i++) {
                out[i] = a[i] * b[i];
            }
        });
    }

    /** Inverted dropout with the counter-based mask of {@link Rng#uniform}. */
    static void dropout(float[] x, float[] y, float[] mask, float p, long seed, int len) {
        float keep = p == 0f ? 1f : 1f / (1f - p);
        Parallel.parallelRange(len, GRAIN, (lo, hi) -> {
            for (int i = (int) lo; i < hi; i++) {
                float m = Rng.uniform(seed, i) >= p ? keep : 0f;
                mask[i] = m;
                y[i] = x[i] * m;
            }
        });
    }

    /** PyTorch's SGD: g = grad + wd*w; v = mu*v + g; w -= lr * (nesterov ? g + mu*v : v). */
    static void sgd(float[] w, float[] grad, float[] v, float lr, float mu, float wd, boolean nesterov, int len) {
        Parallel.parallelRange(len, GRAIN, (lo, hi) -> {
            for (int i = (int) lo; i < hi; i++) {
                float g = grad[i] + wd * w[i];
                float vi = mu * v[i] + g;
                v[i] = vi;
                w[i] -= lr * (nesterov ? g + mu * vi : vi);
            }
        });
    }

    /**
     * Softmax rows of logits [N, K] into probs, and loss[n] = -log probs[n, label]. The log is
     * taken as (max + log sum exp) - logit, which stays finite when the probability underflows.
     */
    static void softmaxCrossEntropy(float[] logits, float[] labels, float[] probs, float[] loss, int n, int k) {
        Parallel.parallelRange(n, Math.max(1, GRAIN / Math.max(1, k)), (lo, hi) -> {
            for (int r = (int) lo; r < hi; r++) {
                int off = r * k;
                float max = Float.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, logits[off + j]);
                }
                double sum = 0;
                for (int j = 0; j < k; j++) {
                    float e = (float) Math.exp(logits[off + j] - max);
                    probs[off + j] = e;
                    sum += e;
                }
                float inv = (float) (1.0 / sum);
                for (int j = 0; j < k; j++) {
                    probs[off + j] *= inv;
                }
                int label = (int) labels[r];
                loss[r] = (float) (max + Math.log(sum) - logits[off + label]);
            }
        });
    }

    /** gradLogits[n, j] = scale * (probs[n, j] - (j == label[n])). */
    static void softmaxCrossEntropyBackward(float[] probs, float[] labels, float scale, float[] grad, int n, int k) {
        for (int r = 0; r < n; r++) {
            int off = r * k;
            int label = (int) labels[r];
            for (int j = 0; j < k; j++) {
                grad[off + j] = scale * (probs[off + j] - (j == label ? 1f : 0f));
            }
        }
    }

    /** Sum in double over fixed blocks combined in order, so the result does not depend on threads. */
    static double sum(float[] x, int len) {
        int block = 1 << 16;
        int blocks = (len + block - 1) / block;
        double[] partial = new double[blocks];
        Parallel.parallelRange(blocks, 1, (lo, hi) -> {
            for (int bi = (int) lo; bi < hi; bi++) {
                double s = 0;
                int end = Math.min(len, (bi + 1) * block);
                for (int i = bi * block; i < end; i++) {
                    s += x[i];
                }
                partial[bi] = s;
            }
        });
        double total = 0;
        for (double p : partial) {
            total += p;
        }
        return total;
    }

    /** The k largest of each row of scores [N, K], descending; ties keep the lower index first. */
    static int[] topK(float[] scores, int n, int kCols, int k) {
        int[] out = new int[n * k];
        for (int r = 0; r < n; r++) {
            int off = r * kCols;
            int base = r * k;
            int filled = 0;
            for (int j = 0; j < kCols; j++) {
                float v = scores[off + j];
                if (filled == k && !greater(v, j, scores[off + out[base + k - 1]], out[base + k - 1])) {
                    continue;
                }
                int pos = filled < k ? filled++ : k - 1;
                while (pos > 0 && greater(v, j, scores[off + out[base + pos - 1]], out[base + pos - 1])) {
                    out[base + pos] = out[base + pos - 1];
                    pos--;
                }
                out[base + pos] = j;
            }
        }
        return out;
    }

    /** Order used by top-k: larger value first, NaN last, then lower index. */
    private static boolean greater(float v, int i, float w, int j) {
        if (Float.isNaN(w) && !Float.isNaN(v)) {
            return true;
        }
        if (Float.isNaN(v)) {
            return false;
        }
        return v > w || (v == w && i < j);
    }
}
