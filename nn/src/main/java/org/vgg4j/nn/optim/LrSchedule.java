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
        return (e, lr, m) -> (float) (initial * Math.pow(gamma, e / every));
    }

    /** Cosine annealing from the initial rate to {@code min} over {@code total} epochs. */
    static LrSchedule cosine(float initial, float min, int total) {
        return (e, lr, m) -> (float) (min + 0.5 * (initial - min) * (1 + Math.cos(Math.PI * Math.min(e, total) / total)));
    }

    /**
     * Divide by 10 (factor 0.1) when the metric has not improved for {@code patience} epochs,
     * as the paper does with validation accuracy (section 3.1), never below {@code min}.
     */
    static LrSchedule plateau(float factor, int patience, float min) {
        return new Plateau(factor, patience, min);
    }

    /** Reduce-on-plateau, mode "max". */
    final class Plateau implements LrSchedule {
        private final float factor;
        private final int patience;
        private final float min;
        private double best = Double.NEGATIVE_INFINITY;
        private int bad;

        Plateau(float factor, int patience, float min) {
            this.factor = factor;
            this.patience = patience;
            this.min = min;
        }

        @Override
        public float next(int epochsDone, float current, double metric) {
            if (metric > best) {
                best = metric;
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
