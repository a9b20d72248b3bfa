package org.vgg4j.nn.io;

import org.vgg4j.tensor.Tensor;

/**
 * What {@link SafeTensors#write} needs of a tensor: its shape and its values, a range at a time.
 * A {@link HostTensor} is one; {@link #of(Tensor)} reads a backend's tensor in place, so a model
 * or checkpoint is written without first copying every parameter to a host array (for a VGG-16
 * checkpoint that copy is 1.1 GB of weights and momentum, garbage as soon as the file is written).
 */
public interface TensorSource {
    int[] shape();

    /** Number of values. */
    long size();

    /** Copies values {@code [offset, offset + len)} into {@code dst[0, len)}. */
    void copyTo(long offset, float[] dst, int len);

    /** The values as 64-bit integers when this is an I64 tensor (written as I64); null for F32. */
    default long[] longs() {
        return null;
    }

    /** A 64-bit integer tensor of {@code shape} (a counter such as {@code num_batches_tracked}: shape []). */
    static TensorSource ofLongs(int[] shape, long... values) {
        return HostTensor.ofLongs(shape, values);
    }

    /** The values of {@code t}, read through its backend when written. */
    static TensorSource of(Tensor t) {
        return new TensorSource() {
            @Override
            public int[] shape() { return t.shape(); }

            @Override
            public long size() { return t.size(); }

            @Override
            public void copyTo(long offset, float[] dst, int len) {
                t.backend().download(t, offset, dst, 0, len);
            }
        };
    }
}
