package org.vgg4j.kernelscl;

import static org.junit.jupiter.api.Assertions.assertEquals;
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

    @Test
    void tunerStoresItsChoiceAndTheBackendUsesIt() throws Exception {
        ClDevices.Scan scan = ClDevices.scan();
        if (org.vgg4j.kernelscl.ClDevices.required()) org.junit.jupiter.api.Assertions.assertFalse(scan.devices().isEmpty(), "VGG4J_REQUIRE_OPENCL is set but there is no OpenCL platform: " + scan.problem());
        Assumptions.assumeFalse(scan.devices().isEmpty(), "no OpenCL platform: " + scan.problem());
        ClDevices.Device dev = scan.devices().get(0);
        String old = System.getProperty("vgg4j.cl.cache");
        System.setProperty("vgg4j.cl.cache", dir.toString());
        try {
            List<String> lines = new ArrayList<>();
            String[] choice = GemmTuner.tune(dev, lines::add);
            assertEquals(GemmTuner.CANDIDATES.size() + GemmTuner.SMALL_CANDIDATES.size(), lines.size(), lines.toString());
            assertTrue(GemmTuner.CANDIDATES.contains(choice[0]));
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
}
