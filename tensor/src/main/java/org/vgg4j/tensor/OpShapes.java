package org.vgg4j.tensor;

import java.util.Arrays;

/**
 * The shape rules of the {@link Backend} ops, shared by every implementation so that all of
 * them reject the same calls with the same messages (op name and shapes).
 */
public final class OpShapes {
    private OpShapes() {}

    /** x [N, inC, inH, inW], w [outC, inC, kH, kW], y [N, outC, outH, outW]. */
    public static void conv(String op, ConvGeometry g, Tensor x, Tensor w, Tensor y) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input " + x + " is not [N,C,H,W]");
        }
        int n = x.dim(0);
        Checks.shape(op, "input", x, g.inputShape(n));
        Checks.shape(op, "weight", w, g.weightShape());
        Checks.shape(op, "output", y, g.outputShape(n));
    }

    /** A convolution forward's arguments: all of {@code backend}, shapes as {@link #conv}, a bias of O when given. */
    public static void convForward(String op, Backend backend, ConvGeometry g, Tensor x, Tensor w, Tensor bias, Tensor y) {
        Checks.owned(op, backend, x, w, bias, y);
        conv(op, g, x, w, y);
        if (bias != null) {
            Checks.shape(op, "bias", bias, g.outC());
        }
    }

    /** Image {@code image} exists in x, which has the geometry's input shape. */
    public static void image(String op, Tensor x, int image, ConvGeometry g) {
        if (x.rank() != 4 || image < 0 || image >= x.dim(0)) {
            throw new IllegalArgumentException(op + ": image " + image + " outside " + x);
        }
        Checks.shape(op, "image tensor", x, g.inputShape(x.dim(0)));
    }

    /** y viewed as [N, C, S] for a bias [C]; returns S. */
    public static int bias(String op, Tensor y, Tensor bias) {
        int c = (int) bias.size();
        if (bias.rank() != 1 || y.rank() < 2 || y.dim(1) != c) {
            throw new IllegalArgumentException(op + ": bias " + Arrays.toString(bias.shape())
                + " does not match dim 1 of " + Arrays.toString(y.shape()));
        }
        return (int) (y.size() / ((long) y.dim(0) * c));
    }

    /** x [N, C, inH, inW] and y [N, C, outH, outW] of a pooling; returns the number of planes N*C. */
    public static int pool(String op, Tensor x, Tensor y, PoolGeometry g) {
        if (x.rank() != 4) {
            throw new IllegalArgumentException(op + ": input " + x + " is not [N,C,H,W]");
        }
        Checks.shape(op, "input", x, g.inputShape(x.dim(0)));
        Checks.shape(op, "output", y, g.outputShape(x.dim(0)));
        return x.dim(0) * g.channels();
    }

    /** LRN operands share x's shape [N, C, ...]; returns the inner size S. */
    public static int lrn(String op, Tensor x, Tensor... others) {
        if (x.rank() < 2) {
            throw new IllegalArgumentException(op + ": input " + x + " has no channel dimension");
        }
        for (Tensor t : others) {
            Checks.shape(op, "operand", t, x.shape());
        }
        return (int) (x.size() / ((long) x.dim(0) * x.dim(1)));
    }

    /** scores [N, K], labels [N], other [N, K]. */
    public static void loss(String op, Tensor scores, Tensor labels, Tensor other) {
        if (scores.rank() != 2) {
            throw new IllegalArgumentException(op + ": scores " + scores + " are not [N,K]");
        }
        Checks.shape(op, "labels", labels, scores.dim(0));
        Checks.shape(op, "probabilities", other, scores.shape());
    }

    /**
     * {@link #batchNorm} for the training forward, which also needs two values per channel for
     * its statistics and y apart from x. Returns S.
     */
    public static int batchNormTraining(String op, Tensor x, Tensor y, Tensor... perChannel) {
        int s = batchNorm(op, x, new Tensor[] {y}, perChannel);
        if ((long) x.dim(0) * s < 2) {
            throw new IllegalArgumentException(op + ": one value per channel in " + x
                + " (batch statistics need at least 2)");
        }
        if (x == y) {
            throw new IllegalArgumentException(op + ": y must not be x");
        }
        return s;
    }

    /**
     * Batch normalisation: x [N, C, ...] viewed as [N, C, S]; every per-channel tensor (non-null
     * ones) is [C]; every full-size tensor has x's shape. Returns S.
     */
    public static int batchNorm(String op, Tensor x, Tensor[] full, Tensor... perChannel) {
        if (x.rank() < 2 || x.dim(1) == 0) {
            throw new IllegalArgumentException(op + ": input " + x + " is not [N, C, ...]");
        }
        for (Tensor t : full) {
            if (t != null) {
                Checks.shape(op, "operand", t, x.shape());
            }
        }
        for (Tensor t : perChannel) {
            if (t != null) {
                Checks.shape(op, "per-channel operand", t, x.dim(1));
            }
        }
        return (int) (x.size() / ((long) x.dim(0) * x.dim(1)));
    }
}
