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
    @Option(names = "--arch", defaultValue = "D", description = "A VGG configuration (A, A-LRN, B, C, D, E) or a "
        + "ResNet (resnet18, resnet34, resnet50, resnet101, resnet152; -cifar: the small-input stem), alexnet or googlenet.")
    String arch;
    @Option(names = "--input", defaultValue = "224", description = Options.INPUT_SIDES
        + " (default ${DEFAULT-VALUE}).")
    int input;
    @Option(names = "--channels", defaultValue = "3", description = "Input channels: 3 RGB, 1 grey (default ${DEFAULT-VALUE}).")
    int channels;
    @Option(names = "--classes", defaultValue = "1000", description = "Outputs of the classifier (default ${DEFAULT-VALUE}).")
    int classes;
    @Option(names = "--width-divisor", defaultValue = "1", description = "VGG: divide the paper's channel widths by "
        + "this (default ${DEFAULT-VALUE}).")
    int widthDivisor;
    @Option(names = "--fc", defaultValue = "4096", description = "VGG: width of the hidden FC layers (0: none; default "
        + "${DEFAULT-VALUE}).")
    int fc;
    @Option(names = "--batch-norm", description = "Batch normalisation after every convolution (vgg*_bn).")
    boolean batchNorm;
    @Option(names = "--batch", defaultValue = "1", description = "Batch size for the activation memory figure.")
    int batch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Options.arch(spec, "--arch", arch);
        Options.inputSize(spec, "--input", input, arch);
        Options.range(spec, "--channels", channels, 1, 64);
        Options.range(spec, "--classes", classes, 1, 1_000_000);
        Options.range(spec, "--width-divisor", widthDivisor, 1, 64);
        Options.range(spec, "--fc", fc, 0, 1 << 16);
        Options.range(spec, "--batch", batch, 1, 1 << 16);
        boolean other = org.vgg4j.vgg.Architectures.isOther(arch);
        ModelSpec m = other ? null
            : new ModelSpec(VggConfig.parse(arch), channels, input, classes, widthDivisor, fc, 0.5f, batchNorm);
        PrintWriter out = spec.commandLine().getOut();
        // the real modules on a backend of shapes only: VGG-16's 138 M parameters cost nothing here
        try (Backend shapes = ShapeOnlyBackend.create(); Network net = other
                 ? org.vgg4j.vgg.Architectures.build(shapes, arch, channels, input, classes, 0.5f, 0, false)
                 : VggModel.build(shapes, m, 0)) {
            out.println(net.describe() + ", input " + Arrays.toString(new int[] {batch, channels, input, input}));
            long params = printLayers(out, net);
            out.printf(Locale.ROOT, "total parameters: %,d (%.1f MiB as float32)%n", params, params * 4 / 1048576.0);
        }
        out.flush();
        return 0;
    }

    /** Multiply-adds of a layer, or of the convolutions and FC layers inside a block. */
    private long macs(Module layer, int[] in) {
        if (layer instanceof Conv2d c) {
            int[] o = c.outputShape(in);
            return Math.multiplyExact((long) o[0] * o[1] * o[2] * o[3], (long) c.inChannels() * c.kernelH() * c.kernelW());
        }
        if (layer instanceof Linear l) {
            return (long) l.inFeatures() * l.outFeatures() * in[0];
        }
        if (layer instanceof org.vgg4j.nn.Sequential q) {
            long sum = 0;
            int[] s = in;
            for (Module m : q.modules()) {
                sum = Math.addExact(sum, macs(m, s));
                s = m.outputShape(s);
            }
            return sum;
        }
        if (layer instanceof org.vgg4j.nn.Concat c) {
            long sum = 0;
            for (Module branch : c.branches()) {
                sum = Math.addExact(sum, macs(branch, in));
            }
            return sum;
        }
        if (layer instanceof org.vgg4j.nn.Residual r) {
            return Math.addExact(macs(r.body(), in), r.shortcut() == null ? 0 : macs(r.shortcut(), in));
        }
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
            macs = Math.addExact(macs, macs(layer, s));
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
