package org.vgg4j.vgg.data;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Iterator;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.event.IIOReadWarningListener;
import javax.imageio.stream.ImageInputStream;
import org.vgg4j.nn.io.Limits;

/**
 * Reads an image file as untrusted input: its width and height come from the header first and
 * must stay within {@link Limits#imagePixels()} before anything is decoded (a 235-byte PNG can
 * declare 23000 x 23000 pixels of 16-bit RGBA, 4 GB once decoded), and a decoder's warning (a
 * truncated JPEG, which ImageIO otherwise returns half grey) makes the image unreadable.
 */
public final class Images {
    private Images() {}

    /** An image that could not be read, with the reason in words. */
    public static final class UnreadableImageException extends IOException {
        public UnreadableImageException(Path file, String why) {
            super(file + ": " + org.vgg4j.nn.io.Messages.oneLine(why));
        }
    }

    /** Whether a BMP's compression is BI_JPEG (4) or BI_PNG (5): another image inside. */
    private static boolean bmpWithEmbeddedImage(Path file) throws IOException {
        byte[] h = new byte[34];
        try (var in = java.nio.file.Files.newInputStream(file)) {
            if (in.readNBytes(h, 0, h.length) < h.length) {
                return false; // too short to say; the decoder refuses it
            }
        }
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(h).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        int dib = b.getInt(14);
        int compression = dib >= 40 ? b.getInt(30) : 0;
        return compression == 4 || compression == 5;
    }

    public static BufferedImage read(Path file) throws IOException {
        if (!java.nio.file.Files.isRegularFile(file)) {
            throw new UnreadableImageException(file, java.nio.file.Files.isDirectory(file) ? "a folder, not an image"
                : java.nio.file.Files.exists(file) ? "not a regular file" : "no such file");
        }
        try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
            if (in == null) {
                throw new UnreadableImageException(file, "cannot be opened");
            }
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext()) {
                throw new UnreadableImageException(file, "not a readable image (no decoder for its format)");
            }
            ImageReader reader = readers.next();
            try {
                if (reader.getFormatName().equalsIgnoreCase("bmp") && bmpWithEmbeddedImage(file)) {
                    // its JPEG or PNG stream has dimensions of its own, which the BMP header does not bound
                    throw new UnreadableImageException(file, "a BMP holding a JPEG or PNG stream (not supported)");
                }
                reader.setInput(in, true, true);
                long w = reader.getWidth(0);
                long h = reader.getHeight(0);
                if (w <= 0 || h <= 0 || w * h > Limits.imagePixels()) {
                    throw new UnreadableImageException(file, w + "x" + h + " pixels, more than the limit of "
                        + Limits.imagePixels() + " (" + Limits.IMAGE_PIXELS + ")");
                }
                String[] warning = new String[1];
                reader.addIIOReadWarningListener(new IIOReadWarningListener() {
                    @Override
                    public void warningOccurred(ImageReader source, String message) {
                        if (warning[0] == null) {
                            warning[0] = message;
                        }
                    }
                });
                BufferedImage img = reader.read(0);
                if (warning[0] != null) {
                    throw new UnreadableImageException(file, "damaged (" + warning[0] + ")");
                }
                return img;
            } catch (UnreadableImageException e) {
                throw e;
            } catch (IOException | RuntimeException e) {
                throw new UnreadableImageException(file, "corrupt (" + org.vgg4j.nn.io.Messages.reason(e) + ")");
            } finally {
                reader.dispose();
            }
        }
    }
}
