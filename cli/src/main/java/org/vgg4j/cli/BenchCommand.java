package org.vgg4j.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.TrainStep;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.BackendProvider;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggConfig;
import org.vgg4j.vgg.VggModel;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vgg4j bench}: GEMM, convolution and training-step throughput on every device (or one),
 * each timed for about a second after a warm-up, with the device waited on at the end of each
 * timed run. For side-by-side ratios with OpenBLAS, CLBlast and PyTorch use benchmarks/compare-*.sh.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
    description = "Measure GEMM, convolution and training-step throughput on each device.")
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--device", description = "One device (cpu, cl:P:D); default: the CPU and every OpenCL device.")
    String device;
    @Option(names = "--size", defaultValue = "1024", description = "GEMM side (default ${DEFAULT-VALUE}).")
    int size;
    @Option(names = "--batch", defaultValue = "64", description = "Batch of the convolution and training step.")
    int batch;
    @Option(names = "--seconds", defaultValue = "1", description = "Time per measurement.")
    double seconds;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        Options.device(spec, "--device", device);
        List<String> devices = new ArrayList<>();
        if (device != null) {
            devices.add(device);
        } else {
            for (BackendProvider p : Backends.providers()) {
                if (p.scheme().equals("cpu")) {
                    devices.add("cpu");
                } else if (p.isAvailable()) {
                    // each line starts with its spec, "cl:P:D: name ..."
                    p.describeDevices().forEach(d -> devices.add(d.split(": ", 2)[0]));
                }
            }
        }
        for (String d : devices) {
            try (Backend b = Backends.open(d)) {
                out.println(b.description());
                out.printf(Locale.ROOT, "  gemm %dx%dx%d: %.1f GFLOP/s%n", size, size, size, gemm(b));
                ConvGeometry g = ConvGeometry.square(64, 16, 16, 64, 3, 1, 1);
                out.printf(Locale.ROOT, "  conv 3x3 64->64 at 16x16, batch %d, forward+backward: %.1f GFLOP/s%n", batch,
                    conv(b, g));
                out.printf(Locale.ROOT, "  training step, VGG-A half width on 32x32x1, batch %d: %.0f images/s%n", batch,
                    trainStep(b));
                out.flush();
            }
        }
        return 0;
    }

    /** Runs {@code body} repeatedly for about {@code seconds} (after one warm-up call); returns calls/s. */
    private double rate(Backend b, Runnable body) {
        body.run();
        b.synchronize();
        long t0 = System.nanoTime();
        int n = 0;
        do {
            body.run();
            b.synchronize();
            n++;
        } while (System.nanoTime() - t0 < seconds * 1e9);
        return n / ((System.nanoTime() - t0) / 1e9);
    }

    private static Tensor random(Backend b, int... shape) {
        SplittableRandom r = new SplittableRandom(shape.length);
        float[] v = new float[(int) Tensor.sizeOf(shape)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(-1, 1);
        }
        return b.fromHost(v, shape);
    }

    private double gemm(Backend b) {
        try (Tensor x = random(b, size, size); Tensor y = random(b, size, size); Tensor z = b.zeros(size, size)) {
            return rate(b, () -> b.gemm(false, false, size, size, size, 1f, x, y, 0f, z)) * 2.0 * size * size * size / 1e9;
        }
    }

    private double conv(Backend b, ConvGeometry g) {
        try (Tensor x = random(b, g.inputShape(batch)); Tensor w = random(b, g.weightShape());
             Tensor y = b.zeros(g.outputShape(batch)); Tensor gx = b.zeros(g.inputShape(batch));
             Tensor gw = b.zeros(g.weightShape())) {
            double flops = 3 * 2.0 * batch * g.outC() * g.colRows() * g.colCols();
            return rate(b, () -> {
                b.conv2dForward(x, w, null, y, g);
                b.conv2dBackwardData(y, w, gx, g);
                b.conv2dBackwardWeights(x, y, gw, null, g);
            }) * flops / 1e9;
        }
    }

    private double trainStep(Backend b) {
        ModelSpec s = new ModelSpec(VggConfig.A, 1, 32, 10, 2, 512, 0.5f);
        try (VggModel m = VggModel.build(b, s, 0).initialise(VggModel.InitScheme.HE, 0);
             TrainStep step = new TrainStep(b, m, new Sgd(0.01f, 0.9f, 5e-4f, false, false), batch);
             Tensor x = random(b, batch, 1, 32, 32); Tensor y = b.zeros(batch)) {
            return rate(b, () -> {
                step.gradients(x, y, 1f);
                step.update();
            }) * batch;
        }
    }
}
