package org.vgg4j.nn.io;

/** What a file says of a tensor before its values are read: dtype ({@code F32}, {@code I64}) and shape. */
public interface TensorMeta {
    String dtype();

    int[] shape();
}
