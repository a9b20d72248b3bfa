package org.vgg4j.nn.layers;

import java.util.List;
import org.vgg4j.nn.Buffers;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.State;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * Batch normalisation (Ioffe & Szegedy, 2015) over the channels of x [N, C, H, W] (or [N, C]),
 * with PyTorch's definitions and names: in training, each channel is normalised by the batch's
 * mean and biased variance, then scaled by {@code weight} (gamma, starts at 1) and shifted by
 * {@code bias} (beta, starts at 0); the running mean and unbiased variance move by
 * {@code momentum} (0.1) and {@code num_batches_tracked} counts the training batches. In
 * evaluation the running statistics normalise. eps is 1e-5 (GoogLeNet's 1e-3 by the other constructor).
 * Gamma and beta take no weight decay.
 */
public final class BatchNorm2d implements Module {
    public static final float MOMENTUM = 0.1f;
    public static final float EPS = 1e-5f;

    private final Backend backend;
    private final int channels;
    private final float eps;
    private final Parameter weight;
    private final Parameter bias;
    private final State runningMean;
    private final State runningVar;
    private final State batches;
    private final Buffers buffers;
    private boolean inputGradient = true;
    private boolean trainedForward;
    private boolean withRelu;
    private Tensor input;

    /** @param name prefix of the tensor names, e.g. {@code features.1} */
    public BatchNorm2d(Backend backend, String name, int channels) {
        this(backend, name, channels, EPS);
    }

    /** @param eps added to the variance (PyTorch's default 1e-5; torchvision's GoogLeNet 1e-3) */
    public BatchNorm2d(Backend backend, String name, int channels, float eps) {
        if (!(eps > 0)) {
            throw new IllegalArgumentException("BatchNorm2d: eps " + eps);
        }
        this.eps = eps;
        if (channels <= 0) {
            throw new IllegalArgumentException("BatchNorm2d: " + channels + " channels");
        }
        this.backend = backend;
        this.channels = channels;
        this.weight = new Parameter(backend, name + ".weight", false, channels);
        this.bias = new Parameter(backend, name + ".bias", false, channels);
        this.runningMean = State.floats(backend, name + ".running_mean", channels);
        this.runningVar = State.floats(backend, name + ".running_var", channels);
        this.batches = State.counter(name + ".num_batches_tracked");
        this.buffers = new Buffers(backend);
        resetParameters();
    }

    /** gamma 1, beta 0, running mean 0, running variance 1, no batches tracked (PyTorch's initial state). */
    public void resetParameters() {
        backend.fill(weight.value(), 1f);
        backend.fill(bias.value(), 0f);
        backend.fill(runningMean.value(), 0f);
        backend.fill(runningVar.value(), 1f);
        batches.setCount(0);
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    public float eps() { return eps; }

    public State runningMean() { return runningMean; }

    public State runningVar() { return runningVar; }

    public int channels() { return channels; }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length < 2 || s[1] != channels) {
            throw new IllegalArgumentException("BatchNorm2d(" + channels + "): input " + java.util.Arrays.toString(s)
                + " does not have " + channels + " channels");
        }
        return s.clone();
    }

    /**
     * The output, in a buffer of this layer's that {@link #backward} then reuses for the input
     * gradient: read it before the backward pass (every later layer has).
     */
    @Override
    public Tensor forward(Tensor x, boolean training) {
        return forward(x, training, false);
    }

    /**
     * The forward followed by an in-place ReLU's, in one backend call; the next {@link #backward}
     * then takes the gradient the ReLU would have been given. {@link org.vgg4j.nn.Sequential}
     * calls it for a batch norm followed by an in-place ReLU, and skips that ReLU both ways.
     */
    public Tensor forwardRelu(Tensor x, boolean training) {
        return forward(x, training, true);
    }

    /** Whether the last forward ran with the ReLU ({@link #forwardRelu}). */
    public boolean ranWithRelu() {
        return withRelu;
    }

    private Tensor forward(Tensor x, boolean training, boolean relu) {
        outputShape(x.shape());
        input = x;
        trainedForward = training;
        withRelu = relu;
        Tensor y = buffers.get("y", x.shape());
        if (training && relu) {
            backend.batchNormReluForwardTraining(x, weight.value(), bias.value(), y, buffers.get("mean", channels),
                buffers.get("invStd", channels), runningMean.value(), runningVar.value(), MOMENTUM, eps);
        } else if (training) {
            backend.batchNormForwardTraining(x, weight.value(), bias.value(), y, buffers.get("mean", channels),
                buffers.get("invStd", channels), runningMean.value(), runningVar.value(), MOMENTUM, eps);
        } else if (relu) {
            backend.batchNormReluForwardInference(x, weight.value(), bias.value(), runningMean.value(),
                runningVar.value(), eps, y);
        } else {
            backend.batchNormForwardInference(x, weight.value(), bias.value(), runningMean.value(), runningVar.value(),
                eps, y);
        }
        if (training) {
            batches.setCount(batches.count() + 1);
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        if (!trainedForward) {
            throw new IllegalStateException("BatchNorm2d: backward after an evaluation-mode forward is not supported "
                + "(train with training = true)");
        }
        // the input gradient goes into this layer's own output buffer: every reader of the output
        // (the layers after it) has run its backward by now, and the next forward rewrites it, so
        // a network keeps one activation-sized buffer less per batch norm (ResNet-50 at batch 8:
        // 53 of them)
        Tensor gradX = inputGradient ? buffers.get("y", input.shape()) : null;
        if (withRelu) {
            // gradX may be the output y, which the ReLU's mask reads first
            backend.batchNormReluBackward(input, buffers.get("y", input.shape()), gradY, weight.value(), bias.value(),
                buffers.get("mean", channels), buffers.get("invStd", channels), gradX, weight.grad(), bias.grad());
        } else {
            backend.batchNormBackward(input, gradY, weight.value(), buffers.get("mean", channels),
                buffers.get("invStd", channels), gradX, weight.grad(), bias.grad());
        }
        return gradX;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        this.inputGradient = needed;
    }

    /** Not when it ran alone; with its ReLU, a backend may mask the gradient in place. */
    @Override
    public boolean writesGradOutput() {
        return withRelu;
    }

    @Override
    public List<Parameter> parameters() {
        return List.of(weight, bias);
    }

    @Override
    public List<State> state() {
        return List.of(runningMean, runningVar, batches);
    }

    @Override
    public String describe() {
        return "BatchNorm2d(" + channels + ", eps=" + eps + ", momentum=" + MOMENTUM + ")";
    }

    @Override
    public void close() {
        weight.close();
        bias.close();
        runningMean.close();
        runningVar.close();
        buffers.close();
    }
}
