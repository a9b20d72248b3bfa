package org.vgg4j.vgg.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class AugmentTest {

    @Test
    void bilinearIsTheIdentityAtTheSameSizeAndMatchesADoubleReference() {
        SplittableRandom r = new SplittableRandom(1);
        byte[] img = new byte[5 * 7];
        for (int i = 0; i < img.length; i++) {
            img[i] = (byte) r.nextInt(256);
        }
        for (int y = 0; y < 5; y++) {
            for (int x = 0; x < 7; x++) {
                assertEquals(img[y * 7 + x] & 0xff, ImageOps.bilinear(img, 0, 5, 7, 5, 7, y, x), 0.0);
            }
        }
        // upscale 5x7 -> 9x13 against the formula in double
        for (int y = 0; y < 9; y++) {
            for (int x = 0; x < 13; x++) {
                double sy = Math.min(Math.max((y + 0.5) * 5 / 9.0 - 0.5, 0), 4);
                double sx = Math.min(Math.max((x + 0.5) * 7 / 13.0 - 0.5, 0), 6);
                int y0 = (int) Math.floor(sy);
                int x0 = (int) Math.floor(sx);
                int y1 = Math.min(y0 + 1, 4);
                int x1 = Math.min(x0 + 1, 6);
                double want = (img[y0 * 7 + x0] & 0xff) * (1 - (sy - y0)) * (1 - (sx - x0))
                    + (img[y0 * 7 + x1] & 0xff) * (1 - (sy - y0)) * (sx - x0)
                    + (img[y1 * 7 + x0] & 0xff) * (sy - y0) * (1 - (sx - x0))
                    + (img[y1 * 7 + x1] & 0xff) * (sy - y0) * (sx - x0);
                assertEquals(want, ImageOps.bilinear(img, 0, 5, 7, 9, 13, y, x), 1e-3);
            }
        }
    }

    @Test
    void eigenDecompositionReconstructsTheCovariance() {
        double[][] m = {{0.07, 0.05, 0.03}, {0.05, 0.06, 0.04}, {0.03, 0.04, 0.05}};
        Pca p = Pca.eigen(m);
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                double s = 0;
                for (int i = 0; i < 3; i++) {
                    s += p.eigenvectors()[a][i] * p.eigenvalues()[i] * p.eigenvectors()[b][i];
                }
                assertEquals(m[a][b], s, 1e-12, "V L V^T = M at " + a + "," + b);
            }
        }
    }

    @Test
    void paperAugmentIsSeededCropsInsideAndShiftsColoursByThePca() {
        byte[] img = new byte[3 * 40 * 60];
        for (int i = 0; i < img.length; i++) {
            img[i] = (byte) (i % 251);
        }
        Pca pca = Pca.eigen(new double[][] {{0.02, 0, 0}, {0, 0.01, 0}, {0, 0, 0.005}});
        float[] zero = {0f, 0f, 0f};
        float[] one = {1f, 1f, 1f};
        PaperAugment aug = new PaperAugment(32, 48, 32, true, pca, 0.1f, zero, one);
        float[] a = new float[3 * 32 * 32];
        float[] b = new float[3 * 32 * 32];
        aug.apply(img, 0, 3, 40, 60, a, 0, 7, 2, 11);
        aug.apply(img, 0, 3, 40, 60, b, 0, 7, 2, 11);
        assertArrayEquals(a, b, "same (seed, epoch, index), same example");
        aug.apply(img, 0, 3, 40, 60, b, 0, 7, 3, 11);
        org.junit.jupiter.api.Assertions.assertFalse(java.util.Arrays.equals(a, b), "another epoch, another example");
        // without jitter, flip and colour, S = 40 is the identity scale: the crop is a window of the image
        PaperAugment plain = new PaperAugment(40, 40, 32, false, null, 0f, zero, one);
        plain.apply(img, 0, 3, 40, 60, a, 0, 1, 0, 0);
        boolean found = false;
        for (int top = 0; top <= 8 && !found; top++) {
            for (int left = 0; left <= 28 && !found; left++) {
                boolean match = true;
                for (int y = 0; y < 32 && match; y++) {
                    for (int x = 0; x < 32 && match; x++) {
                        match = a[y * 32 + x] * 255f == (img[(top + y) * 60 + left + x] & 0xff);
                    }
                }
                found = match;
            }
        }
        org.junit.jupiter.api.Assertions.assertTrue(found, "the crop is an exact window of the unscaled image");
    }
}
