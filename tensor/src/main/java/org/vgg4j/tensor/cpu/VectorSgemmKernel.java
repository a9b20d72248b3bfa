package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The 6 x (2 vectors) micro-kernel of {@link VectorSgemm}:
 * {@code C[6, NR] = beta * C + Ap[6, kc] * Bp[kc, NR]} with Ap and Bp packed k-major.
 *
 * <p>Two shapes of Java code matter here, both measured on Temurin 25, one Zen 3 core, kc = 256
 * (peak about 96 GFLOP/s):
 * <ul>
 *   <li>the k loop is written {@code p + 1 <= kc}: in the canonical {@code p < kc} form C2 makes
 *       it a counted loop (pre/main/post split) and the kernel runs at 44 instead of 86 GFLOP/s;</li>
 *   <li>the kernel stores its 12 accumulators to a scratch tile and a separate method merges the
 *       tile into C with beta: with the beta branches after the loop in the same method, C2
 *       spills accumulators and the kernel drops to 32 GFLOP/s.</li>
 * </ul>
 */
final class VectorSgemmKernel {
    private VectorSgemmKernel() {}

    private static final VectorSpecies<Float> S = VectorSgemm.S;
    private static final int L = VectorSgemm.L;
    private static final int MR = VectorSgemm.MR;
    private static final int NR = VectorSgemm.NR;
    /**
     * One C tile of {@code rows x cols} (at most MR x NR) at {@code c[ci]}:
     * {@code C = alpha * Ap Bp + beta * C} with both panels packed. t is MR*NR scratch.
     */
    static void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] t,
                     float[] c, int ci, int ldc, int rows, int cols, float alpha, float beta) {
        kernel(kc, ap, ai, bp, bi, t);
        if (rows == MR && cols == NR) {
            mergeFull(t, c, ci, ldc, alpha, beta);
        } else {
            mergePartial(t, c, ci, ldc, rows, cols, alpha, beta);
        }
    }

    /**
     * t[r*NR + j] = sum_p a[ai + p*MR + r] * b[bi + p*NR + j]. The strides are constants: with the
     * A strides as parameters (to read A in place) the kernel fell from 86 to 71 GFLOP/s.
     */
    static void kernel(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = c00;
        FloatVector c10 = c00;
        FloatVector c11 = c00;
        FloatVector c20 = c00;
        FloatVector c21 = c00;
        FloatVector c30 = c00;
        FloatVector c31 = c00;
        FloatVector c40 = c00;
        FloatVector c41 = c00;
        FloatVector c50 = c00;
        FloatVector c51 = c00;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
        }
        c00.intoArray(t, 0);
        c01.intoArray(t, L);
        c10.intoArray(t, NR);
        c11.intoArray(t, NR + L);
        c20.intoArray(t, 2 * NR);
        c21.intoArray(t, 2 * NR + L);
        c30.intoArray(t, 3 * NR);
        c31.intoArray(t, 3 * NR + L);
        c40.intoArray(t, 4 * NR);
        c41.intoArray(t, 4 * NR + L);
        c50.intoArray(t, 5 * NR);
        c51.intoArray(t, 5 * NR + L);
    }

    private static void mergeFull(float[] t, float[] c, int ci, int ldc, float alpha, float beta) {
        for (int r = 0; r < MR; r++) {
            int o = ci + r * ldc;
            for (int v = 0; v < NR; v += L) {
                FloatVector acc = FloatVector.fromArray(S, t, r * NR + v);
                if (alpha != 1f) {
                    acc = acc.mul(alpha);
                }
                if (beta == 1f) {
                    acc = acc.add(FloatVector.fromArray(S, c, o + v));
                } else if (beta != 0f) {
                    acc = FloatVector.fromArray(S, c, o + v).fma(FloatVector.broadcast(S, beta), acc);
                }
                acc.intoArray(c, o + v);
            }
        }
    }

    private static void mergePartial(float[] t, float[] c, int ci, int ldc, int rows, int cols, float alpha,
                                     float beta) {
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            for (int j = 0; j < cols; j++) {
                float acc = alpha * t[r * NR + j];
                c[row + j] = beta == 0f ? acc : beta == 1f ? c[row + j] + acc : beta * c[row + j] + acc;
            }
        }
    }
}
