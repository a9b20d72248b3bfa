package org.vgg4j.bench;

import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.Tensor;

/**
 * Milliseconds of one convolution's forward and backward (weights and data together, as a training
 * step calls it) on the CPU backend, for tuning one geometry:
 * {@code ConvProfile <inC> <size> <outC> <kernel> <stride> <batch> [reps]} (padding kernel/2).
 * Prints the median of reps calls of each (and of the two halves of the backward called alone); system properties choose the paths
 * ({@code -Dvgg4j.conv.winograd=false} and the like).
 */
public final class ConvProfile {
    private ConvProfile() {}

    public static void main(String[] args) {
        int inC = Integer.parseInt(args[0]);
        int size = Integer.parseInt(args[1]);
        int outC = Integer.parseInt(args[2]);
        int k = Integer.parseInt(args[3]);
        int s = Integer.parseInt(args[4]);
        int n = Integer.parseInt(args[5]);
        int reps = args.length > 6 ? Integer.parseInt(args[6]) : 15;
        ConvGeometry g = ConvGeometry.square(inC, size, size, outC, k, s, k / 2);
        try (Backend b = Backends.open("cpu")) {
            Tensor x = b.fromHost(SgemmRatio.random(n * g.inC() * g.inH() * g.inW(), 1), g.inputShape(n));
            Tensor w = b.fromHost(SgemmRatio.random(g.outC() * g.colRows(), 2), g.weightShape());
            Tensor bias = b.zeros(g.outC());
            Tensor y = b.zeros(g.outputShape(n));
            Tensor gx = b.zeros(g.inputShape(n));
            Tensor gw = b.zeros(g.weightShape());
            Tensor gb = b.zeros(g.outC());
            long[] f = new long[reps];
            long[] bw = new long[reps];
            long[] bwW = new long[reps];
            long[] bwD = new long[reps];
            for (int r = -3; r < reps; r++) {
                // a training step changes the weights between calls: so do we, by one ulp-sized nudge
                b.axpy(1e-7f, gw, w);
                long t0 = System.nanoTime();
                b.conv2dForward(x, w, bias, y, g);
                long t1 = System.nanoTime();
                b.conv2dBackward(x, y, w, gx, gw, gb, g);
                long t2 = System.nanoTime();
                b.conv2dBackwardWeights(x, y, gw, gb, g);
                long t3 = System.nanoTime();
                b.conv2dBackwardData(y, w, gx, g);
                long t4 = System.nanoTime();
                if (r >= 0) {
                    f[r] = t1 - t0;
                    bw[r] = t2 - t1;
                    bwW[r] = t3 - t2;
                    bwD[r] = t4 - t3;
                }
            }
            java.util.Arrays.sort(f);
            java.util.Arrays.sort(bw);
            java.util.Arrays.sort(bwW);
            java.util.Arrays.sort(bwD);
            double flops = 2.0 * n * g.outC() * g.colRows() * g.outH() * g.outW();
            System.out.printf("conv %d->%d k%d s%d %dx%d batch %d: forward %.2f ms (%.0f GFLOP/s direct-equivalent),"
                + " backward %.2f ms (%.0f); alone: weights %.2f ms, data %.2f ms%n", inC, outC, k, s, size, size, n,
                f[reps / 2] / 1e6, flops / f[reps / 2], bw[reps / 2] / 1e6, 2 * flops / bw[reps / 2], bwW[reps / 2] / 1e6,
                bwD[reps / 2] / 1e6);
        }
    }
}
