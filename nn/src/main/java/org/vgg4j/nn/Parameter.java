package org.vgg4j.nn;

import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * A trainable tensor with its gradient and optimiser state, all on the module's backend (Caffe's
 * Blob keeps data and diff together the same way). The gradient is allocated on first use, so a
 * network that only predicts holds its weights once (VGG-16: 553 MB, not 1.1 GB).
 */
public final class Parameter implements AutoCloseable {
    private final String name;
    private final Tensor value;
    private Tensor grad;
    private final boolean decay;
    private Tensor velocity;

    /**
     * @param name  its name in model files (e.g. {@code features.0.weight})
     * @param decay whether L2 weight decay applies (weights yes, biases no, as is usual)
     */
    public Parameter(Backend backend, String name, boolean decay, int... shape) {
        this.name = name;
        this.value = backend.zeros(shape);
        this.decay = decay;
    }

    public String name() { return name; }

    public Tensor value() { return value; }

    /** The accumulated gradient, created (zero) on first use. */
    public Tensor grad() {
        if (grad == null) {
            grad = value.backend().zeros(value.shape());
        }
        return grad;
    }

    public boolean decay() { return decay; }

    public int[] shape() { return value.shape(); }

    public long size() { return value.size(); }

    /** The momentum buffer, created (zero) on first use. */
    public Tensor velocity() {
        if (velocity == null) {
            velocity = value.backend().zeros(value.shape());
        }
        return velocity;
    }

    /** Whether the optimiser has state for this parameter yet. */
    public boolean hasVelocity() { return velocity != null; }

    public void zeroGrad() {
        if (grad != null) {
            grad.backend().fill(grad, 0f);
        }
    }

    @Override
    public void close() {
        value.close();
        if (grad != null) {
            grad.close();
        }
        if (velocity != null) {
            velocity.close();
        }
    }

    @Override
    public String toString() {
        return name + java.util.Arrays.toString(shape());
    }
}
