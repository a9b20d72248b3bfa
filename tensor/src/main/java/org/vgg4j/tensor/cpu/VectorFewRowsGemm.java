package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link VectorSgemm}'s {@code A B^T} for few rows of A (a linear layer's forward at a small
 * batch): dot products over B's rows, each row of B read once. Split from {@link VectorSgemm}.
 */
final class VectorFewRowsGemm {
    private VectorFewRowsGemm() {}

    private static final VectorSpecies<Float> S = VectorSgemm.S;
    private static final int L = VectorSgemm.L;

    /**
     * {@code C[m, n] = alpha A[m, k] B[n, k]^T + beta C} for few rows m: each task takes a range of
     * B's rows and reads each once, in order, while the m rows of A stay in cache; eight (or four)
     * rows of A at a time share each load of B, one accumulator each, and the lanes are summed once
     * per dot product. Memory-bound on B, as a GEMV is: one pass over a weight matrix per call.
     */
    static void gemmNT(int m, int n, int k, float alpha, float[] a, int offA, int lda,
                                      float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        int bound = S.loopBound(k);
        if (m < 4) {
            // one to three rows of A (batch 1 to 3): four rows of B stream at once, each dot as in
            // dot(); VGG-16's fc6 at batch 1 (411 MB of weights) 16.1 -> 12.7 ms on two threads, where
            // one stream a thread left the memory system idle between loads
            int quads = n / 4;
            Parallel.parallelRange(quads, Math.max(1, 16384 / k), (lo, hi) -> {
                for (int q = (int) lo; q < hi; q++) {
                    int j = q * 4;
                    for (int i = 0; i < m; i++) {
                        dotsB4(a, offA + i * lda, b, offB + j * ldb, ldb, k, bound, alpha, beta, c, offC + i * ldc + j);
                    }
                }
            });
            for (int j = quads * 4; j < n; j++) {
                for (int i = 0; i < m; i++) {
                    float d = dot(a, offA + i * lda, b, offB + j * ldb, k, bound);
                    int at = offC + i * ldc + j;
                    c[at] = beta == 0f ? alpha * d : alpha * d + beta * c[at];
                }
            }
            return;
        }
        Parallel.parallelRange(n, Math.max(1, 16384 / k), (lo, hi) -> {
            for (int j = (int) lo; j < hi; j++) {
                int bRow = offB + j * ldb;
                int i = 0;
                for (; i + 8 <= m; i += 8) {
                    dots8(a, offA + i * lda, lda, b, bRow, k, bound, alpha, beta, c, offC + i * ldc + j, ldc);
                }
                for (; i + 4 <= m; i += 4) {
                    int a0 = offA + i * lda;
                    dots4(a, a0, a0 + lda, a0 + 2 * lda, a0 + 3 * lda, b, bRow, k, bound, alpha, beta, c,
                        offC + i * ldc + j, ldc);
                }
                for (; i < m; i++) {
                    float d = dot(a, offA + i * lda, b, bRow, k, bound);
                    int at = offC + i * ldc + j;
                    c[at] = beta == 0f ? alpha * d : alpha * d + beta * c[at];
                }
            }
        });
    }

    /**
     * Four dot products of one row of A with rows b0 ... b0 + 3 ldb of B, into four adjacent
     * elements of C from {@code cAt}; each accumulates in the order of {@link #dot}.
     */
    private static void dotsB4(float[] a, int aRow, float[] b, int b0, int ldb, int k, int bound, float alpha,
                               float beta, float[] c, int cAt) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        int b1 = b0 + ldb;
        int b2 = b1 + ldb;
        int b3 = b2 + ldb;
        for (int p = 0; p < bound; p += L) {
            FloatVector x = FloatVector.fromArray(S, a, aRow + p);
            s0 = x.fma(FloatVector.fromArray(S, b, b0 + p), s0);
            s1 = x.fma(FloatVector.fromArray(S, b, b1 + p), s1);
            s2 = x.fma(FloatVector.fromArray(S, b, b2 + p), s2);
            s3 = x.fma(FloatVector.fromArray(S, b, b3 + p), s3);
        }
        float d0 = VectorKernels.sumInOrder(s0);
        float d1 = VectorKernels.sumInOrder(s1);
        float d2 = VectorKernels.sumInOrder(s2);
        float d3 = VectorKernels.sumInOrder(s3);
        for (int p = bound; p < k; p++) {
            float x = a[aRow + p];
            d0 += x * b[b0 + p];
            d1 += x * b[b1 + p];
            d2 += x * b[b2 + p];
            d3 += x * b[b3 + p];
        }
        c[cAt] = beta == 0f ? alpha * d0 : alpha * d0 + beta * c[cAt];
        c[cAt + 1] = beta == 0f ? alpha * d1 : alpha * d1 + beta * c[cAt + 1];
        c[cAt + 2] = beta == 0f ? alpha * d2 : alpha * d2 + beta * c[cAt + 2];
        c[cAt + 3] = beta == 0f ? alpha * d3 : alpha * d3 + beta * c[cAt + 3];
    }

    /** Eight dot products of rows a0, a0 + lda, ... of A with one row of B (B loaded once for all eight). */
    private static void dots8(float[] a, int a0, int lda, float[] b, int bRow, int k, int bound, float alpha,
                              float beta, float[] c, int cAt, int ldc) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        FloatVector s4 = FloatVector.zero(S);
        FloatVector s5 = FloatVector.zero(S);
        FloatVector s6 = FloatVector.zero(S);
        FloatVector s7 = FloatVector.zero(S);
        for (int p = 0; p < bound; p += L) {
            FloatVector w = FloatVector.fromArray(S, b, bRow + p);
            s0 = FloatVector.fromArray(S, a, a0 + p).fma(w, s0);
            s1 = FloatVector.fromArray(S, a, a0 + lda + p).fma(w, s1);
            s2 = FloatVector.fromArray(S, a, a0 + 2 * lda + p).fma(w, s2);
            s3 = FloatVector.fromArray(S, a, a0 + 3 * lda + p).fma(w, s3);
            s4 = FloatVector.fromArray(S, a, a0 + 4 * lda + p).fma(w, s4);
            s5 = FloatVector.fromArray(S, a, a0 + 5 * lda + p).fma(w, s5);
            s6 = FloatVector.fromArray(S, a, a0 + 6 * lda + p).fma(w, s6);
            s7 = FloatVector.fromArray(S, a, a0 + 7 * lda + p).fma(w, s7);
        }
        float[] d = {VectorKernels.sumInOrder(s0),
            VectorKernels.sumInOrder(s1), VectorKernels.sumInOrder(s2),
            VectorKernels.sumInOrder(s3), VectorKernels.sumInOrder(s4),
            VectorKernels.sumInOrder(s5), VectorKernels.sumInOrder(s6),
            VectorKernels.sumInOrder(s7)};
        for (int r = 0; r < 8; r++) {
            int row = a0 + r * lda;
            for (int p = bound; p < k; p++) {
                d[r] += a[row + p] * b[bRow + p];
            }
            int at = cAt + r * ldc;
            c[at] = beta == 0f ? alpha * d[r] : alpha * d[r] + beta * c[at];
        }
    }

    /** Four dot products of rows a0..a3 of A with one row of B, into C[row r, col] at cAt + r * ldc. */
    private static void dots4(float[] a, int a0, int a1, int a2, int a3, float[] b, int bRow, int k, int bound,
                              float alpha, float beta, float[] c, int cAt, int ldc) {
        FloatVector s0 = FloatVector.zero(S);
        FloatVector s1 = FloatVector.zero(S);
        FloatVector s2 = FloatVector.zero(S);
        FloatVector s3 = FloatVector.zero(S);
        for (int p = 0; p < bound; p += L) {
            FloatVector w = FloatVector.fromArray(S, b, bRow + p);
            s0 = FloatVector.fromArray(S, a, a0 + p).fma(w, s0);
            s1 = FloatVector.fromArray(S, a, a1 + p).fma(w, s1);
            s2 = FloatVector.fromArray(S, a, a2 + p).fma(w, s2);
            s3 = FloatVector.fromArray(S, a, a3 + p).fma(w, s3);
        }
        float d0 = VectorKernels.sumInOrder(s0);
        float d1 = VectorKernels.sumInOrder(s1);
        float d2 = VectorKernels.sumInOrder(s2);
        float d3 = VectorKernels.sumInOrder(s3);
        for (int p = bound; p < k; p++) {
            float w = b[bRow + p];
            d0 += a[a0 + p] * w;
            d1 += a[a1 + p] * w;
            d2 += a[a2 + p] * w;
            d3 += a[a3 + p] * w;
        }
        float[] d = {d0, d1, d2, d3};
        for (int r = 0; r < 4; r++) {
            int at = cAt + r * ldc;
            c[at] = beta == 0f ? alpha * d[r] : alpha * d[r] + beta * c[at];
        }
    }

    /** One dot product of a row of A with a row of B. */
    private static float dot(float[] a, int aRow, float[] b, int bRow, int k, int bound) {
        FloatVector s = FloatVector.zero(S);
        for (int p = 0; p < bound; p += L) {
            s = FloatVector.fromArray(S, a, aRow + p).fma(FloatVector.fromArray(S, b, bRow + p), s);
        }
        float d = VectorKernels.sumInOrder(s);
        for (int p = bound; p < k; p++) {
            d += a[aRow + p] * b[bRow + p];
        }
        return d;
    }
}
