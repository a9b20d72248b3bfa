package org.vgg4j.nn.layers;

import org.vgg4j.nn.Buffers;
import org.vgg4j.nn.Module;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.PoolGeometry;
import org.vgg4j.tensor.Tensor;

/**
 * Average pooling (padding not counted); {@link #global} averages each whole plane, as the
 * spatial averaging of the class score map in dense evaluation (section 3.2).
 */
public final class AvgPool2d implements Module {
    private final Backend backend;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final boolean global;
    private final Buffers buffers;
    private PoolGeometry geometry;
    private int[] inputShape;

    public AvgPool2d(Backend backend, int kernel, int stride, int padding) {
        this(backend, kernel, stride, padding, false);
    }

    private AvgPool2d(Backend backend, int kernel, int stride, int padding, boolean global) {
        this.backend = backend;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.global = global;
        this.buffers = new Buffers(backend);
    }

    public int kernel() { return kernel; }

    public int stride() { return stride; }

    public int padding() { return padding; }

    /** Whether it averages whole planes ({@link #global}). */
    public boolean isGlobal() { return global; }

    /** Averages each [H, W] plane to one value: [N, C, H, W] -> [N, C, 1, 1]. */
    public static AvgPool2d global(Backend backend) {
        return new AvgPool2d(backend, 0, 1, 0, true);
    }

    private PoolGeometry geometry(int[] s) {
        if (global) {
            if (s.length != 4) {
                throw new IllegalArgumentException("AvgPool2d: input shape " + java.util.Arrays.toString(s)
                    + " is not [N, C, H, W]");
            }
            return new PoolGeometry(s[1], s[2], s[3], s[2], s[3], 1, 1, 0, 0);
        }
        return MaxPool2d.geometry("AvgPool2d", s, kernel, stride, padding);
    }

    @Override
    public int[] outputShape(int[] s) {
        return geometry(s).outputShape(s[0]);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        inputShape = x.shape();
        geometry = geometry(inputShape);
        Tensor y = buffers.get("y", geometry.outputShape(x.dim(0)));
        backend.avgPoolForward(x, y, geometry);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        Tensor gradX = buffers.gradient("gradX", inputShape);
        backend.avgPoolBackward(gradY, gradX, geometry);
        return gradX;
    }

    @Override
    public void setGradientPool(org.vgg4j.nn.GradientPool pool) {
        buffers.share(pool);
    }

    @Override
    public String describe() {
        return global ? "AvgPool2d(global)" : "AvgPool2d(k=" + kernel + ", s=" + stride + ", p=" + padding + ")";
    }

    @Override
    public void close() {
        buffers.close();
    }
}
