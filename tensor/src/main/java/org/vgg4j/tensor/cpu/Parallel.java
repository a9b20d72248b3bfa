package org.vgg4j.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.RecursiveAction;
import java.util.function.IntConsumer;

/**
 * The one place that splits work across cores: a fixed {@link ForkJoinPool} sized to the
 * machine (or {@code -Dvgg4j.threads=N}), no thread creation per call.
 */
public final class Parallel {
    private Parallel() {}

    private static final int THREADS = Integer.getInteger("vgg4j.threads",
        Runtime.getRuntime().availableProcessors());
    private static final ForkJoinPool POOL = THREADS <= 1 ? null : new ForkJoinPool(THREADS);

    public static int threads() { return THREADS; }

    /** Runs {@code body.accept(i)} for i in [0, n), in parallel when n > 1, and waits. */
    public static void parallelFor(int n, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        if (POOL == null || n == 1 || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        POOL.invoke(new Range(0, n, body));
    }

    /**
     * Splits [0, n) into at most {@link #threads()} contiguous chunks of at least {@code grain}
     * and runs {@code body.accept(start, end)} on each.
     */
    public static void parallelRange(long n, long grain, RangeBody body) {
        if (n <= 0) {
            return;
        }
        int chunks = (int) Math.max(1, Math.min(THREADS, n / Math.max(1, grain)));
        if (chunks == 1) {
            body.run(0, n);
            return;
        }
        parallelFor(chunks, c -> body.run(n * c / chunks, n * (c + 1) / chunks));
    }

    /** A body over a half-open index range. */
    @FunctionalInterface
    public interface RangeBody {
        void run(long start, long end);
    }

    private static final class Range extends RecursiveAction {
        private final int lo;
        private final int hi;
        private final IntConsumer body;

        Range(int lo, int hi, IntConsumer body) {
            this.lo = lo;
            this.hi = hi;
            this.body = body;
        }

        @Override
        protected void compute() {
            if (hi - lo == 1) {
                body.accept(lo);
                return;
            }
            int mid = (lo + hi) >>> 1;
            invokeAll(new Range(lo, mid, body), new Range(mid, hi, body));
        }
    }
}
