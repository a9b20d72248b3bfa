package org.vgg4j.kernelscl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GemmTunerTest {
    @TempDir
    Path dir;

    private static ClDevices.Device device() {
        ClDevices.Scan scan = ClDevices.scan();
        if (ClDevices.required()) {
            assertFalse(scan.devices().isEmpty(), "VGG4J_REQUIRE_OPENCL is set but there is no OpenCL platform: " + scan.problem());
        }
        Assumptions.assumeFalse(scan.devices().isEmpty(), "no OpenCL platform: " + scan.problem());
        return scan.devices().get(0);
    }

    @Test
    void tunerStoresItsChoiceAndTheBackendUsesIt() throws Exception {
        ClDevices.Device dev = device();
        String old = System.getProperty("vgg4j.cl.cache");
        System.setProperty("vgg4j.cl.cache", dir.toString());
        try {
            List<String> lines = new ArrayList<>();
            String[] choice = GemmTuner.tune(dev, lines::add, 3, 2);
            List<String> main = GemmTuner.space(dev, "main", 3, 0, GemmTuning.builtIn(dev, ""));
            assertEquals(GemmTuning.builtIn(dev, ""), main.get(0), "the built-in choice is always a candidate");
            assertTrue(main.contains(choice[0]), choice[0] + " among " + main);
            assertTrue(lines.size() >= main.size(), lines.toString());
            assertTrue(GemmTuning.Params.parse(choice[1]).tileM() < GemmTuning.Params.parse(choice[0]).tileM()
                || choice[1].equals(GemmTuning.builtIn(dev, ".small-m")), "few-rows tiles lower than the main ones");
            assertTrue(Files.readString(dir.resolve("gemm-tuning.properties")).contains(choice[0]));
            assertEquals(GemmTuning.Params.parse(choice[0]), GemmTuning.forDevice(dev));
            assertEquals(GemmTuning.Params.parse(choice[1]), GemmTuning.smallM(dev));
        } finally {
            if (old == null) {
                System.clearProperty("vgg4j.cl.cache");
            } else {
                System.setProperty("vgg4j.cl.cache", old);
            }
        }
    }

    /**
     * 64 rows a tile at 3 rows a work-item: 21 work-items cover 63 rows, so the last row of every
     * tile is never written. It builds and runs (and may well be fast); the tuner must reject it on
     * its result, choose a right candidate, and fail when there is none.
     */
    @Test
    void aCandidateThatComputesWrongIsRejected() {
        ClDevices.Device dev = device();
        String wrongOne = "64,64,16,3,4";
        assertNotNull(GemmTuner.violation(GemmTuning.Params.parse(wrongOne), dev), "the search space never draws it");
        String rightOne = "32,32,16,4,4";
        assertNull(GemmTuner.violation(GemmTuning.Params.parse(rightOne), dev));
        List<String> lines = new ArrayList<>();
        String chosen = GemmTuner.best(dev, List.of(wrongOne, rightOne), "", 128, 128, 128, lines::add);
        assertEquals(rightOne, chosen);
        assertTrue(lines.get(0).startsWith("gemm " + wrongOne + ": rejected, wrong result at ("), lines.get(0));
        IllegalStateException e = assertThrows(IllegalStateException.class,
            () -> GemmTuner.best(dev, List.of(wrongOne), "", 128, 128, 128, l -> { }));
        assertTrue(e.getMessage().contains("1 with wrong results"), e.getMessage());
    }

    /** Strided and contiguous thread-to-data mappings (STRM/STRN) both compute right, main and few-rows tiles. */
    @Test
    void bothThreadMappingsComputeRight() {
        ClDevices.Device dev = device();
        List<String> lines = new ArrayList<>();
        // full tiles in vectors of 16 and 4 columns (adjacent and strided), a last column tile of
        // whole vectors on the vector path, A B^T as dot products of vectors along k (k = 3 * TILE_K
        // + 7 leaves a tail), tiles taller than the rest of the matrix on the vector path (96 rows in
        // tiles of 64 and 128), ragged edges on the scalar path; rows kept in registers across k
        // blocks (RB; the tuner's check takes K = 3 blocks and a tail), strided and adjacent
        GemmTuner.best(dev, List.of("64,64,16,8,8,0,0", "32,64,8,4,16,0,0", "64,64,16,4,4,1,1", "32,16,16,16,16,0,0,16",
            "64,64,16,8,8,1,1,4", "32,64,16,4,8,0,0,4", "64,128,16,64,64,0,0,16", "128,128,16,64,64,0,0,16",
            "128,128,128,64,64,0,0,16,4", "64,64,32,16,16,1,1,4,4", "32,64,16,8,16,0,0,8,2"), "", 96, 96, 96,
            lines::add);
        GemmTuner.best(dev, List.of("16,64,16,4,8,0,0", "16,16,16,16,16,0,0,16"), ".small-m", 16, 96, 96, lines::add);
        assertEquals(13, lines.size(), lines.toString());
        for (String l : lines) {
            assertTrue(l.contains("GFLOP/s"), l);
        }
        assertEquals("64,64,16,8,8,0,0", GemmTuning.Params.parse("64, 64, 16, 8, 8, 0, 0").text());
        assertEquals("64,64,16,8,8", GemmTuning.Params.parse("64,64,16,8,8,1,1").text());
        assertThrows(IllegalArgumentException.class, () -> GemmTuning.Params.parse("64,64,16,8"));
        assertEquals("32,16,16,16,16,0,0,16", GemmTuning.Params.parse("32,16,16,16,16,0,0,16").text());
        assertNotNull(GemmTuner.violation(GemmTuning.Params.parse("32,32,16,8,8,0,0,16"), dev), "VWN over WPT_N");
        assertEquals("128,128,128,64,64,0,0,16,4", GemmTuning.Params.parse("128,128,128,64,64,0,0,16,4").text());
        assertEquals(4, GemmTuning.Params.parse("128,128,128,64,64,0,0,16,4").rb());
        assertNotNull(GemmTuner.violation(GemmTuning.Params.parse("64,64,16,8,8,0,0,4,3"), dev), "RB not dividing WPT_M");
        assertNotNull(GemmTuner.violation(GemmTuning.Params.parse("64,64,16,8,8,0,0,1,4"), dev), "RB without vectors");
    }

    @Test
    void theSearchSpaceKeepsToTheDevicesLimits() {
        ClDevices.Device dev = device();
        List<String> all = GemmTuner.space(dev, "main", Integer.MAX_VALUE, 0, null);
        assertFalse(all.isEmpty());
        for (String c : all) {
            GemmTuning.Params p = GemmTuning.Params.parse(c);
            assertNull(GemmTuner.violation(p, dev), c);
            assertTrue((long) p.localM() * p.localN() <= dev.maxWorkGroup(), c);
        }
        for (String c : GemmTuner.space(dev, "small-m", Integer.MAX_VALUE, 64, null)) {
            assertTrue(GemmTuning.Params.parse(c).tileM() < 64, c);
        }
        assertEquals(5, GemmTuner.space(dev, "main", 5, 0, null).size());
    }

    @Test
    void gpusAreTimedAtASizeThatFillsThem() {
        assertEquals(512, GemmTuner.timingSize(device(false, 64)), "a CPU device");
        assertEquals(512, GemmTuner.timingSize(device(true, 8)), "a small GPU");
        // an H200: 132 units, 128 x 128 tiles, at least 2 groups a unit -> (2560 / 128)^2 = 400 >= 264
        assertEquals(2560, GemmTuner.timingSize(device(true, 132)));
    }

    @Test
    void theH200HasItsMeasuredTilesBuiltIn() {
        ClDevices.Device h200 = named("NVIDIA H200");
        assertEquals("128,128,16,8,8", GemmTuning.builtIn(h200, ""));
        assertEquals("32,64,16,4,4", GemmTuning.builtIn(h200, ".small-m"));
        assertEquals("64,64,16,4,4", GemmTuning.builtIn(named("NVIDIA A100"), ""), "other GPUs keep the default");
    }

    private static ClDevices.Device device(boolean gpu, int units) {
        return new ClDevices.Device(0, 0, "p", "d", "v", "1", gpu, false, units, 1L << 30, 48 << 10, 1024, null, null);
    }

    private static ClDevices.Device named(String name) {
        return new ClDevices.Device(0, 0, "p", name, "v", "1", true, false, 132, 1L << 30, 48 << 10, 1024, null, null);
    }
}
