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

    public static Result evaluate(Backend backend, VggModel model, Dataset data, Preprocess prep, int batch)
        throws InterruptedException {
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
}
