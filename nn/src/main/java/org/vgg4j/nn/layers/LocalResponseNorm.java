package org.vgg4j.nn.layers;

import org.vgg4j.nn.Buffers;
import org.vgg4j.nn.Module;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.Tensor;

/** Cross-channel LRN (see {@link LrnParams}); A-LRN puts it after the first convolution. */
public final class LocalResponseNorm implements Module {
    private final Backend backend;
    private final LrnParams params;
    private final Buffers buffers;
    private Tensor input;

    public LrnParams params() { return params; }

    public LocalResponseNorm(Backend backend, LrnParams params) {
        this.backend = backend;
        this.params = params;
        this.buffers = new Buffers(backend);
    }

    @Override
    public int[] outputShape(int[] s) {
        return s.clone();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        input = x;
        Tensor y = buffers.get("y", x.shape());
        backend.lrnForward(x, y, buffers.get("scale", x.shape()), params);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        Tensor gradX = buffers.gradient("gradX", input.shape());
        backend.lrnBackward(input, buffers.get("y", input.shape()), buffers.get("scale", input.shape()), gradY,
            gradX, params);
        return gradX;
    }

    @Override
    public void setGradientPool(org.vgg4j.nn.GradientPool pool) {
        buffers.share(pool);
    }

    @Override
    public String describe() {
        return "LocalResponseNorm(size=" + params.size() + ", alpha=" + params.alpha() + ", beta=" + params.beta()
            + ", k=" + params.k() + ")";
    }

    @Override
    public void close() {
        buffers.close();
    }
}
