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
        return net(CPU);
    }

    static Sequential net(org.vgg4j.tensor.Backend be) {
        Sequential n = new Sequential(new Conv2d(be, "c", 1, 4, 3, 1, 1, true), new ReLU(be, true), new Flatten(),
            new Linear(be, "fc", 4 * 64, 4, true));
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

    /**
     * Batches sent ahead (uploaded on a second queue while the step before runs, into the other
     * pair of input buffers) train to the same bits as batches uploaded in place, with the batch
     * arrays in a pool of three that the loader refills as it recycles them. On every backend that
     * sends uploads ahead (OpenCL); a backend that does not must say so.
     */
    @Test
    void batchesSentAheadTrainToTheSameBits() {
        assertEquals(false, CPU.uploadsAhead(), "the CPU backend copies in place");
        int tested = 0;
        for (TestBackends.Device d : TestBackends.others()) {
            org.vgg4j.tensor.Backend be = d.backend();
            if (!be.uploadsAhead()) {
                continue;
            }
            tested++;
            int steps = 7;
            int n = 6;
            float[][] data = TrainingTest.dataset(n * steps, 5);
            int per = 64;
            float[][][] batches = new float[steps][2][];
            for (int i = 0; i < steps; i++) {
                batches[i][0] = java.util.Arrays.copyOfRange(data[0], i * n * per, (i + 1) * n * per);
                batches[i][1] = java.util.Arrays.copyOfRange(data[1], i * n, (i + 1) * n);
            }
            try (Sequential a = net(be); Sequential b = net(be);
                 TrainStep plain = new TrainStep(be, a, new Sgd(0.1f, 0.9f, 0f, false, false), n);
                 TrainStep ahead = new TrainStep(be, b, new Sgd(0.1f, 0.9f, 0f, false, false), n)) {
                assertEquals(true, ahead.prefetches(n));
                // the loader's recycled buffers: three sets, each refilled once its batch is used
                float[][][] pool = new float[3][2][];
                for (int k = 0; k < 3; k++) {
                    pool[k][0] = new float[n * per];
                    pool[k][1] = new float[n];
                }
                java.util.function.IntFunction<float[][]> fill = i -> {
                    float[][] set = pool[i % 3];
                    System.arraycopy(batches[i][0], 0, set[0], 0, n * per);
                    System.arraycopy(batches[i][1], 0, set[1], 0, n);
                    return set;
                };
                float[][] next = fill.apply(0);
                for (int i = 0; i < steps; i++) {
                    double l1 = plain.gradients(batches[i][0], batches[i][1], n, 1, 8, 8);
                    plain.update();
                    float[][] cur = next;
                    next = i + 1 < steps ? fill.apply(i + 1) : null;
                    if (next != null) {
                        ahead.prefetch(next[0], next[1], n, 1, 8, 8);
                    }
                    double l2 = ahead.gradients(cur[0], cur[1], n, 1, 8, 8);
                    ahead.update();
                    assertEquals(l1, l2, 0.0, d + " step " + i);
                    assertEquals(plain.lastCorrect(), ahead.lastCorrect(), d + " step " + i);
                }
                for (int p = 0; p < a.parameters().size(); p++) {
                    assertArrayEquals(a.parameters().get(p).value().toHost(), b.parameters().get(p).value().toHost(),
                        d + " parameter " + p);
                }
            }
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(tested > 0, "no backend here sends uploads ahead");
    }

    /**
     * A network with every container and kind of input gradient (identity and projection residual
     * blocks whose body leaves or overwrites its output gradient, branches concatenated, pooling,
     * a flattening view, dropout): with the input gradients in one shared pool it trains to the same
     * bits as with a buffer per layer, in fewer buffers.
     */
    @Test
    void sharedInputGradientsTrainToTheSameBitsInFewerBuffers() {
        int steps = 3;
        int n = 5;
        float[][] data = TrainingTest.dataset(n * steps, 11);
        try (Sequential a = everyKind(); Sequential b = everyKind();
             TrainStep own = new TrainStep(CPU, a, new Sgd(0.05f, 0.9f, 1e-4f, false, false), n, false);
             TrainStep shared = new TrainStep(CPU, b, new Sgd(0.05f, 0.9f, 1e-4f, false, false), n, true)) {
            for (int i = 0; i < steps; i++) {
                float[] x = java.util.Arrays.copyOfRange(data[0], i * n * 64, (i + 1) * n * 64);
                float[] y = java.util.Arrays.copyOfRange(data[1], i * n, (i + 1) * n);
                double l1 = own.gradients(x, y, n, 1, 8, 8);
                float[] g1 = grads(own);
                own.update();
                double l2 = shared.gradients(x, y, n, 1, 8, 8);
                float[] g2 = grads(shared);
                shared.update();
                assertEquals(l1, l2, 0.0, "loss of step " + i);
                assertArrayEquals(g1, g2, "gradients of step " + i);
            }
            for (int p = 0; p < a.parameters().size(); p++) {
                assertArrayEquals(a.parameters().get(p).value().toHost(), b.parameters().get(p).value().toHost(),
                    "parameter " + p);
            }
            int pooled = shared.gradientPool().allocated();
            // a buffer per layer: 24 here (11 convolutions, 2 max pools, the linear layer, dropout, a ReLU
            // not in place, 5 in the residual blocks, 3 in the concatenation); shared: one per shape alive at once
            org.junit.jupiter.api.Assertions.assertTrue(pooled > 0 && pooled <= 12, pooled + " buffers in the pool");
        }
    }

    static Sequential everyKind() {
        CpuBackend be = CPU;
        Sequential n = new Sequential(
            new Conv2d(be, "c0", 1, 4, 3, 1, 1, true), new org.vgg4j.nn.layers.BatchNorm2d(be, "b0", 4), new ReLU(be, true),
            // identity, the body ends in batch norm (leaves its output gradient)
            new Residual(be, new Sequential(new Conv2d(be, "r1a", 4, 4, 3, 1, 1, false),
                new org.vgg4j.nn.layers.BatchNorm2d(be, "r1b", 4), new ReLU(be, true),
                new Conv2d(be, "r1c", 4, 4, 3, 1, 1, false), new org.vgg4j.nn.layers.BatchNorm2d(be, "r1d", 4))),
            new ReLU(be, true),
            // projection to 8 channels at stride 2
            new Residual(be, new Sequential(new Conv2d(be, "r2a", 4, 8, 3, 2, 1, false),
                new org.vgg4j.nn.layers.BatchNorm2d(be, "r2b", 8), new ReLU(be, true),
                new Conv2d(be, "r2c", 8, 8, 3, 1, 1, false), new org.vgg4j.nn.layers.BatchNorm2d(be, "r2d", 8)),
                new Sequential(new Conv2d(be, "r2s", 4, 8, 1, 2, 0, false),
                    new org.vgg4j.nn.layers.BatchNorm2d(be, "r2t", 8))),
            new ReLU(be, false),
            // identity, the body ends in an in-place ReLU (overwrites its output gradient)
            new Residual(be, new Sequential(new Conv2d(be, "r3a", 8, 8, 3, 1, 1, true), new ReLU(be, true))),
            // projection whose body overwrites its output gradient
            new Residual(be, new Sequential(new Conv2d(be, "r4a", 8, 8, 3, 1, 1, true), new ReLU(be, true)),
                new Conv2d(be, "r4s", 8, 8, 1, 1, 0, true)),
            new Concat(be, List.of(new Sequential(new Conv2d(be, "k1", 8, 4, 1, 1, 0, true), new ReLU(be, true)),
                new Sequential(new org.vgg4j.nn.layers.MaxPool2d(be, 3, 1, 1), new Conv2d(be, "k2", 8, 4, 1, 1, 0, true)))),
            new org.vgg4j.nn.layers.MaxPool2d(be, 2, 2, 0), new Flatten(),
            new org.vgg4j.nn.layers.Dropout(be, 0.25f, 7), new Linear(be, "fc", 8 * 2 * 2, 4, true));
        long seed = 5;
        for (Parameter p : n.parameters()) {
            if (p.name().endsWith("weight") || p.name().endsWith("bias")) {
                Init.normal(p, 0.3, seed++);
            }
        }
        return n;
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
