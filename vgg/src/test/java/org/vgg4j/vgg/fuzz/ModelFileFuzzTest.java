package org.vgg4j.vgg.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.file.Path;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.ModelFile;

/**
 * A model file as {@code predict} and {@code eval} load it: the vgg4j metadata (or the torchvision
 * names) describe a network, which is checked against the header, built and filled.
 */
class ModelFileFuzzTest {
    private static final CpuBackend CPU = new CpuBackend();

    @FuzzTest(maxDuration = "10m")
    void fuzz(byte[] data) throws Exception {
        Path f = Fuzzing.write(Fuzzing.folder("model"), "model.safetensors", data);
        try {
            ModelFile.Loaded m = ModelFile.load(f, CPU);
            try {
                if (m.info().classes() < 1 || m.model().parameterCount() < 1) {
                    throw new AssertionError("loaded a model without classes or parameters: " + m.info());
                }
            } finally {
                m.model().close();
            }
        } catch (ModelFileException e) {
            Fuzzing.checkRefusal(e, data);
        }
    }
}
