package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.data.InMemoryDataset;
import org.vgg4j.vgg.data.Preprocess;

/** The trainer on a tiny model and synthetic data: learning, exact resume, divergence. */
class TrainerTest {
    @TempDir
    Path dir;

    /** 3 classes of 1x28x28 images: a bright horizontal, vertical or diagonal stroke plus noise. */
    static InMemoryDataset strokes(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        byte[] px = new byte[n * 784];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(3);
            labels[i] = c;
            int at = 6 + r.nextInt(16);
            for (int p = 0; p < 784; p++) {
                int h = p / 28;
                int w = p % 28;
                boolean on = c == 0 ? Math.abs(h - at) <= 1 : c == 1 ? Math.abs(w - at) <= 1 : Math.abs(h - w) <= 1;
                px[i * 784 + p] = (byte) Math.min(255, (on ? 200 : 0) + r.nextInt(40));
            }
        }
        return new InMemoryDataset(px, labels, 1, 28, 28, List.of("h", "v", "d"), "strokes");
    }

    static final ModelSpec TINY = new ModelSpec(VggConfig.A, 1, 32, 3, 16, 32, 0.5f);

    /** Trains, and returns the per-step losses the trainer logs through gradients(). */
    static List<Double> run(Path out, int epochs, boolean resume, int stopAfterSteps) throws Exception {
        CpuBackend cpu = new CpuBackend();
        InMemoryDataset train = strokes(96, 1);
        InMemoryDataset val = strokes(48, 2);
        Preprocess prep = new Preprocess(32, 2, true, new float[] {0.2f}, new float[] {0.3f});
        TrainConfig cfg = new TrainConfig(epochs, 16, 8, 0.02f, 0.9f, 5e-4f, TrainConfig.Schedule.COSINE, 2, 10,
            1e-5f, 7, 0, out, 20.0);
        List<Double> losses = new ArrayList<>();
        try (VggModel m = VggModel.build(cpu, TINY, 7).initialise(VggModel.InitScheme.HE, 7);
             Trainer t = new RecordingTrainer(cpu, m, cfg, train, val, prep, losses, stopAfterSteps)) {
            t.run(resume);
        }
        return losses;
    }

    /** Records losses by wrapping the log: the trainer's progress is not parsed, gradients() is. */
    static final class RecordingTrainer extends TrainerProbe {
        RecordingTrainer(CpuBackend cpu, VggModel m, TrainConfig cfg, InMemoryDataset train, InMemoryDataset val,
                         Preprocess prep, List<Double> losses, int stopAfter) {
            super(cpu, m, cfg, train, val, prep, losses, stopAfter);
        }
    }

    /**
     * On OpenCL the trainer sends each next batch to the device while the current one computes
     * (a second queue): the losses are those of batches uploaded when their step starts, bit for bit.
     */
    @Test
    void batchesSentAheadOnOpenClGiveTheSameLosses() throws Exception {
        org.vgg4j.tensor.BackendProvider cl = org.vgg4j.tensor.Backends.providers().stream()
            .filter(p -> p.scheme().equals("cl")).findFirst().orElse(null);
        if (org.vgg4j.kernelscl.ClDevices.required()) {
            assertTrue(cl != null && cl.isAvailable(), "VGG4J_REQUIRE_OPENCL is set but there is no OpenCL device");
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(cl != null && cl.isAvailable(), "no OpenCL device");
        List<List<Double>> runs = new ArrayList<>();
        long[] ahead = new long[2];
        for (String prefetch : new String[] {"true", "false"}) {
            System.setProperty("vgg4j.train.prefetch", prefetch);
            try (org.vgg4j.kernelscl.ClBackend b = (org.vgg4j.kernelscl.ClBackend) cl.open("cl")) {
                InMemoryDataset train = strokes(96, 1);
                InMemoryDataset val = strokes(48, 2);
                Preprocess prep = new Preprocess(32, 2, true, new float[] {0.2f}, new float[] {0.3f});
                TrainConfig cfg = new TrainConfig(1, 16, 16, 0.02f, 0.9f, 5e-4f, TrainConfig.Schedule.COSINE, 2, 10,
                    1e-5f, 7, 0, dir.resolve("cl-" + prefetch), 20.0);
                List<Double> losses = new ArrayList<>();
                try (VggModel m = VggModel.build(b, TINY, 7).initialise(VggModel.InitScheme.HE, 7);
                     Trainer t = new TrainerProbe(b, m, cfg, train, val, prep, losses, -1)) {
                    t.run(false);
                }
                runs.add(losses);
                ahead[runs.size() - 1] = b.aheadUploads();
            } finally {
                System.clearProperty("vgg4j.train.prefetch");
            }
        }
        assertEquals(6, runs.get(0).size());
        assertEquals(runs.get(1), runs.get(0), "sent ahead or not, the same losses bit for bit");
        assertEquals(2 * 5, ahead[0], "every batch but the first sent ahead (images and labels)");
        assertEquals(0, ahead[1]);
    }

    @Test
    void resumeFromAMidRunCheckpointGivesTheSameLosses() throws Exception {
        List<Double> straight = run(dir.resolve("a"), 2, false, -1);
        List<Double> first = run(dir.resolve("b"), 2, false, 9); // stops (as on SIGINT) after step 9 of 12
        List<Double> rest = run(dir.resolve("b"), 2, true, -1);
        assertEquals(9, first.size());
        List<Double> joined = new ArrayList<>(first);
        joined.addAll(rest);
        assertEquals(straight, joined, "losses after resuming equal the uninterrupted run's, bit for bit");
        assertTrue(Files.readString(dir.resolve("a/metrics.csv")).lines().count() == 3, "header + 2 epochs");
        assertTrue(Files.exists(dir.resolve("a/model.safetensors")));
    }

    /** {@link #resumeFromAMidRunCheckpointGivesTheSameLosses} for a network with batch norm and shortcuts. */
    @Test
    void aResNetResumesFromAMidRunCheckpointWithTheSameLosses() throws Exception {
        List<Double> straight = runResNet(dir.resolve("ra"), false, -1);
        List<Double> first = runResNet(dir.resolve("rb"), false, 4);
        List<Double> rest = runResNet(dir.resolve("rb"), true, -1);
        List<Double> joined = new ArrayList<>(first);
        joined.addAll(rest);
        assertEquals(straight, joined, "losses after resuming equal the uninterrupted run's, bit for bit");
    }

    static List<Double> runResNet(Path out, boolean resume, int stopAfterSteps) throws Exception {
        CpuBackend cpu = new CpuBackend();
        InMemoryDataset train = strokes(48, 1);
        InMemoryDataset val = strokes(16, 2);
        Preprocess prep = new Preprocess(28, 2, true, new float[] {0.2f}, new float[] {0.3f});
        TrainConfig cfg = new TrainConfig(1, 8, 8, 0.05f, 0.9f, 5e-4f, TrainConfig.Schedule.COSINE, 2, 10,
            1e-5f, 7, 0, out, 20.0);
        List<Double> losses = new ArrayList<>();
        try (ResNetModel m = ResNetModel.build(cpu, "resnet18-cifar", 1, 28, 3).initialise(7);
             Trainer t = new TrainerProbe(cpu, m, cfg, train, val, prep, losses, stopAfterSteps)) {
            t.run(resume);
        }
        return losses;
    }

    /**
     * A run killed after an epoch's metrics line was written but before that epoch's checkpoint
     * (found by ExperimentTest's kill): on resume the epoch runs again and is listed once.
     */
    @Test
    void resumingAfterAKillBetweenMetricsAndCheckpointListsEachEpochOnce() throws Exception {
        Path out = dir.resolve("metrics-kill");
        run(out, 2, false, 7); // stops one step into epoch 2: epoch 1 listed, a mid-epoch checkpoint
        Path metrics = out.resolve("metrics.csv");
        List<String> before = Files.readAllLines(metrics);
        assertEquals(2, before.size(), before.toString());
        // what a kill leaves: epoch 2's line written, its checkpoint not
        Files.writeString(metrics, "2,9.9,9.9,0.1,0.5,0.01,1.0\n", java.nio.file.StandardOpenOption.APPEND);
        run(out, 2, true, -1);
        List<String> after = Files.readAllLines(metrics);
        assertEquals(3, after.size(), after.toString());
        assertEquals(before, after.subList(0, 2));
        assertTrue(after.get(2).startsWith("2,") && !after.get(2).startsWith("2,9.9,"), after.get(2));
    }

    /**
     * Issue 13, item 6: kill -9 between writing a checkpoint's temporary file and renaming it left
     * {@code checkpoint.safetensors.*.tmp} behind, 1.1 GB each for VGG-16. The next run removes them.
     */
    @Test
    void temporariesOfInterruptedWritesAreRemoved() throws Exception {
        Path out = java.nio.file.Files.createDirectories(dir.resolve("tmp-left"));
        Path stale = java.nio.file.Files.write(out.resolve("checkpoint.safetensors.123456.tmp"), new byte[1000]);
        Path model = java.nio.file.Files.write(out.resolve("model.safetensors.99.tmp"), new byte[10]);
        Path other = java.nio.file.Files.write(out.resolve("notes.tmp"), new byte[10]);
        run(out, 1, false, 2);
        assertTrue(!java.nio.file.Files.exists(stale) && !java.nio.file.Files.exists(model));
        assertTrue(java.nio.file.Files.exists(other), "files that are not ours stay");
    }

    @Test
    void trainingLowersTheLoss() throws Exception {
        List<Double> l = run(dir.resolve("c"), 12, false, -1);
        double first = (l.get(0) + l.get(1) + l.get(2)) / 3;
        double last = (l.get(l.size() - 1) + l.get(l.size() - 2) + l.get(l.size() - 3)) / 3;
        assertTrue(last < 0.6 * first, "loss " + first + " -> " + last);
    }

    @Test
    void progressReportsTheTrainingAccuracyOfEachEpoch() throws Exception {
        CpuBackend cpu = new CpuBackend();
        InMemoryDataset train = strokes(96, 1);
        Preprocess prep = new Preprocess(32, 2, true, new float[] {0.2f}, new float[] {0.3f});
        TrainConfig cfg = new TrainConfig(12, 16, 8, 0.02f, 0.9f, 5e-4f, TrainConfig.Schedule.COSINE, 2, 10,
            1e-5f, 7, 0, dir.resolve("acc"), 20.0);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        try (VggModel m = VggModel.build(cpu, TINY, 7).initialise(VggModel.InitScheme.HE, 7);
             Trainer t = new Trainer(cpu, m, cfg, train, strokes(48, 2), prep,
                 new PrintStream(log, true, StandardCharsets.UTF_8))) {
            t.run(false);
        }
        List<Double> acc = new ArrayList<>();
        java.util.regex.Matcher mt = java.util.regex.Pattern.compile("6/6 loss \\S+ acc (\\d+\\.\\d+)%")
            .matcher(log.toString(StandardCharsets.UTF_8));
        while (mt.find()) {
            acc.add(Double.parseDouble(mt.group(1)));
        }
        assertEquals(12, acc.size(), "one end-of-epoch progress line per epoch:\n" + log);
        assertTrue(acc.get(0) < 60, "3 balanced classes start near chance: " + acc);
        assertTrue(acc.get(11) > 60 && acc.get(11) > acc.get(0) + 20, "accuracy rises as the strokes are learnt (dropout 0.5 on): " + acc);
    }

    @Test
    void nanLossStopsWithAClearMessageAndKeepsTheCheckpoint() throws Exception {
        // issue 13, item 4: with a checkpoint every step, the one written right after the update
        // that diverged held the diverged weights, and the message called it the last good one
        for (float lr : new float[] {1e6f, 3f}) {
            Path out = dir.resolve("nan" + lr);
            CpuBackend cpu = new CpuBackend();
            InMemoryDataset train = strokes(64, 1);
            Preprocess prep = new Preprocess(32, 0, false, new float[] {0.2f}, new float[] {0.3f});
            TrainConfig cfg = new TrainConfig(3, 16, 16, lr, 0.9f, 0f, TrainConfig.Schedule.CONSTANT, 2, 10, 1e-5f, 7,
                1, out, 20.0);
            ByteArrayOutputStream log = new ByteArrayOutputStream();
            String message;
            try (VggModel m = VggModel.build(cpu, TINY, 7).initialise(VggModel.InitScheme.HE, 7);
                 Trainer t = new Trainer(cpu, m, cfg, train, train, prep, new PrintStream(log, true, StandardCharsets.UTF_8))) {
                var e = assertThrows(Trainer.TrainingDivergedException.class, () -> t.run(false));
                message = e.getMessage();
                assertTrue(message.contains("training diverged"), message);
            }
            Path ckpt = out.resolve("checkpoint.safetensors");
            if (!Files.exists(ckpt)) {
                assertTrue(message.contains("(none yet)"), message);
                continue;
            }
            assertTrue(message.contains(ckpt.toString()), message);
            // the checkpoint named good is: its weights give a finite loss on the training data
            try (VggModel m = VggModel.build(cpu, TINY, 7);
                 org.vgg4j.nn.SoftmaxCrossEntropy sm = new org.vgg4j.nn.SoftmaxCrossEntropy(cpu)) {
                org.vgg4j.nn.io.StateDict.loadCheckpoint(ckpt, m.parameters(), m.state());
                Evaluator.Result r = Evaluator.evaluate(cpu, m, train, prep, 16);
                assertTrue(Double.isFinite(r.loss()) && r.loss() < 100, lr + ": checkpoint loss " + r.loss());
            }
        }
    }
}
