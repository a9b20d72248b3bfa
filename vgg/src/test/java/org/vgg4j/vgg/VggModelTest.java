package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

class VggModelTest {
    final CpuBackend cpu = new CpuBackend();

    @Test
    void parameterCountsAt224With1000ClassesAreTheStandardOnes() {
        Map<VggConfig, Long> want = Map.of(VggConfig.A, 132_863_336L, VggConfig.A_LRN, 132_863_336L,
            VggConfig.B, 133_047_848L, VggConfig.C, 133_638_952L, VggConfig.D, 138_357_544L,
            VggConfig.E, 143_667_240L);
        for (VggConfig c : VggConfig.values()) {
            assertEquals(want.get(c), VggModel.parameterCount(ModelSpec.imagenet(c)), c.label());
        }
    }

    @Test
    void batchNormCountsAreTorchvisions() {
        // torchvision vgg11_bn, vgg13_bn, vgg16_bn, vgg19_bn (gamma and beta per convolution channel)
        Map<VggConfig, Long> want = Map.of(VggConfig.A, 132_868_840L, VggConfig.B, 133_053_736L,
            VggConfig.D, 138_365_992L, VggConfig.E, 143_678_248L);
        want.forEach((c, n) -> assertEquals(n, VggModel.parameterCount(ModelSpec.imagenet(c).withBatchNorm(true)),
            c.label()));
        for (VggConfig c : VggConfig.values()) {
            ModelSpec spec = new ModelSpec(c, 3, 32, 10, 8, 32, 0.5f).withBatchNorm(true);
            try (VggModel m = VggModel.build(cpu, spec, 1)) {
                assertEquals(VggModel.parameterCount(spec), m.parameterCount(), c.label());
                int convs = c.weightLayers() - 3;
                assertEquals(3 * convs, m.state().size(), c.label() + ": mean, variance, count per batch norm");
            }
        }
        try (VggModel d = VggModel.build(cpu, new ModelSpec(VggConfig.D, 3, 32, 10, 8, 32, 0.5f, true), 1)) {
            // torchvision's vgg16_bn features: conv, bn, relu (3 indices) per convolution, pool 1
            int[] convs = {0, 3, 7, 10, 14, 17, 20, 24, 27, 30, 34, 37, 40};
            for (int i = 0; i < convs.length; i++) {
                assertEquals("features." + convs[i] + ".weight", d.parameters().get(4 * i).name());
                assertEquals("features." + (convs[i] + 1) + ".weight", d.parameters().get(4 * i + 2).name());
                assertEquals("features." + (convs[i] + 1) + ".running_var", d.state().get(3 * i + 1).name());
            }
        }
    }

    @Test
    void builtModelsMatchTheCountAndTorchvisionNames() {
        for (VggConfig c : VggConfig.values()) {
            ModelSpec spec = new ModelSpec(c, 3, 32, 10, 8, 32, 0.5f);
            try (VggModel m = VggModel.build(cpu, spec, 1)) {
                assertEquals(VggModel.parameterCount(spec), m.parameterCount(), c.label());
                assertEquals(2 * c.weightLayers(), m.parameters().size(), c.label() + ": weight and bias per layer");
                assertEquals("features.0.weight", m.parameters().get(0).name());
                assertEquals("classifier.6.bias", m.parameters().get(m.parameters().size() - 1).name());
                assertArrayEquals(new int[] {4, 10}, m.outputShape(new int[] {4, 3, 32, 32}));
            }
        }
        try (VggModel d = VggModel.build(cpu, new ModelSpec(VggConfig.D, 3, 32, 10, 8, 32, 0.5f), 1)) {
            // torchvision's vgg16 features indices: convs at 0,2,5,7,10,12,14,17,19,21,24,26,28
            int[] convs = {0, 2, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28};
            for (int i = 0; i < convs.length; i++) {
                assertEquals("features." + convs[i] + ".weight", d.parameters().get(2 * i).name());
            }
        }
    }

    @Test
    void aSingleFcClassifierMatchesTheCifarStyleVgg11() {
        // torch_vgg.py's cifar/fmnist VGG-11: the A conv stack then Linear(512, 10)
        ModelSpec spec = new ModelSpec(VggConfig.A, 1, 32, 10, 1, 0, 0.5f);
        long convs = 1 * 64 * 9 + 64 + 64 * 128 * 9 + 128 + 128 * 256 * 9 + 256 + 256 * 256 * 9 + 256
            + 256 * 512 * 9 + 512 + 3 * (512 * 512 * 9 + 512);
        assertEquals(convs + 512 * 10 + 10, VggModel.parameterCount(spec));
        try (VggModel m = VggModel.build(cpu, spec, 1)) {
            assertEquals(VggModel.parameterCount(spec), m.parameterCount());
            assertEquals(1, m.classifier().size());
        }
    }

    @Test
    void deeperConfigurationsStartFromATrainedA() {
        try (VggModel a = VggModel.build(cpu, new ModelSpec(VggConfig.A, 3, 32, 10, 8, 16, 0.5f), 1)
                 .initialise(VggModel.InitScheme.HE, 1);
             VggModel e = VggModel.build(cpu, new ModelSpec(VggConfig.E, 3, 32, 10, 8, 16, 0.5f), 2)
                 .initialise(VggModel.InitScheme.HE, 2)) {
            java.util.List<String> copied = e.initialiseFrom(a);
            // E's first conv (3->8) matches A's; its 2nd-4th (8->8, 8->16, 16->16) do not match A's
            // (8->16, 16->32, 32->32): only the shapes that agree are taken, plus all three FC layers
            assertEquals(java.util.List.of("features.0.weight", "features.0.bias", "classifier.0.weight",
                "classifier.0.bias", "classifier.3.weight", "classifier.3.bias", "classifier.6.weight",
                "classifier.6.bias"), copied);
            assertArrayEquals(a.parameters().get(0).value().toHost(), e.parameters().get(0).value().toHost());
        }
    }

    @Test
    void layerOutputShapesFollowTable1() {
        ModelSpec spec = new ModelSpec(VggConfig.C, 3, 64, 7, 16, 16, 0.5f);
        try (VggModel m = VggModel.build(cpu, spec, 1)) {
            int[] s = {2, 3, 64, 64};
            int pools = 0;
            for (var layer : m.features().modules()) {
                s = layer.outputShape(s);
                if (layer instanceof org.vgg4j.nn.layers.MaxPool2d) {
                    pools++;
                    assertEquals(64 >> pools, s[2]);
                }
            }
            assertArrayEquals(new int[] {2, 32, 2, 2}, s);
        }
    }

    @Test
    void everyConfigurationRunsATrainingStepOnCpu() {
        trainingStepOnEveryConfiguration(cpu);
    }

    @Test
    void everyConfigurationRunsATrainingStepOnOpenCl() {
        var scan = org.vgg4j.kernelscl.ClDevices.scan();
        if (org.vgg4j.kernelscl.ClDevices.required()) org.junit.jupiter.api.Assertions.assertFalse(scan.devices().isEmpty(), "VGG4J_REQUIRE_OPENCL is set but there is no OpenCL platform: " + scan.problem());
        org.junit.jupiter.api.Assumptions.assumeFalse(scan.devices().isEmpty(), "no OpenCL platform: " + scan.problem());
        try (var cl = new org.vgg4j.kernelscl.ClBackend(scan.devices().get(0))) {
            trainingStepOnEveryConfiguration(cl);
        }
    }

    void trainingStepOnEveryConfiguration(org.vgg4j.tensor.Backend cpu) {
        for (VggConfig c : VggConfig.values()) {
            ModelSpec spec = new ModelSpec(c, 3, 32, 5, 16, 16, 0.5f);
            try (VggModel m = VggModel.build(cpu, spec, 1).initialise(VggModel.InitScheme.HE, 1);
                 SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(cpu)) {
                float[] x = new float[2 * 3 * 32 * 32];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) Math.sin(i);
                }
                double l = loss.forward(m.forward(cpu.fromHost(x, 2, 3, 32, 32), true), cpu.fromHost(new float[] {1, 3}, 2));
                assertTrue(Double.isFinite(l) && l > 0, c + ": loss " + l);
                m.backward(loss.backward());
                double gradNorm = 0;
                for (Parameter p : m.parameters()) {
                    for (float g : p.grad().toHost()) {
                        gradNorm += g * g;
                    }
                }
                assertTrue(gradNorm > 0 && Double.isFinite(gradNorm), c + ": gradient norm " + gradNorm);
            }
        }
    }
}
