package org.vgg4j.vgg;

import java.nio.file.Path;

/**
 * Hyper-parameters of a training run, as Caffe's solver file holds them. Defaults are the
 * paper's (section 3.1): batch 256, momentum 0.9, weight decay 5e-4, dropout 0.5 (in the
 * {@link ModelSpec}), learning rate 1e-2 divided by 10 when validation accuracy stops improving.
 *
 * @param epochs           passes over the training set
 * @param batchSize        examples per optimiser step
 * @param microBatch       examples per forward/backward (gradients accumulate up to batchSize)
 * @param learningRate     initial learning rate
 * @param momentum         SGD momentum
 * @param weightDecay      L2 penalty on weights (not biases)
 * @param schedule         plateau, step, cosine or constant
 * @param patience         epochs without improvement before a plateau decay
 * @param stepEpochs       epochs between decays for the step schedule
 * @param minLearningRate  the run stops decaying below this
 * @param seed             seeds initialisation, shuffling, augmentation and dropout
 * @param checkpointEvery  steps between mid-epoch checkpoints (0: only at epoch ends)
 * @param outDir           where model, checkpoints and metrics go
 * @param maxLossRatio     a loss above this times the first epoch's mean counts as exploding
 */
public record TrainConfig(int epochs, int batchSize, int microBatch, float learningRate, float momentum,
                          float weightDecay, Schedule schedule, int patience, int stepEpochs,
                          float minLearningRate, long seed, int checkpointEvery, Path outDir,
                          double maxLossRatio) {

    /** Learning-rate schedules. */
    public enum Schedule { PLATEAU, STEP, COSINE, CONSTANT }

    public TrainConfig {
        if (epochs <= 0 || batchSize <= 0 || microBatch <= 0 || batchSize % microBatch != 0) {
            throw new IllegalArgumentException("train: epochs " + epochs + ", batch " + batchSize + ", micro-batch "
                + microBatch + " (batch must be a positive multiple of micro-batch)");
        }
        if (!(learningRate > 0) || !(momentum >= 0 && momentum < 1) || !(weightDecay >= 0)) {
            throw new IllegalArgumentException("train: learning rate " + learningRate + ", momentum " + momentum
                + ", weight decay " + weightDecay);
        }
    }

    /** The paper's settings with the given epochs and output directory. */
    public static TrainConfig paper(int epochs, Path outDir) {
        return new TrainConfig(epochs, 256, 256, 0.01f, 0.9f, 5e-4f, Schedule.PLATEAU, 2, 10, 1e-5f, 1L, 0,
            outDir, 20.0);
    }

    public TrainConfig withBatch(int batch, int micro) {
        return new TrainConfig(epochs, batch, micro, learningRate, momentum, weightDecay, schedule, patience,
            stepEpochs, minLearningRate, seed, checkpointEvery, outDir, maxLossRatio);
    }

    public TrainConfig withLearningRate(float lr, Schedule s) {
        return new TrainConfig(epochs, batchSize, microBatch, lr, momentum, weightDecay, s, patience,
            stepEpochs, minLearningRate, seed, checkpointEvery, outDir, maxLossRatio);
    }

    public TrainConfig withSeed(long s) {
        return new TrainConfig(epochs, batchSize, microBatch, learningRate, momentum, weightDecay, schedule,
            patience, stepEpochs, minLearningRate, s, checkpointEvery, outDir, maxLossRatio);
    }

    public TrainConfig withEpochs(int e) {
        return new TrainConfig(e, batchSize, microBatch, learningRate, momentum, weightDecay, schedule,
            patience, stepEpochs, minLearningRate, seed, checkpointEvery, outDir, maxLossRatio);
    }

    public TrainConfig withCheckpointEvery(int steps) {
        return new TrainConfig(epochs, batchSize, microBatch, learningRate, momentum, weightDecay, schedule,
            patience, stepEpochs, minLearningRate, seed, steps, outDir, maxLossRatio);
    }
}
