package org.vgg4j.vgg;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Concat;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Sequential;
import org.vgg4j.nn.layers.AvgPool2d;
import org.vgg4j.nn.layers.BatchNorm2d;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.MaxPool2d;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.Backend;

/**
 * GoogLeNet (Inception v1, Szegedy et al., 2015) as torchvision builds it: convolutions with
 * batch norm (eps 1e-3), max-pooling in ceil mode, nine Inception blocks of four branches
 * concatenated by channel (the "5x5" branch is a 3x3 convolution, as in torchvision), global
 * average pooling, dropout 0.2 and one FC layer; torchvision's names. The auxiliary classifiers
 * ({@code aux1}, {@code aux2}) are training-time heads: not built, and ignored in files.
 */
public final class GoogLeNetModel extends LayeredNetwork {
    private GoogLeNetModel(int inChannels, int inputSize, int classes, List<Map.Entry<String, Module>> named,
                           List<Dropout> dropouts) {
        super(inChannels, inputSize, classes, named, dropouts);
    }

    private static Sequential conv(Backend b, String p, int in, int out, int k, int s, int pad) {
        return new Sequential(new Conv2d(b, p + ".conv", in, out, k, s, pad, false),
            new BatchNorm2d(b, p + ".bn", out, 1e-3f), new ReLU(b, true));
    }

    private static Concat inception(Backend b, String p, int in, int c1, int c3r, int c3, int c5r, int c5, int pool) {
        return new Concat(b, List.of(
            conv(b, p + ".branch1", in, c1, 1, 1, 0),
            new Sequential(conv(b, p + ".branch2.0", in, c3r, 1, 1, 0), conv(b, p + ".branch2.1", c3r, c3, 3, 1, 1)),
            new Sequential(conv(b, p + ".branch3.0", in, c5r, 1, 1, 0), conv(b, p + ".branch3.1", c5r, c5, 3, 1, 1)),
            new Sequential(new MaxPool2d(b, 3, 1, 1, true), conv(b, p + ".branch4.1", in, pool, 1, 1, 0))));
    }

    /** GoogLeNet for {@code inputSize}-pixel images (at least 32; torchvision's is 224). */
    public static GoogLeNetModel build(Backend b, int inChannels, int inputSize, int classes, float dropout, long seed) {
        if (inputSize < 32 || inChannels < 1 || classes < 1) {
            throw new IllegalArgumentException("GoogLeNet: " + inChannels + " channels, " + inputSize + " pixels, "
                + classes + " classes");
        }
        List<Map.Entry<String, Module>> l = new ArrayList<>();
        l.add(Map.entry("conv1", conv(b, "conv1", inChannels, 64, 7, 2, 3)));
        l.add(Map.entry("maxpool1", new MaxPool2d(b, 3, 2, 0, true)));
        l.add(Map.entry("conv2", conv(b, "conv2", 64, 64, 1, 1, 0)));
        l.add(Map.entry("conv3", conv(b, "conv3", 64, 192, 3, 1, 1)));
        l.add(Map.entry("maxpool2", new MaxPool2d(b, 3, 2, 0, true)));
        l.add(Map.entry("inception3a", inception(b, "inception3a", 192, 64, 96, 128, 16, 32, 32)));
        l.add(Map.entry("inception3b", inception(b, "inception3b", 256, 128, 128, 192, 32, 96, 64)));
        l.add(Map.entry("maxpool3", new MaxPool2d(b, 3, 2, 0, true)));
        l.add(Map.entry("inception4a", inception(b, "inception4a", 480, 192, 96, 208, 16, 48, 64)));
        l.add(Map.entry("inception4b", inception(b, "inception4b", 512, 160, 112, 224, 24, 64, 64)));
        l.add(Map.entry("inception4c", inception(b, "inception4c", 512, 128, 128, 256, 24, 64, 64)));
        l.add(Map.entry("inception4d", inception(b, "inception4d", 512, 112, 144, 288, 32, 64, 64)));
        l.add(Map.entry("inception4e", inception(b, "inception4e", 528, 256, 160, 320, 32, 128, 128)));
        l.add(Map.entry("maxpool4", new MaxPool2d(b, 2, 2, 0, true)));
        l.add(Map.entry("inception5a", inception(b, "inception5a", 832, 256, 160, 320, 32, 128, 128)));
        l.add(Map.entry("inception5b", inception(b, "inception5b", 832, 384, 192, 384, 48, 128, 128)));
        l.add(Map.entry("avgpool", AvgPool2d.global(b)));
        l.add(Map.entry("flatten", new Flatten()));
        Dropout d = new Dropout(b, dropout, seed * 31 + 1);
        l.add(Map.entry("dropout", d));
        l.add(Map.entry("fc", new Linear(b, "fc", 1024, classes, true)));
        return new GoogLeNetModel(inChannels, inputSize, classes, l, List.of(d));
    }

    /** He normal (fan out) for convolutions, Xavier uniform for the FC layer, batch norm at 1 and 0, zero biases. */
    public GoogLeNetModel initialise(long seed) {
        initialiseParameters(seed, true, true);
        return this;
    }

    @Override
    public String family() { return GoogLeNetFamily.INSTANCE.name(); }

    @Override
    public ModelFile.Info describe(List<String> classNames, org.vgg4j.vgg.data.Preprocess prep, int imageSize) {
        return new ModelFile.Info("googlenet", inChannels(), inputSize(), classes(), 1, 0, 0.2f, classNames,
            prep.mean(), prep.std(), imageSize, 0, true, GoogLeNetFamily.INSTANCE.name());
    }

    @Override
    public String describe() { return "GoogLeNet"; }
}
