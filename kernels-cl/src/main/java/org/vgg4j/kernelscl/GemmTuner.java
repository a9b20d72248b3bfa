package org.vgg4j.kernelscl;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.function.Consumer;
import org.vgg4j.tensor.Tensor;

/**
 * The built-in GEMM tuner ({@code vgg4j devices --tune}): times a few tile sets on the device at
 * 512^3 (the main variant) and at (64, 576, 4096) (the few-rows variant), and stores the fastest
 * of each in {@code <cache>/gemm-tuning.properties} under the device's name and driver, where
 * {@link GemmTuning} finds it before the built-in table.
 */
public final class GemmTuner {
    private GemmTuner() {}

    static final List<String> CANDIDATES = List.of("32,32,16,4,4", "64,64,16,4,4", "64,64,16,8,8", "64,64,16,16,16",
        "128,128,16,8,8", "128,128,16,16,16");
    static final List<String> SMALL_CANDIDATES = List.of("32,64,16,4,4", "64,64,16,8,8", "64,128,16,16,16",
        "64,256,16,16,16");

    static Path file() {
        return ClProgramCache.dir().resolve("gemm-tuning.properties");
    }

    static String key(ClDevices.Device d, String suffix) {
        return (d.name() + " / " + d.driver()).replaceAll("[=:\\s]+", "_") + suffix;
    }

    /** A tuned value for this device, or null. */
    static String cached(ClDevices.Device d, String suffix) {
        Path f = file();
        if (!Files.isRegularFile(f)) {
            return null;
        }
        Properties p = new Properties();
        try (InputStream in = Files.newInputStream(f)) {
            p.load(in);
        } catch (IOException e) {
            return null;
        }
        return p.getProperty(key(d, suffix));
    }

    /** Tunes {@code device}, saves and returns the choices (main, few-rows), reporting each trial. */
    public static String[] tune(ClDevices.Device device, Consumer<String> report) throws IOException {
        String main = best(device, CANDIDATES, "", 512, 512, 512, report);
        String small = best(device, SMALL_CANDIDATES, ".small-m", 64, 576, 4096, report);
        Properties p = new Properties();
        Path f = file();
        Files.createDirectories(f.getParent());
        if (Files.isRegularFile(f)) {
            try (InputStream in = Files.newInputStream(f)) {
                p.load(in);
            }
        }
        p.setProperty(key(device, ""), main);
        p.setProperty(key(device, ".small-m"), small);
        try (OutputStream out = Files.newOutputStream(f)) {
            p.store(out, "vgg4j GEMM tiles per device (TILE_M,TILE_N,TILE_K,WPT_M,WPT_N), from vgg4j devices --tune");
        }
        return new String[] {main, small};
    }

    private static String best(ClDevices.Device device, List<String> candidates, String suffix, int m, int k, int n,
                               Consumer<String> report) {
        String best = null;
        double bestRate = 0;
        for (String c : candidates) {
            String prop = "vgg4j.cl.gemm" + suffix;
            String old = System.getProperty(prop);
            System.setProperty(prop, c);
            try (ClBackend cl = new ClBackend(device)) {
                double rate = measure(cl, m, k, n);
                report.accept(String.format(Locale.ROOT, "gemm%s %s at %dx%dx%d: %.1f GFLOP/s", suffix, c, m, k, n, rate));
                if (rate > bestRate) {
                    bestRate = rate;
                    best = c;
                }
            } catch (RuntimeException e) {
                report.accept("gemm" + suffix + " " + c + ": " + e.getMessage().lines().findFirst().orElse(""));
            } finally {
                if (old == null) {
                    System.clearProperty(prop);
                } else {
                    System.setProperty(prop, old);
                }
            }
        }
        if (best == null) {
            throw new IllegalStateException("no GEMM tile set ran on " + device.name());
        }
        return best;
    }

    private static double measure(ClBackend cl, int m, int k, int n) {
        try (Tensor a = cl.zeros(m * k); Tensor b = cl.zeros(k * n); Tensor c = cl.zeros(m, n)) {
            Runnable call = () -> cl.gemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
            call.run();
            cl.synchronize();
            List<Double> rates = new ArrayList<>();
            for (int s = 0; s < 3; s++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < 3; i++) {
                    call.run();
                }
                cl.synchronize();
                rates.add(3 * 2.0 * m * n * k / (System.nanoTime() - t0));
            }
            return rates.stream().sorted().toList().get(1);
        }
    }
}
