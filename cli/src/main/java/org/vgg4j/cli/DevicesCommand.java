package org.vgg4j.cli;

import java.util.concurrent.Callable;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.BackendCheck;
import org.vgg4j.tensor.BackendProvider;
import org.vgg4j.tensor.Backends;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code vgg4j devices}: the CPU and every OpenCL device, one line each, starting with its spec. */
@Command(name = "devices", mixinStandardHelpOptions = true,
    description = "List the CPU and every OpenCL device, with the spec --device takes.")
final class DevicesCommand implements Callable<Integer> {

    @CommandLine.Option(names = "--tune", description = "Time GEMM tile sets on each OpenCL device and keep the fastest.")
    boolean tune;

    @CommandLine.Option(names = "--check", description = "Run every backend op on each OpenCL device against the CPU "
        + "backend on random shapes and print the worst error per op (exit 1 if any is wrong).")
    boolean check;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** Every non-CPU device against the CPU backend; the number of ops out of tolerance. */
    private int check(java.io.PrintWriter out) {
        int wrong = 0;
        int devices = 0;
        for (BackendProvider p : Backends.providers()) {
            if (p.scheme().equals("cpu") || !p.isAvailable()) {
                continue;
            }
            for (String device : p.deviceSpecs()) {
                devices++;
                out.println("checking " + device + " against cpu:");
                out.flush();
                try (Backend ref = Backends.open("cpu"); Backend dev = Backends.open(device)) {
                    for (BackendCheck.Result r : BackendCheck.run(ref, dev, 1)) {
                        out.println("  " + r);
                        out.flush();
                        if (!r.ok()) {
                            wrong++;
                        }
                    }
                } catch (RuntimeException e) {
                    out.println("  failed: " + String.valueOf(e.getMessage()).lines().findFirst().orElse(e.toString()));
                    wrong++;
                }
            }
        }
        if (devices == 0) {
            out.println("no OpenCL device to check (" + Backends.providers().stream().filter(p -> p.scheme().equals("cl"))
                .map(BackendProvider::unavailableReason).findFirst().orElse("no OpenCL backend on the class path") + ")");
        }
        return wrong;
    }

    @Override
    public Integer call() throws Exception {
        var out = spec.commandLine().getOut();
        if (tune) {
            for (BackendProvider p : Backends.providers()) {
                if (p.isAvailable()) {
                    p.tune(line -> {
                        out.println(line);
                        out.flush();
                    });
                }
            }
        }
        if (check) {
            int wrong = check(out);
            out.flush();
            if (wrong > 0) {
                spec.commandLine().getErr().println("vgg4j devices: " + wrong + " op(s) out of tolerance or failed (see above)");
                return 1;
            }
            return 0;
        }
        for (BackendProvider p : Backends.providers()) {
            if (!p.isAvailable() && p.describeDevices().isEmpty()) {
                out.println(p.scheme() + ": none (" + p.unavailableReason() + ")");
                continue;
            }
            for (String line : p.describeDevices()) {
                out.println(line);
            }
        }
        out.flush();
        return 0;
    }
}
