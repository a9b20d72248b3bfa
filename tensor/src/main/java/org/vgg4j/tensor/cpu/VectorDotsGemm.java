package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@code C [m, n] += sum over images i of A_i [m, k] B_i [n, k]^T} with both operands read in
 * place along k: a convolution's weight gradient, {@code dW [O, C*kh*kw] += dY_i [O, S] col_i [C*kh*kw, S]^T},
 * summed over the images of a batch, where S (the pixels of a map: 3136 at 56x56) is long and
 * contiguous in both operands.
 *
 * <p>The packed GEMM needs both operands transposed into k-major panels for this product, two
 * scattered copies of every element that is then used only n / 32 and m / 8 times; here each 4 x 4
 * block of C is 16 dot products over k at once (4 rows of A and 4 of B loaded a vector at a time:
 * 8 loads a 16 multiply-adds), summed across lanes once per block of k. On a 56x56 1x1 layer's
 * gradient (m = 256, n = 64, k = 3136, 2 Xeon cores) the packed path ran at 85-95 GFLOP/s, a
 * single-core test of this kernel at 65-80.
 *
 * <p>Tasks own ranges of C's rows, so no two threads write one element; each goes through all
 * images and k blocks (B's block, n rows of KC floats, stays in L2 while the 4 rows of A in L1
 * sweep it).
 */
final class VectorDotsGemm {
    private VectorDotsGemm() {}

    private static final VectorSpecies<Float> S = VectorSgemm.S;
    private static final int L = S.length();
    /** Most floats of k in one block (fewer when B's block, n x kc, would pass BLOCK_BYTES). */
    private static final int KC = Integer.getInteger("vgg4j.gemm.dotsKc", 1024);
    /** B's block stays within this many bytes of L2 while A's four rows (in L1) sweep it. */
    private static final int BLOCK_BYTES = Integer.getInteger("vgg4j.gemm.dotsBlock", 512 << 10);
    /** B with more rows than this would leave blocks of k too short for dot products: use the packed GEMM. */
    static final int MAX_N = BLOCK_BYTES / (4 * 256);

    /**
     * C += sum_i A_i B_i^T: A_i at {@code a[offA + i*strideA]} ([m, k], rows lda apart), B_i at
     * {@code b[offB + i*strideB]} ([n, k], rows ldb apart).
     */
    static void gemmNTAdd(int m, int n, int k, float[] a, int offA, int lda, int strideA, float[] b, int offB, int ldb,
                          int strideB, int nb, float[] c, int offC, int ldc) {
        int kc = Math.max(L, Math.min(KC, BLOCK_BYTES / (4 * Math.max(1, n)) / L * L));
        int blocks = (m + 3) / 4;
        int tasks = Math.min(blocks, 4 * Parallel.threads());
        Parallel.parallelFor(tasks, t -> {
            int lo = (int) ((long) blocks * t / tasks) * 4;
            int hi = Math.min(m, (int) ((long) blocks * (t + 1) / tasks) * 4);
            for (int img = 0; img < nb; img++) {
                int ai = offA + img * strideA;
                int bi = offB + img * strideB;
                for (int p0 = 0; p0 < k; p0 += kc) {
                    int kb = Math.min(kc, k - p0);
                    rows(lo, hi, n, kb, a, ai + p0, lda, b, bi + p0, ldb, c, offC, ldc);
                }
            }
        });
    }

    /** Rows lo .. hi-1 of C += A B^T over kb steps of k. */
    private static void rows(int lo, int hi, int n, int kb, float[] a, int a0, int lda, float[] b, int b0, int ldb,
                             float[] c, int offC, int ldc) {
        int nFull = n / 4 * 4;
        int i = lo;
        for (; i + 4 <= hi; i += 4) {
            int ar = a0 + i * lda;
            for (int j = 0; j < nFull; j += 4) {
                dots4x4(kb, a, ar, lda, b, b0 + j * ldb, ldb, c, offC + i * ldc + j, ldc);
                for (int p = kb / L * L; p < kb; p++) {
                    for (int r = 0; r < 4; r++) {
                        float x = a[ar + r * lda + p];
                        int at = offC + (i + r) * ldc + j;
                        c[at] += x * b[b0 + j * ldb + p];
                        c[at + 1] += x * b[b0 + (j + 1) * ldb + p];
                        c[at + 2] += x * b[b0 + (j + 2) * ldb + p];
                        c[at + 3] += x * b[b0 + (j + 3) * ldb + p];
                    }
                }
            }
            for (int r = 0; r < 4; r++) {
                for (int j = nFull; j < n; j++) {
                    c[offC + (i + r) * ldc + j] += dot(kb, a, ar + r * lda, b, b0 + j * ldb);
                }
            }
        }
        for (; i < hi; i++) {
            for (int j = 0; j < n; j++) {
                c[offC + i * ldc + j] += dot(kb, a, a0 + i * lda, b, b0 + j * ldb);
            }
        }
    }

    private static float dot(int kb, float[] a, int ai, float[] b, int bi) {
        FloatVector s = FloatVector.zero(S);
        int p = 0;
        for (; p + L <= kb; p += L) {
            s = FloatVector.fromArray(S, a, ai + p).fma(FloatVector.fromArray(S, b, bi + p), s);
        }
        if (p < kb) {
            VectorMask<Float> in = S.indexInRange(p, kb);
            s = FloatVector.fromArray(S, a, ai + p, in).fma(FloatVector.fromArray(S, b, bi + p, in), s);
        }
        return s.reduceLanes(VectorOperators.ADD);
    }

    /**
     * C[4 x 4] at c0 (rows ldc apart) += 4 rows of A from a0 times 4 rows of B from b0, over the
     * whole vectors of kb (the caller adds the rest): nothing after the loop but the sums, which
     * keeps C2 from spilling the 16 accumulators.
     */
    static void dots4x4(int kb, float[] a, int a0, int lda, float[] b, int b0, int ldb, float[] c, int c0, int ldc) {
        FloatVector s00 = FloatVector.zero(S);
        FloatVector s01 = s00;
        FloatVector s02 = s00;
        FloatVector s03 = s00;
        FloatVector s10 = s00;
        FloatVector s11 = s00;
        FloatVector s12 = s00;
        FloatVector s13 = s00;
        FloatVector s20 = s00;
        FloatVector s21 = s00;
        FloatVector s22 = s00;
        FloatVector s23 = s00;
        FloatVector s30 = s00;
        FloatVector s31 = s00;
        FloatVector s32 = s00;
        FloatVector s33 = s00;
        int a1 = a0 + lda;
        int a2 = a1 + lda;
        int a3 = a2 + lda;
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        int full = kb / L * L;
        for (int p = 0; p < full; p += L) {
            FloatVector y0 = FloatVector.fromArray(S, b, b0 + p);
            FloatVector y1 = FloatVector.fromArray(S, b, b1 + p);
            FloatVector y2 = FloatVector.fromArray(S, b, b2 + p);
            FloatVector y3 = FloatVector.fromArray(S, b, b3 + p);
            FloatVector x = FloatVector.fromArray(S, a, a0 + p);
            s00 = x.fma(y0, s00);
            s01 = x.fma(y1, s01);
            s02 = x.fma(y2, s02);
            s03 = x.fma(y3, s03);
            x = FloatVector.fromArray(S, a, a1 + p);
            s10 = x.fma(y0, s10);
            s11 = x.fma(y1, s11);
            s12 = x.fma(y2, s12);
            s13 = x.fma(y3, s13);
            x = FloatVector.fromArray(S, a, a2 + p);
            s20 = x.fma(y0, s20);
            s21 = x.fma(y1, s21);
            s22 = x.fma(y2, s22);
            s23 = x.fma(y3, s23);
            x = FloatVector.fromArray(S, a, a3 + p);
            s30 = x.fma(y0, s30);
            s31 = x.fma(y1, s31);
            s32 = x.fma(y2, s32);
            s33 = x.fma(y3, s33);
        }
        add4(s00, s01, s02, s03, c, c0);
        add4(s10, s11, s12, s13, c, c0 + ldc);
        add4(s20, s21, s22, s23, c, c0 + 2 * ldc);
        add4(s30, s31, s32, s33, c, c0 + 3 * ldc);
    }

    private static void add4(FloatVector s0, FloatVector s1, FloatVector s2, FloatVector s3, float[] c, int at) {
        c[at] += s0.reduceLanes(VectorOperators.ADD);
        c[at + 1] += s1.reduceLanes(VectorOperators.ADD);
        c[at + 2] += s2.reduceLanes(VectorOperators.ADD);
        c[at + 3] += s3.reduceLanes(VectorOperators.ADD);
    }
}
