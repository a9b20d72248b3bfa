package org.vgg4j.vgg.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;
import java.util.zip.GZIPOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.io.Limits;

/** Issue 13, item 3 (and 8's truncated JPEG): images and compressed data within stated limits. */
class ImagesTest {
    @TempDir
    Path dir;

    static BufferedImage noise(int w, int h) {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        java.util.Random r = new java.util.Random(1);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, r.nextInt(1 << 24));
            }
        }
        return img;
    }

    /** A real 8x8 PNG whose IHDR is rewritten to claim 23000 x 23000 pixels of 16-bit RGBA (CRC fixed). */
    static byte[] pngBomb() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(noise(8, 8), "png", out);
        byte[] b = out.toByteArray();
        ByteBuffer bb = ByteBuffer.wrap(b);
        // signature (8), length (4), "IHDR" (4) at 12, then width, height, depth, colour type
        bb.putInt(16, 23000).putInt(20, 23000);
        b[24] = 16;
        b[25] = 6;
        CRC32 crc = new CRC32();
        crc.update(b, 12, 4 + 13);
        bb.putInt(29, (int) crc.getValue());
        return b;
    }

    @Test
    void aPngDeclaringBillionsOfPixelsIsRefusedFromItsHeader() throws Exception {
        Path f = Files.write(dir.resolve("bomb.png"), pngBomb());
        assertTrue(Files.size(f) < 400);
        Images.UnreadableImageException e = assertThrows(Images.UnreadableImageException.class, () -> Images.read(f));
        assertTrue(e.getMessage().contains("23000x23000 pixels, more than the limit"), e.getMessage());
    }

    @Test
    void aTruncatedJpegIsDamagedNotHalfAnImage() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ImageIO.write(noise(64, 64), "jpg", out);
        byte[] b = out.toByteArray();
        Path whole = Files.write(dir.resolve("whole.jpg"), b);
        assertEquals(64, Images.read(whole).getWidth());
        Path half = Files.write(dir.resolve("half.jpg"), java.util.Arrays.copyOf(b, b.length / 2));
        assertTrue(ImageIO.read(half.toFile()) != null, "ImageIO alone returns an image for half a JPEG");
        Images.UnreadableImageException e = assertThrows(Images.UnreadableImageException.class, () -> Images.read(half));
        assertTrue(e.getMessage().contains("damaged"), e.getMessage());
    }

    @Test
    void anIdxGzipThatInflatesPastTheLimitIsRefused() throws Exception {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream z = new GZIPOutputStream(gz)) {
            z.write(new byte[] {0, 0, 8, 3, 0, 0, 0, 100, 0, 0, 0, 28, 0, 0, 0, 28});
            z.write(new byte[3 << 20]);
        }
        Path f = Files.write(dir.resolve("bomb-idx3-ubyte.gz"), gz.toByteArray());
        String old = System.getProperty(Limits.DECOMPRESSED_BYTES);
        System.setProperty(Limits.DECOMPRESSED_BYTES, String.valueOf(1 << 20));
        try {
            DataException e = assertThrows(DataException.class, () -> IdxDataset.readMaybeGzip(f));
            assertTrue(e.getMessage().contains("inflates to more than 1048576 bytes"), e.getMessage());
        } finally {
            if (old == null) {
                System.clearProperty(Limits.DECOMPRESSED_BYTES);
            } else {
                System.setProperty(Limits.DECOMPRESSED_BYTES, old);
            }
        }
    }
}
