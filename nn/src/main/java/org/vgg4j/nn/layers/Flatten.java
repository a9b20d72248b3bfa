package org.vgg4j.nn.layers;

import org.vgg4j.nn.Module;
import org.vgg4j.tensor.Tensor;

/** {@code [N, C, H, W] -> [N, C*H*W]}: a view, no copy (the order matches PyTorch's flatten). */
public final class Flatten implements Module {
    private int[] inputShape;

    @Override
    public int[] outputShape(int[] s) {
        long rest = 1;
        for (int i = 1; i < s.length; i++) {
            rest *= s[i];
        }
        return new int[] {s[0], (int) rest};
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        inputShape = x.shape();
        return x.reshape(outputShape(inputShape));
    }

    @Override
    public Tensor backward(Tensor gradY) {
        return gradY.reshape(inputShape);
    }

    @Override
    public String describe() {
        return "Flatten";
    }
}
