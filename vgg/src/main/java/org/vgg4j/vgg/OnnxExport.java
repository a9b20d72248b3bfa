package org.vgg4j.vgg;

import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Concat;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.Residual;
import org.vgg4j.nn.Sequential;
import org.vgg4j.nn.layers.AvgPool2d;
import org.vgg4j.nn.layers.BatchNorm2d;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.LocalResponseNorm;
import org.vgg4j.nn.layers.MaxPool2d;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.vgg.formats.onnx.OnnxProto.AttributeProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.GraphProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.ModelProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.NodeProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.OperatorSetIdProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.StringStringEntryProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.TensorProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.TensorShapeProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.TypeProto;
import org.vgg4j.vgg.formats.onnx.OnnxProto.ValueInfoProto;

/**
 * Writes a network as an ONNX model (IR version 7, opset 13), for ONNX Runtime, TensorRT or
 * OpenVINO: the inference graph (dropout is the identity, batch norm uses its running
 * statistics) of standard operators (Conv, BatchNormalization, Relu, MaxPool, AveragePool,
 * GlobalAveragePool, LRN, Flatten, Gemm, Add, Concat), the weights as initializers under their
 * torchvision names. The input {@code input} is {@code [N, C, S, S]}, preprocessed as the model
 * file's metadata says (which goes along as the metadata entry {@code vgg4j}); the output
 * {@code logits} is {@code [N, classes]}. N is the symbolic {@code batch} unless a static batch
 * is asked for.
 */
public final class OnnxExport {
    private OnnxExport() {}

    public static final int OPSET = 13;
    public static final int IR_VERSION = 7;
    private static final int FLOAT = 1;

    /**
     * @param batch a static batch size, or 0 for a dynamic one
     */
    public static void write(Path out, Network net, ModelFile.Info info, int batch, String version) throws IOException {
        if (batch < 0) {
            throw new IllegalArgumentException("batch " + batch);
        }
        Builder b = new Builder();
        String x = "input";
        for (Map.Entry<String, Module> e : net.namedLayers()) {
            x = b.emit(e.getValue(), x, e.getKey());
        }
        b.graph.addNode(NodeProto.newBuilder().setOpType("Identity").setName("output").addInput(x).addOutput("logits"));
        b.graph.setName(net.family() + "-" + info.config());
        b.graph.addInput(value("input", batch, net.inChannels(), net.inputSize(), net.inputSize()));
        b.graph.addOutput(value("logits", batch, net.classes()));
        ModelProto model = ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
            .setProducerName("vgg4j")
            .setProducerVersion(version == null ? "" : version)
            .setDocString("vgg4j " + net.family() + " " + info.config() + ": input [N, " + net.inChannels() + ", "
                + net.inputSize() + ", " + net.inputSize() + "] normalised per channel with mean "
                + java.util.Arrays.toString(info.mean()) + " and std " + java.util.Arrays.toString(info.std())
                + " on values in [0, 1]; output: logits over " + net.classes() + " classes")
            .setGraph(b.graph)
            .addMetadataProps(StringStringEntryProto.newBuilder().setKey(ModelFile.KEY).setValue(info.toJson()))
            .build();
        Path dir = out.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = org.vgg4j.nn.io.AtomicFiles.temporary(dir, out.getFileName() + ".");
        try {
            try (OutputStream o = Files.newOutputStream(tmp)) {
                model.writeTo(o);
            }
            try {
                Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static ValueInfoProto.Builder value(String name, int batch, int... rest) {
        TensorShapeProto.Builder s = TensorShapeProto.newBuilder();
        s.addDim(batch > 0 ? TensorShapeProto.Dimension.newBuilder().setDimValue(batch)
            : TensorShapeProto.Dimension.newBuilder().setDimParam("batch"));
        for (int d : rest) {
            s.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
        }
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder()
            .setTensorType(TypeProto.Tensor.newBuilder().setElemType(FLOAT).setShape(s)));
    }

    private static final class Builder {
        final GraphProto.Builder graph = GraphProto.newBuilder();
        private int nodes;

        /** Adds {@code m}'s operators reading {@code x}; returns the name of its output. */
        String emit(Module m, String x, String name) {
            if (m instanceof Sequential s) {
                List<Module> mods = s.modules();
                for (int i = 0; i < mods.size(); i++) {
                    x = emit(mods.get(i), x, name + "." + i);
                }
                return x;
            }
            if (m instanceof Dropout) {
                return x;
            }
            if (m instanceof Conv2d c) {
                NodeProto.Builder n = node("Conv", name, x, param(c.weight()));
                if (c.bias() != null) {
                    n.addInput(param(c.bias()));
                }
                n.addAttribute(ints("kernel_shape", c.kernelH(), c.kernelW()))
                    .addAttribute(ints("strides", c.strideH(), c.strideW()))
                    .addAttribute(ints("pads", c.padH(), c.padW(), c.padH(), c.padW()));
                return out(n);
            }
            if (m instanceof BatchNorm2d bn) {
                NodeProto.Builder n = node("BatchNormalization", name, x, param(bn.weight()), param(bn.bias()),
                    tensor(bn.runningMean().name(), bn.runningMean().value()),
                    tensor(bn.runningVar().name(), bn.runningVar().value()));
                n.addAttribute(AttributeProto.newBuilder().setName("epsilon").setType(AttributeProto.AttributeType.FLOAT)
                    .setF(bn.eps()));
                return out(n);
            }
            if (m instanceof ReLU) {
                return out(node("Relu", name, x));
            }
            if (m instanceof MaxPool2d p) {
                NodeProto.Builder n = node("MaxPool", name, x)
                    .addAttribute(ints("kernel_shape", p.kernel(), p.kernel()))
                    .addAttribute(ints("strides", p.stride(), p.stride()))
                    .addAttribute(ints("pads", p.padding(), p.padding(), p.padding(), p.padding()));
                if (p.ceil()) {
                    n.addAttribute(integer("ceil_mode", 1));
                }
                return out(n);
            }
            if (m instanceof AvgPool2d p) {
                if (p.isGlobal()) {
                    return out(node("GlobalAveragePool", name, x));
                }
                return out(node("AveragePool", name, x)
                    .addAttribute(ints("kernel_shape", p.kernel(), p.kernel()))
                    .addAttribute(ints("strides", p.stride(), p.stride()))
                    .addAttribute(ints("pads", p.padding(), p.padding(), p.padding(), p.padding()))
                    .addAttribute(integer("count_include_pad", 0)));
            }
            if (m instanceof LocalResponseNorm l) {
                return out(node("LRN", name, x)
                    .addAttribute(integer("size", l.params().size()))
                    .addAttribute(real("alpha", l.params().alpha()))
                    .addAttribute(real("beta", l.params().beta()))
                    .addAttribute(real("bias", l.params().k())));
            }
            if (m instanceof Flatten) {
                return out(node("Flatten", name, x).addAttribute(integer("axis", 1)));
            }
            if (m instanceof Linear l) {
                NodeProto.Builder n = node("Gemm", name, x, param(l.weight()));
                if (l.bias() != null) {
                    n.addInput(param(l.bias()));
                }
                return out(n.addAttribute(integer("transB", 1)));
            }
            if (m instanceof Residual r) {
                String body = emit(r.body(), x, name + ".body");
                String skip = r.shortcut() == null ? x : emit(r.shortcut(), x, name + ".shortcut");
                return out(node("Add", name + ".add", body, skip));
            }
            if (m instanceof Concat c) {
                NodeProto.Builder n = node("Concat", name + ".concat");
                for (int i = 0; i < c.branches().size(); i++) {
                    n.addInput(emit(c.branches().get(i), x, name + ".branch" + (i + 1)));
                }
                return out(n.addAttribute(integer("axis", 1)));
            }
            throw new IllegalArgumentException("ONNX export: no ONNX operator for " + m.getClass().getSimpleName()
                + " (" + name + ")");
        }

        private NodeProto.Builder node(String op, String name, String... inputs) {
            NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name + "#" + (nodes++));
            for (String i : inputs) {
                n.addInput(i);
            }
            return n;
        }

        private String out(NodeProto.Builder n) {
            String o = n.getName();
            n.addOutput(o);
            graph.addNode(n);
            return o;
        }

        private String param(Parameter p) {
            return tensor(p.name(), p.value());
        }

        private String tensor(String name, Tensor t) {
            float[] v = t.toHost();
            ByteBuffer bb = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
            bb.asFloatBuffer().put(v);
            TensorProto.Builder tp = TensorProto.newBuilder().setName(name).setDataType(FLOAT)
                .setRawData(ByteString.copyFrom(bb.array()));
            for (int d : t.shape()) {
                tp.addDims(d);
            }
            graph.addInitializer(tp);
            return name;
        }

        private static AttributeProto.Builder ints(String name, long... v) {
            AttributeProto.Builder a = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
            for (long x : v) {
                a.addInts(x);
            }
            return a;
        }

        private static AttributeProto.Builder integer(String name, long v) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(v);
        }

        private static AttributeProto.Builder real(String name, float v) {
            return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(v);
        }
    }
}
