package org.vgg4j.vgg.data;

/** Small image operations on 8-bit planes. */
public final class ImageOps {
    private ImageOps() {}

    /**
     * Pixel (y, x) of the plane {@code src[off .. off + h*w)} rescaled to nh x nw, bilinear, with
     * pixel centres aligned: source coordinate {@code (y + 0.5) * h / nh - 0.5}, clamped to the
     * image. Rescaling to the same size returns the pixel itself.
     */
    public static float bilinear(byte[] src, int off, int h, int w, int nh, int nw, int y, int x) {
        double sy = Math.min(Math.max((y + 0.5) * h / nh - 0.5, 0), h - 1);
        double sx = Math.min(Math.max((x + 0.5) * w / nw - 0.5, 0), w - 1);
        int y0 = (int) sy;
        int x0 = (int) sx;
        int y1 = Math.min(y0 + 1, h - 1);
        int x1 = Math.min(x0 + 1, w - 1);
        double fy = sy - y0;
        double fx = sx - x0;
        double a = (src[off + y0 * w + x0] & 0xff) * (1 - fx) + (src[off + y0 * w + x1] & 0xff) * fx;
        double b = (src[off + y1 * w + x0] & 0xff) * (1 - fx) + (src[off + y1 * w + x1] & 0xff) * fx;
        return (float) (a * (1 - fy) + b * fy);
    }
}
