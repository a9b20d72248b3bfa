package org.vgg4j.nn;

import java.util.List;
import org.vgg4j.tensor.Tensor;

/**
 * A differentiable function with state, written once against {@link org.vgg4j.tensor.Backend}.
 *
 * <p>Contract (as Caffe's Layer): {@link #forward} computes the output and keeps whatever
 * {@link #backward} needs, which it must be called with next (for the same input);
 * {@code backward} <em>accumulates</em> parameter gradients ({@code +=}) and returns the input
 * gradient. Zeroing gradients is the optimiser's job. Outputs and input gradients live in
 * buffers the module owns and reuses from call to call: they are valid until the module's next
 * forward (or backward), so a caller that needs a value longer copies it. Containers (such as
 * {@link Sequential}, or future residual and concatenating ones) compose modules through this
 * interface alone.
 */
public interface Module extends AutoCloseable {

    /** The output for {@code input}; {@code training} switches dropout on. */
    Tensor forward(Tensor input, boolean training);

    /** The gradient with respect to the last forward's input, given the output's. */
    Tensor backward(Tensor gradOutput);

    /** The output shape for an input shape, without computing anything. */
    int[] outputShape(int[] inputShape);

    /** Trainable parameters, in a fixed order. */
    default List<Parameter> parameters() {
        return List.of();
    }

    /**
     * Tensors saved and loaded with the parameters but not trained (BatchNorm's running
     * statistics), in a fixed order.
     */
    default List<State> state() {
        return List.of();
    }

    /**
     * Tells the module whether {@link #backward} must produce the input gradient. The first
     * layer of a network does not need it, and a convolution saves its largest GEMM.
     */
    default void setInputGradientNeeded(boolean needed) {
    }

    /**
     * Asks a container to call {@code done} with each of its top-level layers as soon as that
     * layer's {@link #backward} has returned (its parameters' gradients are then final), in
     * backward order; null removes it. Data-parallel training starts reducing those gradients
     * while backward goes on. Layers that are not containers ignore it.
     */
    default void setBackwardListener(java.util.function.Consumer<Module> done) {
    }

    /**
     * Input gradients from {@code pool} (null: each module's own buffers); containers pass it on
     * and release each gradient once it has been used. Layers without an input gradient of their
     * own ignore it.
     */
    default void setGradientPool(GradientPool pool) {
    }

    /**
     * Whether {@link #backward} may write into the gradient it is given (an in-place ReLU does);
     * a {@link Residual} reads that gradient again after its body's backward only when this is
     * false. True unless a layer knows better.
     */
    default boolean writesGradOutput() {
        return true;
    }

    /** A short description, e.g. {@code Conv2d(3, 64, k=3, s=1, p=1)}. */
    String describe();

    /** Frees buffers and parameters on the backend. */
    @Override
    default void close() {
        for (Parameter p : parameters()) {
            p.close();
        }
        for (State s : state()) {
            s.close();
        }
    }
}
