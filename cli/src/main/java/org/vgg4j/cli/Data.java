package org.vgg4j.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.vgg4j.vgg.data.CifarDataset;
import org.vgg4j.vgg.data.DataException;
import org.vgg4j.vgg.data.Dataset;
import org.vgg4j.vgg.data.IdxDataset;
import org.vgg4j.vgg.data.ImageFolderDataset;

/**
 * Resolves --data: {@code fashion-mnist} (Debian's package), a folder of IDX files (MNIST's names),
 * a folder of CIFAR-10 binary batches, or an ImageFolder tree with {@code train/} and {@code val/}
 * (images decoded at {@code imageSize}, RGB).
 */
final class Data {
    private Data() {}

    static Dataset open(String spec, boolean train) throws IOException {
        return open(spec, train, 32, false);
    }

    static Dataset open(String spec, boolean train, int imageSize, boolean strict) throws IOException {
        if (spec.equals("fashion-mnist")) {
            return IdxDataset.fashionMnist(IdxDataset.FASHION_MNIST, train);
        }
        Path p = Path.of(spec);
        if (p.equals(IdxDataset.FASHION_MNIST)) {
            return IdxDataset.fashionMnist(p, train);
        }
        if (Files.isRegularFile(p.resolve("data_batch_1.bin")) || Files.isRegularFile(p.resolve("test_batch.bin"))) {
            return CifarDataset.open(p, train);
        }
        if (Files.isDirectory(p.resolve("train")) || Files.isDirectory(p.resolve("val"))) {
            Path split = p.resolve(train ? "train" : "val");
            if (!Files.isDirectory(split)) {
                throw new DataException(split + ": not found (an ImageFolder data set needs train/ and val/)");
            }
            return ImageFolderDataset.open(split, 3, imageSize, strict);
        }
        // a folder with MNIST's file names (classes are named 0..9 there)
        return IdxDataset.folder(p, train);
    }
}
