package org.vgg4j.tensor;

/**
 * The few coarse operations a device must implement to train and run VGG networks.
 *
 * <p>Every tensor is float32, row-major. Shapes are stated per op; an op given tensors of
 * the wrong shape or of another backend throws {@link IllegalArgumentException} naming the
 * op and the shapes. Ops that "accumulate" add into their output ({@code +=}); all others
 * overwrite it. On a device, ops are queued in order and may return before they finish;
 * only the methods that return host values ({@link #download}, {@link #sum}, {@link #topK})
 * and {@link #synchronize} wait.
 *
 * <p>{@code CpuBackend} is the living reference for every other implementation.
 */
public interface Backend extends AutoCloseable {

    /** A short name: {@code cpu}, {@code cl:0:0}. */
    String name();

    /** One line describing the device (vector width, cores / device name, driver). */
    String description();

    // ---------------------------------------------------------------- memory

    /** A new zero-filled tensor. */
    Tensor zeros(int... shape);

    /** A new tensor holding a copy of {@code data}, which must have exactly the shape's size. */
    Tensor fromHost(float[] data, int... shape);

    /** Copies {@code len} floats from {@code src[srcOff..]} into {@code dst[dstOff..]}. */
    void upload(float[] src, int srcOff, Tensor dst, long dstOff, int len);

    /**
     * {@link #upload}, but where the device can, the copy runs while the ops already queued run
     * (a second queue) and this returns once {@code src} has been read: the copy starts after
     * every op queued before this call (they may still use {@code dst}) and ends before any op
     * queued after it that touches {@code dst}. The default is {@link #upload}.
     */
    default void uploadAhead(float[] src, int srcOff, Tensor dst, long dstOff, int len) {
        upload(src, srcOff, dst, dstOff, len);
    }

    /** Whether {@link #uploadAhead} overlaps queued work (worth a second input buffer). */
    default boolean uploadsAhead() {
        return false;
    }

    /** Copies {@code len} floats from {@code src[srcOff..]} into {@code dst[dstOff..]}; waits. */
    void download(Tensor src, long srcOff, float[] dst, int dstOff, int len);

    /** The whole tensor as a new host array; waits. */
    default float[] toHost(Tensor t) {
        if (t.size() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("toHost: tensor too large for one array: " + t);
        }
        float[] out = new float[(int) t.size()];
        download(t, 0, out, 0, out.length);
        return out;
    }

    /** {@code dst[dstOff + i] = src[srcOff + i]} for i in [0, len); both on this backend. */
    void copy(Tensor src, long srcOff, Tensor dst, long dstOff, long len);

    /** Every element of {@code t} set to {@code value}. */
    void fill(Tensor t, float value);

    /** Frees the storage of {@code t}; called by {@link Tensor#close()}. */
    void release(Tensor t);

    /** Waits until every queued op has finished. */
    void synchronize();

    // ---------------------------------------------------------------- BLAS

    /**
     * {@code C = alpha * op(A) * op(B) + beta * C}, row-major, where op(A) is [m,k] and op(B)
     * is [k,n]. A is stored as [m, lda] (or [k, lda] when transposed) starting at offset
     * {@code offA}; likewise B and C. With {@code beta == 0} C is not read (NaNs in C vanish).
     */
    void gemm(boolean transA, boolean transB, int m, int n, int k,
              float alpha, Tensor a, long offA, int lda,
              Tensor b, long offB, int ldb,
              float beta, Tensor c, long offC, int ldc);

    /** {@link #gemm} on whole contiguous matrices: {@code C[m,n] = alpha op(A) op(B) + beta C}. */
    default void gemm(boolean transA, boolean transB, int m, int n, int k,
                      float alpha, Tensor a, Tensor b, float beta, Tensor c) {
        gemm(transA, transB, m, n, k, alpha, a, 0, transA ? m : k, b, 0, transB ? k : n, beta, c, 0, n);
    }

    // ---------------------------------------------------------------- convolution

    /**
     * Unfolds image {@code image} of {@code x [N, inC, inH, inW]} into
     * {@code col [inC*kH*kW, outH*outW]} (Caffe's order: row = (c*kH + i)*kW + j). Padding is zero.
     */
    void im2col(Tensor x, int image, ConvGeometry g, Tensor col);

    /** The adjoint of {@link #im2col}: accumulates {@code col} into image {@code image} of {@code x}. */
    void col2im(Tensor col, ConvGeometry g, Tensor x, int image);

    /**
     * {@code y [N, outC, outH, outW] = conv(x [N, inC, inH, inW], w [outC, inC, kH, kW]) + bias [outC]};
     * {@code bias} may be null.
     */
    void conv2dForward(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g);

    /**
     * {@link #conv2dForward} followed by ReLU on y in place, for evaluation (nothing is kept for a
     * backward pass): a backend may apply the ReLU while it writes y (the CPU's Winograd path does).
     */
    default void conv2dForwardRelu(Tensor x, Tensor w, Tensor bias, Tensor y, ConvGeometry g) {
        conv2dForward(x, w, bias, y, g);
        reluForward(y, y);
    }

    /** {@code gradX [N, inC, inH, inW]} = the input gradient of the convolution (overwrites). */
    void conv2dBackwardData(Tensor gradY, Tensor w, Tensor gradX, ConvGeometry g);

    /**
     * Accumulates the weight gradient into {@code gradW [outC, inC, kH, kW]} and, when not null,
     * the bias gradient into {@code gradBias [outC]}.
     */
    void conv2dBackwardWeights(Tensor x, Tensor gradY, Tensor gradW, Tensor gradBias, ConvGeometry g);

    /**
     * Both gradients of a convolution in one call: the weight (and bias) gradient accumulates as in
     * {@link #conv2dBackwardWeights}, and when {@code gradX} is not null the input gradient is
     * written as by {@link #conv2dBackwardData}. A backend may share work between the two (the CPU's
     * Winograd path transforms {@code gradY} once for both).
     */
    default void conv2dBackward(Tensor x, Tensor gradY, Tensor w, Tensor gradX, Tensor gradW, Tensor gradBias,
                                ConvGeometry g) {
        conv2dBackwardWeights(x, gradY, gradW, gradBias, g);
        if (gradX != null) {
            conv2dBackwardData(gradY, w, gradX, g);
        }
    }

    // ---------------------------------------------------------------- elementwise and bias

    /**
     * {@code y[n, c, s] += bias[c]} where {@code y} is viewed as [N, C, S] with C = bias size
     * and N = dim 0 (S = 1 for a linear layer's [N, C] output).
     */
    void biasAdd(Tensor y, Tensor bias);

    /** Accumulates {@code gradBias[c] += sum over n, s of gradY[n, c, s]} (layout as in biasAdd). */
    void biasGrad(Tensor gradY, Tensor gradBias);

    /** {@code y = max(x, 0)}; y may be x. */
    void reluForward(Tensor x, Tensor y);

    /** {@code gradX = gradY * (y > 0)}; gradX may be gradY. */
    void reluBackward(Tensor y, Tensor gradY, Tensor gradX);

    /** {@code y = alpha * x}; y may be x. */
    void scale(Tensor x, float alpha, Tensor y);

    /** {@code y += alpha * x}. */
    void axpy(float alpha, Tensor x, Tensor y);

    /** {@code out = a + b} elementwise, one pass (a residual block's sum); out may be a or b. */
    void add(Tensor a, Tensor b, Tensor out);

    /** {@code out = a * b} elementwise; out may be a or b. */
    void mul(Tensor a, Tensor b, Tensor out);

    // ---------------------------------------------------------------- pooling, LRN

    /**
     * Max pooling of {@code x [N, C, inH, inW]} into {@code y [N, C, outH, outW]}. {@code argmax}
     * (same shape as y) receives the index {@code h*inW + w} of the winner within its input plane,
     * stored as a float (exact for planes under 2^24 elements); ties go to the first in row order.
     */
    void maxPoolForward(Tensor x, Tensor y, Tensor argmax, PoolGeometry g);

    /** {@code gradX} (overwritten) receives each {@code gradY} at its argmax; overlaps add. */
    void maxPoolBackward(Tensor gradY, Tensor argmax, Tensor gradX, PoolGeometry g);

    /** Average pooling; padded positions are not counted. */
    void avgPoolForward(Tensor x, Tensor y, PoolGeometry g);

    /** Input gradient of average pooling (overwrites gradX). */
    void avgPoolBackward(Tensor gradY, Tensor gradX, PoolGeometry g);

    /**
     * LRN across channels of {@code x [N, C, H, W]} (see {@link LrnParams}). {@code scale} (same
     * shape) receives {@code k + alpha/size * sum x^2}, which the backward pass reuses.
     */
    void lrnForward(Tensor x, Tensor y, Tensor scale, LrnParams p);

    /** Input gradient of LRN (overwrites gradX), from the forward's x, y and scale. */
    void lrnBackward(Tensor x, Tensor y, Tensor scale, Tensor gradY, Tensor gradX, LrnParams p);

    // ---------------------------------------------------------------- batch normalisation

    /**
     * Batch normalisation in training mode of {@code x} viewed as [N, C, S] (S = H*W for
     * [N, C, H, W], 1 for [N, C]), PyTorch's definitions: per channel, the mean and the biased
     * variance over the M = N*S values; {@code y = gamma * (x - mean) / sqrt(var + eps) + beta};
     * {@code saveMean [C]} and {@code saveInvStd [C]} receive the mean and 1/sqrt(var + eps) for
     * {@link #batchNormBackward}; the running statistics [C] move by
     * {@code running = (1 - momentum) * running + momentum * batch}, with the unbiased variance
     * (var * M / (M - 1)). M must be at least 2. y must not be x.
     */
    void batchNormForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor saveMean, Tensor saveInvStd,
                                  Tensor runningMean, Tensor runningVar, float momentum, float eps);

    /** Batch normalisation with the running statistics: {@code y = gamma (x - rm) / sqrt(rv + eps) + beta}. */
    void batchNormForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean, Tensor runningVar,
                                   float eps, Tensor y);

    /**
     * Gradients of {@link #batchNormForwardTraining}, from its input x and saved statistics:
     * {@code gradGamma [C]} and {@code gradBeta [C]} accumulate; {@code gradX} (may be null) is
     * overwritten with {@code gamma * invStd / M * (M dy - sum dy - xhat * sum(dy * xhat))}.
     */
    void batchNormBackward(Tensor x, Tensor gradY, Tensor gamma, Tensor saveMean, Tensor saveInvStd, Tensor gradX,
                           Tensor gradGamma, Tensor gradBeta);

    /**
     * {@link #batchNormForwardTraining} then {@code y = max(0, y)}: a batch norm followed by a
     * ReLU (one pass over y where the backend fuses them).
     */
    default void batchNormReluForwardTraining(Tensor x, Tensor gamma, Tensor beta, Tensor y, Tensor saveMean,
                                              Tensor saveInvStd, Tensor runningMean, Tensor runningVar, float momentum,
                                              float eps) {
        batchNormForwardTraining(x, gamma, beta, y, saveMean, saveInvStd, runningMean, runningVar, momentum, eps);
        reluForward(y, y);
    }

    /** {@link #batchNormForwardInference} then {@code y = max(0, y)}. */
    default void batchNormReluForwardInference(Tensor x, Tensor gamma, Tensor beta, Tensor runningMean,
                                               Tensor runningVar, float eps, Tensor y) {
        batchNormForwardInference(x, gamma, beta, runningMean, runningVar, eps, y);
        reluForward(y, y);
    }

    /**
     * Gradients of {@link #batchNormReluForwardTraining}: {@link #batchNormBackward} of
     * {@code gradY * (y > 0)}, y being that forward's output (a backend may instead recompute the
     * pre-ReLU value from x, beta and the saved statistics). gradY may be overwritten; gradX may be
     * y (read before it is written).
     */
    default void batchNormReluBackward(Tensor x, Tensor y, Tensor gradY, Tensor gamma, Tensor beta, Tensor saveMean,
                                       Tensor saveInvStd, Tensor gradX, Tensor gradGamma, Tensor gradBeta) {
        reluBackward(y, gradY, gradY);
        batchNormBackward(x, gradY, gamma, saveMean, saveInvStd, gradX, gradGamma, gradBeta);
    }

    // ---------------------------------------------------------------- loss, dropout

    /**
     * Row-wise softmax of {@code logits [N, K]} into {@code probs [N, K]} (max-subtracted, stable)
     * and the per-sample cross-entropy {@code loss[n] = -log probs[n, labels[n]]} into
     * {@code loss [N]}. {@code labels [N]} hold class indices as floats.
     */
    void softmaxCrossEntropyForward(Tensor logits, Tensor labels, Tensor probs, Tensor loss);

    /** {@code gradLogits[n, k] = scale * (probs[n, k] - (k == labels[n]))}; scale is 1/N for a mean. */
    void softmaxCrossEntropyBackward(Tensor probs, Tensor labels, float scale, Tensor gradLogits);

    /**
     * Inverted dropout: {@code mask[i] = uniform(seed, i) >= p ? 1/(1-p) : 0} (see {@link Rng#uniform})
     * and {@code y = x * mask}. The mask depends only on seed and index, so every backend draws
     * the same one. The backward pass is {@code mul(gradY, mask, gradX)}.
     */
    void dropoutForward(Tensor x, Tensor y, Tensor mask, float p, long seed);

    // ---------------------------------------------------------------- optimiser

    /**
     * SGD with momentum and L2 weight decay, PyTorch's formulation:
     * {@code g = grad + weightDecay*w; v = momentum*v + g; w -= lr * (nesterov ? g + momentum*v : v)}.
     */
    void sgdUpdate(Tensor w, Tensor grad, Tensor velocity, float lr, float momentum, float weightDecay,
                   boolean nesterov);

    // ---------------------------------------------------------------- reductions (to host, wait)

    /** Sum of all elements, accumulated in double; waits. */
    double sum(Tensor x);

    /**
     * Indices of the {@code k} largest entries of each row of {@code scores [N, K]}, in descending
     * order (ties: lower index first), as a host array [N*k]; waits.
     */
    int[] topK(Tensor scores, int k);

    /** Frees workspaces and device resources; tensors of this backend are invalid afterwards. */
    @Override
    void close();
}
