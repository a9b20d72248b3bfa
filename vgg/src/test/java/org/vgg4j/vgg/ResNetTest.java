package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.nn.State;
import org.vgg4j.nn.TrainStep;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.StateDict;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.ShapeOnlyBackend;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/** ResNet in torchvision's layout: parameter counts, torchvision files, training. */
class ResNetTest {
    @TempDir
    Path dir;

    static final CpuBackend CPU = new CpuBackend();

    @Test
    void parameterCountsAreTorchvisions() {
        Map<String, Long> want = Map.of("resnet18", 11_689_512L, "resnet34", 21_797_672L, "resnet50", 25_557_032L,
            "resnet101", 44_549_160L, "resnet152", 60_192_808L);
        try (Backend shapes = ShapeOnlyBackend.create()) {
            for (var e : want.entrySet()) {
                try (ResNetModel m = ResNetModel.build(shapes, e.getKey(), 3, 224, 1000)) {
                    assertEquals(e.getValue(), m.parameterCount(), e.getKey());
                    assertEquals(1000, m.outputShape(new int[] {2, 3, 224, 224})[1]);
                }
            }
        }
    }

    /** Random weights, and running statistics away from their initial 0 and 1. */
    static void randomise(ResNetModel m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Parameter p : m.parameters()) {
            float[] v = new float[(int) p.size()];
            double scale = p.shape().length == 4 ? Math.sqrt(2.0 / (p.shape()[1] * p.shape()[2] * p.shape()[3])) : 0.1;
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * scale + (p.name().endsWith("bn1.weight") ? 1 : 0));
            }
            CPU.upload(v, 0, p.value(), 0, v.length);
        }
        for (State s : m.state()) {
            if (s.isCounter()) {
                s.setCount(1 + r.nextInt(1000));
                continue;
            }
            float[] v = new float[(int) s.value().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = s.name().endsWith("running_var") ? (float) (0.5 + r.nextDouble()) : (float) (r.nextGaussian() * 0.1);
            }
            CPU.upload(v, 0, s.value(), 0, v.length);
        }
    }

    static float[] probabilities(Network m, float[] x, int n, int c, int side) {
        try (Tensor in = CPU.fromHost(x, n, c, side, side); Tensor labels = CPU.zeros(n);
             SoftmaxCrossEntropy sm = new SoftmaxCrossEntropy(CPU)) {
            sm.forward(m.forward(in, false), labels);
            return sm.probabilities().toHost();
        }
    }

    @Test
    void torchvisionFilesOfBothStemsAndBlockKindsLoadAndPredictAsTheNativeNetwork() throws Exception {
        for (String config : new String[] {"resnet18-cifar", "resnet50"}) {
            int side = config.endsWith("-cifar") ? 32 : 224;
            try (ResNetModel native_ = ResNetModel.build(CPU, config, 3, side, 10)) {
                randomise(native_, config.hashCode());
                Path f = dir.resolve(config + ".safetensors");
                // torchvision's names only, no vgg4j metadata, num_batches_tracked as I64
                SafeTensors.write(f, StateDict.sources(native_), Map.of(), false);
                ModelFile.Loaded l = ModelFile.load(f, CPU);
                try (Network loaded = l.model()) {
                    assertEquals("resnet", l.info().family());
                    assertEquals(config, l.info().config());
                    float[] x = new float[2 * 3 * side * side];
                    SplittableRandom r = new SplittableRandom(3);
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) r.nextGaussian();
                    }
                    float[] want = probabilities(native_, x, 2, 3, side);
                    float[] got = probabilities(loaded, x, 2, 3, side);
                    for (int i = 0; i < want.length; i++) {
                        assertEquals(want[i], got[i], 1e-5, config + " probability " + i);
                    }
                }
            }
        }
    }

    @Test
    void aFileOfAnotherArchitectureNamesTheFirstTensorThatDoesNotFit() throws Exception {
        try (ResNetModel m = ResNetModel.build(CPU, "resnet18-cifar", 3, 32, 10)) {
            Path f = dir.resolve("r18.safetensors");
            Map<String, String> meta = Map.of(ModelFile.KEY, new ModelFile.Info("resnet34-cifar", 3, 32, 10, 1, 0, 0f,
                java.util.List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"), new float[] {0, 0, 0},
                new float[] {1, 1, 1}, 32, 0, true, "resnet").toJson());
            SafeTensors.write(f, StateDict.sources(m), meta, false);
            ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(f, CPU));
            assertTrue(e.getMessage().contains("layer1.2."), e.getMessage());
        }
    }

    @Test
    void aWarmStartCopiesEveryTensorThatFitsAndKeepsAClassifierOfOtherClasses() {
        try (ResNetModel from = ResNetModel.build(CPU, "resnet18-cifar", 1, 16, 10);
             ResNetModel same = ResNetModel.build(CPU, "resnet18-cifar", 1, 16, 10).initialise(2);
             ResNetModel fewer = ResNetModel.build(CPU, "resnet18-cifar", 1, 16, 4).initialise(2)) {
            randomise(from, 9);
            java.util.List<String> copied = same.copyMatching(from);
            assertEquals(same.parameters().size() + same.state().stream().filter(x -> !x.isCounter()).count(),
                copied.size());
            float[] x = new float[2 * 16 * 16];
            SplittableRandom r = new SplittableRandom(4);
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            float[] want = probabilities(from, x, 2, 1, 16);
            float[] got = probabilities(same, x, 2, 1, 16);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], got[i], 1e-6, "probability " + i);
            }
            float[] fcBefore = fewer.parameters().stream().filter(p -> p.name().equals("fc.weight")).findFirst()
                .orElseThrow().value().toHost();
            java.util.List<String> partial = fewer.copyMatching(from);
            assertEquals(copied.size() - 2, partial.size());
            assertTrue(!partial.contains("fc.weight") && !partial.contains("fc.bias") && partial.contains("conv1.weight"));
            float[] fcAfter = fewer.parameters().stream().filter(p -> p.name().equals("fc.weight")).findFirst()
                .orElseThrow().value().toHost();
            assertTrue(java.util.Arrays.equals(fcBefore, fcAfter));
        }
    }

    @Test
    void aSmallResNetFitsABatch() {
        try (ResNetModel m = ResNetModel.build(CPU, "resnet18-cifar", 1, 16, 4).initialise(5);
             TrainStep step = new TrainStep(CPU, m, new Sgd(0.05f, 0.9f, 0f, false, false), 8)) {
            SplittableRandom r = new SplittableRandom(7);
            float[] x = new float[8 * 16 * 16];
            float[] y = new float[8];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < 8; i++) {
                y[i] = i % 4;
            }
            double first = step.gradients(x, y, 8, 1, 16, 16);
            step.update();
            double last = first;
            for (int i = 0; i < 15; i++) {
                last = step.gradients(x, y, 8, 1, 16, 16);
                step.update();
            }
            assertTrue(last < 0.5 * first, "loss " + first + " -> " + last);
        }
    }
}
