package org.vgg4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code vgg4j experiment}: each study end to end on a tiny data set, its files, its table, its resumption. */
class ExperimentTest {
    @TempDir
    Path dir;

    private static final String[] TINY = {"--epochs", "1", "--width-divisor", "64", "--fc", "8", "--batch", "8"};

    private static String[] args(String study, Path out, String... more) {
        List<String> a = new java.util.ArrayList<>(List.of("experiment", study));
        a.addAll(List.of(TINY));
        a.addAll(List.of(more));
        a.addAll(List.of("--out", out.toString()));
        return a.toArray(String[]::new);
    }

    /** A folder of IDX files with this many training and test images. */
    private Path idx(int train, int test) throws Exception {
        Path data = Files.createDirectories(dir.resolve("idx"));
        CliTest.writeIdx(data, "train", train, 1);
        CliTest.writeIdx(data, "t10k", test, 2);
        return data;
    }

    /** The Markdown table's rows (header and separator excluded). */
    private static List<String> rows(Path table) throws Exception {
        return Files.readAllLines(table).stream().filter(l -> l.startsWith("| ")).skip(1).toList();
    }

    @Test
    void depthTrainsEveryConfigurationThenSkipsThemAndResumesAnInterruptedOne() throws Exception {
        Path data = idx(60, 20);
        Path out = dir.resolve("depth");
        CliTest.Run r = CliTest.run(args("depth", out, "--data", data.toString(), "--init-from-a"));
        assertEquals(0, r.code(), r.err());
        assertEquals(6, r.out().lines().filter(l -> l.matches("experiment depth: run \\d/6 .*: trained in .*")).count(),
            r.out());
        assertTrue(r.out().contains("study done in"), r.out());
        List<String> table = rows(out.resolve("table.md"));
        assertEquals(6, table.size(), table.toString());
        for (int i = 0; i < 6; i++) {
            String[] cells = table.get(i).split("\\|");
            assertEquals(new String[] {"A", "A-LRN", "B", "C", "D", "E"}[i], cells[1].strip());
            assertEquals(new String[] {"11", "11", "13", "16", "16", "19"}[i], cells[2].strip());
            double top1Err = Double.parseDouble(cells[5].strip());
            assertTrue(top1Err >= 0 && top1Err <= 100, table.get(i));
        }
        List<String> csv = Files.readAllLines(out.resolve("results.csv"));
        assertEquals("convnet_config,weight_layers,parameters,best_epoch,top_1_error,top_5_error,training_time", csv.get(0));
        assertEquals(7, csv.size());
        assertTrue(javax.imageio.ImageIO.read(out.resolve("chart.png").toFile()).getWidth() == 800);
        // B to E started from A's best model, A-LRN (as deep as A) from scratch
        assertTrue(Files.readString(out.resolve("B/train.log")).contains("initialised from " + out.resolve("A")),
            Files.readString(out.resolve("B/train.log")));
        assertFalse(Files.readString(out.resolve("A-LRN/train.log")).contains("initialised from"));

        // a second invocation trains nothing
        r = CliTest.run(args("depth", out, "--data", data.toString(), "--init-from-a"));
        assertEquals(0, r.code(), r.err());
        assertEquals(6, r.out().lines().filter(l -> l.contains("finished before, skipped")).count(), r.out());
        assertEquals(table, rows(out.resolve("table.md")));

        // E killed after its last epoch's checkpoint, before its test evaluation
        for (String f : new String[] {ExperimentCommand.DONE, "test.csv"}) {
            Files.deleteIfExists(out.resolve("E").resolve(f));
        }
        r = CliTest.run(args("depth", out, "--data", data.toString(), "--init-from-a"));
        assertEquals(0, r.code(), r.err());
        assertEquals(5, r.out().lines().filter(l -> l.contains("finished before, skipped")).count(), r.out());
        assertTrue(r.out().contains("run 6/6 E: trained in"), r.out());
        assertTrue(Files.readString(out.resolve("E/train.log")).contains("resumed from"),
            Files.readString(out.resolve("E/train.log")));
        assertTrue(Files.exists(out.resolve("E").resolve(ExperimentCommand.DONE)));
        assertEquals(6, rows(out.resolve("table.md")).size());
    }

    /**
     * A real kill: the study runs in another JVM, which is killed (SIGKILL, no shutdown hook) once
     * the second run has finished an epoch; the same command then skips the first run, resumes the
     * second from its checkpoint and trains the rest.
     */
    @Test
    void aStudyKilledInTheMiddleOfARunResumesIt() throws Exception {
        Path data = idx(60, 20);
        Path out = dir.resolve("killed");
        List<String> cmd = new java.util.ArrayList<>(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
            System.getProperty("java.class.path"), "org.vgg4j.cli.Main", "experiment", "depth", "--configs", "A,B,C",
            "--data", data.toString(), "--epochs", "40", "--width-divisor", "64", "--fc", "8", "--batch", "8",
            "--out", out.toString()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("first.log").toFile())
            .start();
        Path bMetrics = out.resolve("B").resolve("metrics.csv");
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (p.isAlive() && System.nanoTime() < deadline
            && !(Files.exists(bMetrics) && Files.readAllLines(bMetrics).size() >= 3)) {
            Thread.sleep(20);
        }
        p.destroyForcibly().waitFor();
        assertTrue(Files.exists(out.resolve("A").resolve(ExperimentCommand.DONE)), Files.readString(dir.resolve("first.log")));
        assertFalse(Files.exists(out.resolve("B").resolve(ExperimentCommand.DONE)), "killed before B finished");
        assertTrue(Files.exists(out.resolve("B").resolve("checkpoint.safetensors")));

        CliTest.Run r = CliTest.run("experiment", "depth", "--configs", "A,B,C", "--data", data.toString(), "--epochs", "40",
            "--width-divisor", "64", "--fc", "8", "--batch", "8", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("run 1/3 A: finished before, skipped"), r.out());
        assertTrue(r.out().contains("run 2/3 B: trained in"), r.out());
        assertTrue(r.out().contains("run 3/3 C: trained in"), r.out());
        assertTrue(Files.readString(out.resolve("B/train.log")).contains("resumed from"));
        List<String> metrics = Files.readAllLines(bMetrics);
        assertEquals(41, metrics.size(), "one line per epoch of B, none repeated or lost: " + metrics);
        assertEquals(3, rows(out.resolve("table.md")).size());
    }

    @Test
    void scaleTrainsFixedAndJitteredScalesAndEvaluatesEachAtOneAndSeveralScales() throws Exception {
        Path root = dir.resolve("folder");
        java.util.Random rnd = new java.util.Random(5);
        for (String split : new String[] {"train", "test"}) {
            for (String cls : new String[] {"red", "blue"}) {
                Path d = Files.createDirectories(root.resolve(split).resolve(cls));
                for (int i = 0; i < 6; i++) {
                    var img = new java.awt.image.BufferedImage(48 + i, 44, java.awt.image.BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 44; y++) {
                        for (int x = 0; x < 48 + i; x++) {
                            int noise = rnd.nextInt(40);
                            img.setRGB(x, y, cls.equals("red") ? (180 + noise) << 16 | 40 : 40 << 16 | (180 + noise));
                        }
                    }
                    javax.imageio.ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
                }
            }
        }
        Path out = dir.resolve("scale");
        CliTest.Run r = CliTest.run(args("scale", out, "--data", root.toString(), "--eval-batch", "4"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("3 runs (S=40, S=56, S=[40,72])"), r.out());
        List<String> table = rows(out.resolve("table.md"));
        assertEquals(6, table.size(), table.toString());
        assertTrue(table.get(0).startsWith("| A | S=40 | 40 |"), table.get(0));
        assertTrue(table.get(1).startsWith("| A | S=40 | 32,40,48 |"), table.get(1));
        assertTrue(table.get(4).startsWith("| A | S=[40,72] | 56 |"), table.get(4));
        assertTrue(table.get(5).startsWith("| A | S=[40,72] | 40,56,72 |"), table.get(5));
        for (String row : table) {
            assertTrue(row.endsWith("| 12 |"), row);
        }
        assertTrue(Files.exists(out.resolve("chart.png")));
        assertTrue(Files.readString(out.resolve("S40-72/train.log")).contains("--scale 40,72"));
    }

    @Test
    void evalComparesDenseMultiCropAndFusion() throws Exception {
        Path data = idx(40, 12);
        CliTest.Run t = CliTest.run("train", "--data", data.toString(), "--epochs", "1", "--batch", "8",
            "--width-divisor", "64", "--fc", "8", "--val-split", "10", "--out", dir.resolve("run").toString());
        assertEquals(0, t.code(), t.err());
        Path out = dir.resolve("eval");
        CliTest.Run r = CliTest.run("experiment", "eval", "--model", dir.resolve("run/best.safetensors").toString(),
            "--data", data.toString(), "--grid", "2", "--limit", "10", "--batch", "4", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(3, r.out().lines().filter(l -> l.matches("experiment eval: run \\d/3 .*: evaluated in .*")).count(),
            r.out());
        List<String> table = rows(out.resolve("table.md"));
        assertEquals(3, table.size());
        assertTrue(table.get(0).startsWith("| dense | 32,37,42 | - |"), table.get(0));
        assertTrue(table.get(1).startsWith("| multi-crop | 32,37,42 | 2x2 x 2 flips |"), table.get(1));
        assertTrue(table.get(2).startsWith("| multi-crop & dense |"), table.get(2));
        assertTrue(table.stream().allMatch(l -> l.endsWith("| 10 |")), table.toString());
        assertFalse(Files.readString(out.resolve("results.csv")).isBlank());
        CliTest.Run bad = CliTest.run("experiment", "depth", "--configs", "A,F", "--out", dir.resolve("x").toString());
        assertEquals(1, bad.code());
        assertTrue(bad.err().contains("unknown VGG configuration 'F'"), bad.err());
    }
}
