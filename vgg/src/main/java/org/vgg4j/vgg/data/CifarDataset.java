package org.vgg4j.vgg.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * CIFAR-10 in its binary format: files of 3073-byte records, one label byte (0..9) then the
 * 32x32 red, green and blue planes. Training uses data_batch_1..5.bin, testing test_batch.bin;
 * class names come from batches.meta.txt when present.
 */
public final class CifarDataset implements Dataset {
    private static final int RECORD = 1 + 3 * 32 * 32;
    private static final List<String> CLASSES = List.of("airplane", "automobile", "bird", "cat", "deer", "dog",
        "frog", "horse", "ship", "truck");

    private final byte[] data;
    private final int count;
    private final List<String> classNames;
    private final String source;

    private CifarDataset(byte[] data, List<String> classNames, String source) {
        this.data = data;
        this.count = data.length / RECORD;
        this.classNames = classNames;
        this.source = source;
    }

    public static CifarDataset open(Path dir, boolean train) throws IOException {
        List<Path> files = new ArrayList<>();
        if (train) {
            for (int i = 1; i <= 5; i++) {
                files.add(dir.resolve("data_batch_" + i + ".bin"));
            }
        } else {
            files.add(dir.resolve("test_batch.bin"));
        }
        List<String> names = CLASSES;
        Path meta = dir.resolve("batches.meta.txt");
        if (Files.isRegularFile(meta)) {
            List<String> m;
            try {
                m = Files.readAllLines(meta).stream().map(String::strip).filter(l -> !l.isEmpty()).toList();
            } catch (java.nio.charset.CharacterCodingException e) {
                throw new DataException(meta + ": not UTF-8 text (CIFAR-10's class names, one a line)");
            }
            if (m.size() == 10) {
                names = m;
            }
        }
        java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
        for (Path f : files) {
            if (!Files.isRegularFile(f)) {
                throw new DataException(f + ": not found (CIFAR-10 binary version expected)");
            }
            byte[] b = Files.readAllBytes(f);
            if (b.length == 0 || b.length % RECORD != 0) {
                throw new DataException(f + ": " + b.length + " bytes is not a whole number of " + RECORD
                    + "-byte records (truncated or not CIFAR-10)");
            }
            for (int r = 0; r < b.length / RECORD; r++) {
                int label = b[r * RECORD] & 0xff;
                if (label >= 10) {
                    throw new DataException(f + ": label " + label + " of record " + r + " is out of range for 10 classes");
                }
            }
            all.write(b);
        }
        return new CifarDataset(all.toByteArray(), names, dir.toString());
    }

    @Override public int size() { return count; }
    @Override public int channels() { return 3; }
    @Override public int height() { return 32; }
    @Override public int width() { return 32; }
    @Override public List<String> classNames() { return classNames; }
    @Override public String source() { return source; }

    @Override
    public void image(int i, byte[] dst, int off) {
        System.arraycopy(data, i * RECORD + 1, dst, off, RECORD - 1);
    }

    @Override
    public int label(int i) { return data[i * RECORD] & 0xff; }
}
