package org.vgg4j.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The peers' foreign-load filter (../shared/bench/src/loadmon.py) for our side of a ratio: the
 * CPU cores that other processes used during a sample, (machine busy time from /proc/stat, steal
 * included, less this process's CPU time) / wall time. A sample above {@link #CLEAN} cores
 * (PEERS_CLEAN, default 0.15, as the peers) is discarded and taken again, so both sides of a
 * ratio are timed under the same rule. Where /proc/stat cannot be read, every sample counts.
 */
final class LoadMon {
    static final double CLEAN = Double.parseDouble(System.getenv().getOrDefault("PEERS_CLEAN", "0.15"));
    /** Seconds after which the samples taken so far are reported, clean or not (PEERS_MAX_S). */
    static final double MAX_S = Double.parseDouble(System.getenv().getOrDefault("PEERS_MAX_S", "180"));

    private static final double HZ = 100; // USER_HZ: /proc/stat's unit on Linux
    private final double busy0;
    private final double own0;
    private final long t0;

    LoadMon() {
        busy0 = busy();
        own0 = own();
        t0 = System.nanoTime();
    }

    /** Average cores used by other processes since construction (0 where it cannot tell). */
    double foreign() {
        double wall = (System.nanoTime() - t0) / 1e9;
        double b = busy();
        double o = own();
        if (wall <= 0 || Double.isNaN(b) || Double.isNaN(busy0) || Double.isNaN(o) || Double.isNaN(own0)) {
            return 0;
        }
        return Math.max(0, ((b - busy0) - (o - own0)) / wall);
    }

    /** user + nice + system + irq + softirq + steal seconds of the whole machine, or NaN. */
    private static double busy() {
        try {
            String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
            long v = Long.parseLong(f[1]) + Long.parseLong(f[2]) + Long.parseLong(f[3]) + Long.parseLong(f[6])
                + Long.parseLong(f[7]) + Long.parseLong(f[8]);
            return v / HZ;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }

    /**
     * This process's CPU seconds, all threads (utime + stime of /proc/self/stat, in the same ticks
     * as /proc/stat; no com.sun.management, which a jlink'ed runtime may lack), or NaN.
     */
    private static double own() {
        try {
            String stat = Files.readString(Path.of("/proc/self/stat"));
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split("\\s+");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) / HZ;
        } catch (IOException | RuntimeException e) {
            return Double.NaN;
        }
    }
}
