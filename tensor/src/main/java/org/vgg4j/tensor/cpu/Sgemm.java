package org.vgg4j.tensor.cpu;

/**
 * Row-major single-precision GEMM on heap arrays:
 * {@code C[m,n] = alpha * op(A)[m,k] * op(B)[k,n] + beta * C}; A at {@code a[offA + i*lda + p]}
 * (or {@code a[offA + p*lda + i]} when transposed), likewise B and C. With beta == 0, C is not read.
 * Arguments are already checked by the caller.
 */
public interface Sgemm {
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, float[] a, int offA, int lda,
              float[] b, int offB, int ldb,
              float beta, float[] c, int offC, int ldc);

    /**
     * {@code C_i = op(A) B_i} (beta 0) for nb images i: {@code B_i [k, n]} at {@code offB + i*strideB}
     * (rows ldb apart), {@code C_i [m, n]} at {@code offC + i*strideC} (rows ldc apart). A
     * convolution's images side by side without copying them next to each other first; this
     * default multiplies one image at a time.
     */
    default void gemmBatched(boolean transA, int m, int n, int k, float[] a, int offA, int lda,
                             float[] b, int offB, int ldb, int strideB, int nb,
                             float[] c, int offC, int ldc, int strideC) {
        for (int i = 0; i < nb; i++) {
            gemm(transA, false, m, n, k, 1f, a, offA, lda, b, offB + i * strideB, ldb, 0f, c, offC + i * strideC, ldc);
        }
    }
}
