package org.vgg4j.kernelscl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.vgg4j.tensor.BackendCheck;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * Every ClBackend op against CpuBackend (the reference) on random and odd shapes, through
 * {@link BackendCheck} (what {@code vgg4j devices --check} runs): data movement (im2col, pooling's
 * argmax, ReLU, dropout masks, copies, top-k) exact, arithmetic within each op's tolerance
 * (relative, {@code |cl - cpu| / (1 + |cpu|)}: 1e-3 for GEMMs of depth up to 100, 1e-4 for
 * convolutions and batch norm, 1e-5 to 1e-7 for the rest).
 */
class ClParityTest {
    static ClBackend cl;

    @BeforeAll
    static void open() {
        ClDevices.Scan scan = ClDevices.scan();
        if (ClDevices.required()) {
            org.junit.jupiter.api.Assertions.assertFalse(scan.devices().isEmpty(),
                "VGG4J_REQUIRE_OPENCL is set but there is no OpenCL platform: " + scan.problem());
        }
        Assumptions.assumeFalse(scan.devices().isEmpty(), "no OpenCL platform: " + scan.problem());
        cl = new ClBackend(scan.devices().get(0));
    }

    @AfterAll
    static void close() {
        if (cl != null) {
            cl.close();
        }
    }

    @Test
    void everyOpMatchesTheCpuBackend() {
        // both convolution paths (implicit GEMM, im2col passes), whichever this device takes by default;
        // the implicit passes also in the few-rows tiles, the weight gradient's reduction also split
        // into 3 and 7 slices (split-K)
        boolean byDefault = cl.implicitConv();
        try {
            for (boolean implicit : new boolean[] {true, false}) {
                cl.setImplicitConv(implicit);
                for (int[] variant : implicit ? new int[][] {{0, 0}, {3, 1}, {7, 2}, {0, 2}} : new int[][] {{0, 0}}) {
                    int splits = variant[0];
                    cl.setWeightSplits(splits);
                    cl.setConvTiles(variant[1]);
                    for (long seed : new long[] {1, 2}) {
                        List<BackendCheck.Result> results = BackendCheck.run(new CpuBackend(), cl, seed);
                        assertEquals(BackendCheck.run(new CpuBackend(), new CpuBackend(), seed).size(), results.size());
                        for (BackendCheck.Result r : results) {
                            String path = implicit ? "implicit, " + splits + " slices, tiles " + variant[1] : "im2col";
                            assertTrue(r.ok(), path + ", seed " + seed + ": " + r);
                        }
                    }
                }
            }
        } finally {
            cl.setImplicitConv(byDefault);
            cl.setWeightSplits(0);
            cl.setConvTiles(0);
        }
    }
}
