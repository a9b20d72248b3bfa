package org.vgg4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.dist.Collective;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.TrainConfig;
import org.vgg4j.vgg.Trainer;
import org.vgg4j.vgg.VggConfig;
import org.vgg4j.vgg.VggModel;
import org.vgg4j.vgg.data.InMemoryDataset;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Data-parallel training without Spark: workers as threads joined by a {@link Ring} on loopback.
 * N workers x b must train the same weights as one worker x N*b (dropout, augmentation, momentum
 * and weight decay included), and the replicas must stay bit-identical.
 */
class DataParallelTest {
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

    static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

    /** Trains on one worker of the group; returns its weights, flat. */
    static float[] train(Collective group, Path out, int globalBatch, boolean batchNorm) throws Exception {
        CpuBackend cpu = new CpuBackend();
        ModelSpec spec = new ModelSpec(VggConfig.A, 1, 32, 3, 16, 32, 0.5f, batchNorm);
        Preprocess prep = new Preprocess(32, 2, true, new float[] {0.2f}, new float[] {0.3f});
        TrainConfig cfg = new TrainConfig(2, globalBatch, globalBatch, 0.02f, 0.9f, 5e-4f,
            TrainConfig.Schedule.COSINE, 2, 10, 1e-5f, 7, 0, out, 20.0);
        try (VggModel m = VggModel.build(cpu, spec, 7).initialise(VggModel.InitScheme.HE, 7);
             Trainer t = new Trainer(cpu, m, cfg, strokes(96, 1), strokes(40, 2), prep,
                 group.rank() == 0 ? QUIET : QUIET)) {
            t.setCollective(group);
            t.run(false);
            long total = m.parameters().stream().mapToLong(Parameter::size).sum();
            float[] w = new float[(int) total];
            int off = 0;
            for (Parameter p : m.parameters()) {
                cpu.download(p.value(), 0, w, off, (int) p.size());
                off += (int) p.size();
            }
            return w;
        }
    }

    static double relativeDifference(float[] a, float[] b) {
        double diff = 0;
        double scale = 0;
        for (int i = 0; i < a.length; i++) {
            diff = Math.max(diff, Math.abs(a[i] - b[i]));
            scale = Math.max(scale, Math.abs(a[i]));
        }
        return diff / scale;
    }

    @Test
    void twoWorkersOfHalfTheBatchTrainTheWeightsOfOneWorkerWithTheWholeBatch() throws Exception {
        float[] one = train(Collective.SINGLE, dir.resolve("one"), 32, false);
        List<float[]> two = RingTest.onRing(2, 60_000, ring -> train(ring, dir.resolve("two"), 32, false));
        assertArrayEquals(two.get(0), two.get(1), "replicas bit-identical");
        double rel = relativeDifference(one, two.get(0));
        System.out.printf("DataParallelTest: relative difference %.3g%n", rel);
        assertTrue(rel < 1e-5, "2 x 16 against 1 x 32: relative difference " + rel);
        // the sum of the weights moved: training happened
        assertTrue(Files.exists(dir.resolve("two").resolve(Trainer.MODEL)), "rank 0 writes the model");
        assertTrue(Files.readString(dir.resolve("two").resolve(Trainer.METRICS)).lines().count() == 3,
            "rank 0 writes one metrics line an epoch");
    }

    @Test
    void withBatchNormTheReplicasStayIdenticalOnRankZerosStatistics() throws Exception {
        List<float[]> three = RingTest.onRing(3, 60_000, ring -> train(ring, dir.resolve("bn"), 33, true));
        assertArrayEquals(three.get(0), three.get(1));
        assertArrayEquals(three.get(0), three.get(2));
    }
}
