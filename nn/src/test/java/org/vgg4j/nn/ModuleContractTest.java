package org.vgg4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vgg4j.nn.layers.AvgPool2d;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.LocalResponseNorm;
import org.vgg4j.nn.layers.MaxPool2d;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/** What every module promises besides its arithmetic: shapes, buffer reuse, parameters, closing. */
class ModuleContractTest {
    final CpuBackend cpu = new CpuBackend();

    Sequential smallVgg() {
        return new Sequential(
            new Conv2d(cpu, "features.0", 3, 4, 3, 1, 1, true), new ReLU(cpu, true),
            new LocalResponseNorm(cpu, LrnParams.paper()), new MaxPool2d(cpu, 2, 2, 0),
            new Conv2d(cpu, "features.4", 4, 6, 1, 1, 0, true), new ReLU(cpu, true), new MaxPool2d(cpu, 2, 2, 0),
            new AvgPool2d(cpu, 1, 1, 0), new Flatten(),
            new Linear(cpu, "classifier.0", 6 * 4 * 4, 8, true), new ReLU(cpu, true), new Dropout(cpu, 0.5f, 1),
            new Linear(cpu, "classifier.3", 8, 3, true));
    }

    @Test
    void outputShapeIsKnownWithoutRunningAndMatchesForwardAtEveryLayer() {
        try (Sequential net = smallVgg()) {
            int[] s = {2, 3, 16, 16};
            Tensor x = cpu.zeros(s);
            for (Module m : net.modules()) {
                s = m.outputShape(s);
                x = m.forward(x, true);
                assertArrayEquals(s, x.shape(), m.describe());
            }
            assertArrayEquals(new int[] {2, 3}, net.outputShape(new int[] {2, 3, 16, 16}));
            assertArrayEquals(new int[] {5, 3}, net.outputShape(new int[] {5, 3, 16, 16}));
        }
    }

    /**
     * In evaluation a Conv2d followed by ReLU(inplace) runs fused (one backend call); layer by layer
     * in training mode (no dropout before the last layer here, so the same values) gives the same
     * output, on a 3x3 convolution wide enough for Winograd's vector path and a 1x1 one (im2col).
     */
    @Test
    void evaluationFusesConvolutionAndReluWithTheSameResult() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(5);
        try (Sequential net = new Sequential(new Conv2d(cpu, "a", 16, 20, 3, 1, 1, true), new ReLU(cpu, true),
            new Conv2d(cpu, "b", 20, 24, 1, 1, 0, true), new ReLU(cpu, true),
            new Conv2d(cpu, "c", 24, 16, 3, 1, 1, true), new ReLU(cpu, false))) {
            for (Parameter p : net.parameters()) {
                float[] v = new float[(int) p.value().size()];
                for (int i = 0; i < v.length; i++) {
                    v[i] = (float) r.nextDouble(-0.3, 0.3);
                }
                cpu.upload(v, 0, p.value(), 0, v.length);
            }
            float[] in = new float[2 * 16 * 9 * 40];
            for (int i = 0; i < in.length; i++) {
                in[i] = (float) r.nextDouble(-1, 1);
            }
            float[] eval = net.forward(cpu.fromHost(in, 2, 16, 9, 40), false).toHost();
            float[] train = net.forward(cpu.fromHost(in, 2, 16, 9, 40), true).toHost();
            assertArrayEquals(train, eval, "fused evaluation equals the layer-by-layer pass");
            long zeros = 0;
            for (float v : eval) {
                zeros += v == 0f ? 1 : 0;
            }
            assertTrue(zeros > eval.length / 10 && zeros < eval.length, "the ReLU did clip: " + zeros);
        }
    }

    @Test
    void parametersComeInLayerOrderWithTorchvisionNamesAndDecayFlags() {
        try (Sequential net = smallVgg()) {
            List<String> names = net.parameters().stream().map(Parameter::name).toList();
            assertEquals(List.of("features.0.weight", "features.0.bias", "features.4.weight", "features.4.bias",
                "classifier.0.weight", "classifier.0.bias", "classifier.3.weight", "classifier.3.bias"), names);
            for (Parameter p : net.parameters()) {
                assertEquals(p.name().endsWith("weight"), p.decay(), p.name());
            }
            assertArrayEquals(new int[] {4, 3, 3, 3}, net.parameters().get(0).shape());
            assertArrayEquals(new int[] {8, 96}, net.parameters().get(4).shape(), "linear weight is [out, in]");
        }
    }

    @Test
    void buffersAreAllocatedOncePerShapeAndReused() {
        Conv2d conv = new Conv2d(cpu, "c", 2, 3, 3, 1, 1, true);
        Tensor x = cpu.zeros(4, 2, 5, 5);
        Tensor y1 = conv.forward(x, true);
        Tensor g1 = conv.backward(cpu.zeros(y1.shape()));
        Tensor y2 = conv.forward(x, true);
        Tensor g2 = conv.backward(cpu.zeros(y2.shape()));
        assertSame(y1, y2, "same shape, same output buffer");
        assertSame(g1, g2, "same shape, same gradient buffer");
        Tensor y3 = conv.forward(cpu.zeros(1, 2, 5, 5), true); // a smaller last batch
        assertArrayEquals(new int[] {1, 3, 5, 5}, y3.shape());
        assertSame(y1.storage(float[].class), y3.storage(float[].class), "a smaller batch is a view of the same storage");
        assertFalse(y1.isReleased());
        assertSame(y1, conv.forward(x, true), "back to the full batch: the original buffer");
        Tensor y4 = conv.forward(cpu.zeros(6, 2, 5, 5), true); // a larger batch
        assertArrayEquals(new int[] {6, 3, 5, 5}, y4.shape());
        assertTrue(y1.isReleased(), "the smaller buffer is freed, not leaked");
        conv.close();
        assertTrue(y4.isReleased());
        assertTrue(conv.weight().value().isReleased() && conv.bias().grad().isReleased());
    }

    /** A network's outputs and gradients for a batch do not depend on the batch sizes it ran before. */
    @Test
    void smallerBatchesInReusedBuffersGiveTheSameNumbers() {
        try (Sequential net = new Sequential(
                new Conv2d(cpu, "features.0", 3, 4, 3, 1, 1, true), new ReLU(cpu, true),
                new LocalResponseNorm(cpu, LrnParams.paper()), new MaxPool2d(cpu, 2, 2, 0),
                new Conv2d(cpu, "features.4", 4, 6, 3, 1, 1, true), new ReLU(cpu, false), new AvgPool2d(cpu, 2, 2, 0),
                new Flatten(), new Linear(cpu, "classifier.0", 6 * 4 * 4, 3, true))) {
            for (int i = 0; i < net.parameters().size(); i++) {
                Init.normal(net.parameters().get(i), 0.3, 7 + i);
            }
            float[][] first = run(net, 3, 1);
            run(net, 5, 2);
            float[][] again = run(net, 3, 1);
            run(net, 2, 3);
            float[][] third = run(net, 3, 1);
            for (int i = 0; i < first.length; i++) {
                assertArrayEquals(first[i], again[i], "result " + i + " after a larger batch");
                assertArrayEquals(first[i], third[i], "result " + i + " after a smaller batch");
            }
        }
    }

    /** Output, input gradient and every parameter gradient of one step on a seeded batch of {@code n}. */
    private float[][] run(Sequential net, int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] xs = new float[n * 3 * 16 * 16];
        float[] gs = new float[n * 3];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (float) r.nextGaussian();
        }
        for (int i = 0; i < gs.length; i++) {
            gs[i] = (float) r.nextGaussian();
        }
        net.parameters().forEach(Parameter::zeroGrad);
        Tensor y = net.forward(cpu.fromHost(xs, n, 3, 16, 16), true);
        float[] out = y.toHost();
        float[] gx = net.backward(cpu.fromHost(gs, n, 3)).toHost();
        java.util.List<float[]> all = new java.util.ArrayList<>(java.util.List.of(out, gx));
        net.parameters().forEach(p -> all.add(p.grad().toHost()));
        return all.toArray(float[][]::new);
    }

    @Test
    void inPlaceReluOverwritesItsInputAndGradient() {
        ReLU relu = new ReLU(cpu, true);
        Tensor x = cpu.fromHost(new float[] {-1, 2, -3, 4}, 1, 4);
        assertSame(x, relu.forward(x, true));
        assertArrayEquals(new float[] {0, 2, 0, 4}, x.toHost());
        Tensor g = cpu.fromHost(new float[] {1, 1, 1, 1}, 1, 4);
        assertSame(g, relu.backward(g));
        assertArrayEquals(new float[] {0, 1, 0, 1}, g.toHost());
    }

    @Test
    void firstLayerCanSkipItsInputGradient() {
        Sequential net = new Sequential(new Conv2d(cpu, "c", 1, 2, 3, 1, 1, true), new Flatten());
        net.setInputGradientNeeded(false);
        net.forward(cpu.zeros(1, 1, 4, 4), true);
        assertNull(net.backward(cpu.zeros(1, 32)), "no input gradient computed");
        float[] gw = net.parameters().get(0).grad().toHost();
        assertEquals(18, gw.length, "weight gradient still accumulated");
    }

    @Test
    void gradientsAccumulateUntilZeroed() {
        Linear fc = new Linear(cpu, "fc", 2, 1, true);
        Tensor x = cpu.fromHost(new float[] {1, 2}, 1, 2);
        Tensor g = cpu.fromHost(new float[] {1}, 1, 1);
        fc.forward(x, true);
        fc.backward(g);
        fc.forward(x, true);
        fc.backward(g);
        assertArrayEquals(new float[] {2, 4}, fc.weight().grad().toHost());
        assertArrayEquals(new float[] {2}, fc.bias().grad().toHost());
        fc.weight().zeroGrad();
        assertArrayEquals(new float[] {0, 0}, fc.weight().grad().toHost());
    }

    @Test
    void badInputShapesNameTheLayer() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new Linear(cpu, "fc", 4, 2, true).forward(cpu.zeros(2, 5), true));
        assertTrue(e.getMessage().contains("Linear(4 -> 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
            () -> new Conv2d(cpu, "c", 3, 2, 3, 1, 1, true).outputShape(new int[] {1, 4, 8, 8}));
        assertTrue(e.getMessage().contains("Conv2d(3 -> 2)"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2d(cpu, 2, 2, 0).outputShape(new int[] {1, 8}));
        assertTrue(e.getMessage().contains("MaxPool2d"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Conv2d(cpu, "c", 3, 2, 0, 1, 1, true));
    }
}
