package org.vgg4j.tensor.cpu;

/**
 * The plain-Java GEMM: an i-p-j loop order (unit stride over j in both B and C, which the JIT
 * auto-vectorises) with the rows of C split across cores. Used when the Vector API is absent
 * and as the second implementation in tests.
 */
public final class ScalarSgemm implements Sgemm {

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int offA, int lda,
                     float[] b, int offB, int ldb,
                     float beta, float[] c, int offC, int ldc) {
        long work = (long) m * n * Math.max(k, 1);
        long grain = Math.max(1, (1L << 16) / Math.max(1L, (long) n * Math.max(k, 1)));
        Parallel.RangeBody rows = (lo, hi) -> {
            float[] bRow = transB ? new float[n] : null;
            for (int i = (int) lo; i < hi; i++) {
                int ci = offC + i * ldc;
                if (beta == 0f) {
                    java.util.Arrays.fill(c, ci, ci + n, 0f);
                } else if (beta != 1f) {
                    for (int j = 0; j < n; j++) {
                        c[ci + j] *= beta;
                    }
                }
                if (alpha == 0f) {
                    continue;
                }
                for (int p = 0; p < k; p++) {
                    float aip = alpha * (transA ? a[offA + p * lda + i] : a[offA + i * lda + p]);
                    if (transB) {
                        for (int j = 0; j < n; j++) {
                            bRow[j] = b[offB + j * ldb + p];
                        }
                        for (int j = 0; j < n; j++) {
                            c[ci + j] += aip * bRow[j];
                        }
                    } else {
                        int bp = offB + p * ldb;
                        for (int j = 0; j < n; j++) {
                            c[ci + j] += aip * b[bp + j];
                        }
                    }
                }
            }
        };
        if (work < (1L << 18)) {
            rows.run(0, m);
        } else {
            Parallel.parallelRange(m, grain, rows);
        }
    }
}
