package org.vgg4j.tensor.cpu;

import java.util.Arrays;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Checks;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.OpShapes;
import org.vgg4j.tensor.PoolGeometry;
import org.vgg4j.tensor.Tensor;

/**
 * The CPU backend: tensors are heap {@code float[]}s, the hot loops run on the Vector API
 * ({@code FloatVector.SPECIES_PREFERRED}) when {@code jdk.incubator.vector} is enabled and on
 * plain loops otherwise. This class is the reference every other backend is tested against.
 */
public final class CpuBackend implements Backend {
    private final boolean vector;
    private final Sgemm sgemm;
    private final CpuConv conv;

    /** The fast path when the Vector API is enabled, else scalar. */
    public CpuBackend() {
        this(VectorSupport.enabled());
    }

    /** {@code vector == false} forces the scalar loops (a second implementation for tests). */
    public CpuBackend(boolean vector) {
        this.vector = vector && VectorSupport.modulePresent();
        Sgemm g = this.vector ? VectorKernels.sgemm() : new ScalarSgemm();
        this.sgemm = Boolean.getBoolean("vgg4j.gemm.trace") ? GemmTrace.wrap(g) : g;
        this.conv = new CpuConv(sgemm, this.vector);
    }

    /** Whether this instance runs the Vector API path. */
    public boolean isVectorized() { return vector; }

    @Override
    public String name() { return "cpu"; }

    @Override
    public String description() {
        return "cpu: " + Parallel.threads() + " threads, "
            + (vector ? "Vector API " + VectorKernels.speciesName() : "scalar loops");
    }

    static float[] data(Tensor t) { return t.storage(float[].class); }

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor zeros(int... shape) {
        long n = Tensor.sizeOf(shape);
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("zeros: " + Arrays.toString(shape) + " has " + n
                + " elements, more than one CPU array holds");
        }
        return new Tensor(this, new float[(int) n], shape, true);
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        if (Tensor.sizeOf(shape) != data.length) {
            throw new IllegalArgumentException("fromHost: " + data.length + " values for shape " + Arrays.toString(shape));
        }
        return new Tensor(this, data.clone(), shape, true);
    }

    @Override
    public void upload(float[] src, int srcOff, Tensor dst, long dstOff, int len) {
        Checks.owned("upload", this, dst);
        Checks.range("upload", "source", src.length, srcOff, len);
        Checks.range("upload", "destination", dst.size(), dstOff, len);
        System.arraycopy(src, srcOff, data(dst), (int) dstOff, len);
    }

    @Override
    public void download(Tensor src, long srcOff, float[] dst, int dstOff, int len) {
        Checks.owned("download", this, src);
        Checks.range("download", "source", src.size(), srcOff, len);
        Checks.range("download", "destination", dst.length, dstOff, len);
        System.arraycopy(data(src), (int) srcOff, dst, dstOff, len);
    }

    @Override
    public void copy(Tensor src, long srcOff, Tensor dst, long dstOff, long len) {
        Checks.owned("copy", this, src, dst);
        Checks.range("copy", "source", src.size(), srcOff, len);
        Checks.range("copy", "destination", dst.size(), dstOff, len);
        System.arraycopy(data(src), (int) srcOff, data(dst), (int) dstOff, (int) len);
    }

    @Override
    public void fill(Tensor t, float value) {
        Checks.owned("fill", this, t);
        Arrays.fill(data(t), 0, (int) t.size(), value);
    }

    @Override
    public void release(Tensor t) {
        // heap arrays: the GC reclaims them once unreachable
    }

    @Override
    public void synchronize() {
        // every CPU op has finished when it returns
    }

    @Override
    public void close() {
    }

    // ---------------------------------------------------------------- BLAS

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, Tensor a, long offA, int lda,
                     Tensor b, long offB, int ldb,
                     float beta, Tensor c, long offC, int ldc) {
        Checks.owned("gemm", this, a, b, c);
        Checks.gemm("gemm", transA, transB, m, n, k, a.size(), offA, lda, b.size(), offB, ldb, c.size(), offC, ldc);
        if (m == 0 || n == 0) {
            return;
        }
        sgemm.gemm(transA, transB, m, n, k, alpha, data(a), (int) offA, lda, data(b), (int) offB, ldb,
            beta, data(c), (int) offC, ldc);
    }

    /** The GEMM this backend runs on raw arrays (for layers of this package and benchmarks). */
    public Sgemm sgemm() { return sgemm; }

    // ---------------------------------------------------------------- convolution


    @Override
    public void im2col(Tensor x, int image, ConvGeometry g, Tensor col) {
        Checks.owned("im2col", this, x, col);
        OpShapes.image("im2col", x, image, g);
        Checks.shape("im2col", "col", col, g.colRows(), g.colCols());
        CpuConv.im2col(data(x), image, g, data(col), 0, g.colCols(), vector);
    }

    @Override
    public void col2im(Tensor col, ConvGeometry g, Tensor x, int image) {
        Checks.owned("col2im", this, x, col);
        OpShapes.image("col2im", x, image, g);
        Checks.shape("col2im", "col", col, g.colRows(), g.colCols());
        CpuConv.col2im(data(col), 0, g.colCols(), g, data(x), image, vector);
    }


    @Override
    public void conv2dForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        convForward("conv2dForward", x, w, bias, y, g, false);
    }

    @Override
    public void conv2dForwardRelu(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        convForward("conv2dForwardRelu", x, w, bias, y, g, true);
    }

    private void convForward(String op, Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g, boolean relu) {
        OpShapes.convForward(op, this, g, x, w, bias, y);
        conv.forward(data(x), data(w), bias == null ? null : data(bias), data(y), x.dim(0), g, relu);
    }

    @Override
    public void conv2dBackwardData(Tensor gradY, Tensor w, Tensor gradX, ConvGeometry g) {
        Checks.owned("conv2dBackwardData", this, gradY, w, gradX);
        OpShapes.conv("conv2dBackwardData", g, gradX, w, gradY);
        conv.backwardData(data(gradY), data(w), data(gradX), gradX.dim(0), g);
    }

    @Override
    public void conv2dBackwardWeights(Tensor x, Tensor gradY, Tensor gradW, Tensor gradBias, ConvGeometry g) {
        Checks.owned("conv2dBackwardWeights", this, x, gradY, gradW, gradBias);
        OpShapes.conv("conv2dBackwardWeights", g, x, gradW, gradY);
        if (gradBias != null) {
            Checks.shape("conv2dBackwardWeights", "gradBias", gradBias, g.outC());
        }
        conv.backwardWeights(data(x), data(gradY), data(gradW), gradBias == null ? null : data(gradBias),
            x.dim(0), g);
    }

    @Override
    public void conv2dBackward(Tensor x, Tensor gradY, Tensor w, Tensor gradX, Tensor gradW, Tensor gradBias,
                               ConvGeometry g) {
        Checks.owned("conv2dBackward", this, x, gradY, w, gradX, gradW, gradBias);
        OpShapes.conv("conv2dBackward", g, x, gradW, gradY);
        OpShapes.conv("conv2dBackward", g, x, w, gradY);
        if (gradX != null) {
            OpShapes.conv("conv2dBackward", g, gradX, w, gradY);
        }
        if (gradBias != null) {
            Checks.shape("conv2dBackward", "gradBias", gradBias, g.outC());
        }
        conv.backward(data(x), data(gradY), data(w), gradX == null ? null : data(gradX), data(gradW),
            gradBias == null ? null : data(gradBias), x.dim(0), g);
    }

    // ---------------------------------------------------------------- elementwise and bias

    /** [N, C, S] view of y for a bias of C entries. */

    @Override
    public void biasAdd(Tensor y, Tensor bias) {
        Checks.owned("biasAdd", this, y, bias);
        int s = OpShapes.bias("biasAdd", y, bias);
        CpuOps.biasAdd(data(y), data(bias), y.dim(0), (int) bias.size(), s);
    }

    @Override
    public void biasGrad(Tensor gradY, Tensor gradBias) {
        Checks.owned("biasGrad", this, gradY, gradBias);
        int s = OpShapes.bias("biasGrad", gradY, gradBias);
        CpuOps.biasGrad(data(gradY), data(gradBias), gradY.dim(0), (int) gradBias.size(), s);
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
        if (vector) {
            VectorKernels.relu(data(x), data(y), (int) x.size());
        } else {
            CpuOps.relu(data(x), data(y), (int) x.size());
        }
    }

    @Override
    public void reluBackward(Tensor y, Tensor gradY, Tensor gradX) {
        same("reluBackward", y, gradY, gradX);
        if (vector) {
            VectorKernels.reluBackward(data(y), data(gradY), data(gradX), (int) y.size());
        } else {
            CpuOps.reluBackward(data(y), data(gradY), data(gradX), (int) y.size());
        }
    }

    @Override
    public void scale(Tensor x, float alpha, Tensor y) {
        same("scale", x, y);
        CpuOps.scale(data(x), alpha, data(y), (int) x.size());
    }

    @Override
    public void axpy(float alpha, Tensor x, Tensor y) {
        same("axpy", x, y);
        CpuOps.axpy(alpha, data(x), data(y), (int) x.size());
    }

    @Override
    public void add(Tensor a, Tensor b, Tensor out) {
        same("add", a, b, out);
        CpuOps.add(data(a), data(b), data(out), (int) a.size());
    }

    @Override
    public void mul(Tensor a, Tensor b, Tensor out) {
        same("mul", a, b, out);
        CpuOps.mul(data(a), data(b), data(out), (int) a.size());
    }

    // ---------------------------------------------------------------- pooling, LRN


    @Override
    public void maxPoolForward(Tensor x, Tensor y, Tensor argmax, PoolGeometry g) {
        Checks.owned("maxPoolForward", this, x, y, argmax);
        int planes = OpShapes.pool("maxPoolForward", x, y, g);
        Checks.shape("maxPoolForward", "argmax", argmax, y.shape());
        if (vector && g.kH() == 2 && g.kW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 0
            && g.padW() == 0
            && VectorKernels.maxPool2x2(data(x), data(y), data(argmax), planes, g.inH(), g.inW(), g.outH(), g.outW())) {
            return;
        }
        if (vector) {
            VectorKernels.maxPool(data(x), data(y), data(argmax), planes, g);
            return;
        }
        CpuPool.maxForward(data(x), data(y), data(argmax), planes, g);
    }

    @Override
    public void maxPoolBackward(Tensor gradY, Tensor argmax, Tensor gradX, PoolGeometry g) {
        Checks.owned("maxPoolBackward", this, gradY, argmax, gradX);
        int planes = OpShapes.pool("maxPoolBackward", gradX, gradY, g);
        Checks.shape("maxPoolBackward", "argmax", argmax, gradY.shape());
        CpuPool.maxBackward(data(gradY), data(argmax), data(gradX), planes, g);
    }

    @Override
    public void avgPoolForward(Tensor x, Tensor y, PoolGeometry g) {
        Checks.owned("avgPoolForward", this, x, y);
        CpuPool.avgForward(data(x), data(y), OpShapes.pool("avgPoolForward", x, y, g), g);
    }

    @Override
    public void avgPoolBackward(Tensor gradY, Tensor gradX, PoolGeometry g) {
        Checks.owned("avgPoolBackward", this, gradY, gradX);
        CpuPool.avgBackward(data(gradY), data(gradX), OpShapes.pool("avgPoolBackward", gradX, gradY, g), g);
    }


    @Override
    public void lrnForward(Tensor x, Tensor y, Tensor scale, LrnParams p) {
        Checks.owned("lrnForward", this, x, y, scale);
        OpShapes.lrn("lrnForward", x, y, scale);
        int s = (int) (x.size() / ((long) x.dim(0) * x.dim(1)));
        CpuPool.lrnForward(data(x), data(y), data(scale), x.dim(0), x.dim(1), s, p);
    }

    @Override
    public void lrnBackward(Tensor x, Tensor y, Tensor scale, Tensor gradY, Tensor gradX, LrnParams p) {
        Checks.owned("lrnBackward", this, x, y, scale, gradY, gradX);
        OpShapes.lrn("lrnBackward", x, y, scale, gradY, gradX);
        int s = (int) (x.size() / ((long) x.dim(0) * x.dim(1)));
        CpuPool.lrnBackward(data(x), data(y), data(scale), data(gradY), data(gradX), x.dim(0), x.dim(1), s, p);
    }

    // ---------------------------------------------------------------- batch normalisation

    private CpuBatchNorm.RowSums rowSums() {
        return vector ? VectorKernels.rowSums() : CpuBatchNorm.SCALAR;
    }

    @Override
    public void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor saveMean,
                                         Tensor saveInvStd, Tensor runningMean, Tensor runningVar, float momentum,
                                         float eps) {
        String op = "batchNormForwardTraining";
        Checks.owned(op, this, x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar);
        int s = OpShapes.batchNormTraining(op, x, y, gamma, beta, saveMean, saveInvStd, runningMean, runningVar);
        CpuBatchNorm.forwardTraining(rowSums(), data(x), data(gamma), data(beta), data(y), data(saveMean),
            data(saveInvStd), data(runningMean), data(runningVar), x.dim(0), x.dim(1), s, momentum, eps, false);
    }

    /** The ReLU applied as y is written: one pass over y fewer. */
    @Override
    public void batchNormReluForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor saveMean,
                                             Tensor saveInvStd, Tensor runningMean, Tensor runningVar, float momentum,
                                             float eps) {
        String op = "batchNormReluForwardTraining";
        Checks.owned(op, this, x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar);
        int s = OpShapes.batchNormTraining(op, x, y, gamma, beta, saveMean, saveInvStd, runningMean, runningVar);
        CpuBatchNorm.forwardTraining(rowSums(), data(x), data(gamma), data(beta), data(y), data(saveMean),
            data(saveInvStd), data(runningMean), data(runningVar), x.dim(0), x.dim(1), s, momentum, eps, true);
    }

    @Override
    public void batchNormReluForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                              Tensor runningVar, float eps, Tensor y) {
        String op = "batchNormReluForwardInference";
        Checks.owned(op, this, x, gamma, beta, runningMean, runningVar, y);
        int s = OpShapes.batchNorm(op, x, new Tensor[] {y}, gamma, beta, runningMean, runningVar);
        CpuBatchNorm.forwardInference(rowSums(), data(x), data(gamma), data(beta), data(runningMean), data(runningVar),
            data(y), x.dim(0), x.dim(1), s, eps, true);
    }

    /** The ReLU's mask recomputed from x (gamma, beta and the saved statistics): y is not read, gradY not written. */
    @Override
    public void batchNormReluBackward(Tensor x, Tensor y, Tensor gradY, Tensor gamma, Tensor beta, Tensor saveMean,
                                      Tensor saveInvStd, Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        String op = "batchNormReluBackward";
        Checks.owned(op, this, x, y, gradY, gamma, beta, saveMean, saveInvStd, gradX, gradGamma, gradBeta);
        int s = OpShapes.batchNorm(op, x, new Tensor[] {y, gradY, gradX}, gamma, beta, saveMean, saveInvStd,
            gradGamma, gradBeta);
        CpuBatchNorm.backward(rowSums(), data(x), data(gradY), data(gamma), data(beta), data(saveMean),
            data(saveInvStd), gradX == null ? null : data(gradX), data(gradGamma), data(gradBeta), x.dim(0), x.dim(1),
            s);
    }

    @Override
    public void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                          float eps, Tensor y) {
        String op = "batchNormForwardInference";
        Checks.owned(op, this, x, gamma, beta, runningMean, runningVar, y);
        int s = OpShapes.batchNorm(op, x, new Tensor[] {y}, gamma, beta, runningMean, runningVar);
        CpuBatchNorm.forwardInference(rowSums(), data(x), data(gamma), data(beta), data(runningMean), data(runningVar),
            data(y), x.dim(0), x.dim(1), s, eps, false);
    }

    @Override
    public void batchNormBackward(Tensor x, Tensor gradY, Tensor gamma, Tensor saveMean, Tensor saveInvStd,
                                  Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        String op = "batchNormBackward";
        Checks.owned(op, this, x, gradY, gamma, saveMean, saveInvStd, gradX, gradGamma, gradBeta);
        int s = OpShapes.batchNorm(op, x, new Tensor[] {gradY, gradX}, gamma, saveMean, saveInvStd, gradGamma,
            gradBeta);
        CpuBatchNorm.backward(rowSums(), data(x), data(gradY), data(gamma), null, data(saveMean), data(saveInvStd),
            gradX == null ? null : data(gradX), data(gradGamma), data(gradBeta), x.dim(0), x.dim(1), s);
    }

    // ---------------------------------------------------------------- loss, dropout, optimiser

    /** The shared shape rules, plus a label range check (cheap here: labels are host memory). */
    private static void lossShapes(String op, Tensor scores, Tensor labels, Tensor other) {
        OpShapes.loss(op, scores, labels, other);
        int k = scores.dim(1);
        float[] l = data(labels);
        for (int i = 0, n = (int) labels.size(); i < n; i++) {
            if (!(l[i] >= 0 && l[i] < k) || l[i] != Math.rint(l[i])) {
                throw new IllegalArgumentException(op + ": label " + l[i] + " of sample " + i
                    + " is not a class index in [0, " + k + ")");
            }
        }
    }

    @Override
    public void softmaxCrossEntropyForward(Tensor logits, Tensor labels, Tensor probs, Tensor loss) {
        Checks.owned("softmaxCrossEntropyForward", this, logits, labels, probs, loss);
        lossShapes("softmaxCrossEntropyForward", logits, labels, probs);
        Checks.shape("softmaxCrossEntropyForward", "loss", loss, logits.dim(0));
        CpuOps.softmaxCrossEntropy(data(logits), data(labels), data(probs), data(loss), logits.dim(0), logits.dim(1));
    }

    @Override
    public void softmaxCrossEntropyBackward(Tensor probs, Tensor labels, float scale, Tensor gradLogits) {
        Checks.owned("softmaxCrossEntropyBackward", this, probs, labels, gradLogits);
        lossShapes("softmaxCrossEntropyBackward", probs, labels, gradLogits);
        CpuOps.softmaxCrossEntropyBackward(data(probs), data(labels), scale, data(gradLogits),
            probs.dim(0), probs.dim(1));
    }

    @Override
    public void dropoutForward(Tensor x, Tensor y, Tensor mask, float p, long seed) {
        same("dropoutForward", x, y, mask);
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropoutForward: probability " + p + " outside [0, 1)");
        }
        CpuOps.dropout(data(x), data(y), data(mask), p, seed, (int) x.size());
    }

    @Override
    public void sgdUpdate(Tensor w, Tensor grad, Tensor velocity, float lr, float momentum, float weightDecay,
                          boolean nesterov) {
        same("sgdUpdate", w, grad, velocity);
        CpuOps.sgd(data(w), data(grad), data(velocity), lr, momentum, weightDecay, nesterov, (int) w.size());
    }

    // ---------------------------------------------------------------- reductions

    @Override
    public double sum(Tensor x) {
        Checks.owned("sum", this, x);
        return CpuOps.sum(data(x), (int) x.size());
    }

    @Override
    public int[] topK(Tensor scores, int k) {
        Checks.owned("topK", this, scores);
        if (scores.rank() != 2 || k < 1 || k > scores.dim(1)) {
            throw new IllegalArgumentException("topK: k=" + k + " for scores " + Arrays.toString(scores.shape()));
        }
        return CpuOps.topK(data(scores), scores.dim(0), scores.dim(1), k);
    }
}
