package org.vgg4j.nn.io;

import java.util.Arrays;
import org.vgg4j.tensor.Tensor;

/** A float32 tensor on the host: what model files hold. */
public record HostTensor(int[] shape, float[] data) implements TensorSource {
    public HostTensor {
        if (Tensor.sizeOf(shape) != data.length) {
            throw new IllegalArgumentException("HostTensor: " + data.length + " values for shape "
                + Arrays.toString(shape));
        }
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
        return o instanceof HostTensor h && Arrays.equals(shape, h.shape) && Arrays.equals(data, h.data);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(shape) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "HostTensor" + Arrays.toString(shape);
    }
}
