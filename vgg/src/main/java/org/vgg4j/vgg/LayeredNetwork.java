package org.vgg4j.vgg;

import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Init;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.Sequential;
import org.vgg4j.nn.State;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.tensor.Tensor;

/**
 * A network that is its named top-level layers in sequence (ResNet, AlexNet, GoogLeNet): the
 * {@link Network} bookkeeping and the delegation to the {@link Sequential} of those layers, so
 * that a family's class says only how it builds, describes and initialises itself.
 */
abstract class LayeredNetwork implements Network {
    private final int inChannels;
    private final int inputSize;
    private final int classes;
    private final List<Map.Entry<String, Module>> named;
    private final List<Dropout> dropouts;
    private final Sequential all;

    LayeredNetwork(int inChannels, int inputSize, int classes, List<Map.Entry<String, Module>> named,
                   List<Dropout> dropouts) {
        this.inChannels = inChannels;
        this.inputSize = inputSize;
        this.classes = classes;
        this.named = List.copyOf(named);
        this.dropouts = List.copyOf(dropouts);
        this.all = new Sequential(named.stream().map(Map.Entry::getValue).toArray(Module[]::new));
        all.outputShape(new int[] {1, inChannels, inputSize, inputSize}); // the sizes fit, or say why now
        // the images need no gradient: the first convolution skips its input gradient, as VggModel's
        // does (ResNet-18's 7x7 stride-2 backward at batch 8: 73 ms with it, 42-56 ms without)
        all.setInputGradientNeeded(false);
    }

    /**
     * torchvision's kind of initialisation: He normal for the convolutions (fan out when
     * {@code convFanOut}), Xavier uniform or He normal (fan in) for the FC layers, batch norm's
     * weight 1, every bias 0.
     */
    void initialiseParameters(long seed, boolean convFanOut, boolean xavierLinear) {
        long s = seed;
        for (Parameter p : parameters()) {
            int rank = p.shape().length;
            if (rank == 4) {
                Init.heNormal(p, convFanOut, s++);
            } else if (rank == 2 && xavierLinear) {
                Init.xavierUniform(p, s++);
            } else if (rank == 2) {
                Init.heNormal(p, false, s++);
            } else if (p.name().endsWith(".weight")) {
                p.value().backend().fill(p.value(), 1f); // batch norm's gamma
            } else {
                Init.zeros(p);
            }
        }
    }

    @Override
    public int inChannels() { return inChannels; }

    @Override
    public int inputSize() { return inputSize; }

    @Override
    public int classes() { return classes; }

    @Override
    public List<Dropout> dropouts() { return dropouts; }

    @Override
    public List<Map.Entry<String, Module>> namedLayers() { return named; }

    @Override
    public Tensor forward(Tensor input, boolean training) { return all.forward(input, training); }

    @Override
    public Tensor backward(Tensor gradOutput) { return all.backward(gradOutput); }

    @Override
    public int[] outputShape(int[] inputShape) { return all.outputShape(inputShape); }

    @Override
    public List<Parameter> parameters() { return all.parameters(); }

    @Override
    public List<State> state() { return all.state(); }

    @Override
    public void setBackwardListener(java.util.function.Consumer<Module> done) { all.setBackwardListener(done); }

    @Override
    public void setGradientPool(org.vgg4j.nn.GradientPool pool) { all.setGradientPool(pool); }

    @Override
    public void setInputGradientNeeded(boolean needed) { all.setInputGradientNeeded(needed); }

    @Override
    public void close() { all.close(); }
}
