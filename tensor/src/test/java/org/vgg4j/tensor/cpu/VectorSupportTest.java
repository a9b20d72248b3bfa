package org.vgg4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;

/**
 * Runs twice: in the normal JVM (with jdk.incubator.vector) and in the "scalar-fallback" Surefire
 * execution, started without the module, where {@code vgg4j.expectNoVectorModule} is set.
 */
class VectorSupportTest {
    private static final boolean EXPECT_ABSENT = Boolean.getBoolean("vgg4j.expectNoVectorModule");

    @Test
    void fastPathFollowsTheModuleGraph() {
        assertEquals(!EXPECT_ABSENT, VectorSupport.modulePresent());
        assertEquals(!EXPECT_ABSENT, new CpuBackend().isVectorized());
        assertFalse(new CpuBackend(false).isVectorized(), "vector=false forces the scalar path");
        assertTrue(new CpuBackend().description().contains(EXPECT_ABSENT ? "scalar" : "Vector API"));
    }

    @Test
    void missingModuleIsReportedOnceOnStderr() {
        PrintStream old = System.err;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setErr(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            VectorSupport.enabled();
            VectorSupport.enabled();
        } finally {
            System.setErr(old);
        }
        String err = buf.toString(StandardCharsets.UTF_8);
        if (EXPECT_ABSENT) {
            // the hint may already have been printed by an earlier test in this JVM: at most once
            assertTrue(err.lines().count() <= 1, err);
            assertTrue(err.isEmpty() || err.contains("--add-modules jdk.incubator.vector"), err);
        } else {
            assertEquals("", err);
        }
    }

    @Test
    void cpuIsFoundThroughServiceLoader() {
        try (Backend b = Backends.open("cpu")) {
            assertEquals("cpu", b.name());
        }
        var e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
            () -> Backends.open("tpu"));
        assertTrue(e.getMessage().contains("unknown device 'tpu'"), e.getMessage());
    }
}
