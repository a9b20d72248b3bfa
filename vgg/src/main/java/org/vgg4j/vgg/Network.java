package org.vgg4j.vgg;

import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.vgg.data.Preprocess;

/**
 * A classifier network as the training core sees it, whatever its family: a {@link Module} whose
 * parameter and state names are torchvision's {@code state_dict} names, plus what the trainer,
 * the evaluators, model files and the embedding API need to know about it. A {@link Family}
 * builds networks from their {@link ModelFile.Info}; VGG ({@link VggModel}) is one.
 */
public interface Network extends Module {

    /** The family that builds it, as model files name it: {@code vgg}. */
    String family();

    /** Channels of the input (3 for RGB, 1 for grey). */
    int inChannels();

    /** Side of the square input. */
    int inputSize();

    /** Number of classes the last layer scores. */
    int classes();

    /** Dropout layers in order (their call counters are part of a checkpoint). */
    List<Dropout> dropouts();

    /** The top-level layers in forward order, under their torchvision names (for summaries). */
    List<Map.Entry<String, Module>> namedLayers();

    /**
     * The model-file description of this network trained on images of {@code imageSize} pixels
     * with these class names and this preprocessing.
     */
    ModelFile.Info describe(List<String> classNames, Preprocess prep, int imageSize);

    /** Number of trained values. */
    default long parameterCount() {
        return parameters().stream().mapToLong(Parameter::size).sum();
    }
}
