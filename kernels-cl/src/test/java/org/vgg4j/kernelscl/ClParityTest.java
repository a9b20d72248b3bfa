package org.vgg4j.kernelscl;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.PoolGeometry;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * Every ClBackend op against CpuBackend (the reference) on random and odd shapes. Data movement
 * (im2col, pooling's argmax, ReLU, dropout masks, copies) must match exactly; arithmetic within
 * {@code 1e-4 * (1 + |cpu|)} (sums of up to a few hundred products in a different order).
 */
class ClParityTest {
    static ClBackend cl;
    static final CpuBackend CPU = new CpuBackend();
    static final double TOL = 1e-4;

    @BeforeAll
    static void open() {
        ClDevices.Scan scan = ClDevices.scan();
        if (org.vgg4j.kernelscl.ClDevices.required()) org.junit.jupiter.api.Assertions.assertFalse(scan.devices().isEmpty(), "VGG4J_REQUIRE_OPENCL is set but there is no OpenCL platform: " + scan.problem());
        Assumptions.assumeFalse(scan.devices().isEmpty(), "no OpenCL platform: " + scan.problem());
        cl = new ClBackend(scan.devices().get(0));
    }

    @AfterAll
    static void close() {
        if (cl != null) {
            cl.close();
        }
    }

    static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    static void close(float[] cpu, float[] dev, double tol, String what) {
        assertEquals(cpu.length, dev.length, what);
        for (int i = 0; i < cpu.length; i++) {
            if (!(Math.abs(cpu[i] - dev[i]) <= tol * (1 + Math.abs(cpu[i])))) {
                throw new AssertionError(what + ": element " + i + ": cpu " + cpu[i] + ", opencl " + dev[i]);
            }
        }
    }

    /** Runs {@code op} on both backends with copies of the same inputs; returns both outputs. */
    static float[][] both(float[][] inputs, int[][] shapes, int outIndex, BiConsumer<Backend, Tensor[]> op) {
        float[][] out = new float[2][];
        Backend[] bs = {CPU, cl};
        for (int b = 0; b < 2; b++) {
            Tensor[] t = new Tensor[inputs.length];
            for (int i = 0; i < inputs.length; i++) {
                t[i] = bs[b].fromHost(inputs[i], shapes[i]);
            }
            op.accept(bs[b], t);
            out[b] = t[outIndex].toHost();
            for (Tensor x : t) {
                x.close();
            }
        }
        return out;
    }

    @Test
    void gemmMatchesOnOddShapesAndTransposes() {
        SplittableRandom r = new SplittableRandom(1);
        int[] sizes = {1, 3, 17, 33, 64, 100};
        for (int t = 0; t < 24; t++) {
            int m = sizes[r.nextInt(sizes.length)];
            int n = sizes[r.nextInt(sizes.length)];
            int k = sizes[r.nextInt(sizes.length)];
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            float beta = t % 3 == 0 ? 0f : 0.5f;
            float[][] o = both(new float[][] {random(r, m * k), random(r, k * n), random(r, m * n)},
                new int[][] {{m * k}, {k * n}, {m, n}}, 2,
                (b, x) -> b.gemm(ta, tb, m, n, k, 1.5f, x[0], 0, ta ? m : k, x[1], 0, tb ? k : n, beta, x[2], 0, n));
            close(o[0], o[1], TOL * Math.sqrt(k), "gemm m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb);
        }
    }

    @Test
    void convolutionForwardAndBackwardMatch() {
        SplittableRandom r = new SplittableRandom(2);
        ConvGeometry[] gs = {ConvGeometry.square(3, 7, 9, 4, 3, 1, 1), ConvGeometry.square(2, 6, 6, 3, 3, 2, 0),
            ConvGeometry.square(5, 4, 4, 6, 1, 1, 0), ConvGeometry.square(1, 8, 8, 2, 5, 1, 2)};
        for (ConvGeometry g : gs) {
            int n = 3;
            float[] x = random(r, n * g.inC() * g.inH() * g.inW());
            float[] w = random(r, g.outC() * g.colRows());
            float[] bias = random(r, g.outC());
            float[] gy = random(r, n * g.outC() * g.colCols());
            int[] xs = g.inputShape(n);
            int[] ys = g.outputShape(n);
            float[][] o = both(new float[][] {x, w, bias, new float[gy.length]}, new int[][] {xs, g.weightShape(),
                {g.outC()}, ys}, 3, (b, t) -> b.conv2dForward(t[0], t[1], t[2], t[3], g));
            close(o[0], o[1], TOL, "conv forward " + g);
            o = both(new float[][] {gy, w, new float[x.length]}, new int[][] {ys, g.weightShape(), xs}, 2,
                (b, t) -> b.conv2dBackwardData(t[0], t[1], t[2], g));
            close(o[0], o[1], TOL, "conv backward data " + g);
            float[] gw0 = random(r, w.length);
            o = both(new float[][] {x, gy, gw0, bias}, new int[][] {xs, ys, g.weightShape(), {g.outC()}}, 2,
                (b, t) -> b.conv2dBackwardWeights(t[0], t[1], t[2], t[3], g));
            close(o[0], o[1], TOL, "conv backward weights " + g);
            o = both(new float[][] {x, gy, gw0, bias}, new int[][] {xs, ys, g.weightShape(), {g.outC()}}, 3,
                (b, t) -> b.conv2dBackwardWeights(t[0], t[1], t[2], t[3], g));
            close(o[0], o[1], TOL, "conv bias gradient " + g);
            o = both(new float[][] {x, new float[g.colRows() * g.colCols()]}, new int[][] {xs, {g.colRows(), g.colCols()}},
                1, (b, t) -> b.im2col(t[0], 2, g, t[1]));
            assertArrayEquals(o[0], o[1], "im2col is data movement: exact");
            float[] col = random(r, g.colRows() * g.colCols());
            o = both(new float[][] {col, x}, new int[][] {{g.colRows(), g.colCols()}, xs}, 1,
                (b, t) -> b.col2im(t[0], g, t[1], 1));
            close(o[0], o[1], 1e-6, "col2im accumulates");
        }
    }

    @Test
    void elementwiseBiasAndOptimiserMatch() {
        SplittableRandom r = new SplittableRandom(3);
        int n = 1000;
        float[] a = random(r, n);
        float[] b = random(r, n);
        float[] c = random(r, n);
        float[][] o = both(new float[][] {a, new float[n]}, new int[][] {{n}, {n}}, 1, (bk, t) -> bk.reluForward(t[0], t[1]));
        assertArrayEquals(o[0], o[1]);
        o = both(new float[][] {a, b, new float[n]}, new int[][] {{n}, {n}, {n}}, 2, (bk, t) -> bk.reluBackward(t[0], t[1], t[2]));
        assertArrayEquals(o[0], o[1]);
        o = both(new float[][] {a, new float[n]}, new int[][] {{n}, {n}}, 1, (bk, t) -> bk.scale(t[0], -0.3f, t[1]));
        close(o[0], o[1], 1e-7, "scale");
        o = both(new float[][] {a, b}, new int[][] {{n}, {n}}, 1, (bk, t) -> bk.axpy(0.7f, t[0], t[1]));
        close(o[0], o[1], 1e-6, "axpy");
        o = both(new float[][] {a, b, new float[n]}, new int[][] {{n}, {n}, {n}}, 2, (bk, t) -> bk.mul(t[0], t[1], t[2]));
        close(o[0], o[1], 1e-7, "mul");
        o = both(new float[][] {a, random(r, 10)}, new int[][] {{4, 10, 25}, {10}}, 0, (bk, t) -> bk.biasAdd(t[0], t[1]));
        close(o[0], o[1], 1e-7, "biasAdd");
        o = both(new float[][] {a, random(r, 10)}, new int[][] {{4, 10, 25}, {10}}, 1, (bk, t) -> bk.biasGrad(t[0], t[1]));
        close(o[0], o[1], TOL, "biasGrad");
        for (boolean nesterov : new boolean[] {false, true}) {
            for (int out : new int[] {0, 2}) {
                o = both(new float[][] {a, b, c}, new int[][] {{n}, {n}, {n}}, out,
                    (bk, t) -> bk.sgdUpdate(t[0], t[1], t[2], 0.01f, 0.9f, 5e-4f, nesterov));
                close(o[0], o[1], 1e-6, "sgd");
            }
        }
        for (float p : new float[] {0f, 0.5f}) {
            for (int out : new int[] {1, 2}) {
                o = both(new float[][] {a, new float[n], new float[n]}, new int[][] {{n}, {n}, {n}}, out,
                    (bk, t) -> bk.dropoutForward(t[0], t[1], t[2], p, 987654321L));
                assertArrayEquals(o[0], o[1], "dropout: the same counter-based mask on both backends");
            }
        }
        Tensor x = cl.fromHost(a, n);
        assertEquals(CPU.sum(CPU.fromHost(a, n)), cl.sum(x), 1e-4);
        Tensor copy = cl.zeros(n);
        cl.copy(x, 10, copy, 5, 100);
        float[] got = copy.toHost();
        assertArrayEquals(java.util.Arrays.copyOfRange(a, 10, 110), java.util.Arrays.copyOfRange(got, 5, 105));
        cl.fill(copy, 2.5f);
        assertEquals(2.5f, copy.toHost()[n - 1]);
    }

    @Test
    void poolingLrnAndLossMatch() {
        SplittableRandom r = new SplittableRandom(4);
        PoolGeometry[] gs = {PoolGeometry.square(3, 8, 8, 2, 2), new PoolGeometry(2, 7, 7, 3, 3, 2, 2, 1, 1),
            new PoolGeometry(2, 5, 6, 2, 2, 1, 1, 0, 0)};
        for (PoolGeometry g : gs) {
            int n = 2;
            int[] xs = g.inputShape(n);
            int[] ys = g.outputShape(n);
            int inLen = (int) Tensor.sizeOf(xs);
            int outLen = (int) Tensor.sizeOf(ys);
            float[] x = random(r, inLen);
            for (int out : new int[] {1, 2}) {
                float[][] o = both(new float[][] {x, new float[outLen], new float[outLen]}, new int[][] {xs, ys, ys}, out,
                    (b, t) -> b.maxPoolForward(t[0], t[1], t[2], g));
                assertArrayEquals(o[0], o[1], "max pool " + g);
            }
            float[] gy = random(r, outLen);
            float[][] o = both(new float[][] {x, new float[outLen], new float[outLen], gy, new float[inLen]},
                new int[][] {xs, ys, ys, ys, xs}, 4, (b, t) -> {
                    b.maxPoolForward(t[0], t[1], t[2], g);
                    b.maxPoolBackward(t[3], t[2], t[4], g);
                });
            close(o[0], o[1], 1e-6, "max pool backward " + g);
            o = both(new float[][] {x, new float[outLen]}, new int[][] {xs, ys}, 1, (b, t) -> b.avgPoolForward(t[0], t[1], g));
            close(o[0], o[1], 1e-6, "avg pool " + g);
            o = both(new float[][] {gy, new float[inLen]}, new int[][] {ys, xs}, 1, (b, t) -> b.avgPoolBackward(t[0], t[1], g));
            close(o[0], o[1], 1e-6, "avg pool backward " + g);
        }
        LrnParams p = LrnParams.paper();
        int[] s = {2, 7, 3, 3};
        int len = 2 * 7 * 9;
        float[] x = random(r, len);
        float[] gy = random(r, len);
        for (int out : new int[] {1, 2, 5}) {
            float[][] o = both(new float[][] {x, new float[len], new float[len], gy, new float[len], new float[len]},
                new int[][] {s, s, s, s, s, s}, out, (b, t) -> {
                    b.lrnForward(t[0], t[1], t[2], p);
                    b.lrnBackward(t[0], t[1], t[2], t[3], t[5], p);
                });
            close(o[0], o[1], 1e-5, "lrn output " + out);
        }
        float[] logits = random(r, 6 * 10);
        float[] labels = {0, 9, 3, 3, 5, 1};
        for (int out : new int[] {2, 3, 4}) {
            float[][] o = both(new float[][] {logits, labels, new float[60], new float[6], new float[60]},
                new int[][] {{6, 10}, {6}, {6, 10}, {6}, {6, 10}}, out, (b, t) -> {
                    b.softmaxCrossEntropyForward(t[0], t[1], t[2], t[3]);
                    b.softmaxCrossEntropyBackward(t[2], t[1], 1f / 6, t[4]);
                });
            close(o[0], o[1], 1e-5, "softmax cross-entropy output " + out);
        }
        Tensor scores = cl.fromHost(logits, 6, 10);
        assertArrayEquals(CPU.topK(CPU.fromHost(logits, 6, 10), 3), cl.topK(scores, 3));
    }

    @Test
    void batchNormMatches() {
        SplittableRandom r = new SplittableRandom(21);
        int[][] shapes = {{5, 3}, {2, 5, 3, 3}, {3, 4, 17, 19}, {16, 2, 1, 1}};
        for (int[] shape : shapes) {
            int c = shape[1];
            int n = (int) Tensor.sizeOf(shape);
            String what = java.util.Arrays.toString(shape);
            float[] x = random(r, n);
            float[] dy = random(r, n);
            float[] gamma = random(r, c);
            float[] beta = random(r, c);
            float[] rv = new float[c];
            java.util.Arrays.fill(rv, 1.5f);
            int[][] shp = {shape, {c}, {c}, shape, {c}, {c}, {c}, {c}, shape, shape, {c}, {c}};
            float[][] in = {x, gamma, beta, new float[n], new float[c], new float[c], beta.clone(), rv, dy,
                new float[n], random(r, c), random(r, c)};
            for (int out : new int[] {3, 4, 5, 6, 7, 9, 10, 11}) {
                float[][] res = both(in, shp, out, (b, t) -> {
                    b.batchNormForwardTraining(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], 0.1f, 1e-5f);
                    b.batchNormBackward(t[0], t[8], t[1], t[4], t[5], t[9], t[10], t[11]);
                });
                close(res[0], res[1], TOL, what + " batch norm output " + out);
            }
            float[][] inf = both(new float[][] {x, gamma, beta, beta, rv, new float[n]},
                new int[][] {shape, {c}, {c}, {c}, {c}, shape}, 5,
                (b, t) -> b.batchNormForwardInference(t[0], t[1], t[2], t[3], t[4], 1e-5f, t[5]));
            close(inf[0], inf[1], TOL, what + " batch norm inference");
        }
    }
}
