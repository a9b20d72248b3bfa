package org.vgg4j.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The real commands through picocli's execute(): exit codes and what they print. */
class CliTest {
    @TempDir
    static Path dir;
    static Path data;
    static Path model;

    record Run(int code, String out, String err) {}

    static Run run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

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
    static void trainATinyModel() throws Exception {
        data = Files.createDirectories(dir.resolve("data"));
        writeIdx(data, "train", 40, 1);
        writeIdx(data, "t10k", 20, 2);
        // batch norm, so that eval and predict below run a model with running statistics; 10 of the 40
        // training examples held out for validation, the 20 test examples evaluated once at the end
        Run r = run("train", "--data", data.toString(), "--epochs", "1", "--batch", "8", "--width-divisor", "32",
            "--fc", "16", "--batch-norm", "--val-split", "10", "--out", dir.resolve("run").toString());
        assertEquals(0, r.code(), r.err());
        model = dir.resolve("run/model.safetensors");
        assertTrue(Files.exists(model));
        assertTrue(Files.exists(dir.resolve("run/best.safetensors")));
        List<String> test = Files.readAllLines(dir.resolve("run/test.csv"));
        assertEquals("model,epoch,test_examples,test_loss,test_top1,test_top5", test.get(0));
        assertTrue(test.get(1).startsWith("best.safetensors,1,20,"), test.get(1));
        assertTrue(Files.readString(dir.resolve("run/metrics.csv")).lines().count() == 2);
        var png = javax.imageio.ImageIO.read(dir.resolve("run/curves.png").toFile());
        assertTrue(png != null && png.getWidth() == 1280, "curves.png drawn");
        List<String> commands = Files.readAllLines(dir.resolve("run/commands.txt"));
        assertEquals(1, commands.size(), commands.toString());
        assertTrue(commands.get(0).matches("\\S+Z started: vgg4j train --data \\S+ --epochs 1 --batch 8 .* --out \\S+/run"),
            commands.get(0));
    }

    @Test
    void trainsOnAnImageFolderWithScaleJitterAndColourShiftAndReportsSkippedImages() throws Exception {
        Path root = dir.resolve("folder");
        for (String split : new String[] {"train", "val"}) {
            for (String cls : new String[] {"red", "blue"}) {
                Path d = Files.createDirectories(root.resolve(split).resolve(cls));
                for (int i = 0; i < 4; i++) {
                    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(40 + i, 36, java.awt.image.BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 36; y++) {
                        for (int x = 0; x < 40 + i; x++) {
                            img.setRGB(x, y, cls.equals("red") ? 0xc02010 + x : 0x1020c0 + y);
                        }
                    }
                    javax.imageio.ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
                }
            }
        }
        Files.write(root.resolve("train/red/corrupt.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 0});
        var oldErr = System.err;
        var captured = new java.io.ByteArrayOutputStream();
        System.setErr(new java.io.PrintStream(captured, true));
        Run r;
        try {
            r = run("train", "--data", root.toString(), "--input", "32", "--scale", "32,40", "--color-pca", "--epochs", "1",
                "--batch", "4", "--width-divisor", "32", "--fc", "8", "--out", dir.resolve("folder-run").toString());
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(0, r.code(), r.err() + captured);
        assertTrue(captured.toString().contains("skipped 1 unreadable images"), captured.toString());
        // train/ and val/: val/ validates, and there is no test set to report
        assertTrue(captured.toString().contains("validation: " + root.resolve("val")), captured.toString());
        assertTrue(!Files.exists(dir.resolve("folder-run/test.csv")));
        // train/ and test/: part of train/ is held out for validation, test/ is evaluated once at the end
        Files.move(root.resolve("val"), root.resolve("test"));
        captured.reset();
        System.setErr(new java.io.PrintStream(captured, true));
        try {
            r = run("train", "--data", root.toString(), "--input", "32", "--scale", "32,40", "--color-pca", "--epochs",
                "1", "--batch", "4", "--width-divisor", "32", "--fc", "8", "--seed", "5", "--split-seed", "9", "--out",
                dir.resolve("folder-test-run").toString());
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(0, r.code(), r.err() + captured);
        assertTrue(captured.toString().contains("held-out validation, 1, split seed 9)"), captured.toString());
        assertTrue(Files.readString(dir.resolve("folder-test-run/test.csv")).contains("best.safetensors,1,8,"));
        Run strict = run("train", "--data", root.toString(), "--strict", "--epochs", "1", "--out", dir.resolve("s").toString());
        assertEquals(1, strict.code());
        assertTrue(strict.err().contains("corrupt.jpg"), strict.err());
    }

    /**
     * Issue 13, item 1: eval on an image folder decoded images at 32 pixels whatever the model's
     * input, and scored a 64-pixel model on padded thumbnails. Now it reads them at the model's
     * input, so its loss on val/ is the one training reported for its last epoch on the same images.
     */
    @Test
    void evalOnAnImageFolderReadsImagesAtTheModelsInputSize() throws Exception {
        Path root = dir.resolve("folder64");
        java.util.Random r = new java.util.Random(3);
        for (String split : new String[] {"train", "val"}) {
            for (int cls = 0; cls < 2; cls++) {
                Path d = Files.createDirectories(root.resolve(split).resolve("c" + cls));
                for (int i = 0; i < 6; i++) {
                    java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(70, 70,
                        java.awt.image.BufferedImage.TYPE_INT_RGB);
                    for (int y = 0; y < 70; y++) {
                        for (int x = 0; x < 70; x++) {
                            int v = Math.min(255, r.nextInt(120) + (cls == 0 ? (x < 35 ? 120 : 0) : (y < 35 ? 120 : 0)));
                            img.setRGB(x, y, v << 16 | (255 - v) << 8 | r.nextInt(256));
                        }
                    }
                    javax.imageio.ImageIO.write(img, "png", d.resolve(i + ".png").toFile());
                }
            }
        }
        Path out = dir.resolve("folder64-run");
        var oldErr = System.err;
        System.setErr(new java.io.PrintStream(new java.io.ByteArrayOutputStream(), true));
        Run t;
        try {
            t = run("train", "--data", root.toString(), "--input", "64", "--epochs", "1", "--batch", "4",
                "--width-divisor", "32", "--fc", "8", "--out", out.toString());
        } finally {
            System.setErr(oldErr);
        }
        assertEquals(0, t.code(), t.err());
        String[] last = Files.readAllLines(out.resolve("metrics.csv")).get(1).split(",");
        Run e = run("eval", "--model", out.resolve("model.safetensors").toString(), "--data", root.toString());
        assertEquals(0, e.code(), e.err());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("loss ([0-9.]+)").matcher(e.out());
        assertTrue(m.find(), e.out());
        assertEquals(Double.parseDouble(last[2]), Double.parseDouble(m.group(1)), 1e-4,
            "eval's loss on val/ against training's validation loss: " + e.out());
    }

    /**
     * Issue 13, item 5: train without --resume into a folder that holds a run truncated its
     * metrics and replaced its checkpoint. Now it refuses with the usage code and touches nothing.
     */
    @Test
    void trainingIntoAnExistingRunNeedsResumeOrOverwrite() throws Exception {
        Path run = dir.resolve("run");
        String metrics = Files.readString(run.resolve("metrics.csv"));
        long stamp = Files.getLastModifiedTime(run.resolve("checkpoint.safetensors")).toMillis();
        Run r = run("train", "--data", data.toString(), "--epochs", "1", "--out", run.toString());
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("already holds a run") && r.err().contains("--resume"), r.err());
        assertEquals(metrics, Files.readString(run.resolve("metrics.csv")));
        assertEquals(stamp, Files.getLastModifiedTime(run.resolve("checkpoint.safetensors")).toMillis());
    }

    /**
     * Issue 13, item 9: resuming with another --batch skipped the rest of the epoch and wrote NaN
     * to metrics.csv; another --lr was ignored. Both are usage errors now, and nothing changes.
     */
    @Test
    void resumingWithOtherBatchOrLearningRateIsRefused() throws Exception {
        Path run = dir.resolve("run");
        String metrics = Files.readString(run.resolve("metrics.csv"));
        String[] common = {"train", "--data", data.toString(), "--epochs", "2", "--width-divisor", "32", "--fc", "16",
            "--batch-norm", "--val-split", "10", "--out", run.toString(), "--resume"};
        Run batch = run(concat(common, "--batch", "4"));
        assertEquals(2, batch.code(), batch.err());
        assertTrue(batch.err().contains("--batch 8"), batch.err());
        Run lr = run(concat(common, "--batch", "8", "--lr", "0.5"));
        assertEquals(2, lr.code(), lr.err());
        assertTrue(lr.err().contains("--lr 0.02"), lr.err());
        assertEquals(metrics, Files.readString(run.resolve("metrics.csv")));
        assertEquals(1, Files.readAllLines(run.resolve("commands.txt")).size(), "a refused resume is not recorded");
    }

    /** commands.txt: a continued run adds its line after the first; --overwrite starts the file afresh. */
    @Test
    void commandsTxtRecordsEachCommandThatTrainedThere() throws Exception {
        Path run = dir.resolve("run-commands");
        String[] common = {"train", "--data", data.toString(), "--batch", "8", "--width-divisor", "32", "--fc", "16",
            "--val-split", "10", "--label-smoothing", "0.1", "--out", run.toString()};
        assertEquals(0, run(concat(common, "--epochs", "1")).code());
        Run more = run(concat(common, "--epochs", "2", "--resume"));
        assertEquals(0, more.code(), more.err());
        List<String> lines = Files.readAllLines(run.resolve("commands.txt"));
        assertEquals(2, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains(" started: vgg4j train ") && lines.get(0).contains("--epochs 1"), lines.get(0));
        assertTrue(lines.get(1).contains(" continued: vgg4j train ") && lines.get(1).endsWith("--epochs 2 --resume"),
            lines.get(1));
        assertEquals(0, run(concat(common, "--epochs", "1", "--overwrite")).code());
        lines = Files.readAllLines(run.resolve("commands.txt"));
        assertEquals(1, lines.size(), lines.toString());
        assertTrue(lines.get(0).contains(" started: ") && lines.get(0).endsWith("--epochs 1 --overwrite"), lines.get(0));
    }

    static String[] concat(String[] a, String... b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void everyCommandHasHelpAndVersion() {
        for (String cmd : new String[] {"train", "predict", "eval", "summary", "devices", "samples", "bench"}) {
            Run r = run(cmd, "--help");
            assertEquals(0, r.code(), cmd);
            assertTrue(r.out().contains("Usage: vgg4j " + cmd), r.out());
        }
        Run v = run("--version");
        assertEquals(0, v.code());
        assertTrue(v.out().startsWith("vgg4j "), v.out());
    }

    @Test
    void usageErrorsExitWith2() {
        assertEquals(2, run("bogus").code());
        assertEquals(2, run().code());
        assertEquals(2, run("predict").code(), "missing --model and images");
        assertEquals(2, run("train", "--epochs", "many").code());
        assertEquals(2, run("eval", "--model", model.toString(), "--mode", "bogus", "--data", data.toString()).code());
        assertEquals(2, run("eval", "--model", model.toString(), "--mode", "fusion", "--scales", "16",
            "--data", data.toString()).code());
        assertEquals(2, run("predict", "--model", model.toString(), "--format", "xml", "x.png").code());
        // issue 13, item 11: bad values are usage errors in words, never raw Java text
        String[][] bad = {
            {"train", "--schedule", "sometimes"}, {"train", "--init", "zeros"}, {"train", "--scale", "256,abc"},
            {"train", "--epochs", "0"}, {"train", "--batch", "0"}, {"train", "--jitter", "-5"},
            {"train", "--width-divisor", "0"}, {"train", "--input", "100"}, {"train", "--input", "2147483616"},
            {"train", "--lr", "NaN"}, {"train", "--micro-batch", "3", "--batch", "8"}, {"train", "--dropout", "1"},
            {"train", "--scale", "64,32"}, {"samples", "--count", "-1", "--out", dir.resolve("s").toString()},
            {"summary", "--input", "1073741824"}, {"summary", "--batch", "0"}, {"summary", "--classes", "0"},
            {"predict", "--model", model.toString(), "--top", "0", "x.png"},
            {"train", "--device", "gpu"}, {"predict", "--model", model.toString(), "--device", "cl:x", "x.png"},
            {"eval", "--model", model.toString(), "--device", "opencl", "--data", data.toString()}};
        for (String[] args : bad) {
            Run r = run(args);
            String what = String.join(" ", args) + " -> " + r.err();
            assertEquals(2, r.code(), what);
            for (String raw : new String[] {"Exception", "For input string", "No enum constant", "/ by zero", "null"}) {
                assertTrue(!r.err().lines().findFirst().orElse("").contains(raw), what);
            }
        }
        assertTrue(run("train", "--epochs", "0").err().contains("--epochs 0: must be between 1 and"));
    }

    @Test
    void fileSystemErrorsAreSaidInWordsAndLargeSummariesDoNotOverflow() {
        // issue 13, item 11: a permission error printed only the path
        assertEquals("/x/y: permission denied", Main.message(new java.nio.file.AccessDeniedException("/x/y")));
        assertEquals("/x/y: no such file or folder", Main.message(new java.nio.file.NoSuchFileException("/x/y")));
        assertEquals("/x: not a folder", Main.message(new java.nio.file.NotDirectoryException("/x")));
        assertTrue(Main.message(new NullPointerException("Cannot invoke")).startsWith("internal error (NullPointerException"));
        // the multiply-add count of VGG-19 at the largest input and batch summary takes stays positive
        Run r = run("summary", "--arch", "E", "--input", "4096", "--batch", "65536");
        assertEquals(0, r.code(), r.err());
        String macs = r.out().lines().filter(l -> l.startsWith("multiply-adds per batch")).findFirst().orElseThrow();
        assertTrue(macs.matches("multiply-adds per batch of 65536: [0-9,]+ .*"), macs);
    }

    @Test
    void everyNetworkTakesTheInputSidesItsLayersAllowAndNoSmaller() {
        // VGG halves its input five times; the ResNets and GoogLeNet end in global pooling, so they
        // take any side from their smallest (the -cifar stems do not downsample first); AlexNet 224 only
        String[][] sides = {{"A", "32", "31"}, {"A", "64", "48"}, {"resnet18-cifar", "8", "7"},
            {"resnet18-cifar", "28", "0"}, {"resnet50", "32", "31"}, {"resnet152-cifar", "9", "-1"},
            {"googlenet", "32", "31"}, {"googlenet", "33", "4097"}, {"alexnet", "224", "223"}};
        for (String[] t : sides) {
            Run ok = run("summary", "--arch", t[0], "--input", t[1], "--channels", "1", "--classes", "10");
            assertEquals(0, ok.code(), t[0] + " at " + t[1] + ": " + ok.err());
            assertTrue(ok.out().contains("input [1, 1, " + t[1] + ", " + t[1] + "]"), ok.out());
            Run no = run("summary", "--arch", t[0], "--input", t[2]);
            assertEquals(2, no.code(), t[0] + " at " + t[2] + " was taken");
            assertTrue(no.err().startsWith("--input " + t[2] + ": "), no.err());
        }
        assertTrue(run("summary", "--arch", "resnet18-cifar", "--input", "7").err().contains("at least 8"));
        assertTrue(run("train", "--arch", "alexnet", "--input", "32").err().contains("takes 224 only"));
    }

    @Test
    void aSmallResNetTrainsEvaluatesAndSummarises() throws Exception {
        Path out = dir.resolve("resnet");
        // at the images' own 28 pixels: the ResNets are not held to VGG's multiple of 32
        Run r = run("train", "--arch", "resnet18-cifar", "--data", data.toString(), "--epochs", "1", "--batch", "8",
            "--input", "28", "--val-split", "10", "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        var info = org.vgg4j.nn.io.SafeTensors.header(out.resolve("model.safetensors")).metadata().get("vgg4j");
        assertTrue(info.contains("\"config\":\"resnet18-cifar\"") && info.contains("\"family\":\"resnet\""), info);
        assertTrue(info.contains("\"inputSize\":28"), info);
        // the recipe train prints under its first line, defaults included (a ResNet has no dropout to report)
        TrainCommand t = new TrainCommand();
        picocli.CommandLine parser = new picocli.CommandLine(t).setCaseInsensitiveEnumValuesAllowed(true);
        parser.parseArgs("--arch", "resnet18-cifar", "--epochs", "1", "--batch", "8", "--input", "28");
        assertEquals("epochs 1, batch 8, lr 0.02 (cosine), momentum 0.9, weight decay 0.0005, input 28, jitter 2, flips, "
            + "seed 1", t.recipe());
        parser.parseArgs("--arch", "A", "--lr", "1e-3", "--erase", "0.25", "--label-smoothing", "0.1", "--no-flip",
            "--micro-batch", "16", "--schedule", "step", "--scale", "256,512", "--input", "224");
        assertEquals("epochs 3, batch 128 in micro-batches of 16, lr 0.001 (step), momentum 0.9, weight decay 0.0005, "
            + "dropout 0.5, input 224, scale 256,512, no flips, erase 0.25, label smoothing 0.1, seed 1", t.recipe());
        parser.parseArgs();
        assertEquals("epochs 3, batch 128, lr 0.02 (cosine), momentum 0.9, weight decay 0.0005, dropout 0.5, input 32, "
            + "jitter 2, flips, seed 1", t.recipe(), "the defaults, as README gives them");
        // colour PCA without --scale goes through the paper's augmentation at S = input: no jitter
        parser.parseArgs("--arch", "B", "--color-pca", "--input", "64");
        assertTrue(t.recipe().contains(", input 64, scale 64, flips, colour PCA, seed 1"), t.recipe());
        Run e = run("eval", "--model", out.resolve("model.safetensors").toString(), "--data", data.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("(20 images): top-1 accuracy"), e.out());
        // the split train held out, drawn again by eval: the same images, so the validation
        // accuracy and loss of the epoch's model, as the trainer listed them
        Run v = run("eval", "--model", out.resolve("model.safetensors").toString(), "--data", data.toString(),
            "--split", "validation", "--val-split", "10");
        assertEquals(0, v.code(), v.err());
        assertTrue(v.out().contains("(held-out validation, 10, split seed 1) (10 images)"), v.out());
        String[] epoch1 = Files.readAllLines(out.resolve("metrics.csv")).get(1).split(",");
        assertTrue(v.out().contains(String.format(java.util.Locale.ROOT, "top-1 accuracy %.2f%%",
            100 * Double.parseDouble(epoch1[3]))), v.out() + " vs " + String.join(",", epoch1));
        assertTrue(v.out().contains(String.format(java.util.Locale.ROOT, "loss %.4f", Double.parseDouble(epoch1[2]))),
            v.out() + " vs " + String.join(",", epoch1));
        Run f = run("eval", "--model", out.resolve("model.safetensors").toString(), "--data", data.toString(), "--flip");
        assertEquals(0, f.code(), f.err());
        assertTrue(f.out().contains("(20 images): top-1 accuracy"), f.out());
        assertEquals(2, run("eval", "--model", out.resolve("model.safetensors").toString(), "--data", data.toString(),
            "--flip", "--mode", "multicrop").code());
        assertEquals(2, run("eval", "--model", out.resolve("model.safetensors").toString(), "--data", data.toString(),
            "--split", "train").code());
        Run s = run("summary", "--arch", "resnet50");
        assertEquals(0, s.code(), s.err());
        assertTrue(s.out().contains("multiply-adds per batch of 1: 4,089,184,256"), s.out());
        assertTrue(s.out().contains("total parameters: 25,557,032"), s.out());
        Run g = run("summary", "--arch", "googlenet");
        assertEquals(0, g.code(), g.err());
        assertTrue(g.out().contains("total parameters: 6,624,904"), g.out());
        Run a = run("summary", "--arch", "alexnet");
        assertTrue(a.out().contains("total parameters: 61,100,840") && a.out().contains("714,188,480"), a.out());
    }

    @Test
    void convertAndExportWriteFilesAndRefuseWhatTheyCannotRead() throws Exception {
        Path copy = dir.resolve("converted.safetensors");
        Run r = run("convert", model.toString(), copy.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("(safetensors: VGG-A") && r.out().contains("-> " + copy), r.out());
        Path onnx = dir.resolve("tiny.onnx");
        r = run("export", "--format", "onnx", "--model", copy.toString(), "--out", onnx.toString(), "--batch", "2");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("ONNX opset 13, input 'input' [2, 1, 32, 32]"), r.out());
        assertTrue(Files.size(onnx) > Files.size(copy) / 2);
        r = run("convert", model.toString(), dir.resolve("x.onnx").toString());
        assertEquals(2, r.code());
        assertTrue(r.err().contains("vgg4j export --format onnx"), r.err());
        // a .pth whose pickle calls os.system: one line, exit 1, nothing run, nothing written
        java.io.ByteArrayOutputStream pkl = new java.io.ByteArrayOutputStream();
        pkl.writeBytes(new byte[] {(byte) 0x80, 2, 'c'});
        pkl.writeBytes("os\nsystem\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        pkl.writeBytes(new byte[] {'X', 2, 0, 0, 0, 'l', 's', (byte) 0x85, 'R', '.'});
        Path evil = dir.resolve("evil.pth");
        try (java.util.zip.ZipOutputStream z = new java.util.zip.ZipOutputStream(Files.newOutputStream(evil))) {
            z.putNextEntry(new java.util.zip.ZipEntry("evil/data.pkl"));
            z.write(pkl.toByteArray());
            z.closeEntry();
        }
        Path target = dir.resolve("evil.safetensors");
        r = run("convert", evil.toString(), target.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("refuses the global 'os.system'"), r.err());
        assertTrue(!Files.exists(target));
    }

    @Test
    void runtimeErrorsExitWith1AndOneLine() throws Exception {
        Run r = run("eval", "--model", dir.resolve("missing.safetensors").toString(), "--data", data.toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("missing.safetensors: no such file"), r.err());
        Path corrupt = Files.write(dir.resolve("corrupt.safetensors"), new byte[] {1, 2, 3});
        r = run("predict", "--model", corrupt.toString(), "x.png");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("truncated"), r.err());
        r = run("predict", "--model", dir.toString(), "x.png");
        assertEquals(1, r.code());
        assertTrue(r.err().contains(dir + ": a folder, not a model file"), r.err());
        Path blocker = Files.write(dir.resolve("blocker"), new byte[1]);
        r = run("train", "--out", blocker.resolve("run").toString());
        assertEquals(1, r.code());
        assertEquals(1, r.err().lines().count(), "fails before loading data: " + r.err());
        r = run("train", "--data", dir.resolve("nowhere").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("not found"), r.err());
        r = run("train", "--data", data.toString(), "--arch", "F", "--out", dir.resolve("x").toString());
        assertEquals(2, r.code(), "a usage error, found before the data are read");
        assertTrue(r.err().contains("--arch: unknown architecture 'F' (expected a VGG configuration"), r.err());
        assertTrue(r.err().contains("resnet18-cifar") && r.err().contains("googlenet"), "names every network: " + r.err());
    }

    @Test
    void evalSamplesAndPredictWork() throws Exception {
        Run e = run("eval", "--model", model.toString(), "--data", data.toString());
        assertEquals(0, e.code(), e.err());
        assertTrue(e.out().contains("(20 images): top-1 accuracy"), e.out());
        Run dense = run("eval", "--model", model.toString(), "--data", data.toString(), "--mode", "dense", "--canvas", "48");
        assertEquals(0, dense.code(), dense.err());
        assertTrue(dense.out().contains("top-1 accuracy"), dense.out());
        Run fusion = run("eval", "--model", model.toString(), "--data", data.toString(), "--mode", "fusion",
            "--scales", "32,40", "--grid", "2");
        assertEquals(0, fusion.code(), fusion.err());
        Path samples = dir.resolve("samples");
        assertEquals(0, run("samples", "--data", data.toString(), "--count", "3", "--out", samples.toString()).code());
        Files.writeString(samples.resolve("zz-not-an-image.png"), "hello");
        javax.imageio.ImageIO.write(new java.awt.image.BufferedImage(5, 5, java.awt.image.BufferedImage.TYPE_INT_RGB), "png",
            samples.resolve("zz-tiny.png").toFile());
        Run p = run("predict", "--model", model.toString(), "--top", "2", "--format", "json", samples.toString());
        assertEquals(1, p.code(), "one unreadable file makes the exit code 1");
        assertTrue(p.err().contains("zz-not-an-image.png: not a readable image"), p.err());
        assertTrue(p.err().contains("zz-tiny.png: image 5x5 is too small: the model needs a shorter side of at least 14"),
            p.err());
        Run missing = run("predict", "--model", model.toString(), dir.resolve("nope.png").toString(),
            samples.resolve("0000_0.png").toString());
        assertEquals(1, missing.code());
        assertTrue(missing.err().contains("nope.png: no such file"), missing.err());
        assertEquals(1, missing.out().lines().count(), "the other image is still classified");
        Run arch = run("predict", "--model", model.toString(), "--arch", "D", samples.resolve("0000_0.png").toString());
        assertEquals(1, arch.code());
        assertTrue(arch.err().contains("holds configuration A, not D"), arch.err());
        arch = run("predict", "--model", model.toString(), "--arch", "resnet18", samples.resolve("0000_0.png").toString());
        assertEquals(1, arch.code());
        assertTrue(arch.err().contains("holds network A, not resnet18"), arch.err());
        arch = run("predict", "--model", model.toString(), "--arch", "vgg11", samples.resolve("0000_0.png").toString());
        assertEquals(0, arch.code(), "vgg11 is configuration A: " + arch.err());
        arch = run("predict", "--model", model.toString(), "--arch", "vgg12", samples.resolve("0000_0.png").toString());
        assertEquals(2, arch.code());
        assertTrue(arch.err().contains("--arch: unknown architecture 'vgg12'"), arch.err());
        assertEquals(3, p.out().lines().count(), p.out());
        String first = p.out().lines().findFirst().orElseThrow();
        assertTrue(first.matches("\\{\"image\": \".*0000_0\\.png\", \"top\": \\[\\{\"index\": \\d, \"label\": \"\\d\", "
            + "\"prob\": [0-9.]+}, \\{.*}]}"), first);
        Run s = run("summary", "--arch", "E");
        assertEquals(0, s.code());
        assertTrue(s.out().contains("total parameters: 143,667,240"), s.out());
        assertEquals(0, run("devices").code());
        // every op on each OpenCL device (PoCL here) against the CPU backend, worst error per op
        Run check = run("devices", "--check");
        assertEquals(0, check.code(), check.out() + check.err());
        assertTrue(check.out().contains("no OpenCL device to check")
            || check.out().lines().filter(l -> l.endsWith("  ok")).count() >= 31, check.out());
        assertTrue(!check.out().contains("WRONG"), check.out());
        Run b = run("bench", "--device", "cpu", "--size", "64", "--batch", "4", "--seconds", "0.05");
        assertEquals(0, b.code(), b.err());
        assertTrue(b.out().contains("gemm 64x64x64:") && b.out().contains("images/s"), b.out());
    }

    @Test
    void curvesThatCannotBeDrawnAreAWarningNotAFailure() throws Exception {
        Path metrics = dir.resolve("bad-metrics.csv");
        Files.writeString(metrics, "epoch,train_loss,val_loss,top1,top5\n1,not-a-number,0.5,0.8,0.9\n");
        List<String> warnings = new java.util.ArrayList<>();
        assertEquals(false, Curves.drawOrWarn(metrics, dir.resolve("bad.png"), warnings::add));
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("bad.png not drawn (") && warnings.get(0).contains("bad-metrics.csv"),
            warnings.get(0));
        Files.writeString(metrics, "epoch,train_loss,val_loss,top1,top5\n1,0.7,0.5,0.8,0.9\n2,0.6,0.4,0.85,0.95\n");
        assertEquals(true, Curves.drawOrWarn(metrics, dir.resolve("good.png"), warnings::add));
        assertTrue(Files.size(dir.resolve("good.png")) > 0);
        assertEquals(1, warnings.size());
    }
}
