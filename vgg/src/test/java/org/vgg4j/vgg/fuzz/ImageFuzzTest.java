package org.vgg4j.vgg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.awt.image.BufferedImage;
import java.nio.file.Path;
import org.vgg4j.vgg.data.ImageFolderDataset;
import org.vgg4j.vgg.data.Images;

/**
 * The image path of ImageFolder data sets and {@code predict}: any file ImageIO recognises (PNG,
 * JPEG, BMP, GIF, WBMP, TIFF) is decoded within the pixel limit, then resized and cropped to the
 * network's input as grey and as RGB bytes.
 */
class ImageFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] data) throws Exception {
        Path f = Fuzzing.write(Fuzzing.folder("image"), "image", data);
        try {
            BufferedImage img = Images.read(f);
            ImageFolderDataset.toBytes(img, 1, 32);
            ImageFolderDataset.toBytes(img, 3, 32);
        } catch (Images.UnreadableImageException e) {
            Fuzzing.checkRefusal(e, data);
        }
    }
}
