package org.vgg4j.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.Tensor;

/**
 * A 3x3 convolution layer of VGG (forward, backward-data, backward-weights) at batch 8 on a
 * backend: conv3_x at 56x56 (256 -> 256 channels) and conv5_x at 14x14 (512 -> 512), plus the
 * small Fashion-MNIST model's second layer (32 -> 64 at 16x16, batch 128).
 * Run: {@code java -jar benchmarks/target/benchmarks.jar ConvBenchmark -p device=cpu}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 3)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"})
public class ConvBenchmark {

    @Param({"cpu", "cl"})
    public String device;

    @Param({"conv3_x", "conv5_x", "fmnist_c2"})
    public String layer;

    private Backend backend;
    private ConvGeometry g;
    private Tensor x;
    private Tensor w;
    private Tensor bias;
    private Tensor y;
    private Tensor gradX;
    private Tensor gradW;
    private Tensor gradB;

    @Setup
    public void setup() {
        backend = Backends.open(device);
        int n;
        switch (layer) {
            case "conv3_x" -> {
                g = ConvGeometry.square(256, 56, 56, 256, 3, 1, 1);
                n = 8;
            }
            case "conv5_x" -> {
                g = ConvGeometry.square(512, 14, 14, 512, 3, 1, 1);
                n = 8;
            }
            default -> {
                g = ConvGeometry.square(32, 16, 16, 64, 3, 1, 1);
                n = 128;
            }
        }
        x = backend.fromHost(SgemmRatio.random(n * g.inC() * g.inH() * g.inW(), 1), g.inputShape(n));
        w = backend.fromHost(SgemmRatio.random(g.outC() * g.colRows(), 2), g.weightShape());
        bias = backend.zeros(g.outC());
        y = backend.zeros(g.outputShape(n));
        gradX = backend.zeros(g.inputShape(n));
        gradW = backend.zeros(g.weightShape());
        gradB = backend.zeros(g.outC());
    }

    @TearDown
    public void tearDown() {
        backend.close();
    }

    @Benchmark
    public Tensor forward() {
        backend.conv2dForward(x, w, bias, y, g);
        backend.synchronize();
        return y;
    }

    @Benchmark
    public Tensor forwardBackward() {
        backend.conv2dForward(x, w, bias, y, g);
        backend.conv2dBackwardData(y, w, gradX, g);
        backend.conv2dBackwardWeights(x, y, gradW, gradB, g);
        backend.synchronize();
        return gradW;
    }
}
