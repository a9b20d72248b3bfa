package org.vgg4j.vgg;

import com.google.gson.Gson;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.TrainStep;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.StateDict;
import org.vgg4j.nn.optim.LrSchedule;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.tensor.Backend;
import org.vgg4j.vgg.data.BatchLoader;
import org.vgg4j.vgg.data.Dataset;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Mini-batch SGD as the paper trains (section 3.1), as a plain loop of two functions:
 * {@link #gradients} (batch to accumulated gradients) and {@link #update} (gradients to new
 * weights). Each epoch ends with a validation pass, a metrics line, a schedule step, the model
 * file and a checkpoint; checkpoints also go out every {@code checkpointEvery} steps and when a
 * stop is requested (SIGINT). A NaN or exploding loss stops the run and keeps the last good
 * checkpoint.
 */
public class Trainer implements AutoCloseable {
    public static final String CHECKPOINT = "checkpoint.safetensors";
    public static final String MODEL = "model.safetensors";
    public static final String METRICS = "metrics.csv";
    /** The model of the epoch with the best validation top-1 so far. */
    public static final String BEST = "best.safetensors";
    /** The one evaluation on the test set, of the best model, when a test set is given. */
    public static final String TEST = "test.csv";
    private static final String STATE_KEY = "vgg4j.trainer";

    private final Backend backend;
    private final Network model;
    private final TrainConfig cfg;
    private final Dataset train;
    private final Dataset val;
    private final Preprocess prep;
    private final PrintStream log;
    private final List<Parameter> params;
    private final Sgd sgd;
    private final LrSchedule schedule;
    private final TrainStep step;
    private volatile boolean stopRequested;
    private org.vgg4j.vgg.data.ExampleTransform trainTransform;
    private TrainerState state;
    /** A periodic checkpoint that is due, to be written once the next loss is checked. */
    private TrainerState pending;
    private int lastCorrect;
    private org.vgg4j.nn.dist.Collective group = org.vgg4j.nn.dist.Collective.SINGLE;
    private float[] stateBuffer; // batch norm's statistics on their way from rank 0, every step

    /** How a run ended. */
    public enum Outcome { FINISHED, STOPPED }

    public Trainer(Backend backend, Network model, TrainConfig cfg, Dataset train, Dataset val, Preprocess prep,
                   PrintStream log) {
        this.backend = backend;
        this.model = model;
        this.cfg = cfg;
        this.train = train;
        this.val = val;
        this.prep = prep;
        this.log = log;
        this.params = model.parameters();
        this.sgd = new Sgd(cfg.learningRate(), cfg.momentum(), cfg.weightDecay(), false, false);
        this.schedule = switch (cfg.schedule()) {
            case PLATEAU -> LrSchedule.plateau(0.1f, cfg.patience(), cfg.minLearningRate());
            case STEP -> LrSchedule.step(cfg.learningRate(), cfg.stepEpochs(), 0.1f);
            case COSINE -> LrSchedule.cosine(cfg.learningRate(), cfg.minLearningRate(), cfg.epochs());
            case CONSTANT -> LrSchedule.constant();
        };
        if (train.size() == 0 || val.size() == 0) {
            throw new IllegalArgumentException("no " + (train.size() == 0 ? "training" : "validation") + " images in "
                + (train.size() == 0 ? train : val).source() + (train.size() == 0 ? "" : "; give --val-split or --val-data"));
        }
        this.step = new TrainStep(backend, model, sgd, cfg.microBatch());
        this.state = new TrainerState(0, 0, 0, cfg.learningRate(), schedule.state(), new long[model.dropouts().size()],
            0, Double.NaN, cfg.seed(), 0, cfg.batchSize(), cfg.learningRate());
    }

    public TrainerState state() { return state; }

    /**
     * Uses another transform for training batches (e.g. the paper's scale jittering and colour
     * shift); its output size must be the model's input. Validation keeps the preprocessing.
     */
    public void setTrainTransform(org.vgg4j.vgg.data.ExampleTransform t) {
        if (t.size() != prep.size()) {
            throw new IllegalArgumentException("training transform makes " + t.size() + "x" + t.size()
                + " inputs, the model takes " + prep.size());
        }
        this.trainTransform = t;
    }

    /**
     * Label smoothing of the training loss (0, the default: plain cross-entropy); validation and
     * test losses stay plain cross-entropy, comparable between runs.
     */
    public void setLabelSmoothing(float e) {
        step.setLabelSmoothing(e);
    }

    private java.util.function.Consumer<Boolean> onStart;

    /**
     * Called on the writing worker once {@link #run} has restored the checkpoint (true) or started
     * afresh (false), before the first step: where a caller records what started the run.
     */
    public void setOnStart(java.util.function.Consumer<Boolean> onStart) {
        this.onStart = onStart;
    }

    /** Asks the loop to save a checkpoint and return at the next step boundary (thread-safe). */
    public void requestStop() {
        stopRequested = true;
    }

    /**
     * Whether the next batch is sent to the device while the current one computes, on backends
     * that overlap uploads ({@code -Dvgg4j.train.prefetch=false}: uploaded when its step starts).
     */
    private final boolean prefetch = !"false".equals(System.getProperty("vgg4j.train.prefetch"));

    /** Training examples of the last {@link #gradients} batch whose top-1 class was right (dropout on). */
    public int lastCorrect() {
        return lastCorrect;
    }

    /** Step 1: forward and backward over the batch in micro-batches; returns the mean loss. */
    public double gradients(BatchLoader.Batch b) {
        double l = step.gradients(b.images(), b.labels(), b.n(), train.channels(), prep.size(), prep.size());
        lastCorrect = step.lastCorrect();
        return l;
    }

    /** Step 1 of a data-parallel worker: its slice's gradients, summed over the group while backward runs. */
    private double gradientsReduced(BatchLoader.Batch b) throws IOException {
        double l = step.gradientsReduced(b.images(), b.labels(), b.n(), b.globalN(), train.channels(), prep.size(),
            prep.size());
        lastCorrect = step.lastCorrect();
        return l;
    }

    /** Step 2: one SGD update from the accumulated gradients, which are then cleared. */
    public void update() {
        step.update();
    }

    /**
     * Makes this trainer one of {@code group.size()} data-parallel workers (call before {@link #run}).
     * Every worker builds the same model from the same seed and walks the same global batches (of
     * {@code --batch}), computing the gradients of its slice; one all-reduce a step sums them, scaled
     * so that the update is the one a single worker would make for the whole batch, together with
     * the loss, the correct count and any stop request, so that every worker takes the same
     * decisions. Batch norm's running statistics are rank 0's (broadcast after each step, as
     * PyTorch's DDP does); validation is sharded and its sums reduced. Only rank 0 writes files;
     * on resume every worker reads the checkpoint, so the output folder must be one they all see.
     */
    public void setCollective(org.vgg4j.nn.dist.Collective group) {
        this.group = group;
        step.setCollective(group);
    }

    private boolean writer() {
        return group.rank() == 0;
    }

    /** The training step this trainer runs (for data-parallel workers: its flat gradients). */
    public TrainStep step() {
        return step;
    }

    /** Runs (or resumes) training to the configured number of epochs. */
    public Outcome run(boolean resume) throws IOException, InterruptedException {
        if (writer()) {
            Files.createDirectories(cfg.outDir());
            removeStaleTemporaries();
        }
        Path ckpt = cfg.outDir().resolve(CHECKPOINT);
        boolean resumed = resume && agreeOnCheckpoint(ckpt);
        if (resumed) {
            restore(ckpt);
            if (writer()) {
                trimMetrics(state.epoch());
            }
            log.printf(Locale.ROOT, "resumed from %s at epoch %d, step %d%n", ckpt, state.epoch() + 1, state.step());
        } else {
            Sgd.zeroGrad(params);
            if (writer()) {
                writeMetricsHeader();
            }
        }
        if (onStart != null && writer()) {
            onStart.accept(resumed);
        }
        try (BatchLoader loader = new BatchLoader(train, trainTransform != null ? trainTransform : prep, cfg.batchSize(),
                 cfg.seed(), true, group.rank(), group.size())) {
            int perEpoch = loader.batchesPerEpoch();
            while (state.epoch() < cfg.epochs()) {
                int epoch = state.epoch();
                sgd.setLearningRate(state.learningRate());
                long t0 = System.nanoTime();
                double lossSum = 0;
                int seen = 0;
                BatchLoader.Epoch batches = loader.epoch(epoch, state.step());
                Progress progress = new Progress(log, epoch, cfg.epochs(), perEpoch, state.step());
                BatchLoader.Batch next = batches.hasNext() ? batches.next() : null;
                while (next != null) {
                    BatchLoader.Batch b = next;
                    next = batches.hasNext() ? batches.next() : null;
                    if (next != null && prefetch && group.size() == 1 && step.prefetches(next.n())) {
                        // the next batch travels to the device while this one computes
                        step.prefetch(next.images(), next.labels(), next.n(), train.channels(), prep.size(), prep.size());
                    }
                    for (org.vgg4j.nn.layers.Dropout d : model.dropouts()) {
                        d.setExampleOffset(b.first());
                    }
                    double l = group.size() > 1 ? gradientsReduced(b) : gradients(b);
                    int n = b.globalN();
                    loader.recycle(b);
                    if (group.size() > 1) {
                        l = reduce(b.n(), n, l);
                    }
                    checkLoss(l, epoch, ckpt);
                    if (pending != null) {
                        // the weights of the last update have now given a finite loss: they are good
                        saveCheckpoint(ckpt, pending);
                        pending = null;
                    }
                    update();
                    if (group.size() > 1) {
                        broadcastState();
                    }
                    lossSum += l * n;
                    seen += n;
                    advance(epoch, state.step() + 1, l);
                    progress.step(l, lastCorrect, n, state.learningRate());
                    boolean periodic = cfg.checkpointEvery() > 0 && state.globalStep() % cfg.checkpointEvery() == 0;
                    if (periodic && !stopRequested) {
                        pending = state; // written once the next loss vouches for these weights
                    }
                    if (stopRequested) {
                        step.dropPrefetched();
                        saveCheckpoint(ckpt);
                        log.printf(Locale.ROOT, "%nstopped: checkpoint saved to %s (resume with --resume)%n", ckpt);
                        return Outcome.STOPPED;
                    }
                }
                progress.done();
                pending = null; // the end-of-epoch checkpoint below supersedes it
                Evaluator.Result r = validate();
                if (!Double.isFinite(r.loss())) {
                    throw new TrainingDivergedException(String.format(Locale.ROOT, "validation loss %s after epoch %d: "
                        + "training diverged; try a smaller learning rate. The last good checkpoint is %s", r.loss(),
                        epoch + 1, Files.exists(ckpt) ? ckpt.toString() : "(none yet)"));
                }
                double seconds = (System.nanoTime() - t0) / 1e9;
                float nextLr = schedule.next(epoch + 1, state.learningRate(), r.top1());
                boolean improved = state.bestEpoch() == 0 || r.top1() > state.bestTop1();
                log.printf(Locale.ROOT, "epoch %d/%d: train loss %.4f, val loss %.4f, top-1 %.2f%%, top-5 %.2f%%, "
                    + "lr %.3g, %.0f s%n", epoch + 1, cfg.epochs(), seen == 0 ? Double.NaN : lossSum / seen, r.loss(),
                    100 * r.top1(), 100 * r.top5(), state.learningRate(), seconds);
                if (writer()) {
                    appendMetrics(epoch + 1, seen == 0 ? Double.NaN : lossSum / seen, r, seconds);
                }
                state = new TrainerState(epoch + 1, 0, state.globalStep(), nextLr, schedule.state(), dropoutCalls(),
                    Math.max(state.bestTop1(), r.top1()), state.referenceLoss(), state.seed(),
                    improved ? epoch + 1 : state.bestEpoch(), state.batchSize(), state.initialLearningRate());
                if (writer()) {
                    ModelFile.save(cfg.outDir().resolve(MODEL), model, info());
                    if (improved) {
                        ModelFile.save(cfg.outDir().resolve(BEST), model, info());
                    }
                }
                saveCheckpoint(ckpt);
            }
        }
        return Outcome.FINISHED;
    }

    /**
     * Deletes what an interrupted write left: {@code checkpoint.safetensors.*.tmp} and the like
     * (a write is a temporary file renamed over the target; kill -9 between the two leaves the
     * temporary, as large as the checkpoint). One trainer owns its output folder.
     */
    private void removeStaleTemporaries() throws IOException {
        try (var files = Files.list(cfg.outDir())) {
            for (Path f : files.toList()) {
                String n = f.getFileName().toString();
                boolean ours = n.startsWith(CHECKPOINT + ".") || n.startsWith(MODEL + ".") || n.startsWith(BEST + ".");
                if (ours && n.endsWith(".tmp") && Files.isRegularFile(f)) {
                    Files.deleteIfExists(f);
                    log.println("vgg4j train: removed " + f + ", left by an interrupted write");
                }
            }
        }
    }

    private ModelFile.Info info() {
        return model.describe(train.classNames(), prep, train.height());
    }

    /**
     * After the last epoch: the model of the best validation epoch ({@link #BEST}) evaluated once
     * on {@code test}, written to {@link #TEST} and logged. The trained model is left as it was
     * after the last epoch.
     */
    public Evaluator.Result testBest(Dataset test) throws IOException, InterruptedException {
        Path best = cfg.outDir().resolve(BEST);
        if (!Files.exists(best)) {
            // a run finished before best models were kept: its last model is the only one there is
            log.println("vgg4j train: " + best + " not found (a run from an older version); testing " + MODEL);
            best = cfg.outDir().resolve(MODEL);
        }
        ModelFile.Loaded l = ModelFile.load(best, backend);
        try (Network m = l.model()) {
            Evaluator.Result r = Evaluator.evaluate(backend, m, test, prep, Math.max(cfg.microBatch(), 100));
            log.printf(Locale.ROOT, "test (%s, %d images) of the best validation epoch %d: loss %.4f, top-1 %.2f%%, "
                + "top-5 %.2f%%%n", test.source(), r.examples(), state.bestEpoch(), r.loss(), 100 * r.top1(),
                100 * r.top5());
            Files.writeString(cfg.outDir().resolve(TEST), String.format(Locale.ROOT,
                "model,epoch,test_examples,test_loss,test_top1,test_top5%n%s,%d,%d,%.6f,%.6f,%.6f%n", best.getFileName(),
                state.bestEpoch(), r.examples(), r.loss(), r.top1(), r.top5()));
            return r;
        }
    }

    private void advance(int epoch, int step, double l) {
        double ref = state.referenceLoss();
        if (Double.isNaN(ref) && state.globalStep() >= 0) {
            ref = l; // the first loss: the scale against which "exploding" is judged
        }
        state = new TrainerState(epoch, step, state.globalStep() + 1, state.learningRate(), schedule.state(),
            dropoutCalls(), state.bestTop1(), ref, state.seed(), state.bestEpoch(), state.batchSize(),
            state.initialLearningRate());
    }

    private void checkLoss(double l, int epoch, Path ckpt) {
        double ref = state.referenceLoss();
        boolean exploded = !Double.isNaN(ref) && l > cfg.maxLossRatio() * Math.max(ref, 1e-3);
        if (!Double.isFinite(l) || exploded) {
            step.dropPrefetched();
            throw new TrainingDivergedException(String.format(Locale.ROOT,
                "loss %s at epoch %d, step %d (first loss %.4f): training diverged; try a smaller learning rate. "
                    + "The last good checkpoint is %s", Double.isFinite(l) ? String.format(Locale.ROOT, "%.4g", l)
                    : String.valueOf(l), epoch + 1, state.step() + 1, ref,
                Files.exists(ckpt) ? ckpt.toString() : "(none yet)"));
        }
    }

    private long[] dropoutCalls() {
        return model.dropouts().stream().mapToLong(d -> d.calls()).toArray();
    }

    private void saveCheckpoint(Path ckpt) throws IOException {
        saveCheckpoint(ckpt, state);
    }

    /**
     * Weights, running statistics, momentum and {@code s}. A periodic checkpoint is written with
     * the state of the step after whose update it was due, one step late (once the next loss has
     * shown those weights are finite: a checkpoint written straight after an update could hold the
     * weights that diverged). By then that step's forward pass has also moved batch norm's running
     * statistics by one batch; weights, momentum, dropout counters and the data order are exact.
     */
    private void saveCheckpoint(Path ckpt, TrainerState s) throws IOException {
        if (!writer()) {
            return;
        }
        Map<String, String> meta = Map.of(STATE_KEY, new Gson().toJson(s),
            ModelFile.KEY, info().toJson());
        StateDict.saveCheckpoint(ckpt, params, model.state(), meta);
    }

    private void restore(Path ckpt) throws IOException {
        Map<String, String> meta = StateDict.loadCheckpoint(ckpt, params, model.state());
        String json = meta.get(STATE_KEY);
        if (json == null) {
            throw new ModelFileException(ckpt, "no trainer state in the checkpoint");
        }
        TrainerState s = new Gson().fromJson(json, TrainerState.class);
        // a run resumes with the settings it started with: another batch size would skip the rest
        // of the epoch (the step counter counts batches), another learning rate would be ignored
        // (the schedule's state carries the current one); checkpoints from before these were
        // recorded hold 0 and are not checked
        if (s.batchSize() > 0 && s.batchSize() != cfg.batchSize()) {
            throw new ResumeMismatchException(ckpt + " was written by a run with --batch " + s.batchSize()
                + "; resume it with --batch " + s.batchSize() + " (or start a new run in another --out)");
        }
        if (s.initialLearningRate() > 0 && s.initialLearningRate() != cfg.learningRate()) {
            throw new ResumeMismatchException(ckpt + " was written by a run with --lr " + s.initialLearningRate()
                + " (now at " + s.learningRate() + "); resume it with --lr " + s.initialLearningRate()
                + " (or start a new run in another --out)");
        }
        if (s.epoch() < 0 || s.step() < 0 || s.globalStep() < 0 || s.dropoutCalls() == null
            || !(s.learningRate() > 0)) {
            throw new ModelFileException(ckpt, "trainer state out of range (epoch " + s.epoch() + ", step " + s.step()
                + ", learning rate " + s.learningRate() + ")");
        }
        if (s.dropoutCalls().length != model.dropouts().size()) {
            throw new ModelFileException(ckpt, "checkpoint of another model (dropout layers differ)");
        }
        for (int i = 0; i < s.dropoutCalls().length; i++) {
            model.dropouts().get(i).setCalls(s.dropoutCalls()[i]);
        }
        schedule.restore(s.schedule());
        Sgd.zeroGrad(params);
        state = s;
    }

    /**
     * The loss, the correct count and the stop requests summed over the workers (their gradients
     * were summed during backward), so that every worker takes the same decisions; returns the
     * global batch's mean loss.
     */
    private double reduce(int local, int global, double localLoss) throws IOException {
        float[] buf = {(float) (localLoss * local / global), lastCorrect, stopRequested ? 1 : 0};
        group.allReduce(buf, 0, 3);
        lastCorrect = Math.round(buf[1]);
        if (buf[2] > 0) {
            stopRequested = true;
        }
        return buf[0];
    }

    /** Batch norm's running statistics (the float state) become rank 0's on every worker. */
    private void broadcastState() throws IOException {
        List<org.vgg4j.nn.State> floats = model.state().stream().filter(t -> !t.isCounter()).toList();
        long total = floats.stream().mapToLong(t -> t.value().size()).sum();
        if (total == 0) {
            return;
        }
        if (stateBuffer == null || stateBuffer.length != total) {
            stateBuffer = new float[(int) total];
        }
        float[] buf = stateBuffer;
        int off = 0;
        for (org.vgg4j.nn.State t : floats) {
            backend.download(t.value(), 0, buf, off, (int) t.value().size());
            off += (int) t.value().size();
        }
        group.broadcast(buf, 0, buf.length, 0);
        off = 0;
        for (org.vgg4j.nn.State t : floats) {
            backend.upload(buf, off, t.value(), 0, (int) t.value().size());
            off += (int) t.value().size();
        }
    }

    /** Validation: each worker evaluates every size()-th example from its rank, the sums are reduced. */
    private Evaluator.Result validate() throws IOException, InterruptedException {
        int batch = Math.max(cfg.microBatch(), 100);
        if (group.size() == 1) {
            return Evaluator.evaluate(backend, model, val, prep, batch);
        }
        java.util.List<Integer> mine = new java.util.ArrayList<>();
        for (int i = group.rank(); i < val.size(); i += group.size()) {
            mine.add(i);
        }
        float[] sums = new float[4];
        long t0 = System.nanoTime();
        if (!mine.isEmpty()) {
            Dataset shard = new org.vgg4j.vgg.data.Subset(val, mine.stream().mapToInt(Integer::intValue).toArray(),
                val.source() + " (shard " + group.rank() + " of " + group.size() + ")");
            Evaluator.Result r = Evaluator.evaluate(backend, model, shard, prep, batch);
            sums[0] = (float) (r.loss() * r.examples());
            sums[1] = Math.round(r.top1() * r.examples());
            sums[2] = Math.round(r.top5() * r.examples());
            sums[3] = r.examples();
        }
        group.allReduce(sums, 0, 4);
        double n = sums[3];
        return new Evaluator.Result((int) n, sums[0] / n, sums[1] / n, sums[2] / n, (System.nanoTime() - t0) / 1e9);
    }

    /**
     * Whether to resume: rank 0's view of the checkpoint, which every worker must also see (the
     * output folder on a path they all share).
     */
    private boolean agreeOnCheckpoint(Path ckpt) throws IOException {
        boolean here = Files.exists(ckpt);
        if (group.size() == 1) {
            return here;
        }
        float[] seen = {here ? 1 : 0, here ? 0 : 1};
        float[] root = {here ? 1 : 0};
        group.broadcast(root, 0, 1, 0);
        group.allReduce(seen, 0, 2);
        if (root[0] > 0 && !here) {
            throw new ModelFileException(ckpt, "rank 0 resumes from this checkpoint, which worker " + group.rank()
                + " cannot see: --out must be a folder every worker reads (a shared file system)");
        }
        if (root[0] > 0 && seen[1] > 0) {
            throw new ModelFileException(ckpt, "not visible to every worker (" + (int) seen[1] + " of " + group.size()
                + " cannot see it): --out must be a folder every worker reads (a shared file system)");
        }
        return root[0] > 0;
    }

    private void writeMetricsHeader() throws IOException {
        Files.writeString(cfg.outDir().resolve(METRICS),
            "epoch,train_loss,val_loss,val_top1,val_top5,learning_rate,seconds\n");
    }

    /**
     * Keeps the header and the lines of the first {@code epochs} epochs: a run killed after an
     * epoch's line was written but before its checkpoint repeats that epoch when it resumes, and
     * must not list it twice.
     */
    private void trimMetrics(int epochs) throws IOException {
        Path f = cfg.outDir().resolve(METRICS);
        if (!Files.exists(f)) {
            writeMetricsHeader();
            return;
        }
        List<String> lines = Files.readAllLines(f);
        List<String> keep = new java.util.ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String l = lines.get(i);
            int comma = l.indexOf(',');
            if (i == 0 || (comma > 0 && l.substring(0, comma).matches("\\d{1,9}")
                && Integer.parseInt(l.substring(0, comma)) <= epochs)) {
                keep.add(l);
            }
        }
        if (keep.size() != lines.size()) {
            Path tmp = org.vgg4j.nn.io.AtomicFiles.temporary(cfg.outDir(), METRICS + ".");
            Files.write(tmp, keep);
            Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        }
    }

    private void appendMetrics(int epoch, double trainLoss, Evaluator.Result r, double seconds) throws IOException {
        Files.writeString(cfg.outDir().resolve(METRICS), String.format(Locale.ROOT, "%d,%.6f,%.6f,%.6f,%.6f,%.6g,%.1f%n",
            epoch, trainLoss, r.loss(), r.top1(), r.top5(), state.learningRate(), seconds),
            StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    @Override
    public void close() {
        step.close();
    }

    /** A checkpoint asked to resume under settings other than its own (a usage error). */
    public static final class ResumeMismatchException extends IllegalArgumentException {
        public ResumeMismatchException(String message) {
            super(message);
        }
    }

    /** The loss became NaN or exploded; the message says where and which checkpoint to go back to. */
    public static final class TrainingDivergedException extends RuntimeException {
        public TrainingDivergedException(String message) {
            super(message);
        }
    }
}
