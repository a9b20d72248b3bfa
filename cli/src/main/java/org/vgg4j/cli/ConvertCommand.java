package org.vgg4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.vgg.ModelFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code vgg4j convert IN OUT}: any model file vgg4j reads (safetensors, PyTorch {@code .pth}/{@code .pt},
 * Caffe {@code .caffemodel}; told apart by content) written as a vgg4j safetensors model file, with
 * the metadata that says how to build and feed it. The input is checked as {@code predict} checks
 * it, since the network is built and loaded before anything is written.
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
    description = "Write a .pth, .caffemodel or safetensors model as a vgg4j safetensors model file.")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IN", description = "A model file: safetensors, PyTorch .pth/.pt or Caffe .caffemodel.")
    Path in;
    @Parameters(index = "1", paramLabel = "OUT", description = "The vgg4j model file to write (safetensors).")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (Files.exists(in) && Files.exists(out) && Files.isSameFile(in, out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "OUT is the same file as IN");
        }
        String name = out.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".onnx")) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                "convert writes safetensors; for ONNX use: vgg4j export --format onnx --model " + in + " --out " + out);
        }
        if (Files.isDirectory(out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), out + " is a folder, not a file name");
        }
        String format = ModelFile.format(in);
        try (Backend cpu = Backends.open("cpu"); ModelFile.Loaded l = ModelFile.load(in, cpu)) {
            ModelFile.save(out, l.model(), l.info());
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "vgg4j convert: %s (%s: %s) -> %s (vgg4j safetensors, %,d parameters)%n", in, format,
                l.model().describe(), out, l.model().parameterCount());
            o.flush();
        }
        return 0;
    }
}
