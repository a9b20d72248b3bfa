package org.vgg4j.kernelscl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.PoolGeometry;
import org.vgg4j.tensor.Tensor;

/** Program cache, device selection, and a whole step queued without host waits. */
class ClRuntimeTest {
    @TempDir
    Path dir;

    static ClDevices.Device device() {
        ClDevices.Scan scan = ClDevices.scan();
        if (org.vgg4j.kernelscl.ClDevices.required()) org.junit.jupiter.api.Assertions.assertFalse(scan.devices().isEmpty(), "VGG4J_REQUIRE_OPENCL is set but there is no OpenCL platform: " + scan.problem());
        Assumptions.assumeFalse(scan.devices().isEmpty(), "no OpenCL platform: " + scan.problem());
        return scan.devices().get(0);
    }

    @Test
    void secondStartLoadsProgramsFromTheDiskCache() throws Exception {
        ClDevices.Device dev = device();
        String old = System.getProperty("vgg4j.cl.cache");
        System.setProperty("vgg4j.cl.cache", dir.toString());
        try {
            int built = ClProgramCache.BUILT.get();
            int loaded = ClProgramCache.LOADED.get();
            int programs = ClBackend.PROGRAMS.length; // gemm, gemm_small, conv, convgemm, elementwise, pool, loss, norm
            assertEquals(8, programs);
            new ClBackend(dev).close();
            assertEquals(programs, ClProgramCache.BUILT.get() - built, "first start compiles every program");
            new ClBackend(dev).close();
            assertEquals(programs, ClProgramCache.BUILT.get() - built, "second start compiles nothing");
            assertEquals(programs, ClProgramCache.LOADED.get() - loaded, "second start loads every binary");
            try (var files = Files.list(dir)) {
                assertEquals(programs, files.filter(f -> f.toString().endsWith(".bin")).count());
            }
        } finally {
            if (old == null) {
                System.clearProperty("vgg4j.cl.cache");
            } else {
                System.setProperty("vgg4j.cl.cache", old);
            }
        }
    }

    @Test
    void aConvStackStepIsQueuedWithoutTransfersOrWaits() {
        try (ClBackend cl = new ClBackend(device())) {
            ConvGeometry c1 = ConvGeometry.square(3, 16, 16, 8, 3, 1, 1);
            PoolGeometry p1 = PoolGeometry.square(8, 16, 16, 2, 2);
            ConvGeometry c2 = ConvGeometry.square(8, 8, 8, 8, 3, 1, 1);
            int n = 4;
            Tensor x = cl.zeros(c1.inputShape(n));
            Tensor w1 = cl.zeros(c1.weightShape());
            Tensor b1 = cl.zeros(8);
            Tensor y1 = cl.zeros(c1.outputShape(n));
            Tensor pooled = cl.zeros(p1.outputShape(n));
            Tensor arg = cl.zeros(p1.outputShape(n));
            Tensor w2 = cl.zeros(c2.weightShape());
            Tensor y2 = cl.zeros(c2.outputShape(n));
            Tensor g2 = cl.zeros(c2.outputShape(n));
            Tensor gp = cl.zeros(p1.outputShape(n));
            Tensor g1 = cl.zeros(c1.outputShape(n));
            Tensor gw1 = cl.zeros(c1.weightShape());
            Tensor gw2 = cl.zeros(c2.weightShape());
            Tensor v1 = cl.zeros(c1.weightShape());
            cl.synchronize();
            ClBackend.Stats before = cl.stats();
            cl.conv2dForward(x, w1, b1, y1, c1);
            cl.reluForward(y1, y1);
            cl.maxPoolForward(y1, pooled, arg, p1);
            cl.conv2dForward(pooled, w2, null, y2, c2);
            cl.conv2dBackwardWeights(pooled, g2, gw2, null, c2);
            cl.conv2dBackwardData(g2, w2, gp, c2);
            cl.maxPoolBackward(gp, arg, g1, p1);
            cl.reluBackward(y1, g1, g1);
            cl.conv2dBackwardWeights(x, g1, gw1, b1, c1);
            cl.sgdUpdate(w1, gw1, v1, 0.01f, 0.9f, 5e-4f, false);
            ClBackend.Stats queued = cl.stats();
            assertEquals(before.transfers(), queued.transfers(), "no host transfer inside the step");
            assertEquals(before.blockingCalls(), queued.blockingCalls(), "no host wait inside the step");
            // one kernel a convolution pass (implicit GEMM), plus the bias gradient; 15 or more as im2col passes
            assertTrue(queued.launches() - before.launches() >= (cl.implicitConv() ? 11 : 15), "the step is kernels: "
                + queued);
            cl.synchronize();
            assertEquals(before.blockingCalls() + 1, cl.stats().blockingCalls(), "one wait at the end");
        }
    }

    /**
     * uploadAhead's write waits for the ops queued before it (a GEMM still reading the old values)
     * and the ops queued after it wait for the write; the source array may change once it returns.
     */
    @Test
    void uploadsAheadKeepTheQueueOrderBothWays() {
        try (ClBackend cl = new ClBackend(device())) {
            int n = 512;
            java.util.SplittableRandom r = new java.util.SplittableRandom(3);
            float[] a0 = new float[n * n];
            float[] a1 = new float[n * n];
            float[] b = new float[n * n];
            for (int i = 0; i < a0.length; i++) {
                a0[i] = (float) r.nextDouble(-1, 1);
                a1[i] = (float) r.nextDouble(-1, 1);
                b[i] = (float) r.nextDouble(-1, 1);
            }
            Tensor a = cl.fromHost(a0, n, n);
            Tensor bt = cl.fromHost(b, n, n);
            Tensor c = cl.zeros(n, n);
            Tensor copy = cl.zeros(n, n);
            cl.gemm(false, false, n, n, n, 1f, a, 0, n, bt, 0, n, 0f, c, 0, n);
            float[] expected = cl.toHost(c); // a0 b
            long ahead = cl.aheadUploads();
            for (int round = 0; round < 3; round++) {
                cl.fill(c, 0f);
                cl.gemm(false, false, n, n, n, 1f, a, 0, n, bt, 0, n, 0f, c, 0, n); // reads a0 while queued
                float[] next = (round % 2 == 0 ? a1 : a0).clone();
                cl.uploadAhead(next, 0, a, 0, next.length);
                java.util.Arrays.fill(next, Float.NaN); // the copy already holds it
                cl.copy(a, 0, copy, 0, a.size()); // must see the new values
                org.junit.jupiter.api.Assertions.assertArrayEquals(expected, cl.toHost(c), "round " + round
                    + ": the GEMM queued before the upload read the old values");
                org.junit.jupiter.api.Assertions.assertArrayEquals(round % 2 == 0 ? a1 : a0, cl.toHost(copy),
                    "round " + round + ": the copy queued after the upload read the new values");
                // back to a0 for the next round's GEMM
                cl.uploadAhead(a0, 0, a, 0, a0.length);
            }
            assertEquals(ahead + 6, cl.aheadUploads());
            assertTrue(cl.uploadsAhead());
            org.junit.jupiter.api.Assertions.assertArrayEquals(a0, cl.toHost(a));
        }
    }

    @Test
    void explicitDevicesAreCheckedAndAutoPrefersTheCpuOverACpuOpenClDriver() {
        ClDevices.Device dev = device();
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> Backends.open("cl:9:9"));
        assertTrue(e.getMessage().contains("no OpenCL device cl:9:9"), e.getMessage());
        try (Backend b = Backends.open(dev.spec())) {
            assertEquals(dev.spec(), b.name());
        }
        if (!dev.gpu() && !dev.accelerator()) {
            try (Backend auto = Backends.open("auto")) {
                assertEquals("cpu", auto.name(), "a CPU OpenCL driver does not beat the Vector API backend");
            }
        }
    }

    /** A JVM that sees no OpenCL platform: the ICD loader is pointed at an empty vendor folder. */
    @Test
    void withoutAnyPlatformAutoFallsBackAndClFailsClearly() throws Exception {
        device();
        Path empty = Files.createDirectories(dir.resolve("vendors"));
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "--add-modules", "jdk.incubator.vector", "-cp", System.getProperty("java.class.path"),
            NoPlatformProbe.class.getName());
        pb.environment().put("OCL_ICD_VENDORS", empty.toString());
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        List<String> lines = out.lines().filter(l -> !l.startsWith("WARNING: Using incubator")).toList();
        assertTrue(lines.contains("auto -> cpu"), out);
        assertEquals(1, lines.stream().filter(l -> l.startsWith("vgg4j: no cl device")).count(), out);
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("cl -> IllegalStateException: device 'cl' unavailable: "
            + "no OpenCL platform installed")), out);
    }

    /** Run in a child JVM by the test above. */
    public static final class NoPlatformProbe {
        public static void main(String[] args) {
            try (Backend b = Backends.open("auto")) {
                System.out.println("auto -> " + b.name());
            }
            try (Backend b = Backends.open("cl")) {
                System.out.println("cl -> " + b.name());
            } catch (RuntimeException e) {
                System.out.println("cl -> " + e.getClass().getSimpleName() + ": " + e.getMessage());
            }
            System.out.flush();
            File.separator.length();
        }
    }
}
