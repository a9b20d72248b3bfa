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
 * The built-in GEMM tuner ({@code vgg4j devices --tune}): draws tile sets from the search space
 * of the device's class ({@code gemm-search.properties}: values per tunable and the constraints of
 * {@link #violation}), checks each candidate's results against a double-precision reference on all
 * four transpose cases and ragged sizes, times those that compute right at {@link #timingSize}^3 (the
 * main variant) and at (M, 576, max(4096, 8 x that size)) with M the lowest candidate tile height
 * (the few-rows variant), and stores the fastest of each in
 * {@code <cache>/gemm-tuning.properties} under the device's name and driver, where
 * {@link GemmTuning} finds it before the built-in table. The built-in choice for the device is
 * always a candidate, so the tuned choice is never one that timed slower than it. A candidate that
 * fails to build or computes a wrong result is reported and never chosen.
 */
public final class GemmTuner {
    private GemmTuner() {}

    /** Candidates per variant when {@code -Dvgg4j.cl.tune.budget=MAIN,SMALL} does not say. */
    static final int[] BUDGET = budget(System.getProperty("vgg4j.cl.tune.budget", "16,8"));

    private static int[] budget(String s) {
        String[] v = s.split(",");
        return new int[] {Integer.parseInt(v[0].trim()), Integer.parseInt(v[v.length - 1].trim())};
    }

    /** The device's class in {@code gemm-search.properties}. */
    static String deviceClass(ClDevices.Device d) {
        return d.gpu() ? "gpu" : d.accelerator() ? "accelerator" : "cpu";
    }

    /**
     * Why {@code p} cannot run (or cannot be right) on {@code d}, or null: each tile divisible by the
     * work per item, the work-group within the device's maximum size, the two staged tiles within
     * its local memory.
     */
    static String violation(GemmTuning.Params p, ClDevices.Device d) {
        if (p.tileM() % p.wptM() != 0 || p.tileN() % p.wptN() != 0) {
            return "tile not divisible by the work per item";
        }
        if (java.util.Arrays.binarySearch(new int[] {1, 2, 4, 8, 16}, p.vwn()) < 0 || p.wptN() % p.vwn() != 0) {
            return "vector width " + p.vwn() + " not 1, 2, 4, 8 or 16 dividing the work per item";
        }
        if (p.rb() < 0 || p.rb() > 0 && (p.vwn() == 1 || p.wptM() % p.rb() != 0)) {
            return "register block of " + p.rb() + " rows: it needs a vector width and to divide the rows per item";
        }
        long group = (long) p.localM() * p.localN();
        if (group > d.maxWorkGroup()) {
            return "work-group of " + group + " over the device's " + d.maxWorkGroup();
        }
        long local = 4L * p.tileK() * (p.tileM() + p.tileN() + 1);
        if (local > d.localMem()) {
            return local + " bytes of local memory, the device has " + d.localMem();
        }
        return null;
    }

    /**
     * Up to {@code budget} candidates of a variant ("main" or "small-m") for d: the cross product of
     * the class's values less the violations (and, for few rows, tiles not lower than
     * {@code mainTileM}), in a shuffled order seeded by the device's name, the built-in choice first.
     */
    static List<String> space(ClDevices.Device d, String variant, int budget, int mainTileM, String builtIn) {
        Properties p = new Properties();
        try (InputStream in = GemmTuner.class.getResourceAsStream("gemm-search.properties")) {
            p.load(in);
        } catch (IOException | NullPointerException e) {
            throw new IllegalStateException("gemm-search.properties missing from the jar", e);
        }
        String spec = p.getProperty(deviceClass(d) + "." + variant);
        String[] dims = spec.split("\\|");
        List<int[]> values = new ArrayList<>();
        for (String dim : dims) {
            values.add(java.util.Arrays.stream(dim.trim().split(",")).mapToInt(v -> Integer.parseInt(v.trim())).toArray());
        }
        List<String> all = new ArrayList<>();
        int[] strs = values.size() > 5 ? values.get(5) : new int[] {1};
        int[] vwns = values.size() > 6 ? values.get(6) : new int[] {1};
        int[] rbs = values.size() > 7 ? values.get(7) : new int[] {0};
        for (int tm : values.get(0)) {
            for (int tn : values.get(1)) {
                for (int tk : values.get(2)) {
                    for (int wm : values.get(3)) {
                        for (int wn : values.get(4)) {
                            for (int str : strs) {
                                for (int vw : vwns) {
                                    for (int rb : rbs) {
                                        GemmTuning.Params c = new GemmTuning.Params(tm, tn, tk, wm, wn, str, str, vw, rb);
                                        if (violation(c, d) == null && (mainTileM <= 0 || tm < mainTileM)) {
                                            all.add(c.text());
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        java.util.Collections.shuffle(all, new java.util.Random(d.name().hashCode()));
        List<String> out = new ArrayList<>();
        if (builtIn != null && violation(GemmTuning.Params.parse(builtIn), d) == null) {
            out.add(builtIn);
        }
        for (String c : all) {
            if (out.size() >= budget) {
                break;
            }
            if (!out.contains(c)) {
                out.add(c);
            }
        }
        return out;
    }

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
        return tune(device, report, BUDGET[0], BUDGET[1]);
    }

    static String[] tune(ClDevices.Device device, Consumer<String> report, int mainBudget, int smallBudget)
            throws IOException {
        String mainBuiltIn = GemmTuning.builtIn(device, "");
        int size = timingSize(device);
        String main = best(device, space(device, "main", mainBudget, 0, mainBuiltIn), "", size, size, size, report);
        String smallBuiltIn = GemmTuning.builtIn(device, ".small-m");
        String small;
        // the few-rows variant is used only with tiles lower than the main ones
        List<String> smalls = space(device, "small-m", smallBudget, GemmTuning.Params.parse(main).tileM(),
            GemmTuning.Params.parse(smallBuiltIn).tileM() < GemmTuning.Params.parse(main).tileM() ? smallBuiltIn : null);
        String old = System.getProperty("vgg4j.cl.gemm");
        System.setProperty("vgg4j.cl.gemm", main);
        try {
            // timed with as few rows as the lowest candidate tile holds, so that every candidate's
            // kernel is the one that runs (the GEMM takes the few-rows tiles only when M fits them)
            int rows = smalls.stream().mapToInt(c -> GemmTuning.Params.parse(c).tileM()).min().orElse(16);
            small = smalls.isEmpty() ? smallBuiltIn : best(device, smalls, ".small-m", rows, 576, Math.max(4096, size * 8),
                report);
        } finally {
            restore("vgg4j.cl.gemm", old);
        }
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

    /**
     * The square size the main variant is timed at: 512 on CPU devices; on a GPU or accelerator
     * large enough that 128 x 128 tiles give two work-groups per compute unit (on an H200's 132
     * units, 2560: at 512 only 128 groups of 64 x 32 tiles ran, which made small tiles look
     * fastest for the large products of training).
     */
    static int timingSize(ClDevices.Device d) {
        if (!d.gpu() && !d.accelerator()) {
            return 512;
        }
        double side = 128 * Math.sqrt(2.0 * d.computeUnits());
        return (int) Math.max(512, Math.ceil(side / 512) * 512);
    }

    private static void restore(String prop, String old) {
        if (old == null) {
            System.clearProperty(prop);
        } else {
            System.setProperty(prop, old);
        }
    }

    /**
     * The fastest of {@code candidates} that builds and computes right at (m, k, n), each reported
     * in one line; throws when none does.
     */
    static String best(ClDevices.Device device, List<String> candidates, String suffix, int m, int k, int n,
                       Consumer<String> report) {
        String best = null;
        double bestRate = 0;
        int wrong = 0;
        for (String c : candidates) {
            String prop = "vgg4j.cl.gemm" + suffix;
            String old = System.getProperty(prop);
            System.setProperty(prop, c);
            try (ClBackend cl = new ClBackend(device)) {
                // each variant's own tiles: no switching by work-group count while it is checked and timed
                cl.setConvTiles(1);
                String error = verify(cl, suffix.isEmpty() ? cl.gemmParams : cl.gemmSmallParams, !suffix.isEmpty());
                if (error != null) {
                    wrong++;
                    report.accept("gemm" + suffix + " " + c + ": rejected, " + error);
                    continue;
                }
                double rate = measure(cl, m, k, n);
                report.accept(String.format(Locale.ROOT, "gemm%s %s at %dx%dx%d: %.1f GFLOP/s", suffix, c, m, k, n, rate));
                if (rate > bestRate) {
                    bestRate = rate;
                    best = c;
                }
            } catch (RuntimeException e) {
                report.accept("gemm" + suffix + " " + c + ": " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
            } finally {
                restore(prop, old);
            }
        }
        if (best == null) {
            throw new IllegalStateException("no GEMM tile set built and computed right on " + device.name()
                + " (" + candidates.size() + " tried, " + wrong + " with wrong results)");
        }
        return best;
    }

    /**
     * Null when the backend's GEMM with tiles {@code p} matches a double-precision reference on all
     * four transpose cases (alpha 0.5, beta 0.25, a random C) at ragged sizes that span several
     * tiles (or, for the few-rows variant, fewer rows than one tile); else what was wrong, where.
     */
    static String verify(ClBackend cl, GemmTuning.Params p, boolean fewRows) {
        // a last column tile of 5 (ragged) and of one vector (whole vectors, fewer than a tile)
        String wrong = verify(cl, p, fewRows, 2 * p.tileN() + 5);
        return wrong != null ? wrong : verify(cl, p, fewRows, 2 * p.tileN() + Math.max(2, p.vwn()));
    }

    private static String verify(ClBackend cl, GemmTuning.Params p, boolean fewRows, int n) {
        int m = fewRows ? Math.max(1, p.tileM() - 3) : 2 * p.tileM() + 3;
        int k = 3 * p.tileK() + 7;
        java.util.SplittableRandom r = new java.util.SplittableRandom(17);
        float[] a = new float[m * k];
        float[] b = new float[k * n];
        float[] c0 = new float[m * n];
        for (float[] v : new float[][] {a, b, c0}) {
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) r.nextDouble(-1, 1);
            }
        }
        for (int t = 0; t < 4; t++) {
            boolean ta = (t & 1) != 0;
            boolean tb = (t & 2) != 0;
            int lda = ta ? m : k;
            int ldb = tb ? k : n;
            float[] got;
            try (Tensor ta0 = cl.fromHost(a, a.length); Tensor tb0 = cl.fromHost(b, b.length);
                 Tensor tc = cl.fromHost(c0, m, n)) {
                cl.gemm(ta, tb, m, n, k, 0.5f, ta0, 0, lda, tb0, 0, ldb, 0.25f, tc, 0, n);
                got = tc.toHost();
            }
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double want = 0.25 * c0[i * n + j];
                    for (int q = 0; q < k; q++) {
                        want += 0.5 * (double) a[ta ? q * lda + i : i * lda + q] * b[tb ? j * ldb + q : q * ldb + j];
                    }
                    double err = Math.abs(got[i * n + j] - want);
                    if (!(err <= 1e-5 * k)) {
                        return String.format(Locale.ROOT, "wrong result at (%d, %d) of %dx%dx%d%s%s: %g instead of %g",
                            i, j, m, k, n, ta ? " A^T" : "", tb ? " B^T" : "", got[i * n + j], want);
                    }
                }
            }
        }
        return null;
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
