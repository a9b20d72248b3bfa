package org.vgg4j.nn;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.vgg4j.kernelscl.ClBackend;
import org.vgg4j.kernelscl.ClDevices;
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
 * The same network, weights and input on the CPU and OpenCL backends: outputs, input gradients,
 * parameter gradients and the loss agree within 1e-4 relative (layers are written once against
 * Backend, so any difference is a kernel's).
 */
class BackendParityTest {

    static Sequential net(Backend b) {
        return new Sequential(new Conv2d(b, "c1", 3, 6, 3, 1, 1, true), new ReLU(b, true),
            new LocalResponseNorm(b, LrnParams.paper()), new MaxPool2d(b, 2, 2, 0),
            new Conv2d(b, "c2", 6, 8, 3, 1, 1, true), new ReLU(b, false), new AvgPool2d(b, 2, 2, 0), new Flatten(),
            new Linear(b, "fc1", 8 * 4, 12, true), new ReLU(b, true), new Dropout(b, 0.5f, 3),
            new Linear(b, "fc2", 12, 5, true));
    }

    @Test
    void forwardAndBackwardAgreeBetweenCpuAndOpenCl() {
        ClDevices.Scan scan = ClDevices.scan();
        if (org.vgg4j.kernelscl.ClDevices.required()) org.junit.jupiter.api.Assertions.assertFalse(scan.devices().isEmpty(), "VGG4J_REQUIRE_OPENCL is set but there is no OpenCL platform: " + scan.problem());
        Assumptions.assumeFalse(scan.devices().isEmpty(), "no OpenCL platform: " + scan.problem());
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[4 * 3 * 8 * 8];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble(-1, 1);
        }
        float[] labels = {0, 4, 2, 2};
        Backend[] backends = {new CpuBackend(), new ClBackend(scan.devices().get(0))};
        float[][][] results = new float[2][][];
        double[] losses = new double[2];
        for (int b = 0; b < 2; b++) {
            Backend be = backends[b];
            try (Sequential n = net(be); SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(be)) {
                long seed = 1;
                for (Parameter p : n.parameters()) {
                    Init.normal(p, 0.3, seed++);
                }
                n.setInputGradientNeeded(true);
                Tensor out = n.forward(be.fromHost(x, 4, 3, 8, 8), true);
                float[] logits = out.toHost();
                losses[b] = loss.forward(out, be.fromHost(labels, 4));
                float[] gx = n.backward(loss.backward()).toHost();
                List<Parameter> ps = n.parameters();
                results[b] = new float[ps.size() + 2][];
                results[b][0] = logits;
                results[b][1] = gx;
                for (int i = 0; i < ps.size(); i++) {
                    results[b][i + 2] = ps.get(i).grad().toHost();
                }
            }
        }
        backends[1].close();
        if (Math.abs(losses[0] - losses[1]) > 1e-4 * (1 + Math.abs(losses[0]))) {
            throw new AssertionError("loss: cpu " + losses[0] + ", opencl " + losses[1]);
        }
        for (int i = 0; i < results[0].length; i++) {
            float[] c = results[0][i];
            float[] d = results[1][i];
            double scale = 0;
            for (float v : c) {
                scale = Math.max(scale, Math.abs(v));
            }
            for (int j = 0; j < c.length; j++) {
                if (!(Math.abs(c[j] - d[j]) <= 1e-4 * (scale + 1e-3))) {
                    throw new AssertionError("result " + i + " element " + j + ": cpu " + c[j] + ", opencl " + d[j]);
                }
            }
        }
    }
}
