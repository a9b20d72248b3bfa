package org.vgg4j.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.Classifier;
import org.vgg4j.vgg.ModelFile;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggConfig;
import org.vgg4j.vgg.VggModel;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Writes a model file of ours for {@code benchmarks/torch-interop.py}, which loads it into
 * torchvision with {@code load_state_dict(strict=True)} and compares PyTorch's probabilities with
 * ours: {@code TorchInterop <dir> <vgg11|vgg11_bn|vgg16_bn|resnet18|resnet50|...>}. The batch-norm statistics are moved
 * off their initial values by a few training-mode forward passes; the file {@code io.safetensors}
 * holds the input [2, 3, 224, 224] and our probabilities [2, 1000].
 */
public final class TorchInterop {
    private TorchInterop() {}

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        String arch = args.length > 1 ? args[1] : "vgg11_bn";
        Backend cpu = new CpuBackend();
        org.vgg4j.vgg.Network net = arch.equals("googlenet")
            ? org.vgg4j.vgg.GoogLeNetModel.build(cpu, 3, 224, 1000, 0.2f, 3).initialise(3)
            : arch.equals("alexnet")
            ? org.vgg4j.vgg.AlexNetModel.build(cpu, 3, 224, 1000, 0.5f, 3).initialise(3)
            : org.vgg4j.vgg.ResNetModel.isResNet(arch)
            ? org.vgg4j.vgg.ResNetModel.build(cpu, arch, 3, 224, 1000).initialise(3)
            : VggModel.build(cpu, ModelSpec.imagenet(VggConfig.parse(arch.replace("_bn", "")))
                .withBatchNorm(arch.endsWith("_bn")), 3).initialise(VggModel.InitScheme.HE, 3);
        SplittableRandom r = new SplittableRandom(5);
        float[] x = new float[2 * 3 * 224 * 224];
        for (int step = 0; step < 3; step++) {
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (r.nextGaussian() * (1 + step) + 0.3 * step);
            }
            net.forward(cpu.fromHost(x, 2, 3, 224, 224), true);
        }
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        List<String> names = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            names.add(String.valueOf(i));
        }
        Preprocess prep = new Preprocess(224, 0, false, new float[] {0, 0, 0}, new float[] {1, 1, 1});
        ModelFile.Info info = net.describe(names, prep, 224);
        ModelFile.save(dir.resolve("model.safetensors"), net, info);
        try (Classifier c = Classifier.of(cpu, net, info)) {
            float[] p = c.probabilities(x, 2);
            Map<String, HostTensor> io = new LinkedHashMap<>();
            io.put("input", new HostTensor(new int[] {2, 3, 224, 224}, x));
            io.put("probabilities", new HostTensor(new int[] {2, 1000}, p));
            SafeTensors.write(dir.resolve("io.safetensors"), io, Map.of(), false);
        }
        System.out.println("wrote " + dir.resolve("model.safetensors") + " (" + arch + ") and " + dir.resolve("io.safetensors"));
    }
}
