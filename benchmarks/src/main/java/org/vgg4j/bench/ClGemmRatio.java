package org.vgg4j.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vgg4j.kernelscl.ClBackend;
import org.vgg4j.kernelscl.ClDevices;
import org.vgg4j.tensor.Tensor;

/**
 * OpenCL SGEMM throughput for the side-by-side script: per shape, one warm-up call, then samples
 * of calls queued back to back with one wait at the end (as a training step runs), median
 * GFLOP/s: {@code ours_clgemm <name> M= K= N= device=<name> gflops=<median> min= max=}.
 * Usage: {@code ClGemmRatio [samples] [shape,shape,...] [cl:P:D]}.
 */
public final class ClGemmRatio {
    private ClGemmRatio() {}

    public static void main(String[] args) {
        int samples = args.length > 0 ? Integer.parseInt(args[0]) : 3;
        List<GemmShape> shapes = args.length > 1 && !args[1].equals("all")
            ? Arrays.stream(args[1].split(",")).map(GemmShape::named).toList() : GemmShape.ALL;
        ClDevices.Scan scan = ClDevices.scan();
        if (scan.devices().isEmpty()) {
            System.err.println("ClGemmRatio: " + scan.problem());
            System.exit(1);
        }
        ClDevices.Device dev = scan.devices().get(0);
        if (args.length > 2) {
            dev = scan.devices().stream().filter(d -> d.spec().equals(args[2])).findFirst().orElseThrow();
        }
        try (ClBackend cl = new ClBackend(dev)) {
            System.out.println("# " + dev.describe());
            for (GemmShape s : shapes) {
                Tensor a = cl.fromHost(SgemmRatio.random(s.m() * s.k(), 1), s.m() * s.k());
                Tensor b = cl.fromHost(SgemmRatio.random(s.k() * s.n(), 2), s.k() * s.n());
                Tensor c = cl.zeros(s.m(), s.n());
                Runnable call = () -> cl.gemm(false, false, s.m(), s.n(), s.k(), 1f, a, 0, s.k(), b, 0, s.n(), 0f, c, 0, s.n());
                long w0 = System.nanoTime();
                call.run();
                cl.synchronize();
                double once = (System.nanoTime() - w0) / 1e9;
                int calls = (int) Math.max(1, Math.min(20, 0.5 / Math.max(once, 1e-6)));
                List<Double> g = new ArrayList<>();
                for (int i = 0; i < samples; i++) {
                    long t0 = System.nanoTime();
                    for (int j = 0; j < calls; j++) {
                        call.run();
                    }
                    cl.synchronize();
                    g.add(s.flops() * calls / (System.nanoTime() - t0));
                }
                double[] v = g.stream().mapToDouble(Double::doubleValue).sorted().toArray();
                System.out.printf("ours_clgemm %s M=%d K=%d N=%d device=%s gflops=%.2f min=%.2f max=%.2f%n", s.name(),
                    s.m(), s.k(), s.n(), dev.name().replace(' ', '_'), v[v.length / 2], v[0], v[v.length - 1]);
                a.close();
                b.close();
                c.close();
            }
        }
    }
}
