package org.vgg4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;

/** Draws DIR/curves.png (losses and top-1 accuracy per epoch) from DIR/metrics.csv. */
final class Curves {
    private Curves() {}

    /** A chart's drawing, which may fail for reasons of the machine (fonts) or of the data. */
    interface Drawing {
        void draw() throws IOException;
    }

    /**
     * Runs {@code drawing}, or gives one line to {@code warn} saying why {@code png} was not drawn
     * and where the figures are: a plot is a convenience and never decides a run's outcome (on a
     * machine without fonts AWT fails inside the renderer: "Fontconfig head is null", seen on a GPU
     * server with a trimmed Java runtime).
     */
    static boolean drawOrWarn(Path png, Path figures, Drawing drawing, java.util.function.Consumer<String> warn) {
        try {
            drawing.draw();
            return true;
        } catch (IOException | RuntimeException | LinkageError | InternalError e) {
            warn.accept(png.getFileName() + " not drawn (" + e.getMessage() + "); the figures are in " + figures);
            return false;
        }
    }

    /** {@link #draw} through {@link #drawOrWarn}. */
    static boolean drawOrWarn(Path metrics, Path png, java.util.function.Consumer<String> warn) {
        return drawOrWarn(png, metrics, () -> draw(metrics, png), warn);
    }

    static void draw(Path metrics, Path png) throws IOException {
        List<Double> epoch = new ArrayList<>();
        List<Double> trainLoss = new ArrayList<>();
        List<Double> valLoss = new ArrayList<>();
        List<Double> top1 = new ArrayList<>();
        List<String> lines = Files.readAllLines(metrics);
        for (String line : lines.subList(Math.min(1, lines.size()), lines.size())) {
            String[] f = line.split(",");
            if (f.length < 5) {
                continue;
            }
            epoch.add(Double.parseDouble(f[0]));
            trainLoss.add(Double.parseDouble(f[1]));
            valLoss.add(Double.parseDouble(f[2]));
            top1.add(100 * Double.parseDouble(f[3]));
        }
        if (epoch.isEmpty()) {
            return;
        }
        System.setProperty("java.awt.headless", "true");
        XYChart loss = new XYChartBuilder().width(640).height(420).title("loss").xAxisTitle("epoch").yAxisTitle("loss").build();
        loss.addSeries("train", epoch, trainLoss);
        loss.addSeries("validation", epoch, valLoss);
        XYChart acc = new XYChartBuilder().width(640).height(420).title("validation top-1").xAxisTitle("epoch")
            .yAxisTitle("accuracy (%)").build();
        acc.addSeries("top-1", epoch, top1);
        java.awt.image.BufferedImage a = BitmapEncoder.getBufferedImage(loss);
        java.awt.image.BufferedImage b = BitmapEncoder.getBufferedImage(acc);
        java.awt.image.BufferedImage both = new java.awt.image.BufferedImage(a.getWidth() + b.getWidth(),
            Math.max(a.getHeight(), b.getHeight()), java.awt.image.BufferedImage.TYPE_INT_RGB);
        var g = both.createGraphics();
        g.drawImage(a, 0, 0, null);
        g.drawImage(b, a.getWidth(), 0, null);
        g.dispose();
        javax.imageio.ImageIO.write(both, "png", png.toFile());
    }
}
