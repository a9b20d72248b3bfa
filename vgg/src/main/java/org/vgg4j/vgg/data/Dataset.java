package org.vgg4j.vgg.data;

import java.util.List;

/**
 * Labelled images held as 8-bit planes: example i is {@code channels x height x width} bytes
 * (CHW) with a class index. Readers validate everything up front, so {@link #image} and
 * {@link #label} never fail.
 */
public interface Dataset {

    int size();

    int channels();

    int height();

    int width();

    List<String> classNames();

    default int classes() {
        return classNames().size();
    }

    /** Copies image i (CHW bytes, 0..255) into {@code dst} from {@code off}. */
    void image(int i, byte[] dst, int off);

    int label(int i);

    /** Where the data came from, for messages. */
    String source();
}
