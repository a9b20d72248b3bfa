package org.vgg4j.vgg;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.StateDict;
import org.vgg4j.tensor.Backend;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Model files: safetensors with torchvision's tensor names and, under {@code __metadata__["vgg4j"]},
 * a JSON {@link Info}: what to build (configuration, input, classes, widths) and how to
 * preprocess images (mean, std, input size).
 */
public final class ModelFile {
    private ModelFile() {}

    public static final String KEY = "vgg4j";

    /** What a model file says about its network and its inputs. */
    public record Info(String config, int inChannels, int inputSize, int classes, int widthDivisor, int fcWidth,
                       float dropout, List<String> classNames, float[] mean, float[] std, int imageSize) {

        /**
         * @param imageSize side the training images had before they were placed on the input canvas
         *                  (28 for Fashion-MNIST on a 32x32 input); new images are resized to it
         */
        public static Info of(ModelSpec spec, List<String> classNames, Preprocess prep, int imageSize) {
            return new Info(spec.config().label(), spec.inChannels(), spec.inputSize(), spec.classes(),
                spec.widthDivisor(), spec.fcWidth(), spec.dropout(), classNames, prep.mean(), prep.std(), imageSize);
        }

        public ModelSpec spec() {
            return new ModelSpec(VggConfig.parse(config), inChannels, inputSize, classes, widthDivisor, fcWidth,
                dropout);
        }

        public Preprocess preprocess() {
            return new Preprocess(inputSize, 0, false, mean, std);
        }

        String toJson() {
            return new Gson().toJson(this);
        }
    }

    public static void save(Path file, VggModel model, Info info) throws IOException {
        SafeTensors.write(file, StateDict.of(model.parameters()), Map.of(KEY, info.toJson()), false);
    }

    /** A loaded model and its description. */
    public record Loaded(VggModel model, Info info) {}

    /** Builds the network the file describes on {@code backend} and loads its weights. */
    public static Loaded load(Path file, Backend backend) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String json = c.metadata().get(KEY);
        if (json == null) {
            throw new ModelFileException(file, "no vgg4j metadata (a torchvision state dict? see `vgg4j predict --arch`)");
        }
        Info info;
        ModelSpec spec;
        try {
            info = new Gson().fromJson(json, Info.class);
            spec = info.spec();
        } catch (JsonParseException | IllegalArgumentException | NullPointerException e) {
            throw new ModelFileException(file, "bad vgg4j metadata: " + e.getMessage());
        }
        VggModel model = VggModel.build(backend, spec, 0);
        try {
            StateDict.load(file, model.parameters(), c.tensors(), true);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return new Loaded(model, info);
    }
}
