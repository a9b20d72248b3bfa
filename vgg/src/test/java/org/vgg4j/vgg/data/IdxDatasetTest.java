package org.vgg4j.vgg.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxDatasetTest {
    @TempDir
    Path dir;

    static byte[] images(int n, int rows, int cols) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
        b.putInt(0x803).putInt(n).putInt(rows).putInt(cols);
        for (int i = 0; i < n * rows * cols; i++) {
            b.put((byte) (i * 7));
        }
        return b.array();
    }

    static byte[] labels(int... l) {
        ByteBuffer b = ByteBuffer.allocate(8 + l.length);
        b.putInt(0x801).putInt(l.length);
        for (int v : l) {
            b.put((byte) v);
        }
        return b.array();
    }

    Path write(String name, byte[] bytes, boolean gzip) throws IOException {
        Path f = dir.resolve(name);
        if (gzip) {
            try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(f))) {
                out.write(bytes);
            }
        } else {
            Files.write(f, bytes);
        }
        return f;
    }

    @Test
    void readsPlainAndGzippedFiles() throws IOException {
        for (boolean gz : new boolean[] {false, true}) {
            IdxDataset d = IdxDataset.read(write("i" + gz, images(3, 2, 4), gz), write("l" + gz, labels(2, 0, 1), gz),
                List.of("a", "b", "c"));
            assertEquals(3, d.size());
            assertEquals(2, d.height());
            assertEquals(4, d.width());
            assertEquals(1, d.label(2));
            byte[] img = new byte[8];
            d.image(1, img, 0);
            byte[] want = new byte[8];
            for (int i = 0; i < 8; i++) {
                want[i] = (byte) ((8 + i) * 7);
            }
            assertArrayEquals(want, img);
        }
    }

    void assertBad(byte[] img, byte[] lab, String expected) throws IOException {
        Path i = write("bad-i", img, false);
        Path l = write("bad-l", lab, false);
        DataException e = assertThrows(DataException.class, () -> IdxDataset.read(i, l, List.of("a", "b", "c")));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badFilesGiveOneClearError() throws IOException {
        byte[] img = images(3, 2, 2);
        assertBad(java.util.Arrays.copyOf(img, img.length - 1), labels(0, 1, 2), "truncated");
        assertBad(java.util.Arrays.copyOf(img, 10), labels(0, 1, 2), "truncated");
        assertBad(img, labels(0, 1), "2 labels for 3 images");
        assertBad(img, labels(0, 1, 3), "label 3 of example 2 is out of range for 3 classes");
        byte[] wrongMagic = img.clone();
        wrongMagic[3] = 0x01;
        assertBad(wrongMagic, labels(0, 1, 2), "bad magic");
        assertThrows(DataException.class, () -> IdxDataset.fashionMnist(dir.resolve("none"), true));
    }

    @Test
    void debianFashionMnistHasItsKnownCounts() throws IOException {
        Assumptions.assumeTrue(Files.isDirectory(IdxDataset.FASHION_MNIST),
            "dataset-fashion-mnist is not installed; ./test.sh installs it");
        IdxDataset train = IdxDataset.fashionMnist(IdxDataset.FASHION_MNIST, true);
        IdxDataset test = IdxDataset.fashionMnist(IdxDataset.FASHION_MNIST, false);
        assertEquals(60_000, train.size());
        assertEquals(10_000, test.size());
        assertEquals(28, train.height());
        int[] perClass = new int[10];
        for (int i = 0; i < train.size(); i++) {
            perClass[train.label(i)]++;
        }
        assertArrayEquals(new int[] {6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000, 6000}, perClass);
        assertEquals(9, train.label(0), "the first training image is an ankle boot");
        float[][] stats = Preprocess.statistics(train);
        assertEquals(0.2860, stats[0][0], 1e-3, "published Fashion-MNIST mean");
        assertEquals(0.3530, stats[1][0], 1e-3, "published Fashion-MNIST std");
    }

    @Test
    void preprocessingPadsCropsAndFlipsExactly() {
        Preprocess p = new Preprocess(4, 0, false, new float[] {0f}, new float[] {1f});
        byte[] img = {(byte) 255, 0, 0, (byte) 255}; // 2x2 diagonal
        float[] out = new float[16];
        p.apply(img, 0, 1, 2, 2, out, 0, 1, 0, 0);
        assertArrayEquals(new float[] {0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0}, out, "centred on the canvas");
        // with flips on, some index gets mirrored: the anti-diagonal appears
        Preprocess f = new Preprocess(4, 0, true, new float[] {0f}, new float[] {1f});
        boolean mirrored = false;
        for (int idx = 0; idx < 20 && !mirrored; idx++) {
            f.apply(img, 0, 1, 2, 2, out, 0, 1, 0, idx);
            mirrored = out[6] == 1 && out[9] == 1;
        }
        assertTrue(mirrored, "random flip mirrors some images");
        // the same (seed, epoch, index) always gives the same crop
        Preprocess j = new Preprocess(4, 1, true, new float[] {0f}, new float[] {1f});
        float[] a = new float[16];
        float[] b = new float[16];
        j.apply(img, 0, 1, 2, 2, a, 0, 5, 3, 17);
        j.apply(img, 0, 1, 2, 2, b, 0, 5, 3, 17);
        assertArrayEquals(a, b);
    }

    @Test
    void randomErasingBlanksOneRectangleOfEveryChannel() {
        int n = 32;
        byte[] img = new byte[2 * n * n];
        java.util.Arrays.fill(img, (byte) 255);
        Preprocess p = new Preprocess(n, 0, false, new float[] {0f, 0f}, new float[] {1f, 1f}, 1f);
        float[] out = new float[2 * n * n];
        for (int idx = 0; idx < 50; idx++) {
            p.apply(img, 0, 2, n, n, out, 0, 7, 1, idx);
            int minY = n, maxY = -1, minX = n, maxX = -1, zeros = 0;
            for (int y = 0; y < n; y++) {
                for (int x = 0; x < n; x++) {
                    assertEquals(out[y * n + x], out[n * n + y * n + x], "both channels erased alike");
                    if (out[y * n + x] == 0f) {
                        zeros++;
                        minY = Math.min(minY, y);
                        maxY = Math.max(maxY, y);
                        minX = Math.min(minX, x);
                        maxX = Math.max(maxX, x);
                    } else {
                        assertEquals(1f, out[y * n + x]);
                    }
                }
            }
            assertEquals((maxY - minY + 1) * (maxX - minX + 1), zeros, "the erased pixels form one rectangle");
            assertTrue(zeros >= 0.015 * n * n && zeros <= 0.45 * n * n, "2-40 % of the canvas, got " + zeros);
        }
        // probability 0.5: about half the images; evaluation never erases
        Preprocess half = new Preprocess(n, 0, false, new float[] {0f, 0f}, new float[] {1f, 1f}, 0.5f);
        int erased = 0;
        for (int idx = 0; idx < 400; idx++) {
            half.apply(img, 0, 2, n, n, out, 0, 7, 1, idx);
            erased += out[0] == 0f || java.util.stream.IntStream.range(0, n * n).anyMatch(q -> out[q] == 0f) ? 1 : 0;
        }
        assertTrue(erased > 160 && erased < 240, "about half erased, got " + erased);
        half.forEvaluation().apply(img, 0, 2, n, n, out, 0, 7, 1, 3);
        for (float v : out) {
            assertEquals(1f, v);
        }
        assertThrows(IllegalArgumentException.class,
            () -> new Preprocess(n, 0, false, new float[] {0f}, new float[] {1f}, 1.5f));
    }
}
