package org.vgg4j.vgg;

import java.nio.file.Path;
import java.util.Map;
import org.vgg4j.nn.io.TensorMeta;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.tensor.Backend;

/** The VGG family: the configurations of Table 1, with or without batch norm (torchvision's vgg*, vgg*_bn). */
public final class VggFamily implements Family {
    public static final VggFamily INSTANCE = new VggFamily();

    private VggFamily() {}

    @Override
    public String name() {
        return "vgg";
    }

    @Override
    public Network build(Backend backend, ModelFile.Info info, long seed) {
        return VggModel.build(backend, info.spec(), seed);
    }

    @Override
    public ModelFile.Info recognise(Path file, Map<String, ? extends TensorMeta> tensors) throws ModelFileException {
        return ModelFile.torchvision(file, tensors);
    }
}
