package org.vgg4j.tensor;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** Finds and opens backends by device spec: {@code auto}, {@code cpu}, {@code cl}, {@code cl:P:D}. */
public final class Backends {
    private Backends() {}

    /** Every provider on the class path, CPU first. */
    public static List<BackendProvider> providers() {
        List<BackendProvider> list = new ArrayList<>();
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class, Backends.class.getClassLoader())) {
            list.add(p);
        }
        list.sort(Comparator.comparing((BackendProvider p) -> !p.scheme().equals("cpu")));
        return list;
    }

    /**
     * Opens the backend named by {@code spec}. {@code auto} takes the available provider with the
     * highest {@link BackendProvider#autoPriority()} and says on stderr, in one line, when it
     * falls back to the CPU because another kind of device is missing.
     */
    public static Backend open(String spec) {
        if (spec == null || spec.isBlank()) {
            spec = "auto";
        }
        String scheme = spec.contains(":") ? spec.substring(0, spec.indexOf(':')) : spec;
        List<BackendProvider> providers = providers();
        if (scheme.equals("auto")) {
            BackendProvider best = null;
            for (BackendProvider p : providers) {
                if (p.isAvailable() && (best == null || p.autoPriority() > best.autoPriority())) {
                    best = p;
                }
            }
            for (BackendProvider p : providers) {
                if (!p.isAvailable() && (best == null || p.autoPriority() > best.autoPriority())) {
                    System.err.println("vgg4j: no " + p.scheme() + " device (" + p.unavailableReason()
                        + "); using " + (best == null ? "nothing" : best.scheme()));
                }
            }
            if (best == null) {
                throw new IllegalStateException("no backend available");
            }
            return best.open(best.scheme());
        }
        for (BackendProvider p : providers) {
            if (p.scheme().equals(scheme)) {
                if (!p.isAvailable()) {
                    throw new IllegalStateException("device '" + spec + "' unavailable: " + p.unavailableReason());
                }
                return p.open(spec);
            }
        }
        throw new IllegalArgumentException("unknown device '" + spec + "' (expected auto, cpu, cl or cl:P:D"
            + (scheme.equals("cl") ? "; the OpenCL backend jar is not on the class path" : "") + ")");
    }
}
