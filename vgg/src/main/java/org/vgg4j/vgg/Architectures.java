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
     * The one name of {@code arch}: VGG's configurations by their label ({@code vgg16} is {@code D}),
     * the others in lower case. An unknown name is an error that lists every one {@code --arch} takes.
     */
    public static String canonical(String arch) {
        String a = arch.strip().toLowerCase(Locale.ROOT);
        if (isOther(a)) {
            return a;
        }
        try {
            return VggConfig.parse(a).toString();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown architecture '" + arch + "' (expected a VGG configuration: A, "
                + "A-LRN, B, C, D, E or vgg11, vgg13, vgg16, vgg19; or " + String.join(", ", names()) + ")");
        }
    }

    /**
     * Why {@code arch} cannot take {@code input}-pixel images, or null if it can: VGG halves its input
     * five times (a multiple of 32); the ResNets and GoogLeNet end in global average pooling and take
     * any side from 32 (8 for the {@code -cifar} stems, which do not downsample at the start);
     * AlexNet is built for 224 only. At most 4096 for all, so that a batch's size cannot overflow.
     */
    public static String inputProblem(String arch, int input) {
        String a = arch.toLowerCase(Locale.ROOT);
        if (input > 4096) {
            return "at most 4096";
        }
        if (!isOther(a)) {
            return input >= 32 && input % 32 == 0 ? null : "must be a multiple of 32 from 32 (VGG halves it five times)";
        }
        if (a.equals("alexnet")) {
            return input == 224 ? null : "--arch alexnet takes 224 only";
        }
        int min = ResNetModel.isResNet(a) && a.endsWith("-cifar") ? 8 : 32;
        return input >= min ? null : "at least " + min + " for " + a;
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
