package org.vgg4j.nn.layers;

import org.vgg4j.nn.Buffers;
import org.vgg4j.nn.Module;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * {@code y = max(x, 0)}. In place (PyTorch's {@code inplace=True}) it overwrites its input and,
 * in backward, the incoming gradient: only safe when the layer before does not need its output
 * for its own backward (true after a convolution or a linear layer).
 */
public final class ReLU implements Module {
    private final Backend backend;
    private final boolean inPlace;
    private final Buffers buffers;
    private Tensor output;

    public ReLU(Backend backend, boolean inPlace) {
        this.backend = backend;
        this.inPlace = inPlace;
        this.buffers = new Buffers(backend);
    }

    @Override
    public int[] outputShape(int[] s) {
        return s.clone();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        Tensor y = inPlace ? x : buffers.get("y", x.shape());
        backend.reluForward(x, y);
        output = y;
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        Tensor gradX = inPlace ? gradY : buffers.gradient("gradX", gradY.shape());
        backend.reluBackward(output, gradY, gradX);
        return gradX;
    }

    /** Whether it overwrites its input (then a preceding convolution may apply it, in evaluation). */
    public boolean inPlace() {
        return inPlace;
    }

    @Override
    public void setGradientPool(org.vgg4j.nn.GradientPool pool) {
        buffers.share(pool);
    }

    @Override
    public String describe() {
        return inPlace ? "ReLU(inplace)" : "ReLU";
    }

    @Override
    public void close() {
        buffers.close();
    }
}
