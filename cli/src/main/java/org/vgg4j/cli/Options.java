package org.vgg4j.cli;

import picocli.CommandLine;

/**
 * Range checks of option values, as usage errors (exit code 2) that name the option: a value the
 * library would reject later (or worse, accept) is refused before anything runs.
 */
final class Options {
    private Options() {}

    static void range(CommandLine.Model.CommandSpec spec, String option, long value, long min, long max) {
        if (value < min || value > max) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value + ": must be "
                + (max == Long.MAX_VALUE ? "at least " + min : "between " + min + " and " + max));
        }
    }

    static void range(CommandLine.Model.CommandSpec spec, String option, double value, double min, double max,
                      boolean minIncluded) {
        boolean ok = Double.isFinite(value) && (minIncluded ? value >= min : value > min) && value <= max;
        if (!ok) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value + ": must be "
                + (minIncluded ? "at least " : "more than ") + min + (Double.isInfinite(max) ? "" : " and at most " + max));
        }
    }

    /** The sides {@link #inputSize} takes, for the --input options' help. */
    static final String INPUT_SIDES = "Input side: a multiple of 32 for VGG, from 8 for the -cifar ResNets, from 32 for "
        + "the other ResNets and GoogLeNet, 224 for AlexNet";

    /**
     * An input side that network {@code arch} takes (a multiple of 32 for VGG, which halves it five
     * times; from 8 or 32 for the ResNets and GoogLeNet; 224 for AlexNet), and not so large that a
     * batch overflows.
     */
    static void inputSize(CommandLine.Model.CommandSpec spec, String option, int value, String arch) {
        String problem = org.vgg4j.vgg.Architectures.inputProblem(arch, value);
        if (problem != null) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value + ": " + problem);
        }
    }

    /** A name {@code --arch} takes (see {@code Architectures.canonical}); returns its canonical form. */
    static String arch(CommandLine.Model.CommandSpec spec, String option, String value) {
        try {
            return org.vgg4j.vgg.Architectures.canonical(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + ": " + e.getMessage());
        }
    }

    private static final java.util.regex.Pattern DEVICE = java.util.regex.Pattern.compile("auto|cpu|cl|cl:\\d{1,4}:\\d{1,4}");

    /** A device name as {@code Backends.open} takes it: auto, cpu, cl or cl:P:D (whether it exists is checked later). */
    static void device(CommandLine.Model.CommandSpec spec, String option, String value) {
        if (value != null && !DEVICE.matcher(value).matches()) {
            throw new CommandLine.ParameterException(spec.commandLine(), option + " " + value
                + ": expected auto, cpu, cl or cl:P:D (P and D numbers, as `vgg4j devices` lists them)");
        }
    }
}
