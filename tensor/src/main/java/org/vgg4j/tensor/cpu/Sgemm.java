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
}
