package org.vgg4j.nn;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * Input-gradient buffers shared by the modules of one network during backward. A module's input
 * gradient lives only until the module before it has run its backward; with a buffer per module
 * (as {@link Buffers} gives) a network held every one of them at once (ResNet-50 at batch 8: 71
 * buffers, 545 MB). Here a module {@link #acquire}s its input gradient, and the container that
 * passes it on {@link #release}s it once the next module's backward has returned, so later
 * modules of the same shape take the same storage again. {@link #reset} at the start of each
 * backward pass frees whatever the last pass left out (the network's own input gradient).
 * Contents of an acquired buffer are whatever was left in it, as with {@link Buffers}.
 */
public final class GradientPool implements AutoCloseable {
    private final Backend backend;
    private final Map<String, ArrayDeque<Tensor>> free = new HashMap<>();
    /** Storage object of each buffer handed out -> the buffer (a view of it releases it too). */
    private final Map<Object, Tensor> out = new IdentityHashMap<>();
    private final java.util.List<Tensor> all = new java.util.ArrayList<>();

    public GradientPool(Backend backend) {
        this.backend = backend;
    }

    /** A buffer of {@code shape} that no module holds now. */
    public synchronized Tensor acquire(int... shape) {
        String key = Arrays.toString(shape);
        ArrayDeque<Tensor> q = free.get(key);
        Tensor t = q == null || q.isEmpty() ? null : q.pop();
        if (t == null) {
            t = backend.zeros(shape);
            all.add(t);
        }
        out.put(t.storage(Object.class), t);
        return t;
    }

    /**
     * Gives back the buffer that {@code t} is (or views) if it came from here and is held, unless
     * it shares storage with one of {@code keep} (a gradient still in use, such as a container's
     * own gradient that a layer passed through); anything else is left alone.
     */
    public synchronized void release(Tensor t, Tensor... keep) {
        if (t == null) {
            return;
        }
        for (Tensor k : keep) {
            if (t.sharesStorage(k)) {
                return;
            }
        }
        Tensor held = out.remove(t.storage(Object.class));
        if (held != null) {
            free.computeIfAbsent(Arrays.toString(held.shape()), k -> new ArrayDeque<>()).push(held);
        }
    }

    /** Frees every buffer handed out (between backward passes, when none is in use). */
    public synchronized void reset() {
        for (Tensor t : out.values()) {
            free.computeIfAbsent(Arrays.toString(t.shape()), k -> new ArrayDeque<>()).push(t);
        }
        out.clear();
    }

    /** Buffers allocated so far (for tests). */
    public synchronized int allocated() {
        return all.size();
    }

    @Override
    public synchronized void close() {
        all.forEach(Tensor::close);
        all.clear();
        free.clear();
        out.clear();
    }
}
