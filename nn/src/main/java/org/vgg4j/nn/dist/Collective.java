package org.vgg4j.nn.dist;

import java.io.IOException;

/**
 * The group of data-parallel workers one training run spans: {@link #size()} replicas of the same
 * model, each with its {@link #rank()}. {@link #allReduce} sums a buffer over all of them, in
 * place, and leaves the same bits on every rank (so that replicas stay bit-identical).
 */
public interface Collective extends AutoCloseable {
    int rank();

    int size();

    /** {@code buf[off, off + len)} becomes the element-wise sum over every rank's buffer. */
    void allReduce(float[] buf, int off, int len) throws IOException;

    /** {@code buf[off, off + len)} on every rank becomes rank {@code root}'s. */
    default void broadcast(float[] buf, int off, int len, int root) throws IOException {
        if (rank() != root) {
            java.util.Arrays.fill(buf, off, off + len, 0f);
        }
        allReduce(buf, off, len);
    }

    @Override
    default void close() throws IOException {}

    /** One worker alone: every collective is the identity. */
    Collective SINGLE = new Collective() {
        @Override public int rank() { return 0; }
        @Override public int size() { return 1; }
        @Override public void allReduce(float[] buf, int off, int len) {}
    };
}
