package org.vgg4j.nn.layers;

import java.util.List;
import org.vgg4j.nn.Buffers;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.Tensor;

/**
 * 2-D convolution: {@code x [N, inC, H, W] -> y [N, outC, H', W']} with weight
 * {@code [outC, inC, k, k]} and optional bias {@code [outC]} (PyTorch's layout and names).
 */
public final class Conv2d implements Module {
    private final Backend backend;
    private final int inC;
    private final int outC;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final Parameter weight;
    private final Parameter bias;
    private final Buffers buffers;
    private boolean inputGradientNeeded = true;
    private Tensor input;
    private ConvGeometry geometry;

    /** @param prefix name prefix in model files, e.g. {@code features.0} */
    public Conv2d(Backend backend, String prefix, int inC, int outC, int kernel, int stride, int padding,
                  boolean withBias) {
        if (inC <= 0 || outC <= 0 || kernel <= 0 || stride <= 0 || padding < 0) {
            throw new IllegalArgumentException("Conv2d: bad sizes in=" + inC + " out=" + outC + " k=" + kernel
                + " s=" + stride + " p=" + padding);
        }
        this.backend = backend;
        this.inC = inC;
        this.outC = outC;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.weight = new Parameter(backend, prefix + ".weight", true, outC, inC, kernel, kernel);
        this.bias = withBias ? new Parameter(backend, prefix + ".bias", false, outC) : null;
        this.buffers = new Buffers(backend);
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    public int inChannels() { return inC; }

    public int outChannels() { return outC; }

    public int kernel() { return kernel; }

    public int padding() { return padding; }

    private ConvGeometry geometry(int[] s) {
        if (s.length != 4 || s[1] != inC) {
            throw new IllegalArgumentException("Conv2d(" + inC + " -> " + outC + "): input shape "
                + java.util.Arrays.toString(s) + " is not [N, " + inC + ", H, W]");
        }
        return ConvGeometry.square(inC, s[2], s[3], outC, kernel, stride, padding);
    }

    @Override
    public int[] outputShape(int[] s) {
        return geometry(s).outputShape(s[0]);
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        geometry = geometry(x.shape());
        input = x;
        Tensor y = buffers.get("y", geometry.outputShape(x.dim(0)));
        backend.conv2dForward(x, weight.value(), bias == null ? null : bias.value(), y, geometry);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        backend.conv2dBackwardWeights(input, gradY, weight.grad(), bias == null ? null : bias.grad(), geometry);
        if (!inputGradientNeeded) {
            return null;
        }
        Tensor gradX = buffers.get("gradX", input.shape());
        backend.conv2dBackwardData(gradY, weight.value(), gradX, geometry);
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
    public String describe() {
        return "Conv2d(" + inC + ", " + outC + ", k=" + kernel + ", s=" + stride + ", p=" + padding + ")";
    }

    @Override
    public void close() {
        Module.super.close();
        buffers.close();
    }
}
