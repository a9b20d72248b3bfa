package org.vgg4j.cli;

import java.io.IOException;
import java.nio.file.Path;
import org.vgg4j.vgg.data.Dataset;
import org.vgg4j.vgg.data.IdxDataset;

/** Resolves the --data argument. */
final class Data {
    private Data() {}

    static Dataset open(String spec, boolean train) throws IOException {
        if (spec.equals("fashion-mnist")) {
            return IdxDataset.fashionMnist(IdxDataset.FASHION_MNIST, train);
        }
        // a folder with Fashion-MNIST's file names (MNIST has the same layout; classes are named 0..9 there)
        Path p = Path.of(spec);
        if (p.equals(IdxDataset.FASHION_MNIST)) {
            return IdxDataset.fashionMnist(p, train);
        }
        return IdxDataset.folder(p, train);
    }
}
