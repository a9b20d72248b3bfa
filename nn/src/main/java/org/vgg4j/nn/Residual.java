package org.vgg4j.nn;

import java.util.Arrays;
import java.util.List;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * A residual block, {@code y = shortcut(x) + body(x)} (He et al., 2016): the identity shortcut
 * when {@code body} keeps the shape, or a projection (ResNet's 1x1 convolution and batch norm,
 * torchvision's {@code downsample}) that maps {@code x} to the body's output shape. Built on the {@link Module} interface alone: no layer knows it is inside one. The body
 * must not overwrite its input (so it does not start with an in-place ReLU), because the skip
 * path reads {@code x} after the body has run.
 */
public final class Residual implements Module {
    private final Backend backend;
    private final Module body;
    private final Module shortcut;
    private final Buffers buffers;
    private int[] shape;

    public Residual(Backend backend, Module body) {
        this(backend, body, null);
    }

    /** @param shortcut the projection of the skip path, or null for the identity */
    public Residual(Backend backend, Module body, Module shortcut) {
        this.backend = backend;
        this.body = body;
        this.shortcut = shortcut;
        this.buffers = new Buffers(backend);
    }

    public Module body() { return body; }

    /** The projection on the skip path, or null for the identity. */
    public Module shortcut() { return shortcut; }

    @Override
    public int[] outputShape(int[] inputShape) {
        int[] s = body.outputShape(inputShape);
        int[] skip = shortcut == null ? inputShape : shortcut.outputShape(inputShape);
        if (!Arrays.equals(s, skip)) {
            throw new IllegalArgumentException("Residual: body maps " + Arrays.toString(inputShape) + " to "
                + Arrays.toString(s) + ", the shortcut to " + Arrays.toString(skip) + "; the shapes must match to add");
        }
        return s;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        shape = outputShape(x.shape());
        Tensor b = body.forward(x, training);
        Tensor y = buffers.get("y", shape);
        backend.add(b, shortcut == null ? x : shortcut.forward(x, training), y);
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        if (!body.writesGradOutput() && (shortcut == null || !shortcut.writesGradOutput())) {
            // both paths leave gradOutput as it is (ResNet's end in batch norm): one pass adds them
            Tensor fromSkip = shortcut == null ? gradOutput : shortcut.backward(gradOutput);
            Tensor gradBody = body.backward(gradOutput);
            if (pool != null && !gradBody.sharesStorage(gradOutput) && !gradBody.sharesStorage(fromSkip)) {
                // the body's input gradient is this block's to give back: sum into it (one buffer
                // fewer alive at once; the add may write over one of its inputs)
                backend.add(fromSkip, gradBody, gradBody);
                release(fromSkip, gradOutput, gradBody);
                return gradBody;
            }
            Tensor gradX = buffers.gradient("gradX", fromSkip.shape());
            backend.add(fromSkip, gradBody, gradX);
            release(fromSkip, gradOutput);
            release(gradBody, gradOutput);
            return gradX;
        }
        // copy first: the body's last layer may overwrite gradOutput (an in-place ReLU does)
        if (shortcut == null) {
            Tensor gradX = buffers.gradient("gradX", shape);
            backend.copy(gradOutput, 0, gradX, 0, gradX.size());
            Tensor gradBody = body.backward(gradOutput);
            backend.axpy(1f, gradBody, gradX);
            release(gradBody, gradOutput);
            return gradX;
        }
        Tensor gradSkip = buffers.gradient("gradSkip", shape);
        backend.copy(gradOutput, 0, gradSkip, 0, gradSkip.size());
        Tensor fromSkip = shortcut.backward(gradSkip);
        Tensor gradX = buffers.gradient("gradX", fromSkip.shape());
        backend.copy(fromSkip, 0, gradX, 0, gradX.size());
        release(fromSkip, gradOutput, gradX);
        release(gradSkip, gradOutput, gradX);
        Tensor gradBody = body.backward(gradOutput);
        backend.axpy(1f, gradBody, gradX);
        release(gradBody, gradOutput, gradX);
        return gradX;
    }

    /** A gradient this block has used, back to the shared pool (if any), unless it is one of keep. */
    private void release(Tensor t, Tensor... keep) {
        if (pool != null) {
            pool.release(t, keep);
        }
    }

    private GradientPool pool;

    @Override
    public void setGradientPool(GradientPool pool) {
        this.pool = pool;
        buffers.share(pool);
        body.setGradientPool(pool);
        if (shortcut != null) {
            shortcut.setGradientPool(pool);
        }
    }

    @Override
    public List<Parameter> parameters() {
        if (shortcut == null) {
            return body.parameters();
        }
        List<Parameter> all = new java.util.ArrayList<>(body.parameters());
        all.addAll(shortcut.parameters());
        return all;
    }

    @Override
    public List<State> state() {
        if (shortcut == null) {
            return body.state();
        }
        List<State> all = new java.util.ArrayList<>(body.state());
        all.addAll(shortcut.state());
        return all;
    }

    @Override
    public String describe() {
        return "Residual(" + body.describe() + (shortcut == null ? "" : ", shortcut " + shortcut.describe()) + ")";
    }

    @Override
    public void close() {
        body.close();
        if (shortcut != null) {
            shortcut.close();
        }
        buffers.close();
    }
}
