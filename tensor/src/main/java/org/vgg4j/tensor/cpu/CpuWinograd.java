package org.vgg4j.tensor.cpu;

import org.vgg4j.tensor.ConvGeometry;

/**
 * 3x3 stride-1 convolution by Winograd's minimal filtering F(2x2, 3x3) (Lavin and Gray, 2015,
 * "Fast Algorithms for Convolutional Neural Networks"): every 2x2 block of outputs ("tile") reads
 * a 4x4 block of inputs, and
 *
 * <pre>
 *   Y = A^T [ (G g G^T) . (B^T d B) ] A          (. = element-wise)
 *
 *   B^T = | 1  0 -1  0 |     G = | 1    0    0  |     A^T = | 1  1  1  0 |
 *         | 0  1  1  0 |         | 1/2  1/2  1/2 |           | 0  1 -1 -1 |
 *         | 0 -1  1  0 |         | 1/2 -1/2  1/2 |
 *         | 0  1  0 -1 |         | 0    0    1  |
 * </pre>
 *
 * Summed over input channels, the element-wise product becomes 16 independent GEMMs, one per
 * position xi of the 4x4 transformed tile: {@code M_xi [O, T] = U_xi [O, C] V_xi [C, T]} over the
 * T tiles of a chunk of images. That is 16 multiplies per 4 outputs and channel pair where im2col
 * does 36: 2.25x fewer flops for the same GEMM. Training uses the adjoints of the same steps:
 * <pre>
 *   input gradient:  dM = A dY A^T,  dV_xi = U_xi^T dM_xi,  dX += B dV B^T (tiles overlap)
 *   weight gradient: dU_xi = sum over chunks of dM_xi V_xi^T,  dW += G^T dU G
 * </pre>
 * The transforms are exact in real arithmetic; in float their rounding stays within a few ulps of
 * the im2col result for F(2x2, 3x3) (the larger F(4x4, 3x3) loses digits, so it is not used).
 *
 * <p>Layouts: the scalar path keeps {@code V [16][C][T]} and {@code M [16][O][T]} with the scalar
 * transforms of {@link ScalarWinograd}; the Vector API path keeps them tile-major, {@code V [16][T][C]} and
 * {@code M [16][T][O]}, with the transforms of {@link VectorWinograd} (its forward GEMM then takes
 * {@code U' [16][C][O]}). {@code U} and {@code dU} are {@code [16][O][C]}. Tile t of image i in a
 * chunk is {@code i * tilesH * tilesW + ty * tilesW + tx}.
 */
final class CpuWinograd {
    /** {@code -Dvgg4j.conv.winograd=false} turns it off (all convolutions then go through im2col). */
    static final boolean ENABLED = Boolean.parseBoolean(System.getProperty("vgg4j.conv.winograd", "true"));
    /** Fewer input channels than this stay on im2col: the 16 GEMMs would have a tiny K. */
    static final int MIN_CHANNELS = Integer.getInteger("vgg4j.conv.winograd.minChannels", 16);
    /** Tiles of one chunk (GEMM width), and the most scratch (floats) for V and M together. */
    private static final int TARGET_TILES = Integer.getInteger("vgg4j.conv.winograd.tiles", 2048);
    /** Bytes of V and M together that one band of {@link WinogradBands} aims at (0: no bands). */
    private static final long BAND_BYTES = Long.getLong("vgg4j.conv.winograd.bandKB", 768) << 10;
    private static final long MAX_SCRATCH = 16L << 20;

    private final Sgemm sgemm;
    private final int targetTiles;
    private final WinogradBands bands;
    private final boolean vector;
    private float[] v = new float[0];
    private float[] m = new float[0];
    private float[] u = new float[0];
    private float[] du = new float[0];

    CpuWinograd(Sgemm sgemm, boolean vector) {
        this(sgemm, vector, TARGET_TILES, BAND_BYTES, 4 * Parallel.threads());
    }

    CpuWinograd(Sgemm sgemm, boolean vector, int targetTiles) {
        this(sgemm, vector, targetTiles, BAND_BYTES, 4 * Parallel.threads());
    }

    CpuWinograd(Sgemm sgemm, boolean vector, int targetTiles, long bandBytes) {
        this(sgemm, vector, targetTiles, bandBytes, 1);
    }

    /**
     * {@code vector}: the tile-major layouts and {@link VectorWinograd}'s transforms, else scalar
     * transforms on channel-major layouts. Chunks hold about {@code targetTiles} tiles (tests use
     * small ones to cover chunking). Forwards of small filters run in bands of about
     * {@code bandBytes} of V and M ({@link WinogradBands}; 0: never) when a batch has at least
     * {@code minBands} bands (fewer would leave cores idle).
     */
    CpuWinograd(Sgemm sgemm, boolean vector, int targetTiles, long bandBytes, int minBands) {
        this.sgemm = sgemm;
        this.vector = vector;
        this.targetTiles = targetTiles;
        this.bands = new WinogradBands(vector, bandBytes, minBands);
    }

    /**
     * Runs the 16 GEMMs of a chunk as 16 parallel tasks, each GEMM serial on its thread: no
     * synchronisation inside a GEMM, and each thread's packed panels stay in its own cache.
     */
    private static void each16(java.util.function.IntConsumer body) {
        Parallel.parallelFor(16, body);
    }

    /** Whether this geometry goes through Winograd. */
    static boolean applies(ConvGeometry g) {
        return ENABLED && g.kH() == 3 && g.kW() == 3 && g.strideH() == 1 && g.strideW() == 1
            && g.inC() >= MIN_CHANNELS && g.outC() >= MIN_CHANNELS;
    }

    /**
     * Fewer tiles than this in a whole batch stay on im2col: one image of a 14x14 map (49 tiles)
     * makes each of the 16 GEMMs read all of its transformed filters (16/9 of the weights) for a
     * handful of rows, where im2col reads the weights once for 196 columns. Measured on VGG-16's
     * 14x14 layers at batch 1: 15.8 / 15.5 / 15.0 ms through Winograd, 13.4 / 13.2 / 12.4 ms through
     * im2col; the 28x28 ones (196 tiles) keep Winograd (27 against 35 ms).
     */
    static final int MIN_TILES = Integer.getInteger("vgg4j.conv.winograd.minTiles", 100);

    /** Whether this convolution of a batch goes through Winograd ({@link #applies}, and enough tiles). */
    static boolean pays(ConvGeometry g, int batch) {
        return applies(g) && (long) tilesH(g) * tilesW(g) * batch >= MIN_TILES;
    }

    static int tilesH(ConvGeometry g) {
        return (g.outH() + 1) / 2;
    }

    static int tilesW(ConvGeometry g) {
        return (g.outW() + 1) / 2;
    }

    /** Images per chunk. */
    int chunk(ConvGeometry g, int batch) {
        int per = tilesH(g) * tilesW(g);
        int b = Math.max(1, Math.min(batch, targetTiles / per));
        while (b > 1 && 16L * b * per * (g.inC() + g.outC()) > MAX_SCRATCH) {
            b--;
        }
        return b;
    }

    /** Per-thread scratch planes, kept across calls (a 224x224 plane of 16 lanes is 3 MB). */
    private static final ThreadLocal<float[]> SCRATCH = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's scratch of at least {@code n} floats; callers clear the part they use. */
    static float[] scratch(int n) {
        float[] a = SCRATCH.get();
        if (a.length < n) {
            a = new float[n];
            SCRATCH.set(a);
        }
        return a;
    }

    static float[] grow(float[] a, long n) {
        return a.length >= n ? a : new float[Math.toIntExact(n)];
    }

    /**
     * Transformed filters kept for weights that stay the same from one forward to the next (a model
     * serving requests, an evaluation pass): VGG-16's ten Winograd layers spend about 8 ms of a
     * batch-1 forward in the filter transform (2.6 ms each for 512 x 512), a comparison with a
     * copy of the weights about 0.6 ms. A weight array is cached the second time it is seen with
     * no backward pass of this backend in between (training changes the weights every step, so it
     * never pays for the copy), and a cached entry is used only while the weights equal its copy
     * element for element: whoever wrote them, the filters used are the transform of the weights
     * given. Keys are weak: a closed model's entries go with its arrays.
     */
    private final java.util.WeakHashMap<float[], Cached> cache = new java.util.WeakHashMap<>();
    /** Convolution backward passes of this backend so far: an SGD step between two forwards invalidates what they saw. */
    private long backwards;

    /** Called by every convolution backward of the backend (Winograd or not). */
    void noteBackward() {
        backwards++;
    }

    /**
     * Fewer tiles than {@link #MIN_TILES} still go through Winograd in a forward whose filters are
     * cached, from this many: VGG-16's 14x14 layers at batch 1 (49 tiles) spend 3.6 ms in the 16
     * GEMMs with packed filters against 7.3 ms in im2col's one GEMM (same run).
     */
    static final int MIN_TILES_CACHED = Integer.getInteger("vgg4j.conv.winograd.minTilesCached", 32);

    /**
     * Whether this forward goes through Winograd: {@link #pays}, or, for fewer tiles, weights seen
     * unchanged since the last backward (the forward then caches or finds their filters). The
     * first sight of such weights only registers them.
     */
    boolean paysForward(ConvGeometry g, int batch, float[] w) {
        return forwardDecision(g, batch, w, true);
    }

    /** What {@link #paysForward} would answer now, without registering anything (for tests). */
    boolean wouldPay(ConvGeometry g, int batch, float[] w) {
        return forwardDecision(g, batch, w, false);
    }

    private boolean forwardDecision(ConvGeometry g, int batch, float[] w, boolean register) {
        if (pays(g, batch)) {
            return true;
        }
        if (CACHE_BYTES <= 0 || !applies(g) || (long) tilesH(g) * tilesW(g) * batch < MIN_TILES_CACHED) {
            return false;
        }
        if (!register) {
            Cached e = cache.get(w);
            return e != null && e.backwards == backwards;
        }
        return seenUnchanged(w) != null;
    }

    /**
     * w's entry when w was seen before with no backward pass since; otherwise w is registered (or
     * its entry emptied: trained since, start over) and null returned.
     */
    private Cached seenUnchanged(float[] w) {
        Cached e = cache.get(w);
        if (e == null) {
            cache.put(w, new Cached(backwards));
            return null;
        }
        if (e.backwards != backwards) {
            e.backwards = backwards;
            e.copy = null;
            e.u = null;
            return null;
        }
        return e;
    }

    /** {@code -Dvgg4j.conv.winograd.cacheMB=0} turns the cache off; the most it holds (weights and filters). */
    private static final long CACHE_BYTES = Long.getLong("vgg4j.conv.winograd.cacheMB", 1024) << 20;

    private static final class Cached {
        long backwards;
        float[] copy;
        /** The transformed filters, packed for {@link VectorSgemm#gemmPackedB} on the Vector API path. */
        float[] u;

        Cached(long backwards) {
            this.backwards = backwards;
        }

        long bytes() {
            return copy == null ? 0 : 4L * (copy.length + u.length);
        }
    }

    /**
     * Whether the filters {@link #filters} returned last are packed for {@link VectorSgemm#gemmPackedB}
     * (a cached entry on the Vector API path: the 16 GEMMs of every forward then skip packing them).
     */
    private boolean packedFilters;

    /** The forward's transformed filters of w: cached (see {@link #cache}) or transformed into {@link #u}. */
    private float[] filters(float[] w, int outC, int inC) {
        packedFilters = false;
        boolean pack = vector && sgemm instanceof VectorSgemm;
        long size = pack ? 16L * VectorSgemm.packedBSize(inC, outC) : 16L * outC * inC;
        Cached e = CACHE_BYTES > 0 ? seenUnchanged(w) : null;
        if (e != null && e.copy != null && e.u.length == size) {
            if (!same(w, e.copy)) {
                System.arraycopy(w, 0, e.copy, 0, w.length);
                cachedTransform(w, outC, inC, e.u, pack);
            }
            packedFilters = pack;
            return e.u;
        } else if (e != null && cachedBytes() + 4L * (w.length + size) <= CACHE_BYTES) {
            e.copy = w.clone();
            e.u = new float[Math.toIntExact(size)];
            cachedTransform(w, outC, inC, e.u, pack);
            packedFilters = pack;
            return e.u;
        }
        u = grow(u, 16L * outC * inC);
        if (pack && outC % VectorSgemm.NR == 0) {
            // training: new weights every step, transformed straight into the GEMMs' panels
            VectorWinogradFilters.filterTransformPacked(w, outC, inC, u, VectorSgemm.NR);
            packedFilters = true;
            return u;
        }
        transform(w, outC, inC, u);
        return u;
    }

    /**
     * The transform of w into dst, each of the 16 slices [C][O] packed as VectorSgemm.packB does
     * when pack: in one pass when the output channels fill whole panels, else transformed and packed.
     */
    private void cachedTransform(float[] w, int outC, int inC, float[] dst, boolean pack) {
        if (!pack) {
            transform(w, outC, inC, dst);
            return;
        }
        if (outC % VectorSgemm.NR == 0) {
            VectorWinogradFilters.filterTransformPacked(w, outC, inC, dst, VectorSgemm.NR);
            return;
        }
        u = grow(u, 16L * outC * inC);
        transform(w, outC, inC, u);
        float[] src = u;
        int slice = VectorSgemm.packedBSize(inC, outC);
        Parallel.parallelFor(16, xi -> VectorSgemm.packB(src, xi * inC * outC, outC, inC, outC, dst, xi * slice));
    }

    /** M_xi [t, O] = V_xi [t, C] U'_xi [C, O] for the 16 xi, in parallel; uu as {@link #filters} returned it. */
    private void gemm16(float[] vv, float[] uu, boolean packed, float[] mm, int t, int inC, int outC) {
        if (packed) {
            VectorSgemm vs = (VectorSgemm) sgemm;
            int slice = VectorSgemm.packedBSize(inC, outC);
            each16(xi -> vs.gemmPackedB(t, outC, inC, vv, xi * t * inC, inC, uu, xi * slice, mm, xi * t * outC, outC));
        } else {
            each16(xi -> sgemm.gemm(false, false, t, outC, inC, 1f, vv, xi * t * inC, inC,
                uu, xi * inC * outC, outC, 0f, mm, xi * t * outC, outC));
        }
    }

    private long cachedBytes() {
        long n = 0;
        for (Cached c : cache.values()) {
            n += c.bytes();
        }
        return n;
    }

    private void transform(float[] w, int outC, int inC, float[] dst) {
        if (vector) {
            VectorWinogradFilters.filterTransform(w, outC, inC, dst, true);
        } else {
            ScalarWinograd.filterTransform(w, outC, inC, dst);
        }
    }

    /** Whether a and b (same length) are equal as {@link java.util.Arrays#equals(float[], float[])} says; on all threads. */
    private static boolean same(float[] a, float[] b) {
        java.util.concurrent.atomic.AtomicBoolean differ = new java.util.concurrent.atomic.AtomicBoolean();
        Parallel.parallelRange(a.length, 1 << 16, (lo, hi) -> {
            if (!differ.get() && java.util.Arrays.mismatch(a, (int) lo, (int) hi, b, (int) lo, (int) hi) >= 0) {
                differ.set(true);
            }
        });
        return !differ.get();
    }

    /** y [N, O, H, W] = conv(x, w) (+ bias). */
    void forward(float[] x, float[] w, float[] bias, float[] y, int batch, ConvGeometry g) {
        forward(x, w, bias, y, batch, g, false);
    }

    /** The same, then max(0, y) when relu (the Vector API path applies it as it writes y). */
    void forward(float[] x, float[] w, float[] bias, float[] y, int batch, ConvGeometry g, boolean relu) {
        int inC = g.inC();
        int outC = g.outC();
        int per = tilesH(g) * tilesW(g);
        int b = chunk(g, batch);
        float[] transformed = filters(w, outC, inC);
        // filters that change every step (training): packed once here, not by each chunk's GEMMs
        boolean packOnce = !packedFilters && vector && sgemm instanceof VectorSgemm;
        float[] uu = packOnce ? bands.packFilters(transformed, outC, inC) : transformed;
        boolean packed = packedFilters || packOnce;
        if (bands.fuses(g, batch) && sgemm instanceof VectorSgemm vs) {
            bands.forward(x, uu, vs, bias, y, batch, g, relu);
            return;
        }
        if (vector && per > targetTiles) {
            // one image is more than a chunk (VGG's 224x224 layers: 12,544 tiles, 51 MB of V at 64
            // channels): bands of tile rows, so that V and M stay in cache between the transforms
            // and the 16 GEMMs
            int tW = tilesW(g);
            int tH = tilesH(g);
            int band = Math.max(1, Math.min(tH, targetTiles / tW));
            v = grow(v, 16L * inC * band * tW);
            m = grow(m, 16L * outC * band * tW);
            float[] vv = v;
            float[] mm = m;
            for (int n = 0; n < batch; n++) {
                for (int ty0 = 0; ty0 < tH; ty0 += band) {
                    int tyN = Math.min(band, tH - ty0);
                    int t = tyN * tW;
                    VectorWinograd.inputTransform(x, n, 1, ty0, tyN, g, vv, t);
                    gemm16(vv, uu, packed, mm, t, inC, outC);
                    VectorWinograd.outputTransform(mm, t, g, y, bias, n, 1, ty0, tyN, relu);
                }
            }
            return;
        }
        v = grow(v, 16L * inC * b * per);
        m = grow(m, 16L * outC * b * per);
        float[] vv = v;
        float[] mm = m;
        for (int n0 = 0; n0 < batch; n0 += b) {
            int nb = Math.min(b, batch - n0);
            int t = nb * per;
            if (vector) {
                // tile-major: M_xi [T, O] = V_xi [T, C] U'_xi [C, O]
                VectorWinograd.inputTransform(x, n0, nb, g, vv, t);
                gemm16(vv, uu, packed, mm, t, inC, outC);
                VectorWinograd.outputTransform(mm, t, g, y, bias, n0, nb, 0, (g.outH() + 1) / 2, relu);
            } else {
                // channel-major: M_xi [O, T] = U_xi [O, C] V_xi [C, T]
                ScalarWinograd.inputTransform(x, n0, nb, g, vv, t);
                each16(xi -> sgemm.gemm(false, false, outC, t, inC, 1f, uu, xi * outC * inC, inC,
                    vv, xi * inC * t, t, 0f, mm, xi * outC * t, t));
                ScalarWinograd.outputTransform(mm, t, g, y, n0, nb);
            }
        }
        if (!vector && bias != null) {
            CpuOps.biasAdd(y, bias, batch, outC, g.outH() * g.outW());
        }
        if (!vector && relu) {
            CpuOps.relu(y, y, batch * outC * g.outH() * g.outW());
        }
    }


    /** gradX [N, C, H, W] = the input gradient (overwrites). */
    void backwardData(float[] gradY, float[] w, float[] gradX, int batch, ConvGeometry g) {
        backward(null, gradY, w, gradX, null, null, batch, g);
    }

    /** gradW [O, C, 3, 3] += the weight gradient; gradBias [O] += sums of gradY when not null. */
    void backwardWeights(float[] x, float[] gradY, float[] gradW, float[] gradBias, int batch, ConvGeometry g) {
        backward(x, gradY, null, null, gradW, gradBias, batch, g);
    }

    /**
     * The gradients, gradY transformed once per chunk: when gradW is not null the weight
     * gradient (x, transformed to V, is needed), when gradX is not null the input gradient (w is
     * needed). Per xi, in one parallel task, the weight-gradient GEMM reads V and then the
     * input-gradient GEMM overwrites it with dV.
     */
    void backward(float[] x, float[] gradY, float[] w, float[] gradX, float[] gradW, float[] gradBias, int batch,
                  ConvGeometry g) {
        int inC = g.inC();
        int outC = g.outC();
        int per = tilesH(g) * tilesW(g);
        int b = chunk(g, batch);
        boolean data = gradX != null;
        boolean weights = gradW != null;
        if (data) {
            u = grow(u, 16L * outC * inC);
            if (vector) {
                VectorWinogradFilters.filterTransform(w, outC, inC, u, false);
            } else {
                ScalarWinograd.filterTransform(w, outC, inC, u);
            }
        }
        if (weights) {
            du = grow(du, 16L * outC * inC);
        }
        float[] uu = u;
        float[] dd = du;
        if (bands.fuses(g, batch) && sgemm instanceof VectorSgemm vs) {
            bands.backward(weights ? x : null, gradY, gradX, batch, g, uu, dd, vs);
        } else if (vector && per > targetTiles) {
            // one image is more than a chunk (a 224x224 image at 64 channels: 51 MB each of V and
            // dM): bands of tile rows, top to bottom, as the forward
            backwardBands(weights ? x : null, gradY, gradX, batch, g, uu, dd);
        } else {
            backwardChunks(x, gradY, gradX, weights, data, batch, b, per, g, uu, dd);
        }
        if (weights) {
            if (vector) {
                VectorWinogradFilters.filterGradTransform(dd, outC, inC, gradW);
            } else {
                ScalarWinograd.filterGradTransform(dd, outC, inC, gradW);
            }
            if (gradBias != null) {
                CpuOps.biasGrad(gradY, gradBias, batch, outC, g.outH() * g.outW());
            }
        }
    }


    /** Whether this geometry goes forward and backward in bands per core ({@link WinogradBands}). */
    boolean fuses(ConvGeometry g, int batch) {
        return bands.fuses(g, batch);
    }

    /** {@link #backward}'s bands for images larger than a chunk (vector layouts): dU into dd when x is not null. */
    private void backwardBands(float[] x, float[] gradY, float[] gradX, int batch, ConvGeometry g, float[] uu,
                               float[] dd) {
        int inC = g.inC();
        int outC = g.outC();
        int tW = tilesW(g);
        int tH = tilesH(g);
        int band = Math.max(1, Math.min(tH, targetTiles / tW));
        v = grow(v, 16L * inC * band * tW);
        m = grow(m, 16L * outC * band * tW);
        float[] vv = v;
        float[] mm = m;
        boolean weights = x != null;
        boolean data = gradX != null;
        for (int n = 0; n < batch; n++) {
            for (int ty0 = 0; ty0 < tH; ty0 += band) {
                int tyN = Math.min(band, tH - ty0);
                int t = tyN * tW;
                float beta = n == 0 && ty0 == 0 ? 0f : 1f;
                if (weights) {
                    VectorWinograd.inputTransform(x, n, 1, ty0, tyN, g, vv, t);
                }
                VectorWinograd.gradOutputTransform(gradY, n, 1, ty0, tyN, g, mm, t);
                each16(xi -> {
                    if (weights) {
                        weightGemm(mm, vv, dd, xi, t, outC, inC, beta);
                    }
                    if (data) {
                        sgemm.gemm(false, false, t, inC, outC, 1f, mm, xi * t * outC, outC, uu, xi * outC * inC,
                            inC, 0f, vv, xi * t * inC, inC);
                    }
                });
                if (data) {
                    VectorWinograd.gradInputTransform(vv, t, g, gradX, n, ty0, tyN, ty0 > 0, false, ty0 + tyN == tH);
                }
            }
        }
    }

    /** dU_xi [O, C] = beta dU_xi + dM_xi^T V_xi (tile-major layouts), on the calling thread. */
    private void weightGemm(float[] mm, float[] vv, float[] dd, int xi, int t, int outC, int inC, float beta) {
        if (sgemm instanceof VectorSgemm vs) {
            if (beta == 0f) {
                java.util.Arrays.fill(dd, xi * outC * inC, (xi + 1) * outC * inC, 0f);
            }
            vs.gemmTNAdd(outC, inC, t, mm, xi * t * outC, outC, vv, xi * t * inC, inC, dd, xi * outC * inC, inC);
        } else {
            sgemm.gemm(true, false, outC, inC, t, 1f, mm, xi * t * outC, outC, vv, xi * t * inC, inC, beta, dd,
                xi * outC * inC, inC);
        }
    }

    /** {@link #backward} by chunks of whole images. */
    private void backwardChunks(float[] x, float[] gradY, float[] gradX, boolean weights, boolean data, int batch,
                                int b, int per, ConvGeometry g, float[] uu, float[] dd) {
        int inC = g.inC();
        int outC = g.outC();
        v = grow(v, 16L * inC * b * per);
        m = grow(m, 16L * outC * b * per);
        float[] vv = v;
        float[] mm = m;
        for (int n0 = 0; n0 < batch; n0 += b) {
            int nb = Math.min(b, batch - n0);
            int t = nb * per;
            float beta = n0 == 0 ? 0f : 1f;
            if (vector) {
                // tile-major: dU_xi [O, C] += dM_xi^T V_xi, dV_xi [T, C] = dM_xi [T, O] U_xi [O, C]
                if (weights) {
                    VectorWinograd.inputTransform(x, n0, nb, g, vv, t);
                }
                VectorWinograd.gradOutputTransform(gradY, n0, nb, g, mm, t);
                each16(xi -> {
                    if (weights) {
                        weightGemm(mm, vv, dd, xi, t, outC, inC, beta);
                    }
                    if (data) {
                        sgemm.gemm(false, false, t, inC, outC, 1f, mm, xi * t * outC, outC, uu, xi * outC * inC,
                            inC, 0f, vv, xi * t * inC, inC);
                    }
                });
                if (data) {
                    VectorWinograd.gradInputTransform(vv, t, g, gradX, n0, nb);
                }
            } else {
                // channel-major: dU_xi [O, C] += dM_xi [O, T] V_xi^T, dV_xi [C, T] = U_xi^T dM_xi
                if (weights) {
                    ScalarWinograd.inputTransform(x, n0, nb, g, vv, t);
                }
                ScalarWinograd.gradOutputTransform(gradY, n0, nb, g, mm, t);
                each16(xi -> {
                    if (weights) {
                        sgemm.gemm(false, true, outC, inC, t, 1f, mm, xi * outC * t, t, vv, xi * inC * t, t, beta,
                            dd, xi * outC * inC, inC);
                    }
                    if (data) {
                        sgemm.gemm(true, false, inC, t, outC, 1f, uu, xi * outC * inC, inC, mm, xi * outC * t, t, 0f,
                            vv, xi * inC * t, t);
                    }
                });
                if (data) {
                    ScalarWinograd.gradInputTransform(vv, t, g, gradX, n0, nb);
                }
            }
        }
    }
}
