package org.vgg4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgg4j.tensor.cpu.CpuOpsTest.close;
import static org.vgg4j.tensor.cpu.CpuOpsTest.distinct;
import static org.vgg4j.tensor.cpu.SgemmTest.random;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.PoolGeometry;
import org.vgg4j.tensor.Tensor;

/** Max and average pooling and LRN against double-precision references, as {@link CpuOpsTest}. */
class CpuPoolTest {
    static Stream<Arguments> backends() {
        return SgemmTest.backends();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void maxPool2x2KeepsTheFirstMaximumAndPropagatesNaN(CpuBackend cpu) {
        // planes of 4x5 (odd width: the last column is never read); windows: a tie (first wins),
        // a NaN after a larger value, a NaN before a larger value, all -infinity
        float inf = Float.NEGATIVE_INFINITY;
        float nan = Float.NaN;
        float[] x = {
            3, 3, 9, 1, 7,
            1, 2, nan, 0, 7,
            nan, 5, inf, inf, 7,
            8, 1, inf, inf, 7};
        PoolGeometry g = new PoolGeometry(1, 4, 5, 2, 2, 2, 2, 0, 0);
        Tensor y = cpu.zeros(g.outputShape(1));
        Tensor arg = cpu.zeros(g.outputShape(1));
        cpu.maxPoolForward(cpu.fromHost(x, 1, 1, 4, 5), y, arg, g);
        float[] got = y.toHost();
        assertEquals(3f, got[0]);
        assertTrue(Float.isNaN(got[1]));
        assertTrue(Float.isNaN(got[2]));
        assertEquals(inf, got[3]);
        assertArrayEquals(new float[] {0, 7, 10, 12}, arg.toHost());
    }

    /**
     * The whole-vector 2x2 path (maps whose rows fill or divide a vector) picks the same value and
     * index as the scalar scan, on values full of ties, NaNs and infinities, odd widths included.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void maxPool2x2OnWholeVectorMapsMatchesTheScalarScan(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(11);
        float[] pool = {0, 1, 2, -1, Float.NaN, Float.NEGATIVE_INFINITY, Float.POSITIVE_INFINITY, -0f};
        int[][] sizes = {{8, 8}, {9, 9}, {8, 9}, {16, 16}, {32, 32}, {33, 32}, {32, 65}, {4, 64}, {2, 32},
            // rows of at least a vector of outputs that the whole-plane gather cannot take: row by row, tails scalar
            {8, 36}, {6, 112}, {5, 41}};
        for (int[] hw : sizes) {
            PoolGeometry g = new PoolGeometry(3, hw[0], hw[1], 2, 2, 2, 2, 0, 0);
            int n = 2;
            float[] x = new float[n * 3 * hw[0] * hw[1]];
            for (int i = 0; i < x.length; i++) {
                x[i] = pool[r.nextInt(pool.length)];
            }
            Tensor y = cpu.zeros(g.outputShape(n));
            Tensor arg = cpu.zeros(g.outputShape(n));
            cpu.maxPoolForward(cpu.fromHost(x, g.inputShape(n)), y, arg, g);
            float[] wantY = new float[(int) y.size()];
            float[] wantArg = new float[(int) y.size()];
            CpuPool.maxForward(x, wantY, wantArg, n * 3, g);
            assertArrayEquals(wantArg, arg.toHost(), "argmax " + g);
            float[] got = y.toHost();
            for (int i = 0; i < got.length; i++) {
                assertEquals(Float.floatToIntBits(wantY[i]), Float.floatToIntBits(got[i]), "max " + i + " of " + g);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void maxPoolForwardAndBackwardMatchReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(5);
        for (int t = 0; t < 30; t++) {
            int k = 1 + r.nextInt(3);
            int pad = r.nextInt(k / 2 + 1);
            PoolGeometry g = new PoolGeometry(1 + r.nextInt(4), k + r.nextInt(9), k + r.nextInt(9), k, k,
                1 + r.nextInt(2), 1 + r.nextInt(2), pad, pad);
            int n = 1 + r.nextInt(3);
            int planes = n * g.channels();
            float[] x = distinct(r, planes * g.inH() * g.inW());
            Tensor y = cpu.zeros(g.outputShape(n));
            Tensor arg = cpu.zeros(g.outputShape(n));
            cpu.maxPoolForward(cpu.fromHost(x, g.inputShape(n)), y, arg, g);
            int[] wantArg = new int[(int) y.size()];
            double[] want = Reference.maxPool(x, planes, g, wantArg);
            close(want, y.toHost(), 0, "maxPool " + g);
            float[] a = arg.toHost();
            for (int i = 0; i < wantArg.length; i++) {
                assertEquals(wantArg[i], (int) a[i], "argmax");
            }
            float[] gy = random(r, (int) y.size());
            Tensor gx = cpu.fromHost(random(r, x.length), g.inputShape(n));
            cpu.maxPoolBackward(cpu.fromHost(gy, g.outputShape(n)), arg, gx, g);
            double[] wantGx = new double[x.length];
            int plane = g.outH() * g.outW();
            for (int i = 0; i < gy.length; i++) {
                wantGx[i / plane * g.inH() * g.inW() + wantArg[i]] += gy[i];
            }
            close(wantGx, gx.toHost(), 1e-6, "maxPoolBackward " + g);
        }
    }

    /**
     * 3x3 windows (ResNet's stride 2 padding 1, GoogLeNet's ceil mode) and others of 2 to 5, whose
     * inside windows go a vector of outputs at a time: values and argmax against the reference,
     * with ties (few distinct values: the first maximum must win), rows of several vectors and
     * less than one.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void maxPoolInsideWindowsKeepTheFirstMaximum(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(9);
        for (int t = 0; t < 40; t++) {
            int pad = r.nextInt(2);
            int stride = 1 + r.nextInt(3);
            // widths to 72: rows of whole vectors of inside windows (16 lanes at stride 3 need 50 columns)
            int k = t % 4 == 3 ? 2 + r.nextInt(4) : 3;
            PoolGeometry g = new PoolGeometry(1 + r.nextInt(3), k + r.nextInt(10), k + r.nextInt(70), k, k, stride,
                stride, Math.min(pad, k / 2), Math.min(pad, k / 2), t % 3 == 0);
            int n = 1 + r.nextInt(2);
            int planes = n * g.channels();
            float[] x = new float[planes * g.inH() * g.inW()];
            for (int i = 0; i < x.length; i++) {
                x[i] = r.nextInt(4);
            }
            Tensor y = cpu.zeros(g.outputShape(n));
            Tensor arg = cpu.zeros(g.outputShape(n));
            cpu.maxPoolForward(cpu.fromHost(x, g.inputShape(n)), y, arg, g);
            int[] wantArg = new int[(int) y.size()];
            close(Reference.maxPool(x, planes, g, wantArg), y.toHost(), 0, "maxPool " + g);
            float[] a = arg.toHost();
            for (int i = 0; i < wantArg.length; i++) {
                assertEquals(wantArg[i], (int) a[i], "argmax " + i + " of " + g);
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void avgPoolForwardAndBackwardMatchReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(6);
        for (int t = 0; t < 30; t++) {
            int k = 1 + r.nextInt(4);
            int pad = r.nextInt(k / 2 + 1);
            PoolGeometry g = new PoolGeometry(1 + r.nextInt(4), k + r.nextInt(7), k + r.nextInt(7), k, k,
                1 + r.nextInt(3), 1 + r.nextInt(3), pad, pad);
            int n = 1 + r.nextInt(3);
            int planes = n * g.channels();
            float[] x = random(r, planes * g.inH() * g.inW());
            Tensor y = cpu.zeros(g.outputShape(n));
            cpu.avgPoolForward(cpu.fromHost(x, g.inputShape(n)), y, g);
            close(Reference.avgPool(x, planes, g), y.toHost(), 1e-5, "avgPool " + g);
            // backward is the adjoint: <avg(x), gy> = <x, avgBackward(gy)>
            float[] gy = random(r, (int) y.size());
            Tensor gx = cpu.zeros(g.inputShape(n));
            cpu.avgPoolBackward(cpu.fromHost(gy, g.outputShape(n)), gx, g);
            double[] fwd = Reference.avgPool(x, planes, g);
            double lhs = 0;
            double rhs = 0;
            float[] b = gx.toHost();
            for (int i = 0; i < gy.length; i++) {
                lhs += fwd[i] * gy[i];
            }
            for (int i = 0; i < x.length; i++) {
                rhs += (double) x[i] * b[i];
            }
            assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), "avgPool adjoint " + g);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void lrnForwardAndBackwardMatchReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(7);
        for (int t = 0; t < 12; t++) {
            int size = 1 + r.nextInt(6);
            LrnParams p = t == 0 ? LrnParams.paper() : new LrnParams(size, (float) r.nextDouble(0.1, 2),
                (float) r.nextDouble(0.3, 1), (float) r.nextDouble(0.5, 2));
            int n = 1 + r.nextInt(2);
            int c = 1 + r.nextInt(8);
            int s = 1 + r.nextInt(10);
            float[] x = random(r, n * c * s);
            for (int i = 0; i < x.length; i++) {
                x[i] *= 3; // make the normaliser matter
            }
            Tensor tx = cpu.fromHost(x, n, c, s, 1);
            Tensor y = cpu.zeros(n, c, s, 1);
            Tensor scale = cpu.zeros(n, c, s, 1);
            cpu.lrnForward(tx, y, scale, p);
            close(Reference.lrn(x, n, c, s, p), y.toHost(), 1e-5, "lrn " + p);
            // backward against central differences of <lrn(x), gy> in double
            float[] gy = random(r, x.length);
            Tensor gx = cpu.zeros(n, c, s, 1);
            cpu.lrnBackward(tx, y, scale, cpu.fromHost(gy, n, c, s, 1), gx, p);
            double[] want = new double[x.length];
            double[] xd = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                xd[i] = x[i];
            }
            double h = 1e-6;
            for (int i = 0; i < x.length; i++) {
                xd[i] = x[i] + h;
                double up = dot(Reference.lrn(xd, n, c, s, p), gy);
                xd[i] = x[i] - h;
                double down = dot(Reference.lrn(xd, n, c, s, p), gy);
                xd[i] = x[i];
                want[i] = (up - down) / (2 * h);
            }
            close(want, gx.toHost(), 1e-4, "lrnBackward " + p);
        }
    }

    static double dot(double[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }
}
