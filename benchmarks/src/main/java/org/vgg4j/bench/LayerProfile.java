package org.vgg4j.bench;

import java.util.ArrayList;
import java.util.List;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.SoftmaxCrossEntropy;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggModel;

/**
 * Wall time of each layer's forward and backward in a training step, to see where a step goes:
 * {@code LayerProfile <model of TrainStepRatio> <batch> [cpu|cl] [steps] [fwd]}. Prints one line per
 * layer and the share of the step; with {@code fwd}, the inference forward pass alone (evaluation
 * mode, no loss, no backward). It times each layer between synchronisations, so it cannot be the
 * shared {@code TrainStep}.
 */
public final class LayerProfile {
    private LayerProfile() {}

    public static void main(String[] args) {
        String model = args[0];
        int batch = Integer.parseInt(args[1]);
        String device = args.length > 2 ? args[2] : "cpu";
        int steps = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        boolean forwardOnly = args.length > 4 && args[4].equals("fwd");
        ModelSpec spec = TrainStepRatio.spec(model);
        try (Backend b = Backends.open(device); VggModel net = VggModel.build(b, spec, 0)) {
            net.initialise(VggModel.InitScheme.HE, 0);
            List<Module> layers = new ArrayList<>(net.features().modules());
            layers.add(new org.vgg4j.nn.layers.Flatten());
            layers.addAll(net.classifier().modules());
            Tensor x = TrainStepRatio.images(b, spec.inChannels(), spec.inputSize(), batch);
            Tensor y = TrainStepRatio.labels(b, spec.classes(), batch);
            SoftmaxCrossEntropy loss = new SoftmaxCrossEntropy(b);
            long[] fwd = new long[layers.size()];
            long[] bwd = new long[layers.size()];
            long total = 0;
            for (int step = -2; step < steps; step++) {
                boolean count = step >= 0;
                long t0 = System.nanoTime();
                Tensor h = x;
                for (int i = 0; i < layers.size(); i++) {
                    long t = System.nanoTime();
                    h = layers.get(i).forward(h, !forwardOnly);
                    b.synchronize();
                    if (count) {
                        fwd[i] += System.nanoTime() - t;
                    }
                }
                loss.forward(h, y);
                Tensor g = loss.backward();
                for (int i = forwardOnly ? -1 : layers.size() - 1; i >= 0; i--) {
                    long t = System.nanoTime();
                    g = layers.get(i).backward(g);
                    b.synchronize();
                    if (count) {
                        bwd[i] += System.nanoTime() - t;
                    }
                }
                if (count) {
                    total += System.nanoTime() - t0;
                }
            }
            System.out.printf("# %s batch=%d device=%s: %.1f ms a step (no SGD update), %.1f img/s%n", model, batch,
                device, total / 1e6 / steps, batch * steps / (total / 1e9));
            for (int i = 0; i < layers.size(); i++) {
                System.out.printf("%2d %-40s fwd %8.2f ms  bwd %8.2f ms  %5.1f%%%n", i, layers.get(i).describe(),
                    fwd[i] / 1e6 / steps, bwd[i] / 1e6 / steps, 100.0 * (fwd[i] + bwd[i]) / total);
            }
        }
    }
}
