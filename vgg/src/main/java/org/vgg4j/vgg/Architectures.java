package org.vgg4j.vgg;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.vgg4j.tensor.Backend;

/**
 * The networks other than VGG that {@code --arch} names: the ResNets ({@code resnet18} ...
 * {@code resnet152}, {@code -cifar} variants), {@code alexnet} and {@code googlenet}. VGG's
 * configurations go through {@link ModelSpec} and {@link VggModel}.
 */
public final class Architectures {
    private Architectures() {}

    /** Whether {@code arch} names one of these (not a VGG configuration). */
    public static boolean isOther(String arch) {
        String a = arch.toLowerCase(Locale.ROOT);
        return ResNetModel.isResNet(a) || a.equals("alexnet") || a.equals("googlenet");
    }

    /** Every name {@code --arch} takes besides VGG's. */
    public static List<String> names() {
        List<String> out = new ArrayList<>(ResNetModel.configs());
        out.add("alexnet");
        out.add("googlenet");
        return out;
    }

    /**
     * The network, with its initialisation when {@code initialise} (He normal convolutions, batch
     * norm at 1 and 0), else zero parameters (for shapes, or a file to load).
     */
    public static Network build(Backend b, String arch, int channels, int input, int classes, float dropout, long seed,
                                boolean initialise) {
        String a = arch.toLowerCase(Locale.ROOT);
        if (ResNetModel.isResNet(a)) {
            ResNetModel m = ResNetModel.build(b, a, channels, input, classes);
            return initialise ? m.initialise(seed) : m;
        }
        if (a.equals("alexnet")) {
            AlexNetModel m = AlexNetModel.build(b, channels, input, classes, dropout, seed);
            return initialise ? m.initialise(seed) : m;
        }
        if (a.equals("googlenet")) {
            GoogLeNetModel m = GoogLeNetModel.build(b, channels, input, classes, dropout, seed);
            return initialise ? m.initialise(seed) : m;
        }
        throw new IllegalArgumentException("unknown architecture '" + arch + "' (VGG's A ... E, or " + names() + ")");
    }
}
