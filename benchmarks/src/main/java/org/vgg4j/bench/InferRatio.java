package org.vgg4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.vgg.Classifier;
import org.vgg4j.vgg.ModelFile;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggModel;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Inference throughput through the embedding API, {@link Classifier#probabilities} (preprocessed
 * tensors in, probabilities out), the counterpart of {@code torch_vgg.py <model> fwd}:
 * {@code InferRatio <model of TrainStepRatio> <batch> [cpu|cl] [samples]}. Prints the median
 * images/s over samples of at least a second each, those under foreign load retaken ({@link Samples}).
 */
public final class InferRatio {
    private InferRatio() {}

    public static void main(String[] args) {
        String model = args[0];
        int batch = Integer.parseInt(args[1]);
        String device = args.length > 2 ? args[2] : "cpu";
        int samples = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        ModelSpec spec = TrainStepRatio.spec(model);
        Backend b = Backends.open(device);
        VggModel net = VggModel.build(b, spec, 0).initialise(VggModel.InitScheme.HE, 0);
        int s = spec.inputSize();
        float[] mean = new float[spec.inChannels()];
        float[] std = new float[spec.inChannels()];
        java.util.Arrays.fill(std, 1f);
        List<String> names = new ArrayList<>();
        for (int i = 0; i < spec.classes(); i++) {
            names.add(String.valueOf(i));
        }
        ModelFile.Info info = ModelFile.Info.of(spec, names, new Preprocess(s, 0, false, mean, std), s);
        float[] x = new float[batch * spec.inChannels() * s * s];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        try (Classifier c = Classifier.of(b, net, info)) {
            // warm-up: the JIT compiles the Vector API kernels only after many calls (the first
            // forward of a fresh JVM runs interpreted loops), so at least 5 calls and 5 seconds
            long w0 = System.nanoTime();
            for (int i = 0; i < 5 || System.nanoTime() - w0 < 5_000_000_000L; i++) {
                c.probabilities(x, batch);
            }
            Samples t = Samples.of(() -> c.probabilities(x, batch), batch, samples);
            System.out.printf("ours_infer %s batch=%d input=%dx%d device=%s %s%n", model, batch, s, s, device, t.tags());
        }
    }
}
