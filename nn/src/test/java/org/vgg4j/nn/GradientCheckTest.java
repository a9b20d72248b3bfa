package org.vgg4j.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgg4j.nn.TestBackends.Device;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * Every layer's backward against central finite differences of the scalar
 * {@code L(x, params) = sum(forward(x) * G)} for a fixed random upstream gradient G (as llm.c's
 * layernorm check does), following Caffe's GradientChecker: step h = 1e-2, agreement within
 * 1e-3 * max(|analytic|, |numeric|, 1), fixed seeds, points near ReLU's kink skipped and
 * pooling inputs without ties. The forward runs in float; L is summed in double over its
 * outputs, so the difference quotient carries a rounding error of about
 * 1e-7 * sum|y*G| / 2h, well under the tolerance at these sizes.
 *
 * <p>Runs on every backend of {@link TestBackends}, so a new backend gets the checks for free.
 */
class GradientCheckTest {
    static final double H = 1e-2;
    static final double TOL = 1e-3;

    static Stream<Arguments> cases() {
        return TestBackends.all().stream()
            .flatMap(d -> LayerCase.all().stream().map(c -> Arguments.of(d, c)));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(Device device, LayerCase c) {
        Backend b = device.backend();
        try (Module m = c.make().apply(b)) {
            float[] x = c.input();
            int[] outShape = m.outputShape(c.inputShape());
            float[] g = c.upstream(outShape);
            Tensor tx = b.fromHost(x, c.inputShape());
            m.setInputGradientNeeded(true);
            for (Parameter p : m.parameters()) {
                p.zeroGrad();
            }
            Tensor y = m.forward(tx, true);
            assertArrayEquals(outShape, y.shape(), "outputShape agrees with forward");
            float[] gradX = m.backward(b.fromHost(g, outShape)).toHost();
            for (int i = 0; i < x.length; i++) {
                if (c.avoidZero() && Math.abs(x[i]) < 2 * H) {
                    continue;
                }
                check(c + " input " + i, gradX[i], numeric(m, b, tx, tx, i, g));
            }
            // parameter gradients, accumulated by the one backward above
            for (Parameter p : m.parameters()) {
                float[] analytic = p.grad().toHost();
                for (int i = 0; i < analytic.length; i++) {
                    check(c + " " + p.name() + "[" + i + "]", analytic[i], numeric(m, b, tx, p.value(), i, g));
                }
            }
        }
    }

    /** Central difference of L with respect to element i of {@code t} (the input or a parameter). */
    static double numeric(Module m, Backend b, Tensor input, Tensor t, int i, float[] g) {
        float[] v = new float[1];
        b.download(t, i, v, 0, 1);
        float orig = v[0];
        float plus = (float) (orig + H);
        float minus = (float) (orig - H);
        b.upload(new float[] {plus}, 0, t, i, 1);
        double up = dot(m.forward(input, true).toHost(), g);
        b.upload(new float[] {minus}, 0, t, i, 1);
        double down = dot(m.forward(input, true).toHost(), g);
        b.upload(new float[] {orig}, 0, t, i, 1);
        return (up - down) / ((double) plus - minus); // the step actually taken, after rounding to float
    }

    static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    static void check(String what, double analytic, double numeric) {
        double scale = Math.max(Math.max(Math.abs(analytic), Math.abs(numeric)), 1);
        if (Math.abs(analytic - numeric) > TOL * scale) {
            throw new AssertionError(what + ": backward gives " + analytic + ", finite differences " + numeric);
        }
    }
}
