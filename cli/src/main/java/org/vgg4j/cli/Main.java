package org.vgg4j.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vgg4j <command>}: the parent command. Exit codes follow picocli: 0 success, 1 runtime
 * failure (one line on stderr; {@code --verbose} adds the stack trace), 2 usage error.
 */
@Command(name = "vgg4j", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Train and run VGG networks on the CPU (Vector API) or OpenCL.",
    subcommands = {TrainCommand.class, PredictCommand.class, EvalCommand.class, SummaryCommand.class,
        DevicesCommand.class, BenchCommand.class, SamplesCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    @Option(names = "--verbose", scope = CommandLine.ScopeType.INHERIT,
        description = "Print stack traces of errors.")
    boolean verbose;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing command");
    }

    /** The command line with vgg4j's error handling, for main() and for tests. */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter err = line.getErr();
            Object root = line.getCommandSpec().root().userObject();
            String msg = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            err.println("vgg4j " + line.getCommandName() + ": " + msg);
            if (root instanceof Main m && m.verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cl;
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    /** The version from the jar manifest (or "dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"vgg4j " + (v == null ? "dev" : v) + " (Java " + Runtime.version() + ")"};
        }
    }
}
