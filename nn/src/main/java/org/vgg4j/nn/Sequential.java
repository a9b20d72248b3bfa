package org.vgg4j.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.vgg4j.tensor.Tensor;

/** Modules applied one after another; backward runs them in reverse. */
public final class Sequential implements Module {
    private final List<Module> modules;
    private java.util.function.Consumer<Module> backwardListener;
    private GradientPool pool;

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
     * Batch norm followed by an in-place ReLU runs as one backend call, forward
     * ({@link org.vgg4j.nn.layers.BatchNorm2d#forwardRelu}) and backward, in training and
     * evaluation: the ReLU is applied as the output is written and its mask is recomputed in batch
     * norm's backward, where they were two more passes over the activations ({@code
     * -Dvgg4j.fuse.bnRelu=false} keeps them apart). In evaluation a convolution followed by an
     * in-place ReLU runs as one call too ({@link org.vgg4j.nn.layers.Conv2d#forwardRelu}; VGG-16 at
     * batch 8: 13 passes over up to 100 MB).
     */
    @Override
    public Tensor forward(Tensor input, boolean training) {
        Tensor x = input;
        for (int i = 0; i < modules.size(); i++) {
            Module m = modules.get(i);
            boolean reluNext = i + 1 < modules.size() && modules.get(i + 1) instanceof org.vgg4j.nn.layers.ReLU relu
                && relu.inPlace();
            if (reluNext && FUSE_BN_RELU && m instanceof org.vgg4j.nn.layers.BatchNorm2d bn) {
                x = bn.forwardRelu(x, training);
                i++;
                continue;
            }
            if (reluNext && !training && m instanceof org.vgg4j.nn.layers.Conv2d conv) {
                x = conv.forwardRelu(x);
                i++;
                continue;
            }
            x = m.forward(x, training);
        }
        return x;
    }

    private static final boolean FUSE_BN_RELU = !"false".equals(System.getProperty("vgg4j.fuse.bnRelu"));

    /** Whether batch norm and an in-place ReLU after it run as one call (not with -Dvgg4j.fuse.bnRelu=false). */
    public static boolean fusesBatchNormRelu() {
        return FUSE_BN_RELU;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        Tensor g = gradOutput;
        for (int i = modules.size() - 1; i >= 0; i--) {
            Module m = modules.get(i);
            // a ReLU that ran inside the batch norm before it: that one's backward masks
            if (!(i > 0 && m instanceof org.vgg4j.nn.layers.ReLU
                && modules.get(i - 1) instanceof org.vgg4j.nn.layers.BatchNorm2d bn && bn.ranWithRelu())) {
                Tensor next = m.backward(g);
                if (pool != null && g != gradOutput) {
                    // g came from the module after m and m has used it (unless m passed it on as a view)
                    pool.release(g, next, gradOutput);
                }
                g = next;
            }
            if (backwardListener != null) {
                backwardListener.accept(m);
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
    public void setGradientPool(GradientPool pool) {
        this.pool = pool;
        for (Module m : modules) {
            m.setGradientPool(pool);
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
