package org.vgg4j.vgg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.vgg4j.vgg.data.CifarDataset;
import org.vgg4j.vgg.data.DataException;

/**
 * The CIFAR-10 binary reader: the input is batches.meta.txt (after a 2-byte length; none when
 * empty) and test_batch.bin; every record of an accepted file is read back.
 */
class CifarFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] data) throws Exception {
        byte[][] parts = Fuzzing.split(data);
        Path dir = Fuzzing.folder("cifar");
        if (parts[0].length > 0) {
            Fuzzing.write(dir, "batches.meta.txt", parts[0]);
        }
        Fuzzing.write(dir, "test_batch.bin", parts[1]);
        try {
            CifarDataset d = CifarDataset.open(dir, false);
            byte[] img = new byte[d.channels() * d.height() * d.width()];
            if (d.classNames().size() != 10) {
                throw new AssertionError(d.classNames().size() + " class names");
            }
            for (int i = 0; i < d.size(); i++) {
                d.image(i, img, 0);
                int y = d.label(i);
                if (y < 0 || y >= 10) {
                    throw new AssertionError("label " + y + " of record " + i + " accepted");
                }
            }
        } catch (DataException e) {
            Fuzzing.checkRefusal(e, data);
        }
    }
}
