package org.vgg4j.nn;

import java.util.ArrayList;
import java.util.List;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.BackendProvider;
import org.vgg4j.tensor.Backends;
import org.vgg4j.tensor.cpu.CpuBackend;

/**
 * The backends layer tests run on: the reference {@link CpuBackend}, the CPU's scalar loops (a
 * second implementation of every op, available everywhere), and every other backend found on
 * the class path through {@link Backends#providers()} that has a device here (OpenCL once
 * {@code kernels-cl} provides one). Each is opened once per test JVM.
 */
final class TestBackends {
    private TestBackends() {}

    /** A backend with a label for test names (cpu, cpu-scalar, cl:0:0). */
    record Device(String label, Backend backend) {
        @Override
        public String toString() { return label; }
    }

    /** What every other backend is compared with. */
    static final Device REFERENCE = new Device("cpu", new CpuBackend());

    private static List<Device> others;

    /** Devices other than {@link #REFERENCE}. */
    static synchronized List<Device> others() {
        if (others == null) {
            List<Device> list = new ArrayList<>();
            list.add(new Device("cpu-scalar", new CpuBackend(false)));
            for (BackendProvider p : Backends.providers()) {
                if (p.scheme().equals("cpu")) {
                    continue;
                }
                if (p.isAvailable()) {
                    Backend b = p.open(p.scheme());
                    list.add(new Device(b.name(), b));
                } else {
                    System.err.println("TestBackends: no " + p.scheme() + " device, its parity tests are skipped: "
                        + p.unavailableReason());
                }
            }
            others = List.copyOf(list);
        }
        return others;
    }

    /** The reference, then the others. */
    static List<Device> all() {
        List<Device> list = new ArrayList<>();
        list.add(REFERENCE);
        list.addAll(others());
        return list;
    }
}
