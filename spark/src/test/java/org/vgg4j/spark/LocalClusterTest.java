package org.vgg4j.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.cli.Main;
import org.vgg4j.nn.io.SafeTensors;

/**
 * The one test on a real cluster on this machine: {@code local-cluster[2,1,1024]}, a standalone
 * master and worker in this JVM that start two executor JVMs (from target/spark-home, which the
 * build assembles). One executor is killed (SIGKILL) after the first checkpoint; the driver
 * restarts the job from it, and the run must end at the weights of {@code vgg4j train} in one
 * process with the whole batch: 2 workers x 64 against 1 x 128, through a kill.
 */
class LocalClusterTest {
    @TempDir
    Path dir;

    @Test
    void twoExecutorJvmsOneKilledMidRunEndAtTheWeightsOfOneProcessWithTheWholeBatch() throws Exception {
        Path data = Files.createDirectories(dir.resolve("data"));
        SparkTrainTest.writeIdx(data, "train", 288, 1);
        SparkTrainTest.writeIdx(data, "t10k", 20, 2);
        // 256 training examples, batch 128: 2 steps an epoch, 4 steps, a checkpoint after each
        List<String> common = List.of("--data", data.toString(), "--epochs", "2", "--batch", "128", "--width-divisor",
            "8", "--fc", "32", "--val-split", "32", "--checkpoint-every", "1", "--lr", "0.005");
        List<String> alone = new ArrayList<>(List.of("train", "--out", dir.resolve("alone").toString()));
        alone.addAll(common);
        assertEquals(0, Main.commandLine().execute(alone.toArray(new String[0])));

        Path out = dir.resolve("cluster");
        List<String> args = new ArrayList<>(List.of("train", "--master", "local-cluster[2,1,1024]", "--workers", "2",
            "--timeout", "60", "--conf", "spark.executor.extraClassPath=" + System.getProperty("vgg4j.spark.testClasses"),
            "--out", out.toString()));
        args.addAll(common);
        AtomicLong killed = new AtomicLong(-1);
        Thread killer = new Thread(() -> killAnExecutorAfterTheFirstCheckpoint(out, killed));
        killer.setDaemon(true);
        killer.start();
        SparkTrainTest.Run r = SparkTrainTest.spark(args.toArray(new String[0]));
        killer.join(1000);
        assertEquals(0, r.code(), r.err());
        assertTrue(killed.get() > 0, "an executor was killed: " + r.err());
        assertTrue(r.err().contains("attempt 1 failed") && r.err().contains("restarting from the last checkpoint"),
            r.err());
        assertTrue(r.err().contains("resumed from"), "the second attempt resumed: " + r.err());

        // (a) separate executor processes, Vector API on; (c) replicas bit-identical
        Matcher m = Pattern.compile("rank (\\d) \\(pid (\\d+), Vector API (\\w+)\\)").matcher(r.err());
        List<Long> pids = new ArrayList<>();
        while (m.find()) {
            pids.add(Long.parseLong(m.group(2)));
            assertEquals("yes", m.group(3), r.err());
        }
        assertEquals(2, pids.size(), r.err());
        assertNotEquals(pids.get(0), pids.get(1));
        for (long pid : pids) {
            assertNotEquals(ProcessHandle.current().pid(), pid, "executors are not the driver");
            assertNotEquals(killed.get(), pid, "the killed executor was replaced");
        }
        assertTrue(r.err().contains("replicas' weights identical"), r.err());

        // (b, d) the weights of one process with the whole batch, through the kill and the restart
        double rel = SparkTrainTest.relativeDifference(SafeTensors.read(dir.resolve("alone/model.safetensors")).tensors(),
            SafeTensors.read(out.resolve("model.safetensors")).tensors());
        System.out.printf("%s: relative difference %.3g%n", getClass().getSimpleName(), rel);
        assertTrue(rel < 1e-5, "2 executors x 64 (one killed) against one process x 128: relative difference " + rel);
    }

    private static void killAnExecutorAfterTheFirstCheckpoint(Path out, AtomicLong killed) {
        long deadline = System.currentTimeMillis() + 180_000;
        try {
            while (System.currentTimeMillis() < deadline && !Files.exists(out.resolve("checkpoint.safetensors"))) {
                Thread.sleep(20);
            }
            ProcessHandle.current().descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend"))
                .findFirst()
                .ifPresent(p -> {
                    p.destroyForcibly();
                    killed.set(p.pid());
                });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
