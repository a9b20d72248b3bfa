package org.vgg4j.vgg.data;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;

/**
 * MNIST / Fashion-MNIST in the IDX format (LeCun et al.): big-endian magic {@code 0x00000803}
 * and dimensions [count, rows, cols] for images, {@code 0x00000801} and [count] for labels,
 * then raw unsigned bytes; plain or gzipped (detected by the gzip magic 1f 8b). Every claim of
 * the headers is checked against the file, and labels against the number of classes.
 */
public final class IdxDataset implements Dataset {
    /** Where Debian's dataset-fashion-mnist package puts the files. */
    public static final Path FASHION_MNIST = Path.of("/usr/share/datasets/fashion-mnist");
    public static final List<String> FASHION_CLASSES = List.of("T-shirt/top", "Trouser", "Pullover", "Dress",
        "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot");

    private final byte[] images;
    private final byte[] labels;
    private final int count;
    private final int rows;
    private final int cols;
    private final List<String> classNames;
    private final String source;

    private IdxDataset(byte[] images, byte[] labels, int count, int rows, int cols, List<String> classNames,
                       String source) {
        this.images = images;
        this.labels = labels;
        this.count = count;
        this.rows = rows;
        this.cols = cols;
        this.classNames = classNames;
        this.source = source;
    }

    /** Reads an image file and its label file. */
    public static IdxDataset read(Path imageFile, Path labelFile, List<String> classNames) throws IOException {
        byte[] img = readMaybeGzip(imageFile);
        byte[] lab = readMaybeGzip(labelFile);
        int[] imgDims = header(imageFile, img, 0x803, 3);
        int[] labDims = header(labelFile, lab, 0x801, 1);
        int count = imgDims[0];
        if (labDims[0] != count) {
            throw new DataException(labelFile + ": " + labDims[0] + " labels for " + count + " images in " + imageFile);
        }
        long need = 16L + (long) count * imgDims[1] * imgDims[2];
        if (img.length != need) {
            throw new DataException(imageFile + ": " + (img.length < need ? "truncated" : "too long") + ": header says "
                + count + " images of " + imgDims[1] + "x" + imgDims[2] + " (" + need + " bytes), file has "
                + img.length + " bytes");
        }
        if (lab.length != 8L + count) {
            throw new DataException(labelFile + ": " + (lab.length < 8L + count ? "truncated" : "too long")
                + ": header says " + count + " labels (" + (8L + count) + " bytes), file has " + lab.length + " bytes");
        }
        byte[] labels = java.util.Arrays.copyOfRange(lab, 8, lab.length);
        for (int i = 0; i < count; i++) {
            if ((labels[i] & 0xff) >= classNames.size()) {
                throw new DataException(labelFile + ": label " + (labels[i] & 0xff) + " of example " + i
                    + " is out of range for " + classNames.size() + " classes");
            }
        }
        byte[] pixels = java.util.Arrays.copyOfRange(img, 16, img.length);
        return new IdxDataset(pixels, labels, count, imgDims[1], imgDims[2], classNames, imageFile.toString());
    }

    /** Fashion-MNIST from {@code dir}: train (60,000) or t10k (10,000). */
    public static IdxDataset fashionMnist(Path dir, boolean train) throws IOException {
        String p = train ? "train" : "t10k";
        return read(find(dir, p + "-images-idx3-ubyte"), find(dir, p + "-labels-idx1-ubyte"), FASHION_CLASSES);
    }

    /** IDX files named as MNIST's in {@code dir}, classes called "0".."9". */
    public static IdxDataset folder(Path dir, boolean train) throws IOException {
        String p = train ? "train" : "t10k";
        return read(find(dir, p + "-images-idx3-ubyte"), find(dir, p + "-labels-idx1-ubyte"),
            List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9"));
    }

    private static Path find(Path dir, String base) throws DataException {
        for (String ext : new String[] {".gz", ""}) {
            Path f = dir.resolve(base + ext);
            if (Files.isRegularFile(f)) {
                return f;
            }
        }
        throw new DataException(dir.resolve(base + ".gz") + ": not found"
            + (dir.equals(FASHION_MNIST) ? " (install Debian's dataset-fashion-mnist package)" : ""));
    }

    private static int[] header(Path file, byte[] b, int magic, int dims) throws DataException {
        if (b.length < 4 + 4 * dims) {
            throw new DataException(file + ": truncated: " + b.length + " bytes, shorter than the IDX header");
        }
        ByteBuffer bb = ByteBuffer.wrap(b);
        int m = bb.getInt();
        if (m != magic) {
            throw new DataException(file + ": bad magic 0x" + Integer.toHexString(m) + ", expected 0x"
                + Integer.toHexString(magic) + " (not an IDX " + (dims == 3 ? "image" : "label") + " file)");
        }
        int[] d = new int[dims];
        for (int i = 0; i < dims; i++) {
            d[i] = bb.getInt();
            if (d[i] < 0 || (i > 0 && d[i] == 0)) {
                throw new DataException(file + ": bad dimension " + d[i] + " in the header");
            }
        }
        return d;
    }

    static byte[] readMaybeGzip(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new DataException(file + ": not found");
        }
        byte[] raw = Files.readAllBytes(file);
        if (raw.length >= 2 && (raw[0] & 0xff) == 0x1f && (raw[1] & 0xff) == 0x8b) {
            long limit = Math.min(org.vgg4j.nn.io.Limits.decompressedBytes(), Integer.MAX_VALUE - 8);
            try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                ByteArrayOutputStream out = new ByteArrayOutputStream((int) Math.min(limit, (long) raw.length * 4));
                byte[] buf = new byte[1 << 16];
                long total = 0;
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > limit) {
                        throw new DataException(file + ": inflates to more than " + limit + " bytes, the limit ("
                            + org.vgg4j.nn.io.Limits.DECOMPRESSED_BYTES + ")");
                    }
                    out.write(buf, 0, n);
                }
                return out.toByteArray();
            } catch (DataException e) {
                throw e;
            } catch (IOException e) {
                throw new DataException(file + ": corrupt gzip data (" + e.getMessage() + ")");
            }
        }
        return raw;
    }

    @Override public int size() { return count; }
    @Override public int channels() { return 1; }
    @Override public int height() { return rows; }
    @Override public int width() { return cols; }
    @Override public List<String> classNames() { return classNames; }
    @Override public String source() { return source; }

    @Override
    public void image(int i, byte[] dst, int off) {
        System.arraycopy(images, i * rows * cols, dst, off, rows * cols);
    }

    @Override
    public int label(int i) {
        return labels[i] & 0xff;
    }
}
