package org.vgg4j.kernelscl;

import java.util.List;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.BackendProvider;

/**
 * Registers the OpenCL backend. For {@code --device auto} it counts as available only with a
 * GPU or accelerator: a CPU OpenCL driver (PoCL) is slower than the Vector API backend, so auto
 * keeps the CPU there; {@code --device cl} still opens it.
 */
public final class ClBackendProvider implements BackendProvider {
    @Override
    public String scheme() {
        return "cl";
    }

    @Override
    public boolean isAvailable() {
        return !ClDevices.scan().devices().isEmpty();
    }

    @Override
    public String unavailableReason() {
        return ClDevices.scan().problem();
    }

    @Override
    public int autoPriority() {
        // with no platform at all, auto would have wanted OpenCL: it says so in one line
        ClDevices.Scan scan = ClDevices.scan();
        boolean gpu = scan.devices().stream().anyMatch(d -> d.gpu() || d.accelerator());
        return gpu || scan.devices().isEmpty() ? 10 : -1;
    }

    @Override
    public Backend open(String spec) {
        ClDevices.Scan scan = ClDevices.scan();
        if (scan.devices().isEmpty()) {
            throw new IllegalStateException("device '" + spec + "' unavailable: " + scan.problem());
        }
        if (spec.equals("cl")) {
            ClDevices.Device best = scan.devices().stream().filter(d -> d.gpu() || d.accelerator()).findFirst()
                .orElse(scan.devices().get(0));
            return new ClBackend(best);
        }
        String[] parts = spec.split(":");
        if (parts.length != 3) {
            throw new IllegalArgumentException("bad OpenCL device '" + spec + "' (expected cl or cl:PLATFORM:DEVICE)");
        }
        int p;
        int d;
        try {
            p = Integer.parseInt(parts[1]);
            d = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad OpenCL device '" + spec + "' (expected cl or cl:PLATFORM:DEVICE)");
        }
        for (ClDevices.Device dev : scan.devices()) {
            if (dev.platform() == p && dev.index() == d) {
                return new ClBackend(dev);
            }
        }
        throw new IllegalArgumentException("no OpenCL device " + spec + "; `vgg4j devices` lists: "
            + scan.devices().stream().map(ClDevices.Device::spec).toList());
    }

    @Override
    public void tune(java.util.function.Consumer<String> progress) {
        for (ClDevices.Device d : ClDevices.scan().devices()) {
            progress.accept("tuning GEMM on " + d.spec() + " " + d.name());
            String[] c;
            try {
                c = GemmTuner.tune(d, l -> progress.accept("  " + l));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException("tuning " + d.spec() + ": " + e.getMessage(), e);
            }
            progress.accept("  chosen: " + c[0] + " (few rows: " + c[1] + ")");
        }
    }

    @Override
    public List<String> deviceSpecs() {
        return ClDevices.scan().devices().stream().map(ClDevices.Device::spec).toList();
    }

    @Override
    public List<String> describeDevices() {
        ClDevices.Scan scan = ClDevices.scan();
        if (scan.devices().isEmpty()) {
            return List.of("cl: none (" + scan.problem() + ")");
        }
        return scan.devices().stream().map(ClDevices.Device::describe).toList();
    }
}
