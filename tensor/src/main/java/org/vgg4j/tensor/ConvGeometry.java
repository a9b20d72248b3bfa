package org.vgg4j.tensor;

/**
 * The shape of a 2-D convolution over one image: input [inC, inH, inW], weights
 * [outC, inC, kH, kW], output [outC, outH, outW] with
 * {@code outH = (inH + 2*padH - kH) / strideH + 1} (and the same for W).
 * {@code colRows() = inC*kH*kW} and {@code colCols() = outH*outW} give the im2col matrix.
 */
public record ConvGeometry(int inC, int inH, int inW, int outC, int kH, int kW,
                           int strideH, int strideW, int padH, int padW) {
    public ConvGeometry {
        if (inC <= 0 || inH <= 0 || inW <= 0 || outC <= 0 || kH <= 0 || kW <= 0
            || strideH <= 0 || strideW <= 0 || padH < 0 || padW < 0) {
            throw new IllegalArgumentException("conv2d: bad geometry " + describe(inC, inH, inW, outC, kH, kW,
                strideH, strideW, padH, padW));
        }
        if (inH + 2 * padH < kH || inW + 2 * padW < kW) {
            throw new IllegalArgumentException("conv2d: kernel " + kH + "x" + kW + " larger than padded input "
                + (inH + 2 * padH) + "x" + (inW + 2 * padW));
        }
    }

    /** Square kernel, equal stride and padding on both axes. */
    public static ConvGeometry square(int inC, int inH, int inW, int outC, int k, int stride, int pad) {
        return new ConvGeometry(inC, inH, inW, outC, k, k, stride, stride, pad, pad);
    }

    public int outH() { return (inH + 2 * padH - kH) / strideH + 1; }

    public int outW() { return (inW + 2 * padW - kW) / strideW + 1; }

    public int colRows() { return inC * kH * kW; }

    public int colCols() { return outH() * outW(); }

    /** True for a 1x1 convolution with stride 1 and no padding: the image is already its im2col. */
    public boolean isPointwise() {
        return kH == 1 && kW == 1 && strideH == 1 && strideW == 1 && padH == 0 && padW == 0;
    }

    public int[] weightShape() { return new int[] {outC, inC, kH, kW}; }

    public int[] inputShape(int n) { return new int[] {n, inC, inH, inW}; }

    public int[] outputShape(int n) { return new int[] {n, outC, outH(), outW()}; }

    private static String describe(int... v) {
        return String.format("in=%dx%dx%d out=%d kernel=%dx%d stride=%dx%d pad=%dx%d",
            v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]);
    }
}
