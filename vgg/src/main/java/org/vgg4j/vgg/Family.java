package org.vgg4j.vgg;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.io.TensorMeta;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.tensor.Backend;

/**
 * A family of networks (torchvision's {@code vgg.py}, {@code resnet.py}, ...): builds a
 * {@link Network} from a model file's description, and recognises its own torchvision state
 * dicts by their tensor names. The core never asks which family it trains.
 */
public interface Family {

    /** The name model files record: {@code vgg}. */
    String name();

    /** The network {@code info} describes, on {@code backend}, parameters zero (files load them). */
    Network build(Backend backend, ModelFile.Info info, long seed);

    /**
     * A description of a state dict without vgg4j metadata (as torchvision saves it) when its
     * tensors are this family's; null when they are not.
     *
     * @throws ModelFileException when they look like this family's but do not make a network
     */
    ModelFile.Info recognise(Path file, Map<String, ? extends TensorMeta> tensors) throws ModelFileException;

    /**
     * Tensors of this family's files that the network does not use and loading skips (GoogLeNet's
     * auxiliary classifiers); none by default.
     */
    default boolean ignores(String tensor) {
        return false;
    }

    /** Every family, in the order files are matched against them. */
    static List<Family> all() {
        // AlexNet before VGG: both name their layers features.{i} and classifier.{i}
        return List.of(AlexNetFamily.INSTANCE, VggFamily.INSTANCE, ResNetFamily.INSTANCE, GoogLeNetFamily.INSTANCE);
    }

    /** The family called {@code name}. */
    static Family named(String name) {
        for (Family f : all()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown model family '" + name + "' (known: "
            + all().stream().map(Family::name).toList() + ")");
    }
}
