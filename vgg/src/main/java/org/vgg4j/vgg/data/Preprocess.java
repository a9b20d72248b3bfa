package org.vgg4j.vgg.data;

import org.vgg4j.tensor.Rng;

/**
 * Turns an 8-bit CHW image into the network's float input: place it on a canvas of
 * {@code size x size} (zero padding around a smaller image, centred; a larger one is
 * centre-cropped), optionally take a random crop of a padded canvas and a random horizontal
 * flip (training), then normalise per channel, {@code (x/255 - mean[c]) / std[c]}. Training may
 * also erase a random rectangle (Zhong et al., 2017, "Random Erasing Data Augmentation"): with
 * probability {@code erase}, a rectangle of 2 % to 40 % of the canvas with an aspect ratio
 * between 0.3 and 3.3 is set to the mean pixel (zero after normalisation). All
 * randomness comes from {@code (seed, epoch, index)}, so a batch is the same whichever thread
 * makes it and however a run is resumed.
 *
 * @param size    side of the network input
 * @param jitter  training only: the image is padded by this much more and cropped at random
 * @param flip    training only: mirror half of the images
 * @param mean    per-channel mean of the training pixels, in [0, 1]
 * @param std     per-channel standard deviation
 * @param erase   training only: probability of erasing a random rectangle
 */
public record Preprocess(int size, int jitter, boolean flip, float[] mean, float[] std, float erase)
        implements ExampleTransform {

    public Preprocess {
        if (!(erase >= 0f && erase <= 1f)) {
            throw new IllegalArgumentException("erase probability must be in [0, 1], got " + erase);
        }
        if (mean == null || std == null || mean.length == 0 || mean.length != std.length) {
            throw new IllegalArgumentException("preprocessing needs one mean and one std per channel, got "
                + java.util.Arrays.toString(mean) + " and " + java.util.Arrays.toString(std));
        }
        for (int c = 0; c < mean.length; c++) {
            if (!Float.isFinite(mean[c]) || !(std[c] > 0) || !Float.isFinite(std[c])) {
                throw new IllegalArgumentException("preprocessing of channel " + c + ": mean " + mean[c] + ", std "
                    + std[c] + " (the mean must be finite, the std positive and finite)");
            }
        }
    }

    /** Without random erasing. */
    public Preprocess(int size, int jitter, boolean flip, float[] mean, float[] std) {
        this(size, jitter, flip, mean, std, 0f);
    }

    /** The same preprocessing without augmentation (evaluation, prediction). */
    public Preprocess forEvaluation() {
        return new Preprocess(size, 0, false, mean, std, 0f);
    }

    /**
     * Writes image {@code src} (c x h x w bytes at srcOff) as floats to {@code dst[dstOff..]}
     * (c x size x size).
     */
    public void apply(byte[] src, int srcOff, int c, int h, int w, float[] dst, int dstOff,
                      long seed, int epoch, int index) {
        int dx = 0;
        int dy = 0;
        boolean mirror = false;
        long key = 0;
        if (jitter > 0 || flip || erase > 0f) {
            key = Rng.mix(seed ^ Rng.mix(((long) epoch << 32) ^ index));
            if (jitter > 0) {
                dx = (int) (Rng.uniform(key, 0) * (2 * jitter + 1)) - jitter;
                dy = (int) (Rng.uniform(key, 1) * (2 * jitter + 1)) - jitter;
            }
            mirror = flip && Rng.uniform(key, 2) < 0.5f;
        }
        // canvas pixel (y, x) shows image pixel (y - top, x - left), shifted by the crop offset
        int top = (size - h) / 2 + dy;
        int left = (size - w) / 2 + dx;
        for (int ch = 0; ch < c; ch++) {
            float m = mean[Math.min(ch, mean.length - 1)];
            float inv = 1f / std[Math.min(ch, std.length - 1)];
            float zero = (0f - m) * inv;
            int plane = dstOff + ch * size * size;
            for (int y = 0; y < size; y++) {
                int sy = y - top;
                for (int x = 0; x < size; x++) {
                    int xx = mirror ? size - 1 - x : x;
                    int sx = xx - left;
                    float v = zero;
                    if (sy >= 0 && sy < h && sx >= 0 && sx < w) {
                        v = ((src[srcOff + (ch * h + sy) * w + sx] & 0xff) / 255f - m) * inv;
                    }
                    dst[plane + y * size + x] = v;
                }
            }
        }
        if (erase > 0f && Rng.uniform(key, 3) < erase) {
            eraseRectangle(dst, dstOff, c, key);
        }
    }

    /** Zeroes one random rectangle of every channel; up to ten draws for one that fits the canvas. */
    private void eraseRectangle(float[] dst, int dstOff, int c, long key) {
        double area = (double) size * size;
        for (int attempt = 0; attempt < 10; attempt++) {
            long k = 4 + 4L * attempt;
            double target = area * (0.02 + 0.38 * Rng.uniform(key, k));
            double aspect = Math.exp(Math.log(0.3) + (Math.log(1 / 0.3) * 2) * Rng.uniform(key, k + 1));
            int eh = (int) Math.round(Math.sqrt(target * aspect));
            int ew = (int) Math.round(Math.sqrt(target / aspect));
            if (eh < 1 || ew < 1 || eh >= size || ew >= size) {
                continue;
            }
            int y0 = (int) (Rng.uniform(key, k + 2) * (size - eh + 1));
            int x0 = (int) (Rng.uniform(key, k + 3) * (size - ew + 1));
            for (int ch = 0; ch < c; ch++) {
                int plane = dstOff + ch * size * size;
                for (int y = y0; y < y0 + eh; y++) {
                    java.util.Arrays.fill(dst, plane + y * size + x0, plane + y * size + x0 + ew, 0f);
                }
            }
            return;
        }
    }

    /** Per-channel mean and standard deviation of a data set's pixels, in [0, 1]. */
    public static float[][] statistics(Dataset d) {
        int c = d.channels();
        int plane = d.height() * d.width();
        double[] sum = new double[c];
        double[] sq = new double[c];
        byte[] buf = new byte[c * plane];
        for (int i = 0; i < d.size(); i++) {
            d.image(i, buf, 0);
            for (int ch = 0; ch < c; ch++) {
                long s = 0;
                long q = 0;
                for (int p = 0; p < plane; p++) {
                    int v = buf[ch * plane + p] & 0xff;
                    s += v;
                    q += (long) v * v;
                }
                sum[ch] += s;
                sq[ch] += q;
            }
        }
        float[] mean = new float[c];
        float[] std = new float[c];
        double n = (double) d.size() * plane;
        for (int ch = 0; ch < c; ch++) {
            double m = sum[ch] / n / 255;
            mean[ch] = (float) m;
            // a channel that never changes (blue in red-only images) gets one grey level, not 1e-6: its
            // normalised values are 0 either way, and the division cannot blow up rounding errors
            std[ch] = (float) Math.max(1.0 / 255, Math.sqrt(Math.max(0, sq[ch] / n / (255.0 * 255) - m * m)));
        }
        return new float[][] {mean, std};
    }
}
