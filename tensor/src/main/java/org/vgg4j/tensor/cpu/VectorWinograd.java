package org.vgg4j.tensor.cpu;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.vgg4j.tensor.ConvGeometry;

/**
 * The transforms of {@link CpuWinograd} on the Vector API, one vector lane per channel. The
 * transformed tensors are tile-major, {@code V [16][T][C]}, {@code M [16][T][O]}, so the 16
 * channels of a block are one full vector (one cache line on AVX-512) in every xi slice. Each task
 * first gathers the planes of a block of channels into a zero-padded scratch image with the
 * channels interleaved ({@code [h][w][lane]}); every tile then reads whole vectors.
 *
 * <p>Channel counts that are not a multiple of the vector length end in a block that goes through
 * a small staging array. The tile methods are straight-line and take no vectors or masks as
 * arguments: a FloatVector or VectorMask that crosses a call C2 does not inline is boxed, and a
 * masked load falls back to a Java loop, either of which allocates on every tile.
 */
final class VectorWinograd {
    private VectorWinograd() {}

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Planes of at least this many pixels are interleaved by gathers ({@link #interleave}). */
    private static final int GATHER_PLANES = 2048;
    /** Offsets 0, L, 2L, ...: one lane of L consecutive interleaved pixels, for gathers. */
    private static final int[] LANE_STRIDE = java.util.stream.IntStream.range(0, L).map(j -> j * L).toArray();

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
        if (cb == L && planeSize >= GATHER_PLANES
            && (long) (L - 1) * planeSize + plane0 + (long) (rows - 1) * srcW + cols <= src.length) {
            // a full block: each pixel's L lanes in one gather across the planes, stored as one vector
            // (WinoBench, alternating: the input transform of 224x224x64 8.9/9.7 -> 7.8/8.1 ms,
            // 112x112x128 5.5/5.5 -> 4.1/4.8, 56x56x256 2.7/3.0 -> 2.0/2.3; 28x28x512 slower, 1.8/1.5
            // -> 1.9/2.1, so small planes keep the scalar copy)
            int[] across = new int[L];
            for (int l = 0; l < L; l++) {
                across[l] = l * planeSize;
            }
            for (int h = 0; h < rows; h++) {
                int dst = at + h * pw * L;
                int s = plane0 + h * srcW;
                for (int w = 0; w < cols; w++, dst += L) {
                    FloatVector.fromArray(S, src, s + w, across, 0).intoArray(p, dst);
                }
            }
            return;
        }
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

    /** The cb lanes of the 16 slices src[o + xi*xs] into stage[xi*L ..] (a last, partial block). */
    static void stage(float[] src, int o, int xs, int cb, float[] stage) {
        for (int xi = 0; xi < 16; xi++) {
            System.arraycopy(src, o + xi * xs, stage, xi * L, cb);
        }
    }

    /** The inverse of {@link #stage}: the first cb lanes of stage[xi*L ..] to dst[o + xi*xs]. */
    static void unstage(float[] stage, float[] dst, int o, int xs, int cb) {
        for (int xi = 0; xi < 16; xi++) {
            System.arraycopy(stage, xi * L, dst, o + xi * xs, cb);
        }
    }

    /** V [16][T][C] = B^T d B for every input tile of images n0 .. n0+nb-1. */
    static void inputTransform(float[] x, int n0, int nb, ConvGeometry g, float[] v, int t) {
        inputTransform(x, n0, nb, 0, (g.outH() + 1) / 2, g, v, t);
    }

    /**
     * V [16][T][C] = B^T d B for the tile rows {@code ty0 .. ty0+tyN-1} of images n0 .. n0+nb-1
     * (tile {@code (ty, tx)} of image i at {@code i * tyN * tW + (ty - ty0) * tW + tx}): a band of
     * one large image keeps V and M in cache where the whole image would not.
     */
    static void inputTransform(float[] x, int n0, int nb, int ty0, int tyN, ConvGeometry g, float[] v, int t) {
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int tW = (g.outW() + 1) / 2;
        int per = tyN * tW;
        int xs = t * inC;
        int wp = 2 * tW + 2;
        int hp = 2 * tyN + 2;
        int r0 = 2 * ty0 - g.padH(); // the image row at the band's first padded row
        int first = Math.max(0, r0);
        int rows = Math.max(0, Math.min(inH, r0 + hp) - first);
        int cols = Math.min(inW, wp - g.padW());
        int rs = wp * L;
        forEachBlock(nb, inC, per, hp * wp * L, (i, c0, cb, p) -> {
            float[] stage = cb < L ? new float[16 * L] : null; // a last block of fewer than L channels
            Arrays.fill(p, 0, hp * wp * L, 0f);
            interleave(x, ((n0 + i) * inC + c0) * inH * inW + first * inW, inH * inW, cb, rows, cols, inW, p,
                ((first - r0) * wp + g.padW()) * L, wp);
            for (int ty = 0; ty < tyN; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    int o = ((i * per) + ty * tW + tx) * inC + c0;
                    if (stage == null) {
                        inputTile(p, (2 * ty * wp + 2 * tx) * L, rs, v, o, xs);
                    } else {
                        inputTile(p, (2 * ty * wp + 2 * tx) * L, rs, stage, 0, L);
                        unstage(stage, v, o, xs, cb);
                    }
                }
            }
        });
    }

    /**
     * One input tile: the 4x4 pixels at p[r0 ..] (rows rs apart) to the 16 slices v[o + xi*xs].
     * Straight-line code on purpose: a FloatVector passed to a helper that C2 does not inline is
     * boxed, and these run millions of times a step.
     */
    private static void inputTile(float[] p, int r0, int rs, float[] v, int o, int xs) {
        int r1 = r0 + rs;
        int r2 = r1 + rs;
        int r3 = r2 + rs;
        FloatVector d10 = FloatVector.fromArray(S, p, r1);
        FloatVector d11 = FloatVector.fromArray(S, p, r1 + L);
        FloatVector d12 = FloatVector.fromArray(S, p, r1 + 2 * L);
        FloatVector d13 = FloatVector.fromArray(S, p, r1 + 3 * L);
        FloatVector d20 = FloatVector.fromArray(S, p, r2);
        FloatVector d21 = FloatVector.fromArray(S, p, r2 + L);
        FloatVector d22 = FloatVector.fromArray(S, p, r2 + 2 * L);
        FloatVector d23 = FloatVector.fromArray(S, p, r2 + 3 * L);
        // rows of B^T d: d0 - d2, d1 + d2, d2 - d1, d1 - d3; each row (q0..q3) times B is
        // (q0 - q2, q1 + q2, q2 - q1, q1 - q3)
        FloatVector q0 = FloatVector.fromArray(S, p, r0).sub(d20);
        FloatVector q1 = FloatVector.fromArray(S, p, r0 + L).sub(d21);
        FloatVector q2 = FloatVector.fromArray(S, p, r0 + 2 * L).sub(d22);
        FloatVector q3 = FloatVector.fromArray(S, p, r0 + 3 * L).sub(d23);
        q0.sub(q2).intoArray(v, o);
        q1.add(q2).intoArray(v, o + xs);
        q2.sub(q1).intoArray(v, o + 2 * xs);
        q1.sub(q3).intoArray(v, o + 3 * xs);
        q0 = d10.add(d20);
        q1 = d11.add(d21);
        q2 = d12.add(d22);
        q3 = d13.add(d23);
        q0.sub(q2).intoArray(v, o + 4 * xs);
        q1.add(q2).intoArray(v, o + 5 * xs);
        q2.sub(q1).intoArray(v, o + 6 * xs);
        q1.sub(q3).intoArray(v, o + 7 * xs);
        q0 = d20.sub(d10);
        q1 = d21.sub(d11);
        q2 = d22.sub(d12);
        q3 = d23.sub(d13);
        q0.sub(q2).intoArray(v, o + 8 * xs);
        q1.add(q2).intoArray(v, o + 9 * xs);
        q2.sub(q1).intoArray(v, o + 10 * xs);
        q1.sub(q3).intoArray(v, o + 11 * xs);
        q0 = d10.sub(FloatVector.fromArray(S, p, r3));
        q1 = d11.sub(FloatVector.fromArray(S, p, r3 + L));
        q2 = d12.sub(FloatVector.fromArray(S, p, r3 + 2 * L));
        q3 = d13.sub(FloatVector.fromArray(S, p, r3 + 3 * L));
        q0.sub(q2).intoArray(v, o + 12 * xs);
        q1.add(q2).intoArray(v, o + 13 * xs);
        q2.sub(q1).intoArray(v, o + 14 * xs);
        q1.sub(q3).intoArray(v, o + 15 * xs);
    }

    /** y (images n0 ..) = A^T M A (+ bias) for every tile of M [16][T][O], cut at the edge (overwrites). */
    static void outputTransform(float[] mt, int t, ConvGeometry g, float[] y, float[] bias, int n0, int nb) {
        outputTransform(mt, t, g, y, bias, n0, nb, 0, (g.outH() + 1) / 2, false);
    }

    /** The same for the tile rows {@code ty0 .. ty0+tyN-1} (output rows 2*ty0 ..), tiles numbered as {@link #inputTransform}. */
    static void outputTransform(float[] mt, int t, ConvGeometry g, float[] y, float[] bias, int n0, int nb, int ty0,
                                int tyN, boolean relu) {
        float floor = relu ? 0f : Float.NEGATIVE_INFINITY; // max(v, -inf) is v, NaN included
        int outC = g.outC();
        int outH = g.outH();
        int outW = g.outW();
        int tW = (outW + 1) / 2;
        int per = tyN * tW;
        int xs = t * outC;
        int ws = 2 * tW;
        int rs = ws * L;
        int h0 = 2 * ty0;
        int h1 = Math.min(outH, 2 * (ty0 + tyN));
        forEachBlock(nb, outC, per, 2 * tyN * ws * L, (i, o0, cb, p) -> {
            float[] stage = cb < L ? new float[16 * L] : null; // a last block of fewer than L channels
            for (int ty = 0; ty < tyN; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    int o = ((i * per) + ty * tW + tx) * outC + o0;
                    if (stage == null) {
                        outputTile(mt, o, xs, p, (2 * ty * ws + 2 * tx) * L, rs);
                    } else {
                        stage(mt, o, xs, cb, stage);
                        outputTile(stage, 0, L, p, (2 * ty * ws + 2 * tx) * L, rs);
                    }
                }
            }
            for (int l = 0; l < cb; l++) {
                int o = o0 + l;
                float bv = bias == null ? 0f : bias[o];
                int plane = ((n0 + i) * outC + o) * outH * outW;
                for (int h = h0; h < h1; h++) {
                    int src = (h - h0) * ws * L + l;
                    int dst = plane + h * outW;
                    int w = 0;
                    // L pixels of lane l at a time: one gather from the interleaved rows
                    for (; w + L <= outW; w += L, src += L * L) {
                        FloatVector.fromArray(S, p, src, LANE_STRIDE, 0).add(bv).max(floor).intoArray(y, dst + w);
                    }
                    for (; w < outW; w++, src += L) {
                        y[dst + w] = Math.max(p[src] + bv, floor);
                    }
                }
            }
        });
    }

    /** One output tile: A^T M A of the 16 slices mt[s + xi*xs] to the 2x2 pixels at p[at ..] (rows rs apart). */
    private static void outputTile(float[] mt, int s, int xs, float[] p, int at, int rs) {
        FloatVector b0 = FloatVector.fromArray(S, mt, s + 4 * xs);
        FloatVector b1 = FloatVector.fromArray(S, mt, s + 5 * xs);
        FloatVector b2 = FloatVector.fromArray(S, mt, s + 6 * xs);
        FloatVector b3 = FloatVector.fromArray(S, mt, s + 7 * xs);
        FloatVector c0 = FloatVector.fromArray(S, mt, s + 8 * xs);
        FloatVector c1 = FloatVector.fromArray(S, mt, s + 9 * xs);
        FloatVector c2 = FloatVector.fromArray(S, mt, s + 10 * xs);
        FloatVector c3 = FloatVector.fromArray(S, mt, s + 11 * xs);
        // rows of A^T M: m0 + m1 + m2, m1 - m2 - m3; each row (e0..e3) times A is (e0 + e1 + e2, e1 - e2 - e3)
        FloatVector e0 = FloatVector.fromArray(S, mt, s).add(b0).add(c0);
        FloatVector e1 = FloatVector.fromArray(S, mt, s + xs).add(b1).add(c1);
        FloatVector e2 = FloatVector.fromArray(S, mt, s + 2 * xs).add(b2).add(c2);
        FloatVector e3 = FloatVector.fromArray(S, mt, s + 3 * xs).add(b3).add(c3);
        FloatVector f0 = b0.sub(c0).sub(FloatVector.fromArray(S, mt, s + 12 * xs));
        FloatVector f1 = b1.sub(c1).sub(FloatVector.fromArray(S, mt, s + 13 * xs));
        FloatVector f2 = b2.sub(c2).sub(FloatVector.fromArray(S, mt, s + 14 * xs));
        FloatVector f3 = b3.sub(c3).sub(FloatVector.fromArray(S, mt, s + 15 * xs));
        e0.add(e1).add(e2).intoArray(p, at);
        e1.sub(e2).sub(e3).intoArray(p, at + L);
        f0.add(f1).add(f2).intoArray(p, at + rs);
        f1.sub(f2).sub(f3).intoArray(p, at + rs + L);
    }

    /** dM [16][T][O] = A dY A^T for every 2x2 tile of gradY (zero past the edge). */
    static void gradOutputTransform(float[] gy, int n0, int nb, ConvGeometry g, float[] mt, int t) {
        gradOutputTransform(gy, n0, nb, 0, (g.outH() + 1) / 2, g, mt, t);
    }

    /** The same for the tile rows {@code ty0 .. ty0+tyN-1}, tiles numbered as {@link #inputTransform}'s band. */
    static void gradOutputTransform(float[] gy, int n0, int nb, int ty0, int tyN, ConvGeometry g, float[] mt, int t) {
        int outC = g.outC();
        int outH = g.outH();
        int outW = g.outW();
        int tH = tyN;
        int tW = (outW + 1) / 2;
        int per = tH * tW;
        int xs = t * outC;
        int ws = 2 * tW;
        int rs = ws * L;
        int h0 = 2 * ty0;
        int rows = Math.min(outH, h0 + 2 * tH) - h0;
        boolean even = rows == 2 * tH && outW % 2 == 0;
        forEachBlock(nb, outC, per, 2 * tH * ws * L, (i, o0, cb, p) -> {
            float[] stage = cb < L ? new float[16 * L] : null; // a last block of fewer than L channels
            if (!even || cb < L) {
                Arrays.fill(p, 0, 2 * tH * ws * L, 0f);
            }
            interleave(gy, ((n0 + i) * outC + o0) * outH * outW + h0 * outW, outH * outW, cb, rows, outW, outW, p, 0,
                ws);
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    int o = ((i * per) + ty * tW + tx) * outC + o0;
                    if (stage == null) {
                        gradOutputTile(p, (2 * ty * ws + 2 * tx) * L, rs, mt, o, xs);
                    } else {
                        gradOutputTile(p, (2 * ty * ws + 2 * tx) * L, rs, stage, 0, L);
                        unstage(stage, mt, o, xs, cb);
                    }
                }
            }
        });
    }

    /** One gradient tile: A dY A^T of the 2x2 pixels at p[at ..] (rows rs apart) to the 16 slices mt[o + xi*xs]. */
    private static void gradOutputTile(float[] p, int at, int rs, float[] mt, int o, int xs) {
        FloatVector a = FloatVector.fromArray(S, p, at);
        FloatVector b = FloatVector.fromArray(S, p, at + L);
        FloatVector c = FloatVector.fromArray(S, p, at + rs);
        FloatVector d = FloatVector.fromArray(S, p, at + rs + L);
        // A (a b; c d) A^T with A (p, q) = (p, p+q, p-q, -q): rows (a, b), (a+c, b+d), (a-c, b-d), (-c, -d)
        a.intoArray(mt, o);
        a.add(b).intoArray(mt, o + xs);
        a.sub(b).intoArray(mt, o + 2 * xs);
        b.neg().intoArray(mt, o + 3 * xs);
        FloatVector pp = a.add(c);
        FloatVector qq = b.add(d);
        pp.intoArray(mt, o + 4 * xs);
        pp.add(qq).intoArray(mt, o + 5 * xs);
        pp.sub(qq).intoArray(mt, o + 6 * xs);
        qq.neg().intoArray(mt, o + 7 * xs);
        pp = a.sub(c);
        qq = b.sub(d);
        pp.intoArray(mt, o + 8 * xs);
        pp.add(qq).intoArray(mt, o + 9 * xs);
        pp.sub(qq).intoArray(mt, o + 10 * xs);
        qq.neg().intoArray(mt, o + 11 * xs);
        pp = c.neg();
        qq = d.neg();
        pp.intoArray(mt, o + 12 * xs);
        pp.add(qq).intoArray(mt, o + 13 * xs);
        pp.sub(qq).intoArray(mt, o + 14 * xs);
        qq.neg().intoArray(mt, o + 15 * xs);
    }

    /**
     * The input gradient of the tile rows {@code ty0 .. ty0+tyN-1} of image n (dV numbered as
     * {@link #inputTransform}'s band) written to the image rows those tiles read. A band shares
     * its first two rows with the band above and its last two with the band below: those are
     * added to when {@code addTop} / {@code addBottom} (the neighbour wrote them first), written
     * otherwise. The last band ({@code last}) zeroes the rows below that no tile reads. Bands
     * that share no row may run at once.
     */
    static void gradInputTransform(float[] v, int t, ConvGeometry g, float[] gx, int n, int ty0, int tyN,
                                   boolean addTop, boolean addBottom, boolean last) {
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int tW = (g.outW() + 1) / 2;
        int per = tyN * tW;
        int xs = t * inC;
        int wp = 2 * tW + 2;
        int hp = 2 * tyN + 2;
        int rs = wp * L;
        int r0 = 2 * ty0 - g.padH(); // the image row of the band's first padded row
        forEachBlock(1, inC, per, hp * wp * L, (i, c0, cb, p) -> {
            float[] stage = cb < L ? new float[16 * L] : null; // a last block of fewer than L channels
            Arrays.fill(p, 0, hp * wp * L, 0f);
            for (int ty = 0; ty < tyN; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    int o = (ty * tW + tx) * inC + c0;
                    if (stage == null) {
                        gradInputTile(v, o, xs, p, (2 * ty * wp + 2 * tx) * L, rs);
                    } else {
                        stage(v, o, xs, cb, stage);
                        gradInputTile(stage, 0, L, p, (2 * ty * wp + 2 * tx) * L, rs);
                    }
                }
            }
            int covered = Math.max(0, Math.min(inW, wp - g.padW()));
            int end = last ? inH : Math.min(inH, r0 + hp);
            for (int l = 0; l < cb; l++) {
                int plane = (n * inC + c0 + l) * inH * inW;
                for (int h = Math.max(0, r0); h < end; h++) {
                    int lr = h - r0;
                    int dst = plane + h * inW;
                    if (lr >= hp) {
                        Arrays.fill(gx, dst, dst + inW, 0f); // no tile reads it
                        continue;
                    }
                    int src = (lr * wp + g.padW()) * L + l;
                    if ((lr < 2 && addTop) || (lr >= hp - 2 && addBottom)) {
                        for (int w = 0; w < covered; w++, src += L) {
                            gx[dst + w] += p[src];
                        }
                    } else {
                        for (int w = 0; w < covered; w++, src += L) {
                            gx[dst + w] = p[src];
                        }
                        for (int w = covered; w < inW; w++) {
                            gx[dst + w] = 0f;
                        }
                    }
                }
            }
        });
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
            float[] stage = cb < L ? new float[16 * L] : null; // a last block of fewer than L channels
            Arrays.fill(p, 0, hp * wp * L, 0f);
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++) {
                    int o = ((i * per) + ty * tW + tx) * inC + c0;
                    if (stage == null) {
                        gradInputTile(v, o, xs, p, (2 * ty * wp + 2 * tx) * L, rs);
                    } else {
                        stage(v, o, xs, cb, stage);
                        gradInputTile(stage, 0, L, p, (2 * ty * wp + 2 * tx) * L, rs);
                    }
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

    /**
     * One input-gradient tile: B dV B^T of the 16 slices v[s + xi*xs] added to the 4x4 pixels at
     * p[r0 ..] (rows rs apart). dV's rows a..d times B^T, per row x: (x0, x1 - x2 + x3, x1 + x2 - x0,
     * -x3); then B on the left adds, per pixel column, a to row 0, b - c + d to row 1,
     * b + c - a to row 2 and -d to row 3.
     */
    private static void gradInputTile(float[] v, int s, int xs, float[] p, int r0, int rs) {
        int r1 = r0 + rs;
        int r2 = r1 + rs;
        int r3 = r2 + rs;
        FloatVector a0 = FloatVector.fromArray(S, v, s + 0 * xs);
        FloatVector a1 = FloatVector.fromArray(S, v, s + 1 * xs);
        FloatVector a2 = FloatVector.fromArray(S, v, s + 2 * xs);
        FloatVector a3 = FloatVector.fromArray(S, v, s + 3 * xs);
        FloatVector b0 = FloatVector.fromArray(S, v, s + 4 * xs);
        FloatVector b1 = FloatVector.fromArray(S, v, s + 5 * xs);
        FloatVector b2 = FloatVector.fromArray(S, v, s + 6 * xs);
        FloatVector b3 = FloatVector.fromArray(S, v, s + 7 * xs);
        FloatVector c0 = FloatVector.fromArray(S, v, s + 8 * xs);
        FloatVector c1 = FloatVector.fromArray(S, v, s + 9 * xs);
        FloatVector c2 = FloatVector.fromArray(S, v, s + 10 * xs);
        FloatVector c3 = FloatVector.fromArray(S, v, s + 11 * xs);
        FloatVector d0 = FloatVector.fromArray(S, v, s + 12 * xs);
        FloatVector d1 = FloatVector.fromArray(S, v, s + 13 * xs);
        FloatVector d2 = FloatVector.fromArray(S, v, s + 14 * xs);
        FloatVector d3 = FloatVector.fromArray(S, v, s + 15 * xs);
        FloatVector ca;
        FloatVector cb;
        FloatVector cc;
        FloatVector cd;
        // pixel column 0
        ca = a0;
        cb = b0;
        cc = c0;
        cd = d0;
        FloatVector.fromArray(S, p, r0 + 0 * L).add(ca).intoArray(p, r0 + 0 * L);
        FloatVector.fromArray(S, p, r1 + 0 * L).add(cb.sub(cc).add(cd)).intoArray(p, r1 + 0 * L);
        FloatVector.fromArray(S, p, r2 + 0 * L).add(cb.add(cc).sub(ca)).intoArray(p, r2 + 0 * L);
        FloatVector.fromArray(S, p, r3 + 0 * L).sub(cd).intoArray(p, r3 + 0 * L);
        // pixel column 1
        ca = a1.sub(a2).add(a3);
        cb = b1.sub(b2).add(b3);
        cc = c1.sub(c2).add(c3);
        cd = d1.sub(d2).add(d3);
        FloatVector.fromArray(S, p, r0 + 1 * L).add(ca).intoArray(p, r0 + 1 * L);
        FloatVector.fromArray(S, p, r1 + 1 * L).add(cb.sub(cc).add(cd)).intoArray(p, r1 + 1 * L);
        FloatVector.fromArray(S, p, r2 + 1 * L).add(cb.add(cc).sub(ca)).intoArray(p, r2 + 1 * L);
        FloatVector.fromArray(S, p, r3 + 1 * L).sub(cd).intoArray(p, r3 + 1 * L);
        // pixel column 2
        ca = a1.add(a2).sub(a0);
        cb = b1.add(b2).sub(b0);
        cc = c1.add(c2).sub(c0);
        cd = d1.add(d2).sub(d0);
        FloatVector.fromArray(S, p, r0 + 2 * L).add(ca).intoArray(p, r0 + 2 * L);
        FloatVector.fromArray(S, p, r1 + 2 * L).add(cb.sub(cc).add(cd)).intoArray(p, r1 + 2 * L);
        FloatVector.fromArray(S, p, r2 + 2 * L).add(cb.add(cc).sub(ca)).intoArray(p, r2 + 2 * L);
        FloatVector.fromArray(S, p, r3 + 2 * L).sub(cd).intoArray(p, r3 + 2 * L);
        // pixel column 3
        ca = a3.neg();
        cb = b3.neg();
        cc = c3.neg();
        cd = d3.neg();
        FloatVector.fromArray(S, p, r0 + 3 * L).add(ca).intoArray(p, r0 + 3 * L);
        FloatVector.fromArray(S, p, r1 + 3 * L).add(cb.sub(cc).add(cd)).intoArray(p, r1 + 3 * L);
        FloatVector.fromArray(S, p, r2 + 3 * L).add(cb.add(cc).sub(ca)).intoArray(p, r2 + 3 * L);
        FloatVector.fromArray(S, p, r3 + 3 * L).sub(cd).intoArray(p, r3 + 3 * L);
    }
}
