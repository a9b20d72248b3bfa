package org.vgg4j.nn.io;

/**
 * The limits on untrusted input, in one place. Model files, checkpoints, data sets and images
 * are checked against them from what their headers claim, before anything is allocated or
 * decoded; each can be raised with a system property (e.g. {@code -Dvgg4j.limit.imagePixels=...},
 * or {@code VGG4J_JAVA_OPTS} for the launcher).
 *
 * <ul>
 *   <li>{@link #modelBytes()}: the tensors of one model file or checkpoint (default 8 GiB: VGG-19's
 *       checkpoint with momentum is 1.1 GB);</li>
 *   <li>{@link #imagePixels()}: one image, width times height from its header (default 2^26, e.g.
 *       8192 x 8192);</li>
 *   <li>{@link #decompressedBytes()}: what one compressed data file may inflate to (default 4 GiB;
 *       Fashion-MNIST's training images are 47 MB).</li>
 * </ul>
 */
public final class Limits {
    private Limits() {}

    public static final String MODEL_BYTES = "vgg4j.limit.modelBytes";
    public static final String IMAGE_PIXELS = "vgg4j.limit.imagePixels";
    public static final String DECOMPRESSED_BYTES = "vgg4j.limit.decompressedBytes";

    public static long modelBytes() {
        return Long.getLong(MODEL_BYTES, 8L << 30);
    }

    public static long imagePixels() {
        return Long.getLong(IMAGE_PIXELS, 1L << 26);
    }

    public static long decompressedBytes() {
        return Long.getLong(DECOMPRESSED_BYTES, 4L << 30);
    }
}
