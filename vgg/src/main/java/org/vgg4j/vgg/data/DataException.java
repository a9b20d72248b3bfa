package org.vgg4j.vgg.data;

import java.io.IOException;

/** A data set that cannot be used: the message names the file and what is wrong with it. */
public final class DataException extends IOException {
    public DataException(String message) {
        super(org.vgg4j.nn.io.Messages.oneLine(message));
    }
}
