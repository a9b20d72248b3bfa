package org.vgg4j.vgg;

import java.util.ArrayList;
import java.util.List;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Sequential;
import org.vgg4j.nn.layers.AvgPool2d;
import org.vgg4j.nn.layers.Conv2d;
import org.vgg4j.nn.layers.Flatten;
import org.vgg4j.nn.layers.Linear;
import org.vgg4j.nn.layers.ReLU;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * Dense evaluation (section 3.2): the fully connected layers become convolutions (the first a
 * {@code s x s} convolution over the last feature map, the other two 1x1), so the whole network
 * slides over an image of any size >= the training input; the class score map is averaged over
 * space. FC weights [out, C*s*s] are the conv weights [out, C, s, s] in the same memory order
 * (PyTorch's flatten is C, H, W), so they are copied as they are. The features are the trained
 * model's own modules. Dropout is the identity at test time and is left out.
 */
public final class DenseNet implements AutoCloseable {
    private final VggModel model;
    private final Sequential head;

    public DenseNet(Backend backend, Network network) {
        if (!(network instanceof VggModel model)) {
            throw new IllegalArgumentException("dense evaluation needs a network whose head is fully connected layers "
                + "(VGG); " + network.describe() + " has none");
        }
        this.model = model;
        ModelSpec spec = model.spec();
        int side = spec.featureSize();
        List<Linear> fcs = new ArrayList<>();
        for (Module m : model.classifier().modules()) {
            if (m instanceof Linear l) {
                fcs.add(l);
            }
        }
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i < fcs.size(); i++) {
            Linear fc = fcs.get(i);
            int k = i == 0 ? side : 1;
            int in = fc.inFeatures() / (k * k);
            Conv2d conv = new Conv2d(backend, "dense." + i, in, fc.outFeatures(), k, 1, 0, true);
            backend.copy(fc.weight().value(), 0, conv.weight().value(), 0, fc.weight().size());
            backend.copy(fc.bias().value(), 0, conv.bias().value(), 0, fc.bias().size());
            layers.add(conv);
            if (i + 1 < fcs.size()) {
                layers.add(new ReLU(backend, true));
            }
        }
        layers.add(AvgPool2d.global(backend));
        layers.add(new Flatten());
        this.head = new Sequential(layers);
    }

    /** Class scores [N, classes] of images x [N, C, H, W] with H, W >= the training input size. */
    public Tensor scores(Tensor x) {
        return head.forward(model.features().forward(x, false), false);
    }

    @Override
    public void close() {
        head.close();
    }
}
