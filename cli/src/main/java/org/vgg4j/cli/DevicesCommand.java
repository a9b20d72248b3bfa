package org.vgg4j.cli;

import java.util.concurrent.Callable;
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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

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
