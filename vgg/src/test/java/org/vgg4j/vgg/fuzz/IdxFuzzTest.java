package org.vgg4j.vgg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.vgg4j.vgg.data.DataException;
import org.vgg4j.vgg.data.IdxDataset;

/**
 * The IDX reader (MNIST, Fashion-MNIST), plain or gzip: the input is the label file (after a
 * 2-byte length) and the image file; every image and label of an accepted pair is read back.
 */
class IdxFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] data) throws Exception {
        byte[][] parts = Fuzzing.split(data);
        Path dir = Fuzzing.folder("idx");
        Path labels = Fuzzing.write(dir, "labels", parts[0]);
        Path images = Fuzzing.write(dir, "images", parts[1]);
        try {
            IdxDataset d = IdxDataset.read(images, labels, IdxDataset.FASHION_CLASSES);
            byte[] img = new byte[d.channels() * d.height() * d.width()];
            for (int i = 0; i < d.size(); i++) {
                d.image(i, img, 0);
                int y = d.label(i);
                if (y < 0 || y >= d.classNames().size()) {
                    throw new AssertionError("label " + y + " of example " + i + " accepted");
                }
            }
        } catch (DataException e) {
            Fuzzing.checkRefusal(e, data);
        }
    }
}
