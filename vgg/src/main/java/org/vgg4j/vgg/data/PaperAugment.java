package org.vgg4j.vgg.data;

import org.vgg4j.tensor.Rng;

/**
 * The paper's training augmentation (section 3.1): isotropically rescale the image so its
 * shorter side is S, with S fixed or drawn per image from [sMin, sMax] (scale jittering), take a
 * random {@code crop x crop} window, flip it horizontally at random, and shift its colours along
 * the principal components of the training pixels (AlexNet's "fancy PCA": add
 * {@code sum_i a_i * lambda_i * p_i} to every RGB pixel, {@code a_i ~ N(0, sigma^2)}, sigma 0.1),
 * then normalise per channel. Rescaling is bilinear with pixel centres aligned (as PIL and
 * torchvision without antialiasing).
 */
public final class PaperAugment implements ExampleTransform {
    private final int sMin;
    private final int sMax;
    private final int crop;
    private final boolean flip;
    private final Pca pca;
    private final float sigma;
    private final float[] mean;
    private final float[] std;

    /**
     * @param pca   principal components of the training RGB pixels in [0, 1], or null for no colour shift
     */
    public PaperAugment(int sMin, int sMax, int crop, boolean flip, Pca pca, float sigma, float[] mean, float[] std) {
        if (sMin < crop || sMax < sMin) {
            throw new IllegalArgumentException("augment: scales [" + sMin + ", " + sMax + "] must be >= crop " + crop);
        }
        this.sMin = sMin;
        this.sMax = sMax;
        this.crop = crop;
        this.flip = flip;
        this.pca = pca;
        this.sigma = sigma;
        this.mean = mean;
        this.std = std;
    }

    @Override
    public int size() {
        return crop;
    }

    @Override
    public void apply(byte[] src, int srcOff, int c, int h, int w, float[] dst, int dstOff, long seed, int epoch,
                      int index) {
        long key = Rng.mix(seed ^ Rng.mix(((long) epoch << 32) ^ index ^ 0x5bd1e995L));
        int s = sMin + (int) (Rng.uniform(key, 0) * (sMax - sMin + 1));
        double scale = (double) s / Math.min(h, w);
        int nh = Math.max(crop, (int) Math.round(h * scale));
        int nw = Math.max(crop, (int) Math.round(w * scale));
        int top = (int) (Rng.uniform(key, 1) * (nh - crop + 1));
        int left = (int) (Rng.uniform(key, 2) * (nw - crop + 1));
        boolean mirror = flip && Rng.uniform(key, 3) < 0.5f;
        float[] shift = new float[c];
        if (pca != null && c == 3) {
            float[] a = new float[3];
            for (int i = 0; i < 3; i++) {
                a[i] = (float) (gaussian(key, 4 + 2 * i) * sigma);
            }
            shift = pca.shift(a);
        }
        for (int ch = 0; ch < c; ch++) {
            float inv = 1f / std[Math.min(ch, std.length - 1)];
            float m = mean[Math.min(ch, mean.length - 1)];
            int plane = srcOff + ch * h * w;
            for (int y = 0; y < crop; y++) {
                for (int x = 0; x < crop; x++) {
                    int xx = mirror ? crop - 1 - x : x;
                    float v = ImageOps.bilinear(src, plane, h, w, nh, nw, top + y, left + xx) / 255f + shift[ch];
                    dst[dstOff + (ch * crop + y) * crop + x] = (v - m) * inv;
                }
            }
        }
    }

    /** A standard normal from two counter-based uniforms (Box-Muller). */
    static double gaussian(long key, long i) {
        double u1 = Math.max(Rng.uniform(key, i), 1e-12);
        double u2 = Rng.uniform(key, i + 1);
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    }
}
