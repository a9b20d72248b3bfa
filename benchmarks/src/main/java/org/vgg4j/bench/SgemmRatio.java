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
 * Usage: {@code SgemmRatio [samples] [shape,shape,...]}; a shape is a name of {@link GemmShape}
 * or {@code [nn|nt|tn|tt:]MxKxN} (e.g. {@code nt:64x4096x9}, a weight gradient).
 */
public final class SgemmRatio {
    private SgemmRatio() {}

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 7;
        List<String> names = args.length > 1 ? Arrays.asList(args[1].split(","))
            : GemmShape.ALL.stream().map(GemmShape::name).toList();
        CpuBackend cpu = new CpuBackend();
        System.out.println("# java=" + Runtime.version() + " species=" + FloatVector.SPECIES_PREFERRED
            + " threads=" + Parallel.threads() + " " + cpu.description());
        for (String name : names) {
            boolean tA = name.startsWith("t");
            boolean tB = name.length() > 1 && name.charAt(1) == 't' && name.charAt(2) == ':';
            String dims = name.contains(":") ? name.substring(name.indexOf(':') + 1) : name;
            GemmShape s;
            if (dims.matches("\\d+x\\d+x\\d+")) {
                String[] d = dims.split("x");
                s = new GemmShape(name, Integer.parseInt(d[0]), Integer.parseInt(d[1]), Integer.parseInt(d[2]));
            } else {
                s = GemmShape.named(dims);
                tA = false;
                tB = false;
            }
            double[] g = measure(cpu.sgemm(), s, samples, tA, tB);
            System.out.printf("ours_sgemm %s M=%d K=%d N=%d threads=%d gflops=%.1f min=%.1f max=%.1f%n",
                s.name(), s.m(), s.k(), s.n(), Parallel.threads(), g[g.length / 2], g[0], g[g.length - 1]);
        }
    }

    /** Sorted GFLOP/s of {@code samples} samples. */
    static double[] measure(Sgemm gemm, GemmShape s, int samples) {
        return measure(gemm, s, samples, false, false);
    }

    static double[] measure(Sgemm gemm, GemmShape s, int samples, boolean tA, boolean tB) {
        float[] a = random(s.m() * s.k(), 1);
        float[] b = random(s.k() * s.n(), 2);
        float[] c = new float[s.m() * s.n()];
        Runnable call = () -> gemm.gemm(tA, tB, s.m(), s.n(), s.k(), 1f, a, 0, tA ? s.m() : s.k(), b, 0,
            tB ? s.k() : s.n(), 0f, c, 0, s.n());
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
