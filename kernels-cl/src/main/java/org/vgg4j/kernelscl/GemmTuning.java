package org.vgg4j.kernelscl;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * GEMM tile sizes per device, as data (CLBlast keeps a database the same way): the resource
 * {@code gemm-tuning.properties} maps a device-name prefix to {@code TILE_M,TILE_N,TILE_K,WPT_M,WPT_N};
 * the most specific match wins, {@code default} otherwise.
 */
final class GemmTuning {
    private GemmTuning() {}

    /** One tile configuration. */
    record Params(int tileM, int tileN, int tileK, int wptM, int wptN) {
        String defines() {
            return "-DTILE_M=" + tileM + " -DTILE_N=" + tileN + " -DTILE_K=" + tileK + " -DWPT_M=" + wptM
                + " -DWPT_N=" + wptN;
        }

        int localN() { return tileN / wptN; }

        int localM() { return tileM / wptM; }

        static Params parse(String s) {
            String[] v = s.trim().split("\\s*,\\s*");
            return new Params(Integer.parseInt(v[0]), Integer.parseInt(v[1]), Integer.parseInt(v[2]),
                Integer.parseInt(v[3]), Integer.parseInt(v[4]));
        }
    }

    static Params forDevice(ClDevices.Device device) {
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
            if (!key.equals("default") && device.name().startsWith(key) && (best == null || key.length() > best.length())) {
                best = key;
            }
        }
        String forced = System.getProperty("vgg4j.cl.gemm");
        String v = forced != null ? forced : best != null ? db.getProperty(best) : db.getProperty("default", "32,32,16,4,4");
        return Params.parse(v);
    }
}
