package org.vgg4j.nn;

import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgg4j.nn.TestBackends.Device;
import org.vgg4j.tensor.Backend;

/**
 * Forward and backward of every layer on each backend of {@link TestBackends#others()} against
 * the reference CPU backend, from the same input, parameters and upstream gradient. Data
 * movement (ReLU, 2x2 max-pool, dropout, flatten) must agree exactly, as Caffe's im2col test
 * does; arithmetic within {@code 1e-5 + 1e-4 * |reference|} (float sums in another order).
 * Without an OpenCL device only the CPU's scalar loops are compared; the skipped device is
 * named on stderr.
 */
class LayerParityTest {
    static final double ABS = 1e-5;
    static final double REL = 1e-4;

    static Stream<Arguments> cases() {
        return TestBackends.others().stream()
            .flatMap(d -> LayerCase.all().stream().map(c -> Arguments.of(d, c)));
    }

    /** Output, input gradient and parameter gradients of one forward + backward, on the host. */
    static float[][] run(Backend b, LayerCase c) {
        try (Module m = c.make().apply(b)) {
            int[] outShape = m.outputShape(c.inputShape());
            m.setInputGradientNeeded(true);
            float[] y = m.forward(b.fromHost(c.input(), c.inputShape()), true).toHost();
            float[] gradX = m.backward(b.fromHost(c.upstream(outShape), outShape)).toHost();
            List<Parameter> ps = m.parameters();
            float[][] out = new float[2 + ps.size()][];
            out[0] = y;
            out[1] = gradX;
            for (int i = 0; i < ps.size(); i++) {
                out[2 + i] = ps.get(i).grad().toHost();
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0}: {1}")
    @MethodSource("cases")
    void forwardAndBackwardMatchTheReferenceCpu(Device device, LayerCase c) {
        float[][] want = run(TestBackends.REFERENCE.backend(), c);
        float[][] got = run(device.backend(), c);
        String[] what = new String[want.length];
        for (int i = 0; i < what.length; i++) {
            what[i] = i == 0 ? "output" : i == 1 ? "input gradient" : "parameter gradient " + (i - 2);
        }
        for (int t = 0; t < want.length; t++) {
            if (want[t].length != got[t].length) {
                throw new AssertionError(c + " " + what[t] + ": " + got[t].length + " values, want " + want[t].length);
            }
            for (int i = 0; i < want[t].length; i++) {
                double ref = want[t][i];
                double err = Math.abs(got[t][i] - ref);
                boolean ok = c.exact() ? Float.compare(want[t][i], got[t][i]) == 0 : err <= ABS + REL * Math.abs(ref);
                if (!ok) {
                    throw new AssertionError(device + " " + c + " " + what[t] + "[" + i + "]: " + got[t][i]
                        + ", reference " + ref + (c.exact() ? " (must be exact)" : ""));
                }
            }
        }
    }

}
