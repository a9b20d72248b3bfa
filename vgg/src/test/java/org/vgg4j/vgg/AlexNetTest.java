package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.StateDict;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.ShapeOnlyBackend;

/** AlexNet in torchvision's layout: its parameter count, and a torchvision file predicting as the native network. */
class AlexNetTest {
    @TempDir
    Path dir;

    @Test
    void parameterCountIsTorchvisions() {
        try (Backend shapes = ShapeOnlyBackend.create(); AlexNetModel m = AlexNetModel.build(shapes, 3, 224, 1000, 0.5f, 0)) {
            assertEquals(61_100_840L, m.parameterCount());
        }
    }

    @Test
    void aTorchvisionFileIsRecognisedAndPredictsAsTheNativeNetwork() throws Exception {
        try (AlexNetModel native_ = AlexNetModel.build(ResNetTest.CPU, 3, 224, 10, 0.5f, 0).initialise(4)) {
            Path f = dir.resolve("alexnet.safetensors");
            SafeTensors.write(f, StateDict.sources(native_), Map.of(), false);
            ModelFile.Loaded l = ModelFile.load(f, ResNetTest.CPU);
            try (Network loaded = l.model()) {
                assertEquals("alexnet", l.info().family());
                float[] x = new float[2 * 3 * 224 * 224];
                SplittableRandom r = new SplittableRandom(3);
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                float[] want = ResNetTest.probabilities(native_, x, 2, 3, 224);
                float[] got = ResNetTest.probabilities(loaded, x, 2, 3, 224);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(want[i], got[i], 1e-6, "probability " + i);
                }
            }
        }
    }
}
