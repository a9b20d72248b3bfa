package org.vgg4j.tensor.cpu;

/**
 * Whether the Vector API fast path can run: {@code jdk.incubator.vector} must be in the boot
 * module graph, and {@code -Dvgg4j.vector=false} forces the scalar path (tests use it as a second
 * implementation). The first time the module is missing, one hint goes to stderr.
 */
public final class VectorSupport {
    private VectorSupport() {}

    private static final boolean MODULE_PRESENT =
        ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    private static volatile boolean hinted;

    /** True when the module is present and not switched off. */
    public static boolean enabled() {
        if (!Boolean.parseBoolean(System.getProperty("vgg4j.vector", "true"))) {
            return false;
        }
        if (!MODULE_PRESENT && !hinted) {
            hinted = true;
            System.err.println("vgg4j: jdk.incubator.vector is not enabled; the CPU backend runs scalar loops. "
                + "Start java with --add-modules jdk.incubator.vector for the fast path.");
        }
        return MODULE_PRESENT;
    }

    public static boolean modulePresent() { return MODULE_PRESENT; }
}
