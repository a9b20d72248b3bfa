package org.vgg4j.bench;

import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.TrainStep;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.Tensor;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggConfig;
import org.vgg4j.vgg.VggModel;

/**
 * Training-step throughput of the same networks as ../shared/bench/src/torch_vgg.py: a step is
 * zero_grad, forward, cross-entropy, backward and SGD (lr 0.01, momentum 0.9), on a fixed random
 * batch; samples of at least one second after a warm-up of two steps and three seconds; median
 * images/s over samples taken while other processes used at most 0.15 cores (the peers' rule,
 * {@link LoadMon}):
 * {@code ours_train <model> batch=<b> input=<hxw> device=<d> img_s=<median> min= max= discarded= foreign_cpu_max= clean=}.
 * Models: fmnist_vgg11 (A conv stack on 32x32x1, then Linear 512->10; torch pads 28 to 32),
 * cifar_vgg11 (same on 3 channels), fmnist_half (vgg4j train's default: half width, FC 512),
 * vgg11 / vgg16 and vgg11_bn / vgg16_bn, resnet18 ... resnet152 (torchvision's, 224x224x3, 1000 classes),
 * resnet18-cifar ... (the small-input stem on Fashion-MNIST's 28x28x1, 10 classes).
 * Usage: {@code TrainStepRatio <model> <batch> [device] [samples]}.
 */
public final class TrainStepRatio {
    private TrainStepRatio() {}

    /** A fixed random batch of inputs for {@code spec}. */
    static Tensor images(Backend b, int channels, int size, int batch) {
        return b.fromHost(SgemmRatio.random(batch * channels * size * size, 3), batch, channels, size, size);
    }

    /** Labels 0, 1, 2, ... cycling through the classes. */
    static Tensor labels(Backend b, int classes, int batch) {
        float[] labels = new float[batch];
        for (int i = 0; i < batch; i++) {
            labels[i] = i % classes;
        }
        return b.fromHost(labels, batch);
    }

    /** The networks of torch_vgg.py by name. */
    static ModelSpec spec(String model) {
        return switch (model) {
            case "fmnist_vgg11" -> new ModelSpec(VggConfig.A, 1, 32, 10, 1, 0, 0.5f);
            case "cifar_vgg11" -> new ModelSpec(VggConfig.A, 3, 32, 10, 1, 0, 0.5f);
            case "fmnist_half" -> new ModelSpec(VggConfig.A, 1, 32, 10, 2, 512, 0.5f); // vgg4j train's default
            case "vgg11" -> ModelSpec.imagenet(VggConfig.A);
            case "vgg16" -> ModelSpec.imagenet(VggConfig.D);
            case "vgg11_bn" -> ModelSpec.imagenet(VggConfig.A).withBatchNorm(true);
            case "vgg16_bn" -> ModelSpec.imagenet(VggConfig.D).withBatchNorm(true);
            default -> throw new IllegalArgumentException("unknown model " + model);
        };
    }

    public static void main(String[] args) {
        String model = args[0];
        int batch = Integer.parseInt(args[1]);
        String device = args.length > 2 ? args[2] : "cpu";
        int samples = args.length > 3 ? Integer.parseInt(args[3]) : 5;
        boolean resnet = org.vgg4j.vgg.ResNetModel.isResNet(model);
        // for a ResNet, a spec of the same input and classes (images and labels take their sizes from it)
        // (the -cifar variants: Fashion-MNIST's 1x28x28 and 10 classes, as `vgg4j train --input 28` runs them)
        boolean small = model.endsWith("-cifar");
        ModelSpec spec = resnet ? ModelSpec.imagenet(VggConfig.A) : spec(model);
        int ch = small ? 1 : spec.inChannels(), s = small ? 28 : spec.inputSize(), classes = small ? 10 : spec.classes();
        try (Backend b = Backends.open(device); org.vgg4j.vgg.Network net = resnet
                 ? org.vgg4j.vgg.ResNetModel.build(b, model, ch, s, classes).initialise(0)
                 : VggModel.build(b, spec, 0).initialise(VggModel.InitScheme.HE, 0)) {
            TrainStep train = new TrainStep(b, net, new Sgd(0.01f, 0.9f, 0f, false, false), batch);
            Tensor x = images(b, ch, s, batch);
            Tensor y = labels(b, classes, batch);
            Runnable step = () -> {
                train.gradients(x, y, 1f); // the loss comes to the host: a sync point per step
                train.update();
            };
            // warm-up: two steps and at least three seconds, so that the JIT has compiled the
            // kernels before timing (the peer has no JIT to wait for)
            long w0 = System.nanoTime();
            for (int i = 0; i < 2 || System.nanoTime() - w0 < 3_000_000_000L; i++) {
                step.run();
            }
            b.synchronize();
            Samples r = Samples.of(() -> {
                step.run();
                b.synchronize();
            }, batch, samples);
            System.out.printf("ours_train %s batch=%d input=%dx%d device=%s %s%n", model, batch, s, s, device, r.tags());
        }
    }
}
