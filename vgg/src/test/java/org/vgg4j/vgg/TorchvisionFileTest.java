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

/** A torchvision VGG-11 state dict as safetensors (no vgg4j metadata), written byte by byte. */
class TorchvisionFileTest {
    @TempDir
    Path dir;

    @Test
    void torchvisionVgg11LoadsAndPredictsLikeTheNativeModel() throws Exception {
        CpuBackend cpu = new CpuBackend();
        // torchvision's vgg11 parameter names and shapes, from our builder (same layout by design)
        List<String> names = new ArrayList<>();
        List<int[]> shapes = new ArrayList<>();
        try (VggModel ref = VggModel.build(cpu, ModelSpec.imagenet(VggConfig.A), 0)) {
            for (Parameter p : ref.parameters()) {
                names.add(p.name());
                shapes.add(p.shape());
            }
        }
        // header: entries in file order with running offsets, as torch's safetensors writer lays them out
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long off = 0;
        for (int i = 0; i < names.size(); i++) {
            long bytes = 4 * org.vgg4j.tensor.Tensor.sizeOf(shapes.get(i));
            json.append(",\"").append(names.get(i)).append("\":{\"dtype\":\"F32\",\"shape\":")
                .append(java.util.Arrays.toString(shapes.get(i)).replace(" ", "")).append(",\"data_offsets\":[")
                .append(off).append(',').append(off + bytes).append("]}");
            off += bytes;
        }
        json.append('}');
        byte[] head = json.toString().getBytes(StandardCharsets.UTF_8);
        Path file = dir.resolve("vgg11.safetensors");
        SplittableRandom r = new SplittableRandom(11);
        List<float[]> values = new ArrayList<>();
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 20)) {
            out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(head.length).array());
            out.write(head);
            for (int[] s : shapes) {
                float[] v = new float[(int) org.vgg4j.tensor.Tensor.sizeOf(s)];
                double std = s.length == 4 ? Math.sqrt(2.0 / (s[0] * s[2] * s[3])) : 0.01;
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) (r.nextGaussian() * std);
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
            got = c.predict(img, 5);
        }
        // the same network built natively, same weights, same preprocessing (shorter side is already
        // 256: no resampling, centre crop 224, ImageNet mean/std)
        try (VggModel m = VggModel.build(cpu, ModelSpec.imagenet(VggConfig.A), 0);
             SoftmaxCrossEntropy sm = new SoftmaxCrossEntropy(cpu)) {
            for (int i = 0; i < values.size(); i++) {
                cpu.upload(values.get(i), 0, m.parameters().get(i).value(), 0, values.get(i).length);
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
                assertEquals(p[top[j]], got.get(j).probability(), 1e-6f);
            }
            assertTrue(got.get(0).probability() >= got.get(4).probability());
        }
    }
}
