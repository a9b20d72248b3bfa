package org.vgg4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.cli.Main;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.SafeTensors;

/** vgg4j-spark train embedded (Spark in this JVM, local[2]): the same model as vgg4j train alone. */
class SparkTrainTest {
    @TempDir
    static Path dir;
    static Path data;

    /** A tiny IDX data set in Fashion-MNIST's file layout: 10 classes, 28x28, one bright row per class. */
    static void writeIdx(Path d, String prefix, int n, long seed) throws Exception {
        SplittableRandom r = new SplittableRandom(seed);
        ByteBuffer img = ByteBuffer.allocate(16 + n * 784).putInt(0x803).putInt(n).putInt(28).putInt(28);
        ByteBuffer lab = ByteBuffer.allocate(8 + n).putInt(0x801).putInt(n);
        for (int i = 0; i < n; i++) {
            int c = i % 10;
            lab.put((byte) c);
            for (int p = 0; p < 784; p++) {
                img.put((byte) ((p / 28 == 2 + 2 * c ? 220 : 0) + r.nextInt(30)));
            }
        }
        Files.write(d.resolve(prefix + "-images-idx3-ubyte"), img.array());
        Files.write(d.resolve(prefix + "-labels-idx1-ubyte"), lab.array());
    }

    @BeforeAll
    static void data() throws Exception {
        data = Files.createDirectories(dir.resolve("data"));
        writeIdx(data, "train", 80, 1);
        writeIdx(data, "t10k", 20, 2);
    }

    static String[] trainArgs(Path out) {
        return new String[] {"--data", data.toString(), "--epochs", "2", "--batch", "16", "--width-divisor", "32",
            "--fc", "16", "--val-split", "16", "--out", out.toString()};
    }

    record Run(int code, String err) {}

    static Run spark(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int code = SparkTrain.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        return new Run(code, bytes.toString(StandardCharsets.UTF_8));
    }

    /** ||a - b|| / ||a|| over every tensor: the relative difference of two sets of weights. */
    static double relativeDifference(Map<String, HostTensor> a, Map<String, HostTensor> b) {
        double diff = 0;
        double norm = 0;
        for (var e : a.entrySet()) {
            float[] x = e.getValue().data();
            float[] y = b.get(e.getKey()).data();
            for (int i = 0; i < x.length; i++) {
                diff += (double) (x[i] - y[i]) * (x[i] - y[i]);
                norm += (double) x[i] * x[i];
            }
        }
        return Math.sqrt(diff / norm);
    }

    @Test
    void twoSparkWorkersTrainTheModelOfOneProcess() throws Exception {
        Path alone = dir.resolve("alone");
        String[] a = trainArgs(alone);
        String[] withCommand = new String[a.length + 1];
        withCommand[0] = "train";
        System.arraycopy(a, 0, withCommand, 1, a.length);
        assertEquals(0, Main.commandLine().execute(withCommand));

        Path out = dir.resolve("spark");
        String[] s = new String[a.length + 5];
        s[0] = "train";
        s[1] = "--master";
        s[2] = "local[2]";
        s[3] = "--workers";
        s[4] = "2";
        System.arraycopy(trainArgs(out), 0, s, 5, a.length);
        Run r = spark(s);
        assertEquals(0, r.code(), r.err());
        assertTrue(r.err().contains("vgg4j-spark: 2 workers on local[2]"), r.err());
        assertTrue(r.err().contains("worker 0 of 2"), "rank 0's log reaches the driver: " + r.err());
        assertTrue(r.err().contains("epoch 2/2: train loss"), r.err());
        for (String f : new String[] {"model.safetensors", "best.safetensors", "checkpoint.safetensors", "metrics.csv",
            "test.csv", "curves.png"}) {
            assertTrue(Files.exists(out.resolve(f)), f);
        }
        double rel = relativeDifference(SafeTensors.read(alone.resolve("model.safetensors")).tensors(),
            SafeTensors.read(out.resolve("model.safetensors")).tensors());
        System.out.printf("%s: relative difference %.3g%n", getClass().getSimpleName(), rel);
        assertTrue(rel < 1e-5, "2 Spark workers x 8 against vgg4j train x 16: relative difference " + rel);

        // the run is there: a second start needs --resume or --overwrite (a usage error, before Spark starts)
        Run again = spark(s);
        assertEquals(2, again.code(), again.err());
        assertTrue(again.err().contains("already holds a run"), again.err());
    }

    @Test
    void tooFewSlotsAndUnreadableDataAreOneClearErrorWithoutRestarts() {
        Run r = spark("train", "--master", "local[2]", "--workers", "3", "--data", data.toString(), "--out",
            dir.resolve("slots").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("vgg4j-spark train: local[2] has fewer free task slots than --workers 3"), r.err());
        r = spark("train", "--master", "local[2]", "--workers", "2", "--data", dir.resolve("nowhere").toString(),
            "--out", dir.resolve("nodata").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().lines().anyMatch(l -> l.startsWith("vgg4j-spark train: worker ") && l.endsWith(": not found")),
            r.err());
        assertTrue(!r.err().contains("restarting"), "a worker's own refusal is not retried: " + r.err());
        long t0 = System.nanoTime();
        r = spark("train", "--master", "spark://127.0.0.1:1", "--workers", "2", "--timeout", "3", "--data",
            data.toString(), "--out", dir.resolve("nomaster").toString());
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().startsWith("vgg4j-spark train: cannot reach the Spark master at 127.0.0.1:1 ("), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue((System.nanoTime() - t0) / 1e9 < 30, "no hang");
    }

    @Test
    void badSettingsAreUsageErrors() {
        assertEquals(2, spark("fit").code());
        assertEquals(2, spark("train", "--workers", "0").code());
        assertEquals(2, spark("train", "--workers", "two").code());
        assertEquals(2, spark("train", "--epochs", "0").code());
        assertEquals(0, spark("train", "--help").code());
    }
}
