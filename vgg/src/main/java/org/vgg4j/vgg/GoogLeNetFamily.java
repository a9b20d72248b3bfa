package org.vgg4j.vgg;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.TensorMeta;
import org.vgg4j.tensor.Backend;

/** GoogLeNet (torchvision's {@code googlenet}): {@link GoogLeNetModel}. */
public final class GoogLeNetFamily implements Family {
    public static final GoogLeNetFamily INSTANCE = new GoogLeNetFamily();

    private GoogLeNetFamily() {}

    @Override
    public String name() {
        return "googlenet";
    }

    @Override
    public Network build(Backend backend, ModelFile.Info info, long seed) {
        return GoogLeNetModel.build(backend, info.inChannels(), info.inputSize(), info.classes(), info.dropout(), seed);
    }

    /** The auxiliary classifiers of a training checkpoint: not part of the network evaluated. */
    @Override
    public boolean ignores(String tensor) {
        return tensor.startsWith("aux1.") || tensor.startsWith("aux2.");
    }

    @Override
    public ModelFile.Info recognise(Path file, Map<String, ? extends TensorMeta> t) throws ModelFileException {
        var first = t.get("conv1.conv.weight");
        var fc = t.get("fc.weight");
        if (first == null || fc == null || !t.containsKey("inception3a.branch1.conv.weight")) {
            return null;
        }
        if (first.shape().length != 4 || fc.shape().length != 2) {
            throw new ModelFileException(file, "conv1.conv.weight or fc.weight does not have GoogLeNet's shape");
        }
        int classes = fc.shape()[0];
        List<String> names = ModelFile.numberedClasses(classes);
        return new ModelFile.Info("googlenet", first.shape()[1], 224, classes, 1, 0, 0.2f, names,
            ModelFile.IMAGENET_MEAN, ModelFile.IMAGENET_STD, 224, 256, true, name());
    }
}
