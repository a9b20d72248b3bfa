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
     * Runs at least this long take {@link #gather} and {@link #scatterAdd}, their last vector
     * masked. (Before the masks, runs shorter than 2L stayed element by element; with 28-output
     * runs, ResNet's 3x3 stride-2 layer at 56x56, that im2col took 4.3-7.9 ms at batch 8 on Zen 4,
     * 2.3-3.0 with them.)
     */
    static final int MIN_GATHER = L / 2;

    /**
     * {@code col[d + i] = x[s + 2i]} for i from 0 while the two source vectors of each vector of
     * i lie inside x, the last vector of the run stored under a mask; returns how many were copied.
     * (im2col of ResNet's 3x3 stride-2 layers: runs of 28 and 14 outputs; its runs of 7 stay below
     * {@link #MIN_GATHER}, element by element.)
     */
    static int gather(float[] x, int s, float[] col, int d, int n) {
        int i = 0;
        for (; i < n && s + 2 * i + 2 * L <= x.length; i += L) {
            FloatVector v = even(x, s + 2 * i);
            if (i + L <= n) {
                v.intoArray(col, d + i);
            } else {
                v.intoArray(col, d + i, S.indexInRange(0, n - i));
                return n;
            }
        }
        return i;
    }

    /** {@code x[s + 2i]} for i below L, from two whole vectors of x (the caller keeps s + 2L inside x). */
    static FloatVector even(float[] x, int s) {
        return FloatVector.fromArray(S, x, s).rearrange(EVEN, FloatVector.fromArray(S, x, s + L));
    }

    /**
     * {@code x[d + 2i] += col[s + i]} for i from 0 while the two vectors of x each vector of i
     * touches lie inside x; vectors inside the run write their odd lanes back unchanged, the last
     * vector of the run (whole or not) writes only the even lanes it adds to (masked stores: the
     * element after the run, which may open the next plane, another thread's, is never written).
     * Returns how many were added.
     */
    static int scatterAdd(float[] col, int s, float[] x, int d, int n) {
        int i = 0;
        for (; i < n && d + 2 * i + 2 * L <= x.length; i += L) {
            int at = d + 2 * i;
            if (i + L < n) {
                FloatVector c = FloatVector.fromArray(S, col, s + i);
                FloatVector.fromArray(S, x, at).add(c.rearrange(SPREAD_LO), EVEN_LANES).intoArray(x, at);
                FloatVector.fromArray(S, x, at + L).add(c.rearrange(SPREAD_HI), EVEN_LANES).intoArray(x, at + L);
            } else {
                int r = n - i;
                FloatVector c = FloatVector.fromArray(S, col, s + i, S.indexInRange(0, r));
                VectorMask<Float> lo = EVEN_LANES.and(S.indexInRange(0, 2 * r));
                FloatVector.fromArray(S, x, at).add(c.rearrange(SPREAD_LO)).intoArray(x, at, lo);
                if (2 * r > L) {
                    VectorMask<Float> hi = EVEN_LANES.and(S.indexInRange(0, 2 * r - L));
                    FloatVector.fromArray(S, x, at + L).add(c.rearrange(SPREAD_HI)).intoArray(x, at + L, hi);
                }
                return n;
            }
        }
        return i;
    }
}
