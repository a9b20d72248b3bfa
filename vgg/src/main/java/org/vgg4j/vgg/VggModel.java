package org.vgg4j.vgg;

import java.util.ArrayList;
import java.util.List;
import org.vgg4j.nn.Init;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.Sequential;
import org.vgg4j.nn.State;
import org.vgg4j.nn.layers.BatchNorm2d;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.LocalResponseNorm;
import org.vgg4j.nn.layers.MaxPool2d;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.Tensor;

/**
 * A VGG network built from a {@link ModelSpec}: {@code features} (the convolutional column of
 * Table 1, each convolution followed by ReLU) then {@code classifier} (FC, ReLU, dropout, FC,
 * ReLU, dropout, FC), with torchvision's module indices as parameter names
 * ({@code features.0.weight}, ..., {@code classifier.6.bias}), so torchvision state dicts load
 * as they are. With {@link ModelSpec#batchNorm()} each convolution is followed by a
 * {@link BatchNorm2d} before its ReLU, and the indices shift as in torchvision's {@code vgg*_bn}
 * (conv {@code features.0}, batch norm {@code features.1}, ReLU 2, ...). torchvision's adaptive average pool to 7x7 is the identity at 224x224 and is
 * left out: at other sizes the classifier takes the feature map as it is
 * (512 * (input/32)^2 inputs).
 */
public final class VggModel implements Network {
    private final ModelSpec spec;
    private final Sequential features;
    private final Sequential classifier;
    private final Sequential all;
    private final List<Dropout> dropouts = new ArrayList<>();

    private VggModel(ModelSpec spec, Sequential features, Sequential classifier) {
        this.spec = spec;
        this.features = features;
        this.classifier = classifier;
        this.all = new Sequential(features, new Flatten(), classifier);
        all.setInputGradientNeeded(false); // the images need no gradient: skip the first conv's largest GEMM
        for (Module m : classifier.modules()) {
            if (m instanceof Dropout d) {
                dropouts.add(d);
            }
        }
    }

    /** Builds the network with zero parameters; see {@link #initialise}. */
    public static VggModel build(Backend backend, ModelSpec spec, long seed) {
        List<Module> f = new ArrayList<>();
        int channels = spec.inChannels();
        for (LayerSpec layer : spec.config().features()) {
            String name = "features." + f.size();
            switch (layer) {
                case LayerSpec.Conv c -> {
                    int out = spec.width(c.out());
                    f.add(new Conv2d(backend, name, channels, out, c.kernel(), 1, c.kernel() / 2, true));
                    if (spec.batchNorm()) {
                        f.add(new BatchNorm2d(backend, "features." + f.size(), out));
                    }
                    f.add(new ReLU(backend, true));
                    channels = out;
                }
                case LayerSpec.Pool p -> f.add(new MaxPool2d(backend, 2, 2, 0));
                case LayerSpec.Lrn l -> f.add(new LocalResponseNorm(backend, LrnParams.paper()));
            }
        }
        int flat = channels * spec.featureSize() * spec.featureSize();
        List<Module> c = spec.fcWidth() == 0 ? List.of(new Linear(backend, "classifier.0", flat, spec.classes(), true))
            : List.of(
            new Linear(backend, "classifier.0", flat, spec.fcWidth(), true), new ReLU(backend, true),
            new Dropout(backend, spec.dropout(), seed * 31 + 1),
            new Linear(backend, "classifier.3", spec.fcWidth(), spec.fcWidth(), true), new ReLU(backend, true),
            new Dropout(backend, spec.dropout(), seed * 31 + 2),
            new Linear(backend, "classifier.6", spec.fcWidth(), spec.classes(), true));
        return new VggModel(spec, new Sequential(f), new Sequential(c));
    }

    /** Weight initialisation schemes. */
    public enum InitScheme {
        /** Normal(0, 0.01^2) weights, zero biases: the paper's (section 3.1). */
        PAPER,
        /**
         * He / Kaiming normal: fan-out for convolutions (as torchvision's VGG), fan-in for FC layers
         * (torchvision keeps Normal(0, 0.01^2) there, which leaves a deep net without batch norm
         * stuck at chance for hundreds of steps).
         */
        HE
    }

    /** Initialises every weight (seeded), biases to zero. */
    public VggModel initialise(InitScheme scheme, long seed) {
        long s = seed;
        for (Module m : features.modules()) {
            if (m instanceof Conv2d conv) {
                if (scheme == InitScheme.HE) {
                    Init.heNormal(conv.weight(), true, s++);
                } else {
                    Init.normal(conv.weight(), 0.01, s++);
                }
                Init.zeros(conv.bias());
            } else if (m instanceof BatchNorm2d bn) {
                bn.resetParameters();
            }
        }
        for (Module m : classifier.modules()) {
            if (m instanceof Linear fc) {
                if (scheme == InitScheme.HE) {
                    Init.heNormal(fc.weight(), false, s++);
                } else {
                    Init.normal(fc.weight(), 0.01, s++);
                }
                Init.zeros(fc.bias());
            }
        }
        return this;
    }

    /**
     * The paper's initialisation of a deeper network from a trained A (section 3.1): the first four
     * convolutional layers and the three FC layers take A's weights where the shapes agree (the
     * rest keeps its random initialisation). Returns the names of the parameters copied.
     */
    public List<String> initialiseFrom(Network from) {
        if (!(from instanceof VggModel a)) {
            throw new IllegalArgumentException("--init-from needs a VGG model, not " + from.describe());
        }
        List<String> copied = new ArrayList<>();
        List<Conv2d> mine = convs(this);
        List<Conv2d> theirs = convs(a);
        for (int i = 0; i < Math.min(4, Math.min(mine.size(), theirs.size())); i++) {
            copy(mine.get(i).weight(), theirs.get(i).weight(), copied);
            copy(mine.get(i).bias(), theirs.get(i).bias(), copied);
        }
        List<Linear> fcMine = fcs(this);
        List<Linear> fcTheirs = fcs(a);
        for (int i = 0; i < Math.min(fcMine.size(), fcTheirs.size()); i++) {
            copy(fcMine.get(i).weight(), fcTheirs.get(i).weight(), copied);
            copy(fcMine.get(i).bias(), fcTheirs.get(i).bias(), copied);
        }
        return copied;
    }

    private static List<Conv2d> convs(VggModel m) {
        return m.features.modules().stream().filter(x -> x instanceof Conv2d).map(x -> (Conv2d) x).toList();
    }

    private static List<Linear> fcs(VggModel m) {
        return m.classifier.modules().stream().filter(x -> x instanceof Linear).map(x -> (Linear) x).toList();
    }

    private static void copy(Parameter to, Parameter from, List<String> copied) {
        if (to != null && from != null && java.util.Arrays.equals(to.shape(), from.shape())) {
            float[] v = from.value().toHost();
            to.value().backend().upload(v, 0, to.value(), 0, v.length);
            copied.add(to.name());
        }
    }

    public ModelSpec spec() { return spec; }

    public Sequential features() { return features; }

    public Sequential classifier() { return classifier; }

    @Override
    public List<Dropout> dropouts() { return dropouts; }

    @Override
    public String family() { return VggFamily.INSTANCE.name(); }

    @Override
    public int inChannels() { return spec.inChannels(); }

    @Override
    public int inputSize() { return spec.inputSize(); }

    @Override
    public int classes() { return spec.classes(); }

    @Override
    public List<java.util.Map.Entry<String, Module>> namedLayers() {
        List<java.util.Map.Entry<String, Module>> out = new ArrayList<>();
        for (int i = 0; i < features.size(); i++) {
            out.add(java.util.Map.entry("features." + i, features.get(i)));
        }
        out.add(java.util.Map.entry("flatten", new Flatten()));
        for (int i = 0; i < classifier.size(); i++) {
            out.add(java.util.Map.entry("classifier." + i, classifier.get(i)));
        }
        return out;
    }

    @Override
    public ModelFile.Info describe(List<String> classNames, org.vgg4j.vgg.data.Preprocess prep, int imageSize) {
        return ModelFile.Info.of(spec, classNames, prep, imageSize);
    }

    @Override
    public Tensor forward(Tensor input, boolean training) {
        return all.forward(input, training);
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        return all.backward(gradOutput);
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        return all.outputShape(inputShape);
    }

    @Override
    public List<Parameter> parameters() {
        return all.parameters();
    }

    @Override
    public void setBackwardListener(java.util.function.Consumer<Module> done) {
        all.setBackwardListener(done);
    }

    @Override
    public void setGradientPool(org.vgg4j.nn.GradientPool pool) {
        all.setGradientPool(pool);
    }

    @Override
    public List<State> state() {
        return all.state();
    }

    @Override
    public void setInputGradientNeeded(boolean needed) {
        all.setInputGradientNeeded(needed);
    }

    /**
     * Parameter count of a spec without building it: the same sum the builder makes
     * (weights and biases of every convolution and FC layer).
     */
    public static long parameterCount(ModelSpec spec) {
        long total = 0;
        int channels = spec.inChannels();
        for (LayerSpec layer : spec.config().features()) {
            if (layer instanceof LayerSpec.Conv c) {
                int out = spec.width(c.out());
                total += (long) out * channels * c.kernel() * c.kernel() + out + (spec.batchNorm() ? 2L * out : 0);
                channels = out;
            }
        }
        long flat = (long) channels * spec.featureSize() * spec.featureSize();
        if (spec.fcWidth() == 0) {
            return total + flat * spec.classes() + spec.classes();
        }
        total += flat * spec.fcWidth() + spec.fcWidth();
        total += (long) spec.fcWidth() * spec.fcWidth() + spec.fcWidth();
        total += (long) spec.fcWidth() * spec.classes() + spec.classes();
        return total;
    }

    @Override
    public String describe() {
        return "VGG-" + spec.config().label() + (spec.batchNorm() ? " with batch norm" : "");
    }

    @Override
    public void close() {
        all.close();
    }
}
