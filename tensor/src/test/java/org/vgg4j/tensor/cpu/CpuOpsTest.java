package org.vgg4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgg4j.tensor.cpu.SgemmTest.random;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.Rng;
import org.vgg4j.tensor.Tensor;

/**
 * Every CPU op against a double-precision reference written from its formula, on many random
 * shapes with fixed seeds, on the Vector API path and the scalar path. Arithmetic tolerance:
 * {@code |got - want| <= 1e-4 * (1 + |want|)} unless a test says otherwise; data movement exact.
 * Convolution has its own class, {@link CpuConvTest}.
 */
class CpuOpsTest {

    static Stream<Arguments> backends() {
        return SgemmTest.backends();
    }

    static void close(double[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + ": length");
        for (int i = 0; i < want.length; i++) {
            double diff = Math.abs(got[i] - want[i]);
            if (!(diff <= tol * (1 + Math.abs(want[i])))) {
                throw new AssertionError(what + ": element " + i + " is " + got[i] + ", want " + want[i]);
            }
        }
    }

    /** ReLU's special values (NaN stays NaN forward, gets no gradient), in place, and lengths around a vector. */
    @ParameterizedTest
    @MethodSource("backends")
    void reluSpecialValuesAndInPlace(CpuBackend cpu) {
        float[] special = {Float.NaN, -0f, 0f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 1e-45f, -1e-45f, 3f, -3f};
        for (int len : new int[] {1, 15, 16, 17, 33, 70_001}) {
            float[] x = new float[len];
            float[] g = new float[len];
            for (int i = 0; i < len; i++) {
                x[i] = special[(i * 7) % special.length];
                g[i] = i + 0.5f;
            }
            Tensor t = cpu.fromHost(x, len);
            cpu.reluForward(t, t); // in place
            float[] y = t.toHost();
            Tensor tg = cpu.fromHost(g, len);
            cpu.reluBackward(t, tg, tg); // in place
            float[] gx = tg.toHost();
            for (int i = 0; i < len; i++) {
                assertEquals(Float.floatToIntBits(Math.max(x[i], 0f)), Float.floatToIntBits(y[i]), "relu of " + x[i]);
                assertEquals(y[i] > 0f ? g[i] : 0f, gx[i], "relu gradient at " + x[i]);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void biasReluScaleAxpyMulMatchFormulas(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(4);
        for (int t = 0; t < 10; t++) {
            int n = 1 + r.nextInt(3);
            int c = 1 + r.nextInt(7);
            int s = 1 + r.nextInt(50);
            float[] y = random(r, n * c * s);
            float[] b = random(r, c);
            Tensor ty = cpu.fromHost(y, n, c, s);
            cpu.biasAdd(ty, cpu.fromHost(b, c));
            float[] got = ty.toHost();
            for (int i = 0; i < y.length; i++) {
                assertEquals(y[i] + b[(i / s) % c], got[i], "biasAdd");
            }
            Tensor gb = cpu.fromHost(b, c);
            cpu.biasGrad(cpu.fromHost(y, n, c, s), gb);
            double[] want = new double[c];
            for (int i = 0; i < y.length; i++) {
                want[(i / s) % c] += y[i];
            }
            for (int k = 0; k < c; k++) {
                want[k] += b[k];
            }
            close(want, gb.toHost(), 1e-5, "biasGrad");

            float[] x = random(r, 1 + r.nextInt(100_000));
            float[] z = random(r, x.length);
            Tensor tx = cpu.fromHost(x, x.length);
            Tensor out = cpu.zeros(x.length);
            cpu.reluForward(tx, out);
            float[] relu = out.toHost();
            Tensor gx = cpu.zeros(x.length);
            cpu.reluBackward(out, cpu.fromHost(z, z.length), gx);
            float[] grelu = gx.toHost();
            cpu.scale(tx, -2.5f, out);
            float[] scaled = out.toHost();
            Tensor acc = cpu.fromHost(z, z.length);
            cpu.axpy(0.75f, tx, acc);
            float[] axpy = acc.toHost();
            cpu.mul(tx, cpu.fromHost(z, z.length), out);
            float[] mul = out.toHost();
            cpu.add(tx, cpu.fromHost(z, z.length), out);
            float[] add = out.toHost();
            Tensor inPlace = cpu.fromHost(z, z.length);
            cpu.add(tx, inPlace, inPlace);
            float[] addInPlace = inPlace.toHost();
            for (int i = 0; i < x.length; i++) {
                assertEquals(Math.max(x[i], 0f), relu[i]);
                assertEquals(x[i] > 0 ? z[i] : 0f, grelu[i]);
                assertEquals(-2.5f * x[i], scaled[i]);
                assertEquals(z[i] + 0.75 * x[i], axpy[i], 1e-6);
                assertEquals((double) x[i] * z[i], mul[i], 1e-6);
                assertEquals((double) x[i] + z[i], add[i], 1e-6);
                assertEquals((double) x[i] + z[i], addInPlace[i], 1e-6);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void softmaxCrossEntropyMatchesReferenceAndIsStable(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(8);
        for (int t = 0; t < 10; t++) {
            int n = 1 + r.nextInt(6);
            int k = 1 + r.nextInt(20);
            float[] logits = random(r, n * k);
            float shift = t == 0 ? 1000f : t == 1 ? -1000f : 0f;
            for (int i = 0; i < logits.length; i++) {
                logits[i] = logits[i] * 10 + shift;
            }
            float[] labels = new float[n];
            for (int i = 0; i < n; i++) {
                labels[i] = r.nextInt(k);
            }
            Tensor probs = cpu.zeros(n, k);
            Tensor loss = cpu.zeros(n);
            Tensor tl = cpu.fromHost(labels, n);
            cpu.softmaxCrossEntropyForward(cpu.fromHost(logits, n, k), tl, probs, loss);
            double[] wantP = new double[n * k];
            double[] wantL = new double[n];
            for (int i = 0; i < n; i++) {
                double max = Double.NEGATIVE_INFINITY;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, logits[i * k + j]);
                }
                double z = 0;
                for (int j = 0; j < k; j++) {
                    z += Math.exp(logits[i * k + j] - max);
                }
                for (int j = 0; j < k; j++) {
                    wantP[i * k + j] = Math.exp(logits[i * k + j] - max) / z;
                }
                wantL[i] = max + Math.log(z) - logits[i * k + (int) labels[i]];
            }
            float[] p = probs.toHost();
            close(wantP, p, 1e-5, "softmax");
            close(wantL, loss.toHost(), 1e-5, "cross-entropy");
            for (int i = 0; i < n; i++) {
                double rowSum = 0;
                for (int j = 0; j < k; j++) {
                    rowSum += p[i * k + j];
                }
                assertEquals(1.0, rowSum, 1e-5, "softmax row sums to 1");
            }
            Tensor grad = cpu.zeros(n, k);
            cpu.softmaxCrossEntropyBackward(probs, tl, 1f / n, grad);
            double[] wantG = new double[n * k];
            for (int i = 0; i < n * k; i++) {
                wantG[i] = (p[i] - (i % k == (int) labels[i / k] ? 1 : 0)) / (double) n;
            }
            close(wantG, grad.toHost(), 1e-6, "softmax gradient");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void dropoutUsesTheCounterBasedMask(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(9);
        int len = 200_000;
        float[] x = random(r, len);
        for (float p : new float[] {0f, 0.5f, 0.9f}) {
            Tensor y = cpu.zeros(len);
            Tensor mask = cpu.zeros(len);
            cpu.dropoutForward(cpu.fromHost(x, len), y, mask, p, 1234L);
            float[] m = mask.toHost();
            float[] out = y.toHost();
            int kept = 0;
            for (int i = 0; i < len; i++) {
                float want = Rng.uniform(1234L, i) >= p ? 1f / (1f - p) : 0f;
                assertEquals(want, m[i], "mask " + i);
                assertEquals(x[i] * want, out[i]);
                kept += m[i] != 0 ? 1 : 0;
            }
            // binomial: 5 standard deviations
            double sd = Math.sqrt(len * p * (1 - p));
            assertEquals(len * (1 - p), kept, 5 * sd + 1e-9, "kept fraction for p=" + p);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sgdUpdateMatchesPyTorchFormula(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(10);
        for (boolean nesterov : new boolean[] {false, true}) {
            int len = 1 + r.nextInt(5000);
            float[] w = random(r, len);
            float[] g = random(r, len);
            float[] v = random(r, len);
            Tensor tw = cpu.fromHost(w, len);
            Tensor tv = cpu.fromHost(v, len);
            cpu.sgdUpdate(tw, cpu.fromHost(g, len), tv, 0.01f, 0.9f, 5e-4f, nesterov);
            double[] wantW = new double[len];
            double[] wantV = new double[len];
            for (int i = 0; i < len; i++) {
                double gi = g[i] + 5e-4 * w[i];
                wantV[i] = 0.9 * v[i] + gi;
                wantW[i] = w[i] - 0.01 * (nesterov ? gi + 0.9 * wantV[i] : wantV[i]);
            }
            close(wantW, tw.toHost(), 1e-6, "sgd w");
            close(wantV, tv.toHost(), 1e-6, "sgd v");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void sumAndTopKMatchReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(11);
        for (int len : new int[] {1, 7, 65_536, 300_001}) {
            float[] x = random(r, len);
            double want = 0;
            for (float v : x) {
                want += v;
            }
            assertEquals(want, cpu.sum(cpu.fromHost(x, len)), 1e-9 * len);
        }
        for (int t = 0; t < 20; t++) {
            int n = 1 + r.nextInt(4);
            int cols = 1 + r.nextInt(30);
            int k = 1 + r.nextInt(cols);
            float[] s = random(r, n * cols);
            if (t % 2 == 0) {
                for (int i = 0; i < s.length; i++) {
                    s[i] = r.nextInt(4); // ties
                }
            }
            int[] got = cpu.topK(cpu.fromHost(s, n, cols), k);
            for (int i = 0; i < n; i++) {
                final int row = i;
                Integer[] idx = new Integer[cols];
                for (int j = 0; j < cols; j++) {
                    idx[j] = j;
                }
                Arrays.sort(idx, (a, b) -> s[row * cols + a] != s[row * cols + b]
                    ? Float.compare(s[row * cols + b], s[row * cols + a]) : Integer.compare(a, b));
                for (int j = 0; j < k; j++) {
                    assertEquals(idx[j], got[i * k + j], "topK row " + i + " rank " + j);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void badShapesAndForeignTensorsAreRejectedWithTheOpName(CpuBackend cpu) {
        ConvGeometry g = ConvGeometry.square(3, 8, 8, 4, 3, 1, 1);
        Tensor x = cpu.zeros(2, 3, 8, 8);
        Tensor w = cpu.zeros(4, 3, 3, 3);
        Tensor wrongY = cpu.zeros(2, 4, 7, 8);
        var e = assertThrows(IllegalArgumentException.class, () -> cpu.conv2dForward(x, w, null, wrongY, g));
        assertTrue(e.getMessage().contains("conv2dForward") && e.getMessage().contains("[2, 4, 7, 8]"), e.getMessage());
        CpuBackend other = new CpuBackend(false);
        e = assertThrows(IllegalArgumentException.class, () -> cpu.reluForward(other.zeros(4), cpu.zeros(4)));
        assertTrue(e.getMessage().startsWith("reluForward"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cpu.axpy(1f, cpu.zeros(3), cpu.zeros(4)));
        assertThrows(IllegalArgumentException.class, () -> cpu.zeros(2, -1));
        assertThrows(IllegalArgumentException.class, () -> ConvGeometry.square(3, 2, 2, 4, 5, 1, 0));
        e = assertThrows(IllegalArgumentException.class, () -> cpu.softmaxCrossEntropyForward(cpu.zeros(2, 3),
            cpu.fromHost(new float[] {0, 3}, 2), cpu.zeros(2, 3), cpu.zeros(2)));
        assertTrue(e.getMessage().contains("label 3.0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cpu.biasAdd(cpu.zeros(2, 5), cpu.zeros(4)));
        assertThrows(IllegalArgumentException.class, () -> cpu.topK(cpu.zeros(2, 3), 4));
        assertThrows(IllegalArgumentException.class,
            () -> cpu.dropoutForward(cpu.zeros(3), cpu.zeros(3), cpu.zeros(3), 1f, 1));
        assertThrows(IllegalArgumentException.class, () -> cpu.fromHost(new float[3], 2, 2));
        assertArrayEquals(new int[] {4, 6}, cpu.zeros(2, 3, 4).reshape(4, -1).shape());
    }

    static float[] distinct(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = i * 0.001f;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            float t = x[i];
            x[i] = x[j];
            x[j] = t;
        }
        return x;
    }
}
