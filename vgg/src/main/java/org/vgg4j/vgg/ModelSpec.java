package org.vgg4j.vgg;

/**
 * What a VGG model is built from: a configuration of Table 1 plus the input and classifier
 * sizes, so that the same configurations serve 224x224 ImageNet (the paper) and small 32x32 or
 * 28x28 inputs. Convolution widths are divided by {@code widthDivisor} (1 = the paper's).
 *
 * @param config       A, A-LRN, B, C, D or E
 * @param inChannels   3 for RGB, 1 for grey images
 * @param inputSize    side of the square input; must be a multiple of 32 (five 2x2 pools)
 * @param classes      outputs of the last FC layer (1000 for ImageNet)
 * @param widthDivisor convolution channels are the paper's divided by this
 * @param fcWidth      width of the two hidden FC layers (4096 in the paper); 0 for a single FC layer
 *                     from the features to the classes (the usual CIFAR-size VGG)
 * @param dropout      dropout probability after the two hidden FC layers (0.5 in the paper)
 * @param batchNorm    batch normalisation after every convolution (torchvision's {@code vgg*_bn})
 */
public record ModelSpec(VggConfig config, int inChannels, int inputSize, int classes,
                        int widthDivisor, int fcWidth, float dropout, boolean batchNorm) {
    public ModelSpec {
        if (config == null || inChannels <= 0 || classes <= 0 || widthDivisor <= 0 || fcWidth < 0) {
            throw new IllegalArgumentException("model spec: bad values " + config + " channels=" + inChannels
                + " classes=" + classes + " width/" + widthDivisor + " fc=" + fcWidth);
        }
        if (inputSize < 32 || inputSize % 32 != 0) {
            throw new IllegalArgumentException("model spec: input size " + inputSize
                + " is not a multiple of 32 (VGG halves it five times)");
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("model spec: dropout " + dropout + " outside [0, 1)");
        }
    }

    /** Without batch norm, as in the paper. */
    public ModelSpec(VggConfig config, int inChannels, int inputSize, int classes, int widthDivisor, int fcWidth,
                     float dropout) {
        this(config, inChannels, inputSize, classes, widthDivisor, fcWidth, dropout, false);
    }

    /** The same network with or without batch normalisation. */
    public ModelSpec withBatchNorm(boolean bn) {
        return new ModelSpec(config, inChannels, inputSize, classes, widthDivisor, fcWidth, dropout, bn);
    }

    /** The paper's network: 224x224x3 input, 1000 classes, FC-4096. */
    public static ModelSpec imagenet(VggConfig config) {
        return new ModelSpec(config, 3, 224, 1000, 1, 4096, 0.5f);
    }

    /** Channels of a convolution of the paper's width {@code paperWidth}, at this spec's width. */
    public int width(int paperWidth) {
        return Math.max(1, paperWidth / widthDivisor);
    }

    /** Side of the last feature map (input / 32). */
    public int featureSize() {
        return inputSize / 32;
    }

    /** Channels of the last feature map. */
    public int featureChannels() {
        return width(512);
    }
}
