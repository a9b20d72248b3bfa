package org.vgg4j.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.vgg.Evaluator;
import org.vgg4j.vgg.ModelFile;
import org.vgg4j.vgg.MultiViewEvaluator;
import org.vgg4j.vgg.Trainer;
import org.vgg4j.vgg.data.Dataset;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code vgg4j experiment depth|scale|eval}: the paper's studies, one command each. Every
 * training run is a sub-folder of {@code --out} holding what {@code vgg4j train} writes (its log
 * in {@code train.log}); a second invocation skips the runs that finished and resumes the one that
 * was interrupted. Each study writes {@code results.csv}, {@code table.md} (shaped like the
 * paper's table: top-1 / top-5 error) and {@code chart.png} into {@code --out}, and prints one
 * line per run with the time left for the study.
 */
@Command(name = "experiment", mixinStandardHelpOptions = true,
    description = "The paper's experiments: depth (Table 3), scale (Tables 3-4), eval (Tables 5-6).",
    subcommands = {ExperimentCommand.Depth.class, ExperimentCommand.Scale.class, ExperimentCommand.Eval.class})
final class ExperimentCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing study: depth, scale or eval");
    }

    /** The recipe every run of a study shares (passed on to {@code vgg4j train}). */
    static final class Recipe {
        @Option(names = "--data", defaultValue = "fashion-mnist", description = "fashion-mnist, a folder of IDX files, "
            + "or an ImageFolder root (default ${DEFAULT-VALUE}).")
        String data;
        @Option(names = "--epochs", defaultValue = "10", description = "Epochs of each run (default ${DEFAULT-VALUE}).")
        int epochs;
        @Option(names = "--width-divisor", defaultValue = "2", description = "Channel widths divided by this "
            + "(default ${DEFAULT-VALUE}).")
        int widthDivisor;
        @Option(names = "--limit", description = "Train on a stratified subset of this many examples (a quick version).")
        Integer limit;
        @Option(names = "--input", defaultValue = "32", description = "Input size (default ${DEFAULT-VALUE}).")
        int input;
        @Option(names = "--batch", defaultValue = "128")
        int batch;
        @Option(names = "--lr", defaultValue = "0.02")
        float lr;
        @Option(names = "--dropout", defaultValue = "0.5")
        float dropout;
        @Option(names = "--fc", defaultValue = "512")
        int fc;
        @Option(names = "--seed", defaultValue = "1")
        long seed;
        @Option(names = "--device", defaultValue = "cpu")
        String device;
        @Option(names = "--out", required = true, description = "The study's folder (one sub-folder per run).")
        Path out;

        List<String> trainArgs() {
            List<String> a = new ArrayList<>(List.of("--data", data, "--epochs", String.valueOf(epochs),
                "--width-divisor", String.valueOf(widthDivisor), "--input", String.valueOf(input), "--batch",
                String.valueOf(batch), "--lr", String.valueOf(lr), "--dropout", String.valueOf(dropout), "--fc",
                String.valueOf(fc), "--seed", String.valueOf(seed), "--device", device));
            if (limit != null) {
                a.addAll(List.of("--limit", String.valueOf(limit)));
            }
            return a;
        }

        String describe() {
            return String.format(Locale.ROOT, "%s, %d epochs, width/%d, FC %d, input %d, batch %d, lr %s%s", data, epochs,
                widthDivisor, fc, input, batch, lr, limit == null ? "" : ", " + limit + " training examples");
        }
    }

    /** One training run of a study and what came of it. */
    record RunResult(String name, String label, long parameters, int bestEpoch, double top1, double top5,
                     double seconds, boolean skipped) {}

    /**
     * Trains one run in {@code dir} (resuming it when a checkpoint is there, skipping it when it
     * finished), its log in {@code dir/train.log}; returns the test (or validation) result of its
     * best epoch as {@code train} wrote it to {@code test.csv}.
     */
    static RunResult train(CommandLine.Model.CommandSpec spec, Path dir, String name, String label, List<String> args)
        throws Exception {
        Path marker = dir.resolve(DONE);
        boolean done = Files.exists(marker);
        if (!done) {
            Files.createDirectories(dir);
            List<String> all = new ArrayList<>(args);
            all.addAll(List.of("--out", dir.toString()));
            TrainCommand t = TrainCommand.parse(all.toArray(String[]::new));
            try (PrintStream log = new PrintStream(Files.newOutputStream(dir.resolve("train.log"),
                     java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.APPEND), true,
                     StandardCharsets.UTF_8)) {
                log.println("vgg4j experiment: train " + String.join(" ", all));
                if (t.runLogged(log) != 0) {
                    throw new Interrupted(name);
                }
            }
            Files.writeString(marker, String.join(" ", all) + "\n");
        }
        // the test evaluation of the best epoch, or (a data set without a test split) its validation figures
        double top1;
        double top5;
        int epoch;
        Path test = dir.resolve(Trainer.TEST);
        List<String> m = Files.readAllLines(dir.resolve(Trainer.METRICS));
        double seconds = 0;
        String[] bestVal = null;
        for (String line : m.subList(1, m.size())) {
            String[] g = line.split(",");
            seconds += Double.parseDouble(g[g.length - 1]);
            if (bestVal == null || Double.parseDouble(g[3]) > Double.parseDouble(bestVal[3])) {
                bestVal = g;
            }
        }
        if (Files.exists(test)) {
            List<String> lines = Files.readAllLines(test);
            String[] f = lines.get(lines.size() - 1).split(",");
            epoch = Integer.parseInt(f[1]);
            top1 = Double.parseDouble(f[4]);
            top5 = Double.parseDouble(f[5]);
        } else {
            epoch = Integer.parseInt(bestVal[0]);
            top1 = Double.parseDouble(bestVal[3]);
            top5 = Double.parseDouble(bestVal[4]);
        }
        long params = 0;
        Path best = dir.resolve(Trainer.BEST);
        for (var e : org.vgg4j.nn.io.SafeTensors.header(best).tensors().entrySet()) {
            if (!e.getValue().dtype().equals("I64") && !e.getKey().contains("running_")) {
                long n = 1;
                for (int d : e.getValue().shape()) {
                    n *= d;
                }
                params += n;
            }
        }
        return new RunResult(name, label, params, epoch, top1, top5, seconds, done);
    }

    /** The marker of a finished run (holding the options it ran with). */
    static final String DONE = "experiment.done";

    /** A run stopped by Ctrl-C: the study stops too, and the next invocation resumes it. */
    static final class Interrupted extends RuntimeException {
        Interrupted(String run) {
            super("stopped during run " + run + "; run the same command again to resume it");
        }
    }

    /** Runs the listed runs in order with one progress line each and the study's ETA. */
    static final class Progress {
        private final PrintWriter out;
        private final String study;
        private final int total;
        private final long start = System.nanoTime();
        private int done;
        private int trained;

        Progress(PrintWriter out, String study, int total) {
            this.out = out;
            this.study = study;
            this.total = total;
        }

        void report(RunResult r) {
            done++;
            if (!r.skipped()) {
                trained++;
            }
            double elapsed = (System.nanoTime() - start) / 1e9;
            String eta = done == total ? "study done in " + clock(elapsed)
                : trained == 0 ? "ETA unknown" : "ETA " + clock(elapsed / trained * (total - done));
            boolean training = r.bestEpoch() > 0;
            out.printf(Locale.ROOT, "experiment %s: run %d/%d %s: %s, top-1 error %.2f%%, top-5 error %.2f%%%s; %s%n",
                study, done, total, r.name(), r.skipped() ? "finished before, skipped"
                    : (training ? "trained in " : "evaluated in ") + clock(r.seconds()),
                100 * (1 - r.top1()), 100 * (1 - r.top5()), training ? " (epoch " + r.bestEpoch() + ")" : "", eta);
            out.flush();
        }

        void starting(String run) {
            out.printf(Locale.ROOT, "experiment %s: run %d/%d %s ...%n", study, done + 1, total, run);
            out.flush();
        }
    }

    static String clock(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
            : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** Writes results.csv, table.md and chart.png (top-1 and top-5 error per row). */
    static void write(Path out, String title, String note, List<String> header, List<List<String>> rows,
                      List<String> chartLabels, List<Double> top1Err, List<Double> top5Err) throws IOException {
        Files.createDirectories(out);
        StringBuilder csv = new StringBuilder(String.join(",", header.stream().map(ExperimentCommand::csvName).toList()))
            .append('\n');
        for (List<String> r : rows) {
            csv.append(String.join(",", r.stream().map(c -> c.replace(",", ";")).toList())).append('\n');
        }
        Files.writeString(out.resolve("results.csv"), csv.toString());
        StringBuilder md = new StringBuilder("### ").append(title).append("\n\n");
        md.append("| ").append(String.join(" | ", header)).append(" |\n|");
        md.append("---|".repeat(header.size())).append('\n');
        for (List<String> r : rows) {
            md.append("| ").append(String.join(" | ", r)).append(" |\n");
        }
        md.append('\n').append(note).append('\n');
        Files.writeString(out.resolve("table.md"), md.toString());
        System.setProperty("java.awt.headless", "true");
        Path png = out.resolve("chart.png");
        Curves.drawOrWarn(png, out.resolve("table.md"), () -> {
            CategoryChart chart = new CategoryChartBuilder().width(800).height(480).title(title).xAxisTitle("")
                .yAxisTitle("error (%)").build();
            chart.addSeries("top-1 error", chartLabels, top1Err);
            chart.addSeries("top-5 error", chartLabels, top5Err);
            BitmapEncoder.saveBitmap(chart, png.toString(), BitmapEncoder.BitmapFormat.PNG);
        }, m -> System.err.println("vgg4j experiment: warning: " + m));
    }

    private static String csvName(String h) {
        return h.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_").replaceAll("^_|_$", "");
    }

    static String pct(double v) {
        return String.format(Locale.ROOT, "%.2f", 100 * v);
    }

    // ---------------------------------------------------------------------------------------------

    /** Table 3: A, A-LRN, B, C, D, E with the same recipe. */
    @Command(name = "depth", mixinStandardHelpOptions = true,
        description = "Train A, A-LRN, B, C, D and E alike; top-1/top-5 error by depth (the paper's Table 3).")
    static final class Depth implements Callable<Integer> {
        @Mixin
        Recipe recipe;
        @Option(names = "--batch-norm", description = "The batch-norm versions of each configuration.")
        boolean batchNorm;
        @Option(names = "--init-from-a", description = "Train A first and start the deeper ones (B to E) from it "
            + "(section 3.1).")
        boolean initFromA;
        @Option(names = "--configs", split = ",", defaultValue = "A,A-LRN,B,C,D,E",
            description = "The configurations (default ${DEFAULT-VALUE}).")
        List<String> configs;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            List<String> order = new ArrayList<>();
            for (String c : configs) {
                order.add(org.vgg4j.vgg.VggConfig.parse(c).label());
            }
            if (initFromA && order.remove("A")) {
                order.add(0, "A");
            } else if (initFromA) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--init-from-a needs A in --configs");
            }
            PrintWriter out = spec.commandLine().getOut();
            out.println("experiment depth: " + order.size() + " runs (" + String.join(", ", order) + (batchNorm
                ? ", with batch norm" : "") + (initFromA ? ", deeper ones from A" : "") + ") of " + recipe.describe()
                + " in " + recipe.out);
            out.flush();
            Progress p = new Progress(out, "depth", order.size());
            List<RunResult> results = new ArrayList<>();
            for (String c : order) {
                String name = c + (batchNorm ? "-BN" : "");
                List<String> args = new ArrayList<>(recipe.trainArgs());
                args.addAll(List.of("--arch", c));
                if (batchNorm) {
                    args.add("--batch-norm");
                }
                if (initFromA && org.vgg4j.vgg.VggConfig.parse(c).weightLayers() > 11) {
                    // the deeper ones, as section 3.1 (A-LRN is as deep as A and trains from scratch)
                    args.addAll(List.of("--init-from", recipe.out.resolve("A" + (batchNorm ? "-BN" : ""))
                        .resolve(Trainer.BEST).toString()));
                }
                p.starting(name);
                RunResult r = train(spec, recipe.out.resolve(name), name, c, args);
                p.report(r);
                results.add(r);
            }
            List<List<String>> rows = new ArrayList<>();
            for (RunResult r : results) {
                org.vgg4j.vgg.VggConfig cfg = org.vgg4j.vgg.VggConfig.parse(r.label());
                rows.add(List.of(r.name(), String.valueOf(cfg.weightLayers()), String.format(Locale.ROOT, "%,d",
                    r.parameters()), String.valueOf(r.bestEpoch()), pct(1 - r.top1()), pct(1 - r.top5()),
                    clock(r.seconds())));
            }
            write(recipe.out, "Depth: top-1 / top-5 test error by configuration",
                "Recipe: " + recipe.describe() + (initFromA ? "; B to E initialised from A" : "")
                    + ". Each run's epoch chosen on its held-out validation split; test error of that epoch, single "
                    + "centre crop.", List.of("ConvNet config.", "weight layers", "parameters", "best epoch",
                    "top-1 error (%)", "top-5 error (%)", "training time"), rows,
                results.stream().map(RunResult::name).toList(), results.stream().map(r -> 100 * (1 - r.top1())).toList(),
                results.stream().map(r -> 100 * (1 - r.top5())).toList());
            out.println("experiment depth: " + recipe.out.resolve("table.md") + ", results.csv, chart.png");
            out.flush();
            return 0;
        }
    }

    // ---------------------------------------------------------------------------------------------

    /** Tables 3-4: a fixed training scale against scale jittering, evaluated at one scale and at several. */
    @Command(name = "scale", mixinStandardHelpOptions = true,
        description = "Fixed training scales against scale jittering, evaluated single- and multi-scale "
            + "(the paper's Tables 3-4), on an RGB ImageFolder.")
    static final class Scale implements Callable<Integer> {
        @Mixin
        Recipe recipe;
        @Option(names = "--arch", defaultValue = "A", description = "The configuration (default ${DEFAULT-VALUE}).")
        String arch;
        @Option(names = "--eval-batch", defaultValue = "50")
        int evalBatch;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            int in = recipe.input;
            // the paper's S = 256 and 384 and S in [256, 512] for a 224 crop, at this input size
            int s1 = round8(in * 256 / 224.0);
            int s2 = round8(in * 384 / 224.0);
            int smax = round8(in * 512 / 224.0);
            int step = Math.max(1, round8(in * 32 / 224.0));
            record Plan(String name, int[] scale, int[] single, int[] multi) {}
            List<Plan> plans = List.of(
                new Plan("S=" + s1, new int[] {s1}, new int[] {s1}, new int[] {s1 - step, s1, s1 + step}),
                new Plan("S=" + s2, new int[] {s2}, new int[] {s2}, new int[] {s2 - step, s2, s2 + step}),
                new Plan("S=[" + s1 + "," + smax + "]", new int[] {s1, smax}, new int[] {(s1 + smax) / 2},
                    new int[] {s1, (s1 + smax) / 2, smax}));
            PrintWriter out = spec.commandLine().getOut();
            out.println("experiment scale: 3 runs (" + String.join(", ", plans.stream().map(Plan::name).toList())
                + ") of " + arch + ", " + recipe.describe() + " in " + recipe.out);
            out.flush();
            Progress p = new Progress(out, "scale", plans.size());
            List<List<String>> rows = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            List<Double> e1 = new ArrayList<>();
            List<Double> e5 = new ArrayList<>();
            for (Plan plan : plans) {
                String dirName = plan.name().replace("=", "").replace("[", "").replace("]", "").replace(",", "-");
                List<String> args = new ArrayList<>(recipe.trainArgs());
                args.addAll(List.of("--arch", arch, "--scale", join(plan.scale())));
                p.starting(plan.name());
                Path dir = recipe.out.resolve(dirName);
                RunResult r = train(spec, dir, plan.name(), arch, args);
                p.report(r);
                for (boolean multi : new boolean[] {false, true}) {
                    int[] qs = multi ? plan.multi() : plan.single();
                    Evaluator.Result e = evaluate(dir.resolve(Trainer.BEST), qs, evalBatch);
                    rows.add(List.of(arch, plan.name(), join(qs), pct(1 - e.top1()), pct(1 - e.top5()),
                        String.valueOf(e.examples())));
                    labels.add(plan.name() + (multi ? " multi" : " single"));
                    e1.add(100 * (1 - e.top1()));
                    e5.add(100 * (1 - e.top5()));
                }
            }
            write(recipe.out, "Scale: training scale S against test scale Q (dense evaluation)",
                "Recipe: " + arch + ", " + recipe.describe() + ". S: the shorter side images are rescaled to for "
                    + "training (one value: fixed; a range: jittered); Q: the test scales, dense evaluation with flips, "
                    + "class posteriors averaged over the scales. Best epoch chosen on validation.",
                List.of("ConvNet config.", "train (S)", "test (Q)", "top-1 error (%)", "top-5 error (%)", "images"), rows,
                labels, e1, e5);
            out.println("experiment scale: " + recipe.out.resolve("table.md") + ", results.csv, chart.png");
            out.flush();
            return 0;
        }

        private Evaluator.Result evaluate(Path model, int[] qs, int batch) throws Exception {
            try (Backend backend = Backends.open(recipe.device); ModelFile.Loaded l = ModelFile.load(model, backend)) {
                int max = java.util.Arrays.stream(qs).max().getAsInt();
                Dataset test = Data.evaluationFor(recipe.data, max, l.info().classNames());
                return MultiViewEvaluator.evaluate(backend, l.model(), test, l.info().preprocess(),
                    MultiViewEvaluator.Mode.MULTISCALE, qs, 5, batch);
            }
        }

        private static int round8(double v) {
            return (int) Math.round(v / 8) * 8;
        }
    }

    /** The paper's {S-32, S, S+32} with S = 256 for a 224 input, at another input size. */
    static int[] aroundTrainingScale(int in) {
        int s = (int) Math.round(in * 256 / 224.0);
        int d = Math.max(2, (int) Math.round(in * 32 / 224.0));
        return new int[] {Math.max(in, s - d), s, s + d};
    }

    static String join(int[] v) {
        return String.join(",", java.util.Arrays.stream(v).mapToObj(String::valueOf).toList());
    }

    // ---------------------------------------------------------------------------------------------

    /** Tables 5-6: dense against multi-crop against their fusion, for a trained model. */
    @Command(name = "eval", mixinStandardHelpOptions = true,
        description = "Dense, multi-crop and their fusion for a trained model (the paper's Tables 5-6).")
    static final class Eval implements Callable<Integer> {
        @Option(names = "--model", required = true, description = "A model file (any format vgg4j reads).")
        Path model;
        @Option(names = "--data", defaultValue = "fashion-mnist")
        String data;
        @Option(names = "--scales", split = ",", description = "Test scales Q (default {S-32, S, S+32} around the "
            + "model's input + 32, scaled to the input size).")
        int[] scales;
        @Option(names = "--grid", defaultValue = "5", description = "Multi-crop: crops per side (paper: 5).")
        int grid;
        @Option(names = "--limit", description = "Evaluate on the first this many test images (a quick version).")
        Integer limit;
        @Option(names = "--batch", defaultValue = "50")
        int batch;
        @Option(names = "--device", defaultValue = "cpu")
        String device;
        @Option(names = "--out", required = true)
        Path out;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() throws Exception {
            Options.device(spec, "--device", device);
            if (limit != null) {
                Options.range(spec, "--limit", limit, 1, Integer.MAX_VALUE);
            }
            PrintWriter out = spec.commandLine().getOut();
            List<List<String>> rows = new ArrayList<>();
            List<String> labels = new ArrayList<>();
            List<Double> e1 = new ArrayList<>();
            List<Double> e5 = new ArrayList<>();
            try (Backend backend = Backends.open(device); ModelFile.Loaded l = ModelFile.load(model, backend)) {
                int in = l.info().inputSize();
                int[] qs = scales != null ? scales : aroundTrainingScale(in);
                int max = java.util.Arrays.stream(qs).max().getAsInt();
                Dataset test = Data.evaluationFor(data, max, l.info().classNames());
                if (limit != null && limit < test.size()) {
                    int[] first = java.util.stream.IntStream.range(0, limit).toArray();
                    test = new org.vgg4j.vgg.data.Subset(test, first, test.source() + " (first " + limit + ")");
                }
                Progress p = new Progress(out, "eval", 3);
                for (MultiViewEvaluator.Mode mode : new MultiViewEvaluator.Mode[] {
                    MultiViewEvaluator.Mode.MULTISCALE, MultiViewEvaluator.Mode.MULTICROP, MultiViewEvaluator.Mode.FUSION}) {
                    String method = switch (mode) {
                        case MULTISCALE -> "dense";
                        case MULTICROP -> "multi-crop";
                        case FUSION -> "multi-crop & dense";
                    };
                    p.starting(method);
                    long t0 = System.nanoTime();
                    Evaluator.Result r = MultiViewEvaluator.evaluate(backend, l.model(), test, l.info().preprocess(), mode,
                        qs, grid, batch);
                    p.report(new RunResult(method, method, l.model().parameterCount(), 0, r.top1(), r.top5(),
                        (System.nanoTime() - t0) / 1e9, false));
                    rows.add(List.of(method, join(qs), mode == MultiViewEvaluator.Mode.MULTISCALE ? "-" : grid + "x" + grid
                        + " x 2 flips", pct(1 - r.top1()), pct(1 - r.top5()), String.valueOf(r.examples())));
                    labels.add(method);
                    e1.add(100 * (1 - r.top1()));
                    e5.add(100 * (1 - r.top5()));
                }
                ExperimentCommand.write(this.out, "Evaluation: dense against multi-crop against their fusion",
                    "Model: " + model + " (" + l.model().describe() + "); test set " + test.source() + ".",
                    List.of("evaluation method", "test scales (Q)", "crops", "top-1 error (%)", "top-5 error (%)",
                        "images"), rows, labels, e1, e5);
            }
            out.println("experiment eval: " + this.out.resolve("table.md") + ", results.csv, chart.png");
            out.flush();
            return 0;
        }
    }
}
