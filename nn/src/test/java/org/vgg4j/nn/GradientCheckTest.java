package org.vgg4j.nn;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.vgg4j.nn.layers.AvgPool2d;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Dropout;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.LocalResponseNorm;
import org.vgg4j.nn.layers.MaxPool2d;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * Every layer's backward against central finite differences of the scalar
 * {@code L(x, params) = sum(forward(x) * G)} for a fixed random upstream gradient G (as llm.c's
 * layernorm check does), following Caffe's GradientChecker: step h = 1e-2, agreement within
 * 1e-3 * max(|analytic|, |numeric|, 1), fixed seeds, points near ReLU's kink skipped and
 * pooling inputs without ties. L is summed in double over the float outputs.
 */
class GradientCheckTest {
    static final double H = 1e-2;
    static final double TOL = 1e-3;

    record Case(String name, int[] inputShape, Supplier<Module> make, boolean distinctInput, boolean avoidZero) {
        @Override
        public String toString() { return name; }
    }

    static final Backend CPU = new CpuBackend();

    static Stream<Arguments> cases() {
        Backend cpu = CPU;
        LrnParams lrn = new LrnParams(3, 0.5f, 0.75f, 1f);
        return Stream.of(
            new Case("conv3x3 pad1", new int[] {2, 3, 5, 5}, () -> conv(cpu, 3, 4, 3, 1, 1), false, false),
            new Case("conv3x3 stride2 no pad", new int[] {2, 2, 7, 6}, () -> conv(cpu, 2, 3, 3, 2, 0), false, false),
            new Case("conv1x1", new int[] {3, 4, 3, 3}, () -> conv(cpu, 4, 2, 1, 1, 0), false, false),
            new Case("conv5x5 pad2", new int[] {1, 2, 6, 6}, () -> conv(cpu, 2, 2, 5, 1, 2), false, false),
            new Case("linear", new int[] {3, 7}, () -> init(new Linear(cpu, "fc", 7, 5, true)), false, false),
            new Case("relu", new int[] {2, 3, 4, 4}, () -> new ReLU(cpu, false), false, true),
            new Case("maxpool 2x2", new int[] {2, 3, 6, 6}, () -> new MaxPool2d(cpu, 2, 2, 0), true, false),
            new Case("maxpool 3x3 s2 p1", new int[] {1, 2, 7, 7}, () -> new MaxPool2d(cpu, 3, 2, 1), true, false),
            new Case("avgpool 2x2", new int[] {2, 2, 5, 4}, () -> new AvgPool2d(cpu, 2, 2, 0), false, false),
            new Case("avgpool global", new int[] {2, 3, 3, 4}, () -> AvgPool2d.global(cpu), false, false),
            new Case("lrn", new int[] {2, 6, 3, 3}, () -> new LocalResponseNorm(cpu, lrn), false, false),
            new Case("lrn paper", new int[] {1, 7, 2, 2}, () -> new LocalResponseNorm(cpu, LrnParams.paper()), false, false),
            new Case("dropout", new int[] {4, 10}, () -> new FixedMaskDropout(new Dropout(cpu, 0.5f, 9)), false, false),
            new Case("flatten", new int[] {2, 3, 2, 2}, Flatten::new, false, false),
            new Case("conv-relu-pool-flatten-linear", new int[] {2, 2, 6, 6}, () -> new Sequential(
                conv(cpu, 2, 3, 3, 1, 1), new ReLU(cpu, true), new MaxPool2d(cpu, 2, 2, 0), new Flatten(),
                init(new Linear(cpu, "fc", 27, 4, true))), true, false)
        ).map(Arguments::of);
    }

    static Conv2d conv(Backend b, int in, int out, int k, int s, int p) {
        return init(new Conv2d(b, "c", in, out, k, s, p, true));
    }

    static <M extends Module> M init(M m) {
        long seed = 5;
        for (Parameter p : m.parameters()) {
            Init.normal(p, 0.5, seed++);
        }
        return m;
    }

    /** Dropout whose every forward reuses the mask of call 0, so L is a fixed function of x. */
    record FixedMaskDropout(Dropout d) implements Module {
        @Override
        public Tensor forward(Tensor x, boolean training) {
            d.setCalls(0);
            return d.forward(x, true);
        }

        @Override
        public Tensor backward(Tensor g) { return d.backward(g); }

        @Override
        public int[] outputShape(int[] s) { return s; }

        @Override
        public String describe() { return "dropout"; }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void backwardMatchesFiniteDifferences(Case c) {
        Module m = c.make().get();
        Backend cpu = CPU;
        SplittableRandom r = new SplittableRandom(c.name().hashCode());
        float[] x = new float[(int) Tensor.sizeOf(c.inputShape())];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        if (c.distinctInput()) {
            List<Integer> idx = new ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                idx.add(i);
            }
            java.util.Collections.shuffle(idx, new java.util.Random(1));
            for (int i = 0; i < x.length; i++) {
                x[idx.get(i)] = -1 + 0.05f * i; // gaps of 0.05 > 2h: no ties within a step
            }
        }
        int[] outShape = m.outputShape(c.inputShape());
        float[] g = new float[(int) Tensor.sizeOf(outShape)];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextDouble(-1, 1);
        }
        Tensor tx = cpu.fromHost(x, c.inputShape());
        m.setInputGradientNeeded(true);
        for (Parameter p : m.parameters()) {
            p.zeroGrad();
        }
        Tensor y = m.forward(tx, true);
        float[] gradX = m.backward(cpu.fromHost(g, outShape)).toHost();
        // input gradient
        for (int i = 0; i < x.length; i++) {
            if (c.avoidZero() && Math.abs(x[i]) < 2 * H) {
                continue;
            }
            double numeric = numeric(m, cpu, tx, tx, i, g);
            check(c + " input " + i, gradX[i], numeric);
        }
        // parameter gradients (accumulated by the one backward above)
        for (Parameter p : m.parameters()) {
            float[] analytic = p.grad().toHost();
            for (int i = 0; i < analytic.length; i++) {
                double numeric = numeric(m, cpu, tx, p.value(), i, g);
                check(c + " " + p.name() + "[" + i + "]", analytic[i], numeric);
            }
        }
        assertTrue(y.size() == g.length);
    }

    /** Central difference of L(input) with respect to element i of {@code t} (the input or a parameter). */
    static double numeric(Module m, Backend cpu, Tensor input, Tensor t, int i, float[] g) {
        float[] v = new float[1];
        cpu.download(t, i, v, 0, 1);
        float orig = v[0];
        cpu.upload(new float[] {(float) (orig + H)}, 0, t, i, 1);
        double up = dot(m.forward(input, true).toHost(), g);
        cpu.upload(new float[] {(float) (orig - H)}, 0, t, i, 1);
        double down = dot(m.forward(input, true).toHost(), g);
        cpu.upload(new float[] {orig}, 0, t, i, 1);
        return (up - down) / (2 * H);
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
