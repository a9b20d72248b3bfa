package org.vgg4j.vgg;

import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.vgg.data.Dataset;
import org.vgg4j.vgg.data.ImageOps;
import org.vgg4j.vgg.data.Preprocess;

/**
 * The paper's test-time evaluations (section 3.2, Tables 3-6), all averaging softmax posteriors
 * over views of each image rescaled isotropically so its shorter side is Q:
 * <ul>
 *   <li>{@link Mode#MULTISCALE}: dense evaluation (the whole rescaled image, FC layers as
 *       convolutions, scores averaged over space) at every Q, with and without a mirror flip;</li>
 *   <li>{@link Mode#MULTICROP}: a {@code grid x grid} lattice of input-sized crops at every Q, each
 *       also flipped (the paper: 5 x 5 x 2 crops per scale);</li>
 *   <li>{@link Mode#FUSION}: the average of the two.</li>
 * </ul>
 */
public final class MultiViewEvaluator {
    private MultiViewEvaluator() {}

    /** What to average. */
    public enum Mode { MULTISCALE, MULTICROP, FUSION }

    /** The scales of section 3.2: {S-32, S, S+32} for a fixed training scale S. */
    public static int[] scalesAround(int s) {
        return new int[] {s - 32, s, s + 32};
    }

    public static Evaluator.Result evaluate(Backend backend, Network model, Dataset data, Preprocess prep, Mode mode,
                                            int[] scales, int grid, int batch) {
        Evaluator.requireExamples(data);
        long t0 = System.nanoTime();
        int classes = data.classes();
        int k = Math.min(5, classes);
        long hit1 = 0;
        long hit5 = 0;
        double lossSum = 0;
        try (DenseNet dense = new DenseNet(backend, model); SoftmaxCrossEntropy sm = new SoftmaxCrossEntropy(backend)) {
            for (int lo = 0; lo < data.size(); lo += batch) {
                int n = Math.min(batch, data.size() - lo);
                double[] multi = new double[n * classes];
                double[] den = new double[n * classes];
                for (int q : scales) {
                    Views v = new Views(data, lo, n, q, prep).on(backend);
                    if (mode != Mode.MULTICROP) {
                        for (boolean flip : new boolean[] {false, true}) {
                            add(den, posteriors(backend, sm, v.full(flip), n, classes, dense, null), 1.0 / (2 * scales.length));
                        }
                    }
                    if (mode != Mode.MULTISCALE) {
                        int views = grid * grid * 2 * scales.length;
                        for (int gy = 0; gy < grid; gy++) {
                            for (int gx = 0; gx < grid; gx++) {
                                for (boolean flip : new boolean[] {false, true}) {
                                    add(multi, posteriors(backend, sm, v.crop(gy, gx, grid, prep.size(), flip), n, classes,
                                        null, model), 1.0 / views);
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < n; i++) {
                    int label = data.label(lo + i);
                    double own = score(mode, multi, den, i * classes + label);
                    lossSum -= Math.log(Math.max(own, 1e-30));
                    int better = 0;
                    for (int j = 0; j < classes; j++) {
                        double s = score(mode, multi, den, i * classes + j);
                        if (s > own || (s == own && j < label)) {
                            better++;
                        }
                    }
                    hit1 += better == 0 ? 1 : 0;
                    hit5 += better < k ? 1 : 0;
                }
            }
        }
        int n = data.size();
        return new Evaluator.Result(n, lossSum / n, (double) hit1 / n, (double) hit5 / n, (System.nanoTime() - t0) / 1e9);
    }

    private static double score(Mode mode, double[] multi, double[] dense, int i) {
        return switch (mode) {
            case MULTISCALE -> dense[i];
            case MULTICROP -> multi[i];
            case FUSION -> 0.5 * (multi[i] + dense[i]);
        };
    }

    private static void add(double[] acc, float[] p, double w) {
        for (int i = 0; i < acc.length; i++) {
            acc[i] += w * p[i];
        }
    }

    private static float[] posteriors(Backend b, SoftmaxCrossEntropy sm, Tensor x, int n, int classes, DenseNet dense,
                                      Network model) {
        try (x; Tensor y = b.zeros(n)) {
            sm.forward(dense != null ? dense.scores(x) : model.forward(x, false), y);
            return sm.probabilities().toHost();
        }
    }

    /** A batch of images rescaled to shorter side q (bilinear), normalised, as float planes. */
    private static final class Views {
        final int n;
        final int c;
        final int h;
        final int w;
        final float[] pix;
        private Backend be;

        Views(Dataset data, int lo, int n, int q, Preprocess prep) {
            this.n = n;
            this.c = data.channels();
            double s = (double) q / Math.min(data.height(), data.width());
            this.h = Math.max(q, (int) Math.round(data.height() * s));
            this.w = Math.max(q, (int) Math.round(data.width() * s));
            this.pix = new float[n * c * h * w];
            byte[] raw = new byte[c * data.height() * data.width()];
            for (int i = 0; i < n; i++) {
                data.image(lo + i, raw, 0);
                for (int ch = 0; ch < c; ch++) {
                    float m = prep.mean()[Math.min(ch, prep.mean().length - 1)];
                    float inv = 1f / prep.std()[Math.min(ch, prep.std().length - 1)];
                    int plane = ch * data.height() * data.width();
                    for (int y = 0; y < h; y++) {
                        for (int x = 0; x < w; x++) {
                            float v = ImageOps.bilinear(raw, plane, data.height(), data.width(), h, w, y, x) / 255f;
                            pix[((i * c + ch) * h + y) * w + x] = (v - m) * inv;
                        }
                    }
                }
            }
        }

        Views on(Backend b) {
            this.be = b;
            return this;
        }

        Tensor full(boolean flip) {
            return window(0, 0, h, w, flip);
        }

        /** Crop (gy, gx) of a grid x grid lattice of size x size windows spanning the image. */
        Tensor crop(int gy, int gx, int grid, int size, boolean flip) {
            int top = grid == 1 ? (h - size) / 2 : gy * (h - size) / (grid - 1);
            int left = grid == 1 ? (w - size) / 2 : gx * (w - size) / (grid - 1);
            return window(top, left, size, size, flip);
        }

        private Tensor window(int top, int left, int wh, int ww, boolean flip) {
            float[] out = new float[n * c * wh * ww];
            for (int p = 0; p < n * c; p++) {
                for (int y = 0; y < wh; y++) {
                    for (int x = 0; x < ww; x++) {
                        int sx = flip ? left + ww - 1 - x : left + x;
                        out[(p * wh + y) * ww + x] = pix[(p * h + top + y) * w + sx];
                    }
                }
            }
            return be.fromHost(out, n, c, wh, ww);
        }
    }
}
