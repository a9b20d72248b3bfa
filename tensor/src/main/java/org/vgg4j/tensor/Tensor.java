package org.vgg4j.tensor;

import java.util.Arrays;

/**
 * A dense float32 array with a shape, stored wherever its {@link Backend} put it.
 *
 * <p>Layout is row-major (C order): activations are NCHW, convolution weights OIHW, linear
 * weights [out, in]. A tensor made by {@link #reshape} is a view sharing the storage of its
 * base; closing a view does nothing, closing the base releases the storage.
 */
public final class Tensor implements AutoCloseable {
    private final Backend backend;
    private final int[] shape;
    private final long size;
    private final Object storage;
    private final boolean owner;
    private boolean released;

    /** For backends only: wraps storage the backend allocated. */
    public Tensor(Backend backend, Object storage, int[] shape, boolean owner) {
        this.backend = backend;
        this.storage = storage;
        this.shape = shape.clone();
        this.size = sizeOf(this.shape);
        this.owner = owner;
    }

    /** Number of elements of a shape; rejects negative dimensions. */
    public static long sizeOf(int... shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n = Math.multiplyExact(n, (long) d);
        }
        return n;
    }

    public Backend backend() { return backend; }

    public int[] shape() { return shape.clone(); }

    public int rank() { return shape.length; }

    /** Dimension {@code i}; negative {@code i} counts from the end, as in PyTorch. */
    public int dim(int i) { return shape[i < 0 ? shape.length + i : i]; }

    public long size() { return size; }

    /** The backend's storage object (a {@code float[]} on the CPU, a device buffer on OpenCL). */
    public <T> T storage(Class<T> type) {
        if (released) {
            throw new IllegalStateException("tensor " + Arrays.toString(shape) + " was released");
        }
        return type.cast(storage);
    }

    /** A view with another shape of the same number of elements; -1 stands for the rest. */
    public Tensor reshape(int... newShape) {
        int[] s = newShape.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < s.length; i++) {
            if (s[i] == -1 && infer < 0) {
                infer = i;
            } else {
                known *= Math.max(s[i], 0);
                if (s[i] < 0) {
                    throw new IllegalArgumentException("reshape: bad shape " + Arrays.toString(newShape));
                }
            }
        }
        if (infer >= 0 && known > 0) {
            s[infer] = (int) (size / known);
        }
        if (sizeOf(s) != size) {
            throw new IllegalArgumentException("reshape: cannot view " + Arrays.toString(shape) + " as "
                + Arrays.toString(newShape));
        }
        return new Tensor(backend, storage, s, false);
    }

    /**
     * A view of the first {@code sizeOf(newShape)} elements, with shape {@code newShape}: a smaller
     * batch held in storage allocated for a larger one. Like {@link #reshape}, it shares the
     * storage and releases nothing when closed.
     */
    public Tensor prefix(int... newShape) {
        if (sizeOf(newShape) > size) {
            throw new IllegalArgumentException("prefix: " + Arrays.toString(newShape) + " does not fit in "
                + Arrays.toString(shape));
        }
        return new Tensor(backend, storage, newShape, false);
    }

    /** Whether this tensor and {@code other} are views of the same storage. */
    public boolean sharesStorage(Tensor other) {
        return other != null && storage == other.storage;
    }

    /** Whether the shape is {@code s} (without the copy {@link #shape()} makes). */
    public boolean hasShape(int... s) { return Arrays.equals(shape, s); }

    public boolean isReleased() { return released; }

    /** Releases the storage (once); views are not owners and release nothing. */
    @Override
    public void close() {
        if (owner && !released) {
            backend.release(this);
            released = true;
        }
    }

    /** Copies the contents to a new host array (a blocking transfer on a device). */
    public float[] toHost() { return backend.toHost(this); }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + "@" + backend.name();
    }
}
