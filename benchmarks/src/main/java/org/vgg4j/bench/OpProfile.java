package org.vgg4j.bench;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.TreeMap;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.nn.TrainStep;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggModel;
import org.vgg4j.vgg.VggConfig;

/**
 * Where a training step of any model of {@link TrainStepRatio} goes, by backend op:
 * {@code OpProfile <model> <batch> [steps] [device]}. The backend is wrapped in a proxy that times
 * every call (the CPU backend returns when an op is done; on another device each call is preceded
 * and followed by {@code synchronize}, so the queue drains op by op); ops are keyed by name and, for
 * convolutions, their geometry. Prints the ops taking at least 0.5 % of the time, largest first.
 */
public final class OpProfile {
    private OpProfile() {}

    public static void main(String[] args) {
        String model = args[0];
        int batch = Integer.parseInt(args[1]);
        int steps = args.length > 2 ? Integer.parseInt(args[2]) : 3;
        String device = args.length > 3 ? args[3] : "cpu";
        boolean wait = !device.equals("cpu");
        Map<String, long[]> times = new TreeMap<>();
        boolean[] on = {false};
        try (Backend cpu = Backends.open(device)) {
            InvocationHandler h = (proxy, m, a) -> {
                if (wait && on[0]) {
                    cpu.synchronize(); // work queued by calls that bypass the proxy is not this op's
                }
                long t0 = System.nanoTime();
                try {
                    Object r = m.invoke(cpu, a);
                    if (wait && on[0]) {
                        cpu.synchronize();
                    }
                    return r;
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                } finally {
                    if (on[0]) {
                        String key = m.getName();
                        if (a != null) {
                            for (Object o : a) {
                                if (o instanceof ConvGeometry g) {
                                    key += " " + g.inC() + "->" + g.outC() + " k" + g.kH() + " s" + g.strideH() + " "
                                        + g.inH() + "x" + g.inW();
                                }
                            }
                        }
                        long[] v = times.computeIfAbsent(key, k -> new long[2]);
                        v[0] += System.nanoTime() - t0;
                        v[1]++;
                    }
                }
            };
            Backend b = (Backend) Proxy.newProxyInstance(Backend.class.getClassLoader(), new Class<?>[] {Backend.class},
                h);
            boolean resnet = org.vgg4j.vgg.ResNetModel.isResNet(model);
            // the -cifar variants on Fashion-MNIST's 1x28x28 and 10 classes, as TrainStepRatio and `vgg4j train --input 28` run them
            boolean small = model.endsWith("-cifar");
            ModelSpec spec = resnet ? ModelSpec.imagenet(VggConfig.A) : TrainStepRatio.spec(model);
            int ch = small ? 1 : spec.inChannels(), size = small ? 28 : spec.inputSize();
            int classes = small ? 10 : spec.classes();
            try (org.vgg4j.vgg.Network net = resnet
                     ? org.vgg4j.vgg.ResNetModel.build(b, model, ch, size, classes).initialise(0)
                     : VggModel.build(b, spec, 0).initialise(VggModel.InitScheme.HE, 0)) {
                TrainStep train = new TrainStep(b, net, new Sgd(0.01f, 0.9f, 0f, false, false), batch);
                Tensor x = TrainStepRatio.images(b, ch, size, batch);
                Tensor y = TrainStepRatio.labels(b, classes, batch);
                train.gradients(x, y, 1f);
                train.update();
                on[0] = true;
                long t0 = System.nanoTime();
                for (int s = 0; s < steps; s++) {
                    train.gradients(x, y, 1f);
                    train.update();
                }
                long total = System.nanoTime() - t0;
                on[0] = false;
                long inOps = times.values().stream().mapToLong(v -> v[0]).sum();
                System.out.printf("# %s batch=%d: %.1f ms a step, %.2f img/s; %.1f%% of it in backend ops%n", model,
                    batch, total / 1e6 / steps, steps * batch / (total / 1e9), 100.0 * inOps / total);
                times.entrySet().stream().sorted((p, q) -> Long.compare(q.getValue()[0], p.getValue()[0]))
                    .filter(e -> e.getValue()[0] * 200 >= total)
                    .forEach(e -> System.out.printf("%8.2f ms %5.1f%%  x%-4d %s%n", e.getValue()[0] / 1e6 / steps,
                        100.0 * e.getValue()[0] / total, e.getValue()[1] / steps, e.getKey()));
            }
        }
    }
}
