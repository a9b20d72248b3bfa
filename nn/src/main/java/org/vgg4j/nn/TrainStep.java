package org.vgg4j.nn;

import java.util.List;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * One training step of any classifier, written once (llm.c's loop): {@link #gradients} takes a
 * batch to accumulated gradients of its mean softmax cross-entropy (in micro-batches when asked),
 * {@link #update} takes the gradients to new weights and clears them. The trainer, {@code vgg4j
 * bench}, the benchmarks and the tests all call it.
 *
 * <p>Between the two, every gradient can be read and written as one flat sequence of floats
 * ({@link #flatGradients}, {@link #setFlatGradients}, and their host versions), parameter after
 * parameter in {@link Module#parameters()} order, so that a data-parallel all-reduce is one call.
 */
public final class TrainStep implements AutoCloseable {
    private final Backend backend;
    private final Module model;
    private final Sgd sgd;
    private final int microBatch;
    private final List<Parameter> params;
    private final SoftmaxCrossEntropy loss;
    private final Buffers buffers;
    private final long gradientSize;
    /** Input gradients shared by the model's layers (null with -Dvgg4j.train.sharedGradients=false). */
    private final GradientPool gradientPool;
    private int lastCorrect;

    /**
     * @param microBatch examples per forward/backward; a larger batch accumulates gradients over
     *                   several (the mean over the whole batch, as one pass would give)
     */
    public TrainStep(Backend backend, Module model, Sgd sgd, int microBatch) {
        this(backend, model, sgd, microBatch, SHARED_GRADIENTS);
    }

    /**
     * The same, choosing whether the model's input gradients share one {@link GradientPool}
     * (the default, unless -Dvgg4j.train.sharedGradients=false) or each layer keeps its own.
     */
    public TrainStep(Backend backend, Module model, Sgd sgd, int microBatch, boolean sharedGradients) {
        if (microBatch <= 0) {
            throw new IllegalArgumentException("TrainStep: micro-batch " + microBatch);
        }
        this.backend = backend;
        this.model = model;
        this.sgd = sgd;
        this.microBatch = microBatch;
        this.params = model.parameters();
        this.loss = new SoftmaxCrossEntropy(backend);
        this.buffers = new Buffers(backend);
        this.gradientSize = params.stream().mapToLong(Parameter::size).sum();
        this.gradientPool = sharedGradients ? new GradientPool(backend) : null;
        model.setGradientPool(gradientPool);
    }

    /**
     * Whether the layers' input gradients come from one pool that reuses each buffer once the
     * gradient in it has been used ({@link GradientPool}); with {@code
     * -Dvgg4j.train.sharedGradients=false} every layer keeps its own.
     */
    static final boolean SHARED_GRADIENTS = !"false".equals(System.getProperty("vgg4j.train.sharedGradients"));

    public Module model() { return model; }

    /** The pool of the model's input gradients, or null (for tests). */
    GradientPool gradientPool() { return gradientPool; }

    public Sgd sgd() { return sgd; }

    /**
     * Label smoothing of the training loss ({@link SoftmaxCrossEntropy#setLabelSmoothing}); 0, the
     * default, is plain cross-entropy.
     */
    public void setLabelSmoothing(float e) { loss.setLabelSmoothing(e); }

    public List<Parameter> parameters() { return params; }

    /**
     * Forward and backward over {@code n} examples: {@code images} holds them back to back, each of
     * {@code sampleShape} (e.g. [C, H, W]), {@code labels[i]} the class of example i. Gradients of
     * the batch's mean loss accumulate into the parameters; returns that mean loss. The examples
     * whose top-1 class was right (dropout on) are then {@link #lastCorrect}.
     */
    public double gradients(float[] images, float[] labels, int n, int... sampleShape) {
        return accumulate(images, labels, n, n, sampleShape, null);
    }

    /** A batch {@link #prefetch} sent ahead: its arrays, count and pair of input buffers. */
    private record Ahead(float[] images, float[] labels, int n, int pair, Tensor x, Tensor y) {}

    /** Batches sent ahead and not yet used, oldest first (at most two: one a pair of buffers). */
    private final java.util.ArrayDeque<Ahead> ahead = new java.util.ArrayDeque<>();

    /**
     * Whether {@link #prefetch} sends batches ahead on this backend (one that overlaps uploads with
     * queued work: a second queue) for batches of this size (one micro-batch).
     */
    public boolean prefetches(int n) {
        return backend.uploadsAhead() && n <= microBatch;
    }

    /**
     * Starts uploading the next batch while the one before it computes: a {@link #gradients} call
     * with the same arrays and count then finds it on the device. The arrays must still hold this
     * batch when that call comes (it counts the top-1 hits against {@code labels}); a caller that
     * will not make it calls {@link #dropPrefetched}. Does nothing when {@link #prefetches} says no.
     */
    public void prefetch(float[] images, float[] labels, int n, int... sampleShape) {
        if (!prefetches(n)) {
            return;
        }
        int per = (int) Tensor.sizeOf(sampleShape);
        if ((long) n * per > images.length || n > labels.length || n <= 0) {
            throw new IllegalArgumentException("TrainStep.prefetch: " + n + " examples of " + java.util.Arrays.toString(
                sampleShape) + " from " + images.length + " values and " + labels.length + " labels");
        }
        if (ahead.size() == 2) {
            ahead.removeFirst(); // never used: its pair is free again
        }
        int pair = freePair();
        Tensor x = buffers.get("x" + pair, inputShape(n, sampleShape));
        Tensor y = buffers.get("y" + pair, n);
        // the backend orders the write after queued ops that may still read this pair
        backend.uploadAhead(images, 0, x, 0, n * per);
        backend.uploadAhead(labels, 0, y, 0, n);
        ahead.addLast(new Ahead(images, labels, n, pair, x, y));
    }

    /** Forgets the batches sent ahead (a training loop that leaves before using them). */
    public void dropPrefetched() {
        ahead.clear();
    }

    /** A pair of input buffers that no batch sent ahead holds. */
    private int freePair() {
        return ahead.isEmpty() || ahead.peekLast().pair() != 0 ? 0 : 1;
    }

    private static int[] inputShape(int n, int[] sampleShape) {
        int[] shape = new int[sampleShape.length + 1];
        shape[0] = n;
        System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
        return shape;
    }

    /**
     * The batch sent ahead with these arrays, removed from the queue (with every older one: a batch
     * is used once, in order), or null. A call with a batch that was not sent ahead leaves them.
     */
    private Ahead sentAhead(float[] images, float[] labels, int n, int[] shape) {
        for (Ahead a : ahead) {
            if (a.images() == images && a.labels() == labels && a.n() == n && java.util.Arrays.equals(a.x().shape(), shape)) {
                while (ahead.removeFirst() != a) {
                    // older ones are stale
                }
                return a;
            }
        }
        return null;
    }

    /** Micro-batches of the mean over {@code denominator} examples; the listener watches the last backward. */
    private double accumulate(float[] images, float[] labels, int n, int denominator, int[] sampleShape,
                              java.util.function.Consumer<Module> lastBackward) {
        int per = (int) Tensor.sizeOf(sampleShape);
        if ((long) n * per > images.length || n > labels.length || n <= 0 || denominator < n) {
            throw new IllegalArgumentException("TrainStep: " + n + " examples of " + java.util.Arrays.toString(
                sampleShape) + " from " + images.length + " values and " + labels.length + " labels");
        }
        double sum = 0;
        int correct = 0;
        for (int lo = 0; lo < n; lo += microBatch) {
            int m = Math.min(microBatch, n - lo);
            if (lastBackward != null && lo + m >= n) {
                model.setBackwardListener(lastBackward);
            }
            int[] shape = new int[sampleShape.length + 1];
            shape[0] = m;
            System.arraycopy(sampleShape, 0, shape, 1, sampleShape.length);
            Tensor x;
            Tensor y;
            Ahead a = m == n ? sentAhead(images, labels, n, shape) : null;
            if (a != null) {
                x = a.x();
                y = a.y();
            } else {
                // with batches sent ahead: the pair none of them holds (queued ops may still read
                // it; a blocking upload is ordered after them)
                while (ahead.size() > 1) {
                    ahead.removeFirst();
                }
                String pair = prefetches(n) ? String.valueOf(freePair()) : "";
                x = buffers.get("x" + pair, shape);
                y = buffers.get("y" + pair, m);
                backend.upload(images, lo * per, x, 0, m * per);
                backend.upload(labels, lo, y, 0, m);
            }
            sum += microStep(x, y, (float) m / denominator) * m;
            int[] top1 = backend.topK(loss.probabilities(), 1);
            for (int i = 0; i < m; i++) {
                correct += top1[i] == (int) labels[lo + i] ? 1 : 0;
            }
        }
        lastCorrect = correct;
        return sum / n;
    }

    private org.vgg4j.nn.dist.Collective group;
    private java.util.concurrent.ExecutorService comm;
    private java.util.Map<Parameter, Long> offsets;
    private float[] reduceBuffer;

    /**
     * Makes {@link #gradientsReduced} sum the gradients over {@code group}: its data-parallel
     * workers, each with a replica of the model.
     */
    public void setCollective(org.vgg4j.nn.dist.Collective group) {
        this.group = group;
        this.offsets = new java.util.IdentityHashMap<>();
        long off = 0;
        for (Parameter p : params) {
            offsets.put(p, off);
            off += p.size();
        }
        if (comm == null) {
            comm = java.util.concurrent.Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "vgg4j-allreduce");
                t.setDaemon(true);
                return t;
            });
        }
    }

    /**
     * This worker's {@code n} examples of a global batch of {@code globalN} (spread over the
     * workers of {@link #setCollective}): forward and backward in micro-batches, leaving in every
     * parameter the gradient of the global batch's mean loss, the same bits on every worker.
     * Each layer's gradients are summed over the group as soon as the last micro-batch's backward
     * has passed it, in buckets that travel while backward goes on through the earlier layers (as
     * PyTorch's DDP does). Returns this worker's mean loss over its {@code n} examples.
     */
    public double gradientsReduced(float[] images, float[] labels, int n, int globalN, int... sampleShape)
        throws java.io.IOException {
        if (group == null || group.size() == 1) {
            return gradients(images, labels, n, sampleShape);
        }
        if (reduceBuffer == null) {
            reduceBuffer = new float[(int) gradientSize];
        }
        java.util.Set<Parameter> scheduled = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        java.util.List<java.util.concurrent.Future<?>> buckets = new java.util.ArrayList<>();
        java.util.function.Consumer<Module> done = m -> {
            java.util.List<Parameter> fresh = new java.util.ArrayList<>();
            for (Parameter p : m.parameters()) {
                if (offsets.containsKey(p) && scheduled.add(p)) {
                    fresh.add(p);
                }
            }
            if (!fresh.isEmpty()) {
                buckets.add(comm.submit(() -> {
                    reduceBucket(fresh);
                    return null;
                }));
            }
        };
        double loss;
        try {
            loss = accumulate(images, labels, n, globalN, sampleShape, done);
            done.accept(model); // whatever no container reported (a model that is one layer)
            for (java.util.concurrent.Future<?> f : buckets) {
                f.get();
            }
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw c instanceof java.io.IOException io ? io : new java.io.IOException(c);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("all-reduce interrupted");
        } finally {
            model.setBackwardListener(null);
        }
        return loss;
    }

    /** Downloads a bucket's gradients, sums them over the group, uploads the sums. */
    private void reduceBucket(java.util.List<Parameter> bucket) throws java.io.IOException {
        long lo = Long.MAX_VALUE;
        long hi = 0;
        for (Parameter p : bucket) {
            long off = offsets.get(p);
            backend.download(p.grad(), 0, reduceBuffer, (int) off, (int) p.size());
            lo = Math.min(lo, off);
            hi = Math.max(hi, off + p.size());
        }
        // a bucket is one module's parameters: contiguous in parameter order (what lies between is reduced too)
        group.allReduce(reduceBuffer, (int) lo, (int) (hi - lo));
        for (Parameter p : bucket) {
            backend.upload(reduceBuffer, offsets.get(p).intValue(), p.grad(), 0, (int) p.size());
        }
    }

    /**
     * Forward and backward of a batch already on the backend ({@code x [N, ...]}, {@code labels [N]}),
     * as one pass; the gradient of the mean loss times {@code scale} accumulates. Returns the mean loss.
     */
    public double gradients(Tensor x, Tensor labels, float scale) {
        return microStep(x, labels, scale);
    }

    private double microStep(Tensor x, Tensor y, float scale) {
        loss.setGradientScale(scale);
        double l = loss.forward(model.forward(x, true), y);
        if (gradientPool != null) {
            gradientPool.reset(); // the last pass's input gradient of the model is dead by now
        }
        model.backward(loss.backward());
        return l;
    }

    /** Training examples of the last host {@link #gradients} batch whose top-1 class was right. */
    public int lastCorrect() {
        return lastCorrect;
    }

    /** The softmax of the last forward pass [N, K]. */
    public Tensor probabilities() {
        return loss.probabilities();
    }

    /** One SGD update from the accumulated gradients, which are then cleared. */
    public void update() {
        sgd.step(params);
        zeroGradients();
    }

    public void zeroGradients() {
        Sgd.zeroGrad(params);
    }

    /** Number of floats in all gradients together. */
    public long gradientSize() {
        return gradientSize;
    }

    /** Every gradient copied into one buffer [P] on the backend (kept and reused), in parameter order. */
    public Tensor flatGradients() {
        Tensor flat = buffers.get("flat", (int) Math.min(gradientSize, Integer.MAX_VALUE));
        long off = 0;
        for (Parameter p : params) {
            backend.copy(p.grad(), 0, flat, off, p.size());
            off += p.size();
        }
        return flat;
    }

    /** The gradients set from a flat buffer of {@link #gradientSize} floats (the inverse of {@link #flatGradients}). */
    public void setFlatGradients(Tensor flat) {
        if (flat.size() != gradientSize) {
            throw new IllegalArgumentException("TrainStep: " + flat.size() + " flat gradients for " + gradientSize);
        }
        long off = 0;
        for (Parameter p : params) {
            backend.copy(flat, off, p.grad(), 0, p.size());
            off += p.size();
        }
    }

    /** Every gradient, in parameter order, into {@code dst[0, P)} on the host. */
    public void gradientsToHost(float[] dst) {
        Tensor flat = flatGradients();
        backend.download(flat, 0, dst, 0, (int) gradientSize);
    }

    /** The gradients set from {@code src[0, P)} on the host. */
    public void gradientsFromHost(float[] src) {
        Tensor flat = buffers.get("flat", (int) gradientSize);
        backend.upload(src, 0, flat, 0, (int) gradientSize);
        setFlatGradients(flat);
    }

    @Override
    public void close() {
        if (comm != null) {
            comm.shutdownNow();
        }
        loss.close();
        buffers.close();
        if (gradientPool != null) {
            model.setGradientPool(null);
            gradientPool.close();
        }
    }
}
