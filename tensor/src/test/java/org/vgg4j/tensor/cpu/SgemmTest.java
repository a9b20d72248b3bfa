package org.vgg4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgg4j.tensor.Tensor;

/** GEMM against a double-precision triple loop, on many shapes, both transposes, both paths. */
class SgemmTest {

    static Stream<Arguments> backends() {
        return Stream.of(Arguments.of(new CpuBackend(true)), Arguments.of(new CpuBackend(false)));
    }

    static double[] reference(boolean tA, boolean tB, int m, int n, int k, float alpha, float[] a, int lda,
                              float[] b, int ldb, float beta, float[] c, int ldc) {
        double[] out = new double[m * ldc];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int p = 0; p < k; p++) {
                    double av = tA ? a[p * lda + i] : a[i * lda + p];
                    double bv = tB ? b[j * ldb + p] : b[p * ldb + j];
                    s += av * bv;
                }
                out[i * ldc + j] = alpha * s + (beta == 0 ? 0 : beta * (double) c[i * ldc + j]);
            }
        }
        return out;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemmMatchesDoubleReferenceOnRandomShapes(CpuBackend cpu) {
        SplittableRandom rnd = new SplittableRandom(42);
        int[] sizes = {1, 2, 3, 7, 8, 15, 16, 17, 31, 33, 64, 65, 100, 129};
        for (int trial = 0; trial < 60; trial++) {
            int m = sizes[rnd.nextInt(sizes.length)];
            int n = sizes[rnd.nextInt(sizes.length)];
            int k = sizes[rnd.nextInt(sizes.length)];
            boolean tA = rnd.nextBoolean();
            boolean tB = rnd.nextBoolean();
            float alpha = trial % 3 == 0 ? 1f : (float) rnd.nextDouble(-2, 2);
            float beta = trial % 4 == 0 ? 0f : (float) rnd.nextDouble(-1, 1);
            int lda = (tA ? m : k) + rnd.nextInt(3);
            int ldb = (tB ? k : n) + rnd.nextInt(3);
            int ldc = n + rnd.nextInt(3);
            float[] a = random(rnd, (tA ? k : m) * lda);
            float[] b = random(rnd, (tB ? n : k) * ldb);
            float[] c = random(rnd, m * ldc);
            double[] want = reference(tA, tB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            Tensor ta = cpu.fromHost(a, a.length);
            Tensor tb = cpu.fromHost(b, b.length);
            Tensor tc = cpu.fromHost(c, c.length);
            cpu.gemm(tA, tB, m, n, k, alpha, ta, 0, lda, tb, 0, ldb, beta, tc, 0, ldc);
            float[] got = tc.toHost();
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < ldc; j++) {
                    int idx = i * ldc + j;
                    double expect = j < n ? want[idx] : c[idx]; // padding columns untouched
                    double tol = 1e-5 * (k + 1) * (Math.abs(expect) + 1);
                    double diff = Math.abs(got[idx] - expect);
                    assertTrue(diff <= tol, () -> String.format("m=%d n=%d k=%d tA=%b tB=%b at %d: %g vs %g",
                        m, n, k, tA, tB, idx, got[idx], expect));
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemmCrossesCacheBlockBoundaries(CpuBackend cpu) {
        // k beyond KC (1024: later k blocks add into C), n beyond NC, edge panels of at most one
        // vector of columns (196 = 6 * 32 + 4), ragged edges everywhere; beta 0, 1 and 2 take
        // the store, add and general merge paths of the micro-kernel; 300x196 takes
        // the shared-B order (B block within L2, many row panels); m <= 8 with B^T the few-rows dots
        int[][] shapes = {{300, 517, 260}, {97, 33, 600}, {7, 4500, 30}, {1, 1000, 513}, {13, 1, 300},
            {24, 196, 2100}, {19, 70, 1500}, {300, 196, 2100},
            // few rows times B^T (a linear layer at a small batch): dot products over B's rows, eight, four
            // rows of A at a time plus single ones, vector tails of k; one to three rows: four rows of B at
            // a time, n not a multiple of four
            {8, 300, 2100}, {5, 40, 17}, {3, 64, 16}, {4, 9, 33}, {1, 1003, 2053}, {2, 7, 47}, {3, 6, 16}};
        SplittableRandom rnd = new SplittableRandom(7);
        for (int[] s : shapes) {
            for (int t = 0; t < 12; t++) {
                float beta = t / 4 == 0 ? 2f : t / 4 == 1 ? 0f : 1f;
                boolean tA = (t & 1) != 0;
                boolean tB = (t & 2) != 0;
                int m = s[0];
                int n = s[1];
                int k = s[2];
                float[] a = random(rnd, m * k);
                float[] b = random(rnd, k * n);
                float[] c = random(rnd, m * n);
                double[] want = reference(tA, tB, m, n, k, 0.5f, a, tA ? m : k, b, tB ? k : n, beta, c, n);
                Tensor tc = cpu.fromHost(c, m, n);
                cpu.gemm(tA, tB, m, n, k, 0.5f, cpu.fromHost(a, a.length), cpu.fromHost(b, b.length), beta, tc);
                float[] got = tc.toHost();
                for (int i = 0; i < got.length; i++) {
                    double tol = 2e-6 * Math.sqrt(k) * (Math.abs(want[i]) + Math.sqrt(k));
                    if (!(Math.abs(got[i] - want[i]) <= tol)) {
                        throw new AssertionError(String.format("m=%d n=%d k=%d tA=%b tB=%b at %d: %g vs %g",
                            m, n, k, tA, tB, i, got[i], want[i]));
                    }
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void betaZeroIgnoresNaNInOutput(CpuBackend cpu) {
        Tensor a = cpu.fromHost(new float[] {1, 2, 3, 4}, 2, 2);
        Tensor b = cpu.fromHost(new float[] {1, 0, 0, 1}, 2, 2);
        Tensor c = cpu.fromHost(new float[] {Float.NaN, Float.NaN, Float.NaN, Float.NaN}, 2, 2);
        cpu.gemm(false, false, 2, 2, 2, 1f, a, b, 0f, c);
        assertEquals(java.util.List.of(1f, 2f, 3f, 4f), boxed(c.toHost()));
    }

    @ParameterizedTest
    @MethodSource("backends")
    void gemmRejectsOperandsTooSmall(CpuBackend cpu) {
        Tensor a = cpu.zeros(2, 3);
        Tensor b = cpu.zeros(3, 2);
        Tensor c = cpu.zeros(2, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> cpu.gemm(false, false, 2, 2, 4, 1f, a, b, 0f, c));
        assertTrue(e.getMessage().startsWith("gemm:"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cpu.gemm(false, false, -1, 2, 3, 1f, a, b, 0f, c));
    }

    /**
     * The in-place A^T B of Winograd's weight gradient: full 8 x NR tiles, row and column edges,
     * operands inside larger arrays with strides wider than the product, C accumulated into.
     */
    @org.junit.jupiter.api.Test
    void inPlaceTransposedProductAddsToCAndMatchesTheReference() {
        org.junit.jupiter.api.Assumptions.assumeTrue(new CpuBackend(true).isVectorized());
        VectorSgemm vs = (VectorSgemm) VectorKernels.sgemm();
        SplittableRandom r = new SplittableRandom(41);
        int[][] shapes = {{64, 64, 300}, {8, 32, 1}, {17, 35, 50}, {3, 5, 7}, {40, 100, 129}, {16, 16, 64}, {64, 64, 3000}, {48, 200, 900}};
        for (int[] sh : shapes) {
            int m = sh[0];
            int n = sh[1];
            int k = sh[2];
            int lda = m + r.nextInt(3);
            int ldb = n + r.nextInt(3);
            int ldc = n + r.nextInt(3);
            float[] a = random(r, 5 + k * lda);
            float[] b = random(r, 3 + k * ldb);
            float[] c = random(r, 2 + m * ldc);
            float[] c0 = c.clone();
            vs.gemmTNAdd(m, n, k, a, 5, lda, b, 3, ldb, c, 2, ldc);
            double[] want = reference(true, false, m, n, k, 1f, java.util.Arrays.copyOfRange(a, 5, a.length), lda,
                java.util.Arrays.copyOfRange(b, 3, b.length), ldb, 1f, java.util.Arrays.copyOfRange(c0, 2, c0.length),
                ldc);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < ldc; j++) {
                    double expect = j < n ? want[i * ldc + j] : c0[2 + i * ldc + j];
                    assertEquals(expect, c[2 + i * ldc + j], 1e-4 * Math.sqrt(k) + 1e-5,
                        "C(" + i + ", " + j + ") of " + m + "x" + n + "x" + k);
                }
            }
            assertEquals(c0[0], c[0]);
            assertEquals(c0[1], c[1]);
        }
    }

    /**
     * The batched product of a convolution's images (op(A) B_i into C_i) against the reference,
     * image by image: partial row and column panels, k over one cache block, both op(A), strides
     * wider than an image, and the floats between images of C untouched.
     */
    @ParameterizedTest
    @MethodSource("backends")
    void batchedProductMatchesTheReferenceImageByImage(CpuBackend cpu) {
        Sgemm gemm = cpu.isVectorized() ? VectorKernels.sgemm() : new ScalarSgemm();
        SplittableRandom r = new SplittableRandom(43);
        int[][] shapes = {{64, 49, 32, 8}, {17, 196, 40, 3}, {8, 4, 3, 5}, {30, 33, 1100, 2}, {3, 5, 7, 1}, {72, 100, 64, 4}};
        for (int[] sh : shapes) {
            for (boolean tA : new boolean[] {false, true}) {
                int m = sh[0];
                int n = sh[1];
                int k = sh[2];
                int nb = sh[3];
                int lda = (tA ? m : k) + r.nextInt(3);
                int ldb = n + r.nextInt(3);
                int strideB = k * ldb + r.nextInt(5);
                int ldc = n + r.nextInt(3);
                int strideC = m * ldc + 1 + r.nextInt(5);
                float[] a = random(r, 2 + (tA ? k : m) * lda);
                float[] b = random(r, 3 + nb * strideB);
                float[] c = random(r, 1 + nb * strideC);
                float[] c0 = c.clone();
                gemm.gemmBatched(tA, m, n, k, a, 2, lda, b, 3, ldb, strideB, nb, c, 1, ldc, strideC);
                float[] aa = java.util.Arrays.copyOfRange(a, 2, a.length);
                for (int img = 0; img < nb; img++) {
                    float[] bi = java.util.Arrays.copyOfRange(b, 3 + img * strideB, 3 + img * strideB + k * ldb);
                    double[] want = reference(tA, false, m, n, k, 1f, aa, lda, bi, ldb, 0f, null, ldc);
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < ldc; j++) {
                            int at = 1 + img * strideC + i * ldc + j;
                            double expect = j < n ? want[i * ldc + j] : c0[at];
                            assertEquals(expect, c[at], 1e-4 * Math.sqrt(k) + 1e-5,
                                "image " + img + " C(" + i + ", " + j + ") of " + m + "x" + n + "x" + k + " tA=" + tA);
                        }
                    }
                    for (int at = 1 + img * strideC + m * ldc; at < 1 + (img + 1) * strideC; at++) {
                        assertEquals(c0[at], c[at], "between images at " + at);
                    }
                }
                assertEquals(c0[0], c[0]);
            }
        }
    }

    /**
     * The in-place dot products of a weight gradient summed over images: 4 x 4 blocks and the rows
     * and columns outside them, k with and without a partial vector and over one k block, C added to.
     */
    @org.junit.jupiter.api.Test
    void weightGradientDotsSumImagesAndMatchTheReference() {
        org.junit.jupiter.api.Assumptions.assumeTrue(new CpuBackend(true).isVectorized());
        SplittableRandom r = new SplittableRandom(47);
        int[][] shapes = {{8, 8, 64, 2}, {7, 10, 37, 3}, {16, 5, 1500, 2}, {3, 3, 5, 1}, {12, 20, 3136, 1}};
        for (int[] sh : shapes) {
            int m = sh[0];
            int n = sh[1];
            int k = sh[2];
            int nb = sh[3];
            int lda = k + r.nextInt(3);
            int strideA = m * lda + r.nextInt(4);
            int ldb = k + r.nextInt(3);
            int strideB = n * ldb + r.nextInt(4);
            int ldc = n + r.nextInt(3);
            float[] a = random(r, 1 + nb * strideA);
            float[] b = random(r, 2 + nb * strideB);
            float[] c = random(r, 3 + m * ldc);
            float[] c0 = c.clone();
            VectorDotsGemm.gemmNTAdd(m, n, k, a, 1, lda, strideA, b, 2, ldb, strideB, nb, c, 3, ldc);
            double[] want = new double[m * ldc];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < ldc; j++) {
                    want[i * ldc + j] = c0[3 + i * ldc + j];
                }
            }
            for (int img = 0; img < nb; img++) {
                float[] ai = java.util.Arrays.copyOfRange(a, 1 + img * strideA, 1 + img * strideA + m * lda);
                float[] bi = java.util.Arrays.copyOfRange(b, 2 + img * strideB, 2 + img * strideB + n * ldb);
                double[] part = reference(false, true, m, n, k, 1f, ai, lda, bi, ldb, 0f, null, ldc);
                for (int i = 0; i < m; i++) {
                    for (int j = 0; j < n; j++) {
                        want[i * ldc + j] += part[i * ldc + j];
                    }
                }
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < ldc; j++) {
                    assertEquals(want[i * ldc + j], c[3 + i * ldc + j], 1e-4 * Math.sqrt(k * nb) + 1e-5,
                        "C(" + i + ", " + j + ") of " + m + "x" + n + "x" + k + " x" + nb);
                }
            }
            assertEquals(c0[0], c[0]);
        }
    }

    static float[] random(SplittableRandom rnd, int n) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextDouble(-1, 1);
        }
        return x;
    }

    static java.util.List<Float> boxed(float[] x) {
        java.util.List<Float> l = new java.util.ArrayList<>();
        for (float v : x) {
            l.add(v);
        }
        return l;
    }
}
