package org.vgg4j.vgg;

import java.io.OutputStream;
import java.io.PrintStream;
import java.util.List;
import org.vgg4j.tensor.Backend;
import org.vgg4j.vgg.data.BatchLoader;
import org.vgg4j.vgg.data.Dataset;
import org.vgg4j.vgg.data.Preprocess;

/** A Trainer for tests: records each step's loss and can request a stop after a given step. */
class TrainerProbe extends Trainer {
    private final List<Double> losses;
    private final int stopAfter;

    TrainerProbe(Backend b, Network m, TrainConfig cfg, Dataset train, Dataset val, Preprocess prep,
                 List<Double> losses, int stopAfter) {
        super(b, m, cfg, train, val, prep, new PrintStream(OutputStream.nullOutputStream()));
        this.losses = losses;
        this.stopAfter = stopAfter;
    }

    @Override
    public double gradients(BatchLoader.Batch b) {
        double l = super.gradients(b);
        losses.add(l);
        if (losses.size() == stopAfter) {
            requestStop();
        }
        return l;
    }
}
