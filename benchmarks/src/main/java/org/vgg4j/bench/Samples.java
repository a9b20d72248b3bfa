package org.vgg4j.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Throughput as the peers' harness (../shared/bench/src/common.py) measures it: samples of at
 * least a second of back-to-back calls; a sample during which other processes used more than
 * {@link LoadMon#CLEAN} cores is discarded and taken again, until {@code samples} clean ones exist
 * or {@link LoadMon#MAX_S} seconds have passed (then every sample counts and the line says
 * clean=no); the median, min and max of images/s.
 */
record Samples(double median, double min, double max, int discarded, double worstForeign, boolean clean) {

    /** Times {@code call} (one batch of {@code images}, synchronised before it returns). */
    static Samples of(Runnable call, int images, int samples) {
        List<Double> rates = new ArrayList<>();
        List<Double> all = new ArrayList<>();
        int discarded = 0;
        double worst = 0;
        long start = System.nanoTime();
        while (rates.size() < samples) {
            LoadMon load = new LoadMon();
            long t0 = System.nanoTime();
            int calls = 0;
            do {
                call.run();
                calls++;
            } while (System.nanoTime() - t0 < 1_000_000_000L);
            double rate = calls * (double) images / ((System.nanoTime() - t0) / 1e9);
            double foreign = load.foreign();
            all.add(rate);
            if (foreign <= LoadMon.CLEAN) {
                rates.add(rate);
                worst = Math.max(worst, foreign);
            } else {
                discarded++;
            }
            if ((System.nanoTime() - start) / 1e9 > LoadMon.MAX_S && all.size() >= samples) {
                break;
            }
        }
        boolean clean = rates.size() >= samples;
        double[] v = (clean ? rates : all).stream().mapToDouble(Double::doubleValue).sorted().toArray();
        return new Samples(v[v.length / 2], v[0], v[v.length - 1], discarded, worst, clean);
    }

    /** {@code img_s=<median> min= max= discarded= foreign_cpu_max= clean=} */
    String tags() {
        return String.format(Locale.ROOT, "img_s=%.2f min=%.2f max=%.2f discarded=%d foreign_cpu_max=%.2f clean=%s", median,
            min, max, discarded, worstForeign, clean ? "yes" : "no");
    }
}
