package org.vgg4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.vgg.Evaluator;
import org.vgg4j.vgg.ModelFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vgg4j eval}: top-1 / top-5 error of a model on the test split of a data set. */
@Command(name = "eval", mixinStandardHelpOptions = true, description = "Evaluate a model: top-1 / top-5 error.")
final class EvalCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A model file: vgg4j or torchvision safetensors, "
        + "PyTorch .pth/.pt, Caffe .caffemodel (told apart by content).")
    Path model;
    @Option(names = "--data", defaultValue = "fashion-mnist")
    String data;
    @Option(names = "--mode", defaultValue = "center",
        description = "center (single centre crop), dense (fully convolutional over a --canvas, with flips), "
            + "multicrop (a --grid of crops per scale, with flips), multiscale (dense at each scale), fusion.")
    String mode;
    @Option(names = "--scales", split = ",", description = "Shorter sides Q for multicrop/multiscale/fusion "
        + "(default {S-32, S, S+32} with S = input + 32: 224,256,288 for a 224 model).")
    int[] scales;
    @Option(names = "--grid", defaultValue = "5", description = "Multicrop: crops per side (paper: 5).")
    int grid;
    @Option(names = "--canvas", description = "Dense: side of the input the image is placed on (default: the model's input).")
    Integer canvas;
    @Option(names = "--no-flip", description = "Dense: do not average with the mirrored image.")
    boolean noFlip;
    @Option(names = "--batch", defaultValue = "200")
    int batch;
    @Option(names = "--device", defaultValue = "cpu")
    String device;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!java.util.List.of("center", "dense", "multicrop", "multiscale", "fusion").contains(mode)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--mode " + mode
                + " is not available yet (only center)");
        }
        Options.device(spec, "--device", device);
        try (Backend backend = Backends.open(device)) {
            ModelFile.Loaded l = ModelFile.load(model, backend);
            try (var m = l.model()) {
                // image folders decode at the size this evaluation reads: the model's input (or the
                // dense canvas), the largest scale for the multi-scale modes; IDX and CIFAR ignore it
                int in0 = l.info().inputSize();
                int decode = switch (mode) {
                    case "center" -> in0;
                    case "dense" -> canvas == null ? in0 : Math.max(in0, canvas);
                    default -> scales != null ? java.util.Arrays.stream(scales).max().getAsInt() : in0 + 64;
                };
                var test = Data.evaluationFor(data, decode, l.info().classNames());
                if (l.info().inChannels() != test.channels() || l.info().classes() != test.classes()) {
                    throw new IllegalArgumentException("model " + model + " expects " + l.info().inChannels()
                        + " channels and " + l.info().classes() + " classes; " + test.source() + " has "
                        + test.channels() + " and " + test.classes());
                }
                int in = l.info().inputSize();
                int[] qs = scales != null ? scales : org.vgg4j.vgg.MultiViewEvaluator.scalesAround(in + 32);
                for (int q : qs) {
                    if (q < in) {
                        throw new CommandLine.ParameterException(spec.commandLine(), "scale " + q
                            + " is smaller than the model's input " + in);
                    }
                }
                Evaluator.Result r = switch (mode) {
                    case "dense" -> Evaluator.dense(backend, m, test, l.info().preprocess(), canvas == null ? in : canvas,
                        !noFlip, batch);
                    case "center" -> Evaluator.evaluate(backend, m, test, l.info().preprocess(), batch);
                    default -> org.vgg4j.vgg.MultiViewEvaluator.evaluate(backend, m, test, l.info().preprocess(),
                        org.vgg4j.vgg.MultiViewEvaluator.Mode.valueOf(mode.toUpperCase(Locale.ROOT)), qs, grid, batch);
                };
                spec.commandLine().getOut().printf(Locale.ROOT,
                    "%s on %s (%d images): top-1 accuracy %.2f%% (error %.2f%%), top-5 accuracy %.2f%%, "
                        + "loss %.4f, %.0f images/s%n", model, test.source(), r.examples(), 100 * r.top1(),
                    100 * (1 - r.top1()), 100 * r.top5(), r.loss(), r.imagesPerSecond());
                spec.commandLine().getOut().flush();
            }
        }
        return 0;
    }
}
