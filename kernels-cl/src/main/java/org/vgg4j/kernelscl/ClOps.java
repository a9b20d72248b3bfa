package org.vgg4j.kernelscl;

import java.util.Arrays;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Checks;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.OpShapes;
import org.vgg4j.tensor.PoolGeometry;
import org.vgg4j.tensor.Tensor;

/**
 * The compute ops of {@link ClBackend}: argument checks (the same as the CPU backend's) and
 * kernel launches. Convolution is im2col + GEMM over chunks of images placed side by side, as
 * on the CPU, so that late layers with few pixels still give GEMM thousands of columns.
 */
abstract class ClOps implements Backend {
    private static final long[] L64 = {64};
    private static final int TARGET_COLS = 4096;
    private ClBackend cl;
    private boolean implicitConv;

    void init(ClBackend backend) {
        this.cl = backend;
        this.implicitConv = implicitConvFor(backend.device);
    }

    /**
     * Whether convolutions run as implicit GEMMs (convgemm.cl: one kernel a pass, no column
     * matrix in global memory) or as im2col + the tuned GEMM + scatter passes:
     * {@code -Dvgg4j.cl.conv=implicit|im2col|auto}. Auto takes implicit GEMM on GPUs and
     * accelerators, im2col on CPU devices, where the tuned GEMM's vector loads win (PoCL, 2
     * cores, fmnist_vgg11 batch 32: 35-37 img/s against 16-17 implicit). On an H200 implicit wins:
     * resnet50 batch 8 117.7 img/s against 48.1 im2col, vgg16 batch 32 91.3 against 23.3.
     */
    static boolean implicitConvFor(ClDevices.Device device) {
        String mode = System.getProperty("vgg4j.cl.conv", "auto");
        return switch (mode) {
            case "implicit" -> true;
            case "im2col" -> false;
            case "auto" -> device.gpu() || device.accelerator();
            default -> throw new IllegalArgumentException("-Dvgg4j.cl.conv=" + mode + ": implicit, im2col or auto");
        };
    }

    /** Whether this backend's convolutions run as implicit GEMMs. */
    boolean implicitConv() {
        return implicitConv;
    }

    /** For tests: one path or the other on any device. */
    void setImplicitConv(boolean implicit) {
        this.implicitConv = implicit;
    }

    private static long[] g(long n) {
        return new long[] {n};
    }

    // ---------------------------------------------------------------- GEMM

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, long offA, int lda,
                     Tensor b, long offB, int ldb, float beta, Tensor c, long offC, int ldc) {
        Checks.owned("gemm", this, a, b, c);
        Checks.gemm("gemm", transA, transB, m, n, k, a.size(), offA, lda, b.size(), offB, ldb, c.size(), offC, ldc);
        gemmRaw(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
    }

    private void gemmRaw(boolean transA, boolean transB, int m, int n, int k, float alpha, Tensor a, long offA, int lda,
                         Tensor b, long offB, int ldb, float beta, Tensor c, long offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        // the few-rows tiles for few rows, and (as the convolutions) for products whose main tiles
        // would leave most compute units idle
        boolean small = cl.gemmSmallParams.tileM() < cl.gemmParams.tileM()
            && (m <= cl.gemmSmallParams.tileM() || smallConvTiles(m, n));
        GemmTuning.Params p = small ? cl.gemmSmallParams : cl.gemmParams;
        long[] local = {p.localN(), p.localM()};
        long[] global = {(long) ((n + p.tileN() - 1) / p.tileN()) * p.localN(),
            (long) ((m + p.tileM() - 1) / p.tileM()) * p.localM()};
        cl.launch(small ? "gemm_small" : "gemm", global, local, m, n, k, alpha, a, offA, lda, transA ? 1 : 0, b, offB, ldb,
            transB ? 1 : 0, beta, c, offC, ldc);
    }

    // ---------------------------------------------------------------- convolution

    private static int chunk(ConvGeometry g, int batch) {
        return Math.max(1, Math.min(batch, TARGET_COLS / Math.max(1, g.colCols())));
    }

    private void im2colLaunch(Tensor x, int n0, int nb, ConvGeometry g, Tensor col, int ldCol) {
        cl.launch("im2col", new long[] {(long) nb * g.colCols(), g.colRows()}, null, x, n0, nb, g.inC(), g.inH(),
            g.inW(), g.kH(), g.kW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW(), col, ldCol);
    }

    private void col2imLaunch(Tensor col, int ldCol, int n0, int nb, ConvGeometry g, Tensor x, boolean accumulate) {
        cl.launch("col2im", g((long) nb * g.inC() * g.inH() * g.inW()), null, col, ldCol, n0, nb, g.inC(), g.inH(),
            g.inW(), g.kH(), g.kW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(), g.outW(), x,
            accumulate ? 1 : 0);
    }


    @Override
    public void im2col(Tensor x, int image, ConvGeometry g, Tensor col) {
        Checks.owned("im2col", this, x, col);
        OpShapes.image("im2col", x, image, g);
        Checks.shape("im2col", "col", col, g.colRows(), g.colCols());
        im2colLaunch(x, image, 1, g, col, g.colCols());
    }

    @Override
    public void col2im(Tensor col, ConvGeometry g, Tensor x, int image) {
        Checks.owned("col2im", this, x, col);
        OpShapes.image("col2im", x, image, g);
        Checks.shape("col2im", "col", col, g.colRows(), g.colCols());
        col2imLaunch(col, g.colCols(), image, 1, g, x, true);
    }


    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        convForward("conv2dForward", x, w, bias, y, g, false);
    }

    /** The ReLU in the epilogue that scatters the GEMM's output into y (with the bias). */
    @Override
    public void conv2dForwardRelu(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        convForward("conv2dForwardRelu", x, w, bias, y, g, true);
    }

    /**
     * Launches a convgemm.cl kernel over an m x n output: in the device's GEMM tiles, or in its
     * smaller few-rows tiles where the main ones would give fewer work-groups than half the
     * device's compute units (a GPU's 128 x 128 tiles over a 14x14 layer's output).
     */
    private void convLaunch(String kernel, int m, long n, ConvGeometry g, int batch, Object... head) {
        boolean small = smallConvTiles(m, n);
        if (small) {
            cl.ensureSmallConv();
        }
        convLaunch(small ? kernel + "_small" : kernel, small ? cl.gemmSmallParams : cl.gemmParams, m, n, 1, g, batch,
            head);
    }

    /**
     * Forced tiles for the convolution passes and GEMMs (tests, the tuner): 0 chosen per shape, 1
     * the main ones (GEMMs of few rows still take the few-rows tiles), 2 the few-rows ones.
     */
    private int forcedConvTiles;

    /**
     * For tests and the tuner: 0 chooses the tiles of convolutions and GEMMs by work-group count,
     * 1 forces the main tiles (but for GEMMs of few rows), 2 the few-rows tiles.
     */
    void setConvTiles(int which) {
        this.forcedConvTiles = which;
    }

    private boolean smallConvTiles(int m, long n) {
        if (forcedConvTiles != 0) {
            return forcedConvTiles == 2;
        }
        GemmTuning.Params big = cl.gemmParams;
        GemmTuning.Params few = cl.gemmSmallParams;
        if ((long) few.tileM() * few.tileN() >= (long) big.tileM() * big.tileN()) {
            return false;
        }
        long groups = (long) ((m + big.tileM() - 1) / big.tileM()) * ((n + big.tileN() - 1) / big.tileN());
        return groups < SMALL_CONV_WAVES * cl.device.computeUnits();
    }

    /**
     * Below how many main-tile work-groups per compute unit a convolution pass takes the few-rows
     * tiles ({@code -Dvgg4j.cl.conv.small}; 0: never). On an H200 (132 units, 128 x 128 and
     * 32 x 64 tiles), images/s at 0 / 0.5 / 1 / 2: resnet50 batch 8 100.4 / 123.5 / 121.6 / 117.4,
     * resnet18 batch 8 185.3 / 242.9 / 243.9 / 240.8, resnet18-cifar batch 128 1970.6 / 2021.8 /
     * 1956.1 / 1803.5, resnet50 batch 32 219.5 / 223.0 / 218.2 / 203.1, vgg16 batch 32 95.1 / 95.0 /
     * 95.1 / 91.3.
     */
    private static final double SMALL_CONV_WAVES = Double.parseDouble(System.getProperty("vgg4j.cl.conv.small", "0.5"));

    /** The same over {@code slices} slices of the reduction (the third grid dimension). */
    private void convLaunch(String kernel, GemmTuning.Params p, int m, long n, int slices, ConvGeometry g, int batch,
                            Object... head) {
        long[] local = {p.localN(), p.localM(), 1};
        long[] global = {(n + p.tileN() - 1) / p.tileN() * p.localN(), (long) ((m + p.tileM() - 1) / p.tileM())
            * p.localM(), slices};
        Object[] tail = {batch, g.inC(), g.inH(), g.inW(), g.outC(), g.kH(), g.kW(), g.strideH(), g.strideW(),
            g.padH(), g.padW(), g.outH(), g.outW()};
        Object[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        cl.launch(kernel, global, local, all);
    }

    private void convForward(String op, Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g, boolean relu) {
        OpShapes.convForward(op, this, g, x, w, bias, y);
        int batch = x.dim(0);
        if (implicitConv) {
            convLaunch("conv_forward", g.outC(), (long) batch * g.colCols(), g, batch, x, w, bias == null ? w : bias,
                bias == null ? 0 : 1, relu ? 1 : 0, y);
            return;
        }
        int rows = g.colRows();
        int cols = g.colCols();
        int b = chunk(g, batch);
        Tensor col = cl.scratch("col", (long) rows * b * cols);
        Tensor wide = cl.scratch("wide", (long) g.outC() * b * cols);
        for (int n0 = 0; n0 < batch; n0 += b) {
            int nb = Math.min(b, batch - n0);
            int ld = nb * cols;
            im2colLaunch(x, n0, nb, g, col, ld);
            gemmRaw(false, false, g.outC(), ld, rows, 1f, w, 0, rows, col, 0, ld, 0f, wide, 0, ld);
            cl.launch("unchunk", new long[] {cols, (long) nb * g.outC()}, null, wide, ld, n0, nb, g.outC(), cols, y,
                bias == null ? wide : bias, bias == null ? 0 : 1, relu ? 1 : 0);
        }
    }

    @Override
    public void conv2dBackwardData(Tensor gradY, Tensor w, Tensor gradX, ConvGeometry g) {
        Checks.owned("conv2dBackwardData", this, gradY, w, gradX);
        OpShapes.conv("conv2dBackwardData", g, gradX, w, gradY);
        int batch = gradX.dim(0);
        if (implicitConv) {
            convLaunch("conv_backward_data", g.inC(), (long) batch * g.inH() * g.inW(), g, batch, gradY, w, gradX);
            return;
        }
        int rows = g.colRows();
        int cols = g.colCols();
        int b = chunk(g, batch);
        Tensor col = cl.scratch("col", (long) rows * b * cols);
        Tensor wide = cl.scratch("wide", (long) g.outC() * b * cols);
        for (int n0 = 0; n0 < batch; n0 += b) {
            int nb = Math.min(b, batch - n0);
            int ld = nb * cols;
            cl.launch("chunk", new long[] {cols, (long) nb * g.outC()}, null, gradY, n0, nb, g.outC(), cols, wide, ld);
            gemmRaw(true, false, rows, ld, g.outC(), 1f, w, 0, rows, wide, 0, ld, 0f, col, 0, ld);
            col2imLaunch(col, ld, n0, nb, g, gradX, false);
        }
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradY, Tensor gradW, Tensor gradBias, ConvGeometry g) {
        Checks.owned("conv2dBackwardWeights", this, x, gradY, gradW, gradBias);
        OpShapes.conv("conv2dBackwardWeights", g, x, gradW, gradY);
        if (gradBias != null) {
            Checks.shape("conv2dBackwardWeights", "gradBias", gradBias, g.outC());
        }
        int batch = x.dim(0);
        int rows = g.colRows();
        int cols = g.colCols();
        if (implicitConv) {
            long k = (long) batch * cols;
            int splits = weightSplits(g.outC(), rows, k);
            // slices start on tile steps of k, unless a test forces the count
            int kChunk = (int) ceilTo((k + splits - 1) / splits, forcedWeightSplits > 0 ? 1 : cl.gemmParams.tileK());
            splits = (int) ((k + kChunk - 1) / kChunk);
            if (splits == 1) {
                convLaunch("conv_backward_weights", g.outC(), rows, g, batch, x, gradY, gradW, kChunk, 0L);
            } else {
                int count = g.outC() * rows;
                Tensor part = cl.scratch("wsplit", (long) splits * count);
                convLaunch("conv_backward_weights", cl.gemmParams, g.outC(), rows, splits, g, batch, x, gradY, part,
                    kChunk, (long) count);
                cl.launch("split_sum", g(count), null, part, splits, count, gradW);
            }
            if (gradBias != null) {
                biasGradLaunch(gradY, gradBias, batch, g.outC(), cols);
            }
            return;
        }
        int b = chunk(g, batch);
        Tensor col = cl.scratch("col", (long) rows * b * cols);
        Tensor wide = cl.scratch("wide", (long) g.outC() * b * cols);
        for (int n0 = 0; n0 < batch; n0 += b) {
            int nb = Math.min(b, batch - n0);
            int ld = nb * cols;
            cl.launch("chunk", new long[] {cols, (long) nb * g.outC()}, null, gradY, n0, nb, g.outC(), cols, wide, ld);
            im2colLaunch(x, n0, nb, g, col, ld);
            gemmRaw(false, true, g.outC(), rows, ld, 1f, wide, 0, ld, col, 0, ld, 1f, gradW, 0, rows);
        }
        if (gradBias != null) {
            biasGradLaunch(gradY, gradBias, batch, g.outC(), cols);
        }
    }

    /** Forced slice count for the weight gradient's reduction (tests), or 0: chosen per shape. */
    private int forcedWeightSplits;

    /** For tests: split the weight gradient's reduction into this many slices (0: choose). */
    void setWeightSplits(int splits) {
        this.forcedWeightSplits = splits;
    }

    /**
     * Slices of the weight gradient's reduction (length k) for an outC x cols output: enough
     * work-groups for four per compute unit, each slice at least 16 tile steps of k long, the
     * partial sums within 16 M floats of scratch.
     */
    int weightSplits(int outC, int cols, long k) {
        if (forcedWeightSplits > 0) {
            return (int) Math.max(1, Math.min(forcedWeightSplits, k));
        }
        GemmTuning.Params p = cl.gemmParams;
        long groups = (long) ((outC + p.tileM() - 1) / p.tileM()) * ((cols + p.tileN() - 1) / p.tileN());
        long want = (4L * cl.device.computeUnits() + groups - 1) / groups;
        long byLength = k / (16L * p.tileK());
        long byMemory = (16L << 20) / ((long) outC * cols);
        return (int) Math.max(1, Math.min(Math.min(want, 64), Math.min(byLength, byMemory)));
    }

    private static long ceilTo(long v, int multiple) {
        return (v + multiple - 1) / multiple * multiple;
    }

    // ---------------------------------------------------------------- elementwise and bias


    @Override
    public void biasAdd(Tensor y, Tensor bias) {
        Checks.owned("biasAdd", this, y, bias);
        int s = OpShapes.bias("biasAdd", y, bias);
        int c = (int) bias.size();
        cl.launch("bias_add", new long[] {s, (long) y.dim(0) * c}, null, y, bias, c, s, y.dim(0) * c);
    }

    @Override
    public void biasGrad(Tensor gradY, Tensor gradBias) {
        Checks.owned("biasGrad", this, gradY, gradBias);
        int s = OpShapes.bias("biasGrad", gradY, gradBias);
        biasGradLaunch(gradY, gradBias, gradY.dim(0), (int) gradBias.size(), s);
    }

    private void biasGradLaunch(Tensor gradY, Tensor gradBias, int n, int c, int s) {
        cl.launch("bias_grad", g(64L * c), L64, gradY, gradBias, n, c, s);
    }

    private void same(String op, Tensor... ts) {
        Checks.owned(op, this, ts);
        for (Tensor t : ts) {
            Checks.sameSize(op, ts[0], t);
        }
    }

    @Override
    public void reluForward(Tensor x, Tensor y) {
        same("reluForward", x, y);
        cl.launch("relu_forward", g(x.size()), null, x, y, x.size());
    }

    @Override
    public void reluBackward(Tensor y, Tensor gradY, Tensor gradX) {
        same("reluBackward", y, gradY, gradX);
        cl.launch("relu_backward", g(y.size()), null, y, gradY, gradX, y.size());
    }

    @Override
    public void scale(Tensor x, float alpha, Tensor y) {
        same("scale", x, y);
        cl.launch("scale", g(x.size()), null, x, alpha, y, x.size());
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        same("axpy", x, y);
        cl.launch("axpy", g(x.size()), null, alpha, x, y, x.size());
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        same("add", a, b, out);
        cl.launch("add", g(a.size()), null, a, b, out, a.size());
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        same("mul", a, b, out);
        cl.launch("mul", g(a.size()), null, a, b, out, a.size());
    }

    // ---------------------------------------------------------------- pooling, LRN


    private Object[] poolArgs(PoolGeometry g, long total, Object... head) {
        Object[] tail = {g.inH(), g.inW(), g.kH(), g.kW(), g.strideH(), g.strideW(), g.padH(), g.padW(), g.outH(),
            g.outW(), total};
        Object[] all = Arrays.copyOf(head, head.length + tail.length);
        System.arraycopy(tail, 0, all, head.length, tail.length);
        return all;
    }

    @Override
    public void maxPoolForward(Tensor x, Tensor y, Tensor argmax, PoolGeometry g) {
        Checks.owned("maxPoolForward", this, x, y, argmax);
        OpShapes.pool("maxPoolForward", x, y, g);
        Checks.shape("maxPoolForward", "argmax", argmax, y.shape());
        cl.launch("maxpool_forward", g(y.size()), null, poolArgs(g, y.size(), x, y, argmax));
    }

    @Override
    public void maxPoolBackward(Tensor gradY, Tensor argmax, Tensor gradX, PoolGeometry g) {
        Checks.owned("maxPoolBackward", this, gradY, argmax, gradX);
        OpShapes.pool("maxPoolBackward", gradX, gradY, g);
        Checks.shape("maxPoolBackward", "argmax", argmax, gradY.shape());
        cl.launch("maxpool_backward", g(gradX.size()), null, poolArgs(g, gradX.size(), gradY, argmax, gradX));
    }

    @Override
    public void avgPoolForward(Tensor x, Tensor y, PoolGeometry g) {
        Checks.owned("avgPoolForward", this, x, y);
        OpShapes.pool("avgPoolForward", x, y, g);
        cl.launch("avgpool_forward", g(y.size()), null, poolArgs(g, y.size(), x, y));
    }

    @Override
    public void avgPoolBackward(Tensor gradY, Tensor gradX, PoolGeometry g) {
        Checks.owned("avgPoolBackward", this, gradY, gradX);
        OpShapes.pool("avgPoolBackward", gradX, gradY, g);
        cl.launch("avgpool_backward", g(gradX.size()), null, poolArgs(g, gradX.size(), gradY, gradX));
    }


    @Override
    public void lrnForward(Tensor x, Tensor y, Tensor scale, LrnParams p) {
        Checks.owned("lrnForward", this, x, y, scale);
        int s = OpShapes.lrn("lrnForward", x, y, scale);
        cl.launch("lrn_forward", g(x.size()), null, x, y, scale, x.dim(1), s, p.size(), p.alpha(), p.beta(), p.k(),
            x.size());
    }

    @Override
    public void lrnBackward(Tensor x, Tensor y, Tensor scale, Tensor gradY, Tensor gradX, LrnParams p) {
        Checks.owned("lrnBackward", this, x, y, scale, gradY, gradX);
        int s = OpShapes.lrn("lrnBackward", x, y, scale, gradY, gradX);
        cl.launch("lrn_backward", g(x.size()), null, x, y, scale, gradY, gradX, x.dim(1), s, p.size(), p.alpha(),
            p.beta(), x.size());
    }

    // ---------------------------------------------------------------- batch normalisation

    /** Work-items of a batch-norm channel group: norm.cl's BN_WG. */
    private static final long[] BN_LOCAL = {256};

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor saveMean,
                                         Tensor saveInvStd, Tensor runningMean, Tensor runningVar, float momentum,
                                         float eps) {
        String op = "batchNormForwardTraining";
        Checks.owned(op, this, x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar);
        int s = OpShapes.batchNormTraining(op, x, y, gamma, beta, saveMean, saveInvStd, runningMean, runningVar);
        cl.launch("batchnorm_forward_train", g(BN_LOCAL[0] * x.dim(1)), BN_LOCAL, x, gamma, beta, y, saveMean,
            saveInvStd, runningMean, runningVar, x.dim(0), x.dim(1), s, momentum, eps);
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                          float eps, Tensor y) {
        String op = "batchNormForwardInference";
        Checks.owned(op, this, x, gamma, beta, runningMean, runningVar, y);
        int s = OpShapes.batchNorm(op, x, new Tensor[] {y}, gamma, beta, runningMean, runningVar);
        cl.launch("batchnorm_forward_infer", g(x.size()), null, x, gamma, beta, runningMean, runningVar, eps, y,
            x.dim(1), s, x.size());
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor gradY, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                  Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        String op = "batchNormBackward";
        Checks.owned(op, this, x, gradY, gamma, saveMean, saveInvStd, gradX, gradGamma, gradBeta);
        int s = OpShapes.batchNorm(op, x, new Tensor[] {gradY, gradX}, gamma, saveMean, saveInvStd, gradGamma,
            gradBeta);
        cl.launch("batchnorm_backward", g(BN_LOCAL[0] * x.dim(1)), BN_LOCAL, x, gradY, gamma, saveMean, saveInvStd,
            gradX == null ? gradY : gradX, gradX == null ? 0 : 1, gradGamma, gradBeta, x.dim(0), x.dim(1), s);
    }

    // ---------------------------------------------------------------- loss, dropout, optimiser


    @Override
    public void softmaxCrossEntropyForward(Tensor logits, Tensor labels, Tensor probs, Tensor loss) {
        Checks.owned("softmaxCrossEntropyForward", this, logits, labels, probs, loss);
        OpShapes.loss("softmaxCrossEntropyForward", logits, labels, probs);
        Checks.shape("softmaxCrossEntropyForward", "loss", loss, logits.dim(0));
        cl.launch("softmax_xent_forward", g(logits.dim(0)), null, logits, labels, probs, loss, logits.dim(0),
            logits.dim(1));
    }

    @Override
    public void softmaxCrossEntropyBackward(Tensor probs, Tensor labels, float scale, Tensor gradLogits) {
        Checks.owned("softmaxCrossEntropyBackward", this, probs, labels, gradLogits);
        OpShapes.loss("softmaxCrossEntropyBackward", probs, labels, gradLogits);
        cl.launch("softmax_xent_backward", g(probs.size()), null, probs, labels, scale, gradLogits, probs.dim(0),
            probs.dim(1));
    }

    @Override
    public void dropoutForward(Tensor x, Tensor y, Tensor mask, float p, long seed) {
        same("dropoutForward", x, y, mask);
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropoutForward: probability " + p + " outside [0, 1)");
        }
        cl.launch("dropout", g(x.size()), null, x, y, mask, p, seed, x.size());
    }

    @Override
    public void sgdUpdate(Tensor w, Tensor grad, Tensor velocity, float lr, float momentum, float weightDecay,
                          boolean nesterov) {
        same("sgdUpdate", w, grad, velocity);
        cl.launch("sgd", g(w.size()), null, w, grad, velocity, lr, momentum, weightDecay, nesterov ? 1 : 0,
            w.size());
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public double sum(Tensor x) {
        Checks.owned("sum", this, x);
        int groups = (int) Math.max(1, Math.min(256, (x.size() + 4095) / 4096));
        Tensor part = cl.scratch("sum", groups);
        cl.launch("sum_partial", g(64L * groups), L64, x, x.size(), part);
        float[] p = new float[groups];
        download(part, 0, p, 0, groups);
        double s = 0;
        for (float v : p) {
            s += v;
        }
        return s;
    }

    /** Downloads the scores (the op returns host indices anyway) and selects on the host. */
    @Override
    public int[] topK(Tensor scores, int k) {
        Checks.owned("topK", this, scores);
        if (scores.rank() != 2 || k < 1 || k > scores.dim(1)) {
            throw new IllegalArgumentException("topK: k=" + k + " for scores " + Arrays.toString(scores.shape()));
        }
        int n = scores.dim(0);
        int cols = scores.dim(1);
        float[] s = toHost(scores);
        int[] out = new int[n * k];
        for (int r = 0; r < n; r++) {
            Integer[] idx = new Integer[cols];
            for (int j = 0; j < cols; j++) {
                idx[j] = j;
            }
            final int row = r;
            Arrays.sort(idx, (a, b) -> {
                float va = s[row * cols + a];
                float vb = s[row * cols + b];
                if (Float.isNaN(va) != Float.isNaN(vb)) {
                    return Float.isNaN(va) ? 1 : -1;
                }
                return va != vb ? Float.compare(vb, va) : Integer.compare(a, b);
            });
            for (int j = 0; j < k; j++) {
                out[r * k + j] = idx[j];
            }
        }
        return out;
    }
}
