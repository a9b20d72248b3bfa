package org.vgg4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.vgg4j.tensor.cpu.CpuOpsTest.close;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgg4j.tensor.Tensor;

/**
 * Batch normalisation against a double-precision reference of PyTorch's definitions (biased
 * variance to normalise, unbiased for the running variance, momentum 0.1, eps 1e-5), on [N, C]
 * and [N, C, H, W] inputs whose rows are shorter, equal to and longer than a vector, with a
 * large common offset (a one-pass variance would cancel there). Tolerance 1e-5 relative.
 */
class CpuBatchNormTest {
    static final float MOMENTUM = 0.1f;
    static final float EPS = 1e-5f;

    static Stream<Arguments> backends() {
        return SgemmTest.backends();
    }

    static final int[][] SHAPES = {{5, 3}, {4, 3, 1, 1}, {2, 5, 3, 3}, {3, 4, 4, 4}, {2, 3, 5, 7}, {1, 2, 9, 9}};

    /** x [N, C, S] values offset by 100 + c so the mean is large next to the spread. */
    static float[] input(SplittableRandom r, int n, int c, int s) {
        float[] x = new float[n * c * s];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (100 + (i / s) % c + r.nextDouble(-2, 2));
        }
        return x;
    }

    static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(lo, hi);
        }
        return v;
    }

    /** Mean and biased variance of channel ch, in double. */
    static double[] stats(float[] x, int n, int c, int s, int ch) {
        double sum = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < s; j++) {
                sum += x[(i * c + ch) * s + j];
            }
        }
        double mean = sum / (n * s);
        double sq = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < s; j++) {
                double d = x[(i * c + ch) * s + j] - mean;
                sq += d * d;
            }
        }
        return new double[] {mean, sq / (n * s)};
    }

    @ParameterizedTest
    @MethodSource("backends")
    void trainingForwardMatchesTheDoubleReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(3);
        for (int[] shape : SHAPES) {
            int n = shape[0];
            int c = shape[1];
            int s = (int) (Tensor.sizeOf(shape) / (n * c));
            float[] x = input(r, n, c, s);
            float[] gamma = random(r, c, 0.5, 2);
            float[] beta = random(r, c, -1, 1);
            float[] rm = random(r, c, -1, 1);
            float[] rv = random(r, c, 0.5, 2);
            double[] wantY = new double[x.length];
            double[] wantRm = new double[c];
            double[] wantRv = new double[c];
            double[] wantMean = new double[c];
            double[] wantInv = new double[c];
            int m = n * s;
            for (int ch = 0; ch < c; ch++) {
                double[] st = stats(x, n, c, s, ch);
                wantMean[ch] = st[0];
                wantInv[ch] = 1 / Math.sqrt(st[1] + EPS);
                wantRm[ch] = 0.9 * rm[ch] + 0.1 * st[0];
                wantRv[ch] = 0.9 * rv[ch] + 0.1 * st[1] * m / (m - 1);
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < s; j++) {
                        int k = (i * c + ch) * s + j;
                        wantY[k] = gamma[ch] * (x[k] - st[0]) * wantInv[ch] + beta[ch];
                    }
                }
            }
            Tensor tx = cpu.fromHost(x, shape);
            Tensor y = cpu.zeros(shape);
            Tensor mean = cpu.zeros(c);
            Tensor inv = cpu.zeros(c);
            Tensor trm = cpu.fromHost(rm, c);
            Tensor trv = cpu.fromHost(rv, c);
            cpu.batchNormForwardTraining(tx, cpu.fromHost(gamma, c), cpu.fromHost(beta, c), y, mean, inv, trm, trv,
                MOMENTUM, EPS);
            String what = java.util.Arrays.toString(shape);
            close(wantY, y.toHost(), 1e-4, what + " y"); // (x - mean) loses ~1e-5 relative of x = 100 in float
            close(wantMean, mean.toHost(), 1e-6, what + " mean");
            close(wantInv, inv.toHost(), 1e-5, what + " invStd");
            close(wantRm, trm.toHost(), 1e-6, what + " running mean");
            close(wantRv, trv.toHost(), 1e-5, what + " running var");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void inferenceForwardUsesTheRunningStatistics(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(4);
        for (int[] shape : SHAPES) {
            int n = shape[0];
            int c = shape[1];
            int s = (int) (Tensor.sizeOf(shape) / (n * c));
            float[] x = random(r, n * c * s, -3, 3);
            float[] gamma = random(r, c, -2, 2);
            float[] beta = random(r, c, -1, 1);
            float[] rm = random(r, c, -1, 1);
            float[] rv = random(r, c, 0.01, 3);
            double[] want = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                int ch = (k / s) % c;
                want[k] = gamma[ch] * (x[k] - rm[ch]) / Math.sqrt(rv[ch] + (double) EPS) + beta[ch];
            }
            Tensor y = cpu.zeros(shape);
            cpu.batchNormForwardInference(cpu.fromHost(x, shape), cpu.fromHost(gamma, c), cpu.fromHost(beta, c),
                cpu.fromHost(rm, c), cpu.fromHost(rv, c), EPS, y);
            close(want, y.toHost(), 1e-5, java.util.Arrays.toString(shape));
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void backwardMatchesTheDoubleReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(5);
        for (int[] shape : SHAPES) {
            int n = shape[0];
            int c = shape[1];
            int s = (int) (Tensor.sizeOf(shape) / (n * c));
            int m = n * s;
            float[] x = random(r, n * c * s, -2, 2);
            float[] dy = random(r, n * c * s, -1, 1);
            float[] gamma = random(r, c, 0.5, 2);
            float[] gg0 = random(r, c, -1, 1);
            float[] gb0 = random(r, c, -1, 1);
            double[] wantGx = new double[x.length];
            double[] wantGg = new double[c];
            double[] wantGb = new double[c];
            float[] mean = new float[c];
            float[] inv = new float[c];
            for (int ch = 0; ch < c; ch++) {
                double[] st = stats(x, n, c, s, ch);
                double is = 1 / Math.sqrt(st[1] + EPS);
                mean[ch] = (float) st[0];
                inv[ch] = (float) is;
                double sdy = 0;
                double sdyx = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < s; j++) {
                        int k = (i * c + ch) * s + j;
                        sdy += dy[k];
                        sdyx += dy[k] * (x[k] - st[0]) * is;
                    }
                }
                wantGb[ch] = gb0[ch] + sdy;
                wantGg[ch] = gg0[ch] + sdyx;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < s; j++) {
                        int k = (i * c + ch) * s + j;
                        double xhat = (x[k] - st[0]) * is;
                        wantGx[k] = gamma[ch] * is / m * (m * dy[k] - sdy - xhat * sdyx);
                    }
                }
            }
            Tensor gx = cpu.zeros(shape);
            Tensor gg = cpu.fromHost(gg0, c);
            Tensor gb = cpu.fromHost(gb0, c);
            cpu.batchNormBackward(cpu.fromHost(x, shape), cpu.fromHost(dy, shape), cpu.fromHost(gamma, c),
                cpu.fromHost(mean, c), cpu.fromHost(inv, c), gx, gg, gb);
            String what = java.util.Arrays.toString(shape);
            close(wantGx, gx.toHost(), 1e-4, what + " gradX");
            close(wantGg, gg.toHost(), 1e-5, what + " gradGamma");
            close(wantGb, gb.toHost(), 1e-5, what + " gradBeta");
        }
    }

    /**
     * Batch norm with the ReLU after it, fused: the output is max(0, batch norm) and the
     * gradients are batch norm's of dy where the pre-ReLU value, as the forward computed it in
     * float, is positive; the input gradient may be written over the output; inference likewise.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void withItsReluMatchesTheDoubleReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(11);
        for (int[] shape : SHAPES) {
            int n = shape[0];
            int c = shape[1];
            int s = (int) (Tensor.sizeOf(shape) / (n * c));
            int m = n * s;
            float[] x = random(r, n * c * s, -2, 2);
            float[] dy = random(r, n * c * s, -1, 1);
            float[] gamma = random(r, c, 0.5, 2);
            float[] beta = random(r, c, -0.5, 0.5);
            Tensor tx = cpu.fromHost(x, shape);
            Tensor y = cpu.zeros(shape);
            Tensor mean = cpu.zeros(c);
            Tensor inv = cpu.zeros(c);
            cpu.batchNormReluForwardTraining(tx, cpu.fromHost(gamma, c), cpu.fromHost(beta, c), y, mean, inv,
                cpu.zeros(c), cpu.fromHost(new float[c], c), MOMENTUM, EPS);
            float[] yv = y.toHost();
            float[] mv = mean.toHost();
            float[] iv = inv.toHost();
            double[] wantY = new double[x.length];
            double[] wantGx = new double[x.length];
            double[] wantGg = new double[c];
            double[] wantGb = new double[c];
            for (int ch = 0; ch < c; ch++) {
                double[] st = stats(x, n, c, s, ch);
                double is = 1 / Math.sqrt(st[1] + EPS);
                float scale = gamma[ch] * iv[ch];
                float shift = beta[ch] - mv[ch] * scale;
                double[] dym = new double[n * s];
                double sdy = 0;
                double sdyx = 0;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < s; j++) {
                        int k = (i * c + ch) * s + j;
                        wantY[k] = Math.max(0, gamma[ch] * (x[k] - st[0]) * is + beta[ch]);
                        double d = x[k] * scale + shift > 0f ? dy[k] : 0;
                        dym[i * s + j] = d;
                        sdy += d;
                        sdyx += d * (x[k] - st[0]) * is;
                    }
                }
                wantGb[ch] = sdy;
                wantGg[ch] = sdyx;
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < s; j++) {
                        int k = (i * c + ch) * s + j;
                        double xhat = (x[k] - st[0]) * is;
                        wantGx[k] = gamma[ch] * is / m * (m * dym[i * s + j] - sdy - xhat * sdyx);
                    }
                }
            }
            String what = java.util.Arrays.toString(shape);
            close(wantY, yv, 1e-4, what + " output");
            Tensor gg = cpu.zeros(c);
            Tensor gb = cpu.zeros(c);
            cpu.batchNormReluBackward(tx, y, cpu.fromHost(dy, shape), cpu.fromHost(gamma, c), cpu.fromHost(beta, c),
                mean, inv, y, gg, gb); // the input gradient over the output, as BatchNorm2d writes it
            close(wantGx, y.toHost(), 1e-4, what + " gradX");
            close(wantGg, gg.toHost(), 1e-5, what + " gradGamma");
            close(wantGb, gb.toHost(), 1e-5, what + " gradBeta");
            float[] rm = random(r, c, -1, 1);
            float[] rv = random(r, c, 0.5, 2);
            Tensor yi = cpu.zeros(shape);
            cpu.batchNormReluForwardInference(tx, cpu.fromHost(gamma, c), cpu.fromHost(beta, c), cpu.fromHost(rm, c),
                cpu.fromHost(rv, c), EPS, yi);
            double[] wantYi = new double[x.length];
            for (int k = 0; k < x.length; k++) {
                int ch = (k / s) % c;
                wantYi[k] = Math.max(0, gamma[ch] * (x[k] - rm[ch]) / Math.sqrt(rv[ch] + EPS) + beta[ch]);
            }
            close(wantYi, yi.toHost(), 1e-4, what + " inference");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void oneValuePerChannelIsRefused(CpuBackend cpu) {
        Tensor x = cpu.zeros(1, 3);
        Tensor c3 = cpu.zeros(3);
        assertThrows(IllegalArgumentException.class, () -> cpu.batchNormForwardTraining(x, c3, c3, cpu.zeros(1, 3),
            c3, c3, c3, c3, MOMENTUM, EPS));
        assertThrows(IllegalArgumentException.class, () -> cpu.batchNormForwardTraining(cpu.zeros(2, 3), cpu.zeros(4),
            c3, cpu.zeros(2, 3), c3, c3, c3, c3, MOMENTUM, EPS));
    }
}
