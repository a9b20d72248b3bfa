package org.vgg4j.tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.BiConsumer;

/**
 * Every op of a backend against a reference backend (the CPU's) on random and odd shapes, the
 * worst error per op: what {@code vgg4j devices --check} prints for each OpenCL device, and what the
 * OpenCL parity test asserts. Errors are relative, {@code |dev - ref| / (1 + |ref|)}; data
 * movement (im2col, pooling's argmax, ReLU, dropout masks, copies, top-k) must match exactly,
 * arithmetic within the op's tolerance (sums of up to a few hundred products in another order).
 */
public final class BackendCheck {
    private BackendCheck() {}

    /** One op's worst error over all the shapes it ran on, against its tolerance (0: must be exact). */
    public record Result(String op, double worst, double tolerance, int cases) {
        public boolean ok() {
            return worst <= tolerance;
        }

        @Override
        public String toString() {
            return String.format(java.util.Locale.ROOT, "%-28s worst %.2e  %-20s %3d cases  %s", op, worst,
                tolerance == 0 ? "(must be exact)" : String.format(java.util.Locale.ROOT, "(tolerance %.0e)", tolerance),
                cases, ok() ? "ok" : "WRONG");
        }
    }

    private static final class Run {
        final Backend ref;
        final Backend dev;
        final Map<String, double[]> worst = new LinkedHashMap<>(); // op -> {worst, tolerance, cases}

        Run(Backend ref, Backend dev) {
            this.ref = ref;
            this.dev = dev;
        }

        /** Runs op on both backends with copies of the same inputs; records output outIndex's error. */
        void both(String op, double tol, float[][] inputs, int[][] shapes, int outIndex, BiConsumer<Backend, Tensor[]> body) {
            float[][] out = new float[2][];
            Backend[] bs = {ref, dev};
            for (int b = 0; b < 2; b++) {
                Tensor[] t = new Tensor[inputs.length];
                try {
                    for (int i = 0; i < inputs.length; i++) {
                        t[i] = bs[b].fromHost(inputs[i], shapes[i]);
                    }
                    body.accept(bs[b], t);
                    out[b] = t[outIndex].toHost();
                } finally {
                    for (Tensor x : t) {
                        if (x != null) {
                            x.close();
                        }
                    }
                }
            }
            record(op, tol, out[0], out[1]);
        }

        void record(String op, double tol, float[] want, float[] got) {
            double w = 0;
            if (want.length != got.length) {
                w = Double.POSITIVE_INFINITY;
            } else {
                for (int i = 0; i < want.length; i++) {
                    double e = Math.abs((double) got[i] - want[i]) / (1 + Math.abs(want[i]));
                    if (!(e <= w)) { // NaN counts as the worst
                        w = Double.isNaN(e) ? Double.POSITIVE_INFINITY : e;
                    }
                }
            }
            double[] s = worst.computeIfAbsent(op, k -> new double[] {0, tol, 0});
            s[0] = Math.max(s[0], w);
            s[1] = Math.max(s[1], tol);
            s[2]++;
        }

        List<Result> results() {
            List<Result> r = new ArrayList<>();
            worst.forEach((op, s) -> r.add(new Result(op, s[0], s[1], (int) s[2])));
            return r;
        }
    }

    static float[] random(SplittableRandom r, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }

    /** Runs every op on both backends (seeded) and returns the worst error of each, in a fixed order. */
    public static List<Result> run(Backend reference, Backend device, long seed) {
        Run run = new Run(reference, device);
        SplittableRandom r = new SplittableRandom(seed);
        gemm(run, r);
        convolution(run, r);
        elementwise(run, r);
        pooling(run, r);
        lrnAndLoss(run, r);
        batchNorm(run, r);
        return run.results();
    }

    private static void gemm(Run run, SplittableRandom r) {
        int[] sizes = {1, 3, 17, 33, 64, 100};
        for (int t = 0; t < 24; t++) {
            int m = sizes[r.nextInt(sizes.length)];
            int n = sizes[r.nextInt(sizes.length)];
            int k = sizes[r.nextInt(sizes.length)];
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            float beta = t % 3 == 0 ? 0f : 0.5f;
            run.both("gemm", 1e-3, new float[][] {random(r, m * k), random(r, k * n), random(r, m * n)},
                new int[][] {{m * k}, {k * n}, {m, n}}, 2,
                (b, x) -> b.gemm(ta, tb, m, n, k, 1.5f, x[0], 0, ta ? m : k, x[1], 0, tb ? k : n, beta, x[2], 0, n));
        }
    }

    private static void convolution(Run run, SplittableRandom r) {
        double tol = 1e-4;
        ConvGeometry[] gs = {ConvGeometry.square(3, 7, 9, 4, 3, 1, 1), ConvGeometry.square(2, 6, 6, 3, 3, 2, 0),
            ConvGeometry.square(5, 4, 4, 6, 1, 1, 0), ConvGeometry.square(1, 8, 8, 2, 5, 1, 2),
            ConvGeometry.square(16, 10, 10, 16, 3, 1, 1), ConvGeometry.square(16, 5, 37, 16, 3, 1, 1),
            // ResNet's stride-2 3x3 and 7x7 stem with padding, AlexNet's 11x11 stride 4, a rectangular one
            ConvGeometry.square(4, 9, 8, 5, 3, 2, 1), ConvGeometry.square(3, 13, 12, 4, 7, 2, 3),
            ConvGeometry.square(3, 23, 23, 4, 11, 4, 2), new ConvGeometry(3, 9, 10, 4, 3, 5, 2, 1, 1, 2)};
        for (ConvGeometry g : gs) {
            int n = 3;
            float[] x = random(r, n * g.inC() * g.inH() * g.inW());
            float[] w = random(r, g.outC() * g.colRows());
            float[] bias = random(r, g.outC());
            float[] gy = random(r, n * g.outC() * g.colCols());
            int[] xs = g.inputShape(n);
            int[] ys = g.outputShape(n);
            run.both("conv2dForward", tol, new float[][] {x, w, bias, new float[gy.length]},
                new int[][] {xs, g.weightShape(), {g.outC()}, ys}, 3, (b, t) -> b.conv2dForward(t[0], t[1], t[2], t[3], g));
            run.both("conv2dForwardRelu", tol, new float[][] {x, w, bias, new float[gy.length]},
                new int[][] {xs, g.weightShape(), {g.outC()}, ys}, 3, (b, t) -> b.conv2dForwardRelu(t[0], t[1], t[2], t[3], g));
            run.both("conv2dBackwardData", tol, new float[][] {gy, w, new float[x.length]},
                new int[][] {ys, g.weightShape(), xs}, 2, (b, t) -> b.conv2dBackwardData(t[0], t[1], t[2], g));
            float[] gw0 = random(r, w.length);
            for (int out : new int[] {2, 3}) {
                run.both("conv2dBackwardWeights", tol, new float[][] {x, gy, gw0, bias},
                    new int[][] {xs, ys, g.weightShape(), {g.outC()}}, out,
                    (b, t) -> b.conv2dBackwardWeights(t[0], t[1], t[2], t[3], g));
            }
            for (int out : new int[] {3, 4}) {
                run.both("conv2dBackward", tol, new float[][] {x, gy, w, new float[x.length], gw0, bias},
                    new int[][] {xs, ys, g.weightShape(), xs, g.weightShape(), {g.outC()}}, out,
                    (b, t) -> b.conv2dBackward(t[0], t[1], t[2], t[3], t[4], t[5], g));
            }
            run.both("im2col", 0, new float[][] {x, new float[g.colRows() * g.colCols()]},
                new int[][] {xs, {g.colRows(), g.colCols()}}, 1, (b, t) -> b.im2col(t[0], 2, g, t[1]));
            float[] col = random(r, g.colRows() * g.colCols());
            run.both("col2im", 1e-6, new float[][] {col, x}, new int[][] {{g.colRows(), g.colCols()}, xs}, 1,
                (b, t) -> b.col2im(t[0], g, t[1], 1));
        }
    }

    private static void elementwise(Run run, SplittableRandom r) {
        int n = 1000;
        float[] a = random(r, n);
        float[] b = random(r, n);
        float[] c = random(r, n);
        run.both("reluForward", 0, new float[][] {a, new float[n]}, new int[][] {{n}, {n}}, 1,
            (bk, t) -> bk.reluForward(t[0], t[1]));
        run.both("reluBackward", 0, new float[][] {a, b, new float[n]}, new int[][] {{n}, {n}, {n}}, 2,
            (bk, t) -> bk.reluBackward(t[0], t[1], t[2]));
        run.both("scale", 1e-7, new float[][] {a, new float[n]}, new int[][] {{n}, {n}}, 1, (bk, t) -> bk.scale(t[0], -0.3f, t[1]));
        run.both("axpy", 1e-6, new float[][] {a, b}, new int[][] {{n}, {n}}, 1, (bk, t) -> bk.axpy(0.7f, t[0], t[1]));
        run.both("add", 1e-7, new float[][] {a, b, new float[n]}, new int[][] {{n}, {n}, {n}}, 2, (bk, t) -> bk.add(t[0], t[1], t[2]));
        run.both("mul", 1e-7, new float[][] {a, b, new float[n]}, new int[][] {{n}, {n}, {n}}, 2, (bk, t) -> bk.mul(t[0], t[1], t[2]));
        run.both("biasAdd", 1e-7, new float[][] {a, random(r, 10)}, new int[][] {{4, 10, 25}, {10}}, 0,
            (bk, t) -> bk.biasAdd(t[0], t[1]));
        run.both("biasGrad", 1e-4, new float[][] {a, random(r, 10)}, new int[][] {{4, 10, 25}, {10}}, 1,
            (bk, t) -> bk.biasGrad(t[0], t[1]));
        for (boolean nesterov : new boolean[] {false, true}) {
            for (int out : new int[] {0, 2}) {
                run.both("sgdUpdate", 1e-6, new float[][] {a, b, c}, new int[][] {{n}, {n}, {n}}, out,
                    (bk, t) -> bk.sgdUpdate(t[0], t[1], t[2], 0.01f, 0.9f, 5e-4f, nesterov));
            }
        }
        for (float p : new float[] {0f, 0.5f}) {
            for (int out : new int[] {1, 2}) {
                run.both("dropoutForward", 0, new float[][] {a, new float[n], new float[n]}, new int[][] {{n}, {n}, {n}}, out,
                    (bk, t) -> bk.dropoutForward(t[0], t[1], t[2], p, 987654321L));
            }
        }
        double[] sums = new double[2];
        Backend[] bs = {run.ref, run.dev};
        for (int i = 0; i < 2; i++) {
            try (Tensor x = bs[i].fromHost(a, n)) {
                sums[i] = bs[i].sum(x);
            }
        }
        run.record("sum", 1e-5, new float[] {(float) sums[0]}, new float[] {(float) sums[1]});
        run.both("copy", 0, new float[][] {a, new float[n]}, new int[][] {{n}, {n}}, 1, (bk, t) -> bk.copy(t[0], 10, t[1], 5, 100));
        run.both("fill", 0, new float[][] {a}, new int[][] {{n}}, 0, (bk, t) -> bk.fill(t[0], 2.5f));
    }

    private static void pooling(Run run, SplittableRandom r) {
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
                run.both("maxPoolForward", 0, new float[][] {x, new float[outLen], new float[outLen]}, new int[][] {xs, ys, ys},
                    out, (b, t) -> b.maxPoolForward(t[0], t[1], t[2], g));
            }
            float[] gy = random(r, outLen);
            run.both("maxPoolBackward", 1e-6, new float[][] {x, new float[outLen], new float[outLen], gy, new float[inLen]},
                new int[][] {xs, ys, ys, ys, xs}, 4, (b, t) -> {
                    b.maxPoolForward(t[0], t[1], t[2], g);
                    b.maxPoolBackward(t[3], t[2], t[4], g);
                });
            run.both("avgPoolForward", 1e-6, new float[][] {x, new float[outLen]}, new int[][] {xs, ys}, 1,
                (b, t) -> b.avgPoolForward(t[0], t[1], g));
            run.both("avgPoolBackward", 1e-6, new float[][] {gy, new float[inLen]}, new int[][] {ys, xs}, 1,
                (b, t) -> b.avgPoolBackward(t[0], t[1], g));
        }
    }

    private static void lrnAndLoss(Run run, SplittableRandom r) {
        LrnParams p = LrnParams.paper();
        int[] s = {2, 7, 3, 3};
        int len = 2 * 7 * 9;
        float[] x = random(r, len);
        float[] gy = random(r, len);
        for (int out : new int[] {1, 2, 5}) {
            run.both(out == 5 ? "lrnBackward" : "lrnForward", 1e-5,
                new float[][] {x, new float[len], new float[len], gy, new float[len], new float[len]},
                new int[][] {s, s, s, s, s, s}, out, (b, t) -> {
                    b.lrnForward(t[0], t[1], t[2], p);
                    b.lrnBackward(t[0], t[1], t[2], t[3], t[5], p);
                });
        }
        float[] logits = random(r, 6 * 10);
        float[] labels = {0, 9, 3, 3, 5, 1};
        for (int out : new int[] {2, 3, 4}) {
            run.both(out == 4 ? "softmaxCrossEntropyBackward" : "softmaxCrossEntropyForward", 1e-5,
                new float[][] {logits, labels, new float[60], new float[6], new float[60]},
                new int[][] {{6, 10}, {6}, {6, 10}, {6}, {6, 10}}, out, (b, t) -> {
                    b.softmaxCrossEntropyForward(t[0], t[1], t[2], t[3]);
                    b.softmaxCrossEntropyBackward(t[2], t[1], 1f / 6, t[4]);
                });
        }
        int[][] top = new int[2][];
        Backend[] bs = {run.ref, run.dev};
        for (int i = 0; i < 2; i++) {
            try (Tensor scores = bs[i].fromHost(logits, 6, 10)) {
                top[i] = bs[i].topK(scores, 3);
            }
        }
        float[][] asFloat = new float[2][top[0].length];
        for (int i = 0; i < top[0].length; i++) {
            asFloat[0][i] = top[0][i];
            asFloat[1][i] = i < top[1].length ? top[1][i] : -1;
        }
        run.record("topK", 0, asFloat[0], asFloat[1]);
    }

    private static void batchNorm(Run run, SplittableRandom r) {
        int[][] shapes = {{5, 3}, {2, 5, 3, 3}, {3, 4, 17, 19}, {16, 2, 1, 1}};
        for (int[] shape : shapes) {
            int c = shape[1];
            int n = (int) Tensor.sizeOf(shape);
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
                run.both(out >= 9 ? "batchNormBackward" : "batchNormForwardTraining", 1e-4, in, shp, out, (b, t) -> {
                    b.batchNormForwardTraining(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], 0.1f, 1e-5f);
                    b.batchNormBackward(t[0], t[8], t[1], t[4], t[5], t[9], t[10], t[11]);
                });
            }
            run.both("batchNormForwardInference", 1e-4, new float[][] {x, gamma, beta, beta, rv, new float[n]},
                new int[][] {shape, {c}, {c}, {c}, {c}, shape}, 5,
                (b, t) -> b.batchNormForwardInference(t[0], t[1], t[2], t[3], t[4], 1e-5f, t[5]));
            // with a ReLU after it: the output, statistics and gradients
            for (int out : new int[] {3, 4, 5, 9, 10, 11}) {
                run.both(out >= 9 ? "batchNormReluBackward" : "batchNormReluForwardTraining", 1e-4, in, shp, out,
                    (b, t) -> {
                        b.batchNormReluForwardTraining(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], 0.1f, 1e-5f);
                        b.batchNormReluBackward(t[0], t[3], t[8], t[1], t[2], t[4], t[5], t[9], t[10], t[11]);
                    });
            }
            // the input gradient written over the output, as BatchNorm2d does
            run.both("batchNormReluBackward", 1e-4, in, shp, 3, (b, t) -> {
                b.batchNormReluForwardTraining(t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7], 0.1f, 1e-5f);
                b.batchNormReluBackward(t[0], t[3], t[8], t[1], t[2], t[4], t[5], t[3], t[10], t[11]);
            });
            run.both("batchNormReluForwardInference", 1e-4, new float[][] {x, gamma, beta, beta, rv, new float[n]},
                new int[][] {shape, {c}, {c}, {c}, {c}, shape}, 5,
                (b, t) -> b.batchNormReluForwardInference(t[0], t[1], t[2], t[3], t[4], 1e-5f, t[5]));
        }
    }
}
