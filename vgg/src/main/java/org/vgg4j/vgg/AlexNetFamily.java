package org.vgg4j.vgg;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.TensorMeta;
import org.vgg4j.tensor.Backend;

/** AlexNet (torchvision's {@code alexnet}): {@link AlexNetModel}. */
public final class AlexNetFamily implements Family {
    public static final AlexNetFamily INSTANCE = new AlexNetFamily();

    private AlexNetFamily() {}

    @Override
    public String name() {
        return "alexnet";
    }

    @Override
    public Network build(Backend backend, ModelFile.Info info, long seed) {
        return AlexNetModel.build(backend, info.inChannels(), info.inputSize(), info.classes(), info.dropout(), seed);
    }

    /** torchvision's AlexNet: an 11x11 first convolution and {@code classifier.1}/{@code classifier.6}. */
    @Override
    public ModelFile.Info recognise(Path file, Map<String, ? extends TensorMeta> t) throws ModelFileException {
        var first = t.get("features.0.weight");
        var fc1 = t.get("classifier.1.weight");
        var last = t.get("classifier.6.weight");
        if (first == null || fc1 == null || last == null || first.shape().length != 4 || first.shape()[2] != 11) {
            return null;
        }
        if (last.shape().length != 2) {
            throw new ModelFileException(file, "classifier.6.weight does not have AlexNet's shape");
        }
        int classes = last.shape()[0];
        List<String> names = ModelFile.numberedClasses(classes);
        return new ModelFile.Info("alexnet", first.shape()[1], 224, classes, 1, 4096, 0.5f, names,
            ModelFile.IMAGENET_MEAN, ModelFile.IMAGENET_STD, 224, 256, false, name());
    }
}
