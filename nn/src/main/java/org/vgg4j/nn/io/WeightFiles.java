package org.vgg4j.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Tells weight files apart by their content, never by their name: safetensors (an 8-byte header
 * length followed by JSON), PyTorch's zip archives ({@code .pth}, {@code .pt}), PyTorch's legacy
 * pickles (refused with a way out), and everything else (which a caller may try as a protobuf,
 * Caffe's {@code .caffemodel}).
 */
public final class WeightFiles {
    private WeightFiles() {}

    public enum Format {
        SAFETENSORS("safetensors"), PYTORCH("PyTorch"), PYTORCH_LEGACY("PyTorch (before 1.6)"), OTHER("other");

        private final String label;

        Format(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** The format of {@code file}, from its first bytes. */
    public static Format detect(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, SafeTensors.notAFile(file));
        }
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(16);
        }
        return detect(head, Files.size(file));
    }

    static Format detect(byte[] head, long size) {
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K' && head[2] == 3 && head[3] == 4) {
            return Format.PYTORCH;
        }
        if (PyTorchFile.isLegacy(head)) {
            return Format.PYTORCH_LEGACY;
        }
        if (head.length >= 9) {
            long n = ByteBuffer.wrap(head, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
            if (n >= 2 && n <= size - 8 && head[8] == '{') {
                return Format.SAFETENSORS;
            }
        }
        return Format.OTHER;
    }

    /** The header of a safetensors or PyTorch file; null for {@link Format#OTHER}. */
    public static SafeTensors.Header header(Path file) throws IOException {
        return switch (detect(file)) {
            case SAFETENSORS -> SafeTensors.header(file);
            case PYTORCH -> PyTorchFile.header(file);
            case PYTORCH_LEGACY -> throw new ModelFileException(file, PyTorchFile.legacyMessage());
            case OTHER -> null;
        };
    }

    /** The contents of a safetensors or PyTorch file; null for {@link Format#OTHER}. */
    public static SafeTensors.Contents read(Path file) throws IOException {
        return switch (detect(file)) {
            case SAFETENSORS -> SafeTensors.read(file);
            case PYTORCH -> PyTorchFile.read(file);
            case PYTORCH_LEGACY -> throw new ModelFileException(file, PyTorchFile.legacyMessage());
            case OTHER -> null;
        };
    }
}
