package org.vgg4j.nn;

import java.util.HashMap;
import java.util.Map;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * The reusable activation and gradient buffers of one module: a buffer is allocated the first
 * time a shape is asked for and handed out again for every later call with that shape, so a
 * training loop allocates nothing after its first step. A smaller shape (a last, smaller batch)
 * gets a view of the first elements of the same storage; only a larger one replaces it. So an
 * epoch's full batches, its last short batch and the evaluation batches in between share one
 * allocation per buffer instead of dropping tens of megabytes of arrays each time the batch size
 * changes (garbage that a parallel collector piles up in the old generation between full
 * collections: 3 GB after half an hour of full-width Fashion-MNIST training).
 */
public final class Buffers implements AutoCloseable {
    private final Backend backend;
    private final Map<String, Slot> byName = new HashMap<>();
    private GradientPool pool;

    /** The allocated tensor, and the view of it last handed out (the tensor itself at full size). */
    private record Slot(Tensor owner, Tensor current) {}

    public Buffers(Backend backend) {
        this.backend = backend;
    }

    /** The buffer called {@code name}, with {@code shape}; contents are whatever was left in it. */
    public Tensor get(String name, int... shape) {
        Slot s = byName.get(name);
        if (s != null && s.current.hasShape(shape)) {
            return s.current;
        }
        if (s != null && Tensor.sizeOf(shape) <= s.owner.size()) {
            Tensor view = s.owner.hasShape(shape) ? s.owner : s.owner.prefix(shape);
            byName.put(name, new Slot(s.owner, view));
            return view;
        }
        if (s != null) {
            s.owner.close();
        }
        Tensor t = backend.zeros(shape);
        byName.put(name, new Slot(t, t));
        return t;
    }

    /** Input gradients come from {@code pool} from now on (null: from this module's own buffers). */
    public void share(GradientPool pool) {
        this.pool = pool;
    }

    /**
     * An input-gradient buffer of {@code shape}: from the shared pool when one is set (its user
     * releases it), else this module's own buffer called {@code name}.
     */
    public Tensor gradient(String name, int... shape) {
        return pool != null ? pool.acquire(shape) : get(name, shape);
    }

    @Override
    public void close() {
        byName.values().forEach(s -> s.owner.close());
        byName.clear();
    }
}
