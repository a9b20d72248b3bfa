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
import org.vgg4j.nn.io.WeightFiles;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.ShapeOnlyBackend;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Model files of any {@link Family}: safetensors with torchvision's tensor names (parameters and
 * non-trained state such as BatchNorm's running statistics) and, under
 * {@code __metadata__["vgg4j"]}, a JSON {@link Info}: what to build (family, configuration,
 * input, classes, widths) and how to preprocess images (mean, std, input size). A file without
 * that entry is matched against each family's torchvision names.
 */
public final class ModelFile {
    private ModelFile() {}

    public static final String KEY = "vgg4j";

    /**
     * What a model file says about its network and its inputs; {@code source}, when not null, where
     * its weights came from and how reading changed them (a Caffe model's channel order).
     */
    public record Info(String config, int inChannels, int inputSize, int classes, int widthDivisor, int fcWidth,
                       float dropout, List<String> classNames, float[] mean, float[] std, int imageSize,
                       int resize, boolean batchNorm, String family, String source) {

        /** A description of weights trained here or taken as they are. */
        public Info(String config, int inChannels, int inputSize, int classes, int widthDivisor, int fcWidth,
                    float dropout, List<String> classNames, float[] mean, float[] std, int imageSize, int resize,
                    boolean batchNorm, String family) {
            this(config, inChannels, inputSize, classes, widthDivisor, fcWidth, dropout, classNames, mean, std,
                imageSize, resize, batchNorm, family, null);
        }

        /** The family that builds the network; files written before families existed are VGG. */
        @Override
        public String family() {
            return family == null ? VggFamily.INSTANCE.name() : family;
        }

        /**
         * @param imageSize side the training images had before they were placed on the input canvas
         *                  (28 for Fashion-MNIST on a 32x32 input); new images are resized to it
         */
        public static Info of(ModelSpec spec, List<String> classNames, Preprocess prep, int imageSize) {
            return new Info(spec.config().label(), spec.inChannels(), spec.inputSize(), spec.classes(),
                spec.widthDivisor(), spec.fcWidth(), spec.dropout(), classNames, prep.mean(), prep.std(), imageSize, 0,
                spec.batchNorm(), VggFamily.INSTANCE.name());
        }

        /** The same description with other class names (e.g. from a labels file). */
        public Info withClassNames(List<String> names) {
            return new Info(config, inChannels, inputSize, classes, widthDivisor, fcWidth, dropout, names, mean, std,
                imageSize, resize, batchNorm, family, source);
        }

        /** The same description with another normalisation and its source (a Caffe model's mean pixel). */
        Info withNormalisation(float[] newMean, float[] newStd, String newSource) {
            return new Info(config, inChannels, inputSize, classes, widthDivisor, fcWidth, dropout, classNames, newMean,
                newStd, imageSize, resize, batchNorm, family, newSource);
        }

        /** The same description with another per-channel std (tests of careless metadata). */
        Info withStd(float[] newStd) {
            return new Info(config, inChannels, inputSize, classes, widthDivisor, fcWidth, dropout, classNames, mean,
                newStd, imageSize, resize, batchNorm, family, source);
        }

        public ModelSpec spec() {
            return new ModelSpec(VggConfig.parse(config), inChannels, inputSize, classes, widthDivisor, fcWidth,
                dropout, batchNorm);
        }

        public Preprocess preprocess() {
            return new Preprocess(inputSize, 0, false, mean, std);
        }

        String toJson() {
            return new Gson().toJson(this);
        }
    }

    public static void save(Path file, Network model, Info info) throws IOException {
        SafeTensors.write(file, StateDict.sources(model), Map.of(KEY, info.toJson()), false);
    }

    /** A loaded model and its description. */
    public record Loaded(Network model, Info info) implements AutoCloseable {
        /** Closes the network (its parameters' memory on the backend). */
        @Override
        public void close() {
            model.close();
        }
    }

    /**
     * Builds the network the file describes on {@code backend} and loads its weights and state.
     * A model file is untrusted: first its header alone is read, the network its metadata
     * describes is built on a {@link ShapeOnlyBackend} (no memory, whatever widths or classes the
     * metadata claims) and checked against the header's names, shapes and dtypes; only then are
     * the tensors read and the real network allocated.
     */
    public static Loaded load(Path file, Backend backend) throws IOException {
        Source src = Source.open(file);
        SafeTensors.Header h = src.header();
        Described d = describe(file, h);
        java.util.function.Predicate<String> used = name -> !d.family().ignores(name);
        try (Backend shapes = ShapeOnlyBackend.create(); Network dry = build(file, d, shapes)) {
            StateDict.check(file, dry.parameters(), dry.state(), filter(h.tensors(), used), true);
        }
        SafeTensors.Contents c = src.contents();
        Network model = build(file, d, backend);
        try {
            StateDict.load(file, model, filter(c.tensors(), used), true);
        } catch (IOException | RuntimeException e) {
            model.close();
            throw e;
        }
        return new Loaded(model, d.info());
    }

    /** The format of a model file, told by its content (never by its name). */
    public static String format(Path file) throws IOException {
        WeightFiles.Format f = WeightFiles.detect(file);
        return f == WeightFiles.Format.OTHER ? "Caffe" : f.label();
    }

    /**
     * A model file of any format vgg4j reads, told apart by content: safetensors and PyTorch files
     * give their header first and their values on demand; a Caffe file is one protobuf message,
     * read whole.
     */
    private record Source(Path file, SafeTensors.Header header, SafeTensors.Contents caffe) {
        static Source open(Path file) throws IOException {
            WeightFiles.Format f = WeightFiles.detect(file);
            if (f != WeightFiles.Format.OTHER) {
                return new Source(file, WeightFiles.header(file), null);
            }
            SafeTensors.Contents c;
            try {
                c = CaffeModel.read(file);
            } catch (ModelFileException notCaffe) {
                String caffe = notCaffe.getMessage().substring(file.toString().length() + 2);
                String marker = "not a model file vgg4j reads";
                if (caffe.startsWith(marker)) {
                    // a torn safetensors header or a short file: what the safetensors reader says is the likelier reason
                    try {
                        SafeTensors.header(file);
                    } catch (ModelFileException e) {
                        String why = e.getMessage().substring(file.toString().length() + 2);
                        throw new ModelFileException(file, caffe.substring(0, caffe.indexOf("): ") + 3) + "as safetensors, "
                            + why + "; " + caffe.substring(caffe.indexOf("): ") + 3));
                    }
                }
                throw notCaffe;
            }
            Map<String, SafeTensors.TensorInfo> t = new java.util.LinkedHashMap<>();
            long bytes = 0;
            for (var e : c.tensors().entrySet()) {
                t.put(e.getKey(), new SafeTensors.TensorInfo(e.getValue().dtype(), e.getValue().shape()));
                bytes += 4L * e.getValue().data().length;
            }
            return new Source(file, new SafeTensors.Header(t, c.metadata(), bytes), c);
        }

        SafeTensors.Contents contents() throws IOException {
            return caffe != null ? caffe : WeightFiles.read(file);
        }
    }

    private record Described(Info info, Family family) {}

    private static <T> Map<String, T> filter(Map<String, T> tensors, java.util.function.Predicate<String> keep) {
        Map<String, T> out = new java.util.LinkedHashMap<>();
        tensors.forEach((k, v) -> {
            if (keep.test(k)) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** The description from the metadata, or from the tensor names of a family's torchvision files. */
    private static Described describe(Path file, SafeTensors.Header h) throws ModelFileException {
        String json = h.metadata().get(KEY);
        if (json == null) {
            for (Family f : Family.all()) {
                Info info = f.recognise(file, h.tensors());
                if (info != null) {
                    return new Described(info, f);
                }
            }
            throw new ModelFileException(file, "neither vgg4j metadata nor a torchvision state dict of a known "
                + "family (" + String.join(", ", Family.all().stream().map(Family::name).toList()) + ")");
        }
        try {
            Info info = new Gson().fromJson(json, Info.class);
            Family family = Family.named(info.family());
            info.preprocess();
            if (info.classNames() != null && info.classNames().size() != info.classes()) {
                throw new IllegalArgumentException(info.classNames().size() + " class names for " + info.classes()
                    + " classes");
            }
            return new Described(info, family);
        } catch (JsonParseException | IllegalArgumentException | NullPointerException e) {
            throw new ModelFileException(file, "bad vgg4j metadata: " + org.vgg4j.nn.io.Messages.reason(e));
        }
    }

    private static Network build(Path file, Described d, Backend backend) throws ModelFileException {
        try {
            return d.family().build(backend, d.info(), 0);
        } catch (IllegalArgumentException | NullPointerException | ArithmeticException e) {
            throw new ModelFileException(file, "bad vgg4j metadata: " + org.vgg4j.nn.io.Messages.reason(e));
        }
    }

    /** Class names "0" ... "n-1", for a torchvision file, which holds none. */
    static List<String> numberedClasses(int n) {
        return java.util.stream.IntStream.range(0, n).mapToObj(String::valueOf).toList();
    }

    /** torchvision's ImageNet preprocessing: resize the shorter side to 256, centre crop 224. */
    static final float[] IMAGENET_MEAN = {0.485f, 0.456f, 0.406f};
    static final float[] IMAGENET_STD = {0.229f, 0.224f, 0.225f};

    /**
     * Describes a torchvision VGG state dict (no vgg4j metadata) from its tensors, or returns null
     * when it has no VGG's names: the number of
     * convolutions and their kernel sizes give the configuration (8 -> A, 10 -> B, 13 with 1x1
     * kernels -> C, 13 -> D, 16 -> E), {@code running_mean} tensors mark the {@code _bn} layouts,
     * the shapes give channels, widths and classes; torchvision's ImageNet preprocessing applies.
     */
    static Info torchvision(Path file, java.util.Map<String, ? extends org.vgg4j.nn.io.TensorMeta> t)
        throws ModelFileException {
        int convs = 0;
        boolean pointwise = false;
        boolean bn = t.keySet().stream().anyMatch(k -> k.startsWith("features.") && k.endsWith(".running_mean"));
        for (int i = 0; i < 64; i++) {
            var w = t.get("features." + i + ".weight");
            if (w != null && w.shape().length == 4) {
                convs++;
                pointwise |= w.shape()[2] == 1;
            }
        }
        var first = t.get("features.0.weight");
        var fc0 = t.get("classifier.0.weight");
        var fc6 = t.get("classifier.6.weight");
        if (first == null || fc0 == null || fc6 == null) {
            return null; // not a VGG's names
        }
        if (first.shape().length != 4 || fc0.shape().length != 2 || fc6.shape().length != 2) {
            throw new ModelFileException(file, "features.0.weight, classifier.0.weight or classifier.6.weight "
                + "does not have a VGG's shape");
        }
        VggConfig config = switch (convs) {
            case 8 -> VggConfig.A;
            case 10 -> VggConfig.B;
            case 13 -> pointwise ? VggConfig.C : VggConfig.D;
            case 16 -> VggConfig.E;
            default -> throw new ModelFileException(file, convs + " convolutions: not a VGG configuration of Table 1");
        };
        int divisor = Math.max(1, 64 / first.shape()[0]);
        int fc = fc0.shape()[0];
        int flat = fc0.shape()[1];
        int channels = 512 / divisor;
        int side = (int) Math.round(Math.sqrt(flat / (double) channels));
        if (side * side * channels != flat) {
            throw new ModelFileException(file, "classifier.0.weight takes " + flat + " inputs, not " + channels
                + " channels times a square feature map");
        }
        int classes = fc6.shape()[0];
        List<String> names = numberedClasses(classes);
        return new Info(config.label(), first.shape()[1], side * 32, classes, divisor, fc, 0.5f, names, IMAGENET_MEAN,
            IMAGENET_STD, side * 32, side * 32 * 256 / 224, bn, VggFamily.INSTANCE.name());
    }
}
