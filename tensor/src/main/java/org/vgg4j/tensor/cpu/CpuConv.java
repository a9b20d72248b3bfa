package org.vgg4j.tensor.cpu;

import org.vgg4j.tensor.ConvGeometry;

/**
 * Convolution on the CPU as im2col + GEMM (Caffe's scheme), on raw arrays.
 *
 * <pre>
 *   x [N, C, H, W] --im2col--> col [C*kH*kW, B*outH*outW]   (B images side by side)
 *   w [O, C*kH*kW] x col_i ---> y_i [O, outH*outW]           (one batched GEMM, in place)
 * </pre>
 * Small layers put several images side by side in col; the GEMM packs w once for all of them
 * and writes each image's output where it belongs ({@link Sgemm#gemmBatched}). 1x1 convolutions
 * with stride 1 skip im2col and read x in place. Weight gradients of large maps are dot products
 * along the map ({@link VectorDotsGemm}), of small ones a GEMM over images gathered side by side.
 * Scratch memory is kept across calls (one instance per backend). 3x3 stride-1 convolutions with
 * at least {@link CpuWinograd#MIN_CHANNELS} channels go through {@link CpuWinograd} instead.
 */
final class CpuConv {
    /**
     * Target width (columns) of one batched GEMM; wider chunks buy nothing but memory. On the
     * fmnist_vgg11 training step (batch 128, 2 Zen 4 cores) 1024 / 2048 / 4096 / 8192 / 16384 gave
     * 1150 / 1024 / 963-998 / 958 / 1057 ms.
     */
    private static final int TARGET_COLS = Integer.getInteger("vgg4j.conv.cols", 4096);
    /** Largest scratch (floats) a chunk may use before falling back to one image at a time. */
    private static final long MAX_SCRATCH = 32L << 20;

    private final Sgemm sgemm;
    private final CpuWinograd winograd;
    private final boolean vector;
    /**
     * Maps of at least this many pixels take their weight gradient as in-place dot products
     * ({@link VectorDotsGemm}) instead of a packed GEMM; smaller ones are gathered side by side
     * first (a 14x14 map's 196 floats are too short a dot product), and so are filters of more
     * than {@link VectorDotsGemm#MAX_N} taps (3x3 over 128 channels: 1152).
     */
    static final int DOTS_MIN_PIXELS = Integer.getInteger("vgg4j.conv.dotsMinPixels", 512);
    private float[] col = new float[0];
    private float[] tmp = new float[0];

    CpuConv(Sgemm sgemm, boolean vector) {
        this.sgemm = sgemm;
        this.vector = vector;
        this.winograd = new CpuWinograd(sgemm, vector);
    }

    private float[] colBuffer(long n) {
        if (col.length < n) {
            col = new float[(int) n];
        }
        return col;
    }

    private float[] tmpBuffer(long n) {
        if (tmp.length < n) {
            tmp = new float[(int) n];
        }
        return tmp;
    }

    /** How many images go side by side in one GEMM. */
    static int chunk(ConvGeometry g, int batch) {
        int cols = g.colCols();
        int b = Math.max(1, Math.min(batch, TARGET_COLS / Math.max(1, cols)));
        while (b > 1 && (long) b * cols * (g.colRows() + g.outC()) > MAX_SCRATCH) {
            b--;
        }
        return b;
    }

    /**
     * Output columns [lo, hi) of a kernel tap at horizontal offset {@code j - padW} that read
     * inside the image: {@code 0 <= ow*strideW + off < inW}.
     */
    private static int validLo(int off, int strideW) {
        return off >= 0 ? 0 : (-off + strideW - 1) / strideW;
    }

    private static int validHi(int off, int strideW, int inW, int outW) {
        return inW - off <= 0 ? 0 : Math.min(outW, (inW - off - 1) / strideW + 1);
    }

    /** Writes image {@code image} of x into col[colOff + row*ldCol + s], row = (c*kH+i)*kW+j. */
    static void im2col(float[] x, int image, ConvGeometry g, float[] col, int colOff, int ldCol, boolean vector) {
        im2colBatch(x, image, 1, g, col, colOff, ldCol, 0, vector);
    }

    /**
     * {@link #im2col} of images first .. first+count-1, image i at column {@code colOff + i*imageStride},
     * in one parallel region over (image, channel) planes: one region per layer and chunk
     * instead of one per image, and parallel even when a single image has few channels.
     */
    static void im2colBatch(float[] x, int first, int count, ConvGeometry g, float[] col, int colOff, int ldCol,
                            int imageStride, boolean vector) {
        boolean v2 = vector && g.strideW() == 2;
        forEachPlane(count, g, (i, c) -> im2colPlane(x, first + i, c, g, col, colOff + i * imageStride, ldCol, v2, 0,
            g.outH()));
    }

    /** A body over one (image of the chunk, input channel) plane. */
    @FunctionalInterface
    private interface PlaneBody {
        void run(int image, int channel);
    }

    /** Runs body over the count x inC planes of a chunk, in parallel, about 32K taps a task. */
    private static void forEachPlane(int count, ConvGeometry g, PlaneBody body) {
        int work = g.kH() * g.kW() * g.outH() * g.outW();
        Parallel.parallelRange((long) count * g.inC(), Math.max(1, 32768 / Math.max(1, work)), (lo, hi) -> {
            for (long q = lo; q < hi; q++) {
                body.run((int) (q / g.inC()), (int) (q % g.inC()));
            }
        });
    }

    /**
     * The rows of channel c of one image, (c*kH+i)*kW+j for every tap (i, j), over output rows
     * [ohLo, ohHi) (a band: row oh at column (oh - ohLo) * outW). v2: stride-2 runs a vector at a
     * time ({@link VectorStride2}).
     */
    private static void im2colPlane(float[] x, int image, int c, ConvGeometry g, float[] col, int colOff, int ldCol,
                                    boolean v2, int ohLo, int ohHi) {
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int plane = (int) (((long) image * g.inC() + c) * inH * inW);
        for (int i = 0; i < g.kH(); i++) {
            for (int j = 0; j < g.kW(); j++) {
                int row = colOff + ((c * g.kH() + i) * g.kW() + j) * ldCol;
                int off = j - g.padW();
                int wLo = Math.min(validLo(off, g.strideW()), outW);
                int wHi = Math.max(validHi(off, g.strideW(), inW, outW), wLo);
                for (int oh = ohLo; oh < ohHi; oh++) {
                    int h = oh * g.strideH() - g.padH() + i;
                    int dst = row + (oh - ohLo) * outW;
                    if (h < 0 || h >= inH) {
                        java.util.Arrays.fill(col, dst, dst + outW, 0f);
                        continue;
                    }
                    int src = plane + h * inW + off;
                    for (int ow = 0; ow < wLo; ow++) {
                        col[dst + ow] = 0f;
                    }
                    if (g.strideW() == 1) {
                        System.arraycopy(x, src + wLo, col, dst + wLo, wHi - wLo);
                    } else {
                        int ow = wLo;
                        if (v2 && wHi - wLo >= VectorStride2.MIN_GATHER) {
                            ow += VectorStride2.gather(x, src + 2 * wLo, col, dst + wLo, wHi - wLo);
                        }
                        for (; ow < wHi; ow++) {
                            col[dst + ow] = x[src + ow * g.strideW()];
                        }
                    }
                    for (int ow = wHi; ow < outW; ow++) {
                        col[dst + ow] = 0f;
                    }
                }
            }
        }
    }

    /** Adds col (layout as {@link #im2col}) back into image {@code image} of x. */
    static void col2im(float[] col, int colOff, int ldCol, ConvGeometry g, float[] x, int image, boolean vector) {
        col2imBatch(col, colOff, ldCol, 0, g, x, image, 1, vector);
    }

    /**
     * {@link #col2im} of images first .. first+count-1 (image i's columns at
     * {@code colOff + i*imageStride}), parallel over (image, channel): each owns a disjoint plane of x.
     */
    static void col2imBatch(float[] col, int colOff, int ldCol, int imageStride, ConvGeometry g, float[] x, int first,
                            int count, boolean vector) {
        boolean v2 = vector && g.strideW() == 2;
        forEachPlane(count, g, (i, c) -> col2imPlane(col, colOff + i * imageStride, ldCol, g, x, first + i, c, v2));
    }

    private static void col2imPlane(float[] col, int colOff, int ldCol, ConvGeometry g, float[] x, int image, int c,
                                    boolean v2) {
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int plane = (int) (((long) image * g.inC() + c) * inH * inW);
        for (int i = 0; i < g.kH(); i++) {
            for (int j = 0; j < g.kW(); j++) {
                int row = colOff + ((c * g.kH() + i) * g.kW() + j) * ldCol;
                int off = j - g.padW();
                int wLo = validLo(off, g.strideW());
                int wHi = validHi(off, g.strideW(), inW, outW);
                for (int oh = 0; oh < outH; oh++) {
                    int h = oh * g.strideH() - g.padH() + i;
                    if (h < 0 || h >= inH) {
                        continue;
                    }
                    int src = row + oh * outW;
                    int dst = plane + h * inW + off;
                    if (g.strideW() == 1) {
                        for (int ow = wLo; ow < wHi; ow++) {
                            x[dst + ow] += col[src + ow];
                        }
                    } else {
                        int ow = wLo;
                        if (v2 && wHi - wLo >= VectorStride2.MIN_GATHER) {
                            ow += VectorStride2.scatterAdd(col, src + wLo, x, dst + 2 * wLo, wHi - wLo);
                        }
                        for (; ow < wHi; ow++) {
                            x[dst + ow * g.strideW()] += col[src + ow];
                        }
                    }
                }
            }
        }
    }

    /** Whether the next forward of these weights goes through Winograd (for tests; registers nothing). */
    boolean winogradFor(ConvGeometry g, int batch, float[] w) {
        return winograd.wouldPay(g, batch, w);
    }

    /** y [N, O, S] = w [O, K] x im2col(x) (+ bias). */
    void forward(float[] x, float[] w, float[] bias, float[] y, int batch, ConvGeometry g) {
        forward(x, w, bias, y, batch, g, false);
    }

    /** The same, then max(0, y) when relu (applied while y is written where the path allows). */
    void forward(float[] x, float[] w, float[] bias, float[] y, int batch, ConvGeometry g, boolean relu) {
        if (winograd.paysForward(g, batch, w)) {
            winograd.forward(x, w, bias, y, batch, g, relu);
            return;
        }
        int rows = g.colRows();
        int cols = g.colCols();
        int outC = g.outC();
        if (g.isPointwise()) {
            // y_i = w x_i for every image at once, in place
            sgemm.gemmBatched(false, outC, cols, rows, w, 0, rows, x, 0, cols, rows * cols, batch, y, 0, cols,
                outC * cols);
        } else if (banded(g)) {
            forwardBands(x, w, y, batch, g);
        } else {
            int b = chunk(g, batch);
            for (int n0 = 0; n0 < batch; n0 += b) {
                int nb = Math.min(b, batch - n0);
                int wide = nb * cols;
                float[] c = colBuffer((long) rows * wide);
                if (nb == 1) {
                    im2col(x, n0, g, c, 0, cols, vector);
                } else {
                    im2colBatch(x, n0, nb, g, c, 0, wide, cols, vector);
                }
                // the chunk's images sit side by side in col; each writes its own y
                sgemm.gemmBatched(false, outC, cols, rows, w, 0, rows, c, 0, wide, cols, nb, y, n0 * outC * cols, cols,
                    outC * cols);
            }
        }
        if (bias != null) {
            CpuOps.biasAdd(y, bias, batch, outC, cols);
        }
        if (relu) {
            CpuOps.relu(y, y, batch * outC * cols);
        }
    }

    /** gradX [N, C, H, W] = col2im(w^T x gradY), overwriting gradX. */
    void backwardData(float[] gradY, float[] w, float[] gradX, int batch, ConvGeometry g) {
        winograd.noteBackward();
        if (CpuWinograd.pays(g, batch)) {
            winograd.backwardData(gradY, w, gradX, batch, g);
            return;
        }
        int rows = g.colRows();
        int cols = g.colCols();
        int outC = g.outC();
        if (g.isPointwise()) {
            // gradX_i = w^T gradY_i for every image at once, in place
            sgemm.gemmBatched(true, rows, cols, outC, w, 0, rows, gradY, 0, cols, outC * cols, batch, gradX, 0, cols,
                rows * cols);
            return;
        }
        java.util.Arrays.fill(gradX, 0, batch * g.inC() * g.inH() * g.inW(), 0f);
        int b = chunk(g, batch);
        for (int n0 = 0; n0 < batch; n0 += b) {
            int nb = Math.min(b, batch - n0);
            int wide = nb * cols;
            float[] c = colBuffer((long) rows * wide);
            // each image's w^T gradY_i lands side by side in col, then col2im adds them into gradX
            sgemm.gemmBatched(true, rows, cols, outC, w, 0, rows, gradY, n0 * outC * cols, cols, outC * cols, nb, c, 0,
                wide, cols);
            col2imBatch(c, 0, wide, cols, g, gradX, n0, nb, vector);
        }
    }

    /** {@link #backwardWeights} and, when gradX is not null, {@link #backwardData}, sharing work when it can. */
    void backward(float[] x, float[] gradY, float[] w, float[] gradX, float[] gradW, float[] gradBias, int batch,
                  ConvGeometry g) {
        winograd.noteBackward();
        if (CpuWinograd.pays(g, batch)) {
            winograd.backward(x, gradY, w, gradX, gradW, gradBias, batch, g);
            return;
        }
        backwardWeights(x, gradY, gradW, gradBias, batch, g);
        if (gradX != null) {
            backwardData(gradY, w, gradX, batch, g);
        }
    }

    /** gradW [O, K] += gradY x im2col(x)^T; gradBias [O] += sums of gradY when not null. */
    void backwardWeights(float[] x, float[] gradY, float[] gradW, float[] gradBias, int batch, ConvGeometry g) {
        winograd.noteBackward();
        if (CpuWinograd.pays(g, batch)) {
            winograd.backwardWeights(x, gradY, gradW, gradBias, batch, g);
            return;
        }
        int rows = g.colRows();
        int cols = g.colCols();
        int outC = g.outC();
        int b = chunk(g, batch);
        if (banded(g)) {
            weightsByBands(x, gradY, gradW, batch, g);
        } else if (vector && cols >= DOTS_MIN_PIXELS && rows <= VectorDotsGemm.MAX_N) {
            weightsByDots(x, gradY, gradW, batch, b, g);
        } else {
            weightsByGemm(x, gradY, gradW, batch, b, g);
        }
        if (gradBias != null) {
            CpuOps.biasGrad(gradY, gradBias, batch, outC, cols);
        }
    }

    /**
     * Whether a layer goes in bands of output rows ({@link #forwardBands}): one image's im2col
     * passes the chunk target (ResNet's 7x7 stem, VGG's first layer: few channels,
     * a large map).
     */
    static boolean banded(ConvGeometry g) {
        return BANDS && !g.isPointwise() && g.colCols() > BAND_MIN_COLS && g.outH() > 1;
    }

    private static final boolean BANDS = !"false".equals(System.getProperty("vgg4j.conv.bands"));
    private static final int BAND_MIN_COLS = Integer.getInteger("vgg4j.conv.bandMinCols", TARGET_COLS);
    /** About this many floats of im2col a band (512 KB: a core's L2 holds it while the GEMM reads it). */
    private static final int BAND_FLOATS = Integer.getInteger("vgg4j.conv.bandFloats", 128 << 10);

    /** Output rows a band covers. */
    static int bandRows(ConvGeometry g) {
        return Math.max(1, Math.min(g.outH(), BAND_FLOATS / Math.max(1, g.colRows() * g.outW())));
    }

    /** A thread's im2col block for one band. */
    private float[] bandBuffer(int n) {
        float[][] held = band.get();
        if (held[0].length < n) {
            held[0] = new float[n];
        }
        return held[0];
    }

    private final ThreadLocal<float[][]> band = ThreadLocal.withInitial(() -> new float[][] {new float[0]});

    /** Bands of {@link #bandRows} output rows in one image's map. */
    private static int bandsPerImage(ConvGeometry g) {
        return (g.outH() + bandRows(g) - 1) / bandRows(g);
    }

    /**
     * One band's im2col in this thread's buffer: {@code col [rows, width]}; its output (and output
     * gradient) starts at {@code offset} of [N, O, outH*outW], rows {@code outH*outW} apart.
     */
    private record Band(float[] col, int width, int offset) {}

    /** im2col of band {@code task} (image task / bands, then its bands top to bottom). */
    private Band im2colBand(float[] x, int task, ConvGeometry g) {
        int r = bandRows(g);
        int bands = bandsPerImage(g);
        int image = task / bands;
        int oh0 = task % bands * r;
        int oh1 = Math.min(g.outH(), oh0 + r);
        int width = (oh1 - oh0) * g.outW();
        float[] c = bandBuffer(g.colRows() * width);
        boolean v2 = vector && g.strideW() == 2;
        for (int ch = 0; ch < g.inC(); ch++) {
            im2colPlane(x, image, ch, g, c, 0, width, v2, oh0, oh1);
        }
        return new Band(c, width, image * g.outC() * g.colCols() + oh0 * g.outW());
    }

    /**
     * y = w im2col(x) a band of output rows at a time, each thread taking whole bands (im2col
     * then its GEMM, serial inside the task): the band's im2col stays in that core's L2 for the
     * GEMM that reads it, where a whole image's (7 MB for ResNet's stem) went out to memory and
     * back, and three input channels no longer make three im2col tasks.
     */
    private void forwardBands(float[] x, float[] w, float[] y, int batch, ConvGeometry g) {
        int rows = g.colRows();
        Parallel.parallelFor(batch * bandsPerImage(g), t -> {
            Band b = im2colBand(x, t, g);
            sgemm.gemm(false, false, g.outC(), b.width(), rows, 1f, w, 0, rows, b.col(), 0, b.width(), 0f, y,
                b.offset(), g.colCols());
        });
    }

    /**
     * dW += dY im2col(x)^T in the bands of {@link #forwardBands}: thread t takes bands t, t + T,
     * ... into its own copy of dW (a fixed assignment, so the sum repeats bit for bit), and the
     * copies are added at the end.
     */
    private void weightsByBands(float[] x, float[] gradY, float[] gradW, int batch, ConvGeometry g) {
        int rows = g.colRows();
        int cols = g.colCols();
        int outC = g.outC();
        int tasks = batch * bandsPerImage(g);
        int threads = Math.min(Parallel.threads(), tasks);
        float[][] part = new float[threads][];
        Parallel.parallelFor(threads, t -> {
            float[] p = new float[outC * rows];
            for (int q = t; q < tasks; q += threads) {
                Band b = im2colBand(x, q, g);
                if (vector && rows <= VectorDotsGemm.MAX_N) {
                    VectorDotsGemm.gemmNTAdd(outC, rows, b.width(), gradY, b.offset(), cols, 0, b.col(), 0, b.width(),
                        0, 1, p, 0, rows);
                } else {
                    sgemm.gemm(false, true, outC, rows, b.width(), 1f, gradY, b.offset(), cols, b.col(), 0, b.width(),
                        1f, p, 0, rows);
                }
            }
            part[t] = p;
        });
        for (float[] p : part) {
            for (int i = 0; i < p.length; i++) {
                gradW[i] += p[i];
            }
        }
    }

    /** dW += dY_i col_i^T image by image, both read in place along the map ({@link VectorDotsGemm}). */
    private void weightsByDots(float[] x, float[] gradY, float[] gradW, int batch, int b, ConvGeometry g) {
        int rows = g.colRows();
        int cols = g.colCols();
        int outC = g.outC();
        if (g.isPointwise()) {
            VectorDotsGemm.gemmNTAdd(outC, rows, cols, gradY, 0, cols, outC * cols, x, 0, cols, rows * cols, batch,
                gradW, 0, rows);
            return;
        }
        for (int n0 = 0; n0 < batch; n0 += b) {
            int nb = Math.min(b, batch - n0);
            int wide = nb * cols;
            float[] c = colBuffer((long) rows * wide);
            im2colBatch(x, n0, nb, g, c, 0, wide, cols, vector);
            VectorDotsGemm.gemmNTAdd(outC, rows, cols, gradY, n0 * outC * cols, cols, outC * cols, c, 0, wide, cols, nb,
                gradW, 0, rows);
        }
    }

    /** dW += dY col^T as one packed GEMM a chunk, the chunk's images gathered side by side. */
    private void weightsByGemm(float[] x, float[] gradY, float[] gradW, int batch, int b, ConvGeometry g) {
        int rows = g.colRows();
        int cols = g.colCols();
        int outC = g.outC();
        for (int n0 = 0; n0 < batch; n0 += b) {
            int nb = Math.min(b, batch - n0);
            int wide = nb * cols;
            float[] gy = gradY;
            int gyOff = n0 * outC * cols;
            float[] c;
            int cOff = 0;
            if (nb == 1) {
                if (g.isPointwise()) {
                    c = x;
                    cOff = n0 * rows * cols;
                } else {
                    c = colBuffer((long) rows * cols);
                    im2col(x, n0, g, c, 0, cols, vector);
                }
            } else {
                gy = tmpBuffer((long) outC * wide);
                gyOff = 0;
                c = colBuffer((long) rows * wide);
                gather(gradY, n0 * outC * cols, nb, outC, cols, gy);
                if (g.isPointwise()) {
                    gather(x, n0 * rows * cols, nb, rows, cols, c);
                } else {
                    im2colBatch(x, n0, nb, g, c, 0, wide, cols, vector);
                }
            }
            sgemm.gemm(false, true, outC, rows, wide, 1f, gy, gyOff, wide, c, cOff, wide, 1f, gradW, 0, rows);
        }
    }

    /**
     * [nb, rows, len] at src[srcOff] -> [rows, nb*len] in dst (images side by side), in parallel
     * over (image, row) runs.
     */
    static void gather(float[] src, int srcOff, int nb, int rows, int len, float[] dst) {
        int wide = nb * len;
        Parallel.parallelRange((long) nb * rows, Math.max(1, 16384 / Math.max(1, len)), (lo, hi) -> {
            for (long q = lo; q < hi; q++) {
                int i = (int) (q / rows);
                int r = (int) (q % rows);
                System.arraycopy(src, srcOff + (i * rows + r) * len, dst, r * wide + i * len, len);
            }
        });
    }
}
