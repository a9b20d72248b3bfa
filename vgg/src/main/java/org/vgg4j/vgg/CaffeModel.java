package org.vgg4j.vgg;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.Limits;
import org.vgg4j.nn.io.Messages;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.ShapeOnlyBackend;
import org.vgg4j.vgg.formats.caffe.CaffeProto;

/**
 * Caffe's {@code .caffemodel} (a protobuf {@code NetParameter}), as the paper's authors released
 * VGG-16 and VGG-19 ({@code VGG_ILSVRC_16_layers.caffemodel}, {@code VGG_ILSVRC_19_layers.caffemodel},
 * Caffe Model Zoo): the convolution and inner-product layers, in file order, become a VGG's
 * {@code features.*} and {@code classifier.*} weights (as stored, OIHW); the configuration, widths,
 * input size and classes follow from their shapes as for a torchvision file. Both layer
 * messages are read: {@code layer} (type strings) and the older {@code layers} (type numbers)
 * that the released files use.
 *
 * <p>Caffe's preprocessing: BGR channel order, values 0 to 255 less the mean pixel
 * (B 103.939, G 116.779, R 123.68), no scaling. vgg4j's networks take RGB, so the first
 * convolution's input channels are put in RGB order on reading and the model file records the
 * mean pixel in RGB order with a std of 1/255 ({@code (x/255 - m/255) / (1/255) = x - m} on 0-255
 * values): {@code predict}, {@code eval} and {@link Classifier} then feed the network exactly what
 * Caffe fed it. {@link ModelFile.Info#source()} says so, and goes with the model into the files
 * {@code convert} and {@code export} write.
 */
final class CaffeModel {
    private CaffeModel() {}

    /** What {@link ModelFile.Info#source()} says of a Caffe model. */
    static final String SOURCE = "Caffe .caffemodel: BGR channel order, 0-255 values less the mean pixel (B 103.939, "
        + "G 116.779, R 123.68), no std; the first convolution's input channels reordered to RGB, and the mean pixel "
        + "and a std of 1/255 given here in RGB order for values in [0, 1]";
    private static final String SOURCE_GREY = "Caffe .caffemodel: 0-255 values, no mean or std recorded by the file";

    /** Caffe's mean pixel of the ILSVRC training images, B, G, R, on 0-255 values. */
    static final float[] MEAN_BGR = {103.939f, 116.779f, 123.68f};

    private static final int V1_CONVOLUTION = 4;
    private static final int V1_INNER_PRODUCT = 14;

    private record Blob(int[] shape, float[] values) {}

    private record Layer(String name, boolean conv, Blob weight, Blob bias) {}

    /**
     * The file as a VGG model file's contents (torchvision names, vgg4j metadata).
     *
     * @throws ModelFileException when it is not a Caffe network, or not one of a VGG
     */
    static SafeTensors.Contents read(Path file) throws IOException {
        CaffeProto.NetParameter net = parse(file);
        List<Layer> layers = weightLayers(file, net);
        List<Layer> convs = layers.stream().filter(Layer::conv).toList();
        List<Layer> fcs = layers.stream().filter(l -> !l.conv()).toList();
        if (fcs.size() != 3) {
            throw new ModelFileException(file, "a Caffe network with " + convs.size() + " convolution and " + fcs.size()
                + " inner-product layers; a VGG has three inner-product layers");
        }
        Map<String, HostTensor> named = new LinkedHashMap<>();
        for (int i = 0; i < convs.size(); i++) {
            named.put("features." + i + ".weight", new HostTensor(convs.get(i).weight().shape(),
                convs.get(i).weight().values()));
        }
        for (int i = 0; i < 3; i++) {
            named.put("classifier." + 3 * i + ".weight", new HostTensor(fcs.get(i).weight().shape(),
                fcs.get(i).weight().values()));
        }
        ModelFile.Info tv = ModelFile.torchvision(file, named);
        if (tv == null || tv.batchNorm()) {
            throw new ModelFileException(file, "a Caffe network whose layers are not a VGG's");
        }
        float[] meanRgb = new float[3];
        float[] std = new float[3];
        for (int c = 0; c < 3; c++) {
            meanRgb[c] = MEAN_BGR[2 - c] / 255f;
            std[c] = 1f / 255f;
        }
        int in = tv.inChannels();
        ModelFile.Info info = in == 3 ? tv.withNormalisation(meanRgb, std, SOURCE)
            : tv.withNormalisation(fill(in, 0f), fill(in, 1f / 255f), SOURCE_GREY);

        // the network's parameters, in module order, take the layers' blobs in file order
        Map<String, HostTensor> tensors = new LinkedHashMap<>();
        try (Backend shapes = ShapeOnlyBackend.create();
             Network dry = VggFamily.INSTANCE.build(shapes, info, 0)) {
            List<Parameter> params = dry.parameters();
            List<Layer> ordered = new ArrayList<>(convs);
            ordered.addAll(fcs);
            if (params.size() != 2 * ordered.size()) {
                throw new ModelFileException(file, "a Caffe network of " + ordered.size() + " weight layers for a VGG with "
                    + params.size() / 2);
            }
            for (int i = 0; i < ordered.size(); i++) {
                Layer l = ordered.get(i);
                Blob w = l.weight();
                if (i == 0 && in == 3) {
                    w = bgrToRgb(w);
                }
                put(file, tensors, params.get(2 * i), l, 0, w);
                put(file, tensors, params.get(2 * i + 1), l, 1, l.bias());
            }
        }
        return new SafeTensors.Contents(tensors, Map.of(ModelFile.KEY, info.toJson()));
    }

    private static float[] fill(int n, float v) {
        float[] a = new float[n];
        Arrays.fill(a, v);
        return a;
    }

    private static void put(Path file, Map<String, HostTensor> out, Parameter p, Layer l, int blob, Blob b)
        throws ModelFileException {
        int[] want = p.shape();
        int[] have = b.shape();
        if (have.length != want.length) {
            // Caffe's older files give every blob four dimensions: drop leading ones
            int drop = have.length - want.length;
            if (drop > 0 && Arrays.stream(have, 0, drop).allMatch(d -> d == 1)) {
                have = Arrays.copyOfRange(have, drop, have.length);
            }
        }
        if (!Arrays.equals(have, want)) {
            throw new ModelFileException(file, "layer '" + Messages.oneLine(l.name()) + "' blob " + blob + " has shape "
                + Arrays.toString(b.shape()) + ", where the VGG its layers describe needs " + Arrays.toString(want)
                + " (" + p.name() + ")");
        }
        out.put(p.name(), new HostTensor(want, b.values()));
    }

    /** The weight with its input channels (dimension 1) in reverse order. */
    private static Blob bgrToRgb(Blob w) {
        int[] s = w.shape();
        int out = s[0];
        int in = s[1];
        int k = w.values().length / (out * in);
        float[] v = new float[w.values().length];
        for (int o = 0; o < out; o++) {
            for (int c = 0; c < in; c++) {
                System.arraycopy(w.values(), (o * in + c) * k, v, (o * in + (in - 1 - c)) * k, k);
            }
        }
        return new Blob(s, v);
    }

    private static CaffeProto.NetParameter parse(Path file) throws IOException {
        long size = Files.size(file);
        if (size > Limits.modelBytes()) {
            throw new ModelFileException(file, "is " + size + " bytes, more than the limit of " + Limits.modelBytes()
                + " (" + Limits.MODEL_BYTES + ")");
        }
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            CodedInputStream cin = CodedInputStream.newInstance(in);
            cin.setSizeLimit(Integer.MAX_VALUE);
            CaffeProto.NetParameter net = CaffeProto.NetParameter.parseFrom(cin);
            cin.checkLastTagWas(0);
            return net;
        } catch (InvalidProtocolBufferException e) {
            throw notAModel(file, "as Caffe's protobuf: " + Messages.reason(e));
        }
    }

    /** The refusal of a file that is none of the formats vgg4j reads. */
    static ModelFileException notAModel(Path file, String why) {
        return new ModelFileException(file, "not a model file vgg4j reads (safetensors, PyTorch .pth/.pt, Caffe "
            + ".caffemodel): " + why);
    }

    private static List<Layer> weightLayers(Path file, CaffeProto.NetParameter net) throws ModelFileException {
        List<Layer> out = new ArrayList<>();
        if (net.getLayerCount() > 0) {
            for (CaffeProto.LayerParameter l : net.getLayerList()) {
                if (l.getBlobsCount() == 0) {
                    continue;
                }
                boolean conv = l.getType().equals("Convolution");
                if (!conv && !l.getType().equals("InnerProduct")) {
                    throw new ModelFileException(file, "Caffe layer '" + Messages.oneLine(l.getName()) + "' of type "
                        + Messages.oneLine(l.getType()) + " has weights; vgg4j maps the convolution and inner-product "
                        + "layers of a VGG");
                }
                out.add(layer(file, l.getName(), conv, l.getBlobsList()));
            }
        } else {
            for (CaffeProto.V1LayerParameter l : net.getLayersList()) {
                if (l.getBlobsCount() == 0) {
                    continue;
                }
                boolean conv = l.getType() == V1_CONVOLUTION;
                if (!conv && l.getType() != V1_INNER_PRODUCT) {
                    throw new ModelFileException(file, "Caffe layer '" + Messages.oneLine(l.getName()) + "' of type "
                        + l.getType() + " has weights; vgg4j maps the convolution and inner-product layers of a VGG");
                }
                out.add(layer(file, l.getName(), conv, l.getBlobsList()));
            }
        }
        if (out.isEmpty()) {
            throw notAModel(file, "read as Caffe's protobuf, it holds no layer with weights");
        }
        return out;
    }

    private static Layer layer(Path file, String name, boolean conv, List<CaffeProto.BlobProto> blobs)
        throws ModelFileException {
        if (blobs.size() != 2) {
            throw new ModelFileException(file, "Caffe layer '" + Messages.oneLine(name) + "' has " + blobs.size()
                + " blobs; a VGG's layers have a weight and a bias");
        }
        Blob w = blob(file, name, 0, blobs.get(0));
        Blob b = blob(file, name, 1, blobs.get(1));
        return new Layer(name, conv, conv ? w : squeeze(w, 2), squeeze(b, 1));
    }

    /** Without the leading ones of Caffe's older four-dimensional blobs, down to {@code rank} dimensions. */
    private static Blob squeeze(Blob b, int rank) {
        int[] s = b.shape();
        int drop = 0;
        while (s.length - drop > rank && s[drop] == 1) {
            drop++;
        }
        return drop == 0 ? b : new Blob(Arrays.copyOfRange(s, drop, s.length), b.values());
    }

    private static Blob blob(Path file, String layer, int index, CaffeProto.BlobProto b) throws ModelFileException {
        long[] dims;
        if (b.hasShape()) {
            dims = b.getShape().getDimList().stream().mapToLong(Long::longValue).toArray();
        } else {
            dims = new long[] {b.getNum(), b.getChannels(), b.getHeight(), b.getWidth()};
        }
        int[] shape = new int[dims.length];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new ModelFileException(file, "Caffe layer '" + Messages.oneLine(layer) + "' blob " + index
                    + " has a dimension of " + dims[i]);
            }
            shape[i] = (int) dims[i];
            count = dims[i] == 0 ? 0 : count > Integer.MAX_VALUE ? count : count * dims[i];
        }
        int n = b.getDataCount() > 0 ? b.getDataCount() : b.getDoubleDataCount();
        if (count != n) {
            throw new ModelFileException(file, "Caffe layer '" + Messages.oneLine(layer) + "' blob " + index + " holds " + n
                + " values, and its shape " + Arrays.toString(shape) + " needs " + count);
        }
        float[] v = new float[n];
        if (b.getDataCount() > 0) {
            for (int i = 0; i < n; i++) {
                v[i] = b.getData(i);
            }
        } else {
            for (int i = 0; i < n; i++) {
                v[i] = (float) b.getDoubleData(i);
            }
        }
        return new Blob(shape, v);
    }
}
