package org.vgg4j.nn;

import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * Softmax followed by cross-entropy against integer class labels, averaged over the batch
 * (PyTorch's {@code CrossEntropyLoss}). The softmax is max-subtracted, so large logits stay
 * finite. {@link #forward} returns the mean loss to the host (one small transfer per step);
 * the probabilities stay on the device for {@link #backward} and for accuracy.
 *
 * <p>With {@link #setLabelSmoothing label smoothing} {@code e} the target of each row is
 * {@code (1 - e) * onehot + e / K}, as PyTorch's {@code CrossEntropyLoss(label_smoothing=e)}:
 * the loss is {@code (1 - e) * CE + e * mean_k(-log p_k)} and its gradient {@code p - target}.
 */
public final class SoftmaxCrossEntropy implements AutoCloseable {
    private final Backend backend;
    private final Buffers buffers;
    private Tensor labels;
    private Tensor probs;
    private float scale = 1f;
    private float smoothing;

    public SoftmaxCrossEntropy(Backend backend) {
        this.backend = backend;
        this.buffers = new Buffers(backend);
    }

    /**
     * @param logits [N, K]
     * @param labels [N] class indices stored as floats, on the same backend
     * @return mean over the batch of -log softmax(logits)[label] (with smoothing, of the smoothed loss)
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
        double ce = backend.sum(loss) / n;
        return smoothing == 0 ? ce : (1 - smoothing) * ce + smoothing * uniformTerm(logits);
    }

    /**
     * The mean over rows of {@code -mean_k log softmax(z)_k = logsumexp(z) - mean_k z_k}, in
     * double on the host (the logits are [N, K], small next to any layer's activations).
     */
    private static double uniformTerm(Tensor logits) {
        int n = logits.dim(0);
        int k = logits.dim(1);
        float[] z = logits.toHost();
        double total = 0;
        for (int r = 0; r < n; r++) {
            double max = Double.NEGATIVE_INFINITY;
            double mean = 0;
            for (int j = 0; j < k; j++) {
                max = Math.max(max, z[r * k + j]);
                mean += z[r * k + j];
            }
            double sum = 0;
            for (int j = 0; j < k; j++) {
                sum += Math.exp(z[r * k + j] - max);
            }
            total += max + Math.log(sum) - mean / k;
        }
        return total / n;
    }

    /**
     * Label smoothing {@code e} in [0, 1): the target puts {@code 1 - e} on the label and spreads
     * {@code e} evenly over all K classes (0, the default, is plain cross-entropy).
     */
    public void setLabelSmoothing(float e) {
        if (!(e >= 0 && e < 1)) {
            throw new IllegalArgumentException("label smoothing " + e + " is not in [0, 1)");
        }
        this.smoothing = e;
    }

    public float labelSmoothing() { return smoothing; }

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

    /**
     * The gradient of the mean loss with respect to the logits: (p - onehot) / N, or with
     * smoothing e, (p - (1 - e) onehot - e / K) / N, made as (1 - e)(p - onehot) + e p - e / K.
     */
    public Tensor backward() {
        Tensor grad = buffers.get("grad", probs.shape());
        float s = scale / probs.dim(0);
        if (smoothing == 0) {
            backend.softmaxCrossEntropyBackward(probs, labels, s, grad);
            return grad;
        }
        backend.softmaxCrossEntropyBackward(probs, labels, s * (1 - smoothing), grad);
        backend.axpy(s * smoothing, probs, grad);
        Tensor ones = buffers.get("ones", probs.shape());
        backend.fill(ones, 1f);
        backend.axpy(-s * smoothing / probs.dim(1), ones, grad);
        return grad;
    }

    @Override
    public void close() {
        buffers.close();
    }
}
