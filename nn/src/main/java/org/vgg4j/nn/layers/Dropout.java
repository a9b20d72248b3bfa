package org.vgg4j.nn.layers;

import org.vgg4j.nn.Buffers;
import org.vgg4j.nn.Module;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Rng;
import org.vgg4j.tensor.Tensor;

/**
 * Inverted dropout: in training, each element is kept with probability 1-p and scaled by
 * 1/(1-p); at inference the layer is the identity. The mask of call t is drawn from seed
 * {@code mix(seed + t)}, so a run is reproducible and resumable from the call counter. Element i
 * of a batch takes number {@code i} of that stream; a data-parallel worker whose rows are rows
 * {@code first, first + 1, ...} of a global batch sets {@link #setExampleOffset} so that its rows
 * get the masks they would get in one worker's pass over the whole batch.
 */
public final class Dropout implements Module {
    private final Backend backend;
    private final float p;
    private final long seed;
    private final Buffers buffers;
    private long calls;
    private long exampleOffset;
    private boolean active;

    public Dropout(Backend backend, float p, long seed) {
        if (!(p >= 0 && p < 1)) {
            throw new IllegalArgumentException("Dropout: probability " + p + " outside [0, 1)");
        }
        this.backend = backend;
        this.p = p;
        this.seed = seed;
        this.buffers = new Buffers(backend);
    }

    /** Forward calls in training mode so far (part of a checkpoint's state). */
    public long calls() { return calls; }

    public void setCalls(long calls) { this.calls = calls; }

    /** The position, in the global batch, of the first row of the next forward passes (default 0). */
    public void setExampleOffset(long first) {
        if (first < 0) {
            throw new IllegalArgumentException("Dropout: example offset " + first);
        }
        this.exampleOffset = first;
    }

    @Override
    public int[] outputShape(int[] s) {
        return s.clone();
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        active = training && p > 0;
        if (!active) {
            return x;
        }
        Tensor y = buffers.get("y", x.shape());
        long perRow = x.size() / Math.max(1, x.dim(0));
        long stream = Rng.mix(seed + calls++) + exampleOffset * perRow * Rng.GOLDEN; // = element offset
        backend.dropoutForward(x, y, buffers.get("mask", x.shape()), p, stream);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradY) {
        if (!active) {
            return gradY;
        }
        Tensor gradX = buffers.gradient("gradX", gradY.shape());
        backend.mul(gradY, buffers.get("mask", gradY.shape()), gradX);
        return gradX;
    }

    @Override
    public void setGradientPool(org.vgg4j.nn.GradientPool pool) {
        buffers.share(pool);
    }

    @Override
    public String describe() {
        return "Dropout(p=" + p + ")";
    }

    @Override
    public void close() {
        buffers.close();
    }
}
