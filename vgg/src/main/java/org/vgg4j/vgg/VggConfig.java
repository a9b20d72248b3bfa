package org.vgg4j.vgg;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The six ConvNet configurations of Table 1 (Simonyan & Zisserman, 2015), as data. Every
 * configuration ends with five max-pools and the same classifier: FC-4096, FC-4096,
 * FC-classes, with dropout 0.5 after the first two (section 2.1, 3.1).
 */
public enum VggConfig {
    /** 11 weight layers. */
    A("A", 11, "64 M 128 M 256 256 M 512 512 M 512 512 M"),
    /** A with LRN after the first convolution (section 2.1: it does not help). */
    A_LRN("A-LRN", 11, "64 L M 128 M 256 256 M 512 512 M 512 512 M"),
    /** 13 weight layers. */
    B("B", 13, "64 64 M 128 128 M 256 256 M 512 512 M 512 512 M"),
    /** 16 weight layers, the third conv of the last three blocks is 1x1. */
    C("C", 16, "64 64 M 128 128 M 256 256 1:256 M 512 512 1:512 M 512 512 1:512 M"),
    /** 16 weight layers (VGG-16). */
    D("D", 16, "64 64 M 128 128 M 256 256 256 M 512 512 512 M 512 512 512 M"),
    /** 19 weight layers (VGG-19). */
    E("E", 19, "64 64 M 128 128 M 256 256 256 256 M 512 512 512 512 M 512 512 512 512 M");

    private final String label;
    private final int weightLayers;
    private final List<LayerSpec> features;

    VggConfig(String label, int weightLayers, String table) {
        this.label = label;
        this.weightLayers = weightLayers;
        this.features = parseTable(table);
    }

    /** "64" = conv3-64, "1:256" = conv1-256, "M" = maxpool, "L" = LRN. */
    private static List<LayerSpec> parseTable(String table) {
        List<LayerSpec> out = new ArrayList<>();
        for (String tok : table.split(" ")) {
            switch (tok) {
                case "M" -> out.add(new LayerSpec.Pool());
                case "L" -> out.add(new LayerSpec.Lrn());
                default -> {
                    int colon = tok.indexOf(':');
                    int kernel = colon < 0 ? 3 : Integer.parseInt(tok.substring(0, colon));
                    out.add(new LayerSpec.Conv(kernel, Integer.parseInt(tok.substring(colon + 1))));
                }
            }
        }
        return Collections.unmodifiableList(out);
    }

    /** The paper's name: A, A-LRN, B, C, D, E. */
    public String label() { return label; }

    /** Convolutional plus fully connected layers, as the column headers of Table 1 count them. */
    public int weightLayers() { return weightLayers; }

    /** The convolutional part, in order. */
    public List<LayerSpec> features() { return features; }

    /** Parses A, a-lrn, A_LRN, vgg16 (= D), vgg11 (= A), vgg13, vgg19, 11/13/16/19. */
    public static VggConfig parse(String name) {
        String n = name.trim().toUpperCase(Locale.ROOT).replace('_', '-');
        for (VggConfig c : values()) {
            if (c.label.equals(n)) {
                return c;
            }
        }
        switch (n.replace("VGG", "").replace("-", "")) {
            case "11": return A;
            case "13": return B;
            case "16": return D;
            case "19": return E;
            default:
                throw new IllegalArgumentException("unknown VGG configuration '" + name
                    + "' (expected A, A-LRN, B, C, D, E or vgg11, vgg13, vgg16, vgg19)");
        }
    }

    @Override
    public String toString() { return label; }
}
