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
import org.vgg4j.kernelscl.ClBackend;
import org.vgg4j.kernelscl.ClDevices;
import org.vgg4j.tensor.Tensor;

/**
 * OpenCL SGEMM, one call plus the wait for it, over the shapes of {@link GemmShape}, on the first
 * OpenCL device. Run: {@code java -jar benchmarks/target/benchmarks.jar ClGemmBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector"})
public class ClGemmBenchmark {

    @Param({"sq256", "sq512", "sq1024", "vgg_c1_1", "vgg_c1_2", "vgg_c2_2", "vgg_c3_x", "vgg_c4_x", "vgg_c5_x"})
    public String shape;

    private ClBackend cl;
    private GemmShape s;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    @Setup
    public void setup() {
        ClDevices.Scan scan = ClDevices.scan();
        if (scan.devices().isEmpty()) {
            throw new IllegalStateException(scan.problem());
        }
        cl = new ClBackend(scan.devices().get(0));
        s = GemmShape.named(shape);
        a = cl.fromHost(SgemmRatio.random(s.m() * s.k(), 1), s.m() * s.k());
        b = cl.fromHost(SgemmRatio.random(s.k() * s.n(), 2), s.k() * s.n());
        c = cl.zeros(s.m(), s.n());
    }

    @TearDown
    public void tearDown() {
        cl.close();
    }

    @Benchmark
    public Tensor sgemm() {
        cl.gemm(false, false, s.m(), s.n(), s.k(), 1f, a, b, 0f, c);
        cl.synchronize();
        return c;
    }
}
