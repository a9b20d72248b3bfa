package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.StateDict;
import org.vgg4j.nn.io.TensorSource;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.ShapeOnlyBackend;

/** GoogLeNet in torchvision's layout: its parameter count, a torchvision file with auxiliary heads. */
class GoogLeNetTest {
    @TempDir
    Path dir;

    @Test
    void parameterCountIsTorchvisionsWithoutTheAuxiliaryHeads() {
        try (Backend shapes = ShapeOnlyBackend.create(); GoogLeNetModel m = GoogLeNetModel.build(shapes, 3, 224, 1000, 0.2f, 0)) {
            assertEquals(6_624_904L, m.parameterCount());
            assertEquals(1000, m.outputShape(new int[] {1, 3, 224, 224})[1]);
        }
    }

    @Test
    void aTorchvisionFileWithAuxiliaryHeadsPredictsAsTheNativeNetwork() throws Exception {
        try (GoogLeNetModel native_ = GoogLeNetModel.build(ResNetTest.CPU, 3, 224, 10, 0.2f, 0).initialise(4)) {
            Path f = dir.resolve("googlenet.safetensors");
            Map<String, TensorSource> t = new LinkedHashMap<>(StateDict.sources(native_));
            t.put("aux1.conv.conv.weight", new HostTensor(new int[] {128, 512, 1, 1}, new float[128 * 512]));
            t.put("aux2.fc2.bias", new HostTensor(new int[] {10}, new float[10]));
            SafeTensors.write(f, t, Map.of(), false);
            ModelFile.Loaded l = ModelFile.load(f, ResNetTest.CPU);
            try (Network loaded = l.model()) {
                assertEquals("googlenet", l.info().family());
                float[] x = new float[3 * 224 * 224];
                SplittableRandom r = new SplittableRandom(3);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                float[] want = ResNetTest.probabilities(native_, x, 1, 3, 224);
                float[] got = ResNetTest.probabilities(loaded, x, 1, 3, 224);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-6, "probability " + i);
                }
            }
        }
    }
}
