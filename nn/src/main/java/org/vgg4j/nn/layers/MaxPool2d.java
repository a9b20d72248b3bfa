package org.vgg4j.nn.layers;

import org.vgg4j.nn.Buffers;
import org.vgg4j.nn.Module;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.PoolGeometry;
import org.vgg4j.tensor.Tensor;

/** Max pooling over {@code [N, C, H, W]}; VGG uses a 2x2 window with stride 2 (section 2.1). */
public final class MaxPool2d implements Module {
    private final Backend backend;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean ceil;
    private final Buffers buffers;
    private PoolGeometry geometry;
    private int[] inputShape;

    public MaxPool2d(Backend backend, int kernel, int stride, int padding) {
        this(backend, kernel, stride, padding, false);
    }

    /** @param ceil PyTorch's {@code ceil_mode}: the output size rounded up (GoogLeNet's pooling) */
    public MaxPool2d(Backend backend, int kernel, int stride, int padding, boolean ceil) {
        this.ceil = ceil;
        this.backend = backend;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.buffers = new Buffers(backend);
    }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    public int padding() { return padding; }

    /** PyTorch's {@code ceil_mode}. */
    public boolean ceil() { return ceil; }

    static PoolGeometry geometry(String op, int[] s, int kernel, int stride, int padding) {
        return geometry(op, s, kernel, stride, padding, false);
    }

    static PoolGeometry geometry(String op, int[] s, int kernel, int stride, int padding, boolean ceil) {
        if (s.length != 4) {
            throw new IllegalArgumentException(op + ": input shape " + java.util.Arrays.toString(s)
                + " is not [N, C, H, W]");
        }
        return new PoolGeometry(s[1], s[2], s[3], kernel, kernel, stride, stride, padding, padding, ceil);
    }

    @Override
    public int[] outputShape(int[] s) {
        return geometry("MaxPool2d", s, kernel, stride, padding, ceil).outputShape(s[0]);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        inputShape = x.shape();
        geometry = geometry("MaxPool2d", inputShape, kernel, stride, padding, ceil);
        int[] ys = geometry.outputShape(x.dim(0));
        Tensor y = buffers.get("y", ys);
        backend.maxPoolForward(x, y, buffers.get("argmax", ys), geometry);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        Tensor gradX = buffers.gradient("gradX", inputShape);
        backend.maxPoolBackward(gradY, buffers.get("argmax", gradY.shape()), gradX, geometry);
        return gradX;
    }

    @Override
    public void setGradientPool(org.vgg4j.nn.GradientPool pool) {
        buffers.share(pool);
    }

    @Override
    public String describe() {
        return "MaxPool2d(k=" + kernel + ", s=" + stride + (padding > 0 ? ", p=" + padding : "") + (ceil ? ", ceil" : "") + ")";
    }

    @Override
    public void close() {
        buffers.close();
    }
}
