package org.vgg4j.cli;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.vgg4j.vgg.Classifier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code vgg4j predict}: the top-k classes of each image. An image that cannot be read gets one
 * line on stderr; the others are still classified, and the exit code is then 1.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, description = "Classify images with a trained model.")
final class PredictCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "A model file: vgg4j or torchvision safetensors, PyTorch .pth/.pt, Caffe .caffemodel (told apart by content).")
    Path model;
    @Option(names = "--top", defaultValue = "5", description = "How many classes per image (default ${DEFAULT-VALUE}).")
    int top;
    @Option(names = "--format", defaultValue = "text", description = "text or json (one object per line).")
    String format;
    @Option(names = "--device", defaultValue = "cpu", description = "auto, cpu, cl, cl:P:D (default ${DEFAULT-VALUE}).")
    String device;
    @Option(names = "--labels", description = "Class names, one per line (e.g. ImageNet's for a torchvision file).")
    Path labels;
    @Option(names = "--arch", description = "Fail unless the model is this network (a VGG configuration A, A-LRN, "
        + "B, C, D, E or vgg11 ... vgg19; resnet18 ... resnet152, their -cifar variants; alexnet; googlenet).")
    String arch;
    @Parameters(arity = "1..*", paramLabel = "IMAGE|DIR", description = "Images (.png, .jpg, ...) or folders of them.")
    List<Path> inputs;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Options.range(spec, "--top", top, 1, 100_000);
        Options.device(spec, "--device", device);
        if (!format.equals("text") && !format.equals("json")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be text or json, not " + format);
        }
        if (top < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--top must be at least 1");
        }
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        int failures = 0;
        String want = arch == null ? null : Options.arch(spec, "--arch", arch);
        try (Classifier c = Classifier.load(model, device)) {
            if (want != null && !want.equals(canonical(c.info().config()))) {
                throw new IllegalArgumentException(model + " holds " + (org.vgg4j.vgg.Architectures.isOther(want)
                    || org.vgg4j.vgg.Architectures.isOther(c.info().config()) ? "network " : "configuration ")
                    + c.info().config() + ", not " + arch);
            }
            if (labels != null) {
                c.setClassNames(Files.readAllLines(labels).stream().map(String::strip).filter(l -> !l.isEmpty()).toList());
            }
            for (Path p : expand(inputs, err)) {
                BufferedImage img;
                try {
                    img = org.vgg4j.vgg.data.Images.read(p);
                } catch (IOException e) {
                    err.println("vgg4j predict: " + (e instanceof org.vgg4j.vgg.data.Images.UnreadableImageException
                        ? e.getMessage() : p + ": not a readable image (" + e.getMessage() + ")"));
                    failures++;
                    continue;
                }
                try {
                    print(out, p, c.predict(img, top));
                } catch (IllegalArgumentException e) {
                    err.println("vgg4j predict: " + p + ": " + e.getMessage());
                    failures++;
                }
            }
        }
        out.flush();
        err.flush();
        return failures == 0 ? 0 : 1;
    }

    /** The file's network by its canonical name, or as the file says it when that is no name --arch takes. */
    private static String canonical(String config) {
        try {
            return org.vgg4j.vgg.Architectures.canonical(config);
        } catch (IllegalArgumentException e) {
            return config;
        }
    }

    private List<Path> expand(List<Path> paths, PrintWriter err) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Path p : paths) {
            if (Files.isDirectory(p)) {
                try (Stream<Path> s = Files.walk(p)) {
                    s.filter(Files::isRegularFile).sorted().forEach(files::add);
                }
            } else {
                files.add(p); // a missing file is reported when it is read
            }
        }
        return files;
    }

    private void print(PrintWriter out, Path p, List<Classifier.Prediction> preds) {
        if (format.equals("json")) {
            StringBuilder sb = new StringBuilder("{\"image\": ").append(json(p.toString())).append(", \"top\": [");
            for (int i = 0; i < preds.size(); i++) {
                var q = preds.get(i);
                sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                    "{\"index\": %d, \"label\": %s, \"prob\": %.6f}", q.index(), json(q.label()), q.probability()));
            }
            out.println(sb.append("]}"));
        } else {
            StringBuilder sb = new StringBuilder(p.toString()).append(':');
            for (var q : preds) {
                sb.append(String.format(Locale.ROOT, "  %s %.1f%%", q.label(), 100 * q.probability()));
            }
            out.println(sb);
        }
    }

    static String json(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char ch : s.toCharArray()) {
            switch (ch) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                default -> sb.append(ch < 0x20 ? String.format("\\u%04x", (int) ch) : String.valueOf(ch));
            }
        }
        return sb.append('"').toString();
    }
}
