package org.vgg4j.nn.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vgg4j.nn.Parameter;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * SGD against a double-precision transcription of PyTorch's update (torch.optim.SGD):
 * {@code g = grad + wd*w; v = momentum*v + g; w -= lr * (nesterov ? g + momentum*v : v)},
 * three steps with changing gradients, agreement within 1e-6 * max(1, |w|).
 */
class SgdTest {
    final CpuBackend cpu = new CpuBackend();
    static final float[] W0 = {0.5f, -1.25f, 2f, 0.03f};
    static final float[][] GRADS = {{0.1f, -0.2f, 0.3f, 0f}, {-0.4f, 0.05f, 0.6f, 1f}, {0.2f, 0.2f, -0.7f, -0.1f}};

    static double[] reference(double lr, double momentum, double wd, boolean nesterov) {
        double[] w = new double[W0.length];
        double[] v = new double[W0.length];
        for (int i = 0; i < w.length; i++) {
            w[i] = W0[i];
        }
        for (float[] grad : GRADS) {
            for (int i = 0; i < w.length; i++) {
                double g = grad[i] + wd * w[i];
                v[i] = momentum * v[i] + g;
                w[i] -= lr * (nesterov ? g + momentum * v[i] : v[i]);
            }
        }
        return w;
    }

    float[] run(Sgd sgd, boolean decayFlag) {
        Parameter p = new Parameter(cpu, "p", decayFlag, W0.length);
        cpu.upload(W0, 0, p.value(), 0, W0.length);
        for (float[] g : GRADS) {
            Sgd.zeroGrad(List.of(p));
            cpu.axpy(1f, cpu.fromHost(g, g.length), p.grad()); // as a backward pass accumulates
            sgd.step(List.of(p));
        }
        return p.value().toHost();
    }

    static void assertClose(double[] want, float[] got, String what) {
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-6 * Math.max(1, Math.abs(want[i])), what + "[" + i + "]");
        }
    }

    @Test
    void momentumAndWeightDecayFollowPyTorch() {
        assertClose(reference(0.1, 0.9, 5e-4, false), run(new Sgd(0.1f, 0.9f, 5e-4f, false, false), true),
            "momentum 0.9, decay 5e-4");
    }

    @Test
    void nesterovFollowsPyTorch() {
        double[] want = reference(0.1, 0.9, 5e-4, true);
        assertClose(want, run(new Sgd(0.1f, 0.9f, 5e-4f, true, false), true), "nesterov");
        double diff = Math.abs(want[3] - reference(0.1, 0.9, 5e-4, false)[3]);
        assertEquals(true, diff > 1e-3, "nesterov differs measurably from plain momentum: " + diff);
    }

    @Test
    void weightDecaySkipsBiasesUnlessAsked() {
        // a large decay makes the difference obvious
        assertClose(reference(0.1, 0.9, 0.5, false), run(new Sgd(0.1f, 0.9f, 0.5f, false, false), true), "weight");
        assertClose(reference(0.1, 0.9, 0, false), run(new Sgd(0.1f, 0.9f, 0.5f, false, false), false), "bias");
        assertClose(reference(0.1, 0.9, 0.5, false), run(new Sgd(0.1f, 0.9f, 0.5f, false, true), false),
            "bias with decayBiases");
    }

    @Test
    void learningRateChangesTakeEffectAndBadSettingsAreRefused() {
        Sgd sgd = new Sgd(0.1f, 0.9f, 5e-4f, false, false);
        sgd.setLearningRate(0.01f);
        assertEquals(0.01f, sgd.learningRate());
        assertClose(reference(0.01, 0.9, 5e-4, false), run(sgd, true), "after setLearningRate");
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0f, 0.9f, 0f, false, false));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1f, 1f, 0f, false, false));
        assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1f, 0.9f, -1f, false, false));
        assertThrows(IllegalArgumentException.class, () -> sgd.setLearningRate(Float.NaN));
    }
}
