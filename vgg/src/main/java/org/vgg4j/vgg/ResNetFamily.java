package org.vgg4j.vgg;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.TensorMeta;
import org.vgg4j.tensor.Backend;

/** The ResNet family (torchvision's {@code resnet.py}): {@link ResNetModel}. */
public final class ResNetFamily implements Family {
    public static final ResNetFamily INSTANCE = new ResNetFamily();

    private ResNetFamily() {}

    @Override
    public String name() {
        return "resnet";
    }

    @Override
    public Network build(Backend backend, ModelFile.Info info, long seed) {
        return ResNetModel.build(backend, info.config(), info.inChannels(), info.inputSize(), info.classes());
    }

    /**
     * A torchvision ResNet state dict: the blocks per stage ({@code layer{i}.{j}.conv1.weight}),
     * bottlenecks ({@code conv3}), the stem's kernel (7x7 ImageNet, 3x3 the small-input stem) and
     * the classes ({@code fc.weight}) name the network; torchvision's ImageNet preprocessing applies.
     */
    @Override
    public ModelFile.Info recognise(Path file, Map<String, ? extends TensorMeta> t) throws ModelFileException {
        var conv1 = t.get("conv1.weight");
        var fc = t.get("fc.weight");
        if (conv1 == null || fc == null || !t.containsKey("layer1.0.conv1.weight")) {
            return null;
        }
        if (conv1.shape().length != 4 || fc.shape().length != 2) {
            throw new ModelFileException(file, "conv1.weight or fc.weight does not have a ResNet's shape");
        }
        boolean bottleneck = t.containsKey("layer1.0.conv3.weight");
        int[] blocks = new int[4];
        for (int i = 0; i < 4; i++) {
            while (t.containsKey("layer" + (i + 1) + "." + blocks[i] + ".conv1.weight")) {
                blocks[i]++;
            }
        }
        String name = null;
        for (var e : ResNetModel.ARCHS.entrySet()) {
            if (e.getValue().bottleneck() == bottleneck && java.util.Arrays.equals(e.getValue().blocks(), blocks)) {
                name = e.getKey();
            }
        }
        if (name == null) {
            throw new ModelFileException(file, "a ResNet of " + (bottleneck ? "bottleneck" : "basic") + " blocks "
                + java.util.Arrays.toString(blocks) + ": not one of torchvision's (" + ResNetModel.configs() + ")");
        }
        boolean small = conv1.shape()[2] == 3;
        int classes = fc.shape()[0];
        List<String> names = ModelFile.numberedClasses(classes);
        int size = small ? 32 : 224;
        return new ModelFile.Info(small ? name + "-cifar" : name, conv1.shape()[1], size, classes, 1, 0, 0f, names,
            ModelFile.IMAGENET_MEAN, ModelFile.IMAGENET_STD, size, small ? 0 : 256, true, name());
    }
}
