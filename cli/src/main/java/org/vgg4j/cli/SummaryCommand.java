package org.vgg4j.cli;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.tensor.Backend;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggConfig;
import org.vgg4j.vgg.VggModel;
import org.vgg4j.tensor.cpu.CpuBackend;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vgg4j summary}: layers with output shapes and parameters, totals, multiply-adds, memory. */
@Command(name = "summary", mixinStandardHelpOptions = true, description = "Print a model's layers, shapes and sizes.")
final class SummaryCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "D")
    String arch;
    @Option(names = "--input", defaultValue = "224")
    int input;
    @Option(names = "--channels", defaultValue = "3")
    int channels;
    @Option(names = "--classes", defaultValue = "1000")
    int classes;
    @Option(names = "--width-divisor", defaultValue = "1")
    int widthDivisor;
    @Option(names = "--fc", defaultValue = "4096")
    int fc;
    @Option(names = "--batch", defaultValue = "1", description = "Batch size for the activation memory figure.")
    int batch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ModelSpec m = new ModelSpec(VggConfig.parse(arch), channels, input, classes, widthDivisor, fc, 0.5f);
        PrintWriter out = spec.commandLine().getOut();
        long params = VggModel.parameterCount(m);
        if (params > 50_000_000L) {
            // a full-size model would allocate its weights just to print shapes: count from the spec instead
            printFromSpec(out, m);
        } else {
            try (Backend cpu = new CpuBackend(); VggModel net = VggModel.build(cpu, m, 0)) {
                printLayers(out, net, m);
            }
        }
        out.printf(Locale.ROOT, "total parameters: %,d (%.1f MiB as float32)%n", params, params * 4 / 1048576.0);
        out.flush();
        return 0;
    }

    private void printLayers(PrintWriter out, VggModel net, ModelSpec m) {
        int[] s = {batch, m.inChannels(), m.inputSize(), m.inputSize()};
        long macs = 0;
        long acts = 0;
        out.printf(Locale.ROOT, "%-28s %-22s %14s%n", "layer", "output shape", "parameters");
        for (String part : new String[] {"features", "classifier"}) {
            var seq = part.equals("features") ? net.features() : net.classifier();
            if (part.equals("classifier")) {
                s = new int[] {s[0], s[1] * s[2] * s[3]};
            }
            int i = 0;
            for (Module layer : seq.modules()) {
                int[] o = layer.outputShape(s);
                long p = layer.parameters().stream().mapToLong(Parameter::size).sum();
                if (layer instanceof Conv2d c) {
                    macs += (long) o[0] * o[1] * o[2] * o[3] * c.inChannels() * c.kernel() * c.kernel();
                } else if (layer instanceof Linear l) {
                    macs += (long) l.inFeatures() * l.outFeatures() * batch;
                }
                acts += Arrays.stream(o).asLongStream().reduce(1, (a, b) -> a * b);
                out.printf(Locale.ROOT, "%-28s %-22s %,14d%n", part + "." + i++ + " " + layer.describe(),
                    Arrays.toString(o), p);
                s = o;
            }
        }
        out.printf(Locale.ROOT, "multiply-adds per batch of %d: %,d (%.2f G)%n", batch, macs, macs / 1e9);
        out.printf(Locale.ROOT, "activations per batch of %d: %.1f MiB (forward outputs, float32)%n", batch,
            acts * 4 / 1048576.0);
    }

    private void printFromSpec(PrintWriter out, ModelSpec m) {
        int size = m.inputSize();
        int c = m.inChannels();
        long macs = 0;
        out.printf(Locale.ROOT, "%-28s %-22s %14s%n", "layer", "output shape", "parameters");
        int i = 0;
        for (var layer : m.config().features()) {
            if (layer instanceof org.vgg4j.vgg.LayerSpec.Conv conv) {
                int o = m.width(conv.out());
                long p = (long) o * c * conv.kernel() * conv.kernel() + o;
                macs += (long) o * c * conv.kernel() * conv.kernel() * size * size * batch;
                out.printf(Locale.ROOT, "%-28s %-22s %,14d%n", "features." + i + " " + conv,
                    Arrays.toString(new int[] {batch, o, size, size}), p);
                c = o;
                i += 2;
            } else if (layer instanceof org.vgg4j.vgg.LayerSpec.Pool) {
                size /= 2;
                out.printf(Locale.ROOT, "%-28s %-22s %,14d%n", "features." + i++ + " maxpool",
                    Arrays.toString(new int[] {batch, c, size, size}), 0);
            } else {
                out.printf(Locale.ROOT, "%-28s %-22s %,14d%n", "features." + i++ + " LRN",
                    Arrays.toString(new int[] {batch, c, size, size}), 0);
            }
        }
        long flat = (long) c * size * size;
        long[][] fcs = {{flat, m.fcWidth()}, {m.fcWidth(), m.fcWidth()}, {m.fcWidth(), m.classes()}};
        for (int k = 0; k < 3; k++) {
            macs += fcs[k][0] * fcs[k][1] * batch;
            out.printf(Locale.ROOT, "%-28s %-22s %,14d%n", "classifier." + (3 * k) + " FC-" + fcs[k][1],
                "[" + batch + ", " + fcs[k][1] + "]", fcs[k][0] * fcs[k][1] + fcs[k][1]);
        }
        out.printf(Locale.ROOT, "multiply-adds per batch of %d: %,d (%.2f G)%n", batch, macs, macs / 1e9);
    }
}
