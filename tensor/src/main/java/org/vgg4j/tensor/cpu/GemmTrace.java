package org.vgg4j.tensor.cpu;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/** Diagnostic (-Dvgg4j.gemm.trace=true): time per GEMM shape, printed to stderr at exit. */
final class GemmTrace {
    private GemmTrace() {}

    static Sgemm wrap(Sgemm g) {
        Map<String, long[]> t = new ConcurrentHashMap<>();
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long total = t.values().stream().mapToLong(v -> v[1]).sum();
            t.entrySet().stream().sorted((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1])).forEach(e -> {
                long[] v = e.getValue();
                System.err.printf("gemm %-40s calls=%6d ms=%8.1f %4.1f%% GFLOP/s=%6.1f%n", e.getKey(), v[0], v[1] / 1e6,
                    100.0 * v[1] / total, v[2] * 2.0 / v[1]);
            });
        }));
        return (ta, tb, m, n, k, alpha, a, oa, lda, b, ob, ldb, beta, c, oc, ldc) -> {
            long t0 = System.nanoTime();
            g.gemm(ta, tb, m, n, k, alpha, a, oa, lda, b, ob, ldb, beta, c, oc, ldc);
            long dt = System.nanoTime() - t0;
            long[] v = t.computeIfAbsent((ta ? "T" : "N") + (tb ? "T" : "N") + " m=" + m + " n=" + n + " k=" + k,
                x -> new long[3]);
            synchronized (v) {
                v[0]++;
                v[1] += dt;
                v[2] += (long) m * n * k;
            }
        };
    }
}
