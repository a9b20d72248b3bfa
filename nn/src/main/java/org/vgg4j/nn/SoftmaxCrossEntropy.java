package org.vgg4j.nn;

import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * Softmax followed by cross-entropy against integer class labels, averaged over the batch
 * (PyTorch's {@code CrossEntropyLoss}). The softmax is max-subtracted, so large logits stay
 * finite. {@link #forward} returns the mean loss to the host (one small transfer per step);
 * the probabilities stay on the device for {@link #backward} and for accuracy.
 */
public final class SoftmaxCrossEntropy implements AutoCloseable {
    private final Backend backend;
    private final Buffers buffers;
    private Tensor labels;
    private Tensor probs;
    private float scale = 1f;

    public SoftmaxCrossEntropy(Backend backend) {
        this.backend = backend;
        this.buffers = new Buffers(backend);
    }

    /**
     * @param logits [N, K]
     * @param labels [N] class indices stored as floats, on the same backend
     * @return mean over the batch of -log softmax(logits)[label]
     */
    public double forward(Tensor logits, Tensor labels) {
        if (logits.rank() != 2) {
            throw new IllegalArgumentException("SoftmaxCrossEntropy: logits " + logits + " are not [N, K]");
        }
        int n = logits.dim(0);
        this.labels = labels;
        this.probs = buffers.get("probs", logits.shape());
        Tensor loss = buffers.get("loss", n);
        backend.softmaxCrossEntropyForward(logits, labels, probs, loss);
        return backend.sum(loss) / n;
    }

    /** Softmax probabilities [N, K] of the last forward. */
    public Tensor probabilities() {
        return probs;
    }

    /**
     * Scales the gradient by an extra factor (1 / micro-batches when gradients are accumulated
     * over several micro-batches to make one larger batch).
     */
    public void setGradientScale(float scale) {
        this.scale = scale;
    }

    /** The gradient of the mean loss with respect to the logits: (p - onehot) / N. */
    public Tensor backward() {
        Tensor grad = buffers.get("grad", probs.shape());
        backend.softmaxCrossEntropyBackward(probs, labels, scale / probs.dim(0), grad);
        return grad;
    }

    @Override
    public void close() {
        buffers.close();
    }
}
