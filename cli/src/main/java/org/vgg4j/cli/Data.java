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
        Path p = Path.of(spec);
        return IdxDataset.fashionMnist(p, train);
    }
}
