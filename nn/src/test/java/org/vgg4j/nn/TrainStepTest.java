package org.vgg4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.tensor.cpu.CpuBackend;

/** The one training step: micro-batches add up to one pass, and the flat gradient view. */
class TrainStepTest {
    static final CpuBackend CPU = new CpuBackend();

    static Sequential net() {
        Sequential n = new Sequential(new Conv2d(CPU, "c", 1, 4, 3, 1, 1, true), new ReLU(CPU, true), new Flatten(),
            new Linear(CPU, "fc", 4 * 64, 4, true));
        long seed = 3;
        for (Parameter p : n.parameters()) {
            Init.normal(p, 0.2, seed++);
        }
        return n;
    }

    static float[] grads(TrainStep s) {
        float[] g = new float[(int) s.gradientSize()];
        s.gradientsToHost(g);
        return g;
    }

    @Test
    void microBatchesGiveTheGradientOfOnePassAndTheFlatViewRoundTrips() {
        float[][] data = TrainingTest.dataset(10, 5);
        try (Sequential a = net(); Sequential b = net();
             TrainStep whole = new TrainStep(CPU, a, new Sgd(0.1f, 0.9f, 0f, false, false), 10);
             TrainStep parts = new TrainStep(CPU, b, new Sgd(0.1f, 0.9f, 0f, false, false), 3)) {
            double l1 = whole.gradients(data[0], data[1], 10, 1, 8, 8);
            double l2 = parts.gradients(data[0], data[1], 10, 1, 8, 8);
            assertEquals(l1, l2, 1e-6);
            assertEquals(whole.lastCorrect(), parts.lastCorrect());
            float[] g1 = grads(whole);
            float[] g2 = grads(parts);
            assertEquals(4 * 9 + 4 + 4 * 256 + 4, g1.length);
            for (int i = 0; i < g1.length; i++) {
                assertEquals(g1[i], g2[i], 1e-6 * (1 + Math.abs(g1[i])), "gradient " + i);
            }
            // the flat order is parameter order, and writing it back sets every gradient
            List<Parameter> ps = a.parameters();
            assertArrayEquals(ps.get(0).grad().toHost(), java.util.Arrays.copyOfRange(g1, 0, 36));
            assertArrayEquals(ps.get(3).grad().toHost(), java.util.Arrays.copyOfRange(g1, g1.length - 4, g1.length));
            float[] doubled = g1.clone();
            for (int i = 0; i < doubled.length; i++) {
                doubled[i] *= 2;
            }
            whole.gradientsFromHost(doubled);
            assertArrayEquals(doubled, grads(whole));
            whole.update();
            assertEquals(0.0, CPU.sum(ps.get(2).grad()), "update clears the gradients");
        }
    }
}
