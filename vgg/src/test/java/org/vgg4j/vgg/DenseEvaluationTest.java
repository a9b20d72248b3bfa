package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.data.InMemoryDataset;
import org.vgg4j.vgg.data.Preprocess;

class DenseEvaluationTest {
    final CpuBackend cpu = new CpuBackend();

    @Test
    void denseScoresEqualCentreCropScoresAtTheInputSize() {
        ModelSpec spec = new ModelSpec(VggConfig.A, 3, 64, 7, 8, 24, 0.5f); // 2x2 final feature map
        try (VggModel m = VggModel.build(cpu, spec, 3).initialise(VggModel.InitScheme.HE, 3);
             DenseNet dense = new DenseNet(cpu, m); SoftmaxCrossEntropy sm = new SoftmaxCrossEntropy(cpu)) {
            float[] x = new float[2 * 3 * 64 * 64];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) Math.sin(i * 0.37);
            }
            Tensor in = cpu.fromHost(x, 2, 3, 64, 64);
            float[] fc = m.forward(in, false).toHost();
            float[] conv = dense.scores(in).toHost();
            assertEquals(fc.length, conv.length);
            for (int i = 0; i < fc.length; i++) {
                assertEquals(fc[i], conv[i], 1e-4 * (1 + Math.abs(fc[i])), "class score " + i);
            }
            // a larger image runs too: the score map is averaged to one vector per image
            float[] big = new float[2 * 3 * 96 * 96];
            assertEquals(14, dense.scores(cpu.fromHost(big, 2, 3, 96, 96)).size());
        }
    }

    @Test
    void denseEvaluationOfADataSetMatchesCentreCropWithoutFlips() throws Exception {
        ModelSpec spec = new ModelSpec(VggConfig.A, 1, 32, 3, 16, 16, 0.5f);
        InMemoryDataset d = TrainerTest.strokes(30, 4);
        Preprocess prep = new Preprocess(32, 0, false, new float[] {0.2f}, new float[] {0.3f});
        try (VggModel m = VggModel.build(cpu, spec, 5).initialise(VggModel.InitScheme.HE, 5)) {
            Evaluator.Result centre = Evaluator.evaluate(cpu, m, d, prep, 8);
            Evaluator.Result dense = Evaluator.dense(cpu, m, d, prep, 32, false, 8);
            assertEquals(centre.top1(), dense.top1(), 1e-9);
            assertEquals(centre.loss(), dense.loss(), 1e-4);
            Evaluator.Result flipped = Evaluator.dense(cpu, m, d, prep, 48, true, 8);
            assertTrue(flipped.top1() >= 0 && flipped.top1() <= 1 && Double.isFinite(flipped.loss()));
            // centre crop with flips (any network) against dense at the input size with flips (VGG's
            // fully convolutional path, mirrored by its own code)
            Evaluator.Result centreFlip = Evaluator.evaluate(cpu, m, d, prep, 8, true);
            Evaluator.Result denseFlip = Evaluator.dense(cpu, m, d, prep, 32, true, 8);
            assertEquals(denseFlip.top1(), centreFlip.top1(), 1e-9);
            assertEquals(denseFlip.top5(), centreFlip.top5(), 1e-9);
            assertEquals(denseFlip.loss(), centreFlip.loss(), 1e-4);
            assertTrue(Math.abs(centreFlip.loss() - centre.loss()) > 1e-6, "the mirror images change the posteriors");
        }
    }
}
