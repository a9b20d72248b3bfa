package org.vgg4j.vgg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipOutputStream;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.WeightFiles;

/**
 * PyTorch files: the input is a pickle and one storage ({@link Fuzzing#split}), put in a valid
 * archive as {@code torch.save} lays it out, so that the fuzzer spends its time on the pickle
 * reader and the tensor views rather than on zip headers (the model-file target has those).
 */
class PyTorchFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] data) throws Exception {
        byte[][] parts = Fuzzing.split(data);
        Path f = Fuzzing.folder("pytorch").resolve("model.pth");
        try (OutputStream o = Files.newOutputStream(f); ZipOutputStream z = new ZipOutputStream(o)) {
            org.vgg4j.vgg.PickleWriter.stored(z, "archive/data.pkl", parts[0]);
            org.vgg4j.vgg.PickleWriter.stored(z, "archive/data/0", parts[1]);
        }
        try {
            SafeTensors.Header h = WeightFiles.header(f);
            SafeTensors.Contents c = WeightFiles.read(f);
            if (!c.tensors().keySet().equals(h.tensors().keySet())) {
                throw new AssertionError("header() and read() disagree on the tensors");
            }
            for (var e : c.tensors().entrySet()) {
                HostTensor t = e.getValue();
                long n = 1;
                for (int d : t.shape()) {
                    n *= d;
                }
                if (t.data().length != n || !java.util.Arrays.equals(t.shape(), h.tensors().get(e.getKey()).shape())) {
                    throw new AssertionError(e.getKey() + ": " + t.data().length + " values for a shape of " + n);
                }
            }
        } catch (ModelFileException e) {
            Fuzzing.checkRefusal(e, data);
        }
    }
}
