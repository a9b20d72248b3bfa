package org.vgg4j.nn;

import java.util.List;
import java.util.function.Function;
import org.vgg4j.nn.layers.AvgPool2d;
import org.vgg4j.nn.layers.BatchNorm2d;
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

/**
 * One description per layer configuration, shared by the finite-difference checks and the
 * cross-backend parity test: a name, an input shape, how to build the module on a given
 * backend (parameters seeded), and what the input must avoid.
 *
 * @param distinctInput inputs spread 0.05 apart (pooling: no ties within a finite-difference step)
 * @param avoidZero     skip input points within 2h of ReLU's kink
 * @param exact         pure data movement (or exact arithmetic): backends must agree bit for bit
 */
record LayerCase(String name, int[] inputShape, Function<Backend, Module> make, boolean distinctInput,
                 boolean avoidZero, boolean exact) {

    @Override
    public String toString() { return name; }

    static LayerCase of(String name, int[] shape, Function<Backend, Module> make) {
        return new LayerCase(name, shape, make, false, false, false);
    }

    static List<LayerCase> all() {
        LrnParams lrn = new LrnParams(3, 0.5f, 0.75f, 1f);
        return List.of(
            of("conv3x3 pad1", new int[] {2, 3, 5, 5}, b -> conv(b, 3, 4, 3, 1, 1, true)),
            of("conv3x3 stride2 no pad", new int[] {2, 2, 7, 6}, b -> conv(b, 2, 3, 3, 2, 0, true)),
            of("conv1x1", new int[] {3, 4, 3, 3}, b -> conv(b, 4, 2, 1, 1, 0, true)),
            of("conv5x5 pad2 no bias", new int[] {1, 2, 6, 6}, b -> conv(b, 2, 2, 5, 1, 2, false)),
            of("conv 3x1 kernel stride 1x2 pad 1x0", new int[] {2, 2, 5, 6},
                b -> init(new Conv2d(b, "c", 2, 3, 3, 1, 1, 2, 1, 0, true))),
            of("linear", new int[] {3, 7}, b -> init(new Linear(b, "fc", 7, 5, true))),
            of("linear no bias", new int[] {2, 6}, b -> init(new Linear(b, "fc", 6, 3, false))),
            new LayerCase("relu", new int[] {2, 3, 4, 4}, b -> new ReLU(b, false), false, true, true),
            new LayerCase("maxpool 2x2", new int[] {2, 3, 6, 6}, b -> new MaxPool2d(b, 2, 2, 0), true, false, true),
            new LayerCase("maxpool 3x3 s2 p1", new int[] {1, 2, 7, 7}, b -> new MaxPool2d(b, 3, 2, 1), true, false, false),
            new LayerCase("maxpool 3x3 s2 ceil (GoogLeNet)", new int[] {1, 2, 8, 8}, b -> new MaxPool2d(b, 3, 2, 0, true),
                true, false, false),
            new LayerCase("maxpool 2x2 s2 ceil, odd input", new int[] {2, 2, 5, 7}, b -> new MaxPool2d(b, 2, 2, 0, true),
                true, false, false),
            new LayerCase("maxpool 3x3 s1 overlapping", new int[] {1, 2, 5, 5}, b -> new MaxPool2d(b, 3, 1, 0), true,
                false, false),
            of("avgpool 2x2", new int[] {2, 2, 5, 4}, b -> new AvgPool2d(b, 2, 2, 0)),
            of("avgpool 3x3 s2 p1", new int[] {1, 2, 5, 5}, b -> new AvgPool2d(b, 3, 2, 1)),
            of("avgpool global", new int[] {2, 3, 3, 4}, AvgPool2d::global),
            of("lrn", new int[] {2, 6, 3, 3}, b -> new LocalResponseNorm(b, lrn)),
            of("lrn paper", new int[] {1, 7, 2, 2}, b -> new LocalResponseNorm(b, LrnParams.paper())),
            new LayerCase("dropout", new int[] {4, 10}, b -> new FixedMaskDropout(new Dropout(b, 0.5f, 9)), false, false,
                true),
            of("batchnorm [N,C,H,W]", new int[] {3, 2, 3, 2}, b -> init(new BatchNorm2d(b, "bn", 2))),
            of("batchnorm [N,C]", new int[] {4, 3}, b -> init(new BatchNorm2d(b, "bn", 3))),
            of("conv-batchnorm", new int[] {2, 2, 4, 4}, b -> init(new Sequential(
                new Conv2d(b, "c", 2, 3, 3, 1, 1, false), new BatchNorm2d(b, "bn", 3)))),
            new LayerCase("flatten", new int[] {2, 3, 2, 2}, b -> new Flatten(), false, false, true),
            new LayerCase("conv-relu-pool-flatten-linear", new int[] {2, 2, 6, 6}, b -> new Sequential(
                conv(b, 2, 3, 3, 1, 1, true), new ReLU(b, true), new MaxPool2d(b, 2, 2, 0), new Flatten(),
                init(new Linear(b, "fc", 27, 4, true))), true, false, false),
            // containers built on Module alone: a residual block and an Inception-style concatenation
            of("residual(conv-relu-conv)", new int[] {2, 3, 4, 4}, b -> new Residual(b, new Sequential(
                conv(b, 3, 3, 3, 1, 1, true), new ReLU(b, true), conv(b, 3, 3, 1, 1, 0, false)))),
            // a body whose last layer writes into the gradient it is given: the block keeps a copy
            of("residual(conv-relu in place)", new int[] {2, 3, 4, 4}, b -> new Residual(b, new Sequential(
                conv(b, 3, 3, 3, 1, 1, true), new ReLU(b, true)))),
            of("residual with projection (ResNet's downsample)", new int[] {2, 3, 5, 5}, b -> new Residual(b,
                new Sequential(conv(b, 3, 4, 3, 2, 1, false), new ReLU(b, true), conv(b, 4, 4, 3, 1, 1, false)),
                init(new Sequential(new Conv2d(b, "d", 3, 4, 1, 2, 0, false), new BatchNorm2d(b, "dbn", 4))))),
            // ResNet's basic block without its ReLUs (batch-normalised values sit at ReLU's kink, where
            // finite differences cannot judge): batch norm's input gradient goes into its own output
            // buffer, which the next convolution read as its input
            of("residual(conv-bn-conv-bn) with projection", new int[] {2, 3, 5, 5}, b -> new Residual(b,
                init(new Sequential(conv(b, 3, 4, 3, 2, 1, false), new BatchNorm2d(b, "bn1", 4),
                    conv(b, 4, 4, 3, 1, 1, false), new BatchNorm2d(b, "bn2", 4))),
                init(new Sequential(new Conv2d(b, "d", 3, 4, 1, 2, 0, false), new BatchNorm2d(b, "dbn", 4))))),
            of("concat(conv1x1, conv3x3, avgpool)", new int[] {2, 3, 4, 5}, b -> init(new Concat(b, List.of(
                new Conv2d(b, "b0", 3, 2, 1, 1, 0, true), new Conv2d(b, "b1", 3, 4, 3, 1, 1, true),
                new AvgPool2d(b, 3, 1, 1))))),
            of("concat(linear, linear)", new int[] {3, 4}, b -> init(new Concat(b, List.of(
                new Linear(b, "l0", 4, 2, true), new Linear(b, "l1", 4, 3, false))))));
    }

    /** The input: uniform in [-1, 1) from a seed of the case's name, or distinct values 0.05 apart. */
    float[] input() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(name.hashCode());
        float[] x = new float[(int) Tensor.sizeOf(inputShape)];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        if (distinctInput) {
            List<Integer> idx = new java.util.ArrayList<>();
            for (int i = 0; i < x.length; i++) {
                idx.add(i);
            }
            java.util.Collections.shuffle(idx, new java.util.Random(1));
            for (int i = 0; i < x.length; i++) {
                x[idx.get(i)] = -1 + 0.05f * i; // gaps of 0.05 > 2h: no ties within a step
            }
        }
        return x;
    }

    /** The upstream gradient G of the loss sum(y * G): uniform in [-1, 1), seeded. */
    float[] upstream(int[] outShape) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(~name.hashCode());
        float[] g = new float[(int) Tensor.sizeOf(outShape)];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextDouble(-1, 1);
        }
        return g;
    }

    static Conv2d conv(Backend b, int in, int out, int k, int s, int p, boolean bias) {
        return init(new Conv2d(b, "c", in, out, k, s, p, bias));
    }

    /** Parameters from Normal(0, 0.5^2), seeded: the same values on every backend. */
    static <M extends Module> M init(M m) {
        long seed = 5;
        for (Parameter p : m.parameters()) {
            Init.normal(p, 0.5, seed++);
        }
        return m;
    }

    /** Dropout whose every forward reuses the mask of call 0, so the loss is a fixed function of x. */
    record FixedMaskDropout(Dropout d) implements Module {
        @Override
        public Tensor forward(Tensor x, boolean training) {
            d.setCalls(0);
            return d.forward(x, true);
        }

        @Override
        public Tensor backward(Tensor g) { return d.backward(g); }

        @Override
        public int[] outputShape(int[] s) { return d.outputShape(s); }

        @Override
        public String describe() { return "dropout(fixed mask)"; }

        @Override
        public void close() { d.close(); }
    }
}
