package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.StateDict;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.data.InMemoryDataset;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Issue 13, item 8: inputs that gave "NaN%" with exit 0 or a JSON library's message after a whole
 * epoch now give one clear error up front: NaN weights or a zero std in a model file, an empty
 * split to evaluate or train on.
 */
class CarelessInputTest {
    static final CpuBackend CPU = new CpuBackend();
    static final ModelSpec TINY = new ModelSpec(VggConfig.A, 1, 32, 3, 32, 8, 0.5f);
    @TempDir
    Path dir;

    static ModelFile.Info info(float std) {
        return ModelFile.Info.of(TINY, List.of("a", "b", "c"),
            new Preprocess(32, 0, false, new float[] {0.5f}, new float[] {1f}), 28).withStd(new float[] {std});
    }

    @Test
    void aModelFileWithANaNWeightIsRefusedNamingTheTensor() throws Exception {
        Path f = dir.resolve("nan.safetensors");
        try (VggModel m = VggModel.build(CPU, TINY, 1).initialise(VggModel.InitScheme.HE, 1)) {
            Map<String, HostTensor> t = new LinkedHashMap<>(StateDict.of(m.parameters()));
            float[] w = t.get("features.3.weight").data().clone();
            w[5] = Float.NaN;
            t.put("features.3.weight", new HostTensor(t.get("features.3.weight").shape(), w));
            SafeTensors.write(f, t, Map.of(ModelFile.KEY, info(1f).toJson()), false);
        }
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(f, CPU));
        assertTrue(e.getMessage().contains("'features.3.weight' holds NaN at index 5"), e.getMessage());
    }

    @Test
    void aZeroStdInTheMetadataIsRefused() throws Exception {
        Path f = dir.resolve("std0.safetensors");
        try (VggModel m = VggModel.build(CPU, TINY, 1).initialise(VggModel.InitScheme.HE, 1)) {
            SafeTensors.write(f, StateDict.sources(m), Map.of(ModelFile.KEY, info(0f).toJson()), false);
        }
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(f, CPU));
        assertTrue(e.getMessage().contains("bad vgg4j metadata") && e.getMessage().contains("std 0.0"), e.getMessage());
    }

    @Test
    void nothingToEvaluateOrTrainOnIsAnError() throws Exception {
        InMemoryDataset empty = new InMemoryDataset(new byte[0], new int[0], 1, 28, 28, List.of("a", "b", "c"), "empty/");
        InMemoryDataset one = new InMemoryDataset(new byte[28 * 28], new int[] {1}, 1, 28, 28, List.of("a", "b", "c"),
            "one/");
        Preprocess prep = new Preprocess(32, 0, false, new float[] {0.5f}, new float[] {0.25f});
        try (VggModel m = VggModel.build(CPU, TINY, 1)) {
            var e = assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(CPU, m, empty, prep, 10));
            assertTrue(e.getMessage().contains("no images to evaluate in empty/"), e.getMessage());
            TrainConfig cfg = TrainConfig.paper(1, dir.resolve("run"));
            var t = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(CPU, m, cfg, one, empty, prep, System.err));
            assertTrue(t.getMessage().contains("no validation images in empty/"), t.getMessage());
        }
    }
}
