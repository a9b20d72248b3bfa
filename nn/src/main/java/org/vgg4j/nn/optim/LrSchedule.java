package org.vgg4j.nn.optim;

/**
 * Learning-rate schedules, asked once per epoch with the validation metric (higher is better).
 * Their state is a few numbers, saved in checkpoints through {@link #state()} / {@link #restore}.
 */
public interface LrSchedule {

    /** The learning rate for the next epoch, given the current one and the epoch's metric. */
    float next(int epochsDone, float current, double metric);

    /** State to save (may be empty). */
    default double[] state() {
        return new double[0];
    }

    default void restore(double[] state) {
    }

    /** The same rate throughout. */
    static LrSchedule constant() {
        return (e, lr, m) -> lr;
    }

    /** Multiply by {@code gamma} every {@code every} epochs. */
    static LrSchedule step(float initial, int every, float gamma) {
        require(initial > 0 && every > 0 && gamma > 0 && gamma <= 1, "step", initial, every, gamma);
        return (e, lr, m) -> (float) (initial * Math.pow(gamma, e / every));
    }

    /** Cosine annealing from the initial rate to {@code min} over {@code total} epochs. */
    static LrSchedule cosine(float initial, float min, int total) {
        require(initial > 0 && min >= 0 && total > 0, "cosine", initial, min, total);
        return (e, lr, m) -> (float) (min + 0.5 * (initial - min) * (1 + Math.cos(Math.PI * Math.min(e, total) / total)));
    }

    /**
     * Divide by 10 (factor 0.1) when the metric has not improved for {@code patience} epochs,
     * as the paper does with validation accuracy (section 3.1), never below {@code min}.
     */
    static LrSchedule plateau(float factor, int patience, float min) {
        return plateau(factor, patience, min, true);
    }

    /**
     * Reduce-on-plateau for a metric to maximise (accuracy, PyTorch's mode "max") or to minimise
     * (a loss, mode "min"). A NaN metric counts as no improvement.
     */
    static LrSchedule plateau(float factor, int patience, float min, boolean maximise) {
        require(factor > 0 && factor < 1 && patience >= 0 && min >= 0, "plateau", factor, patience, min);
        return new Plateau(factor, patience, min, maximise);
    }

    private static void require(boolean ok, String name, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException("LrSchedule." + name + ": bad arguments " + java.util.Arrays.toString(args));
        }
    }

    /** Reduce-on-plateau; its state is the best metric so far and the epochs since. */
    final class Plateau implements LrSchedule {
        private final float factor;
        private final int patience;
        private final float min;
        private final double sign;
        private double best = Double.NEGATIVE_INFINITY;
        private int bad;

        Plateau(float factor, int patience, float min, boolean maximise) {
            this.factor = factor;
            this.patience = patience;
            this.min = min;
            this.sign = maximise ? 1 : -1;
        }

        @Override
        public float next(int epochsDone, float current, double metric) {
            double m = sign * metric; // internally always maximised
            if (m > best) {
                best = m;
                bad = 0;
                return current;
            }
            if (++bad > patience) {
                bad = 0;
                return Math.max(min, current * factor);
            }
            return current;
        }

        @Override
        public double[] state() {
            return new double[] {best, bad};
        }

        @Override
        public void restore(double[] s) {
            if (s.length == 2) {
                best = s[0];
                bad = (int) s[1];
            }
        }
    }
}
