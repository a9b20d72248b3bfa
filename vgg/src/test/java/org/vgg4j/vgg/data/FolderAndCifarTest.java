package org.vgg4j.vgg.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FolderAndCifarTest {
    @TempDir
    Path dir;

    void png(Path f, int w, int h, int rgb) throws Exception {
        BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                img.setRGB(x, y, rgb);
            }
        }
        Files.createDirectories(f.getParent());
        ImageIO.write(img, "png", f.toFile());
    }

    /**
     * Issue 13, item 7: a validation folder's classes are the training classes, matched by name.
     * Read on its own, val/ with a missing class folder numbers its classes 0, 1 and shifts every
     * label after the gap; read against the training classes it keeps them, and a folder that is
     * not a training class is an error naming it.
     */
    @Test
    void aValidationFolderIsMatchedToTheTrainingClassesByName() throws Exception {
        png(dir.resolve("val/apple/a.png"), 8, 8, 0xff0000);
        png(dir.resolve("val/cherry/b.png"), 8, 8, 0x00ff00);
        List<String> train = List.of("apple", "banana", "cherry");
        ImageFolderDataset alone = ImageFolderDataset.open(dir.resolve("val"), 3, 8, true);
        assertEquals(1, alone.label(1), "on its own, cherry is class 1");
        ImageFolderDataset matched = ImageFolderDataset.open(dir.resolve("val"), 3, 8, true, train);
        assertEquals(train, matched.classNames());
        assertEquals(0, matched.label(0));
        assertEquals(2, matched.label(1), "cherry keeps its training index");
        png(dir.resolve("val/durian/c.png"), 8, 8, 0x0000ff);
        DataException e = org.junit.jupiter.api.Assertions.assertThrows(DataException.class,
            () -> ImageFolderDataset.open(dir.resolve("val"), 3, 8, true, train));
        assertTrue(e.getMessage().contains("class 'durian' is not one of the 3 training classes"), e.getMessage());
    }

    @Test
    void imageFolderReadsSortedClassesAndSkipsCorruptImages() throws Exception {
        png(dir.resolve("zebra/a.png"), 40, 20, 0x102030);
        png(dir.resolve("apple/b.png"), 16, 16, 0xff0000);
        png(dir.resolve("apple/c.png"), 10, 30, 0x00ff00);
        Files.write(dir.resolve("apple/broken.jpg"), new byte[] {(byte) 0xff, (byte) 0xd8, 1, 2, 3});
        Files.writeString(dir.resolve("apple/notes.txt"), "ignored: not an image extension");
        ImageFolderDataset d = ImageFolderDataset.open(dir, 3, 8, false);
        assertEquals(List.of("apple", "zebra"), d.classNames());
        assertEquals(3, d.size());
        assertEquals(1, d.skipped().size(), d.skipped().toString());
        assertTrue(d.skipped().get(0).contains("broken.jpg"), d.skipped().toString());
        byte[] img = new byte[3 * 64];
        d.image(0, img, 0); // apple/b.png, pure red
        assertEquals((byte) 255, img[0]);
        assertEquals(0, img[64]);
        assertEquals(1, d.label(2));
        DataException e = assertThrows(DataException.class, () -> ImageFolderDataset.open(dir, 3, 8, true));
        assertTrue(e.getMessage().contains("broken.jpg"), e.getMessage());
        Files.createDirectories(dir.resolve("empty"));
        e = assertThrows(DataException.class, () -> ImageFolderDataset.open(dir, 3, 8, false));
        assertTrue(e.getMessage().contains("empty class folder"), e.getMessage());
        Path none = Files.createDirectories(dir.resolve("x/none"));
        Files.delete(none);
        e = assertThrows(DataException.class, () -> ImageFolderDataset.open(dir.resolve("x"), 3, 8, false));
        assertTrue(e.getMessage().contains("no class folders"), e.getMessage());
    }

    @Test
    void cifarRecordsParseAndBadFilesAreRefused() throws Exception {
        byte[] rec = new byte[2 * 3073];
        rec[0] = 3;
        rec[1] = 7; // red (0, 0)
        rec[1 + 1024] = 8; // green (0, 0)
        rec[3073] = 9;
        for (int i = 1; i <= 5; i++) {
            Files.write(dir.resolve("data_batch_" + i + ".bin"), rec);
        }
        Files.write(dir.resolve("test_batch.bin"), rec);
        CifarDataset train = CifarDataset.open(dir, true);
        assertEquals(10, train.size());
        assertEquals(3, train.label(0));
        assertEquals(9, train.label(1));
        byte[] img = new byte[3072];
        train.image(0, img, 0);
        assertArrayEquals(new byte[] {7, 8}, new byte[] {img[0], img[1024]});
        assertEquals("cat", train.classNames().get(3));
        Files.write(dir.resolve("test_batch.bin"), java.util.Arrays.copyOf(rec, 3000));
        DataException e = assertThrows(DataException.class, () -> CifarDataset.open(dir, false));
        assertTrue(e.getMessage().contains("not a whole number"), e.getMessage());
        rec[0] = 12;
        Files.write(dir.resolve("test_batch.bin"), rec);
        e = assertThrows(DataException.class, () -> CifarDataset.open(dir, false));
        assertTrue(e.getMessage().contains("label 12"), e.getMessage());
    }
}
