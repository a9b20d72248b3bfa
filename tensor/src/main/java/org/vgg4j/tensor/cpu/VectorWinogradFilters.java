package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The filter transforms of {@link CpuWinograd} on the Vector API, {@code U = G g G^T} and its
 * adjoint {@code dW += G^T dU G}, one vector lane per filter. The tile methods are straight-line
 * for the same reason as {@link VectorWinograd}'s.
 */
final class VectorWinogradFilters {
    private VectorWinogradFilters() {}

    private static final VectorSpecies<Float> S = VectorWinograd.S;
    private static final int L = VectorWinograd.L;

    /**
     * {@link ScalarWinograd#filterTransform} with one lane per filter: blocks of L filters along U's
     * contiguous dimension, their 9 taps gathered into {@code [9][L]}, the 16 outputs stored as
     * whole vectors into the 16 slices.
     */
    static void filterTransform(float[] w, int outC, int inC, float[] u, boolean inputMajor) {
        filterTransform(w, outC, inC, u, inputMajor, 0);
    }

    /**
     * The input-major transform written straight into {@link VectorSgemm#packB}'s panels of
     * {@code nr} output channels ({@code u[xi*C*O + (o/nr)*nr*C + c*nr + o%nr]}), for {@code outC}
     * a multiple of nr and nr of L: the forward's GEMMs read it as they are, where the transform
     * into [16][C][O] and a pack after it wrote and read the 16 slices twice more (VGG-16's and
     * ResNet's 512-channel layers: 16 MB a pass, every training step).
     */
    static void filterTransformPacked(float[] w, int outC, int inC, float[] u, int nr) {
        if (nr % L != 0 || outC % nr != 0) {
            throw new IllegalArgumentException("filterTransformPacked: " + outC + " channels in panels of " + nr);
        }
        filterTransform(w, outC, inC, u, true, nr);
    }

    private static void filterTransform(float[] w, int outC, int inC, float[] u, boolean inputMajor, int nr) {
        int xs = outC * inC;
        int inner = inputMajor ? outC : inC;
        int outer = inputMajor ? inC : outC;
        int stride = inputMajor ? inC * 9 : 9; // between filters next to each other in U
        int blocks = (inner + L - 1) / L;
        Parallel.parallelRange((long) outer * blocks, Math.max(1, 1024 / L), (lo, hi) -> {
            float[] taps = new float[9 * L];
            float[] stage = new float[16 * L];
            for (long q = lo; q < hi; q++) {
                // input-major: a block of L output channels, then the input channels one after the
                // other, so that the L filters read are the next 9 floats of L rows of w (L
                // sequential streams) rather than L rows 9*C floats apart for every step (on
                // ResNet's 512-channel 7x7 layers that gather was an eighth of the convolution)
                int a = inputMajor ? (int) (q % outer) : (int) (q / blocks);
                int j0 = (inputMajor ? (int) (q / outer) : (int) (q % blocks)) * L;
                int jn = Math.min(L, inner - j0);
                int f0 = inputMajor ? (j0 * inC + a) * 9 : (a * inC + j0) * 9;
                for (int j = 0; j < jn; j++) {
                    int f = f0 + j * stride;
                    for (int k = 0; k < 9; k++) {
                        taps[k * L + j] = w[f + k];
                    }
                }
                int q0 = nr == 0 ? a * inner + j0 : (j0 / nr * inC + a) * nr + j0 % nr;
                if (jn == L) {
                    filterTile(taps, u, q0, xs);
                } else {
                    filterTile(taps, stage, 0, L);
                    VectorWinograd.unstage(stage, u, q0, xs, jn);
                }
            }
        });
    }

    /** G g G^T for the L filters of taps [9][L] into dst[o + xi*xs], xi = 4*row + column. */
    private static void filterTile(float[] taps, float[] dst, int o, int xs) {
        FloatVector g0 = FloatVector.fromArray(S, taps, 0);
        FloatVector g1 = FloatVector.fromArray(S, taps, L);
        FloatVector g2 = FloatVector.fromArray(S, taps, 2 * L);
        FloatVector g3 = FloatVector.fromArray(S, taps, 3 * L);
        FloatVector g4 = FloatVector.fromArray(S, taps, 4 * L);
        FloatVector g5 = FloatVector.fromArray(S, taps, 5 * L);
        FloatVector g6 = FloatVector.fromArray(S, taps, 6 * L);
        FloatVector g7 = FloatVector.fromArray(S, taps, 7 * L);
        FloatVector g8 = FloatVector.fromArray(S, taps, 8 * L);
        // G g: rows g0..g2, (g0+g1+g2)/2 and (g0-g1+g2)/2 taken down the columns, g6..g8
        FloatVector s0 = g0.add(g6).mul(0.5f);
        FloatVector s1 = g1.add(g7).mul(0.5f);
        FloatVector s2 = g2.add(g8).mul(0.5f);
        FloatVector h0 = g3.mul(0.5f);
        FloatVector h1 = g4.mul(0.5f);
        FloatVector h2 = g5.mul(0.5f);
        FloatVector a0 = s0.add(h0);
        FloatVector a1 = s1.add(h1);
        FloatVector a2 = s2.add(h2);
        FloatVector b0 = s0.sub(h0);
        FloatVector b1 = s1.sub(h1);
        FloatVector b2 = s2.sub(h2);
        // each row (p0, p1, p2) times G^T: p0, (p0+p1+p2)/2, (p0-p1+p2)/2, p2
        FloatVector m = g0.add(g2).mul(0.5f);
        FloatVector n = g1.mul(0.5f);
        g0.intoArray(dst, o);
        m.add(n).intoArray(dst, o + xs);
        m.sub(n).intoArray(dst, o + 2 * xs);
        g2.intoArray(dst, o + 3 * xs);
        m = a0.add(a2).mul(0.5f);
        n = a1.mul(0.5f);
        a0.intoArray(dst, o + 4 * xs);
        m.add(n).intoArray(dst, o + 5 * xs);
        m.sub(n).intoArray(dst, o + 6 * xs);
        a2.intoArray(dst, o + 7 * xs);
        m = b0.add(b2).mul(0.5f);
        n = b1.mul(0.5f);
        b0.intoArray(dst, o + 8 * xs);
        m.add(n).intoArray(dst, o + 9 * xs);
        m.sub(n).intoArray(dst, o + 10 * xs);
        b2.intoArray(dst, o + 11 * xs);
        m = g6.add(g8).mul(0.5f);
        n = g7.mul(0.5f);
        g6.intoArray(dst, o + 12 * xs);
        m.add(n).intoArray(dst, o + 13 * xs);
        m.sub(n).intoArray(dst, o + 14 * xs);
        g8.intoArray(dst, o + 15 * xs);
    }

    /**
     * {@link ScalarWinograd#filterGradTransform} with one lane per input channel: gradW += G^T dU G
     * for blocks of L filters, dU read as whole vectors from its 16 slices, the 9 taps of each
     * filter scattered back from {@code [9][L]}.
     */
    static void filterGradTransform(float[] du, int outC, int inC, float[] gradW) {
        int xs = outC * inC;
        int blocks = (inC + L - 1) / L;
        Parallel.parallelRange((long) outC * blocks, Math.max(1, 1024 / L), (lo, hi) -> {
            float[] taps = new float[9 * L];
            float[] stage = new float[16 * L];
            for (long q = lo; q < hi; q++) {
                int o = (int) (q / blocks);
                int j0 = (int) (q % blocks) * L;
                int jn = Math.min(L, inC - j0);
                int q0 = o * inC + j0;
                if (jn == L) {
                    filterGradTile(du, q0, xs, taps);
                } else {
                    VectorWinograd.stage(du, q0, xs, jn, stage);
                    filterGradTile(stage, 0, L, taps);
                }
                int f0 = q0 * 9;
                for (int j = 0; j < jn; j++) {
                    int f = f0 + j * 9;
                    for (int k = 0; k < 9; k++) {
                        gradW[f + k] += taps[k * L + j];
                    }
                }
            }
        });
    }

    /** G^T dU G for the L lanes of du[o + xi*xs] into taps [9][L]. */
    private static void filterGradTile(float[] du, int o, int xs, float[] taps) {
        // t = dU G, row i: (u0 + (u1+u2)/2, (u1-u2)/2, (u1+u2)/2 + u3) of dU's row i
        FloatVector u1 = FloatVector.fromArray(S, du, o + xs);
        FloatVector u2 = FloatVector.fromArray(S, du, o + 2 * xs);
        FloatVector p = u1.add(u2).mul(0.5f);
        FloatVector t00 = FloatVector.fromArray(S, du, o).add(p);
        FloatVector t01 = u1.sub(u2).mul(0.5f);
        FloatVector t02 = p.add(FloatVector.fromArray(S, du, o + 3 * xs));
        u1 = FloatVector.fromArray(S, du, o + 5 * xs);
        u2 = FloatVector.fromArray(S, du, o + 6 * xs);
        p = u1.add(u2).mul(0.5f);
        FloatVector t10 = FloatVector.fromArray(S, du, o + 4 * xs).add(p);
        FloatVector t11 = u1.sub(u2).mul(0.5f);
        FloatVector t12 = p.add(FloatVector.fromArray(S, du, o + 7 * xs));
        u1 = FloatVector.fromArray(S, du, o + 9 * xs);
        u2 = FloatVector.fromArray(S, du, o + 10 * xs);
        p = u1.add(u2).mul(0.5f);
        FloatVector t20 = FloatVector.fromArray(S, du, o + 8 * xs).add(p);
        FloatVector t21 = u1.sub(u2).mul(0.5f);
        FloatVector t22 = p.add(FloatVector.fromArray(S, du, o + 11 * xs));
        u1 = FloatVector.fromArray(S, du, o + 13 * xs);
        u2 = FloatVector.fromArray(S, du, o + 14 * xs);
        p = u1.add(u2).mul(0.5f);
        FloatVector t30 = FloatVector.fromArray(S, du, o + 12 * xs).add(p);
        FloatVector t31 = u1.sub(u2).mul(0.5f);
        FloatVector t32 = p.add(FloatVector.fromArray(S, du, o + 15 * xs));
        // G^T t: rows t0 + (t1+t2)/2, (t1-t2)/2, (t1+t2)/2 + t3
        FloatVector m0 = t10.add(t20).mul(0.5f);
        FloatVector m1 = t11.add(t21).mul(0.5f);
        FloatVector m2 = t12.add(t22).mul(0.5f);
        t00.add(m0).intoArray(taps, 0);
        t01.add(m1).intoArray(taps, L);
        t02.add(m2).intoArray(taps, 2 * L);
        t10.sub(t20).mul(0.5f).intoArray(taps, 3 * L);
        t11.sub(t21).mul(0.5f).intoArray(taps, 4 * L);
        t12.sub(t22).mul(0.5f).intoArray(taps, 5 * L);
        m0.add(t30).intoArray(taps, 6 * L);
        m1.add(t31).intoArray(taps, 7 * L);
        m2.add(t32).intoArray(taps, 8 * L);
    }
}
