package org.vgg4j.bench;

import java.util.SplittableRandom;
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
import org.openjdk.jmh.annotations.Warmup;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * CPU SGEMM time per call, C = A B, over the shapes of {@link GemmShape}. GFLOP/s =
 * 2*M*N*K / time. Run: {@code java -jar benchmarks/target/benchmarks.jar SgemmBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "-XX:+UseParallelGC"})
public class SgemmBenchmark {

    @Param({"sq256", "sq512", "sq1024", "sq2048", "vgg_c1_1", "vgg_c1_2", "vgg_c2_2", "vgg_c3_x", "vgg_c4_x",
        "vgg_c5_x"})
    public String shape;

    @Param({"vector"})
    public String path;

    private CpuBackend cpu;
    private GemmShape s;
    private Tensor a;
    private Tensor b;
    private Tensor c;

    @Setup
    public void setup() {
        cpu = new CpuBackend(!path.equals("scalar"));
        s = GemmShape.named(shape);
        a = random(s.m() * s.k());
        b = random(s.k() * s.n());
        c = cpu.zeros(s.m(), s.n());
    }

    private Tensor random(int n) {
        SplittableRandom r = new SplittableRandom(n);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return cpu.fromHost(x, n);
    }

    @Benchmark
    public Tensor sgemm() {
        cpu.gemm(false, false, s.m(), s.n(), s.k(), 1f, a, b, 0f, c);
        return c;
    }
}
