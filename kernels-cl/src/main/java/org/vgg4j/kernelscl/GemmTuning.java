package org.vgg4j.kernelscl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * GEMM tile sizes per device, as data (CLBlast keeps a database the same way): the resource
 * {@code gemm-tuning.properties} maps a device-name prefix to {@code TILE_M,TILE_N,TILE_K,WPT_M,WPT_N};
 * the most specific match wins, {@code default} otherwise. A choice made by {@link GemmTuner} on
 * this machine comes first; {@code -Dvgg4j.cl.gemm=...} overrides everything.
 */
final class GemmTuning {
    private GemmTuning() {}

    /**
     * One tile configuration: {@code TILE_M,TILE_N,TILE_K,WPT_M,WPT_N[,STRM,STRN[,VWN[,RB]]]}: the
     * mapping of a work-item's rows and columns (strided by default), the vector width of the
     * full-tile path (1: none) and the rows that path keeps in registers across TILE_K steps of k
     * (0: all of the work-item's rows, step by step; see gemm.cl).
     */
    record Params(int tileM, int tileN, int tileK, int wptM, int wptN, int strM, int strN, int vwn, int rb) {
        Params(int tileM, int tileN, int tileK, int wptM, int wptN) {
            this(tileM, tileN, tileK, wptM, wptN, 1, 1, 1, 0);
        }

        Params(int tileM, int tileN, int tileK, int wptM, int wptN, int strM, int strN, int vwn) {
            this(tileM, tileN, tileK, wptM, wptN, strM, strN, vwn, 0);
        }

        String defines() {
            return "-DTILE_M=" + tileM + " -DTILE_N=" + tileN + " -DTILE_K=" + tileK + " -DWPT_M=" + wptM
                + " -DWPT_N=" + wptN + " -DSTRM=" + strM + " -DSTRN=" + strN + " -DVWN=" + vwn + " -DRB=" + rb;
        }

        int localN() { return tileN / wptN; }

        int localM() { return tileM / wptM; }

        /** The text {@link #parse} reads, short when the trailing fields are their defaults. */
        String text() {
            String s = tileM + "," + tileN + "," + tileK + "," + wptM + "," + wptN;
            if (rb != 0) {
                return s + "," + strM + "," + strN + "," + vwn + "," + rb;
            }
            if (vwn != 1) {
                return s + "," + strM + "," + strN + "," + vwn;
            }
            return strM == 1 && strN == 1 ? s : s + "," + strM + "," + strN;
        }

        static Params parse(String s) {
            String[] v = s.trim().split("\\s*,\\s*");
            if (v.length != 5 && v.length != 7 && v.length != 8 && v.length != 9) {
                throw new IllegalArgumentException("GEMM tiles '" + s
                    + "': TILE_M,TILE_N,TILE_K,WPT_M,WPT_N[,STRM,STRN[,VWN[,RB]]]");
            }
            int[] x = {0, 0, 0, 0, 0, 1, 1, 1, 0};
            for (int i = 0; i < v.length; i++) {
                x[i] = Integer.parseInt(v[i]);
            }
            return new Params(x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7], x[8]);
        }
    }

    /** The tiles for GEMMs with few rows (M at most the small tile's height), e.g. first conv layers. */
    static Params smallM(ClDevices.Device device) {
        return lookup(device, ".small-m", "64,64,16,4,4");
    }

    static Params forDevice(ClDevices.Device device) {
        return lookup(device, "", "64,64,16,4,4");
    }

    /** The built-in table's choice for the device (no tuned value, no override), as text. */
    static String builtIn(ClDevices.Device device, String suffix) {
        return value(device, suffix, "64,64,16,4,4", false);
    }

    private static Params lookup(ClDevices.Device device, String suffix, String fallback) {
        return Params.parse(value(device, suffix, fallback, true));
    }

    private static String value(ClDevices.Device device, String suffix, String fallback, boolean tunedOrForced) {
        Properties db = new Properties();
        try (InputStream in = GemmTuning.class.getResourceAsStream("gemm-tuning.properties")) {
            if (in != null) {
                db.load(in);
            }
        } catch (IOException e) {
            // defaults below
        }
        String best = null;
        for (String key : db.stringPropertyNames()) {
            if (!key.endsWith(suffix) || (suffix.isEmpty() && key.contains("."))) {
                continue;
            }
            String prefix = key.substring(0, key.length() - suffix.length());
            if (!prefix.equals("default") && device.name().startsWith(prefix)
                && (best == null || key.length() > best.length())) {
                best = key;
            }
        }
        String forced = tunedOrForced ? System.getProperty("vgg4j.cl.gemm" + suffix) : null;
        String tuned = forced != null || !tunedOrForced ? null : GemmTuner.cached(device, suffix);
        return forced != null ? forced : tuned != null ? tuned : best != null ? db.getProperty(best)
            : db.getProperty("default" + suffix, fallback);
    }
}
