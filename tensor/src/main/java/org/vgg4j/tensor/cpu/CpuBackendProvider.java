package org.vgg4j.tensor.cpu;

import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.BackendProvider;

/** Registers the CPU backend with {@link org.vgg4j.tensor.Backends}; always available. */
public final class CpuBackendProvider implements BackendProvider {
    @Override public String scheme() { return "cpu"; }
    @Override public boolean isAvailable() { return true; }
    @Override public String unavailableReason() { return ""; }
    @Override public int autoPriority() { return 0; }

    @Override
    public java.util.List<String> describeDevices() {
        try (CpuBackend cpu = new CpuBackend()) {
            return java.util.List.of(cpu.description() + ", " + Runtime.getRuntime().maxMemory() / (1 << 20)
                + " MiB heap");
        }
    }

    @Override
    public Backend open(String spec) {
        if (!spec.equals("cpu")) {
            throw new IllegalArgumentException("unknown CPU device '" + spec + "' (expected cpu)");
        }
        return new CpuBackend();
    }
}
