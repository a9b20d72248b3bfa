package org.vgg4j.vgg.data;

/**
 * Turns one 8-bit CHW image into the network's float input of {@code channels x size() x size()};
 * any randomness must come from {@code (seed, epoch, index)} alone, so batches do not depend on
 * thread timing and a resumed run sees the same ones.
 */
public interface ExampleTransform {

    /** Side of the output. */
    int size();

    void apply(byte[] src, int srcOff, int c, int h, int w, float[] dst, int dstOff, long seed, int epoch, int index);
}
