package org.vgg4j.cli;

import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Backends;
import org.vgg4j.vgg.ModelFile;
import org.vgg4j.vgg.OnnxExport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code vgg4j export --format onnx --model M --out M.onnx}: the inference graph of any network
 * vgg4j builds, for ONNX Runtime, TensorRT or OpenVINO (opset 13; input {@code input}
 * [batch, C, S, S], preprocessed as the model's metadata says; output {@code logits}).
 */
@Command(name = "export", mixinStandardHelpOptions = true, description = "Export a model for other runtimes (ONNX).")
final class ExportCommand implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "onnx", description = "onnx (default).")
    String format;
    @Option(names = "--model", required = true, description = "A model file: safetensors, PyTorch .pth/.pt or Caffe "
        + ".caffemodel.")
    Path model;
    @Option(names = "--out", description = "The file to write (default: the model's name with .onnx).")
    Path out;
    @Option(names = "--batch", defaultValue = "0", description = "A static batch size; 0 (default): a dynamic batch "
        + "dimension named 'batch'.")
    int batch;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (!format.equalsIgnoreCase("onnx")) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--format must be onnx, not " + format);
        }
        Options.range(spec, "--batch", batch, 0, 1 << 20);
        if (out == null) {
            String n = model.getFileName().toString();
            int dot = n.lastIndexOf('.');
            out = model.resolveSibling((dot > 0 ? n.substring(0, dot) : n) + ".onnx");
        }
        if (Files.isDirectory(out)) {
            throw new CommandLine.ParameterException(spec.commandLine(), out + " is a folder, not a file name");
        }
        try (Backend cpu = Backends.open("cpu"); ModelFile.Loaded l = ModelFile.load(model, cpu)) {
            OnnxExport.write(out, l.model(), l.info(), batch, new Main.Version().getVersion()[0]);
            PrintWriter o = spec.commandLine().getOut();
            o.printf(Locale.ROOT, "vgg4j export: %s -> %s (ONNX opset %d, input 'input' [%s, %d, %d, %d], output "
                    + "'logits', %,d parameters)%n", model, out, OnnxExport.OPSET, batch > 0 ? String.valueOf(batch) : "batch",
                l.model().inChannels(), l.model().inputSize(), l.model().inputSize(), l.model().parameterCount());
            o.flush();
        }
        return 0;
    }
}
