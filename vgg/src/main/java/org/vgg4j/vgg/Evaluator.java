package org.vgg4j.vgg;

import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.vgg.data.BatchLoader;
import org.vgg4j.vgg.data.Dataset;
import org.vgg4j.vgg.data.Preprocess;

/** Top-1 / top-5 accuracy and mean loss of a model on a data set, single centre crop. */
public final class Evaluator {
    private Evaluator() {}

    /** Accuracies in [0, 1]; errors are 1 - accuracy, as the paper reports them. */
    public record Result(int examples, double loss, double top1, double top5, double seconds) {
        public double imagesPerSecond() { return examples / Math.max(seconds, 1e-9); }
    }

    public static Result evaluate(Backend backend, org.vgg4j.nn.Module model, Dataset data, Preprocess prep, int batch)
        throws InterruptedException {
        return evaluate(backend, model, data, prep, batch, false);
    }

    /**
     * {@link #evaluate}; with {@code flip}, the softmax posteriors of each centre crop and of its
     * mirror image averaged (the paper's flip averaging, for any network), loss and top-k taken
     * from the average.
     */
    public static Result evaluate(Backend backend, org.vgg4j.nn.Module model, Dataset data, Preprocess prep, int batch,
                                  boolean flip) throws InterruptedException {
        requireExamples(data);
        if (flip) {
            return evaluateFlipped(backend, model, data, prep, batch);
        }
        long t0 = System.nanoTime();
        int k = Math.min(5, data.classes());
        double lossSum = 0;
        long hit1 = 0;
        long hit5 = 0;
        int size = prep.size();
        try (BatchLoader loader = new BatchLoader(data, prep.forEvaluation(), batch, 0, false);
             SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(backend)) {
            BatchLoader.Epoch epoch = loader.epoch(0, 0);
            Tensor x = null;
            Tensor y = null;
            while (epoch.hasNext()) {
                BatchLoader.Batch b = epoch.next();
                if (x == null || x.dim(0) != b.n()) {
                    if (x != null) {
                        x.close();
                        y.close();
                    }
                    x = backend.zeros(b.n(), data.channels(), size, size);
                    y = backend.zeros(b.n());
                }
                backend.upload(b.images(), 0, x, 0, (int) x.size());
                backend.upload(b.labels(), 0, y, 0, b.n());
                float[] labels = b.labels().clone();
                loader.recycle(b);
                lossSum += loss.forward(model.forward(x, false), y) * b.n();
                int[] top = backend.topK(loss.probabilities(), k);
                for (int i = 0; i < b.n(); i++) {
                    for (int j = 0; j < k; j++) {
                        if (top[i * k + j] == (int) labels[i]) {
                            hit1 += j == 0 ? 1 : 0;
                            hit5++;
                        }
                    }
                }
            }
            if (x != null) {
                x.close();
                y.close();
            }
        }
        int n = data.size();
        return new Result(n, lossSum / n, (double) hit1 / n, (double) hit5 / n, (System.nanoTime() - t0) / 1e9);
    }

    private static Result evaluateFlipped(Backend backend, org.vgg4j.nn.Module model, Dataset data, Preprocess prep,
                                          int batch) throws InterruptedException {
        long t0 = System.nanoTime();
        int classes = data.classes();
        int c = data.channels();
        int size = prep.size();
        Tally tally = new Tally(Math.min(5, classes));
        try (BatchLoader loader = new BatchLoader(data, prep.forEvaluation(), batch, 0, false);
             SoftmaxCrossEntropy sm = new SoftmaxCrossEntropy(backend)) {
            BatchLoader.Epoch epoch = loader.epoch(0, 0);
            while (epoch.hasNext()) {
                BatchLoader.Batch b = epoch.next();
                int n = b.n();
                float[] x = java.util.Arrays.copyOf(b.images(), n * c * size * size);
                float[] labels = java.util.Arrays.copyOf(b.labels(), n);
                loader.recycle(b);
                java.util.function.UnaryOperator<Tensor> scores = t -> model.forward(t, false);
                float[] probs = posteriors(backend, scores, sm, x, labels, n, c, size, false);
                float[] mirrored = posteriors(backend, scores, sm, x, labels, n, c, size, true);
                for (int i = 0; i < probs.length; i++) {
                    probs[i] = 0.5f * (probs[i] + mirrored[i]);
                }
                tally.add(probs, labels, n, classes);
            }
        }
        return tally.result(data.size(), t0);
    }

    /** Loss and top-1 / top-k hits summed over batches of averaged posteriors (ties go to the lower class). */
    private static final class Tally {
        private final int k;
        private double lossSum;
        private long hit1;
        private long hitK;

        Tally(int k) {
            this.k = k;
        }

        void add(float[] probs, float[] labels, int n, int classes) {
            for (int i = 0; i < n; i++) {
                int label = (int) labels[i];
                float own = probs[i * classes + label];
                lossSum -= Math.log(Math.max(own, 1e-30f));
                int better = 0;
                for (int j = 0; j < classes; j++) {
                    float v = probs[i * classes + j];
                    if (v > own || (v == own && j < label)) {
                        better++;
                    }
                }
                hit1 += better == 0 ? 1 : 0;
                hitK += better < k ? 1 : 0;
            }
        }

        Result result(int n, long t0) {
            return new Result(n, lossSum / n, (double) hit1 / n, (double) hitK / n, (System.nanoTime() - t0) / 1e9);
        }
    }

    /**
     * Dense evaluation (section 3.2): each image placed on a {@code canvas x canvas} input (padded
     * as the preprocessing does, so canvas = the input size gives the centre-crop input), the
     * network applied fully convolutionally, the class scores averaged over space, and, with
     * {@code flip}, the softmax posteriors of the image and its mirror image averaged.
     */
    /** An evaluation of no images has no accuracy: one clear error instead of NaN %. */
    static void requireExamples(Dataset data) {
        if (data.size() == 0) {
            throw new IllegalArgumentException("no images to evaluate in " + data.source());
        }
    }

    public static Result dense(Backend backend, Network model, Dataset data, Preprocess prep, int canvas, boolean flip,
                               int batch) {
        requireExamples(data);
        long t0 = System.nanoTime();
        int c = data.channels();
        Preprocess p = new Preprocess(canvas, 0, false, prep.mean(), prep.std());
        Tally tally = new Tally(Math.min(5, data.classes()));
        byte[] raw = new byte[c * data.height() * data.width()];
        try (DenseNet net = new DenseNet(backend, model); SoftmaxCrossEntropy sm = new SoftmaxCrossEntropy(backend)) {
            for (int lo = 0; lo < data.size(); lo += batch) {
                int n = Math.min(batch, data.size() - lo);
                float[] x = new float[n * c * canvas * canvas];
                float[] labels = new float[n];
                for (int i = 0; i < n; i++) {
                    data.image(lo + i, raw, 0);
                    p.apply(raw, 0, c, data.height(), data.width(), x, i * c * canvas * canvas, 0, 0, 0);
                    labels[i] = data.label(lo + i);
                }
                float[] probs = posteriors(backend, net::scores, sm, x, labels, n, c, canvas, false);
                if (flip) {
                    float[] mirrored = posteriors(backend, net::scores, sm, x, labels, n, c, canvas, true);
                    for (int i = 0; i < probs.length; i++) {
                        probs[i] = 0.5f * (probs[i] + mirrored[i]);
                    }
                }
                tally.add(probs, labels, n, data.classes());
            }
        }
        return tally.result(data.size(), t0);
    }

    /** Softmax posteriors of {@code scores} on n images of c x canvas x canvas (mirrored left to right when asked). */
    private static float[] posteriors(Backend backend, java.util.function.UnaryOperator<Tensor> scores,
                                      SoftmaxCrossEntropy sm, float[] x, float[] labels, int n, int c, int canvas,
                                      boolean mirror) {
        float[] in = x;
        if (mirror) {
            in = new float[x.length];
            for (int row = 0; row < n * c * canvas; row++) {
                for (int col = 0; col < canvas; col++) {
                    in[row * canvas + col] = x[row * canvas + canvas - 1 - col];
                }
            }
        }
        try (Tensor t = backend.fromHost(in, n, c, canvas, canvas); Tensor y = backend.fromHost(labels, n)) {
            sm.forward(scores.apply(t), y);
            return sm.probabilities().toHost();
        }
    }
}
