package org.vgg4j.tensor;

/**
 * The shape of a 2-D pooling window over [channels, inH, inW] planes:
 * {@code outH = (inH + 2*padH - kH) / strideH + 1} (floor mode, as PyTorch's default).
 * Padding counts as -inf for max pooling and is excluded from the average
 * ({@code count_include_pad=False}) for average pooling.
 */
public record PoolGeometry(int channels, int inH, int inW, int kH, int kW,
                           int strideH, int strideW, int padH, int padW) {
    public PoolGeometry {
        if (channels <= 0 || inH <= 0 || inW <= 0 || kH <= 0 || kW <= 0 || strideH <= 0 || strideW <= 0
            || padH < 0 || padW < 0 || 2 * padH > kH || 2 * padW > kW || inH + 2 * padH < kH || inW + 2 * padW < kW) {
            throw new IllegalArgumentException(String.format(
                "pool2d: bad geometry channels=%d in=%dx%d kernel=%dx%d stride=%dx%d pad=%dx%d",
                channels, inH, inW, kH, kW, strideH, strideW, padH, padW));
        }
    }

    /** Square window, stride equal to... the given stride, no padding (VGG: k=2, s=2). */
    public static PoolGeometry square(int channels, int inH, int inW, int k, int stride) {
        return new PoolGeometry(channels, inH, inW, k, k, stride, stride, 0, 0);
    }

    public int outH() { return (inH + 2 * padH - kH) / strideH + 1; }

    public int outW() { return (inW + 2 * padW - kW) / strideW + 1; }

    public int[] inputShape(int n) { return new int[] {n, channels, inH, inW}; }

    public int[] outputShape(int n) { return new int[] {n, channels, outH(), outW()}; }
}
