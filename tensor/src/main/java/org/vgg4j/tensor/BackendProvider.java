package org.vgg4j.tensor;

/**
 * A source of backends, found through {@link java.util.ServiceLoader}: the CPU backend is built
 * in, the OpenCL one comes from the {@code kernels-cl} jar when it is on the class path.
 */
public interface BackendProvider {

    /** The device-spec prefix this provider answers: {@code cpu} or {@code cl}. */
    String scheme();

    /** Whether a device of this kind can be opened here (e.g. an OpenCL platform exists). */
    boolean isAvailable();

    /** Why {@link #isAvailable()} is false, in one line; empty when it is true. */
    String unavailableReason();

    /** Preference for {@code --device auto}: higher wins among available providers. */
    int autoPriority();

    /**
     * Opens a backend for a spec of this scheme ({@code cl}, {@code cl:P:D}).
     *
     * @throws IllegalArgumentException for a spec this provider cannot parse
     * @throws IllegalStateException when the device cannot be opened, with the reason
     */
    Backend open(String spec);

    /**
     * Tunes every device of this kind for this machine (OpenCL: GEMM tile sets, kept in the
     * device's cache) and reports progress, a line at a time; nothing to do by default.
     */
    default void tune(java.util.function.Consumer<String> progress) {
    }

    /** The spec of every device this provider can open ({@code cl:0:0}, ...), for {@code vgg4j devices --check}. */
    default java.util.List<String> deviceSpecs() {
        return isAvailable() ? java.util.List.of(scheme()) : java.util.List.of();
    }

    /** One line per device this provider can open, each starting with its spec (for {@code vgg4j devices}). */
    default java.util.List<String> describeDevices() {
        return isAvailable() ? java.util.List.of(scheme()) : java.util.List.of();
    }
}
