package org.vgg4j.vgg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;

/** The safetensors reader (model files and checkpoints): header alone, then the whole file. */
class SafeTensorsFuzzTest {
    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] data) throws Exception {
        Path f = Fuzzing.write(Fuzzing.folder("safetensors"), "model.safetensors", data);
        try {
            SafeTensors.Header h = SafeTensors.header(f);
            SafeTensors.Contents c = SafeTensors.read(f);
            if (!c.tensors().keySet().equals(h.tensors().keySet())) {
                throw new AssertionError("header() and read() disagree on the tensors");
            }
            for (var e : c.tensors().entrySet()) {
                HostTensor t = e.getValue();
                long n = 1;
                for (int d : t.shape()) {
                    n *= d;
                }
                long have = t.longs() != null ? t.longs().length : t.data().length;
                if (have != n) {
                    throw new AssertionError(e.getKey() + ": " + have + " values for shape of " + n);
                }
            }
        } catch (ModelFileException e) {
            Fuzzing.checkRefusal(e, data);
        }
    }
}
