package org.vgg4j.tensor.cpu;

import org.vgg4j.tensor.ConvGeometry;

/**
 * {@link CpuWinograd}'s order for filters small enough to share a core's L2 with a band of tiles:
 * forward and backward as tasks that each take a band of tile rows of one image through every
 * step (transforms, 16 GEMMs, inverse transform) on one core, V and M never leaving its cache.
 */
final class WinogradBands {
    private final boolean vector;
    private final long bandBytes;
    private final int minBands;

    /** Bands of about {@code bandBytes} of V and M (0: never) when a batch has at least {@code minBands}. */
    WinogradBands(boolean vector, long bandBytes, int minBands) {
        this.vector = vector;
        this.bandBytes = bandBytes;
        this.minBands = minBands;
    }

    /**
     * Filters of at most this many input x output channels take {@link #forward}: their 16
     * transformed slices (1 MB at 128 x 128) stay in each core's L2 next to a band's V and M.
     * Deeper layers (up to 16 MB of filters) keep the chunked order, where the whole chunk shares
     * one pass over the filters.
     */
    static final int FUSED_MAX_FILTER = Integer.getInteger("vgg4j.conv.winograd.fusedMaxFilter", 128 * 128);

    /** Whether this geometry goes forward and backward in bands per core ({@link #forward}, {@link #backward}). */
    boolean fuses(ConvGeometry g, int batch) {
        return vector && bandBytes > 0 && (long) g.inC() * g.outC() <= FUSED_MAX_FILTER
            && (long) batch * ((CpuWinograd.tilesH(g) + bandRows(g) - 1) / bandRows(g)) >= minBands;
    }

    /** Tile rows of one band of {@link #forward}. */
    int bandRows(ConvGeometry g) {
        long perRow = 64L * (g.inC() + g.outC()) * CpuWinograd.tilesW(g);
        return (int) Math.max(1, Math.min(CpuWinograd.tilesH(g), bandBytes / perRow));
    }

    private static final ThreadLocal<float[][]> BAND = ThreadLocal.withInitial(() -> new float[][] {new float[0],
        new float[0]});

    /** This thread's V and M of a band, of at least the given sizes (kept across calls). */
    private static float[][] bandBuffers(int vSize, int mSize) {
        float[][] buf = BAND.get();
        if (buf[0].length < vSize) {
            buf[0] = new float[vSize];
        }
        if (buf[1].length < mSize) {
            buf[1] = new float[mSize];
        }
        return buf;
    }

    private float[] packedU = new float[0];

    /** The unpacked transformed filters uu [16][C][O] packed as {@link VectorSgemm#packB} into {@link #packedU}. */
    float[] packFilters(float[] uu, int outC, int inC) {
        int slice = VectorSgemm.packedBSize(inC, outC);
        packedU = CpuWinograd.grow(packedU, 16L * slice);
        float[] dst = packedU;
        Parallel.parallelFor(16, xi -> VectorSgemm.packB(uu, xi * inC * outC, outC, inC, outC, dst, xi * slice));
        return dst;
    }

    /**
     * The forward for filters small enough to share a core's L2 with a band ({@link #fuses}): each
     * task takes a band of tile rows of one image and runs its input transform, 16 GEMMs and output
     * transform on its own thread with its own V and M, which never leave that core's L2. The
     * chunked order writes V and M (413 MB each for VGG's 224x224x64 layer at batch 8) to memory
     * between three parallel phases.
     */
    void forward(float[] x, float[] up, VectorSgemm vs, float[] bias, float[] y, int batch,
                              ConvGeometry g, boolean relu) {
        int inC = g.inC();
        int outC = g.outC();
        int tW = CpuWinograd.tilesW(g);
        int tH = CpuWinograd.tilesH(g);
        int rows = bandRows(g);
        int bands = (tH + rows - 1) / rows;
        int slice = VectorSgemm.packedBSize(inC, outC);
        Parallel.parallelFor(batch * bands, q -> {
            int n = q / bands;
            int ty0 = q % bands * rows;
            int tyN = Math.min(rows, tH - ty0);
            int t = tyN * tW;
            float[][] buf = bandBuffers(16 * inC * t, 16 * outC * t);
            float[] vv = buf[0];
            float[] mm = buf[1];
            VectorWinograd.inputTransform(x, n, 1, ty0, tyN, g, vv, t);
            for (int xi = 0; xi < 16; xi++) {
                vs.gemmPackedB(t, outC, inC, vv, xi * t * inC, inC, up, xi * slice, mm, xi * t * outC, outC);
            }
            VectorWinograd.outputTransform(mm, t, g, y, bias, n, 1, ty0, tyN, relu);
        });
    }
    private float[][] accs = new float[0][];

    /**
     * {@link CpuWinograd#backward} in bands per core, as {@link #forward}: per band of tile rows, gradY's
     * transform, the 16 weight-gradient products (read in place) into the accumulator of the
     * task's group, the 16 input-gradient GEMMs on packed filters and the input-gradient
     * transform, all on one core with V and dM in its L2. Neighbouring bands share two input
     * rows, so the even bands of every image run first and write theirs, then the odd ones add to
     * them; the groups' accumulators are summed in a fixed order at the end (a run repeats bit for
     * bit). With packed weight-gradient GEMMs this order was slower than the chunks (their depth,
     * one band's tiles, is too short to pay for the packing); read in place it is not.
     */
    void backward(float[] x, float[] gradY, float[] gradX, int batch, ConvGeometry g, float[] uu,
                                   float[] dd, VectorSgemm vs) {
        int inC = g.inC();
        int outC = g.outC();
        int tW = CpuWinograd.tilesW(g);
        int tH = CpuWinograd.tilesH(g);
        int rows = bandRows(g);
        int bands = (tH + rows - 1) / rows;
        boolean data = gradX != null;
        boolean weights = x != null;
        int slice = VectorSgemm.packedBSize(outC, inC); // U_xi [O, C] as the B of dV = dM U
        float[] up = null;
        if (data) {
            packedU = CpuWinograd.grow(packedU, 16L * slice);
            float[] dst = packedU;
            Parallel.parallelFor(16, xi -> VectorSgemm.packB(uu, xi * outC * inC, inC, outC, inC, dst, xi * slice));
            up = packedU;
        }
        int evens = batch * ((bands + 1) / 2);
        int odds = batch * (bands / 2);
        int groups = Math.max(1, Math.min(evens, 2 * Parallel.threads())); // tasks of each pass, and accumulators
        int filter = 16 * outC * inC;
        if (weights) {
            if (accs.length < groups) {
                accs = java.util.Arrays.copyOf(accs, groups);
            }
            for (int k = 0; k < groups; k++) {
                if (accs[k] == null || accs[k].length < filter) {
                    accs[k] = new float[filter];
                } else {
                    java.util.Arrays.fill(accs[k], 0, filter, 0f);
                }
            }
        }
        float[] packed = up;
        float[][] acc = accs;
        for (int par = 0; par < 2; par++) {
            int parity = par;
            int count = par == 0 ? evens : odds;
            int perImage = par == 0 ? (bands + 1) / 2 : bands / 2;
            if (count == 0) {
                continue;
            }
            int gs = Math.min(groups, count);
            Parallel.parallelFor(gs, grp -> {
                for (int q = (int) ((long) count * grp / gs); q < (long) count * (grp + 1) / gs; q++) {
                    int n = q / perImage;
                    int band = 2 * (q % perImage) + parity;
                    int ty0 = band * rows;
                    int tyN = Math.min(rows, tH - ty0);
                    int t = tyN * tW;
                    float[][] buf = bandBuffers(16 * inC * t, 16 * outC * t);
                    float[] vv = buf[0];
                    float[] mm = buf[1];
                    if (weights) {
                        VectorWinograd.inputTransform(x, n, 1, ty0, tyN, g, vv, t);
                    }
                    VectorWinograd.gradOutputTransform(gradY, n, 1, ty0, tyN, g, mm, t);
                    for (int xi = 0; xi < 16; xi++) {
                        if (weights) {
                            vs.gemmTNAdd(outC, inC, t, mm, xi * t * outC, outC, vv, xi * t * inC, inC, acc[grp],
                                xi * outC * inC, inC);
                        }
                        if (data) {
                            vs.gemmPackedB(t, inC, outC, mm, xi * t * outC, outC, packed, xi * slice, vv,
                                xi * t * inC, inC);
                        }
                    }
                    if (data) {
                        VectorWinograd.gradInputTransform(vv, t, g, gradX, n, ty0, tyN, parity == 1,
                            parity == 1 && band + 1 < bands, band == bands - 1);
                    }
                }
            });
        }
        if (weights) {
            Parallel.parallelRange(filter, 1 << 14, (lo, hi) -> {
                System.arraycopy(acc[0], (int) lo, dd, (int) lo, (int) (hi - lo));
                for (int k = 1; k < groups; k++) {
                    float[] a = acc[k];
                    for (int i = (int) lo; i < hi; i++) {
                        dd[i] += a[i];
                    }
                }
            });
        }
    }
}
