package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.reflect.TypeToken;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.ZipOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.WeightFiles;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * Model files from the ecosystem: the fixtures of {@code formats/make_fixtures.py} (one reduced
 * VGG in PyTorch's zip format, as safetensors and as a Caffe model; the batch-norm version in a
 * nested DataParallel checkpoint; PyTorch's probabilities for a fixed input) and hand-built
 * PyTorch files that must be refused without running anything.
 */
class FormatsTest {
    static final CpuBackend CPU = new CpuBackend();

    @TempDir
    Path tmp;

    private Path fixture(String name) throws IOException {
        Path p = tmp.resolve(name);
        try (InputStream in = FormatsTest.class.getResourceAsStream("formats/" + name)) {
            Files.write(p, in.readAllBytes());
        }
        return p;
    }

    private static Map<String, List<Double>> expected() throws IOException {
        try (InputStream in = FormatsTest.class.getResourceAsStream("formats/expected.json")) {
            return new Gson().fromJson(new String(in.readAllBytes(), StandardCharsets.UTF_8),
                new TypeToken<Map<String, List<Double>>>() { }.getType());
        }
    }

    /** make_fixtures.py's input: x[c, h, w] = sin(0.001 * (c * 50176 + h * 224 + w) + 0.3 * c). */
    private static float[] testInput() {
        float[] x = new float[3 * 224 * 224];
        for (int i = 0; i < x.length; i++) {
            int c = i / (224 * 224);
            x[i] = (float) Math.sin(0.001 * i + 0.3 * c);
        }
        return x;
    }

    private static float[] probabilities(ModelFile.Loaded l, float[] x) {
        try (Tensor in = CPU.fromHost(x, 1, 3, 224, 224); Tensor labels = CPU.zeros(1);
             SoftmaxCrossEntropy sm = new SoftmaxCrossEntropy(CPU)) {
            sm.forward(l.model().forward(in, false), labels);
            return sm.probabilities().toHost();
        }
    }

    private static void assertClose(List<Double> want, float[] got, double tol) {
        assertEquals(want.size(), got.length);
        for (int i = 0; i < got.length; i++) {
            assertEquals(want.get(i), got[i], tol, "class " + i);
        }
    }

    @Test
    void pthAndSafetensorsHoldTheSameTensorsAndCaffeTheSameUpToChannelOrder() throws IOException {
        Path pth = fixture("vgg-tiny.pth");
        Path st = fixture("vgg-tiny.safetensors");
        Path caffe = fixture("vgg-tiny.caffemodel");
        assertEquals(WeightFiles.Format.PYTORCH, WeightFiles.detect(pth));
        assertEquals(WeightFiles.Format.SAFETENSORS, WeightFiles.detect(st));
        assertEquals("Caffe", ModelFile.format(caffe));
        Map<String, HostTensor> a = WeightFiles.read(pth).tensors();
        Map<String, HostTensor> b = SafeTensors.read(st).tensors();
        assertEquals(b.keySet(), a.keySet());
        for (String k : a.keySet()) {
            assertEquals(b.get(k), a.get(k), k);
        }
        Map<String, HostTensor> c = CaffeModel.read(caffe).tensors();
        assertEquals(b.keySet(), c.keySet());
        for (String k : c.keySet()) {
            if (!k.equals("features.0.weight")) {
                assertEquals(b.get(k), c.get(k), k);
            }
        }
        // the first convolution takes RGB: Caffe's input channel 0 (blue) is ours 2
        HostTensor w0 = b.get("features.0.weight");
        HostTensor c0 = c.get("features.0.weight");
        assertArrayEquals(w0.shape(), c0.shape());
        int k = 9;
        for (int o = 0; o < w0.shape()[0]; o++) {
            for (int ch = 0; ch < 3; ch++) {
                for (int j = 0; j < k; j++) {
                    assertEquals(w0.data()[(o * 3 + ch) * k + j], c0.data()[(o * 3 + 2 - ch) * k + j]);
                }
            }
        }
    }

    @Test
    void pthPredictsWhatPyTorchPredicts() throws IOException {
        Map<String, List<Double>> want = expected();
        try (ModelFile.Loaded l = load(fixture("vgg-tiny.pth"))) {
            assertEquals("A", l.info().config());
            assertEquals(16, l.info().widthDivisor());
            assertClose(want.get("vgg-tiny"), probabilities(l, testInput()), 1e-5);
        }
        // a nested checkpoint of a DataParallel model with batch norm (I64 num_batches_tracked)
        try (ModelFile.Loaded l = load(fixture("vgg-tiny-bn-checkpoint.pth"))) {
            assertTrue(l.info().batchNorm());
            assertClose(want.get("vgg-tiny-bn"), probabilities(l, testInput()), 1e-5);
        }
        try (ModelFile.Loaded l = load(fixture("vgg-tiny.safetensors"))) {
            assertClose(want.get("vgg-tiny"), probabilities(l, testInput()), 1e-5);
        }
    }

    private static ModelFile.Loaded load(Path p) throws IOException {
        return ModelFile.load(p, CPU);
    }

    @Test
    void caffeModelPredictsWhatItsWeightsGiveOnBgrMeanSubtractedInput() throws IOException {
        Random r = new Random(7);
        BufferedImage img = new BufferedImage(240, 230, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < img.getHeight(); y++) {
            for (int x = 0; x < img.getWidth(); x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        // through the Caffe file: RGB image in, preprocessing from its metadata
        CpuBackend own = new CpuBackend();
        ModelFile.Loaded caffe = ModelFile.load(fixture("vgg-tiny.caffemodel"), own);
        assertEquals(256, caffe.info().resize());
        assertTrue(caffe.info().source().startsWith("Caffe .caffemodel: BGR channel order"), caffe.info().source());
        byte[] raw = new byte[3 * 224 * 224];
        Classifier.toBytes(img, 3, 224, 256, raw);
        float[] rgb = new float[raw.length];
        caffe.info().preprocess().apply(raw, 0, 3, 224, 224, rgb, 0, 0, 0, 0);
        float[] viaCaffe;
        try (Tensor in = own.fromHost(rgb, 1, 3, 224, 224)) {
            viaCaffe = caffe.model().forward(in, false).toHost();
        }
        int top;
        try (Classifier cl = Classifier.of(own, caffe.model(), caffe.info())) {
            top = cl.predict(img, 1).get(0).index();
        }
        // the same weights as stored, through the safetensors path, fed as Caffe feeds them
        float[] bgr = new float[raw.length];
        int plane = 224 * 224;
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                bgr[c * plane + i] = (raw[(2 - c) * plane + i] & 0xff) - CaffeModel.MEAN_BGR[c];
            }
        }
        float[] viaWeights;
        try (ModelFile.Loaded st = load(fixture("vgg-tiny.safetensors"));
             Tensor in = CPU.fromHost(bgr, 1, 3, 224, 224)) {
            viaWeights = st.model().forward(in, false).toHost();
        }
        double scale = Arrays.stream(toDouble(viaWeights)).map(Math::abs).max().orElseThrow();
        assertTrue(scale > 1, "logits of " + scale);
        int best = 0;
        for (int i = 0; i < 10; i++) {
            assertEquals(viaWeights[i], viaCaffe[i], 1e-5 * scale, "logit " + i);
            best = viaWeights[i] > viaWeights[best] ? i : best;
        }
        assertEquals(best, top);
    }

    /** The tiny VGG's weights as a Caffe NetParameter of the newer kind ({@code layer}, type strings). */
    private static byte[] caffeV2(Map<String, HostTensor> t, String extraType) {
        var net = org.vgg4j.vgg.formats.caffe.CaffeProto.NetParameter.newBuilder().setName("v2");
        java.util.List<String> convs = t.keySet().stream().filter(k -> k.startsWith("features.") && k.endsWith(".weight"))
            .sorted(java.util.Comparator.comparingInt(k -> Integer.parseInt(k.split("\\.")[1]))).toList();
        java.util.List<String> layers = new java.util.ArrayList<>(convs);
        layers.addAll(List.of("classifier.0.weight", "classifier.3.weight", "classifier.6.weight"));
        for (String w : layers) {
            var l = org.vgg4j.vgg.formats.caffe.CaffeProto.LayerParameter.newBuilder().setName(w)
                .setType(w.startsWith("features") ? "Convolution" : "InnerProduct");
            for (String name : List.of(w, w.replace(".weight", ".bias"))) {
                var b = org.vgg4j.vgg.formats.caffe.CaffeProto.BlobProto.newBuilder();
                var shape = org.vgg4j.vgg.formats.caffe.CaffeProto.BlobShape.newBuilder();
                for (int d : t.get(name).shape()) {
                    shape.addDim(d);
                }
                for (float v : t.get(name).data()) {
                    b.addData(v);
                }
                l.addBlobs(b.setShape(shape));
            }
            net.addLayer(l);
            if (extraType != null && w.equals("features.0.weight")) {
                net.addLayer(org.vgg4j.vgg.formats.caffe.CaffeProto.LayerParameter.newBuilder().setName("bn1")
                    .setType(extraType).addBlobs(org.vgg4j.vgg.formats.caffe.CaffeProto.BlobProto.newBuilder()
                        .setShape(org.vgg4j.vgg.formats.caffe.CaffeProto.BlobShape.newBuilder().addDim(1)).addData(1f)));
            }
        }
        return net.build().toByteArray();
    }

    @Test
    void caffeFilesOfTheNewerLayerKindLoadAndOtherWeightedLayersAreRefused() throws IOException {
        Map<String, HostTensor> t = SafeTensors.read(fixture("vgg-tiny.safetensors")).tensors();
        Path v2 = Files.write(tmp.resolve("v2.caffemodel"), caffeV2(t, null));
        Map<String, HostTensor> fromV1 = CaffeModel.read(fixture("vgg-tiny.caffemodel")).tensors();
        assertEquals(fromV1, CaffeModel.read(v2).tensors());
        Path bn = Files.write(tmp.resolve("bn.caffemodel"), caffeV2(t, "BatchNorm"));
        String m = refusal(bn);
        assertTrue(m.contains("Caffe layer 'bn1' of type BatchNorm has weights"), m);
    }

    private static double[] toDouble(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    // ---- hand-built PyTorch files: each refused with one clear line, nothing run ----

    private Path pth(String name, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Path p = tmp.resolve(name);
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(p))) {
            PickleWriter.stored(z, "archive/data.pkl", pickle);
            for (var e : storages.entrySet()) {
                PickleWriter.stored(z, "archive/data/" + e.getKey(), e.getValue());
            }
            PickleWriter.stored(z, "archive/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        }
        return p;
    }

    private static String refusal(Path p) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(p, CPU));
        assertFalse(e.getMessage().contains("\n"), e.getMessage());
        assertTrue(e.getMessage().startsWith(p.toString() + ": "), e.getMessage());
        return e.getMessage();
    }

    @Test
    void aHandBuiltStateDictLoadsWithItsStrides() throws IOException {
        // a transposed view: size (3, 2), stride (1, 3) over storage [0 1 2 3 4 5]
        byte[] pkl = new PickleWriter().op('}', '(').str("t").tensor("0", 6, new int[] {3, 2}, new int[] {1, 3})
            .op('u').bytes();
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(24).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < 6; i++) {
            b.putFloat(i);
        }
        Path p = pth("view.pth", pkl, Map.of("0", b.array()));
        HostTensor t = WeightFiles.read(p).tensors().get("t");
        assertArrayEquals(new int[] {3, 2}, t.shape());
        assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.data());
    }

    @Test
    void aPickleThatCallsOsSystemIsRefusedAndNothingRuns() throws IOException {
        Path marker = tmp.resolve("pwned");
        byte[] pkl = new PickleWriter().global("os", "system").str("touch " + marker).op(0x85, 'R').bytes();
        String m = refusal(pth("evil.pth", pkl, Map.of()));
        assertTrue(m.contains("refuses the global 'os.system'"), m);
        assertTrue(m.contains("never runs"), m);
        assertFalse(Files.exists(marker));
    }

    @Test
    void unknownGlobalsAndObjectOpcodesAreRefused() throws IOException {
        String m = refusal(pth("model.pth", new PickleWriter().global("torchvision.models.vgg", "VGG").op(')', 0x81)
            .bytes(), Map.of()));
        assertTrue(m.contains("refuses the global 'torchvision.models.vgg.VGG'"), m);
        assertTrue(m.contains("save model.state_dict() instead"), m);
        m = refusal(pth("newobj.pth", new PickleWriter().global("collections", "OrderedDict").op(')', 0x81).bytes(),
            Map.of()));
        assertTrue(m.contains("NEWOBJ"), m);
        m = refusal(pth("builtins.pth", new PickleWriter().global("builtins", "eval").bytes(), Map.of()));
        assertTrue(m.contains("'builtins.eval'"), m);
    }

    @Test
    void aTruncatedArchiveIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(fixture("vgg-tiny.pth"));
        Path p = tmp.resolve("torn.pth");
        Files.write(p, Arrays.copyOf(whole, whole.length / 2));
        String m = refusal(p);
        assertTrue(m.contains("zip"), m);
    }

    @Test
    void aStorageShorterThanItsTensorIsRefused() throws IOException {
        byte[] pkl = new PickleWriter().op('}', '(').str("features.0.weight")
            .tensor("0", 6, new int[] {2, 3}, new int[] {3, 1}).op('u').bytes();
        String m = refusal(pth("short.pth", pkl, Map.of("0", new byte[8])));
        // the file is not a VGG either; the shortness is found first when its values are read
        ModelFileException e = assertThrows(ModelFileException.class,
            () -> WeightFiles.read(tmp.resolve("short.pth")));
        assertTrue(e.getMessage().contains("storage 0 holds 8 bytes, and a tensor needs 24"), e.getMessage());
        assertFalse(m.isEmpty());
    }

    @Test
    void aPickleThatWouldFillTheHeapWithEmptyDictsIsRefused() throws IOException {
        PickleWriter w = new PickleWriter();
        for (int i = 0; i < 2_000_001; i++) {
            w.op('}');
        }
        String m = refusal(pth("dicts.pth", w.bytes(), Map.of()));
        assertTrue(m.contains("creates more than 2000000 values"), m);
        // a tensor that claims 400 MB over an 8-byte storage: refused from the bytes really there
        // size (100,000,000,) stride (1,): BININT 100000000
        byte[] pkl = new PickleWriter().op('}', '(').str("w").global("torch._utils", "_rebuild_tensor_v2").op('(', '(')
            .str("storage").global("torch", "FloatStorage").str("0").str("cpu").int1(1).op('t', 'Q').int1(0)
            .op('(').op('J', 0x00, 0xe1, 0xf5, 0x05).op('t', '(').int1(1).op('t', 0x89)
            .global("collections", "OrderedDict").op(')', 'R', 't', 'R', 'u').bytes();
        ModelFileException e = assertThrows(ModelFileException.class,
            () -> WeightFiles.read(pth("claims.pth", pkl, Map.of("0", new byte[8]))));
        assertTrue(e.getMessage().contains("storage 0 holds 8 bytes, and a tensor needs 400000000"), e.getMessage());
    }

    @Test
    void theLegacyFormatIsRefusedWithAWayOut() throws IOException {
        Path p = tmp.resolve("old.pth");
        Files.write(p, new byte[] {(byte) 0x80, 2, (byte) 0x8a, 10, 0x6c, (byte) 0xfc, (byte) 0x9c, 0x46,
            (byte) 0xf9, 0x20, 0x6a, (byte) 0xa8, 0x50, 0x19, 0x2e});
        String m = refusal(p);
        assertTrue(m.contains("before 1.6") && m.contains("torch.save"), m);
    }

    @Test
    void garbageIsNoneOfTheFormats() throws IOException {
        Path p = tmp.resolve("noise.bin");
        byte[] b = new byte[4096];
        new Random(1).nextBytes(b);
        Files.write(p, b);
        String m = refusal(p);
        assertTrue(m.contains("Caffe"), m);
    }
}
