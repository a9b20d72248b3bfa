package org.vgg4j.vgg.data;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * torchvision's ImageFolder: {@code root/<class>/<image>.{jpg,jpeg,png,bmp,gif}}, classes in sorted
 * order. Every image is decoded once when the set is opened (in parallel) and kept as
 * {@code channels x size x size} bytes: the shorter side rescaled to {@code size} (bilinear), then
 * a centre crop. Unreadable or corrupt images are skipped and listed in {@link #skipped()};
 * with {@code strict} the first one fails the whole set instead. An empty class folder, or a root
 * without class folders, is an error.
 */
public final class ImageFolderDataset implements Dataset {
    private static final List<String> EXTENSIONS = List.of(".jpg", ".jpeg", ".png", ".bmp", ".gif");

    private final byte[][] images;
    private final int[] labels;
    private final int channels;
    private final int size;
    private final List<String> classNames;
    private final List<String> skipped;
    private final String source;

    private ImageFolderDataset(byte[][] images, int[] labels, int channels, int size, List<String> classNames,
                               List<String> skipped, String source) {
        this.images = images;
        this.labels = labels;
        this.channels = channels;
        this.size = size;
        this.classNames = classNames;
        this.skipped = skipped;
        this.source = source;
    }

    private static String abbreviate(List<String> names) {
        return names.size() <= 10 ? names.toString() : names.subList(0, 10) + " and " + (names.size() - 10) + " more";
    }

    public static ImageFolderDataset open(Path root, int channels, int size, boolean strict) throws IOException {
        return open(root, channels, size, strict, null);
    }

    /**
     * A split read against the classes of another (a validation or test folder against the
     * training classes, or a model's): labels are indices in {@code classNames}, matched by folder
     * name, so a missing class folder shifts nothing; a folder whose name is not among them is an
     * error. With {@code classNames} null, the sorted folder names are the classes.
     */
    public static ImageFolderDataset open(Path root, int channels, int size, boolean strict, List<String> classNames)
        throws IOException {
        if (!Files.isDirectory(root)) {
            throw new DataException(root + ": not a folder");
        }
        List<Path> classes;
        try (Stream<Path> s = Files.list(root)) {
            classes = s.filter(Files::isDirectory).sorted().toList();
        }
        if (classes.isEmpty()) {
            throw new DataException(root + ": no class folders (expected root/<class>/<image>)");
        }
        List<String> names = classNames != null ? List.copyOf(classNames)
            : classes.stream().map(p -> p.getFileName().toString()).toList();
        List<Path> files = new ArrayList<>();
        List<Integer> fileLabels = new ArrayList<>();
        for (int c = 0; c < classes.size(); c++) {
            int label = names.indexOf(classes.get(c).getFileName().toString());
            if (label < 0) {
                throw new DataException(classes.get(c) + ": class '" + classes.get(c).getFileName()
                    + "' is not one of the " + names.size() + " training classes " + abbreviate(names));
            }
            List<Path> inClass;
            try (Stream<Path> s = Files.list(classes.get(c))) {
                inClass = s.filter(f -> Files.isRegularFile(f) && EXTENSIONS.stream()
                    .anyMatch(e -> f.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(e))).sorted().toList();
            }
            if (inClass.isEmpty()) {
                throw new DataException(classes.get(c) + ": empty class folder (no .jpg, .jpeg, .png, .bmp or .gif)");
            }
            for (Path f : inClass) {
                files.add(f);
                fileLabels.add(label);
            }
        }
        byte[][] decoded = new byte[files.size()][];
        String[] problems = new String[files.size()];
        java.util.stream.IntStream.range(0, files.size()).parallel().forEach(i -> {
            Path f = files.get(i);
            try {
                decoded[i] = toBytes(Images.read(f), channels, size);
            } catch (Images.UnreadableImageException e) {
                problems[i] = e.getMessage().substring(f.toString().length() + 2);
            } catch (IOException | RuntimeException e) {
                problems[i] = "corrupt: " + e.getMessage();
            }
        });
        List<byte[]> kept = new ArrayList<>();
        List<Integer> keptLabels = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            if (decoded[i] == null) {
                if (strict) {
                    throw new DataException(files.get(i) + ": " + problems[i]);
                }
                skipped.add(files.get(i) + ": " + problems[i]);
            } else {
                kept.add(decoded[i]);
                keptLabels.add(fileLabels.get(i));
            }
        }
        return new ImageFolderDataset(kept.toArray(new byte[0][]), keptLabels.stream().mapToInt(Integer::intValue).toArray(),
            channels, size, names, List.copyOf(skipped), root.toString());
    }

    /** Shorter side to {@code size} (bilinear), centre crop, CHW bytes: grey (luminance) or RGB. */
    public static byte[] toBytes(BufferedImage img, int channels, int size) {
        byte[] out = new byte[channels * size * size];
        double scale = (double) size / Math.min(img.getWidth(), img.getHeight());
        int w = Math.max(size, (int) Math.round(img.getWidth() * scale));
        int h = Math.max(size, (int) Math.round(img.getHeight() * scale));
        BufferedImage canvas = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = canvas.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
        g.drawImage(img, -(w - size) / 2, -(h - size) / 2, w, h, null);
        g.dispose();
        for (int y = 0; y < size; y++) {
            for (int x = 0; x < size; x++) {
                int rgb = canvas.getRGB(x, y);
                int r = (rgb >> 16) & 0xff;
                int gr = (rgb >> 8) & 0xff;
                int b = rgb & 0xff;
                if (channels == 1) {
                    out[y * size + x] = (byte) Math.round(0.299 * r + 0.587 * gr + 0.114 * b);
                } else {
                    out[y * size + x] = (byte) r;
                    out[size * size + y * size + x] = (byte) gr;
                    out[2 * size * size + y * size + x] = (byte) b;
                }
            }
        }
        return out;
    }

    /** Files that could not be decoded, each with the reason. */
    public List<String> skipped() { return skipped; }

    @Override public int size() { return labels.length; }
    @Override public int channels() { return channels; }
    @Override public int height() { return size; }
    @Override public int width() { return size; }
    @Override public List<String> classNames() { return classNames; }
    @Override public String source() { return source; }

    @Override
    public void image(int i, byte[] dst, int off) {
        System.arraycopy(images[i], 0, dst, off, images[i].length);
    }

    @Override
    public int label(int i) { return labels[i]; }
}
