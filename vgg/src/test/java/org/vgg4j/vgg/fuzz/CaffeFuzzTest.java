package org.vgg4j.vgg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.ModelFile;

/** Caffe model files as {@code predict} loads them: a protobuf NetParameter mapped onto a VGG. */
class CaffeFuzzTest {
    private static final CpuBackend CPU = new CpuBackend();

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] data) throws Exception {
        Path f = Fuzzing.write(Fuzzing.folder("caffe"), "model.caffemodel", data);
        try (ModelFile.Loaded m = ModelFile.load(f, CPU)) {
            if (m.info().classes() < 1 || m.model().parameterCount() < 1) {
                throw new AssertionError("loaded a model without classes or parameters: " + m.info());
            }
        } catch (ModelFileException e) {
            Fuzzing.checkRefusal(e, data);
        }
    }
}
