package org.vgg4j.nn;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * The reusable activation and gradient buffers of one module: a buffer is allocated the first
 * time a shape is asked for and handed out again for every later call with that shape, so a
 * training loop allocates nothing after its first step. A new shape (a last, smaller batch)
 * replaces the buffer.
 */
public final class Buffers implements AutoCloseable {
    private final Backend backend;
    private final Map<String, Tensor> byName = new HashMap<>();

    public Buffers(Backend backend) {
        this.backend = backend;
    }

    /** The buffer called {@code name}, with {@code shape}; contents are whatever was left in it. */
    public Tensor get(String name, int... shape) {
        Tensor t = byName.get(name);
        if (t != null && Arrays.equals(t.shape(), shape)) {
            return t;
        }
        if (t != null) {
            t.close();
        }
        t = backend.zeros(shape);
        byName.put(name, t);
        return t;
    }

    @Override
    public void close() {
        byName.values().forEach(Tensor::close);
        byName.clear();
    }
}
