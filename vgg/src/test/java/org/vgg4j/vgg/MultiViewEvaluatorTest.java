package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.data.InMemoryDataset;
import org.vgg4j.vgg.data.Preprocess;

class MultiViewEvaluatorTest {

    @Test
    void oneCentredCropAtTheInputScaleEqualsTheCentreCropOfTheRescaledImage() {
        CpuBackend cpu = new CpuBackend();
        ModelSpec spec = new ModelSpec(VggConfig.A, 1, 32, 3, 16, 16, 0.5f);
        InMemoryDataset d = TrainerTest.strokes(20, 9); // 28x28 images
        Preprocess prep = new Preprocess(32, 0, false, new float[] {0.2f}, new float[] {0.3f});
        try (VggModel m = VggModel.build(cpu, spec, 5).initialise(VggModel.InitScheme.HE, 5)) {
            // at Q = 32 a 28x28 image is rescaled to exactly the input: multi-crop with a 1x1 grid
            // sees that image and its mirror; dense evaluation over it sees the same two views
            Evaluator.Result crop = MultiViewEvaluator.evaluate(cpu, m, d, prep, MultiViewEvaluator.Mode.MULTICROP,
                new int[] {32}, 1, 7);
            Evaluator.Result dense = MultiViewEvaluator.evaluate(cpu, m, d, prep, MultiViewEvaluator.Mode.MULTISCALE,
                new int[] {32}, 1, 7);
            assertEquals(crop.top1(), dense.top1(), 1e-9);
            assertEquals(crop.loss(), dense.loss(), 1e-4);
            Evaluator.Result fusion = MultiViewEvaluator.evaluate(cpu, m, d, prep, MultiViewEvaluator.Mode.FUSION,
                new int[] {32, 48}, 2, 7);
            assertTrue(fusion.top1() >= 0 && fusion.top1() <= 1 && Double.isFinite(fusion.loss()));
            assertEquals(20, fusion.examples());
        }
        assertEquals(java.util.List.of(224, 256, 288),
            java.util.Arrays.stream(MultiViewEvaluator.scalesAround(256)).boxed().toList());
    }
}
