package org.vgg4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.vgg4j.tensor.Tensor;

/** Modules applied one after another; backward runs them in reverse. */
public final class Sequential implements Module {
    private final List<Module> modules;
    private java.util.function.Consumer<Module> backwardListener;

    public Sequential(List<? extends Module> modules) {
        this.modules = List.copyOf(modules);
    }

    public Sequential(Module... modules) {
        this(List.of(modules));
    }

    public List<Module> modules() { return Collections.unmodifiableList(modules); }

    public Module get(int i) { return modules.get(i); }

    public int size() { return modules.size(); }

    /**
     * In evaluation a convolution followed by an in-place ReLU runs as one backend call
     * ({@link org.vgg4j.nn.layers.Conv2d#forwardRelu}): the ReLU is applied as the output is written
     * instead of in a second pass over it (VGG-16 at batch 8: 13 passes over up to 100 MB).
     */
    @Override
    public Tensor forward(Tensor input, boolean training) {
        Tensor x = input;
        for (int i = 0; i < modules.size(); i++) {
            Module m = modules.get(i);
            if (!training && m instanceof org.vgg4j.nn.layers.Conv2d conv && i + 1 < modules.size()
                && modules.get(i + 1) instanceof org.vgg4j.nn.layers.ReLU relu && relu.inPlace()) {
                x = conv.forwardRelu(x);
                i++;
                continue;
            }
            x = m.forward(x, training);
        }
        return x;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Tensor g = gradOutput;
        for (int i = modules.size() - 1; i >= 0; i--) {
            g = modules.get(i).backward(g);
            if (backwardListener != null) {
                backwardListener.accept(modules.get(i));
            }
        }
        return g;
    }

    /** Only its last layer's backward is given this container's gradient. */
    @Override
    public boolean writesGradOutput() {
        return !modules.isEmpty() && modules.get(modules.size() - 1).writesGradOutput();
    }

    @Override
    public void setBackwardListener(java.util.function.Consumer<Module> done) {
        this.backwardListener = done;
        for (Module m : modules) {
            m.setBackwardListener(done); // nested containers report their own layers first
        }
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        if (!modules.isEmpty()) {
            modules.get(0).setInputGradientNeeded(needed);
        }
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        int[] s = inputShape;
        for (Module m : modules) {
            s = m.outputShape(s);
        }
        return s;
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        for (Module m : modules) {
            all.addAll(m.parameters());
        }
        return all;
    }

    @Override
    public List<State> state() {
        List<State> all = new ArrayList<>();
        for (Module m : modules) {
            all.addAll(m.state());
        }
        return all;
    }

    @Override
    public String describe() {
        return "Sequential(" + modules.size() + ")";
    }

    @Override
    public void close() {
        for (Module m : modules) {
            m.close();
        }
    }
}
