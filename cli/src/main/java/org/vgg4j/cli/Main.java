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
    description = "Train and run VGG networks, and AlexNet, GoogLeNet and ResNet, on the CPU (Vector API) or OpenCL.",
    subcommands = {TrainCommand.class, PredictCommand.class, EvalCommand.class, SummaryCommand.class,
        DevicesCommand.class, BenchCommand.class, SamplesCommand.class, ConvertCommand.class, ExportCommand.class,
        ExperimentCommand.class,
        CommandLine.HelpCommand.class})
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
        cl.setCaseInsensitiveEnumValuesAllowed(true);
        cl.setExecutionExceptionHandler((ex, line, parsed) -> {
            PrintWriter err = line.getErr();
            Object root = line.getCommandSpec().root().userObject();
            String msg = message(ex);
            err.println("vgg4j " + line.getCommandName() + ": " + msg);
            if (root instanceof Main m && m.verbose) {
                ex.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cl;
    }

    /**
     * One line for a failure: the exception's message where it was written for users; what the
     * JDK says of a file (often only its path) put into words; any other bare Java exception named
     * as the internal error it is.
     */
    public static String message(Throwable ex) {
        if (ex instanceof java.nio.file.AccessDeniedException a) {
            return a.getFile() + ": permission denied";
        }
        if (ex instanceof java.nio.file.NoSuchFileException n) {
            return n.getFile() + ": no such file or folder";
        }
        if (ex instanceof java.nio.file.FileAlreadyExistsException f) {
            return f.getFile() + ": already exists";
        }
        if (ex instanceof java.nio.file.NotDirectoryException d) {
            return d.getFile() + ": not a folder";
        }
        if (ex instanceof java.nio.file.FileSystemException f) {
            return f.getFile() + ": " + (f.getReason() != null ? f.getReason() : ex.getClass().getSimpleName());
        }
        if (ex instanceof OutOfMemoryError) {
            return "out of memory (" + ex.getMessage() + "); give the JVM more with -Xmx, or use a smaller --batch";
        }
        boolean bare = ex instanceof NullPointerException || ex instanceof ArithmeticException
            || ex instanceof ArrayIndexOutOfBoundsException || ex instanceof ClassCastException
            || ex instanceof NumberFormatException;
        if (bare || ex.getMessage() == null) {
            return "internal error (" + ex.getClass().getSimpleName() + (ex.getMessage() == null ? "" : ": "
                + ex.getMessage()) + "); please report it with the output of --verbose";
        }
        return ex.getMessage();
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
