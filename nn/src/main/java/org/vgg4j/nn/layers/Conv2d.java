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
 * {@code [outC, inC, kH, kW]} and optional bias {@code [outC]} (PyTorch's layout and names),
 * {@code H' = (H + 2*padH - kH) / strideH + 1} and likewise for W.
 */
public final class Conv2d implements Module {
    private final Backend backend;
    private final int inC;
    private final int outC;
    private final int kH;
    private final int kW;
    private final int strideH;
    private final int strideW;
    private final int padH;
    private final int padW;
    private final Parameter weight;
    private final Parameter bias;
    private final Buffers buffers;
    private boolean inputGradientNeeded = true;
    private Tensor input;
    private ConvGeometry geometry;

    /**
     * A square kernel with the same stride and padding on both axes (VGG: 3x3, stride 1, pad 1).
     *
     * @param prefix name prefix in model files, e.g. {@code features.0}
     */
    public Conv2d(Backend backend, String prefix, int inC, int outC, int kernel, int stride, int padding,
                  boolean withBias) {
        this(backend, prefix, inC, outC, kernel, kernel, stride, stride, padding, padding, withBias);
    }

    /** Any kernel, stride and padding, per axis (height first). */
    public Conv2d(Backend backend, String prefix, int inC, int outC, int kH, int kW, int strideH, int strideW,
                  int padH, int padW, boolean withBias) {
        if (inC <= 0 || outC <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("Conv2d: bad sizes in=" + inC + " out=" + outC + " k=" + kH + "x" + kW
                + " s=" + strideH + "x" + strideW + " p=" + padH + "x" + padW);
        }
        this.backend = backend;
        this.inC = inC;
        this.outC = outC;
        this.kH = kH;
        this.kW = kW;
        this.strideH = strideH;
        this.strideW = strideW;
        this.padH = padH;
        this.padW = padW;
        this.weight = new Parameter(backend, prefix + ".weight", true, outC, inC, kH, kW);
        this.bias = withBias ? new Parameter(backend, prefix + ".bias", false, outC) : null;
        this.buffers = new Buffers(backend);
    }

    public Parameter weight() { return weight; }

    public Parameter bias() { return bias; }

    public int inChannels() { return inC; }

    public int outChannels() { return outC; }

    /** The kernel's height (its side, for the square kernels VGG uses). */
    public int kernel() { return kH; }

    public int kernelH() { return kH; }

    public int kernelW() { return kW; }

    /** The padding of the height axis (of both, for square layers). */
    public int padding() { return padH; }

    public int strideH() { return strideH; }

    public int strideW() { return strideW; }

    public int padH() { return padH; }

    public int padW() { return padW; }

    private ConvGeometry geometry(int[] s) {
        if (s.length != 4 || s[1] != inC) {
            throw new IllegalArgumentException("Conv2d(" + inC + " -> " + outC + "): input shape "
                + java.util.Arrays.toString(s) + " is not [N, " + inC + ", H, W]");
        }
        return new ConvGeometry(inC, s[2], s[3], outC, kH, kW, strideH, strideW, padH, padW);
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

    /**
     * Evaluation-mode forward with an in-place ReLU after it, in one backend call
     * ({@link org.vgg4j.tensor.Backend#conv2dForwardRelu}); {@link org.vgg4j.nn.Sequential} uses it
     * for a Conv2d followed by {@code ReLU(inplace)} when not training. No backward may follow.
     */
    public Tensor forwardRelu(Tensor x) {
        geometry = geometry(x.shape());
        input = x;
        Tensor y = buffers.get("y", geometry.outputShape(x.dim(0)));
        backend.conv2dForwardRelu(x, weight.value(), bias == null ? null : bias.value(), y, geometry);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        Tensor gradX = inputGradientNeeded ? buffers.gradient("gradX", input.shape()) : null;
        backend.conv2dBackward(input, gradY, weight.value(), gradX, weight.grad(), bias == null ? null : bias.grad(),
            geometry);
        return gradX;
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        inputGradientNeeded = needed;
    }

    @Override
    public boolean writesGradOutput() {
        return false;
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
        if (kH == kW && strideH == strideW && padH == padW) {
            return "Conv2d(" + inC + ", " + outC + ", k=" + kH + ", s=" + strideH + ", p=" + padH + ")";
        }
        return "Conv2d(" + inC + ", " + outC + ", k=" + kH + "x" + kW + ", s=" + strideH + "x" + strideW + ", p=" + padH
            + "x" + padW + ")";
    }

    @Override
    public void close() {
        Module.super.close();
        buffers.close();
    }
}
