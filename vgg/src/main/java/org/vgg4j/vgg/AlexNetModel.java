package org.vgg4j.vgg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.MaxPool2d;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.Backend;

/**
 * AlexNet (Krizhevsky, Sutskever and Hinton, 2012) as torchvision builds it (the one-GPU variant
 * of "One weird trick", Krizhevsky 2014, without LRN): five convolutions (11x11 stride 4, 5x5,
 * three 3x3), overlapping 3x3 max-pooling of stride 2, and three FC layers with dropout, under
 * torchvision's names ({@code features.0} ... {@code classifier.6}). torchvision's adaptive
 * average pooling to 6x6 is the identity at its 224-pixel input, the only size built here.
 */
public final class AlexNetModel extends LayeredNetwork {
    private AlexNetModel(int inChannels, int classes, List<Map.Entry<String, Module>> named, List<Dropout> dropouts) {
        super(inChannels, 224, classes, named, dropouts);
    }

    /** AlexNet for 224x224 images of {@code inChannels} channels and {@code classes} classes. */
    public static AlexNetModel build(Backend b, int inChannels, int inputSize, int classes, float dropout, long seed) {
        if (inputSize != 224 || inChannels < 1 || classes < 1) {
            throw new IllegalArgumentException("AlexNet: " + inChannels + " channels, " + inputSize + " pixels, "
                + classes + " classes (it takes 224x224 images)");
        }
        List<Map.Entry<String, Module>> l = new ArrayList<>();
        l.add(Map.entry("features.0", new Conv2d(b, "features.0", inChannels, 64, 11, 4, 2, true)));
        l.add(Map.entry("features.1", new ReLU(b, true)));
        l.add(Map.entry("features.2", new MaxPool2d(b, 3, 2, 0)));
        l.add(Map.entry("features.3", new Conv2d(b, "features.3", 64, 192, 5, 1, 2, true)));
        l.add(Map.entry("features.4", new ReLU(b, true)));
        l.add(Map.entry("features.5", new MaxPool2d(b, 3, 2, 0)));
        l.add(Map.entry("features.6", new Conv2d(b, "features.6", 192, 384, 3, 1, 1, true)));
        l.add(Map.entry("features.7", new ReLU(b, true)));
        l.add(Map.entry("features.8", new Conv2d(b, "features.8", 384, 256, 3, 1, 1, true)));
        l.add(Map.entry("features.9", new ReLU(b, true)));
        l.add(Map.entry("features.10", new Conv2d(b, "features.10", 256, 256, 3, 1, 1, true)));
        l.add(Map.entry("features.11", new ReLU(b, true)));
        l.add(Map.entry("features.12", new MaxPool2d(b, 3, 2, 0)));
        l.add(Map.entry("flatten", new Flatten()));
        Dropout d0 = new Dropout(b, dropout, seed * 31 + 1);
        Dropout d1 = new Dropout(b, dropout, seed * 31 + 2);
        l.add(Map.entry("classifier.0", d0));
        l.add(Map.entry("classifier.1", new Linear(b, "classifier.1", 256 * 6 * 6, 4096, true)));
        l.add(Map.entry("classifier.2", new ReLU(b, true)));
        l.add(Map.entry("classifier.3", d1));
        l.add(Map.entry("classifier.4", new Linear(b, "classifier.4", 4096, 4096, true)));
        l.add(Map.entry("classifier.5", new ReLU(b, true)));
        l.add(Map.entry("classifier.6", new Linear(b, "classifier.6", 4096, classes, true)));
        return new AlexNetModel(inChannels, classes, l, List.of(d0, d1));
    }

    /** He normal (fan in) for the convolutions and FC layers, zero biases. */
    public AlexNetModel initialise(long seed) {
        initialiseParameters(seed, false, false);
        return this;
    }

    @Override
    public String family() { return AlexNetFamily.INSTANCE.name(); }

    @Override
    public ModelFile.Info describe(List<String> classNames, org.vgg4j.vgg.data.Preprocess prep, int imageSize) {
        return new ModelFile.Info("alexnet", inChannels(), 224, classes(), 1, 4096, 0.5f, classNames, prep.mean(),
            prep.std(), imageSize, 0, false, AlexNetFamily.INSTANCE.name());
    }

    @Override
    public String describe() { return "AlexNet"; }
}
