package org.vgg4j.tensor;

/**
 * The shape of a 2-D pooling window over [channels, inH, inW] planes:
 * {@code outH = (inH + 2*padH - kH) / strideH + 1} (floor mode, as PyTorch's default), or in ceil
 * mode rounded up, as PyTorch's {@code ceil_mode=True} (GoogLeNet): a last window that starts
 * inside the input (or its left padding) and runs past its end is kept, clipped to the input.
 * Padding counts as -inf for max pooling and is excluded from the average
 * ({@code count_include_pad=False}) for average pooling.
 */
public record PoolGeometry(int channels, int inH, int inW, int kH, int kW,
                           int strideH, int strideW, int padH, int padW, boolean ceil) {
    public PoolGeometry {
        if (channels <= 0 || inH <= 0 || inW <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0
            || padH < 0 || padW < 0 || 2 * padH > kH || 2 * padW > kW || inH + 2 * padH < kH || inW + 2 * padW < kW) {
            throw new IllegalArgumentException(String.format(
                "pool2d: bad geometry channels=%d in=%dx%d kernel=%dx%d stride=%dx%d pad=%dx%d",
                channels, inH, inW, kH, kW, strideH, strideW, padH, padW));
        }
    }

    /** Floor mode. */
    public PoolGeometry(int channels, int inH, int inW, int kH, int kW, int strideH, int strideW, int padH, int padW) {
        this(channels, inH, inW, kH, kW, strideH, strideW, padH, padW, false);
    }

    /** Square window, stride equal to... the given stride, no padding (VGG: k=2, s=2). */
    public static PoolGeometry square(int channels, int inH, int inW, int k, int stride) {
        return new PoolGeometry(channels, inH, inW, k, k, stride, stride, 0, 0);
    }

    public int outH() { return out(inH, kH, strideH, padH); }

    public int outW() { return out(inW, kW, strideW, padW); }

    private int out(int in, int k, int stride, int pad) {
        int span = in + 2 * pad - k;
        if (!ceil) {
            return span / stride + 1;
        }
        int o = (span + stride - 1) / stride + 1;
        // PyTorch: the last window must start inside the input or its left padding
        return (o - 1) * stride >= in + pad ? o - 1 : o;
    }

    /** Whether every window lies inside the input and its padding (no ceil-mode window runs past the end). */
    public boolean windowsInside() {
        return (outH() - 1) * strideH + kH <= inH + 2 * padH && (outW() - 1) * strideW + kW <= inW + 2 * padW;
    }

    public int[] inputShape(int n) { return new int[] {n, channels, inH, inW}; }

    public int[] outputShape(int n) { return new int[] {n, channels, outH(), outW()}; }
}
