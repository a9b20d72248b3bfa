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
import org.vgg4j.tensor.ShapeOnlyBackend;
import org.vgg4j.vgg.Network;
import java.util.Map;
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
    @Option(names = "--batch-norm", description = "Batch normalisation after every convolution (vgg*_bn).")
    boolean batchNorm;
    @Option(names = "--batch", defaultValue = "1", description = "Batch size for the activation memory figure.")
    int batch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Options.inputSize(spec, "--input", input);
        Options.range(spec, "--channels", channels, 1, 64);
        Options.range(spec, "--classes", classes, 1, 1_000_000);
        Options.range(spec, "--width-divisor", widthDivisor, 1, 64);
        Options.range(spec, "--fc", fc, 0, 1 << 16);
        Options.range(spec, "--batch", batch, 1, 1 << 16);
        ModelSpec m = new ModelSpec(VggConfig.parse(arch), channels, input, classes, widthDivisor, fc, 0.5f, batchNorm);
        PrintWriter out = spec.commandLine().getOut();
        // the real modules on a backend of shapes only: VGG-16's 138 M parameters cost nothing here
        try (Backend shapes = ShapeOnlyBackend.create(); Network net = VggModel.build(shapes, m, 0)) {
            out.println(net.describe() + ", input " + Arrays.toString(new int[] {batch, channels, input, input}));
            long params = printLayers(out, net);
            out.printf(Locale.ROOT, "total parameters: %,d (%.1f MiB as float32)%n", params, params * 4 / 1048576.0);
        }
        out.flush();
        return 0;
    }

    /** One line per layer with its output shape and parameters; returns the parameter total. */
    private long printLayers(PrintWriter out, Network net) {
        int[] s = {batch, net.inChannels(), net.inputSize(), net.inputSize()};
        long macs = 0;
        long acts = 0;
        long params = 0;
        out.printf(Locale.ROOT, "%-40s %-22s %14s%n", "layer", "output shape", "parameters");
        for (Map.Entry<String, Module> e : net.namedLayers()) {
            Module layer = e.getValue();
            int[] o = layer.outputShape(s);
            long p = layer.parameters().stream().mapToLong(Parameter::size).sum();
            params += p;
            if (layer instanceof Conv2d c) {
                macs = Math.addExact(macs, Math.multiplyExact((long) o[0] * o[1] * o[2] * o[3],
                    (long) c.inChannels() * c.kernel() * c.kernel()));
            } else if (layer instanceof Linear l) {
                macs = Math.addExact(macs, (long) l.inFeatures() * l.outFeatures() * batch);
            }
            acts += Arrays.stream(o).asLongStream().reduce(1, (a, b) -> a * b);
            out.printf(Locale.ROOT, "%-40s %-22s %,14d%n", e.getKey() + " " + layer.describe(), Arrays.toString(o), p);
            s = o;
        }
        out.printf(Locale.ROOT, "multiply-adds per batch of %d: %,d (%.2f G)%n", batch, macs, macs / 1e9);
        out.printf(Locale.ROOT, "activations per batch of %d: %.1f MiB (forward outputs, float32)%n", batch,
            acts * 4 / 1048576.0);
        return params;
    }
}
