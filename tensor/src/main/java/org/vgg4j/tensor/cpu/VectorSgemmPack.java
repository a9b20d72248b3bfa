package org.vgg4j.tensor.cpu;

/**
 * Packing for {@link VectorSgemm}: copies a block of op(A) or op(B) into the k-major panel
 * layout its micro-kernel streams through, zero-padding the panels at the edges.
 *
 * <pre>
 *   Ap panel (MR rows):    ap[p*MR + r] = alpha * op(A)[i0 + r, p0 + p]
 *   Bp panel (NR columns): bp[p*NR + c] = op(B)[p0 + p, j0 + c]
 * </pre>
 */
final class VectorSgemmPack {
    private VectorSgemmPack() {}

    static void packA(boolean transA, float[] a, int offA, int lda, int m, int i0, int p0, int kc,
                      float alpha, float[] ap, int dst) {
        int mr = VectorSgemm.MR;
        int rows = Math.min(mr, m - i0);
        if (rows < mr) {
            java.util.Arrays.fill(ap, dst, dst + mr * kc, 0f);
        }
        if (transA) {
            // op(A)[i, p] = a[p*lda + i]: each k step is a short contiguous run of rows
            for (int p = 0; p < kc; p++) {
                int src = offA + (p0 + p) * lda + i0;
                int d = dst + p * mr;
                for (int r = 0; r < rows; r++) {
                    ap[d + r] = alpha * a[src + r];
                }
            }
        } else if (rows == mr) {
            // MR row streams in, one sequential stream out
            int s0 = offA + i0 * lda + p0;
            for (int p = 0; p < kc; p++) {
                int d = dst + p * mr;
                int s = s0 + p;
                for (int r = 0; r < mr; r++) {
                    ap[d + r] = alpha * a[s + r * lda];
                }
            }
        } else {
            for (int r = 0; r < rows; r++) {
                int src = offA + (i0 + r) * lda + p0;
                int d = dst + r;
                for (int p = 0; p < kc; p++) {
                    ap[d + p * mr] = alpha * a[src + p];
                }
            }
        }
    }

    /** k steps per block of the transposed B pack (16 / 64 / column at a time: 79 / 86 / 77 GFLOP/s at nt:64x50176x576). */
    static final int TB = Integer.getInteger("vgg4j.gemm.tb", 64);

    static void packB(boolean transB, float[] b, int offB, int ldb, int n, int j0, int p0, int kc,
                      float[] bp, int dst) {
        int nr = VectorSgemm.NR;
        int cols = Math.min(nr, n - j0);
        if (!transB) {
            for (int p = 0; p < kc; p++) {
                int src = offB + (p0 + p) * ldb + j0;
                int d = dst + p * nr;
                System.arraycopy(b, src, bp, d, cols);
                if (cols < nr) {
                    java.util.Arrays.fill(bp, d + cols, d + nr, 0f);
                }
            }
        } else {
            // op(B)[p, j] = b[j*ldb + p]
            if (cols < nr) {
                java.util.Arrays.fill(bp, dst, dst + nr * kc, 0f);
            }
            // a transpose in blocks of TB k steps: the TB x NR destination block stays in L1
            // while the columns of op(B) (rows of b) are read TB floats at a time
            for (int pb = 0; pb < kc; pb += TB) {
                int pe = Math.min(kc, pb + TB);
                for (int cIdx = 0; cIdx < cols; cIdx++) {
                    int src = offB + (j0 + cIdx) * ldb + p0;
                    int d = dst + cIdx;
                    for (int p = pb; p < pe; p++) {
                        bp[d + p * nr] = b[src + p];
                    }
                }
            }
        }
    }

    /**
     * Packs {@code gn} consecutive NR-column panels starting at column j0 into bp, panel after
     * panel (panel g at {@code bp[g*NR*kc]}), reading each row of B as one run of gn*NR floats.
     */
    static void packBGroup(boolean transB, float[] b, int offB, int ldb, int n, int j0, int gn, int p0, int kc,
                           float[] bp) {
        packBGroup(transB, b, offB, ldb, n, j0, gn, p0, kc, bp, 0);
    }

    /** As above, the group written from {@code bp[dst]} on. */
    static void packBGroup(boolean transB, float[] b, int offB, int ldb, int n, int j0, int gn, int p0, int kc,
                           float[] bp, int dst) {
        int nr = VectorSgemm.NR;
        if (transB) {
            for (int g = 0; g < gn; g++) {
                packB(true, b, offB, ldb, n, j0 + g * nr, p0, kc, bp, dst + g * nr * kc);
            }
            return;
        }
        for (int p = 0; p < kc; p++) {
            int src = offB + (p0 + p) * ldb;
            for (int g = 0; g < gn; g++) {
                int j = j0 + g * nr;
                int cols = Math.min(nr, n - j);
                int d = dst + g * nr * kc + p * nr;
                System.arraycopy(b, src + j, bp, d, cols);
                if (cols < nr) {
                    java.util.Arrays.fill(bp, d + cols, d + nr, 0f);
                }
            }
        }
    }
}
