package org.vgg4j.nn;

import java.util.Arrays;
import java.util.List;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * A residual block, {@code y = x + body(x)} (He et al., 2016), where {@code body} keeps the
 * shape. Built on the {@link Module} interface alone: no layer knows it is inside one. The body
 * must not overwrite its input (so it does not start with an in-place ReLU), because the skip
 * path reads {@code x} after the body has run.
 */
public final class Residual implements Module {
    private final Backend backend;
    private final Module body;
    private final Buffers buffers;
    private int[] shape;

    public Residual(Backend backend, Module body) {
        this.backend = backend;
        this.body = body;
        this.buffers = new Buffers(backend);
    }

    public Module body() { return body; }

    @Override
    public int[] outputShape(int[] inputShape) {
        int[] s = body.outputShape(inputShape);
        if (!Arrays.equals(s, inputShape)) {
            throw new IllegalArgumentException("Residual: body maps " + Arrays.toString(inputShape) + " to "
                + Arrays.toString(s) + "; the shapes must match to add");
        }
        return s;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        shape = outputShape(x.shape());
        Tensor b = body.forward(x, training);
        Tensor y = buffers.get("y", shape);
        backend.copy(b, 0, y, 0, y.size());
        backend.axpy(1f, x, y);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        // copy first: the body's last layer may overwrite gradOutput (an in-place ReLU does)
        Tensor gradX = buffers.get("gradX", shape);
        backend.copy(gradOutput, 0, gradX, 0, gradX.size());
        Tensor gradBody = body.backward(gradOutput);
        backend.axpy(1f, gradBody, gradX);
        return gradX;
    }

    @Override
    public List<Parameter> parameters() {
        return body.parameters();
    }

    @Override
    public List<State> state() {
        return body.state();
    }

    @Override
    public String describe() {
        return "Residual(" + body.describe() + ")";
    }

    @Override
    public void close() {
        body.close();
        buffers.close();
    }
}
