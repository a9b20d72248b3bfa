package org.vgg4j.cli;

import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.TrainConfig;
import org.vgg4j.vgg.Trainer;
import org.vgg4j.vgg.VggConfig;
import org.vgg4j.vgg.VggModel;
import org.vgg4j.vgg.data.Dataset;
import org.vgg4j.vgg.data.Preprocess;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vgg4j train}: parses options into a {@link ModelSpec} and a {@link TrainConfig} and runs
 * the {@link Trainer}. With no options it trains the small Fashion-MNIST model (configuration A at
 * half width, 32x32 input) on Debian's dataset-fashion-mnist.
 */
@Command(name = "train", mixinStandardHelpOptions = true,
    description = "Train a VGG, ResNet, AlexNet or GoogLeNet network (defaults: the small Fashion-MNIST VGG).")
public final class TrainCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "A", description = "A VGG configuration (A, A-LRN, B, C, D, E) or a ResNet "
        + "(resnet18, ..., resnet152; resnet18-cifar etc. with the small-input stem for 28/32-pixel images; "
        + "always with batch norm), alexnet (--input 224) or googlenet (default ${DEFAULT-VALUE}).")
    String arch;
    @Option(names = "--data", defaultValue = "fashion-mnist", description = "fashion-mnist (Debian's package), a folder of "
        + "IDX files (MNIST's names) or of CIFAR-10 binary batches, or an ImageFolder tree with train/ (val/ and test/ "
        + "are used when there; default ${DEFAULT-VALUE}).")
    String data;
    @Option(names = "--input", defaultValue = "32", description = Options.INPUT_SIDES + " (default ${DEFAULT-VALUE}; "
        + "smaller images are zero-padded to it, larger ones centre-cropped).")
    int input;
    @Option(names = "--width-divisor", defaultValue = "2", description = "Divide the paper's channel widths by this (default ${DEFAULT-VALUE}).")
    int widthDivisor;
    @Option(names = "--fc", defaultValue = "512", description = "Width of the hidden FC layers (paper: 4096; 0: none, one Linear to the classes; default ${DEFAULT-VALUE}).")
    int fc;
    @Option(names = "--batch-norm", description = "Batch normalisation after every convolution (torchvision's vgg*_bn).")
    boolean batchNorm;
    @Option(names = "--val-split", description = "Training examples held out (stratified, seeded) for validation: "
        + "the schedule, the best epoch and the progress line use them; default 5000, or a tenth of a training "
        + "set under 50000. Not used when the data has its own val/ or --val-data is given.")
    Integer valSplit;
    @Option(names = "--split-seed", description = "Seed of the held-out validation split (default: --seed). When "
        + "fine-tuning (--init-from, --resume) with another --seed, keep the first run's split: the model has trained "
        + "on every example outside it.")
    Long splitSeed;
    @Option(names = "--val-data", description = "A folder (ImageFolder) to validate on instead of a held-out split.")
    String valData;
    @Option(names = "--dropout", defaultValue = "0.5", description = "Dropout after the hidden FC layers (VGG, AlexNet) or before "
        + "the classifier (GoogLeNet); the ResNets have none (default ${DEFAULT-VALUE}).")
    float dropout;
    @Option(names = "--epochs", defaultValue = "3", description = "Passes over the training set (default ${DEFAULT-VALUE}).")
    int epochs;
    @Option(names = "--batch", defaultValue = "128", description = "Examples per SGD step (default ${DEFAULT-VALUE}).")
    int batch;
    @Option(names = "--micro-batch", description = "Examples per forward/backward; gradients accumulate to --batch.")
    Integer microBatch;
    @Option(names = "--lr", defaultValue = "0.02", description = "Initial learning rate (default ${DEFAULT-VALUE}).")
    float lr;
    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default ${DEFAULT-VALUE}).")
    float momentum;
    @Option(names = "--weight-decay", defaultValue = "5e-4", description = "L2 weight decay (default ${DEFAULT-VALUE}).")
    float weightDecay;
    @Option(names = "--schedule", defaultValue = "cosine", description = "plateau, step, cosine, constant (default ${DEFAULT-VALUE}).")
    TrainConfig.Schedule schedule;
    @Option(names = "--patience", defaultValue = "2", description = "--schedule plateau: epochs without a better validation "
        + "accuracy before the learning rate is divided by 10 (default ${DEFAULT-VALUE}).")
    int patience;
    @Option(names = "--init", defaultValue = "he", description = "paper (Normal 0.01) or he (default ${DEFAULT-VALUE}).")
    VggModel.InitScheme init;
    @Option(names = "--jitter", defaultValue = "2", description = "Random crop: shift by up to this many pixels "
        + "(default ${DEFAULT-VALUE}).")
    int jitter;
    @Option(names = "--erase", defaultValue = "0", description = "Random erasing: probability of blanking a random "
        + "rectangle of each training image (Zhong et al.; 0.5 is usual; default ${DEFAULT-VALUE}).")
    float erase;
    @Option(names = "--label-smoothing", defaultValue = "0", description = "Train against targets of 1 - e on the "
        + "label and e spread over all classes (PyTorch's CrossEntropyLoss label_smoothing; 0.1 is usual; the "
        + "validation and test loss stay plain cross-entropy; default ${DEFAULT-VALUE}).")
    float labelSmoothing;
    @Option(names = "--no-flip", description = "No random horizontal flips.")
    boolean noFlip;
    @Option(names = "--seed", defaultValue = "1", description = "Seed of the initialisation, the order of the examples and "
        + "the augmentation (default ${DEFAULT-VALUE}).")
    long seed;
    @Option(names = "--checkpoint-every", defaultValue = "0", description = "Also checkpoint every N steps.")
    int checkpointEvery;
    @Option(names = "--device", defaultValue = "cpu", description = "auto, cpu, cl, cl:P:D (default ${DEFAULT-VALUE}).")
    String device;
    @Option(names = "--out", defaultValue = "runs/default", description = "Output folder (default ${DEFAULT-VALUE}).")
    Path out;
    @Option(names = "--resume", description = "Continue from OUT/checkpoint.safetensors when it exists.")
    boolean resume;
    @Option(names = "--overwrite", description = "Start afresh in an --out folder that already holds a run "
        + "(its checkpoint, model and metrics are replaced).")
    boolean overwrite;
    @Option(names = "--strict", description = "Fail on an unreadable image instead of skipping it.")
    boolean strict;
    @Option(names = "--scale", description = "The paper's training scale S: fixed (256) or jittered (256,512); the "
        + "image's shorter side is rescaled to S, then a random --input crop is taken (RGB folders).", split = ",")
    int[] scale;
    @Option(names = "--init-from", description = "A trained model to start from: for VGG, configuration A, whose "
        + "first four convolutions and FC layers start this one (the paper, section 3.1); for the other families, "
        + "a network of the same family, every tensor whose name and shape agree (fine-tuning).")
    Path initFrom;
    @Option(names = "--limit", description = "Train on a stratified subset of this many training examples (a quick "
        + "run; the validation split is held out of them).")
    Integer limit;
    @Option(names = "--color-pca", description = "AlexNet-style colour shift along the PCA of the training pixels (RGB).")
    boolean colorPca;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /**
     * A run that could not write its results fails before loading anything: the nearest folder of
     * --out that exists must be a writable folder (the trainer creates the rest).
     */
    private void checkOutputFolder() throws java.nio.file.FileSystemException {
        Path p = out.toAbsolutePath();
        while (p != null && !java.nio.file.Files.exists(p)) {
            p = p.getParent();
        }
        if (p != null && !java.nio.file.Files.isDirectory(p)) {
            throw new java.nio.file.FileSystemException(out.toString(), null, p + " is a file, not a folder");
        }
        if (p != null && !java.nio.file.Files.isWritable(p)) {
            throw new java.nio.file.AccessDeniedException(p.toString());
        }
    }

    /** Every option in its range, as usage errors naming the option. */
    private void validate() {
        Options.range(spec, "--epochs", epochs, 1, 100_000);
        Options.device(spec, "--device", device);
        Options.range(spec, "--batch", batch, 1, 1 << 20);
        if (microBatch != null) {
            Options.range(spec, "--micro-batch", microBatch, 1, batch);
            if (batch % microBatch != 0) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--micro-batch " + microBatch
                    + ": must divide --batch " + batch);
            }
        }
        Options.arch(spec, "--arch", arch);
        Options.inputSize(spec, "--input", input, arch);
        Options.range(spec, "--width-divisor", widthDivisor, 1, 64);
        Options.range(spec, "--fc", fc, 0, 1 << 16);
        Options.range(spec, "--dropout", dropout, 0, 0.99, true);
        Options.range(spec, "--lr", lr, 0, 1e6, false);
        Options.range(spec, "--momentum", momentum, 0, 0.999, true);
        Options.range(spec, "--weight-decay", weightDecay, 0, 1, true);
        Options.range(spec, "--patience", patience, 0, 1000);
        Options.range(spec, "--jitter", jitter, 0, 1024);
        Options.range(spec, "--erase", erase, 0, 1, true);
        Options.range(spec, "--label-smoothing", labelSmoothing, 0, 0.99, true);
        Options.range(spec, "--checkpoint-every", checkpointEvery, 0, Long.MAX_VALUE);
        if (limit != null) {
            Options.range(spec, "--limit", limit, 2, Integer.MAX_VALUE);
        }
        if (valSplit != null) {
            Options.range(spec, "--val-split", valSplit, 1, Integer.MAX_VALUE);
        }
        if (scale != null) {
            if (scale.length < 1 || scale.length > 2) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--scale takes S or SMIN,SMAX");
            }
            for (int q : scale) {
                Options.range(spec, "--scale", q, input, 8192);
            }
            if (scale.length == 2 && scale[0] > scale[1]) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--scale " + scale[0] + "," + scale[1]
                    + ": the smaller scale comes first");
            }
        }
    }

    /**
     * Parses {@code vgg4j train}'s options and checks their ranges (usage errors as
     * {@link CommandLine.ParameterException}); for the Spark module, whose tasks each run the
     * training the options describe as one worker of a group ({@link #runWorker}).
     */
    public static TrainCommand parse(String... args) {
        TrainCommand t = new TrainCommand();
        CommandLine cl = new CommandLine(t);
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.parseArgs(args);
        t.validate();
        return t;
    }

    /** The output folder. */
    public Path out() { return out; }

    /** Whether --overwrite was given. */
    public boolean overwrite() { return overwrite; }

    /** Whether --resume was given. */
    public boolean resume() { return resume; }

    /** The global batch. */
    public int batch() { return batch; }

    /**
     * Refuses to start a new run in a folder that holds one, unless --resume or --overwrite says
     * what to do with it (a usage error), and checks that the folder can be written.
     */
    public void checkOutput() throws java.nio.file.FileSystemException {
        if (!resume && !overwrite) {
            for (String f : new String[] {Trainer.CHECKPOINT, Trainer.METRICS, Trainer.MODEL}) {
                if (java.nio.file.Files.exists(out.resolve(f))) {
                    throw new CommandLine.ParameterException(spec.commandLine(), out + " already holds a run ("
                        + f + "): --resume continues it, --overwrite starts afresh, or choose another --out");
                }
            }
        }
        checkOutputFolder();
    }

    /**
     * Trains as one worker of {@code group}: rank 0 logs to {@code log} and writes the files, the
     * others are silent. Every worker resumes from the checkpoint in --out when there is one (the
     * driver has checked, before the first attempt, that starting or resuming there is what the
     * options ask for). Returns 0 when finished, 130 when stopped.
     */
    public WorkerResult runWorker(org.vgg4j.nn.dist.Collective group, java.io.PrintStream log) throws Exception {
        int code = train(group, log, true);
        return new WorkerResult(code, weightsCrc);
    }

    /**
     * Trains in this process as {@code vgg4j train} would, its progress and the list of written
     * files to {@code log}: from the checkpoint in --out when there is one, else from the start
     * (with --init-from). Returns 0 when finished, 130 when stopped (Ctrl-C: a checkpoint is saved).
     */
    public int runLogged(java.io.PrintStream log) throws Exception {
        quiet = true;
        checkOutputFolder();
        return train(org.vgg4j.nn.dist.Collective.SINGLE, log,
            java.nio.file.Files.exists(out.resolve(Trainer.CHECKPOINT)));
    }

    private boolean quiet;

    /** The file in --out that records each command line that trained there (a new run starts it afresh). */
    public static final String COMMANDS = "commands.txt";

    /** The recipe in one line: schedule, optimiser and augmentation, defaults included, as the run uses them. */
    String recipe() {
        StringBuilder r = new StringBuilder(String.format(Locale.ROOT, "epochs %d, batch %d%s, lr %s (%s), momentum %s, "
            + "weight decay %s, %sinput %d", epochs, batch, microBatch == null ? "" : " in micro-batches of "
            + microBatch, num(lr), schedule.name().toLowerCase(Locale.ROOT), num(momentum), num(weightDecay),
            org.vgg4j.vgg.ResNetModel.isResNet(arch.toLowerCase(Locale.ROOT)) ? "" : "dropout " + num(dropout) + ", ",
            input));
        // --scale or --color-pca: the paper's augmentation (S, then a random crop) instead of the jitter
        r.append(scale == null && !colorPca ? ", jitter " + jitter : ", scale " + (scale == null ? String.valueOf(input)
            : java.util.Arrays.stream(scale).mapToObj(String::valueOf).collect(java.util.stream.Collectors.joining(","))));
        r.append(noFlip ? ", no flips" : ", flips");
        if (colorPca) {
            r.append(", colour PCA");
        }
        if (erase > 0) {
            r.append(", erase ").append(num(erase));
        }
        if (labelSmoothing > 0) {
            r.append(", label smoothing ").append(num(labelSmoothing));
        }
        return r.append(", seed ").append(seed).toString();
    }

    /** A float option as typed: 0.0005, not 5.0E-4. */
    private static String num(float x) {
        return new java.math.BigDecimal(Float.toString(x)).stripTrailingZeros().toPlainString();
    }

    /**
     * Writes the command line of this run to OUT/commands.txt, after those before it when the run
     * continues from a checkpoint: which options produced the files stays with them. A failure to
     * write it is a warning, not a lost run.
     */
    private void recordCommand(boolean continuing, java.io.PrintStream err) {
        StringBuilder line = new StringBuilder(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS)
            + " " + (continuing ? "continued" : "started") + ": vgg4j");
        CommandLine.ParseResult parsed = spec.commandLine().getParseResult();
        java.util.List<String> args = parsed == null ? java.util.List.of() : parsed.originalArgs();
        if (args.isEmpty() || !args.get(0).equals(spec.name())) {
            line.append(' ').append(spec.name()); // parsed on its own (vgg4j-spark, experiments): no subcommand word
        }
        for (String a : args) {
            line.append(' ').append(a.matches("[A-Za-z0-9_./:=,+@%-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
        }
        line.append('\n');
        try {
            java.nio.file.Files.writeString(out.resolve(COMMANDS), line, java.nio.charset.StandardCharsets.UTF_8,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE, continuing
                    ? java.nio.file.StandardOpenOption.APPEND : java.nio.file.StandardOpenOption.TRUNCATE_EXISTING);
        } catch (java.io.IOException e) {
            err.println("vgg4j train: warning: could not write " + out.resolve(COMMANDS) + ": " + e.getMessage());
        }
    }

    /** How a worker ended (0 finished, 130 stopped) and the CRC-32 of its final weights (replicas must agree). */
    public record WorkerResult(int code, long weightsCrc) {}

    private long weightsCrc;

    private static long crcOf(Backend backend, org.vgg4j.vgg.Network net) {
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        for (org.vgg4j.nn.Parameter p : net.parameters()) {
            float[] v = new float[(int) p.size()];
            backend.download(p.value(), 0, v, 0, v.length);
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(4 * v.length).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            b.asFloatBuffer().put(v);
            crc.update(b.array());
        }
        return crc.getValue();
    }

    @Override
    public Integer call() throws Exception {
        validate();
        checkOutput();
        return train(org.vgg4j.nn.dist.Collective.SINGLE, System.err, resume);
    }

    private int train(org.vgg4j.nn.dist.Collective group, java.io.PrintStream err, boolean resume) throws Exception {
        boolean single = group.size() == 1;
        boolean writer = group.rank() == 0;
        int[] scales = scale;
        int decode = scales == null ? input : scales[scales.length - 1];
        Dataset full = Data.open(data, true, decode, strict);
        if (limit != null && limit < full.size()) {
            full = org.vgg4j.vgg.data.Subset.sample(full, limit, seed ^ 0x5eed);
        }
        Dataset testSet = Data.test(data, input, strict, full.classNames());
        Dataset valSet = valData != null ? Data.validationData(valData, input, strict, full.classNames())
            : Data.ownValidation(data, input, strict, full.classNames());
        Dataset trainSet = full;
        if (valSet == null) {
            int held = valSplit != null ? valSplit : full.size() >= 50_000 ? 5000 : Math.max(1, full.size() / 10);
            if (held <= 0 || held >= full.size()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--val-split " + held + ": must be between 1 and "
                    + (full.size() - 1) + " (the training set has " + full.size() + " examples)");
            }
            org.vgg4j.vgg.data.Subset.Split split = org.vgg4j.vgg.data.Subset.stratified(full, held,
                splitSeed != null ? splitSeed : seed);
            trainSet = split.train();
            valSet = split.val();
        }
        boolean other = org.vgg4j.vgg.Architectures.isOther(arch);
        ModelSpec model = other ? null : new ModelSpec(VggConfig.parse(arch), trainSet.channels(), input,
            trainSet.classes(), widthDivisor, fc, dropout, batchNorm);
        TrainConfig.Schedule sched = schedule;
        TrainConfig cfg = new TrainConfig(epochs, batch, microBatch == null ? batch : microBatch, lr, momentum,
            weightDecay, sched, patience, 10, lr * 1e-3f, seed, checkpointEvery, out, 20.0);
        float[][] stats = Preprocess.statistics(trainSet);
        Preprocess prep = new Preprocess(input, jitter, !noFlip, stats[0], stats[1], erase);
        try (Backend backend = Backends.open(device);
             org.vgg4j.vgg.Network net = other
                 ? org.vgg4j.vgg.Architectures.build(backend, arch, trainSet.channels(), input, trainSet.classes(),
                     dropout, seed, true)
                 : VggModel.build(backend, model, seed).initialise(init, seed);
             Trainer trainer = new Trainer(backend, net, cfg, trainSet, valSet, prep, err)) {
            trainer.setCollective(group);
            if (initFrom != null && !resume) {
                try (var a = org.vgg4j.vgg.ModelFile.load(initFrom, backend).model()) {
                    if (net instanceof VggModel vgg) {
                        err.println("vgg4j train: initialised from " + initFrom + ": "
                            + String.join(", ", vgg.initialiseFrom(a)));
                    } else {
                        if (!a.family().equals(net.family())) {
                            throw new CommandLine.ParameterException(spec.commandLine(), "--init-from: " + initFrom
                                + " holds a " + a.describe() + ", not a " + net.family() + " network");
                        }
                        java.util.List<String> copied = net.copyMatching(a);
                        if (copied.isEmpty()) {
                            throw new CommandLine.ParameterException(spec.commandLine(), "--init-from: no tensor of "
                                + initFrom + " has the name and shape of one of " + net.describe());
                        }
                        err.printf(Locale.ROOT, "vgg4j train: initialised from %s: %d of %d tensors%n", initFrom,
                            copied.size(), net.parameters().size() + net.state().stream().filter(s -> !s.isCounter()).count());
                    }
                }
            }
            trainer.setLabelSmoothing(labelSmoothing);
            if (scales != null || colorPca) {
                int sMin = scales == null ? input : scales[0];
                int sMax = scales == null ? input : scales[scales.length - 1];
                trainer.setTrainTransform(new org.vgg4j.vgg.data.PaperAugment(sMin, sMax, input, !noFlip,
                    colorPca ? org.vgg4j.vgg.data.Pca.of(trainSet, 10) : null, 0.1f, stats[0], stats[1]));
            }
            err.printf(Locale.ROOT, "vgg4j train: %s (%,d parameters) on %s, %d examples; "
                + "validation: %s, %d examples; %s%s%n", other ? net.describe() : String.format(Locale.ROOT,
                "VGG-%s%s (width/%d, FC %d)", model.config().label(), batchNorm ? " with batch norm" : "", widthDivisor,
                fc), net.parameterCount(), trainSet.source(), trainSet.size(), valSet.source(),
                valSet.size(), backend.description(), single ? "" : "; worker " + group.rank() + " of " + group.size());
            err.println("vgg4j train: " + recipe());
            trainer.setOnStart(resumed -> recordCommand(resumed, err));
            CountDownLatch finished = new CountDownLatch(1);
            Thread hook = new Thread(() -> {
                trainer.requestStop();
                try {
                    finished.await(120, TimeUnit.SECONDS);
                } catch (InterruptedException ignored) {
                    Thread.currentThread().interrupt();
                }
            });
            if (single) {
                Runtime.getRuntime().addShutdownHook(hook);
            }
            try {
                Trainer.Outcome o;
                try {
                    o = trainer.run(resume);
                } catch (Trainer.ResumeMismatchException e) {
                    throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage());
                }
                if (!single) {
                    weightsCrc = crcOf(backend, net);
                }
                if (!writer) {
                    return o == Trainer.Outcome.FINISHED ? 0 : 130;
                }
                if (o == Trainer.Outcome.FINISHED && testSet != null) {
                    trainer.testBest(testSet);
                }
                Curves.drawOrWarn(out.resolve(Trainer.METRICS), out.resolve("curves.png"),
                    m -> err.println("vgg4j train: warning: " + m));
                for (Dataset d : new Dataset[] {trainSet, valSet}) {
                    if (d instanceof org.vgg4j.vgg.data.ImageFolderDataset f && !f.skipped().isEmpty()) {
                        err.println("vgg4j train: skipped " + f.skipped().size() + " unreadable images in " + f.source()
                            + ", e.g. " + f.skipped().get(0));
                    }
                }
                java.util.List<String> written = new java.util.ArrayList<>();
                for (String f : new String[] {Trainer.MODEL, Trainer.BEST, Trainer.CHECKPOINT, "curves.png"}) {
                    if (java.nio.file.Files.exists(out.resolve(f))) {
                        written.add(out.resolve(f).toString());
                    }
                }
                (single && !quiet ? spec.commandLine().getOut() : new java.io.PrintWriter(err, true)).println(
                    written.isEmpty() ? "nothing written yet" : String.join(", ", written));
                return o == Trainer.Outcome.FINISHED ? 0 : 130;
            } finally {
                finished.countDown();
                try {
                    if (single) {
                        Runtime.getRuntime().removeShutdownHook(hook);
                    }
                } catch (IllegalStateException shuttingDown) {
                    // the JVM is exiting because of the signal; the hook waits for us
                }
            }
        }
    }
}
