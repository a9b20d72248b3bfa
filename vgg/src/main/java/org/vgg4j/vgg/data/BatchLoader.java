package org.vgg4j.vgg.data;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Makes batches ahead of the trainer: a background thread decodes and preprocesses batch k+1
 * (and k+2) while the trainer computes on batch k. The order of examples is a permutation drawn
 * from {@code (seed, epoch)}; batch contents depend only on the seed, epoch and position, so a
 * resumed run sees the same batches. Batch buffers are recycled (a pool of four).
 */
public final class BatchLoader implements AutoCloseable {

    /**
     * A batch: {@code images [n, c, size, size]} and {@code labels [n]} (class indices as floats).
     * For one worker of several it is that worker's slice of the global batch: {@code first} is
     * the position of its first example in the global batch of {@code globalN}.
     */
    public record Batch(int epoch, int index, int n, float[] images, float[] labels, int first, int globalN) {
        public Batch(int epoch, int index, int n, float[] images, float[] labels) {
            this(epoch, index, n, images, labels, 0, n);
        }
    }

    private final Dataset data;
    private final ExampleTransform prep;
    private final int batchSize;
    private final long seed;
    private final boolean shuffle;
    private final int rank;
    private final int workers;
    private final ExecutorService worker;
    private final BlockingQueue<Batch> free = new ArrayBlockingQueue<>(4);

    public BatchLoader(Dataset data, ExampleTransform prep, int batchSize, long seed, boolean shuffle) {
        this(data, prep, batchSize, seed, shuffle, 0, 1);
    }

    /**
     * The loader of one of {@code workers} data-parallel workers: the same global batches (order
     * and augmentation depend only on the seed, the epoch and the example), of which this one
     * makes examples {@code [n * rank / workers, n * (rank + 1) / workers)}.
     */
    public BatchLoader(Dataset data, ExampleTransform prep, int batchSize, long seed, boolean shuffle, int rank,
                       int workers) {
        if (workers < 1 || rank < 0 || rank >= workers || batchSize < workers) {
            throw new IllegalArgumentException("batch loader: rank " + rank + " of " + workers + " workers, batch "
                + batchSize + " (at least one example per worker)");
        }
        this.rank = rank;
        this.workers = workers;
        this.data = data;
        this.prep = prep;
        this.batchSize = batchSize;
        this.seed = seed;
        this.shuffle = shuffle;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vgg4j-batches");
            t.setDaemon(true);
            return t;
        });
        int floats = batchSize * data.channels() * prep.size() * prep.size();
        for (int i = 0; i < 4; i++) {
            free.add(new Batch(0, 0, 0, new float[floats], new float[batchSize]));
        }
    }

    /** Batches in an epoch (the last one may be smaller). */
    public int batchesPerEpoch() {
        return (data.size() + batchSize - 1) / batchSize;
    }

    /** The example order of an epoch: a seeded Fisher-Yates shuffle, or 0..n-1. */
    public int[] order(int epoch) {
        int[] p = new int[data.size()];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        if (shuffle) {
            java.util.SplittableRandom r = new java.util.SplittableRandom(seed * 1_000_003L + epoch);
            for (int i = p.length - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = p[i];
                p[i] = p[j];
                p[j] = t;
            }
        }
        return p;
    }

    /** An iterator over the batches of {@code epoch} from batch {@code first}, prefetching two ahead. */
    public Epoch epoch(int epoch, int first) {
        return new Epoch(epoch, first);
    }

    /** Hands a batch's buffers back once the trainer has copied them to the device. */
    public void recycle(Batch b) {
        free.offer(b);
    }

    /** One epoch's batches, in order. */
    public final class Epoch {
        private final int epoch;
        private final int[] order;
        private final java.util.ArrayDeque<Future<Batch>> ahead = new java.util.ArrayDeque<>();
        private int next;

        Epoch(int epoch, int first) {
            this.epoch = epoch;
            this.order = order(epoch);
            this.next = first;
            for (int i = 0; i < 2; i++) {
                schedule();
            }
        }

        private void schedule() {
            if (next >= batchesPerEpoch()) {
                return;
            }
            int index = next++;
            ahead.add(worker.submit(() -> make(index)));
        }

        private Batch make(int index) throws InterruptedException {
            Batch buf = free.poll(10, TimeUnit.MINUTES);
            if (buf == null) {
                throw new IllegalStateException("batch buffers were never recycled");
            }
            int global = Math.min(batchSize, data.size() - index * batchSize);
            int first = (int) ((long) global * rank / workers);
            int lo = index * batchSize + first;
            int n = (int) ((long) global * (rank + 1) / workers) - first;
            int c = data.channels();
            int in = c * data.height() * data.width();
            int out = c * prep.size() * prep.size();
            byte[] raw = new byte[in];
            for (int i = 0; i < n; i++) {
                int ex = order[lo + i];
                data.image(ex, raw, 0);
                prep.apply(raw, 0, c, data.height(), data.width(), buf.images(), i * out, seed, epoch, ex);
                buf.labels()[i] = data.label(ex);
            }
            return new Batch(epoch, index, n, buf.images(), buf.labels(), first, global);
        }

        public boolean hasNext() {
            return !ahead.isEmpty();
        }

        /** The next batch (waits for the worker); exceptions in the worker surface here. */
        public Batch next() throws InterruptedException {
            try {
                Batch b = ahead.remove().get();
                schedule();
                return b;
            } catch (java.util.concurrent.ExecutionException e) {
                throw new IllegalStateException("preparing a batch failed: " + e.getCause(), e.getCause());
            }
        }
    }

    @Override
    public void close() {
        worker.shutdownNow();
    }
}
