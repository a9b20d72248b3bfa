package org.vgg4j.nn.io;

import java.util.Arrays;
import org.vgg4j.tensor.Tensor;

/**
 * A tensor on the host: what model files hold. Float32 values are in {@code data}; a tensor read
 * from an I64 entry also keeps its exact values in {@code longs} ({@code data} then holds them
 * converted to float), and is written back as I64.
 */
public record HostTensor(int[] shape, float[] data, long[] longs) implements TensorSource, TensorMeta {
    public HostTensor {
        if (Tensor.sizeOf(shape) != data.length || (longs != null && longs.length != data.length)) {
            throw new IllegalArgumentException("HostTensor: " + data.length + " values for shape "
                + Arrays.toString(shape));
        }
    }

    /** A float32 tensor. */
    public HostTensor(int[] shape, float[] data) {
        this(shape, data, null);
    }

    /** A 64-bit integer tensor. */
    public static HostTensor ofLongs(int[] shape, long... values) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++) {
            f[i] = values[i];
        }
        return new HostTensor(shape, f, values.clone());
    }

    /** The file's dtype: {@code I64} or {@code F32}. */
    @Override
    public String dtype() {
        return longs == null ? "F32" : "I64";
    }

    @Override
    public long size() { return data.length; }

    @Override
    public void copyTo(long offset, float[] dst, int len) {
        System.arraycopy(data, Math.toIntExact(offset), dst, 0, len);
    }

    public static HostTensor of(Tensor t) {
        return new HostTensor(t.shape(), t.toHost());
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof HostTensor h && Arrays.equals(shape, h.shape) && Arrays.equals(data, h.data)
            && Arrays.equals(longs, h.longs);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape) + (longs == null ? "" : " I64");
    }
}
