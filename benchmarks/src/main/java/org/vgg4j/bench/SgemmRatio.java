package org.vgg4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.tensor.cpu.Parallel;
import org.vgg4j.tensor.cpu.Sgemm;

/**
 * A quick, JMH-free timer for the side-by-side script: per shape, warm up, then time calls
 * in samples of at least 0.25 s and print the median GFLOP/s as
 * {@code ours_sgemm <name> M= K= N= threads= gflops=<median> min= max=}.
 * Usage: {@code SgemmRatio [samples] [shape,shape,...]}.
 */
public final class SgemmRatio {
    private SgemmRatio() {}

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<GemmShape> shapes = args.length > 1 ? Arrays.stream(args[1].split(",")).map(GemmShape::named).toList()
            : GemmShape.ALL;
        CpuBackend cpu = new CpuBackend();
        System.out.println("# java=" + Runtime.version() + " species=" + FloatVector.SPECIES_PREFERRED
            + " threads=" + Parallel.threads() + " " + cpu.description());
        for (GemmShape s : shapes) {
            double[] g = measure(cpu.sgemm(), s, samples);
            System.out.printf("ours_sgemm %s M=%d K=%d N=%d threads=%d gflops=%.1f min=%.1f max=%.1f%n",
                s.name(), s.m(), s.k(), s.n(), Parallel.threads(), g[g.length / 2], g[0], g[g.length - 1]);
        }
    }

    /** Sorted GFLOP/s of {@code samples} samples. */
    static double[] measure(Sgemm gemm, GemmShape s, int samples) {
        float[] a = random(s.m() * s.k(), 1);
        float[] b = random(s.k() * s.n(), 2);
        float[] c = new float[s.m() * s.n()];
        Runnable call = () -> gemm.gemm(false, false, s.m(), s.n(), s.k(), 1f, a, 0, s.k(), b, 0, s.n(), 0f, c, 0, s.n());
        long warmEnd = System.nanoTime() + 1_500_000_000L;
        while (System.nanoTime() < warmEnd) {
            call.run();
        }
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < samples; i++) {
            long t0 = System.nanoTime();
            int calls = 0;
            long t;
            do {
                call.run();
                calls++;
                t = System.nanoTime();
            } while (t - t0 < 250_000_000L);
            out.add(s.flops() * calls / (t - t0));
        }
        return out.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        return x;
    }
}
