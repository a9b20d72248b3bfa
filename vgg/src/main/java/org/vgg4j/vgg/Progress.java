package org.vgg4j.vgg;

import java.io.PrintStream;
import java.util.Locale;

/**
 * One progress line per epoch, rewritten in place: step, loss (smoothed), training accuracy so far
 * this epoch (with dropout and augmentation on, as Keras reports it), images/s, learning rate, ETA.
 */
final class Progress {
    private final PrintStream out;
    private final int epoch;
    private final int epochs;
    private final int steps;
    private final long start = System.nanoTime();
    private final boolean interactive = System.console() != null;
    private final int firstStep;
    private int step;
    private long images;
    private long correct;
    private double smoothed = Double.NaN;
    private long lastPrint;

    Progress(PrintStream out, int epoch, int epochs, int steps, int firstStep) {
        this.out = out;
        this.epoch = epoch;
        this.epochs = epochs;
        this.steps = steps;
        this.step = firstStep;
        this.firstStep = firstStep;
    }

    void step(double loss, int right, int n, float lr) {
        step++;
        images += n;
        correct += right;
        smoothed = Double.isNaN(smoothed) ? loss : 0.95 * smoothed + 0.05 * loss;
        long now = System.nanoTime();
        long every = interactive ? 250_000_000L : 30_000_000_000L;
        if (now - lastPrint < every && step < steps) {
            return;
        }
        lastPrint = now;
        double secs = (now - start) / 1e9;
        double rate = images / Math.max(secs, 1e-9);
        long eta = (long) ((steps - step) * secs / Math.max(1, step - firstStep));
        int width = 24;
        int filled = (int) ((long) width * step / steps);
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        String line = String.format(Locale.ROOT, "epoch %d/%d [%s] %d/%d loss %.4f acc %.2f%% %.0f img/s lr %.3g eta %d:%02d",
            epoch + 1, epochs, bar, step, steps, smoothed, 100.0 * correct / Math.max(1, images), rate, lr, eta / 60,
            eta % 60);
        out.print(interactive ? "\r" + line : line + "\n");
        out.flush();
    }

    void done() {
        if (interactive) {
            out.println();
        }
    }
}
