package org.vgg4j.vgg;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.vgg.data.Preprocess;

/**
 * A trained model ready to classify images: the embedding API. {@link #predict} is
 * thread-safe (calls are serialised: the network's buffers are shared); {@link #close} frees
 * the device memory.
 *
 * <pre>{@code
 * try (Classifier c = Classifier.load(Path.of("runs/default/model.safetensors"), "auto")) {
 *     List<Classifier.Prediction> top = c.predict(ImageIO.read(file), 3);
 * }
 * }</pre>
 */
public final class Classifier implements AutoCloseable {
    private final Backend backend;
    private final Network model;
    private volatile ModelFile.Info info;
    private final Preprocess prep;
    private final SoftmaxCrossEntropy softmax;
    private Tensor input;
    private Tensor labels;

    /** One class and its probability. */
    public record Prediction(int index, String label, float probability) {}

    /** The same model with other class names (e.g. ImageNet's, for a torchvision file). */
    public void setClassNames(List<String> names) {
        if (names.size() != info.classes()) {
            throw new IllegalArgumentException(names.size() + " labels for a model of " + info.classes() + " classes");
        }
        this.info = info.withClassNames(names);
    }

    private Classifier(Backend backend, Network model, ModelFile.Info info) {
        this.backend = backend;
        this.model = model;
        this.info = info;
        this.prep = info.preprocess();
        this.softmax = new SoftmaxCrossEntropy(backend);
    }

    /**
     * A classifier over a network already built on {@code backend} (which it then owns: closing the
     * classifier closes both).
     */
    public static Classifier of(Backend backend, Network model, ModelFile.Info info) {
        return new Classifier(backend, model, info);
    }

    /**
     * Class probabilities [n * classes] of {@code n} preprocessed inputs held back to back in
     * {@code x} ([n, C, S, S], normalised as {@link ModelFile.Info#preprocess()} does): the path a
     * server that batches its own requests takes. The input buffer on the device is reused.
     */
    public synchronized float[] probabilities(float[] x, int n) {
        int c = info.inChannels();
        int s = info.inputSize();
        if (n <= 0 || (long) n * c * s * s != x.length) {
            throw new IllegalArgumentException("probabilities: " + x.length + " values are not " + n + " inputs of "
                + c + "x" + s + "x" + s);
        }
        if (input == null || input.size() < x.length) {
            if (input != null) {
                input.close();
                labels.close();
            }
            input = backend.zeros(n, c, s, s);
            labels = backend.zeros(n);
        }
        Tensor in = input.hasShape(n, c, s, s) ? input : input.prefix(n, c, s, s);
        Tensor lab = labels.hasShape(n) ? labels : labels.prefix(n);
        backend.upload(x, 0, in, 0, x.length);
        softmax.forward(model.forward(in, false), lab);
        return softmax.probabilities().toHost();
    }

    /** Loads a vgg4j model file onto the device named by {@code device} (auto, cpu, cl, cl:P:D). */
    public static Classifier load(Path file, String device) throws IOException {
        Backend backend = Backends.open(device);
        try {
            ModelFile.Loaded l = ModelFile.load(file, backend);
            return new Classifier(backend, l.model(), l.info());
        } catch (IOException | RuntimeException e) {
            backend.close();
            throw e;
        }
    }

    public ModelFile.Info info() { return info; }

    /** The k most probable classes of an image, most probable first. */
    public List<Prediction> predict(BufferedImage image, int k) {
        return predict(List.of(image), k).get(0);
    }

    /** Top-k classes for each image of a batch. */
    public synchronized List<List<Prediction>> predict(List<BufferedImage> images, int k) {
        int c = info.inChannels();
        int s = info.inputSize();
        int side = info.imageSize() > 0 ? info.imageSize() : s;
        int n = images.size();
        float[] x = new float[n * c * s * s];
        byte[] raw = new byte[c * side * side];
        for (int i = 0; i < n; i++) {
            checkSize(images.get(i));
            toBytes(images.get(i), c, side, info.resize() > 0 ? info.resize() : side, raw);
            prep.apply(raw, 0, c, side, side, x, i * c * s * s, 0, 0, 0);
        }
        int kk = Math.min(k, info.classes());
        try (Tensor in = backend.fromHost(x, n, c, s, s); Tensor labels = backend.zeros(n)) {
            softmax.forward(model.forward(in, false), labels);
            float[] p = softmax.probabilities().toHost();
            int[] top = backend.topK(softmax.probabilities(), kk);
            List<List<Prediction>> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                List<Prediction> row = new ArrayList<>();
                for (int j = 0; j < kk; j++) {
                    int cls = top[i * kk + j];
                    String label = cls < info.classNames().size() ? info.classNames().get(cls) : String.valueOf(cls);
                    row.add(new Prediction(cls, label, p[i * info.classes() + cls]));
                }
                out.add(row);
            }
            return out;
        }
    }

    /** Smallest shorter side accepted: half the training image side (a 2x upscale at most). */
    public int minimumSide() {
        int side = info.imageSize() > 0 ? info.imageSize() : info.inputSize();
        return Math.max(1, side / 2);
    }

    private void checkSize(BufferedImage img) {
        int shorter = Math.min(img.getWidth(), img.getHeight());
        if (shorter < minimumSide()) {
            throw new IllegalArgumentException("image " + img.getWidth() + "x" + img.getHeight()
                + " is too small: the model needs a shorter side of at least " + minimumSide() + " pixels");
        }
    }

    /**
     * Resizes the shorter side to {@code resize} (bilinear; an image already that size is not
     * resampled), centre-crops to side x side and writes CHW bytes: grey (luminance) for one
     * channel, RGB for three.
     */
    static void toBytes(BufferedImage img, int channels, int side, int resize, byte[] out) {
        if (img.getWidth() < 1 || img.getHeight() < 1) {
            throw new IllegalArgumentException("empty image");
        }
        double scale = (double) resize / Math.min(img.getWidth(), img.getHeight());
        int w = Math.max(side, (int) Math.round(img.getWidth() * scale));
        int h = Math.max(side, (int) Math.round(img.getHeight() * scale));
        BufferedImage canvas = new BufferedImage(side, side, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, -(w - side) / 2, -(h - side) / 2, w, h, null);
        g.dispose();
        for (int y = 0; y < side; y++) {
            for (int xx = 0; xx < side; xx++) {
                int rgb = canvas.getRGB(xx, y);
                int r = (rgb >> 16) & 0xff;
                int gr = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (channels == 1) {
                    out[y * side + xx] = (byte) Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
                } else {
                    out[y * side + xx] = (byte) r;
                    out[side * side + y * side + xx] = (byte) gr;
                    out[2 * side * side + y * side + xx] = (byte) b;
                }
            }
        }
    }

    @Override
    public synchronized void close() {
        if (input != null) {
            input.close();
            labels.close();
        }
        softmax.close();
        model.close();
        backend.close();
    }
}
