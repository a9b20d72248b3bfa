package org.vgg4j.vgg;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Residual;
import org.vgg4j.nn.Sequential;
import org.vgg4j.nn.layers.AvgPool2d;
import org.vgg4j.nn.layers.BatchNorm2d;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.MaxPool2d;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.Backend;

/**
 * ResNet (He, Zhang, Ren and Sun, 2016) in torchvision's layout and {@code state_dict} names:
 * {@code resnet18} and {@code resnet34} of basic blocks, {@code resnet50}, {@code resnet101} and
 * {@code resnet152} of bottleneck blocks (torchvision's v1.5: the stride on the 3x3 convolution),
 * projection shortcuts ({@code downsample}) where a block changes the shape. The {@code -cifar}
 * variants ({@code resnet18-cifar}, ...) have the small-input stem of the paper's CIFAR-10
 * networks for 28/32-pixel images: one 3x3 convolution of stride 1 and no max-pooling.
 */
public final class ResNetModel extends LayeredNetwork {
    /** Blocks per stage and their kind. */
    record Arch(boolean bottleneck, int[] blocks) {
        int expansion() { return bottleneck ? 4 : 1; }
    }

    static final Map<String, Arch> ARCHS = new LinkedHashMap<>();

    static {
        ARCHS.put("resnet18", new Arch(false, new int[] {2, 2, 2, 2}));
        ARCHS.put("resnet34", new Arch(false, new int[] {3, 4, 6, 3}));
        ARCHS.put("resnet50", new Arch(true, new int[] {3, 4, 6, 3}));
        ARCHS.put("resnet101", new Arch(true, new int[] {3, 4, 23, 3}));
        ARCHS.put("resnet152", new Arch(true, new int[] {3, 8, 36, 3}));
    }

    /** Whether {@code config} names a ResNet ({@code resnet50}, {@code resnet18-cifar}, ...). */
    public static boolean isResNet(String config) {
        return config != null && ARCHS.containsKey(config.toLowerCase(java.util.Locale.ROOT).replace("-cifar", ""));
    }

    /** Every configuration this family builds. */
    public static List<String> configs() {
        List<String> out = new ArrayList<>(ARCHS.keySet());
        ARCHS.keySet().forEach(k -> out.add(k + "-cifar"));
        return out;
    }

    private final String config;

    private ResNetModel(String config, int inChannels, int inputSize, int classes, List<Map.Entry<String, Module>> named) {
        super(inChannels, inputSize, classes, named, List.of());
        this.config = config;
    }

    /**
     * The network {@code config} names for {@code inputSize}-pixel images of {@code inChannels}
     * channels and {@code classes} classes, parameters zero (see {@link #initialise}).
     */
    public static ResNetModel build(Backend b, String config, int inChannels, int inputSize, int classes) {
        String name = config.toLowerCase(java.util.Locale.ROOT);
        boolean small = name.endsWith("-cifar");
        Arch a = ARCHS.get(name.replace("-cifar", ""));
        if (a == null) {
            throw new IllegalArgumentException("unknown ResNet '" + config + "' (known: " + configs() + ")");
        }
        if (inChannels < 1 || classes < 1 || inputSize < (small ? 8 : 32)) {
            throw new IllegalArgumentException("ResNet: " + inChannels + " channels, " + inputSize + " pixels, "
                + classes + " classes");
        }
        List<Map.Entry<String, Module>> layers = new ArrayList<>();
        layers.add(Map.entry("conv1", small ? new Conv2d(b, "conv1", inChannels, 64, 3, 1, 1, false)
            : new Conv2d(b, "conv1", inChannels, 64, 7, 2, 3, false)));
        layers.add(Map.entry("bn1", new BatchNorm2d(b, "bn1", 64)));
        layers.add(Map.entry("relu", new ReLU(b, true)));
        if (!small) {
            layers.add(Map.entry("maxpool", new MaxPool2d(b, 3, 2, 1)));
        }
        int inplanes = 64;
        for (int stage = 1; stage <= 4; stage++) {
            int planes = 64 << (stage - 1);
            List<Module> blocks = new ArrayList<>();
            for (int j = 0; j < a.blocks()[stage - 1]; j++) {
                int stride = j == 0 && stage > 1 ? 2 : 1;
                String p = "layer" + stage + "." + j;
                Sequential body = a.bottleneck()
                    ? new Sequential(new Conv2d(b, p + ".conv1", inplanes, planes, 1, 1, 0, false),
                        new BatchNorm2d(b, p + ".bn1", planes), new ReLU(b, true),
                        new Conv2d(b, p + ".conv2", planes, planes, 3, stride, 1, false),
                        new BatchNorm2d(b, p + ".bn2", planes), new ReLU(b, true),
                        new Conv2d(b, p + ".conv3", planes, planes * 4, 1, 1, 0, false),
                        new BatchNorm2d(b, p + ".bn3", planes * 4))
                    : new Sequential(new Conv2d(b, p + ".conv1", inplanes, planes, 3, stride, 1, false),
                        new BatchNorm2d(b, p + ".bn1", planes), new ReLU(b, true),
                        new Conv2d(b, p + ".conv2", planes, planes, 3, 1, 1, false),
                        new BatchNorm2d(b, p + ".bn2", planes));
                int out = planes * a.expansion();
                Module shortcut = stride != 1 || inplanes != out
                    ? new Sequential(new Conv2d(b, p + ".downsample.0", inplanes, out, 1, stride, 0, false),
                        new BatchNorm2d(b, p + ".downsample.1", out))
                    : null;
                blocks.add(new Sequential(new Residual(b, body, shortcut), new ReLU(b, true)));
                inplanes = out;
            }
            layers.add(Map.entry("layer" + stage, new Sequential(blocks.toArray(new Module[0]))));
        }
        layers.add(Map.entry("avgpool", AvgPool2d.global(b)));
        layers.add(Map.entry("flatten", new Flatten()));
        layers.add(Map.entry("fc", new Linear(b, "fc", inplanes, classes, true)));
        return new ResNetModel(name, inChannels, inputSize, classes, layers);
    }

    /**
     * torchvision's initialisation: He normal (fan out) for the convolutions, batch norm at
     * weight 1 and bias 0, and for the last layer Xavier uniform with zero bias.
     */
    public ResNetModel initialise(long seed) {
        initialiseParameters(seed, true, true);
        return this;
    }

    public String config() { return config; }

    @Override
    public String family() { return ResNetFamily.INSTANCE.name(); }

    @Override
    public ModelFile.Info describe(List<String> classNames, org.vgg4j.vgg.data.Preprocess prep, int imageSize) {
        return new ModelFile.Info(config, inChannels(), inputSize(), classes(), 1, 0, 0f, classNames, prep.mean(),
            prep.std(), imageSize, 0, true, ResNetFamily.INSTANCE.name());
    }

    @Override
    public String describe() {
        return "ResNet " + config;
    }
}
