package org.vgg4j.cli;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vgg4j samples}: writes test images of a data set as PNG files, to try predict on. */
@Command(name = "samples", mixinStandardHelpOptions = true,
    description = "Write the first N test images of a data set as PNG files named <index>_<label>.png.")
final class SamplesCommand implements Callable<Integer> {
    @Option(names = "--data", defaultValue = "fashion-mnist", description = "A data set as train --data takes it "
        + "(default ${DEFAULT-VALUE}).")
    String data;
    @Option(names = "--count", defaultValue = "8", description = "Images to write (default ${DEFAULT-VALUE}).")
    int count;
    @Option(names = "--out", required = true, description = "Folder to write them to.")
    Path out;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Options.range(spec, "--count", count, 1, 100_000);
        var test = Data.open(data, false);
        Files.createDirectories(out);
        int c = test.channels();
        int h = test.height();
        int w = test.width();
        byte[] raw = new byte[c * h * w];
        for (int i = 0; i < Math.min(count, test.size()); i++) {
            test.image(i, raw, 0);
            BufferedImage img = new BufferedImage(w, h, c == 1 ? BufferedImage.TYPE_BYTE_GRAY : BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    int r = raw[y * w + x] & 0xff;
                    int g = c == 1 ? r : raw[h * w + y * w + x] & 0xff;
                    int b = c == 1 ? r : raw[2 * h * w + y * w + x] & 0xff;
                    img.setRGB(x, y, (r << 16) | (g << 8) | b);
                }
            }
            String label = test.classNames().get(test.label(i)).replaceAll("[^A-Za-z0-9]+", "-");
            ImageIO.write(img, "png", out.resolve(String.format("%04d_%s.png", i, label)).toFile());
        }
        spec.commandLine().getOut().println("wrote " + Math.min(count, test.size()) + " images to " + out);
        spec.commandLine().getOut().flush();
        return 0;
    }
}
