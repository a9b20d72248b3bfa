package org.vgg4j.nn.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A model or checkpoint file that cannot be used; the message names the file and the problem, on
 * one line (see {@link Messages#oneLine}).
 */
public final class ModelFileException extends IOException {
    public ModelFileException(Path file, String problem) {
        super(file + ": " + Messages.oneLine(problem));
    }

    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file + ": " + Messages.oneLine(problem), cause);
    }
}
