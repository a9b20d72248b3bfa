package org.vgg4j.vgg.data;

import java.util.List;

/** Images and labels already in memory (CHW bytes), e.g. for embedding applications and tests. */
public record InMemoryDataset(byte[] pixels, int[] labels, int channels, int height, int width,
                              List<String> classNames, String source) implements Dataset {
    public InMemoryDataset {
        if ((long) labels.length * channels * height * width != pixels.length) {
            throw new IllegalArgumentException("InMemoryDataset: " + pixels.length + " bytes for " + labels.length
                + " images of " + channels + "x" + height + "x" + width);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classNames.size()) {
                throw new IllegalArgumentException("InMemoryDataset: label " + labels[i] + " of example " + i
                    + " is out of range for " + classNames.size() + " classes");
            }
        }
    }

    @Override public int size() { return labels.length; }

    @Override
    public void image(int i, byte[] dst, int off) {
        int n = channels * height * width;
        System.arraycopy(pixels, i * n, dst, off, n);
    }

    @Override public int label(int i) { return labels[i]; }
}
