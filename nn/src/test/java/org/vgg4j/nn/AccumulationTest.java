package org.vgg4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/** Gradients accumulated over micro-batches equal the gradients of the whole batch. */
class AccumulationTest {

    @Test
    void twoMicroBatchesOfFourGiveTheGradientOfOneBatchOfEight() {
        CpuBackend cpu = new CpuBackend();
        Sequential net = new Sequential(new Conv2d(cpu, "c", 2, 3, 3, 1, 1, true), new ReLU(cpu, true), new Flatten(),
            new Linear(cpu, "fc", 3 * 16, 5, true));
        long seed = 1;
        for (Parameter p : net.parameters()) {
            Init.normal(p, 0.3, seed++);
        }
        SplittableRandom r = new SplittableRandom(2);
        float[] x = new float[8 * 2 * 16];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        float[] y = {0, 1, 2, 3, 4, 0, 1, 2};
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cpu);
        List<Parameter> params = net.parameters();

        double whole = loss.forward(net.forward(cpu.fromHost(x, 8, 2, 4, 4), true), cpu.fromHost(y, 8));
        net.backward(loss.backward());
        float[][] want = params.stream().map(p -> p.grad().toHost()).toArray(float[][]::new);

        for (Parameter p : params) {
            p.zeroGrad();
        }
        double parts = 0;
        loss.setGradientScale(0.5f); // each micro-batch is half of the batch
        for (int half = 0; half < 2; half++) {
            float[] xs = java.util.Arrays.copyOfRange(x, half * 128, (half + 1) * 128);
            float[] ys = java.util.Arrays.copyOfRange(y, half * 4, (half + 1) * 4);
            Tensor out = net.forward(cpu.fromHost(xs, 4, 2, 4, 4), true);
            parts += 0.5 * loss.forward(out, cpu.fromHost(ys, 4));
            net.backward(loss.backward());
        }
        assertEquals(whole, parts, 1e-6);
        for (int i = 0; i < params.size(); i++) {
            float[] got = params.get(i).grad().toHost();
            for (int j = 0; j < got.length; j++) {
                assertEquals(want[i][j], got[j], 1e-6 * (1 + Math.abs(want[i][j])), params.get(i).name() + "[" + j + "]");
            }
        }
    }
}
