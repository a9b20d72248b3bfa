package org.vgg4j.tensor.cpu;

import java.util.Arrays;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Checks;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.LrnParams;
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

    /** The fast path when the Vector API is enabled, else scalar. */
    public CpuBackend() {
        this(VectorSupport.enabled());
    }

    /** {@code vector == false} forces the scalar loops (a second implementation for tests). */
    public CpuBackend(boolean vector) {
        this.vector = vector && VectorSupport.modulePresent();
        this.sgemm = this.vector ? VectorKernels.sgemm() : new ScalarSgemm();
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

    // ---------------------------------------------------------------- not yet implemented

    private static UnsupportedOperationException todo(String op) {
        return new UnsupportedOperationException("cpu: " + op + " is not implemented yet");
    }

    @Override public void im2col(Tensor x, int image, ConvGeometry g, Tensor col) { throw todo("im2col"); }
    @Override public void col2im(Tensor col, ConvGeometry g, Tensor x, int image) { throw todo("col2im"); }
    @Override public void conv2dForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) { throw todo("conv2dForward"); }
    @Override public void conv2dBackwardData(Tensor gradY, Tensor w, Tensor gradX, ConvGeometry g) { throw todo("conv2dBackwardData"); }
    @Override public void conv2dBackwardWeights(Tensor x, Tensor gradY, Tensor gradW, Tensor gradBias, ConvGeometry g) { throw todo("conv2dBackwardWeights"); }
    @Override public void biasAdd(Tensor y, Tensor bias) { throw todo("biasAdd"); }
    @Override public void biasGrad(Tensor gradY, Tensor gradBias) { throw todo("biasGrad"); }
    @Override public void reluForward(Tensor x, Tensor y) { throw todo("reluForward"); }
    @Override public void reluBackward(Tensor y, Tensor gradY, Tensor gradX) { throw todo("reluBackward"); }
    @Override public void scale(Tensor x, float alpha, Tensor y) { throw todo("scale"); }
    @Override public void axpy(float alpha, Tensor x, Tensor y) { throw todo("axpy"); }
    @Override public void mul(Tensor a, Tensor b, Tensor out) { throw todo("mul"); }
    @Override public void maxPoolForward(Tensor x, Tensor y, Tensor argmax, PoolGeometry g) { throw todo("maxPoolForward"); }
    @Override public void maxPoolBackward(Tensor gradY, Tensor argmax, Tensor gradX, PoolGeometry g) { throw todo("maxPoolBackward"); }
    @Override public void avgPoolForward(Tensor x, Tensor y, PoolGeometry g) { throw todo("avgPoolForward"); }
    @Override public void avgPoolBackward(Tensor gradY, Tensor gradX, PoolGeometry g) { throw todo("avgPoolBackward"); }
    @Override public void lrnForward(Tensor x, Tensor y, Tensor scale, LrnParams p) { throw todo("lrnForward"); }
    @Override public void lrnBackward(Tensor x, Tensor y, Tensor scale, Tensor gradY, Tensor gradX, LrnParams p) { throw todo("lrnBackward"); }
    @Override public void softmaxCrossEntropyForward(Tensor logits, Tensor labels, Tensor probs, Tensor loss) { throw todo("softmaxCrossEntropyForward"); }
    @Override public void softmaxCrossEntropyBackward(Tensor probs, Tensor labels, float scale, Tensor gradLogits) { throw todo("softmaxCrossEntropyBackward"); }
    @Override public void dropoutForward(Tensor x, Tensor y, Tensor mask, float p, long seed) { throw todo("dropoutForward"); }
    @Override public void sgdUpdate(Tensor w, Tensor grad, Tensor velocity, float lr, float momentum, float weightDecay, boolean nesterov) { throw todo("sgdUpdate"); }
    @Override public double sum(Tensor x) { throw todo("sum"); }
    @Override public int[] topK(Tensor scores, int k) { throw todo("topK"); }
}
