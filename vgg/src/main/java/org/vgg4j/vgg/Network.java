package org.vgg4j.vgg;

import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.tensor.Tensor;
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

    /**
     * Warm start (fine-tuning): copies every parameter and every running statistic of
     * {@code from} whose name and shape match one of this network's; returns the names copied.
     * The classifier of a network with other classes keeps its initialisation.
     */
    default List<String> copyMatching(Network from) {
        Map<String, Tensor> theirs = new java.util.HashMap<>();
        from.parameters().forEach(p -> theirs.put(p.name(), p.value()));
        from.state().stream().filter(s -> !s.isCounter()).forEach(s -> theirs.put(s.name(), s.value()));
        List<String> copied = new java.util.ArrayList<>();
        java.util.function.BiConsumer<String, Tensor> copy = (name, to) -> {
            Tensor t = theirs.get(name);
            if (t != null && java.util.Arrays.equals(t.shape(), to.shape())) {
                float[] v = t.toHost();
                to.backend().upload(v, 0, to, 0, v.length);
                copied.add(name);
            }
        };
        parameters().forEach(p -> copy.accept(p.name(), p.value()));
        state().stream().filter(s -> !s.isCounter()).forEach(s -> copy.accept(s.name(), s.value()));
        return copied;
    }

    /** Number of trained values. */
    default long parameterCount() {
        return parameters().stream().mapToLong(Parameter::size).sum();
    }
}
