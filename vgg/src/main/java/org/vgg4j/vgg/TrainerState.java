package org.vgg4j.vgg;

/**
 * Everything besides weights and momentum that a checkpoint must hold to resume a run exactly:
 * where the run is, the learning rate and its schedule's memory, the dropout call counters and
 * the reference loss of the divergence check.
 */
public record TrainerState(int epoch, int step, long globalStep, float learningRate, double[] schedule,
                           long[] dropoutCalls, double bestTop1, double referenceLoss, long seed, int bestEpoch,
                           int batchSize, float initialLearningRate) {}
