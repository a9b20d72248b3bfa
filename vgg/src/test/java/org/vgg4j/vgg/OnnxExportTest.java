package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.State;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.data.Preprocess;

/**
 * ONNX export: each network family's file passes ONNX's own checker (Debian's python3-onnx, with
 * shape inference) and ONNX Runtime (its Java package) computes our logits from it.
 */
class OnnxExportTest {
    static final CpuBackend CPU = new CpuBackend();

    @TempDir
    Path tmp;

    /** Random weights, and random running statistics where there is batch norm. */
    static void randomise(Network m, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (Parameter p : m.parameters()) {
            float[] v = new float[(int) p.size()];
            int[] s = p.shape();
            double scale = s.length == 4 ? Math.sqrt(2.0 / (s[1] * s[2] * s[3]))
                : s.length == 2 ? Math.sqrt(2.0 / s[1]) : 0.1;
            boolean gamma = s.length == 1 && p.name().endsWith(".weight");
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) (r.nextGaussian() * scale + (gamma ? 1 : 0));
            }
            CPU.upload(v, 0, p.value(), 0, v.length);
        }
        for (State st : m.state()) {
            if (st.isCounter()) {
                st.setCount(1 + r.nextInt(1000));
                continue;
            }
            float[] v = new float[(int) st.value().size()];
            for (int i = 0; i < v.length; i++) {
                v[i] = st.name().endsWith("running_var") ? (float) (0.5 + r.nextDouble()) : (float) (r.nextGaussian() * 0.1);
            }
            CPU.upload(v, 0, st.value(), 0, v.length);
        }
    }

    private static ModelFile.Info info(Network net) {
        int c = net.inChannels();
        float[] mean = new float[c];
        float[] std = new float[c];
        java.util.Arrays.fill(std, 1f);
        return net.describe(ModelFile.numberedClasses(net.classes()), new Preprocess(net.inputSize(), 0, false, mean, std),
            net.inputSize());
    }

    /** Exports {@code net}, checks the file with ONNX's checker, runs it in ONNX Runtime at batch {@code n}. */
    private void roundTrip(Network net, String name, int n, int staticBatch) throws Exception {
        randomise(net, name.hashCode());
        Path f = tmp.resolve(name + ".onnx");
        OnnxExport.write(f, net, info(net), staticBatch, "test");
        check(f);
        int c = net.inChannels();
        int s = net.inputSize();
        float[] x = new float[n * c * s * s];
        SplittableRandom r = new SplittableRandom(3);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] ours;
        try (Tensor in = CPU.fromHost(x, n, c, s, s)) {
            ours = net.forward(in, false).toHost();
        }
        float[][] theirs = runtime(f, x, new long[] {n, c, s, s});
        assertEquals(n, theirs.length);
        double max = 1;
        for (float v : ours) {
            max = Math.max(max, Math.abs(v));
        }
        for (int i = 0; i < n; i++) {
            assertEquals(net.classes(), theirs[i].length);
            for (int k = 0; k < net.classes(); k++) {
                assertEquals(ours[i * net.classes() + k], theirs[i][k], 1e-4 * max, name + " example " + i + " class " + k);
            }
        }
        Files.delete(f);
    }

    static float[][] runtime(Path f, float[] x, long[] shape) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions opts = new OrtSession.SessionOptions()) {
            opts.setIntraOpNumThreads(2);
            try (OrtSession s = env.createSession(f.toString(), opts);
                 OnnxTensor t = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), shape);
                 OrtSession.Result res = s.run(Map.of("input", t))) {
                assertEquals(List.of("input"), List.copyOf(s.getInputNames()));
                return (float[][]) res.get(0).getValue();
            }
        }
    }

    /** ONNX's checker with full shape inference, in Debian's python3-onnx (test.sh installs it). */
    static void check(Path f) throws IOException, InterruptedException {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : "python3";
        Process p = new ProcessBuilder(python, "-c",
            "import sys, onnx\n"
                + "m = onnx.load(sys.argv[1])\n"
                + "onnx.checker.check_model(m, full_check=True)\n"
                + "print('opset', m.opset_import[0].version, 'nodes', len(m.graph.node))\n", f.toString())
            .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int rc = p.waitFor();
        if (out.contains("No module named 'onnx'")) {
            fail("ONNX's checker is missing: apt-get install python3-onnx (./test.sh installs it)");
        }
        assertEquals(0, rc, "onnx.checker: " + out);
        assertTrue(out.startsWith("opset 13"), out);
    }

    @Test
    void vgg11AsTorchvisionBuildsItPassesTheCheckerAndRunsInOnnxRuntime() throws Exception {
        ModelSpec spec = new ModelSpec(VggConfig.A, 3, 224, 1000, 1, 4096, 0.5f, false);
        try (Network net = VggModel.build(CPU, spec, 1)) {
            roundTrip(net, "vgg11", 2, 0);
        }
    }

    @Test
    void smallVggsWithLrnAndBatchNormAtAStaticBatch() throws Exception {
        try (Network net = VggModel.build(CPU, new ModelSpec(VggConfig.parse("A-LRN"), 1, 32, 10, 8, 32, 0.5f, false), 1)) {
            roundTrip(net, "a-lrn", 3, 3);
        }
        try (Network net = VggModel.build(CPU, new ModelSpec(VggConfig.D, 3, 32, 10, 8, 32, 0.5f, true), 1)) {
            roundTrip(net, "d-bn", 2, 0);
        }
    }

    @Test
    void theZooNetworksPassTheCheckerAndRunInOnnxRuntime() throws Exception {
        for (String arch : new String[] {"resnet18", "resnet50", "resnet18-cifar", "alexnet", "googlenet"}) {
            int input = arch.endsWith("-cifar") ? 32 : 224;
            try (Network net = Architectures.build(CPU, arch, 3, input, 1000, 0.5f, 1, false)) {
                roundTrip(net, arch, 2, 0);
            }
        }
    }

    @Test
    void theStaticBatchIsInTheGraph() throws Exception {
        try (Network net = VggModel.build(CPU, new ModelSpec(VggConfig.A, 1, 32, 10, 16, 16, 0.5f, false), 1)) {
            Path f = tmp.resolve("static.onnx");
            OnnxExport.write(f, net, info(net), 4, "test");
            var m = org.vgg4j.vgg.formats.onnx.OnnxProto.ModelProto.parseFrom(Files.readAllBytes(f));
            assertEquals(4, m.getGraph().getInput(0).getType().getTensorType().getShape().getDim(0).getDimValue());
            assertArrayEquals(new long[] {4, 10}, m.getGraph().getOutput(0).getType().getTensorType().getShape()
                .getDimList().stream().mapToLong(d -> d.getDimValue()).toArray());
            assertTrue(m.getMetadataProps(0).getValue().contains("\"config\":\"A\""));
        }
    }
}
