package org.vgg4j.nn.optim;

import java.util.List;
import org.vgg4j.nn.Parameter;

/**
 * SGD with momentum and L2 weight decay (PyTorch's formulation, see
 * {@link org.vgg4j.tensor.Backend#sgdUpdate}); decay applies only to parameters that ask for it
 * (weights, not biases, unless {@code decayBiases}). The paper: momentum 0.9, decay 5e-4.
 */
public final class Sgd {
    private final float momentum;
    private final float weightDecay;
    private final boolean nesterov;
    private final boolean decayBiases;
    private float learningRate;

    public Sgd(float learningRate, float momentum, float weightDecay, boolean nesterov, boolean decayBiases) {
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("Sgd: learning rate " + learningRate + ", momentum " + momentum
                + ", weight decay " + weightDecay);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
        this.weightDecay = weightDecay;
        this.nesterov = nesterov;
        this.decayBiases = decayBiases;
    }

    public float learningRate() { return learningRate; }

    public void setLearningRate(float lr) {
        if (!(lr > 0)) {
            throw new IllegalArgumentException("Sgd: learning rate " + lr);
        }
        this.learningRate = lr;
    }

    /** One update of every parameter from its accumulated gradient. */
    public void step(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            float wd = p.decay() || decayBiases ? weightDecay : 0f;
            p.value().backend().sgdUpdate(p.value(), p.grad(), p.velocity(), learningRate, momentum, wd, nesterov);
        }
    }

    /** Gradients to zero before the next accumulation. */
    public static void zeroGrad(List<Parameter> parameters) {
        for (Parameter p : parameters) {
            p.zeroGrad();
        }
    }
}
