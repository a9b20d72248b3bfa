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

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
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
