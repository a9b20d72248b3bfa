package org.vgg4j.kernelscl;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, item 10: without an ICD loader JOCL's native code printed "Could not load
 * libOpenCL.so" to standard output, breaking {@code --format json}. The scan now decides first,
 * from where the dynamic linker looks, and never touches JOCL when the loader is missing.
 */
class IcdLoaderCheckTest {
    @TempDir
    Path dir;

    @Test
    void theLoaderIsFoundWhereTheDynamicLinkerLooks() throws Exception {
        Path empty = Files.createDirectories(dir.resolve("empty"));
        Path lib = Files.createDirectories(dir.resolve("lib"));
        Files.write(lib.resolve("libOpenCL.so"), new byte[0]);
        assertFalse(IcdLoaderCheck.present(null, List.of(empty), () -> null), "nowhere");
        assertFalse(IcdLoaderCheck.present(empty.toString(), List.of(empty),
            () -> "\tlibOpenCL.so.1 (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libOpenCL.so.1\n"),
            "the runtime package's libOpenCL.so.1 is not the name JOCL opens");
        assertTrue(IcdLoaderCheck.present(empty + ":" + lib, List.of(), () -> null), "LD_LIBRARY_PATH");
        assertTrue(IcdLoaderCheck.present(null, List.of(),
            () -> "\tlibOpenCL.so (libc6,x86-64) => /usr/lib/x86_64-linux-gnu/libOpenCL.so\n"), "ldconfig cache");
        assertTrue(IcdLoaderCheck.present(null, List.of(empty, lib), () -> null), "a standard folder");
    }

    /** The bundled fallback loader exists for both Linux architectures users run JVMs with OpenCL on. */
    @Test
    void theFallbackLoaderShipsForX86AndArm() {
        for (String arch : new String[] {"linux-x86_64", "linux-arm64"}) {
            for (String lib : new String[] {"org/bytedeco/opencl/" + arch + "/libOpenCL.so.1",
                "org/bytedeco/opencl/" + arch + "/libjniOpenCL.so", "org/bytedeco/javacpp/" + arch + "/libjnijavacpp.so"}) {
                assertTrue(getClass().getClassLoader().getResource(lib) != null, lib + " on the class path");
            }
        }
    }
}
