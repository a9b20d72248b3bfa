package org.vgg4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.vgg4j.tensor.cpu.CpuOpsTest.close;
import static org.vgg4j.tensor.cpu.SgemmTest.random;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.Tensor;

/**
 * CPU convolution against double-precision references: im2col + GEMM (batched, banded, strided),
 * Winograd F(2x2, 3x3) and its filter cache, im2col/col2im adjointness, on the Vector API path and
 * the scalar path. Tolerance {@code |got - want| <= 1e-4 * (1 + |want|)} unless a test says otherwise.
 */
class CpuConvTest {

    static Stream<Arguments> backends() {
        return SgemmTest.backends();
    }

    static ConvGeometry randomConv(SplittableRandom r) {
        int k = new int[] {1, 1, 2, 3, 3, 5}[r.nextInt(6)];
        int stride = 1 + r.nextInt(2);
        int pad = r.nextInt(Math.min(k, 3));
        int h = k + r.nextInt(9);
        int w = k + r.nextInt(9);
        return ConvGeometry.square(1 + r.nextInt(5), h, w, 1 + r.nextInt(6), k, stride, pad);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void conv2dForwardMatchesDirectConvolution(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(1);
        for (int t = 0; t < 40; t++) {
            ConvGeometry g = randomConv(r);
            int n = 1 + r.nextInt(4);
            float[] x = random(r, n * g.inC() * g.inH() * g.inW());
            float[] w = random(r, g.outC() * g.colRows());
            float[] b = t % 3 == 0 ? null : random(r, g.outC());
            Tensor y = cpu.zeros(g.outputShape(n));
            cpu.conv2dForward(cpu.fromHost(x, g.inputShape(n)), cpu.fromHost(w, g.weightShape()),
                b == null ? null : cpu.fromHost(b, g.outC()), y, g);
            close(Reference.conv(x, w, b, n, g), y.toHost(), 1e-4, "conv " + g + " n=" + n);
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void conv2dBackwardMatchesAdjointAndWeightGradient(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(2);
        for (int t = 0; t < 40; t++) {
            ConvGeometry g = randomConv(r);
            int n = 1 + r.nextInt(4);
            float[] x = random(r, n * g.inC() * g.inH() * g.inW());
            float[] w = random(r, g.outC() * g.colRows());
            float[] gy = random(r, n * g.outC() * g.colCols());
            float[] gw0 = random(r, w.length);
            float[] gb0 = random(r, g.outC());
            Tensor gx = cpu.fromHost(random(r, x.length), g.inputShape(n)); // overwritten
            Tensor tgy = cpu.fromHost(gy, g.outputShape(n));
            cpu.conv2dBackwardData(tgy, cpu.fromHost(w, g.weightShape()), gx, g);
            close(Reference.convBackwardData(gy, w, n, g), gx.toHost(), 1e-4, "backwardData " + g);

            Tensor gw = cpu.fromHost(gw0, g.weightShape());
            Tensor gb = cpu.fromHost(gb0, g.outC());
            cpu.conv2dBackwardWeights(cpu.fromHost(x, g.inputShape(n)), tgy, gw, gb, g);
            double[] wantW = Reference.convBackwardWeights(x, gy, n, g);
            for (int i = 0; i < wantW.length; i++) {
                wantW[i] += gw0[i]; // accumulates
            }
            close(wantW, gw.toHost(), 1e-4, "backwardWeights " + g);
            double[] wantB = new double[g.outC()];
            for (int i = 0; i < gy.length; i++) {
                wantB[(i / g.colCols()) % g.outC()] += gy[i];
            }
            for (int o = 0; o < wantB.length; o++) {
                wantB[o] += gb0[o];
            }
            close(wantB, gb.toHost(), 1e-4, "bias gradient " + g);
        }
    }

    /**
     * Convolutions large enough for the vector GEMM's batched path (images' products written in
     * place, no copies side by side): pointwise at 7x7 and 14x14, a strided 1x1 and 3x3 and a 7x7
     * stride 2 through im2col, and maps large enough for the weight gradient's in-place dot
     * products (24x24 pointwise, 25x25 3x3), stride 2 over rows of whole vectors (7x7 and 3x3),
     * and maps that go in bands of output rows (70x70 7x7 stride 2, 70x71 5x5), at batch 3, forward and both gradients against the reference.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void batchedConvolutionPathsMatchTheReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(37);
        int n = 3;
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.square(40, 7, 7, 72, 1, 1, 0),
            ConvGeometry.square(24, 14, 14, 20, 1, 1, 0), ConvGeometry.square(32, 14, 14, 48, 1, 2, 0),
            ConvGeometry.square(20, 15, 15, 24, 3, 2, 1), ConvGeometry.square(3, 23, 23, 16, 7, 2, 3),
            ConvGeometry.square(16, 24, 24, 20, 1, 1, 0), ConvGeometry.square(3, 25, 25, 8, 3, 1, 1),
            ConvGeometry.square(3, 40, 40, 16, 7, 2, 3), ConvGeometry.square(8, 36, 37, 16, 3, 2, 1),
            // one image's im2col past the chunk target: bands of output rows (6 and 8 of them, the last short)
            ConvGeometry.square(3, 140, 139, 8, 7, 2, 3), ConvGeometry.square(8, 70, 71, 12, 5, 1, 2)}) {
            if (g.colCols() > 4096) {
                assertTrue(CpuConv.banded(g) && CpuConv.bandRows(g) < g.outH(), g.toString());
            }
            float[] x = random(r, n * g.inC() * g.inH() * g.inW());
            float[] w = random(r, g.outC() * g.colRows());
            Tensor y = cpu.fromHost(random(r, n * g.outC() * g.colCols()), g.outputShape(n)); // overwritten
            cpu.conv2dForward(cpu.fromHost(x, g.inputShape(n)), cpu.fromHost(w, g.weightShape()), null, y, g);
            close(Reference.conv(x, w, null, n, g), y.toHost(), 1e-4, "forward " + g);
            float[] gy = random(r, n * g.outC() * g.colCols());
            Tensor gx = cpu.fromHost(random(r, x.length), g.inputShape(n)); // overwritten
            Tensor gw = cpu.zeros(g.weightShape());
            cpu.conv2dBackward(cpu.fromHost(x, g.inputShape(n)), cpu.fromHost(gy, g.outputShape(n)),
                cpu.fromHost(w, g.weightShape()), gx, gw, null, g);
            close(Reference.convBackwardData(gy, w, n, g), gx.toHost(), 1e-4, "backwardData " + g);
            // a weight gradient over the banded maps sums 14,700 products of values in [-1, 1) in
            // float: the old paths are off by up to 2e-4 there too
            double tolW = (long) n * g.colCols() > 10_000 ? 1e-3 : 1e-4;
            close(Reference.convBackwardWeights(x, gy, n, g), gw.toHost(), tolW, "backwardWeights " + g);
        }
    }

    /**
     * Winograd F(2x2, 3x3): forward, input gradient and weight gradient against the double
     * references, for odd and even sizes, paddings 0 to 2, and chunks of a few tiles (so a batch
     * spans several chunks and the weight gradient accumulates across them).
     */
    @ParameterizedTest
    @MethodSource("backends")
    void winogradMatchesDirectConvolutionAndItsGradients(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(11);
        Sgemm sgemm = cpu.isVectorized() ? VectorKernels.sgemm() : new ScalarSgemm();
        for (int t = 0; t < 24; t++) {
            int pad = t % 3;
            int h = Math.max(3 - 2 * pad, 1) + r.nextInt(8);
            int w = Math.max(3 - 2 * pad, 1) + r.nextInt(8);
            ConvGeometry g = ConvGeometry.square(16 + r.nextInt(20), h, w, 16 + r.nextInt(20), 3, 1, pad);
            assertTrue(CpuWinograd.applies(g), "geometry " + g + " goes through Winograd");
            int n = 1 + r.nextInt(4);
            // even t: default chunks and bands; t % 4 == 1: chunks of a few tiles, no bands; t % 4 == 3:
            // bands of one tile row (several per image, the last one short)
            CpuWinograd wg = new CpuWinograd(sgemm, cpu.isVectorized(), t % 2 == 0 ? 2048 : 1 + r.nextInt(12),
                t % 4 == 1 ? 0 : t % 4 == 3 ? 1 : 768 << 10);
            assertEquals(cpu.isVectorized() && t % 4 != 1, wg.fuses(g, n), "bands for " + g);
            float[] x = random(r, n * g.inC() * g.inH() * g.inW());
            float[] wt = random(r, g.outC() * g.colRows());
            float[] b = random(r, g.outC());
            float[] y = random(r, n * g.outC() * g.colCols()); // overwritten
            wg.forward(x, wt, b, y, n, g);
            close(Reference.conv(x, wt, b, n, g), y, 1e-4, "winograd forward " + g + " n=" + n);

            float[] gy = random(r, y.length);
            float[] gx = random(r, x.length); // overwritten
            wg.backwardData(gy, wt, gx, n, g);
            close(Reference.convBackwardData(gy, wt, n, g), gx, 1e-4, "winograd backwardData " + g + " n=" + n);

            float[] gw0 = random(r, wt.length);
            float[] gw = gw0.clone();
            float[] gb = new float[g.outC()];
            wg.backwardWeights(x, gy, gw, gb, n, g);
            double[] wantW = Reference.convBackwardWeights(x, gy, n, g);
            for (int i = 0; i < wantW.length; i++) {
                wantW[i] += gw0[i];
            }
            close(wantW, gw, 1e-4, "winograd backwardWeights " + g + " n=" + n);

            // both gradients in one call (gradY transformed once), with and without the input gradient
            float[] gw2 = gw0.clone();
            float[] gb2 = new float[g.outC()];
            float[] gx2 = t % 8 == 1 || t % 8 == 3 ? null : random(r, x.length); // chunks, bands: without gradX
            wg.backward(x, gy, wt, gx2, gw2, gb2, n, g);
            close(wantW, gw2, 1e-4, "winograd fused weight gradient " + g + " n=" + n);
            assertArrayEquals(gb, gb2, "fused bias gradient");
            if (gx2 != null) {
                close(Reference.convBackwardData(gy, wt, n, g), gx2, 1e-4, "winograd fused input gradient " + g);
            }
        }
    }

    /**
     * Rows wider than a vector (whole vectors of output pixels written at once, then a tail) and
     * planes interleaved by gathers, against the reference.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void winogradWideRowsMatchTheReference(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(31);
        Sgemm sgemm = cpu.isVectorized() ? VectorKernels.sgemm() : new ScalarSgemm();
        // the third has planes large enough to be interleaved by gathers, forward and backward; the
        // last, output channels in whole GEMM panels (filters transformed straight into them)
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.square(16, 6, 37, 20, 3, 1, 1),
            ConvGeometry.square(17, 5, 34, 16, 3, 1, 0), ConvGeometry.square(16, 48, 49, 16, 3, 1, 1),
            ConvGeometry.square(24, 10, 9, 64, 3, 1, 1)}) {
            float[] x = random(r, 2 * g.inC() * g.inH() * g.inW());
            float[] wt = random(r, g.outC() * g.colRows());
            float[] b = random(r, g.outC());
            float[] y = new float[2 * g.outC() * g.colCols()];
            CpuWinograd wg = new CpuWinograd(sgemm, cpu.isVectorized());
            wg.forward(x, wt, b, y, 2, g);
            close(Reference.conv(x, wt, b, 2, g), y, 1e-4, "winograd forward " + g);
            float[] gy = random(r, y.length);
            float[] gx = new float[x.length];
            wg.backwardData(gy, wt, gx, 2, g);
            close(Reference.convBackwardData(gy, wt, 2, g), gx, 1e-4, "winograd backwardData " + g);
        }
    }

    /**
     * The forward's cache of transformed filters: repeated forwards give the uncached result bit for
     * bit, and any change of the weights in place (one element, a whole reload, an SGD step after a
     * backward) is seen by the next forward.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void winogradFilterCacheFollowsTheWeights(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(23);
        Sgemm sgemm = cpu.isVectorized() ? VectorKernels.sgemm() : new ScalarSgemm();
        // one partial column panel of the packed filters; then several, the last partial, and
        // rows of tiles that end in a partial MR panel; then whole panels (transformed straight into them)
        for (ConvGeometry g : new ConvGeometry[] {ConvGeometry.square(24, 9, 10, 20, 3, 1, 1),
            ConvGeometry.square(40, 13, 11, 70, 3, 1, 0), ConvGeometry.square(16, 9, 10, 64, 3, 1, 1)}) {
            filterCacheFollowsTheWeights(cpu, sgemm, g, r);
        }
    }

    /**
     * A forward with too few tiles for Winograd takes it once its weights are cached: im2col the
     * first time, Winograd from the second, im2col again right after a backward pass; each result
     * against the double reference.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void fewTilesTakeWinogradOnceTheFiltersAreCached(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(29);
        Sgemm sgemm = cpu.isVectorized() ? VectorKernels.sgemm() : new ScalarSgemm();
        ConvGeometry g = ConvGeometry.square(32, 14, 14, 48, 3, 1, 1); // 49 tiles at batch 1
        assertTrue(!CpuWinograd.pays(g, 1) && (long) 49 >= CpuWinograd.MIN_TILES_CACHED, "a geometry between the gates");
        CpuConv conv = new CpuConv(sgemm, cpu.isVectorized());
        float[] x = random(r, g.inC() * g.inH() * g.inW());
        float[] wt = random(r, g.outC() * g.colRows());
        float[] b = random(r, g.outC());
        boolean[] want = {false, true, true, false, true};
        for (int step = 0; step < want.length; step++) {
            if (step == 3) {
                conv.backwardData(random(r, g.outC() * g.colCols()), wt, new float[x.length], 1, g);
            }
            assertEquals(want[step], conv.winogradFor(g, 1, wt), "Winograd at forward " + step);
            float[] y = new float[g.outC() * g.colCols()];
            conv.forward(x, wt, b, y, 1, g);
            close(Reference.conv(x, wt, b, 1, g), y, 1e-4, "forward " + step);
        }
    }

    private static void filterCacheFollowsTheWeights(CpuBackend cpu, Sgemm sgemm, ConvGeometry g, SplittableRandom r) {
        CpuWinograd cached = new CpuWinograd(sgemm, cpu.isVectorized());
        float[] x = random(r, 2 * g.inC() * g.inH() * g.inW());
        float[] wt = random(r, g.outC() * g.colRows());
        float[] b = random(r, g.outC());
        int outLen = 2 * g.outC() * g.colCols();
        for (int step = 0; step < 9; step++) {
            switch (step) {
                case 4 -> wt[wt.length / 2] += 0.25f; // one weight, after the entry was filled and hit
                case 5 -> System.arraycopy(random(r, wt.length), 0, wt, 0, wt.length); // a reload
                case 7 -> { // a training step: backward, then the update in place
                    float[] gw = new float[wt.length];
                    cached.noteBackward();
                    cached.backwardWeights(x, random(r, outLen), gw, null, 2, g);
                    for (int i = 0; i < wt.length; i++) {
                        wt[i] -= 0.1f * gw[i];
                    }
                }
                default -> { }
            }
            float[] y = new float[outLen];
            cached.forward(x, wt, b, y, 2, g);
            float[] fresh = new float[outLen];
            new CpuWinograd(sgemm, cpu.isVectorized()).forward(x, wt, b, fresh, 2, g);
            assertArrayEquals(fresh, y, "forward " + step + " with the cache equals a fresh transform");
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void im2colAndCol2imAreAdjoint(CpuBackend cpu) {
        SplittableRandom r = new SplittableRandom(3);
        // random small geometries, then stride 2 over rows long enough for whole vectors of outputs
        ConvGeometry[] wide = {ConvGeometry.square(2, 5, 70, 3, 3, 2, 1), ConvGeometry.square(1, 4, 41, 2, 7, 2, 3),
            ConvGeometry.square(2, 3, 67, 2, 1, 2, 0)};
        for (int t = 0; t < 30 + wide.length; t++) {
            ConvGeometry g = t < 30 ? randomConv(r) : wide[t - 30];
            int n = 2;
            float[] x = random(r, n * g.inC() * g.inH() * g.inW());
            float[] y = random(r, g.colRows() * g.colCols());
            Tensor col = cpu.zeros(g.colRows(), g.colCols());
            cpu.im2col(cpu.fromHost(x, g.inputShape(n)), 1, g, col);
            // im2col is data movement: every entry is an input pixel or an exact zero
            float[] c = col.toHost();
            int imageOff = g.inC() * g.inH() * g.inW();
            for (int row = 0; row < g.colRows(); row++) {
                int ch = row / (g.kH() * g.kW());
                int u = row / g.kW() % g.kH();
                int v = row % g.kW();
                for (int s = 0; s < g.colCols(); s++) {
                    int h = s / g.outW() * g.strideH() - g.padH() + u;
                    int w = s % g.outW() * g.strideW() - g.padW() + v;
                    float want = h >= 0 && h < g.inH() && w >= 0 && w < g.inW()
                        ? x[imageOff + (ch * g.inH() + h) * g.inW() + w] : 0f;
                    assertEquals(want, c[row * g.colCols() + s], "im2col " + g + " row " + row + " col " + s);
                }
            }
            Tensor back = cpu.zeros(g.inputShape(n));
            cpu.col2im(cpu.fromHost(y, g.colRows(), g.colCols()), g, back, 1);
            double lhs = 0;
            double rhs = 0;
            for (int i = 0; i < y.length; i++) {
                lhs += (double) c[i] * y[i];
            }
            float[] b = back.toHost();
            for (int i = 0; i < imageOff; i++) {
                assertEquals(0f, b[i], "col2im touched another image");
                rhs += (double) x[imageOff + i] * b[imageOff + i];
            }
            assertEquals(lhs, rhs, 1e-4 * (1 + Math.abs(lhs)), "<im2col x, y> = <x, col2im y> for " + g);
        }
    }
}
