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
    @Option(names = "--data", defaultValue = "fashion-mnist", description = "A data set as train --data takes it; its "
        + "test split is scored unless --split says otherwise (default ${DEFAULT-VALUE}).")
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
    @Option(names = "--flip", description = "Centre crop: average the posteriors with those of the mirror image "
        + "(the paper's flip averaging, for any network).")
    boolean flip;
    @Option(names = "--split", defaultValue = "test", description = "test (default), or validation: the split `train` "
        + "held out of the training set (the same --split-seed and --val-split give the same images), to choose an "
        + "evaluation on before looking at the test set.")
    String split;
    @Option(names = "--split-seed", defaultValue = "1", description = "--split validation: the seed the training run "
        + "drew its split with (its --split-seed, else its --seed; default ${DEFAULT-VALUE}).")
    long splitSeed;
    @Option(names = "--val-split", description = "--split validation: the number of images held out (default as "
        + "train: 5000, or a tenth of a training set under 50000).")
    Integer valSplit;
    @Option(names = "--batch", defaultValue = "200", description = "Images per forward pass (default ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--device", defaultValue = "cpu", description = "auto, cpu, cl, cl:P:D (default ${DEFAULT-VALUE}).")
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
                if (!split.equals("test") && !split.equals("validation")) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--split " + split
                        + ": test or validation");
                }
                if (flip && !mode.equals("center")) {
                    throw new CommandLine.ParameterException(spec.commandLine(), "--flip is for --mode center (dense, "
                        + "multicrop, multiscale and fusion average with mirror images already)");
                }
                var test = split.equals("test") ? Data.evaluationFor(data, decode, l.info().classNames())
                    : heldOut(decode);
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
                    case "center" -> Evaluator.evaluate(backend, m, test, l.info().preprocess(), batch, flip);
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

    /** The training run's held-out validation split, drawn as {@code train} draws it. */
    private org.vgg4j.vgg.data.Dataset heldOut(int decode) throws java.io.IOException {
        if (Data.ownValidation(data, decode, false, null) != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), data + " has its own val/ split: evaluate "
                + "that folder instead of --split validation");
        }
        org.vgg4j.vgg.data.Dataset full = Data.open(data, true, decode, false);
        int held = valSplit != null ? valSplit : full.size() >= 50_000 ? 5000 : Math.max(1, full.size() / 10);
        if (held <= 0 || held >= full.size()) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--val-split " + held + ": must be between 1 "
                + "and " + (full.size() - 1) + " (the training set has " + full.size() + " examples)");
        }
        return org.vgg4j.vgg.data.Subset.stratified(full, held, splitSeed).val();
    }
}
