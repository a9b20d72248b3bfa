package org.vgg4j.bench;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.vgg4j.vgg.Classifier;
import org.vgg4j.vgg.ModelFile;

/**
 * Loads {@code DIR/model.pth} (written by {@code benchmarks/pth-interop.py} with torch.save) as
 * {@code predict} does and compares vgg4j's probabilities for {@code DIR/input.f32} with PyTorch's
 * ({@code DIR/probabilities.f32}): {@code PthInterop DIR ARCH}; exit code 1 above 1e-5.
 */
public final class PthInterop {
    private PthInterop() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String arch = args[1];
        float[] x = floats(dir.resolve("input.f32"));
        float[] want = floats(dir.resolve("probabilities.f32"));
        Path pth = dir.resolve("model.pth");
        long t0 = System.nanoTime();
        try (Classifier c = Classifier.load(pth, "cpu")) {
            double loadS = (System.nanoTime() - t0) / 1e9;
            float[] p = c.probabilities(x, 2);
            double max = 0;
            boolean top = true;
            int k = c.info().classes();
            for (int i = 0; i < 2; i++) {
                int a = 0;
                int b = 0;
                for (int j = 0; j < k; j++) {
                    max = Math.max(max, Math.abs(p[i * k + j] - want[i * k + j]));
                    a = p[i * k + j] > p[i * k + a] ? j : a;
                    b = want[i * k + j] > want[i * k + b] ? j : b;
                }
                top &= a == b;
            }
            System.out.printf(Locale.ROOT, "pth-interop %s: %s read as %s (%s, %.1f MB) in %.1f s; "
                    + "max |p_vgg4j - p_torch| = %.3g over %d probabilities; top-1 agree: %b%n", arch, pth.getFileName(),
                ModelFile.format(pth), c.info().family() + " " + c.info().config(), Files.size(pth) / 1e6, loadS, max,
                p.length, top);
            System.exit(max <= 1e-5 && top ? 0 : 1);
        }
    }

    private static float[] floats(Path f) throws java.io.IOException {
        ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = new float[b.remaining() / 4];
        b.asFloatBuffer().get(v);
        return v;
    }
}
