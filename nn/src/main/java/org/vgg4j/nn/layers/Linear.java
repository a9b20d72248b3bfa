package org.vgg4j.nn.layers;

import java.util.List;
import org.vgg4j.nn.Buffers;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/** Fully connected: {@code y [N, out] = x [N, in] W^T + b}, weight {@code [out, in]} as in PyTorch. */
public final class Linear implements Module {
    private final Backend backend;
    private final int in;
    private final int out;
    private final Parameter weight;
    private final Parameter bias;
    private final Buffers buffers;
    private boolean inputGradientNeeded = true;
    private Tensor input;

    public Linear(Backend backend, String prefix, int in, int out, boolean withBias) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: bad sizes in=" + in + " out=" + out);
        }
        this.backend = backend;
        this.in = in;
        this.out = out;
        this.weight = new Parameter(backend, prefix + ".weight", true, out, in);
        this.bias = withBias ? new Parameter(backend, prefix + ".bias", false, out) : null;
        this.buffers = new Buffers(backend);
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    public int inFeatures() { return in; }

    public int outFeatures() { return out; }

    @Override
    public int[] outputShape(int[] s) {
        if (s.length != 2 || s[1] != in) {
            throw new IllegalArgumentException("Linear(" + in + " -> " + out + "): input shape "
                + java.util.Arrays.toString(s) + " is not [N, " + in + "]");
        }
        return new int[] {s[0], out};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        int[] ys = outputShape(x.shape());
        input = x;
        Tensor y = buffers.get("y", ys);
        backend.gemm(false, true, ys[0], out, in, 1f, x, weight.value(), 0f, y);
        if (bias != null) {
            backend.biasAdd(y, bias.value());
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        int n = input.dim(0);
        backend.gemm(true, false, out, in, n, 1f, gradY, input, 1f, weight.grad());
        if (bias != null) {
            backend.biasGrad(gradY, bias.grad());
        }
        if (!inputGradientNeeded) {
            return null;
        }
        Tensor gradX = buffers.gradient("gradX", n, in);
        backend.gemm(false, false, n, in, out, 1f, gradY, weight.value(), 0f, gradX);
        return gradX;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        inputGradientNeeded = needed;
    }

    @Override
    public List<Parameter> parameters() {
        return bias == null ? List.of(weight) : List.of(weight, bias);
    }

    @Override
    public void setGradientPool(org.vgg4j.nn.GradientPool pool) {
        buffers.share(pool);
    }

    @Override
    public String describe() {
        return "Linear(" + in + ", " + out + ")";
    }

    @Override
    public void close() {
        Module.super.close();
        buffers.close();
    }
}
