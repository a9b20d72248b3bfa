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

    static boolean isImageFolderRoot(Path p) {
        return Files.isDirectory(p.resolve("train")) || Files.isDirectory(p.resolve("val"))
            || Files.isDirectory(p.resolve("test"));
    }

    /**
     * The split a training run validates on, when the data set has one of its own: an ImageFolder
     * root's {@code val/}. Null otherwise (Fashion-MNIST, IDX and CIFAR have only training and
     * test sets, and a root with {@code train/} and {@code test/} only): the trainer then holds out
     * part of the training set.
     */
    static Dataset ownValidation(String spec, int imageSize, boolean strict, java.util.List<String> classes)
        throws IOException {
        Path p = Path.of(spec);
        if (!spec.equals("fashion-mnist") && isImageFolderRoot(p) && Files.isDirectory(p.resolve("val"))) {
            return ImageFolderDataset.open(p.resolve("val"), 3, imageSize, strict, classes);
        }
        return null;
    }

    /**
     * The test set: fashion-mnist's, IDX or CIFAR test files, an ImageFolder root's {@code test/}
     * (its folders matched by name to {@code classes}); else null.
     */
    static Dataset test(String spec, int imageSize, boolean strict, java.util.List<String> classes) throws IOException {
        Path p = Path.of(spec);
        if (!spec.equals("fashion-mnist") && isImageFolderRoot(p)) {
            return Files.isDirectory(p.resolve("test"))
                ? ImageFolderDataset.open(p.resolve("test"), 3, imageSize, strict, classes) : null;
        }
        return open(spec, false, imageSize, strict);
    }

    /** {@code --val-data}: a folder of class folders matched by name to {@code classes}, or any data set's test split. */
    static Dataset validationData(String spec, int imageSize, boolean strict, java.util.List<String> classes)
        throws IOException {
        Path p = Path.of(spec);
        if (!spec.equals("fashion-mnist") && Files.isDirectory(p) && !isImageFolderRoot(p)
            && !Files.isRegularFile(p.resolve("t10k-images-idx3-ubyte")) && !Files.isRegularFile(p.resolve("t10k-images-idx3-ubyte.gz"))
            && !Files.isRegularFile(p.resolve("test_batch.bin"))) {
            return ImageFolderDataset.open(p, 3, imageSize, strict, classes);
        }
        return evaluation(spec, imageSize, strict, classes);
    }

    /**
     * The evaluation split for a model with these class names: folders are matched to them by
     * name; a model whose classes are only numbered (a torchvision file) takes the folders in
     * sorted order, as torchvision's ImageFolder does.
     */
    static Dataset evaluationFor(String spec, int imageSize, java.util.List<String> modelClasses) throws IOException {
        boolean numbered = java.util.stream.IntStream.range(0, modelClasses.size())
            .allMatch(i -> modelClasses.get(i).equals(String.valueOf(i)));
        return evaluation(spec, imageSize, false, numbered ? null : modelClasses);
    }

    /** The evaluation split of a data set (test, else an ImageFolder root's val/), folders matched to {@code classes}. */
    static Dataset evaluation(String spec, int imageSize, boolean strict, java.util.List<String> classes)
        throws IOException {
        Dataset t = test(spec, imageSize, strict, classes);
        if (t != null) {
            return t;
        }
        Path p = Path.of(spec);
        if (isImageFolderRoot(p) && Files.isDirectory(p.resolve("val"))) {
            return ImageFolderDataset.open(p.resolve("val"), 3, imageSize, strict, classes);
        }
        return open(spec, false, imageSize, strict);
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
        if (isImageFolderRoot(p)) {
            Path split = p.resolve(train ? "train" : Files.isDirectory(p.resolve("val")) ? "val" : "test");
            if (!Files.isDirectory(split)) {
                throw new DataException(split + ": not found (an ImageFolder data set needs train/ and val/ or test/)");
            }
            return ImageFolderDataset.open(split, 3, imageSize, strict);
        }
        if (Files.isDirectory(p) && !Files.isRegularFile(p.resolve("train-images-idx3-ubyte"))
            && !Files.isRegularFile(p.resolve("train-images-idx3-ubyte.gz"))
            && !Files.isRegularFile(p.resolve("t10k-images-idx3-ubyte")) && !Files.isRegularFile(p.resolve("t10k-images-idx3-ubyte.gz"))) {
            return ImageFolderDataset.open(p, 3, imageSize, strict); // a plain ImageFolder (e.g. --val-data)
        }
        // a folder with MNIST's file names (classes are named 0..9 there)
        return IdxDataset.folder(p, train);
    }
}
