package org.vgg4j.kernelscl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Whether {@code dlopen("libOpenCL.so")} can succeed, answered before JOCL is touched: when it
 * cannot, JOCL's native code prints "Could not load libOpenCL.so ..." to the process's standard
 * output (C stdio, out of Java's reach), which breaks {@code predict --format json}. So on Linux
 * the scan looks where the dynamic linker looks (LD_LIBRARY_PATH, the ldconfig cache, the usual
 * library folders) and reports a missing loader in words instead.
 */
final class IcdLoaderCheck {
    private IcdLoaderCheck() {}

    static final String NAME = "libOpenCL.so";

    /** Library folders searched after LD_LIBRARY_PATH and the ldconfig cache. */
    static final List<Path> STANDARD = List.of(Path.of("/usr/lib/x86_64-linux-gnu"), Path.of("/lib/x86_64-linux-gnu"),
        Path.of("/usr/lib/aarch64-linux-gnu"), Path.of("/lib/aarch64-linux-gnu"), Path.of("/usr/lib64"),
        Path.of("/lib64"), Path.of("/usr/lib"), Path.of("/lib"), Path.of("/usr/local/lib"));

    /** True off Linux (the check is the dynamic linker's business there), else whether the loader is found. */
    static boolean present() {
        if (!System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            return true;
        }
        return present(System.getenv("LD_LIBRARY_PATH"), STANDARD, IcdLoaderCheck::ldconfigCache);
    }

    /** The decision, from the variable's value, the folders and the ldconfig cache's text (tests give their own). */
    static boolean present(String ldLibraryPath, List<Path> standard, Supplier<String> ldconfig) {
        List<Path> dirs = new ArrayList<>();
        if (ldLibraryPath != null) {
            for (String d : ldLibraryPath.split(":")) {
                if (!d.isEmpty()) {
                    dirs.add(Path.of(d));
                }
            }
        }
        for (Path d : dirs) {
            if (Files.exists(d.resolve(NAME))) {
                return true;
            }
        }
        String cache = ldconfig.get();
        if (cache != null && cache.lines().anyMatch(l -> l.strip().startsWith(NAME + " "))) {
            return true;
        }
        for (Path d : standard) {
            if (Files.exists(d.resolve(NAME))) {
                return true;
            }
        }
        return false;
    }

    /** {@code ldconfig -p}, or null when it cannot be run. */
    private static String ldconfigCache() {
        for (String exe : new String[] {"/sbin/ldconfig", "/usr/sbin/ldconfig"}) {
            if (!Files.isExecutable(Path.of(exe))) {
                continue;
            }
            try {
                Process p = new ProcessBuilder(exe, "-p").redirectErrorStream(true).start();
                byte[] out = p.getInputStream().readAllBytes();
                p.waitFor(5, TimeUnit.SECONDS);
                return new String(out, StandardCharsets.UTF_8);
            } catch (IOException e) {
                return null;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
        return null;
    }
}
