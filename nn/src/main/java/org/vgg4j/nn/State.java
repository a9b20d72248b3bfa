package org.vgg4j.nn;

import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * A named tensor a module carries but does not train, saved and loaded with the parameters
 * (PyTorch's buffers, Caffe's extra blobs): BatchNorm's {@code running_mean} and
 * {@code running_var} (float32 on the module's backend), and {@code num_batches_tracked}, a
 * 64-bit counter of shape [] held on the host, as PyTorch stores it (I64 in files).
 */
public final class State implements AutoCloseable {
    private final String name;
    private final Tensor value;
    private long count;

    private State(String name, Tensor value) {
        this.name = name;
        this.value = value;
    }

    /** A float32 state tensor of {@code shape} on {@code backend}, zero-filled. */
    public static State floats(Backend backend, String name, int... shape) {
        return new State(name, backend.zeros(shape));
    }

    /** A 64-bit counter (shape [], I64 in files), starting at 0. */
    public static State counter(String name) {
        return new State(name, null);
    }

    public String name() { return name; }

    /** Whether this is a 64-bit counter rather than a float tensor. */
    public boolean isCounter() { return value == null; }

    /** The float tensor; throws for a counter. */
    public Tensor value() {
        if (value == null) {
            throw new IllegalStateException(name + " is a counter, not a float tensor");
        }
        return value;
    }

    /** The shape in files: [] for a counter. */
    public int[] shape() { return value == null ? new int[0] : value.shape(); }

    public long count() { return count; }

    public void setCount(long count) { this.count = count; }

    @Override
    public void close() {
        if (value != null) {
            value.close();
        }
    }

    @Override
    public String toString() {
        return name + (value == null ? "[] (I64)" : java.util.Arrays.toString(value.shape()));
    }
}
