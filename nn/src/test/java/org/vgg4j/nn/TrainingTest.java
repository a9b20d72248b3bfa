package org.vgg4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.MaxPool2d;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/** A small conv net learns a fixed synthetic task, reproducibly. */
class TrainingTest {

    /** 4 classes of 1x8x8 images: a class-specific bright quadrant plus noise. */
    static float[][] dataset(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 64];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            int c = r.nextInt(4);
            y[i] = c;
            for (int p = 0; p < 64; p++) {
                int h = p / 8;
                int w = p % 8;
                boolean inQuadrant = (h < 4) == (c < 2) && (w < 4) == (c % 2 == 0);
                x[i * 64 + p] = (inQuadrant ? 1f : 0f) + (float) r.nextGaussian() * 0.3f;
            }
        }
        return new float[][] {x, y};
    }

    static double[] train(Backend cpu, int steps) {
        Sequential net = new Sequential(
            new Conv2d(cpu, "features.0", 1, 8, 3, 1, 1, true), new ReLU(cpu, true), new MaxPool2d(cpu, 2, 2, 0),
            new Conv2d(cpu, "features.3", 8, 8, 3, 1, 1, true), new ReLU(cpu, true), new MaxPool2d(cpu, 2, 2, 0),
            new Flatten(), new Linear(cpu, "classifier.0", 32, 16, true), new ReLU(cpu, true),
            new Dropout(cpu, 0.2f, 7), new Linear(cpu, "classifier.3", 16, 4, true));
        long seed = 1;
        for (Parameter p : net.parameters()) {
            if (p.decay()) {
                Init.heNormal(p, false, seed++);
            }
        }
        TrainStep step = new TrainStep(cpu, net, new Sgd(0.05f, 0.9f, 5e-4f, false, false), 32);
        float[][] data = dataset(32 * steps, 3);
        double[] losses = new double[steps];
        for (int s = 0; s < steps; s++) {
            float[] bx = java.util.Arrays.copyOfRange(data[0], s * 32 * 64, (s + 1) * 32 * 64);
            float[] by = java.util.Arrays.copyOfRange(data[1], s * 32, (s + 1) * 32);
            losses[s] = step.gradients(bx, by, 32, 1, 8, 8);
            step.update();
        }
        step.close();
        net.close();
        return losses;
    }

    @Test
    void smallConvNetDrivesLossBelowThresholdReproducibly() {
        CpuBackend cpu = new CpuBackend();
        double[] a = train(cpu, 150);
        double first = (a[0] + a[1] + a[2]) / 3;
        double last = 0;
        for (int i = 140; i < 150; i++) {
            last += a[i] / 10;
        }
        // chance level is ln 4 = 1.386; the task is easy once the quadrant is found
        assertTrue(first > 1.2, "starts near chance: " + first);
        assertTrue(last < 0.25, "mean loss of the last 10 of 150 steps is " + last + ", want < 0.25");
        double[] b = train(cpu, 150);
        assertArrayEquals(a, b, 0.0, "same seed, same losses, bit for bit");
    }
}
