package org.vgg4j.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Sequential;
import org.vgg4j.nn.State;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.StateDict;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * BatchNorm2d as a layer: training and evaluation modes, the running statistics after several
 * batches against PyTorch's update rule computed in double, {@code num_batches_tracked}, and
 * the state's round trip through files (I64 counter) with the errors for a missing statistic,
 * a wrong dtype and a file of the other kind.
 */
class BatchNormTest {
    static final CpuBackend CPU = new CpuBackend();
    @TempDir
    Path dir;

    static float[] random(SplittableRandom r, int n, double lo, double hi) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextDouble(lo, hi);
        }
        return v;
    }

    @Test
    void runningStatisticsFollowPyTorchsUpdateAndEvaluationUsesThem() {
        int n = 4;
        int c = 3;
        int s = 5;
        try (BatchNorm2d bn = new BatchNorm2d(CPU, "bn", c)) {
            SplittableRandom r = new SplittableRandom(7);
            double[] rm = new double[c];
            double[] rv = {1, 1, 1};
            float[] x = null;
            for (int step = 0; step < 3; step++) {
                x = random(r, n * c * s, -1 + step, 2 + 2 * step);
                float[] y = bn.forward(CPU.fromHost(x, n, c, 1, s), true).toHost();
                for (int ch = 0; ch < c; ch++) {
                    double sum = 0;
                    double sq = 0;
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < s; j++) {
                            sum += x[(i * c + ch) * s + j];
                        }
                    }
                    double mean = sum / (n * s);
                    for (int i = 0; i < n; i++) {
                        for (int j = 0; j < s; j++) {
                            sq += Math.pow(x[(i * c + ch) * s + j] - mean, 2);
                        }
                    }
                    rm[ch] = 0.9 * rm[ch] + 0.1 * mean;
                    rv[ch] = 0.9 * rv[ch] + 0.1 * sq / (n * s - 1);
                    // training output: normalised by the batch, gamma 1, beta 0
                    double want = (x[ch * s] - mean) / Math.sqrt(sq / (n * s) + 1e-5);
                    assertEquals(want, y[ch * s], 1e-5);
                }
            }
            List<State> st = bn.state();
            assertEquals(List.of("bn.running_mean", "bn.running_var", "bn.num_batches_tracked"),
                st.stream().map(State::name).toList());
            float[] gotRm = st.get(0).value().toHost();
            float[] gotRv = st.get(1).value().toHost();
            for (int ch = 0; ch < c; ch++) {
                assertEquals(rm[ch], gotRm[ch], 1e-6, "running mean " + ch);
                assertEquals(rv[ch], gotRv[ch], 1e-5, "running var " + ch);
            }
            assertEquals(3, st.get(2).count());
            // evaluation: the running statistics, and they do not move
            float[] y = bn.forward(CPU.fromHost(x, n, c, 1, s), false).toHost();
            for (int i = 0; i < x.length; i++) {
                int ch = (i / s) % c;
                assertEquals((x[i] - rm[ch]) / Math.sqrt(rv[ch] + 1e-5), y[i], 1e-5, "eval output " + i);
            }
            assertArrayEquals(gotRm, st.get(0).value().toHost());
            assertEquals(3, st.get(2).count());
            assertThrows(IllegalStateException.class, () -> bn.backward(CPU.zeros(n, c, 1, s)));
        }
    }

    @Test
    void stateRoundTripsThroughAFileWithAnI64Counter() throws Exception {
        Path f = dir.resolve("bn.safetensors");
        float[] x = random(new SplittableRandom(2), 2 * 3 * 4, -1, 1);
        try (BatchNorm2d a = new BatchNorm2d(CPU, "features.1", 3); BatchNorm2d b = new BatchNorm2d(CPU, "features.1", 3)) {
            for (int i = 0; i < 5; i++) {
                a.forward(CPU.fromHost(x, 2, 3, 2, 2), true);
            }
            SafeTensors.write(f, StateDict.sources(a), Map.of(), false);
            SafeTensors.Contents c = SafeTensors.read(f);
            assertEquals("I64", c.tensors().get("features.1.num_batches_tracked").dtype());
            assertEquals(0, c.tensors().get("features.1.num_batches_tracked").shape().length);
            StateDict.load(f, b, c.tensors(), true);
            assertEquals(5, b.state().get(2).count());
            assertArrayEquals(a.state().get(0).value().toHost(), b.state().get(0).value().toHost());
            assertArrayEquals(a.state().get(1).value().toHost(), b.state().get(1).value().toHost());
            assertArrayEquals(a.forward(CPU.fromHost(x, 2, 3, 2, 2), false).toHost(),
                b.forward(CPU.fromHost(x, 2, 3, 2, 2), false).toHost());
        }
    }

    @Test
    void missingStatisticWrongDtypeAndMismatchedFilesNameTheTensor() throws Exception {
        try (BatchNorm2d bn = new BatchNorm2d(CPU, "features.1", 3)) {
            Map<String, HostTensor> t = new LinkedHashMap<>();
            StateDict.sources(bn).forEach((k, v) -> t.put(k, v instanceof HostTensor h ? h
                : new HostTensor(v.shape(), new float[(int) v.size()])));
            Map<String, HostTensor> missing = new LinkedHashMap<>(t);
            missing.remove("features.1.running_var");
            Map<String, HostTensor> noStats = new LinkedHashMap<>(missing);
            noStats.remove("features.1.running_mean");
            noStats.remove("features.1.num_batches_tracked");
            ModelFileException none = assertThrows(ModelFileException.class, () -> StateDict.load(dir, bn, noStats, true));
            assertTrue(none.getMessage().contains("no running statistics (missing 'features.1.running_mean')"),
                none.getMessage());
            Path f = dir.resolve("x");
            ModelFileException e = assertThrows(ModelFileException.class, () -> StateDict.load(f, bn, missing, true));
            assertTrue(e.getMessage().contains("'features.1.running_var'"), e.getMessage());

            Map<String, HostTensor> wrong = new LinkedHashMap<>(t);
            wrong.put("features.1.num_batches_tracked", new HostTensor(new int[0], new float[] {3}));
            e = assertThrows(ModelFileException.class, () -> StateDict.load(f, bn, wrong, true));
            assertTrue(e.getMessage().contains("'features.1.num_batches_tracked' has dtype F32"), e.getMessage());

            Map<String, HostTensor> wrongMean = new LinkedHashMap<>(t);
            wrongMean.put("features.1.running_mean", HostTensor.ofLongs(new int[] {3}, 1, 2, 3));
            e = assertThrows(ModelFileException.class, () -> StateDict.load(f, bn, wrongMean, true));
            assertTrue(e.getMessage().contains("'features.1.running_mean' has dtype I64"), e.getMessage());

            // a file with batch norm given to a module without: the first statistic is named
            Module plain = new Sequential();
            Map<String, HostTensor> bnOnly = new LinkedHashMap<>(t);
            bnOnly.remove("features.1.weight");
            bnOnly.remove("features.1.bias");
            e = assertThrows(ModelFileException.class, () -> StateDict.load(f, plain, bnOnly, true));
            assertTrue(e.getMessage().contains("'features.1.running_mean'") && e.getMessage().contains("batch norm"),
                e.getMessage());
        }
    }

    @Test
    void otherDtypesAreReportedByName() throws Exception {
        Path f = dir.resolve("f16.safetensors");
        String json = "{\"w\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[0,4]}}";
        byte[] head = json.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + head.length + 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        b.putLong(head.length).put(head).putInt(0);
        Files.write(f, b.array());
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("tensor 'w' has dtype F16"), e.getMessage());
    }

    @Test
    void tensorFromAnotherShapeIsRefused() {
        try (BatchNorm2d bn = new BatchNorm2d(CPU, "bn", 3)) {
            Tensor x = CPU.zeros(2, 4, 2, 2);
            assertThrows(IllegalArgumentException.class, () -> bn.forward(x, true));
        }
    }

    /** Sets every parameter and running statistic of a from seeded values, the same for equal seeds. */
    private static void fill(Module m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (org.vgg4j.nn.Parameter p : m.parameters()) {
            float[] v = random(r, (int) p.size(), -0.5, 0.5);
            if (p.name().endsWith("bn.weight")) {
                v = random(r, (int) p.size(), 0.5, 1.5);
            }
            CPU.upload(v, 0, p.value(), 0, v.length);
        }
    }

    /**
     * A batch norm followed by an in-place ReLU runs fused (Sequential's one backend call each
     * way); the same network with a ReLU that is not in place runs them apart: outputs, the input
     * gradient and every parameter gradient agree, in training and in evaluation, over two steps.
     */
    @Test
    void withAnInPlaceReluItRunsFusedAndComputesAsApart() {
        try (Sequential fused = new Sequential(new Conv2d(CPU, "c", 2, 3, 3, 1, 1, true), new BatchNorm2d(CPU, "bn", 3),
                 new ReLU(CPU, true));
             Sequential apart = new Sequential(new Conv2d(CPU, "c", 2, 3, 3, 1, 1, true),
                 new BatchNorm2d(CPU, "bn", 3), new ReLU(CPU, false))) {
            fill(fused, 3);
            fill(apart, 3);
            SplittableRandom r = new SplittableRandom(9);
            for (int step = 0; step < 2; step++) {
                float[] x = random(r, 2 * 2 * 5 * 5, -1, 1);
                float[] gy = random(r, 2 * 3 * 5 * 5, -1, 1);
                float[] yf = fused.forward(CPU.fromHost(x, 2, 2, 5, 5), true).toHost();
                float[] ya = apart.forward(CPU.fromHost(x, 2, 2, 5, 5), true).toHost();
                assertTrue(((BatchNorm2d) fused.get(1)).ranWithRelu() == Sequential.fusesBatchNormRelu());
                assertTrue(!((BatchNorm2d) apart.get(1)).ranWithRelu());
                assertArrayEquals(ya, yf, 1e-6f, "output");
                float[] gxf = fused.backward(CPU.fromHost(gy, 2, 3, 5, 5)).toHost();
                float[] gxa = apart.backward(CPU.fromHost(gy, 2, 3, 5, 5)).toHost();
                assertArrayEquals(gxa, gxf, 1e-5f, "input gradient");
                for (int p = 0; p < fused.parameters().size(); p++) {
                    assertArrayEquals(apart.parameters().get(p).grad().toHost(), fused.parameters().get(p).grad().toHost(),
                        1e-5f, fused.parameters().get(p).name());
                }
            }
            float[] x = random(r, 2 * 2 * 5 * 5, -1, 1);
            assertArrayEquals(apart.forward(CPU.fromHost(x, 2, 2, 5, 5), false).toHost(),
                fused.forward(CPU.fromHost(x, 2, 2, 5, 5), false).toHost(), 1e-6f, "evaluation");
        }
    }
}
