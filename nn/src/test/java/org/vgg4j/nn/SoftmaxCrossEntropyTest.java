package org.vgg4j.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/** The loss against double-precision references: value, probabilities, gradient, stability. */
class SoftmaxCrossEntropyTest {
    final CpuBackend cpu = new CpuBackend();
    static final int N = 3;
    static final int K = 5;
    static final float[] LABELS = {4, 0, 2};

    static float[] logits(long seed, double spread) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] z = new float[N * K];
        for (int i = 0; i < z.length; i++) {
            z[i] = (float) r.nextDouble(-spread, spread);
        }
        return z;
    }

    /** log(sum_k exp z[n, k]) of row n, max-subtracted, in double. */
    static double logSumExp(float[] z, int n) {
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < K; k++) {
            max = Math.max(max, z[n * K + k]);
        }
        double s = 0;
        for (int k = 0; k < K; k++) {
            s += Math.exp(z[n * K + k] - max);
        }
        return max + Math.log(s);
    }

    /** Mean over rows of log(sum exp z) - z[label], in double. */
    static double referenceLoss(float[] z) {
        double total = 0;
        for (int n = 0; n < N; n++) {
            total += logSumExp(z, n) - z[n * K + (int) LABELS[n]];
        }
        return total / N;
    }

    @Test
    void lossProbabilitiesAndGradientMatchDoubleReference() {
        float[] z = logits(1, 3);
        try (SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cpu)) {
            double got = loss.forward(cpu.fromHost(z, N, K), cpu.fromHost(LABELS, N));
            assertEquals(referenceLoss(z), got, 1e-6);
            float[] p = loss.probabilities().toHost();
            float[] grad = loss.backward().toHost();
            for (int n = 0; n < N; n++) {
                double rowSum = 0;
                for (int k = 0; k < K; k++) {
                    rowSum += p[n * K + k];
                    double want = (p[n * K + k] - (k == LABELS[n] ? 1 : 0)) / N;
                    assertEquals(want, grad[n * K + k], 1e-7, "gradient [" + n + "," + k + "]");
                }
                assertEquals(1.0, rowSum, 1e-6, "row " + n + " of the probabilities sums to 1");
            }
        }
    }

    @Test
    void gradientMatchesFiniteDifferencesOfTheMeanLoss() {
        // h = 1e-2, tolerance 1e-3 * max(|g|, |g^|, 1), as in GradientCheckTest
        float[] z = logits(2, 2);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cpu);
        Tensor labels = cpu.fromHost(LABELS, N);
        loss.forward(cpu.fromHost(z, N, K), labels);
        float[] grad = loss.backward().toHost();
        for (int i = 0; i < z.length; i++) {
            float[] up = z.clone();
            float[] down = z.clone();
            up[i] += 1e-2f;
            down[i] -= 1e-2f;
            double numeric = (loss.forward(cpu.fromHost(up, N, K), labels) - loss.forward(cpu.fromHost(down, N, K), labels))
                / ((double) up[i] - down[i]);
            GradientCheckTest.check("logit " + i, grad[i], numeric);
        }
    }

    /** PyTorch's label smoothing, in double: mean over rows of -sum_k ((1-e) [k == label] + e/K) log p_k. */
    static double referenceSmoothedLoss(float[] z, double e) {
        double total = 0;
        for (int n = 0; n < N; n++) {
            double lse = logSumExp(z, n);
            for (int k = 0; k < K; k++) {
                double target = (1 - e) * (k == (int) LABELS[n] ? 1 : 0) + e / K;
                total -= target * (z[n * K + k] - lse);
            }
        }
        return total / N;
    }

    @Test
    void labelSmoothingMatchesDoubleReferenceAndFiniteDifferences() {
        float[] z = logits(5, 3);
        Tensor labels = cpu.fromHost(LABELS, N);
        try (SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cpu)) {
            loss.setLabelSmoothing(0.1f);
            double got = loss.forward(cpu.fromHost(z, N, K), labels);
            assertEquals(referenceSmoothedLoss(z, 0.1f), got, 1e-6);
            assertTrue(Math.abs(got - referenceLoss(z)) > 1e-3, "smoothing changes the loss");
            float[] p = loss.probabilities().toHost();
            loss.setGradientScale(0.5f);
            float[] grad = loss.backward().toHost();
            for (int n = 0; n < N; n++) {
                for (int k = 0; k < K; k++) {
                    double target = 0.9 * (k == LABELS[n] ? 1 : 0) + 0.1 / K;
                    assertEquals(0.5 * (p[n * K + k] - target) / N, grad[n * K + k], 1e-7, "gradient [" + n + "," + k + "]");
                }
            }
            loss.setGradientScale(1f);
            grad = loss.backward().toHost();
            for (int i = 0; i < z.length; i++) {
                float[] up = z.clone();
                float[] down = z.clone();
                up[i] += 1e-2f;
                down[i] -= 1e-2f;
                double numeric = (loss.forward(cpu.fromHost(up, N, K), labels)
                    - loss.forward(cpu.fromHost(down, N, K), labels)) / ((double) up[i] - down[i]);
                GradientCheckTest.check("logit " + i, grad[i], numeric);
            }
            loss.setLabelSmoothing(0f);
            assertEquals(referenceLoss(z), loss.forward(cpu.fromHost(z, N, K), labels), 1e-6);
            assertThrows(IllegalArgumentException.class, () -> loss.setLabelSmoothing(1f));
            assertThrows(IllegalArgumentException.class, () -> loss.setLabelSmoothing(-0.1f));
            assertThrows(IllegalArgumentException.class, () -> loss.setLabelSmoothing(Float.NaN));
        }
    }

    @Test
    void hugeLogitsStayFinite() {
        float[] z = logits(3, 1);
        z[0] = 1000f;   // row 0, label 4: loss about 1000
        z[K + 1] = -1000f;
        z[2 * K + 2] = 3e4f; // row 2's own label dominates: loss about 0
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cpu);
        double got = loss.forward(cpu.fromHost(z, N, K), cpu.fromHost(LABELS, N));
        assertTrue(Double.isFinite(got), "loss " + got);
        assertEquals(referenceLoss(z), got, 1e-3);
        for (float g : loss.backward().toHost()) {
            assertTrue(Float.isFinite(g));
        }
    }

    @Test
    void gradientScaleMultipliesTheGradient() {
        float[] z = logits(4, 1);
        SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cpu);
        loss.forward(cpu.fromHost(z, N, K), cpu.fromHost(LABELS, N));
        float[] full = loss.backward().toHost();
        loss.setGradientScale(0.25f);
        float[] quarter = loss.backward().toHost();
        for (int i = 0; i < full.length; i++) {
            assertEquals(full[i] * 0.25f, quarter[i], 1e-8);
        }
        assertThrows(IllegalArgumentException.class, () -> loss.forward(cpu.fromHost(z, N * K), cpu.fromHost(LABELS, N)));
    }
}
