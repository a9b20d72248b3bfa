package org.vgg4j.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.vgg4j.tensor.Rng;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/** Inverted dropout: identity at inference, seeded masks that advance with each training call. */
class DropoutTest {
    final CpuBackend cpu = new CpuBackend();
    static final int SIZE = 10_000;

    Tensor ones() {
        float[] x = new float[SIZE];
        Arrays.fill(x, 1f);
        return cpu.fromHost(x, 100, 100);
    }

    @Test
    void identityAtInference() {
        Dropout d = new Dropout(cpu, 0.5f, 1);
        Tensor x = ones();
        assertSame(x, d.forward(x, false));
        Tensor g = cpu.fromHost(new float[SIZE], 100, 100);
        assertSame(g, d.backward(g));
        assertEquals(0, d.calls(), "inference draws no mask");
    }

    @Test
    void trainingMaskIsTheSeededCounterBasedOneScaledByInverseKeep() {
        float p = 0.5f;
        long seed = 42;
        Dropout d = new Dropout(cpu, p, seed);
        float[][] masks = new float[2][];
        for (int call = 0; call < 2; call++) {
            float[] y = d.forward(ones(), true).toHost();
            long callSeed = Rng.mix(seed + call); // the layer's documented rule
            int kept = 0;
            for (int i = 0; i < SIZE; i++) {
                float want = Rng.uniform(callSeed, i) >= p ? 2f : 0f;
                assertEquals(want, y[i], 0f, "call " + call + " element " + i);
                kept += y[i] != 0 ? 1 : 0;
            }
            // binomial(10000, 0.5): 4 standard deviations are 200
            assertEquals(SIZE / 2.0, kept, 200, "kept elements in call " + call);
            masks[call] = y;
        }
        assertFalse(Arrays.equals(masks[0], masks[1]), "each call draws a new mask");
        assertEquals(2, d.calls());
    }

    @Test
    void backwardAppliesTheForwardMask() {
        Dropout d = new Dropout(cpu, 0.3f, 7);
        float[] y = d.forward(ones(), true).toHost();
        float[] g = new float[SIZE];
        for (int i = 0; i < SIZE; i++) {
            g[i] = i % 13 - 6;
        }
        float[] gradX = d.backward(cpu.fromHost(g, 100, 100)).toHost();
        for (int i = 0; i < SIZE; i++) {
            assertEquals(g[i] * y[i], gradX[i], 0f, "element " + i); // y = mask for x = 1
        }
    }

    @Test
    void sameSeedSameSequenceAndResumableFromTheCallCounter() {
        Dropout a = new Dropout(cpu, 0.5f, 3);
        Dropout b = new Dropout(cpu, 0.5f, 3);
        a.forward(ones(), true);
        float[] second = a.forward(ones(), true).toHost();
        assertArrayEquals(b.forward(ones(), true).toHost(), new Dropout(cpu, 0.5f, 3).forward(ones(), true).toHost());
        Dropout resumed = new Dropout(cpu, 0.5f, 3);
        resumed.setCalls(1);
        assertArrayEquals(second, resumed.forward(ones(), true).toHost(), "setCalls(1) replays the second mask");
    }

    @Test
    void zeroProbabilityIsIdentityAndBadProbabilitiesAreRefused() {
        Tensor x = ones();
        assertSame(x, new Dropout(cpu, 0f, 1).forward(x, true));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(cpu, 1f, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(cpu, -0.1f, 1));
        assertThrows(IllegalArgumentException.class, () -> new Dropout(cpu, Float.NaN, 1));
    }
}
