package org.vgg4j.vgg.fuzz;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.TensorSource;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.ModelFile;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggConfig;
import org.vgg4j.vgg.VggModel;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Writes the committed seed corpus of the fuzz targets: small valid files of each format (and
 * the regression mode of the normal test suite runs every target on them). Run it again after a
 * format changes: {@code scripts/fuzz.sh --seeds}.
 */
public final class SeedCorpus {
    private SeedCorpus() {}

    public static void main(String[] args) throws IOException {
        Path root = Path.of(args.length > 0 ? args[0] : "vgg/src/test/resources/org/vgg4j/vgg/fuzz");
        safetensors(dir(root, "SafeTensorsFuzzTest"));
        models(dir(root, "ModelFileFuzzTest"));
        idx(dir(root, "IdxFuzzTest"));
        cifar(dir(root, "CifarFuzzTest"));
        images(dir(root, "ImageFuzzTest"));
        pytorch(dir(root, "PyTorchFuzzTest"));
        caffe(dir(root, "CaffeFuzzTest"));
    }

    /** Pickles as torch.save writes them (dicts, OrderedDict with its BUILD, nesting, views) with one storage. */
    private static void pytorch(Path dir) throws IOException {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            b.putFloat(i - 2.5f);
        }
        byte[] storage = b.array();
        Files.write(dir.resolve("dict"), pair(new org.vgg4j.vgg.PickleWriter().op('}', '(').str("a.weight")
            .tensor("0", 6, new int[] {2, 3}, new int[] {3, 1}).str("a.bias").tensor("0", 6, new int[] {2},
                new int[] {1}).op('u').bytes(), storage));
        Files.write(dir.resolve("ordered-dict"), pair(new org.vgg4j.vgg.PickleWriter()
            .global("collections", "OrderedDict").op(')', 'R', 'q', 0, '(').str("w")
            .tensor("0", 6, new int[] {3, 2}, new int[] {1, 3}).op('u', '}', '(').str("_metadata").op('}', 'u', 'b')
            .bytes(), storage));
        Files.write(dir.resolve("nested"), pair(new org.vgg4j.vgg.PickleWriter().op('}', '(').str("epoch").int1(3)
            .str("state_dict").op('}', '(').str("module.x").tensor("0", 6, new int[] {6}, new int[] {1})
            .op('u', 'u').bytes(), storage));
    }

    /** A VGG-A of width 1/64 for 32x32 input as a Caffe V1 NetParameter. */
    private static void caffe(Path dir) throws IOException {
        ModelSpec spec = new ModelSpec(VggConfig.A, 3, 32, 2, 64, 4, 0.5f, false);
        try (CpuBackend cpu = new CpuBackend(); VggModel m = VggModel.build(cpu, spec, 1)) {
            var net = org.vgg4j.vgg.formats.caffe.CaffeProto.NetParameter.newBuilder().setName("seed");
            var params = m.parameters();
            for (int i = 0; i < params.size(); i += 2) {
                var layer = org.vgg4j.vgg.formats.caffe.CaffeProto.V1LayerParameter.newBuilder()
                    .setName("layer" + i / 2).setType(params.get(i).shape().length == 4 ? 4 : 14);
                for (int j = i; j < i + 2; j++) {
                    var blob = org.vgg4j.vgg.formats.caffe.CaffeProto.BlobProto.newBuilder();
                    var shape = org.vgg4j.vgg.formats.caffe.CaffeProto.BlobShape.newBuilder();
                    for (int d : params.get(j).shape()) {
                        shape.addDim(d);
                    }
                    for (float v : params.get(j).value().toHost()) {
                        blob.addData(v);
                    }
                    layer.addBlobs(blob.setShape(shape));
                }
                net.addLayers(layer);
            }
            Files.write(dir.resolve("vgg-a.caffemodel"), net.build().toByteArray());
        }
    }

    private static Path dir(Path root, String target) throws IOException {
        return Files.createDirectories(root.resolve(target + "Inputs").resolve("fuzz"));
    }

    private static void safetensors(Path dir) throws IOException {
        Map<String, TensorSource> t = new LinkedHashMap<>();
        t.put("a.weight", new HostTensor(new int[] {2, 3}, new float[] {1, -2, 3.5f, 0, 1e-3f, -7}));
        t.put("a.bias", new HostTensor(new int[] {2}, new float[] {0.25f, -0.5f}));
        t.put("bn.num_batches_tracked", HostTensor.ofLongs(new int[0], 12));
        SafeTensors.write(dir.resolve("checksummed.safetensors"), t, Map.of("note", "seed"), true);
        SafeTensors.write(dir.resolve("plain.safetensors"), t, Map.of(), false);
        t.put("scalar", new HostTensor(new int[0], new float[] {42}));
        t.put("empty", new HostTensor(new int[] {0, 4}, new float[0]));
        SafeTensors.write(dir.resolve("edge-shapes.safetensors"), t, Map.of(), true);
    }

    private static void models(Path dir) throws IOException {
        try (CpuBackend cpu = new CpuBackend()) {
            for (boolean bn : new boolean[] {false, true}) {
                ModelSpec spec = new ModelSpec(VggConfig.A, 1, 32, 2, 64, 4, 0.5f, bn);
                try (VggModel m = VggModel.build(cpu, spec, 1)) {
                    Preprocess prep = new Preprocess(32, 0, false, new float[] {0.5f}, new float[] {0.25f});
                    ModelFile.save(dir.resolve(bn ? "vgg-a-bn.safetensors" : "vgg-a.safetensors"), m,
                        ModelFile.Info.of(spec, List.of("no", "yes"), prep, 28));
                }
            }
        }
    }

    private static byte[] gzip(byte[] b) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(b);
        }
        return out.toByteArray();
    }

    /** A 2-byte big-endian length, the first file, the second: see {@link Fuzzing#split}. */
    private static byte[] pair(byte[] first, byte[] second) {
        byte[] out = new byte[2 + first.length + second.length];
        out[0] = (byte) (first.length >> 8);
        out[1] = (byte) first.length;
        System.arraycopy(first, 0, out, 2, first.length);
        System.arraycopy(second, 0, out, 2 + first.length, second.length);
        return out;
    }

    private static void idx(Path dir) throws IOException {
        byte[] labels = {0, 0, 8, 1, 0, 0, 0, 3, 1, 9, 0};
        byte[] images = new byte[16 + 3 * 2 * 2];
        byte[] head = {0, 0, 8, 3, 0, 0, 0, 3, 0, 0, 0, 2, 0, 0, 0, 2};
        System.arraycopy(head, 0, images, 0, 16);
        for (int i = 16; i < images.length; i++) {
            images[i] = (byte) (i * 37);
        }
        Files.write(dir.resolve("plain"), pair(labels, images));
        Files.write(dir.resolve("gzip"), pair(gzip(labels), gzip(images)));
    }

    private static void cifar(Path dir) throws IOException {
        byte[] records = new byte[2 * 3073];
        records[0] = 3;
        records[3073] = 9;
        for (int i = 1; i < 3073; i++) {
            records[i] = (byte) i;
            records[3073 + i] = (byte) (255 - i);
        }
        byte[] meta = String.join("\n", "airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse",
            "ship", "truck").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(dir.resolve("with-meta"), pair(meta, records));
        Files.write(dir.resolve("records-only"), pair(new byte[0], records));
    }

    private static void images(Path dir) throws IOException {
        BufferedImage rgb = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        BufferedImage grey = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                rgb.setRGB(x, y, (x * 50) << 16 | (y * 80) << 8 | (x + y) * 20);
            }
        }
        grey.getRaster().setSample(1, 2, 0, 200);
        for (String format : new String[] {"png", "jpeg", "bmp", "gif"}) {
            ImageIO.write(rgb, format, dir.resolve("rgb." + format).toFile());
        }
        ImageIO.write(grey, "png", dir.resolve("grey.png").toFile());
    }
}
