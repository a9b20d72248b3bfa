package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The MR x (2 vectors) micro-kernels of {@link VectorSgemm}:
 * {@code C[MR, NR] = beta * C + Ap[MR, kc] * Bp[kc, NR]} with Ap and Bp packed k-major, alpha
 * already folded into Ap. MR = 8 (AVX-512): 16 accumulators, 2 B vectors and a broadcast, 19 of
 * 32 registers; MR = 6 (AVX2): 15 of 16. Each variant exists for both, unrolled by hand.
 *
 * <p>Four variants share the loop and differ in where the accumulators go: straight into C
 * ({@link #kernelStore}, beta = 0, full tiles), added to C ({@link #kernelAdd}, beta = 1 and
 * every k block after the first), or into a scratch tile that {@link #tile} merges with any
 * beta and partial edges; {@link #kernelNarrow} computes only one vector of columns for an
 * edge panel of at most L columns (VGG's 14x14 maps give N = 196 = 6 * 32 + 4).
 *
 * <p>Two shapes of Java code matter here, both measured on Temurin 25 (Zen 3, AVX2, kc = 256):
 * <ul>
 *   <li>the k loop is written {@code p + 1 <= kc}: in the canonical {@code p < kc} form C2 makes
 *       it a counted loop (pre/main/post split) and the kernel runs at 44 instead of 86 GFLOP/s;</li>
 *   <li>no branch after the loop: with the beta cases after the loop in the same method, C2
 *       spilled accumulators and the kernel dropped to 32 GFLOP/s; hence one method per case.</li>
 * </ul>
 * On Zen 4 (AVX-512, 2 cores) MR = 6, 8 and 12 ran within noise of each other at 1024^3 (about
 * 100 GFLOP/s a core, as OpenBLAS's SkylakeX kernel in the same run); 8 divides the channel
 * counts of VGG (64 ... 512), so no row of a tile is wasted.
 */
final class VectorSgemmKernel {
    private VectorSgemmKernel() {}

    private static final VectorSpecies<Float> S = VectorSgemm.S;
    private static final int L = VectorSgemm.L;
    private static final int MR = VectorSgemm.MR;
    private static final int NR = VectorSgemm.NR;

    /**
     * One C tile of {@code rows x cols} (at most MR x NR) at {@code c[ci]}:
     * {@code C = Ap Bp + beta * C} with both panels packed. t is MR*NR scratch.
     */
    static void tile(int kc, float[] ap, int ai, float[] bp, int bi, float[] t,
                     float[] c, int ci, int ldc, int rows, int cols, float beta) {
        if (rows == MR && cols == NR && beta == 0f) {
            kernelStore(kc, ap, ai, bp, bi, c, ci, ldc);
        } else if (rows == MR && cols == NR && beta == 1f) {
            kernelAdd(kc, ap, ai, bp, bi, c, ci, ldc);
        } else {
            if (cols <= L) {
                kernelNarrow(kc, ap, ai, bp, bi, t);
            } else {
                kernel(kc, ap, ai, bp, bi, t);
            }
            merge(t, c, ci, ldc, rows, cols, beta);
        }
    }

    /** t[r*NR + j] = sum_p a[ai + p*MR + r] * b[bi + p*NR + j]. */
    static void kernel(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        if (MR == 8) {
            kernel8(kc, a, ai, b, bi, t);
        } else {
            kernel6(kc, a, ai, b, bi, t);
        }
    }

    static void kernel8(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = c0_0;
        FloatVector c1_0 = c0_0;
        FloatVector c1_1 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c2_1 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c3_1 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c4_1 = c0_0;
        FloatVector c5_0 = c0_0;
        FloatVector c5_1 = c0_0;
        FloatVector c6_0 = c0_0;
        FloatVector c6_1 = c0_0;
        FloatVector c7_0 = c0_0;
        FloatVector c7_1 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * 8;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, L);
        c1_0.intoArray(t, NR);
        c1_1.intoArray(t, NR + L);
        c2_0.intoArray(t, 2 * NR);
        c2_1.intoArray(t, 2 * NR + L);
        c3_0.intoArray(t, 3 * NR);
        c3_1.intoArray(t, 3 * NR + L);
        c4_0.intoArray(t, 4 * NR);
        c4_1.intoArray(t, 4 * NR + L);
        c5_0.intoArray(t, 5 * NR);
        c5_1.intoArray(t, 5 * NR + L);
        c6_0.intoArray(t, 6 * NR);
        c6_1.intoArray(t, 6 * NR + L);
        c7_0.intoArray(t, 7 * NR);
        c7_1.intoArray(t, 7 * NR + L);
    }

    static void kernel6(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = c0_0;
        FloatVector c1_0 = c0_0;
        FloatVector c1_1 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c2_1 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c3_1 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c4_1 = c0_0;
        FloatVector c5_0 = c0_0;
        FloatVector c5_1 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * 6;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
        }
        c0_0.intoArray(t, 0);
        c0_1.intoArray(t, L);
        c1_0.intoArray(t, NR);
        c1_1.intoArray(t, NR + L);
        c2_0.intoArray(t, 2 * NR);
        c2_1.intoArray(t, 2 * NR + L);
        c3_0.intoArray(t, 3 * NR);
        c3_1.intoArray(t, 3 * NR + L);
        c4_0.intoArray(t, 4 * NR);
        c4_1.intoArray(t, 4 * NR + L);
        c5_0.intoArray(t, 5 * NR);
        c5_1.intoArray(t, 5 * NR + L);
    }

    /** As {@link #kernel} for columns 0 .. L-1 only. */
    static void kernelNarrow(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        if (MR == 8) {
            kernelNarrow8(kc, a, ai, b, bi, t);
        } else {
            kernelNarrow6(kc, a, ai, b, bi, t);
        }
    }

    static void kernelNarrow8(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c1_0 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c5_0 = c0_0;
        FloatVector c6_0 = c0_0;
        FloatVector c7_0 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * 8;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = a6.fma(b0, c6_0);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = a7.fma(b0, c7_0);
        }
        c0_0.intoArray(t, 0);
        c1_0.intoArray(t, NR);
        c2_0.intoArray(t, 2 * NR);
        c3_0.intoArray(t, 3 * NR);
        c4_0.intoArray(t, 4 * NR);
        c5_0.intoArray(t, 5 * NR);
        c6_0.intoArray(t, 6 * NR);
        c7_0.intoArray(t, 7 * NR);
    }

    static void kernelNarrow6(int kc, float[] a, int ai, float[] b, int bi, float[] t) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c1_0 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c5_0 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * 6;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
        }
        c0_0.intoArray(t, 0);
        c1_0.intoArray(t, NR);
        c2_0.intoArray(t, 2 * NR);
        c3_0.intoArray(t, 3 * NR);
        c4_0.intoArray(t, 4 * NR);
        c5_0.intoArray(t, 5 * NR);
    }

    /** c[ci + r*ldc + j] = sum_p a[ai + p*MR + r] * b[bi + p*NR + j] for a full tile. */
    static void kernelStore(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc) {
        if (MR == 8) {
            kernelStore8(kc, a, ai, b, bi, c, ci, ldc);
        } else {
            kernelStore6(kc, a, ai, b, bi, c, ci, ldc);
        }
    }

    static void kernelStore8(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = c0_0;
        FloatVector c1_0 = c0_0;
        FloatVector c1_1 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c2_1 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c3_1 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c4_1 = c0_0;
        FloatVector c5_0 = c0_0;
        FloatVector c5_1 = c0_0;
        FloatVector c6_0 = c0_0;
        FloatVector c6_1 = c0_0;
        FloatVector c7_0 = c0_0;
        FloatVector c7_1 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * 8;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
        }
        c0_0.intoArray(c, ci);
        c0_1.intoArray(c, ci + L);
        ci += ldc;
        c1_0.intoArray(c, ci);
        c1_1.intoArray(c, ci + L);
        ci += ldc;
        c2_0.intoArray(c, ci);
        c2_1.intoArray(c, ci + L);
        ci += ldc;
        c3_0.intoArray(c, ci);
        c3_1.intoArray(c, ci + L);
        ci += ldc;
        c4_0.intoArray(c, ci);
        c4_1.intoArray(c, ci + L);
        ci += ldc;
        c5_0.intoArray(c, ci);
        c5_1.intoArray(c, ci + L);
        ci += ldc;
        c6_0.intoArray(c, ci);
        c6_1.intoArray(c, ci + L);
        ci += ldc;
        c7_0.intoArray(c, ci);
        c7_1.intoArray(c, ci + L);
    }

    static void kernelStore6(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = c0_0;
        FloatVector c1_0 = c0_0;
        FloatVector c1_1 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c2_1 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c3_1 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c4_1 = c0_0;
        FloatVector c5_0 = c0_0;
        FloatVector c5_1 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * 6;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
        }
        c0_0.intoArray(c, ci);
        c0_1.intoArray(c, ci + L);
        ci += ldc;
        c1_0.intoArray(c, ci);
        c1_1.intoArray(c, ci + L);
        ci += ldc;
        c2_0.intoArray(c, ci);
        c2_1.intoArray(c, ci + L);
        ci += ldc;
        c3_0.intoArray(c, ci);
        c3_1.intoArray(c, ci + L);
        ci += ldc;
        c4_0.intoArray(c, ci);
        c4_1.intoArray(c, ci + L);
        ci += ldc;
        c5_0.intoArray(c, ci);
        c5_1.intoArray(c, ci + L);
    }

    /** c[ci + r*ldc + j] += sum_p a[ai + p*MR + r] * b[bi + p*NR + j] for a full tile. */
    static void kernelAdd(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc) {
        if (MR == 8) {
            kernelAdd8(kc, a, ai, b, bi, c, ci, ldc);
        } else {
            kernelAdd6(kc, a, ai, b, bi, c, ci, ldc);
        }
    }

    static void kernelAdd8(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = c0_0;
        FloatVector c1_0 = c0_0;
        FloatVector c1_1 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c2_1 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c3_1 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c4_1 = c0_0;
        FloatVector c5_0 = c0_0;
        FloatVector c5_1 = c0_0;
        FloatVector c6_0 = c0_0;
        FloatVector c6_1 = c0_0;
        FloatVector c7_0 = c0_0;
        FloatVector c7_1 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * 8;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
        }
        c0_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c0_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c1_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c1_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c2_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c2_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c3_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c3_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c4_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c4_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c5_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c5_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c6_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c6_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c7_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c7_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
    }

    /**
     * {@link #kernelAdd8} on operands read in place instead of packed: step p reads the 8 values
     * of A at {@code a[ai + p*lda ..]} and the NR of B at {@code b[bi + p*ldb ..]} (both k-major, as
     * Winograd's dM and V are for the weight gradient).
     */
    static void kernelAddStrided8(int kc, float[] a, int ai, int lda, float[] b, int bi, int ldb, float[] c, int ci,
                                  int ldc) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = c0_0;
        FloatVector c1_0 = c0_0;
        FloatVector c1_1 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c2_1 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c3_1 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c4_1 = c0_0;
        FloatVector c5_0 = c0_0;
        FloatVector c5_1 = c0_0;
        FloatVector c6_0 = c0_0;
        FloatVector c6_1 = c0_0;
        FloatVector c7_0 = c0_0;
        FloatVector c7_1 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * ldb;
            int ao = ai + p * lda;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
            FloatVector a6 = FloatVector.broadcast(S, a[ao + 6]);
            c6_0 = a6.fma(b0, c6_0);
            c6_1 = a6.fma(b1, c6_1);
            FloatVector a7 = FloatVector.broadcast(S, a[ao + 7]);
            c7_0 = a7.fma(b0, c7_0);
            c7_1 = a7.fma(b1, c7_1);
        }
        c0_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c0_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c1_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c1_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c2_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c2_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c3_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c3_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c4_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c4_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c5_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c5_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c6_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c6_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c7_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c7_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
    }

    static void kernelAdd6(int kc, float[] a, int ai, float[] b, int bi, float[] c, int ci, int ldc) {
        FloatVector c0_0 = FloatVector.zero(S);
        FloatVector c0_1 = c0_0;
        FloatVector c1_0 = c0_0;
        FloatVector c1_1 = c0_0;
        FloatVector c2_0 = c0_0;
        FloatVector c2_1 = c0_0;
        FloatVector c3_0 = c0_0;
        FloatVector c3_1 = c0_0;
        FloatVector c4_0 = c0_0;
        FloatVector c4_1 = c0_0;
        FloatVector c5_0 = c0_0;
        FloatVector c5_1 = c0_0;
        for (int p = 0; p + 1 <= kc; p++) { // not "p < kc": see the class comment
            int bo = bi + p * NR;
            int ao = ai + p * 6;
            FloatVector b0 = FloatVector.fromArray(S, b, bo);
            FloatVector b1 = FloatVector.fromArray(S, b, bo + L);
            FloatVector a0 = FloatVector.broadcast(S, a[ao]);
            c0_0 = a0.fma(b0, c0_0);
            c0_1 = a0.fma(b1, c0_1);
            FloatVector a1 = FloatVector.broadcast(S, a[ao + 1]);
            c1_0 = a1.fma(b0, c1_0);
            c1_1 = a1.fma(b1, c1_1);
            FloatVector a2 = FloatVector.broadcast(S, a[ao + 2]);
            c2_0 = a2.fma(b0, c2_0);
            c2_1 = a2.fma(b1, c2_1);
            FloatVector a3 = FloatVector.broadcast(S, a[ao + 3]);
            c3_0 = a3.fma(b0, c3_0);
            c3_1 = a3.fma(b1, c3_1);
            FloatVector a4 = FloatVector.broadcast(S, a[ao + 4]);
            c4_0 = a4.fma(b0, c4_0);
            c4_1 = a4.fma(b1, c4_1);
            FloatVector a5 = FloatVector.broadcast(S, a[ao + 5]);
            c5_0 = a5.fma(b0, c5_0);
            c5_1 = a5.fma(b1, c5_1);
        }
        c0_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c0_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c1_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c1_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c2_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c2_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c3_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c3_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c4_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c4_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
        ci += ldc;
        c5_0.add(FloatVector.fromArray(S, c, ci)).intoArray(c, ci);
        c5_1.add(FloatVector.fromArray(S, c, ci + L)).intoArray(c, ci + L);
    }

    private static void merge(float[] t, float[] c, int ci, int ldc, int rows, int cols, float beta) {
        for (int r = 0; r < rows; r++) {
            int row = ci + r * ldc;
            int j = 0;
            for (; j + L <= cols; j += L) {
                FloatVector acc = FloatVector.fromArray(S, t, r * NR + j);
                if (beta == 1f) {
                    acc = acc.add(FloatVector.fromArray(S, c, row + j));
                } else if (beta != 0f) {
                    acc = FloatVector.fromArray(S, c, row + j).fma(FloatVector.broadcast(S, beta), acc);
                }
                acc.intoArray(c, row + j);
            }
            for (; j < cols; j++) {
                float acc = t[r * NR + j];
                c[row + j] = beta == 0f ? acc : beta == 1f ? c[row + j] + acc : beta * c[row + j] + acc;
            }
        }
    }
}
