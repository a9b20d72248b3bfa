package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The strided runs of im2col and col2im for stride-2 convolutions (ResNet's first 7x7 layer, its
 * 3x3 and 1x1 downsampling layers), a vector of outputs at a time: two vectors of a row of x hold
 * L outputs' inputs in their even lanes, taken out by one two-vector shuffle (and put back by two
 * one-vector shuffles and masked adds). Element by element these runs were most of a stride-2
 * layer's im2col and col2im (ResNet-18's 7x7 layer: 14.7 million strided copies a batch of 8).
 * Only whole vectors that stay inside the arrays are done here; the caller finishes the run.
 */
final class VectorStride2 {
    private VectorStride2() {}

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    /** Lane k of the result takes lane 2k of the pair (lanes of the second vector wrap to exceptional indexes). */
    private static final VectorShuffle<Float> EVEN = VectorShuffle.iota(S, 0, 2, false);
    /** Lane k takes lane k/2 (the first half of L outputs spread over the even lanes)... */
    private static final VectorShuffle<Float> SPREAD_LO = VectorShuffle.fromOp(S, k -> k / 2);
    /** ... and lane k takes lane L/2 + k/2 (the second half). */
    private static final VectorShuffle<Float> SPREAD_HI = VectorShuffle.fromOp(S, k -> L / 2 + k / 2);
    private static final VectorMask<Float> EVEN_LANES = VectorMask.fromLong(S, 0x5555_5555_5555_5555L);
    /**
     * Shorter runs stay element by element: with 28-output runs (ResNet's 3x3 stride-2 layer at
     * 56x56) one vector and 12 elements measured no faster than 28 elements (ConvProfile forward
     * 6.7 against 7.6 ms in one A/B, within this machine's noise), with 112-output runs (its 7x7
     * layer) clearly faster (20-25 against 15-19 ms).
     */
    static final int MIN_RUN = 2 * L;

    /**
     * {@code col[d + i] = x[s + 2i]} for i from 0 while a whole vector of i fits in n and its two
     * source vectors inside x; returns how many were copied (a multiple of L).
     */
    static int gather(float[] x, int s, float[] col, int d, int n) {
        int i = 0;
        for (; i + L <= n && s + 2 * i + 2 * L <= x.length; i += L) {
            FloatVector v0 = FloatVector.fromArray(S, x, s + 2 * i);
            FloatVector v1 = FloatVector.fromArray(S, x, s + 2 * i + L);
            v0.rearrange(EVEN, v1).intoArray(col, d + i);
        }
        return i;
    }

    /** {@code x[s + 2i]} for i below L, from two whole vectors of x (the caller keeps s + 2L inside x). */
    static FloatVector even(float[] x, int s) {
        return FloatVector.fromArray(S, x, s).rearrange(EVEN, FloatVector.fromArray(S, x, s + L));
    }

    /**
     * {@code x[d + 2i] += col[s + i]} for i from 0 while a whole vector of i fits in n and the two
     * vectors of x it touches lie inside x (their odd lanes are written back unchanged); returns
     * how many were added.
     */
    static int scatterAdd(float[] col, int s, float[] x, int d, int n) {
        int i = 0;
        for (; i + L <= n && d + 2 * i + 2 * L <= x.length; i += L) {
            FloatVector c = FloatVector.fromArray(S, col, s + i);
            int at = d + 2 * i;
            FloatVector.fromArray(S, x, at).add(c.rearrange(SPREAD_LO), EVEN_LANES).intoArray(x, at);
            FloatVector.fromArray(S, x, at + L).add(c.rearrange(SPREAD_HI), EVEN_LANES).intoArray(x, at + L);
        }
        return i;
    }
}
