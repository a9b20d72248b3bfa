package org.vgg4j.tensor.cpu;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinTask;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntConsumer;

/**
 * The one place that splits work across cores: {@code threads() - 1} pool workers created once
 * (no thread creation per call) plus the calling thread, which takes items itself from the
 * first moment instead of waiting for parked workers to wake. Items are handed out from one
 * atomic counter, so uneven items balance themselves.
 *
 * <p>Why the caller works: a parked worker takes tens of microseconds to wake on a virtual
 * machine. With the caller only waiting (a {@code ForkJoinPool.invoke}), a 64x9x4096 GEMM (the
 * first convolution of a 32x32 network, two parallel phases per call) ran at 40 GFLOP/s on two
 * threads and 75 on one; every small op of a training step paid the same toll.
 *
 * <p>A parallel call made from inside a parallel body runs serially on its thread.
 */
public final class Parallel {
    private Parallel() {}

    private static final int THREADS = Math.max(1, Integer.getInteger("vgg4j.threads",
        Runtime.getRuntime().availableProcessors()));
    private static final ForkJoinPool POOL = THREADS <= 1 ? null : new ForkJoinPool(THREADS - 1);
    private static final ThreadLocal<Boolean> INSIDE = ThreadLocal.withInitial(() -> false);

    public static int threads() { return THREADS; }

    /** Runs {@code body.accept(i)} for i in [0, n), in parallel when n > 1, and waits. */
    public static void parallelFor(int n, IntConsumer body) {
        if (n <= 0) {
            return;
        }
        if (POOL == null || n == 1 || INSIDE.get() || ForkJoinTask.inForkJoinPool()) {
            for (int i = 0; i < n; i++) {
                body.accept(i);
            }
            return;
        }
        AtomicInteger next = new AtomicInteger();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Runnable drain = () -> {
            int i;
            while (failure.get() == null && (i = next.getAndIncrement()) < n) {
                try {
                    body.accept(i);
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                }
            }
        };
        int helpers = Math.min(THREADS - 1, n - 1);
        ForkJoinTask<?>[] tasks = new ForkJoinTask<?>[helpers];
        for (int h = 0; h < helpers; h++) {
            tasks[h] = POOL.submit(drain);
        }
        INSIDE.set(true);
        try {
            drain.run();
        } finally {
            INSIDE.set(false);
        }
        for (ForkJoinTask<?> t : tasks) {
            // a helper that has not started yet finds the counter exhausted and returns at once
            t.join();
        }
        Throwable e = failure.get();
        if (e instanceof RuntimeException re) {
            throw re;
        }
        if (e instanceof Error er) {
            throw er;
        }
        if (e != null) {
            throw new IllegalStateException(e);
        }
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
}
