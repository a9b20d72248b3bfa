package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.DataOutputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * A torchvision VGG-11 and VGG-11-BN state dict as safetensors (no vgg4j metadata), written byte
 * by byte: F32 weights and running statistics, I64 {@code num_batches_tracked} of shape [].
 */
class TorchvisionFileTest {
    @TempDir
    Path dir;

    @Test
    void torchvisionVgg11LoadsAndPredictsLikeTheNativeModel() throws Exception {
        loadsAndPredictsLikeTheNativeModel(false);
    }

    @Test
    void torchvisionVgg11BnLoadsAndPredictsLikeTheNativeModelInEvalMode() throws Exception {
        loadsAndPredictsLikeTheNativeModel(true);
    }

    void loadsAndPredictsLikeTheNativeModel(boolean bn) throws Exception {
        CpuBackend cpu = new CpuBackend();
        ModelSpec spec = ModelSpec.imagenet(VggConfig.A).withBatchNorm(bn);
        // torchvision's vgg11(_bn) state_dict names and shapes, from our builder (same layout by design):
        // parameters, then for the _bn layout running_mean, running_var (F32) and num_batches_tracked (I64 [])
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        try (VggModel ref = VggModel.build(cpu, spec, 0)) {
            for (Parameter p : ref.parameters()) {
                names.add(p.name());
                shapes.add(p.shape());
            }
            for (org.vgg4j.nn.State st : ref.state()) {
                names.add(st.name());
                shapes.add(st.shape());
            }
            assertEquals(bn ? 132_868_840L : 132_863_336L, ref.parameterCount());
            assertEquals(bn ? 24 : 0, ref.state().size());
        }
        // header: entries in file order with running offsets, as torch's safetensors writer lays them out
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long off = 0;
        for (int i = 0; i < names.size(); i++) {
            boolean counter = names.get(i).endsWith("num_batches_tracked");
            long bytes = (counter ? 8 : 4) * org.vgg4j.tensor.Tensor.sizeOf(shapes.get(i));
            json.append(",\"").append(names.get(i)).append("\":{\"dtype\":\"").append(counter ? "I64" : "F32")
                .append("\",\"shape\":")
                .append(java.util.Arrays.toString(shapes.get(i)).replace(" ", "")).append(",\"data_offsets\":[")
                .append(off).append(',').append(off + bytes).append("]}");
            off += bytes;
        }
        json.append('}');
        byte[] head = json.toString().getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve(bn ? "vgg11_bn.safetensors" : "vgg11.safetensors");
        SplittableRandom r = new SplittableRandom(11);
        List<float[]> values = new ArrayList<>();
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(head.length).array());
            out.write(head);
            for (int t = 0; t < shapes.size(); t++) {
                int[] s = shapes.get(t);
                String name = names.get(t);
                if (name.endsWith("num_batches_tracked")) {
                    out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(1234567L + t).array());
                    values.add(null);
                    continue;
                }
                float[] v = new float[(int) org.vgg4j.tensor.Tensor.sizeOf(s)];
                double std = s.length == 4 ? Math.sqrt(2.0 / (s[0] * s[2] * s[3])) : 0.01;
                for (int i = 0; i < v.length; i++) {
                    // batch norm: gamma around 1, beta and running mean around 0, running variance in [0.5, 2)
                    v[i] = (float) (name.endsWith("running_var") ? r.nextDouble(0.5, 2)
                        : name.endsWith("running_mean") ? r.nextGaussian() * 0.1
                        : bn && s.length == 1 && name.startsWith("features.") && isBnParam(name, names)
                        ? (name.endsWith(".weight") ? 1 + 0.2 * r.nextGaussian() : 0.1 * r.nextGaussian())
                        : r.nextGaussian() * std);
                }
                values.add(v);
                ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                out.write(b.array());
            }
        }
        BufferedImage img = new BufferedImage(300, 256, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 256; y++) {
            for (int x = 0; x < 300; x++) {
                img.setRGB(x, y, ((x * 7) & 0xff) << 16 | ((y * 3) & 0xff) << 8 | ((x + y) & 0xff));
            }
        }
        List<Classifier.Prediction> got;
        try (Classifier c = Classifier.load(file, "cpu")) {
            assertEquals("A", c.info().config());
            assertEquals(224, c.info().inputSize());
            assertEquals(1000, c.info().classes());
            assertEquals(bn, c.info().batchNorm());
            // the other layout: one clear error naming a batch-norm tensor
            try (VggModel other = VggModel.build(cpu, spec.withBatchNorm(!bn), 0)) {
                var e = org.junit.jupiter.api.Assertions.assertThrows(org.vgg4j.nn.io.ModelFileException.class,
                    () -> org.vgg4j.nn.io.StateDict.check(file, other.parameters(), other.state(),
                        org.vgg4j.nn.io.SafeTensors.read(file).tensors(), true));
                assertTrue(e.getMessage().contains(bn ? "file has batch norm statistics ('features.1.running_mean')"
                    : "missing 'features.1.running_mean'"), e.getMessage());
            }
            got = c.predict(img, 5);
        }
        // the same network built natively, same weights, same preprocessing (shorter side is already
        // 256: no resampling, centre crop 224, ImageNet mean/std)
        try (VggModel m = VggModel.build(cpu, spec, 0);
             SoftmaxCrossEntropy sm = new SoftmaxCrossEntropy(cpu)) {
            int params = m.parameters().size();
            for (int i = 0; i < values.size(); i++) {
                if (i < params) {
                    cpu.upload(values.get(i), 0, m.parameters().get(i).value(), 0, values.get(i).length);
                } else if (values.get(i) != null) {
                    cpu.upload(values.get(i), 0, m.state().get(i - params).value(), 0, values.get(i).length);
                }
            }
            float[] x = new float[3 * 224 * 224];
            float[] mean = {0.485f, 0.456f, 0.406f};
            float[] std = {0.229f, 0.224f, 0.225f};
            for (int ch = 0; ch < 3; ch++) {
                for (int y = 0; y < 224; y++) {
                    for (int xx = 0; xx < 224; xx++) {
                        int rgb = img.getRGB(xx + (300 - 224) / 2, y + 16);
                        int v = (rgb >> (16 - 8 * ch)) & 0xff;
                        x[(ch * 224 + y) * 224 + xx] = (v / 255f - mean[ch]) / std[ch];
                    }
                }
            }
            sm.forward(m.forward(cpu.fromHost(x, 1, 3, 224, 224), false), cpu.zeros(1));
            float[] p = sm.probabilities().toHost();
            int[] top = cpu.topK(sm.probabilities(), 5);
            for (int j = 0; j < 5; j++) {
                assertEquals(top[j], got.get(j).index(), "rank " + j);
                assertEquals(p[top[j]], got.get(j).probability(), 1e-5f);
            }
            assertTrue(got.get(0).probability() >= got.get(4).probability());
        }
    }

    /** features.{i}.weight/bias of a BatchNorm2d: its running_mean is in the file. */
    static boolean isBnParam(String name, List<String> names) {
        String prefix = name.substring(0, name.lastIndexOf('.'));
        return names.contains(prefix + ".running_mean");
    }
}
