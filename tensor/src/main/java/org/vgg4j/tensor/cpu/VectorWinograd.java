package org.vgg4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;
import org.vgg4j.tensor.ConvGeometry;

/**
 * The transforms of {@link CpuWinograd} on the Vector API, one vector lane per channel. The
 * transformed tensors are tile-major, {@code V [16][T][C]}, {@code M [16][T][O]}, so the 16
 * channels of a block are one full vector (one cache line on AVX-512) in every xi slice. Each task
 * first gathers the planes of a block of channels into a zero-padded scratch image with the
 * channels interleaved ({@code [h][w][lane]}); every tile then reads whole vectors.
 *
 * <p>Channel counts that are not a multiple of the vector length end in a masked block.
 */
final class VectorWinograd {
    private VectorWinograd() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();

    private static FloatVector ld(float[] a, int at) {
        return FloatVector.fromArray(S, a, at);
    }

    private static FloatVector ld(float[] a, int at, VectorMask<Float> m, boolean full) {
        return full ? FloatVector.fromArray(S, a, at) : FloatVector.fromArray(S, a, at, m);
    }

    private static void st(FloatVector v, float[] a, int at, VectorMask<Float> m, boolean full) {
        if (full) {
            v.intoArray(a, at);
        } else {
            v.intoArray(a, at, m);
        }
    }

    /** A body over (image of the chunk, first channel of a block, channels in the block). */
    @FunctionalInterface
    interface BlockBody {
        void run(int image, int c0, int cb, float[] scratch);
    }

    /** Runs body over nb images x blocks of L channels in parallel, with a scratch of the given size. */
    static void forEachBlock(int nb, int channels, int per, int scratch, BlockBody body) {
        int blocks = (channels + L - 1) / L;
        Parallel.parallelRange((long) nb * blocks, Math.max(1, 256 / Math.max(1, per)), (lo, hi) -> {
            float[] p = CpuWinograd.scratch(scratch);
            for (long q = lo; q < hi; q++) {
                int i = (int) (q / blocks);
                int c0 = (int) (q % blocks) * L;
                body.run(i, c0, Math.min(L, channels - c0), p);
            }
        });
    }

    /**
     * Copies rows x cols pixels of cb planes (plane l at {@code src[plane0 + l*planeSize]}, rows
     * {@code srcW} apart) into p with the planes interleaved: lane l of pixel (h, w) at
     * {@code p[at + (h*pw + w)*L + l]}.
     */
    private static void interleave(float[] src, int plane0, int planeSize, int cb, int rows, int cols, int srcW,
                                   float[] p, int at, int pw) {
        for (int l = 0; l < cb; l++) {
            int plane = plane0 + l * planeSize;
            for (int h = 0; h < rows; h++) {
                int dst = at + h * pw * L + l;
                int s = plane + h * srcW;
                for (int w = 0; w < cols; w++, dst += L) {
                    p[dst] = src[s + w];
                }
            }
        }
    }

    /** V [16][T][C] = B^T d B for every input tile of images n0 .. n0+nb-1. */
    static void inputTransform(float[] x, int n0, int nb, ConvGeometry g, float[] v, int t) {
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int tH = (g.outH() + 1) / 2;
        int tW = (g.outW() + 1) / 2;
        int per = tH * tW;
        int xs = t * inC;
        int wp = 2 * tW + 2;
        int hp = 2 * tH + 2;
        int rows = Math.min(inH, hp - g.padH());
        int cols = Math.min(inW, wp - g.padW());
        int rs = wp * L;
        forEachBlock(nb, inC, per, hp * wp * L, (i, c0, cb, p) -> {
            Arrays.fill(p, 0, hp * wp * L, 0f);
            interleave(x, ((n0 + i) * inC + c0) * inH * inW, inH * inW, cb, rows, cols, inW, p,
                (g.padH() * wp + g.padW()) * L, wp);
            boolean full = cb == L;
            VectorMask<Float> m = S.indexInRange(0, cb);
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    inputTile(p, (2 * ty * wp + 2 * tx) * L, rs, v, ((i * per) + ty * tW + tx) * inC + c0, xs, m, full);
                }
            }
        });
    }

    /** One input tile: the 4x4 pixels at p[r0 ..] (rows rs apart) to 16 slices of v at v[o + xi*xs]. */
    private static void inputTile(float[] p, int r0, int rs, float[] v, int o, int xs, VectorMask<Float> m,
                                  boolean full) {
        int r1 = r0 + rs;
        int r2 = r1 + rs;
        int r3 = r2 + rs;
        FloatVector d10 = ld(p, r1);
        FloatVector d11 = ld(p, r1 + L);
        FloatVector d12 = ld(p, r1 + 2 * L);
        FloatVector d13 = ld(p, r1 + 3 * L);
        FloatVector d20 = ld(p, r2);
        FloatVector d21 = ld(p, r2 + L);
        FloatVector d22 = ld(p, r2 + 2 * L);
        FloatVector d23 = ld(p, r2 + 3 * L);
        // rows of B^T d: d0 - d2, d1 + d2, d2 - d1, d1 - d3; each times B
        inRow(v, o, xs, ld(p, r0).sub(d20), ld(p, r0 + L).sub(d21), ld(p, r0 + 2 * L).sub(d22),
            ld(p, r0 + 3 * L).sub(d23), m, full);
        inRow(v, o + 4 * xs, xs, d10.add(d20), d11.add(d21), d12.add(d22), d13.add(d23), m, full);
        inRow(v, o + 8 * xs, xs, d20.sub(d10), d21.sub(d11), d22.sub(d12), d23.sub(d13), m, full);
        inRow(v, o + 12 * xs, xs, d10.sub(ld(p, r3)), d11.sub(ld(p, r3 + L)), d12.sub(ld(p, r3 + 2 * L)),
            d13.sub(ld(p, r3 + 3 * L)), m, full);
    }

    private static void inRow(float[] v, int o, int xs, FloatVector q0, FloatVector q1, FloatVector q2,
                              FloatVector q3, VectorMask<Float> m, boolean full) {
        st(q0.sub(q2), v, o, m, full);
        st(q1.add(q2), v, o + xs, m, full);
        st(q2.sub(q1), v, o + 2 * xs, m, full);
        st(q1.sub(q3), v, o + 3 * xs, m, full);
    }

    /** y (images n0 ..) = A^T M A (+ bias) for every tile of M [16][T][O], cut at the edge (overwrites). */
    static void outputTransform(float[] mt, int t, ConvGeometry g, float[] y, float[] bias, int n0, int nb) {
        int outC = g.outC();
        int outH = g.outH();
        int outW = g.outW();
        int tH = (outH + 1) / 2;
        int tW = (outW + 1) / 2;
        int per = tH * tW;
        int xs = t * outC;
        int ws = 2 * tW;
        int rs = ws * L;
        forEachBlock(nb, outC, per, 2 * tH * ws * L, (i, o0, cb, p) -> {
            boolean full = cb == L;
            VectorMask<Float> m = S.indexInRange(0, cb);
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    outputTile(mt, ((i * per) + ty * tW + tx) * outC + o0, xs, m, full, p, (2 * ty * ws + 2 * tx) * L, rs);
                }
            }
            for (int l = 0; l < cb; l++) {
                int o = o0 + l;
                float bv = bias == null ? 0f : bias[o];
                int plane = ((n0 + i) * outC + o) * outH * outW;
                for (int h = 0; h < outH; h++) {
                    int src = h * ws * L + l;
                    int dst = plane + h * outW;
                    for (int w = 0; w < outW; w++, src += L) {
                        y[dst + w] = p[src] + bv;
                    }
                }
            }
        });
    }

    /** One output tile: A^T M A of the 16 slices at mt[s + xi*xs] to the 2x2 pixels at p[at ..] (rows rs apart). */
    private static void outputTile(float[] mt, int s, int xs, VectorMask<Float> m, boolean full, float[] p, int at,
                                   int rs) {
        FloatVector b0 = ld(mt, s + 4 * xs, m, full);
        FloatVector b1 = ld(mt, s + 5 * xs, m, full);
        FloatVector b2 = ld(mt, s + 6 * xs, m, full);
        FloatVector b3 = ld(mt, s + 7 * xs, m, full);
        FloatVector c0 = ld(mt, s + 8 * xs, m, full);
        FloatVector c1 = ld(mt, s + 9 * xs, m, full);
        FloatVector c2 = ld(mt, s + 10 * xs, m, full);
        FloatVector c3 = ld(mt, s + 11 * xs, m, full);
        // rows of A^T M: m0 + m1 + m2, m1 - m2 - m3
        FloatVector e0 = ld(mt, s, m, full).add(b0).add(c0);
        FloatVector e1 = ld(mt, s + xs, m, full).add(b1).add(c1);
        FloatVector e2 = ld(mt, s + 2 * xs, m, full).add(b2).add(c2);
        FloatVector e3 = ld(mt, s + 3 * xs, m, full).add(b3).add(c3);
        FloatVector f0 = b0.sub(c0).sub(ld(mt, s + 12 * xs, m, full));
        FloatVector f1 = b1.sub(c1).sub(ld(mt, s + 13 * xs, m, full));
        FloatVector f2 = b2.sub(c2).sub(ld(mt, s + 14 * xs, m, full));
        FloatVector f3 = b3.sub(c3).sub(ld(mt, s + 15 * xs, m, full));
        e0.add(e1).add(e2).intoArray(p, at);
        e1.sub(e2).sub(e3).intoArray(p, at + L);
        f0.add(f1).add(f2).intoArray(p, at + rs);
        f1.sub(f2).sub(f3).intoArray(p, at + rs + L);
    }

    /** dM [16][T][O] = A dY A^T for every 2x2 tile of gradY (zero past the edge). */
    static void gradOutputTransform(float[] gy, int n0, int nb, ConvGeometry g, float[] mt, int t) {
        int outC = g.outC();
        int outH = g.outH();
        int outW = g.outW();
        int tH = (outH + 1) / 2;
        int tW = (outW + 1) / 2;
        int per = tH * tW;
        int xs = t * outC;
        int ws = 2 * tW;
        int rs = ws * L;
        boolean even = outH % 2 == 0 && outW % 2 == 0;
        forEachBlock(nb, outC, per, 2 * tH * ws * L, (i, o0, cb, p) -> {
            if (!even || cb < L) {
                Arrays.fill(p, 0, 2 * tH * ws * L, 0f);
            }
            interleave(gy, ((n0 + i) * outC + o0) * outH * outW, outH * outW, cb, outH, outW, outW, p, 0, ws);
            boolean full = cb == L;
            VectorMask<Float> m = S.indexInRange(0, cb);
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    gradOutputTile(p, (2 * ty * ws + 2 * tx) * L, rs, mt, ((i * per) + ty * tW + tx) * outC + o0, xs, m,
                        full);
                }
            }
        });
    }

    /** One gradient tile: A dY A^T of the 2x2 pixels at p[at ..] (rows rs apart) to the 16 slices at mt[o + xi*xs]. */
    private static void gradOutputTile(float[] p, int at, int rs, float[] mt, int o, int xs, VectorMask<Float> m,
                                       boolean full) {
        FloatVector a = ld(p, at);
        FloatVector b = ld(p, at + L);
        FloatVector c = ld(p, at + rs);
        FloatVector d = ld(p, at + rs + L);
        // A (a b; c d) A^T with A (p, q) = (p, p+q, p-q, -q), rows then columns
        gradRow(mt, o, xs, a, b, m, full);
        gradRow(mt, o + 4 * xs, xs, a.add(c), b.add(d), m, full);
        gradRow(mt, o + 8 * xs, xs, a.sub(c), b.sub(d), m, full);
        gradRow(mt, o + 12 * xs, xs, c.neg(), d.neg(), m, full);
    }

    private static void gradRow(float[] mt, int o, int xs, FloatVector p, FloatVector q, VectorMask<Float> m,
                                boolean full) {
        st(p, mt, o, m, full);
        st(p.add(q), mt, o + xs, m, full);
        st(p.sub(q), mt, o + 2 * xs, m, full);
        st(q.neg(), mt, o + 3 * xs, m, full);
    }

    /** gradX (images n0 ..) = the sum over tiles of B dV B^T for dV [16][T][C], without padding (overwrites). */
    static void gradInputTransform(float[] v, int t, ConvGeometry g, float[] gx, int n0, int nb) {
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int tH = (g.outH() + 1) / 2;
        int tW = (g.outW() + 1) / 2;
        int per = tH * tW;
        int xs = t * inC;
        int wp = 2 * tW + 2;
        int hp = 2 * tH + 2;
        int rs = wp * L;
        forEachBlock(nb, inC, per, hp * wp * L, (i, c0, cb, p) -> {
            Arrays.fill(p, 0, hp * wp * L, 0f);
            boolean full = cb == L;
            VectorMask<Float> m = S.indexInRange(0, cb);
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    gradInputTile(v, ((i * per) + ty * tW + tx) * inC + c0, xs, m, full, p, (2 * ty * wp + 2 * tx) * L, rs);
                }
            }
            int covered = Math.max(0, Math.min(inW, wp - g.padW()));
            for (int l = 0; l < cb; l++) {
                int plane = ((n0 + i) * inC + c0 + l) * inH * inW;
                for (int h = 0; h < inH; h++) {
                    int ph = h + g.padH();
                    int dst = plane + h * inW;
                    int n = ph < hp ? covered : 0; // pixels no tile reads have a zero gradient
                    int src = (ph * wp + g.padW()) * L + l;
                    for (int w = 0; w < n; w++, src += L) {
                        gx[dst + w] = p[src];
                    }
                    for (int w = n; w < inW; w++) {
                        gx[dst + w] = 0f;
                    }
                }
            }
        });
    }

    /** One input-gradient tile: B dV B^T of the 16 slices at v[s + xi*xs] added to the 4x4 pixels at p[r0 ..]. */
    private static void gradInputTile(float[] v, int s, int xs, VectorMask<Float> m, boolean full, float[] p, int r0,
                                      int rs) {
        // rows of B dV: v0, v1 - v2 + v3, v1 + v2 - v0, -v3 (four columns each), then times B^T
        FloatVector a0 = ld(v, s, m, full);
        FloatVector a1 = ld(v, s + xs, m, full);
        FloatVector a2 = ld(v, s + 2 * xs, m, full);
        FloatVector a3 = ld(v, s + 3 * xs, m, full);
        FloatVector b0 = ld(v, s + 4 * xs, m, full);
        FloatVector b1 = ld(v, s + 5 * xs, m, full);
        FloatVector b2 = ld(v, s + 6 * xs, m, full);
        FloatVector b3 = ld(v, s + 7 * xs, m, full);
        FloatVector c0 = ld(v, s + 8 * xs, m, full);
        FloatVector c1 = ld(v, s + 9 * xs, m, full);
        FloatVector c2 = ld(v, s + 10 * xs, m, full);
        FloatVector c3 = ld(v, s + 11 * xs, m, full);
        FloatVector d0 = ld(v, s + 12 * xs, m, full);
        FloatVector d1 = ld(v, s + 13 * xs, m, full);
        FloatVector d2 = ld(v, s + 14 * xs, m, full);
        FloatVector d3 = ld(v, s + 15 * xs, m, full);
        addRow(p, r0, a0, a1, a2, a3);
        addRow(p, r0 + rs, b0.sub(c0).add(d0), b1.sub(c1).add(d1), b2.sub(c2).add(d2), b3.sub(c3).add(d3));
        addRow(p, r0 + 2 * rs, b0.add(c0).sub(a0), b1.add(c1).sub(a1), b2.add(c2).sub(a2), b3.add(c3).sub(a3));
        addRow(p, r0 + 3 * rs, d0.neg(), d1.neg(), d2.neg(), d3.neg());
    }

    /** Adds (row) B^T, i.e. (q0, q1 - q2 + q3, q1 + q2 - q0, -q3), to the four pixels at p[at ..]. */
    private static void addRow(float[] p, int at, FloatVector q0, FloatVector q1, FloatVector q2, FloatVector q3) {
        ld(p, at).add(q0).intoArray(p, at);
        ld(p, at + L).add(q1.sub(q2).add(q3)).intoArray(p, at + L);
        ld(p, at + 2 * L).add(q1.add(q2).sub(q0)).intoArray(p, at + 2 * L);
        ld(p, at + 3 * L).sub(q3).intoArray(p, at + 3 * L);
    }
}
