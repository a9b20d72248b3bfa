package org.vgg4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.vgg4j.nn.optim.LrSchedule;
import org.vgg4j.tensor.cpu.CpuBackend;

class InitAndScheduleTest {
    final CpuBackend cpu = new CpuBackend();

    static double[] meanStd(float[] v) {
        double s = 0;
        double q = 0;
        for (float x : v) {
            s += x;
            q += (double) x * x;
        }
        double mean = s / v.length;
        return new double[] {mean, Math.sqrt(q / v.length - mean * mean)};
    }

    @Test
    void initialisersHaveTheirStatedSpreadAndAreSeeded() {
        Parameter conv = new Parameter(cpu, "w", true, 64, 32, 3, 3); // fan-in 288, fan-out 576
        Init.normal(conv, 0.01, 7);
        float[] a = conv.value().toHost();
        double[] ms = meanStd(a);
        assertEquals(0, ms[0], 3e-4);
        assertEquals(0.01, ms[1], 2e-4);
        Init.normal(conv, 0.01, 7);
        assertArrayEquals(a, conv.value().toHost(), "same seed, same values");
        Init.heNormal(conv, false, 1);
        assertEquals(Math.sqrt(2.0 / 288), meanStd(conv.value().toHost())[1], 2e-3);
        Init.heNormal(conv, true, 1);
        assertEquals(Math.sqrt(2.0 / 576), meanStd(conv.value().toHost())[1], 2e-3);
        Init.xavierNormal(conv, 2);
        assertEquals(Math.sqrt(2.0 / (288 + 576)), meanStd(conv.value().toHost())[1], 2e-3);
        Init.xavierUniform(conv, 3);
        double bound = Math.sqrt(6.0 / (288 + 576));
        float[] u = conv.value().toHost();
        for (float x : u) {
            assertTrue(Math.abs(x) <= bound);
        }
        assertEquals(bound / Math.sqrt(3), meanStd(u)[1], 2e-3, "uniform(-a, a) has std a/sqrt(3)");
    }

    @Test
    void plateauDividesByTenAfterPatienceEpochsWithoutImprovement() {
        LrSchedule s = LrSchedule.plateau(0.1f, 1, 1e-5f);
        float lr = 0.01f;
        lr = s.next(1, lr, 0.50);
        lr = s.next(2, lr, 0.60);
        lr = s.next(3, lr, 0.60); // one bad epoch: patience 1 keeps the rate
        assertEquals(0.01f, lr);
        lr = s.next(4, lr, 0.59); // two bad epochs: divide
        assertEquals(0.001f, lr, 1e-9);
        double[] state = s.state();
        LrSchedule t = LrSchedule.plateau(0.1f, 1, 1e-5f);
        t.restore(state);
        assertArrayEquals(state, t.state());
        assertEquals(0.01f * 0.1f * 0.1f, LrSchedule.step(0.01f, 10, 0.1f).next(25, 0, 0), 1e-9);
        assertEquals(0.001f, LrSchedule.cosine(0.1f, 0.001f, 10).next(10, 0, 0), 1e-7);
        assertEquals(0.0505f, LrSchedule.cosine(0.1f, 0.001f, 10).next(5, 0, 0), 1e-6);
    }

    @Test
    void plateauOnALossMinimisesAndNaNIsNoImprovement() {
        LrSchedule s = LrSchedule.plateau(0.1f, 0, 0f, false);
        float lr = 1f;
        lr = s.next(1, lr, 2.0);
        lr = s.next(2, lr, 1.5); // lower loss: an improvement
        assertEquals(1f, lr);
        lr = s.next(3, lr, 1.7); // patience 0: the first bad epoch divides
        assertEquals(0.1f, lr, 1e-9);
        lr = s.next(4, lr, Double.NaN);
        assertEquals(0.01f, lr, 1e-9);
        LrSchedule max = LrSchedule.plateau(0.5f, 0, 0.3f);
        assertEquals(1f, max.next(1, 1f, 0.9));
        assertEquals(0.5f, max.next(2, 1f, 0.8));
        assertEquals(0.3f, max.next(3, 0.5f, 0.8), "never below the minimum");
    }

    @Test
    void schedulesRefuseBadArguments() {
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LrSchedule.step(0.1f, 0, 0.1f));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LrSchedule.cosine(0.1f, 0f, 0));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LrSchedule.plateau(1f, 1, 0f));
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LrSchedule.plateau(0.1f, -1, 0f));
    }
}
