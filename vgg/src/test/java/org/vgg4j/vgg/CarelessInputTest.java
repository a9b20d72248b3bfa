package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.io.HostTensor;
import org.vgg4j.nn.io.ModelFileException;
import org.vgg4j.nn.io.SafeTensors;
import org.vgg4j.nn.io.StateDict;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.data.InMemoryDataset;
import org.vgg4j.vgg.data.Preprocess;

/**
 * Issue 13, item 8: inputs that gave "NaN%" with exit 0 or a JSON library's message after a whole
 * epoch now give one clear error up front: NaN weights or a zero std in a model file, an empty
 * split to evaluate or train on.
 */
class CarelessInputTest {
    static final CpuBackend CPU = new CpuBackend();
    static final ModelSpec TINY = new ModelSpec(VggConfig.A, 1, 32, 3, 32, 8, 0.5f);
    @TempDir
    Path dir;

    static ModelFile.Info info(float std) {
        return ModelFile.Info.of(TINY, List.of("a", "b", "c"),
            new Preprocess(32, 0, false, new float[] {0.5f}, new float[] {1f}), 28).withStd(new float[] {std});
    }

    @Test
    void aModelFileWithANaNWeightIsRefusedNamingTheTensor() throws Exception {
        Path f = dir.resolve("nan.safetensors");
        try (VggModel m = VggModel.build(CPU, TINY, 1).initialise(VggModel.InitScheme.HE, 1)) {
            Map<String, HostTensor> t = new LinkedHashMap<>(StateDict.of(m.parameters()));
            float[] w = t.get("features.3.weight").data().clone();
            w[5] = Float.NaN;
            t.put("features.3.weight", new HostTensor(t.get("features.3.weight").shape(), w));
            SafeTensors.write(f, t, Map.of(ModelFile.KEY, info(1f).toJson()), false);
        }
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(f, CPU));
        assertTrue(e.getMessage().contains("'features.3.weight' holds NaN at index 5"), e.getMessage());
    }

    @Test
    void aZeroStdInTheMetadataIsRefused() throws Exception {
        Path f = dir.resolve("std0.safetensors");
        try (VggModel m = VggModel.build(CPU, TINY, 1).initialise(VggModel.InitScheme.HE, 1)) {
            SafeTensors.write(f, StateDict.sources(m), Map.of(ModelFile.KEY, info(0f).toJson()), false);
        }
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(f, CPU));
        assertTrue(e.getMessage().contains("bad vgg4j metadata") && e.getMessage().contains("std 0.0"), e.getMessage());
    }

    @Test
    void nothingToEvaluateOrTrainOnIsAnError() throws Exception {
        InMemoryDataset empty = new InMemoryDataset(new byte[0], new int[0], 1, 28, 28, List.of("a", "b", "c"), "empty/");
        InMemoryDataset one = new InMemoryDataset(new byte[28 * 28], new int[] {1}, 1, 28, 28, List.of("a", "b", "c"),
            "one/");
        Preprocess prep = new Preprocess(32, 0, false, new float[] {0.5f}, new float[] {0.25f});
        try (VggModel m = VggModel.build(CPU, TINY, 1)) {
            var e = assertThrows(IllegalArgumentException.class, () -> Evaluator.evaluate(CPU, m, empty, prep, 10));
            assertTrue(e.getMessage().contains("no images to evaluate in empty/"), e.getMessage());
            TrainConfig cfg = TrainConfig.paper(1, dir.resolve("run"));
            var t = assertThrows(IllegalArgumentException.class,
                () -> new Trainer(CPU, m, cfg, one, empty, prep, System.err));
            assertTrue(t.getMessage().contains("no validation images in empty/"), t.getMessage());
        }
    }

    /** A model file with hand-written metadata and the given tensors (header then data). */
    static void write(Path f, String metaJson, Map<String, long[]> shapes, long extraSparseBytes) throws Exception {
        StringBuilder json = new StringBuilder("{\"__metadata__\":{\"vgg4j\":" + com.google.gson.JsonParser
            .parseString(metaJson).toString().replace("\\", "\\\\").replace("\"", "\\\"").transform(x -> "\"" + x + "\"")
            + "}");
        long off = 0;
        for (var e : shapes.entrySet()) {
            long n = 1;
            for (long d : e.getValue()) {
                n *= d;
            }
            json.append(",\"").append(e.getKey()).append("\":{\"dtype\":\"F32\",\"shape\":")
                .append(java.util.Arrays.toString(e.getValue()).replace(" ", "")).append(",\"data_offsets\":[")
                .append(off).append(',').append(off + 4 * n).append("]}");
            off += 4 * n;
        }
        json.append('}');
        byte[] head = json.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
        try (var raf = new java.io.RandomAccessFile(f.toFile(), "rw")) {
            raf.write(java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(head.length).array());
            raf.write(head);
            raf.setLength(8 + head.length + off); // zeros, sparse on disk
        }
    }

    /**
     * Issue 13, item 2: the network was built from the metadata before any tensor was checked, so
     * a 400-byte file claiming FC layers of 40,000 or 4,000,000 classes ran out of memory; and a
     * file listing gigabytes of tensors the model does not use had all of them read first. Now the
     * metadata's network is built on a shape-only backend and checked against the header, and the
     * header's names are checked before any data is read.
     */
    @Test
    void metadataAndHeadersAreCheckedBeforeAnythingIsAllocated() throws Exception {
        String meta = "{\"config\":\"A\",\"inChannels\":1,\"inputSize\":32,\"classes\":%d,\"widthDivisor\":32,"
            + "\"fcWidth\":%d,\"dropout\":0.5,\"mean\":[0.5],\"std\":[0.25],\"imageSize\":28,\"resize\":0}";
        Path wide = dir.resolve("wide.safetensors");
        write(wide, String.format(meta, 10, 40000), Map.of("features.0.weight", new long[] {2, 1, 3, 3}), 0);
        assertTrue(java.nio.file.Files.size(wide) < 1000);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(wide, CPU));
        assertTrue(e.getMessage().contains("missing parameter 'features.0.bias'"), e.getMessage());
        Path many = dir.resolve("classes.safetensors");
        write(many, String.format(meta, 4_000_000, 8), Map.of("features.0.weight", new long[] {2, 1, 3, 3}), 0);
        e = assertThrows(ModelFileException.class, () -> ModelFile.load(many, CPU));
        assertTrue(e.getMessage().contains("missing parameter 'features.0.bias'"), e.getMessage());
        // a tiny model's tensors plus 7 GB of a tensor it does not have (a sparse file): refused
        // from the header, without reading 7 GB into a heap a fraction of that size
        Path big = dir.resolve("big.safetensors");
        Map<String, long[]> shapes = new LinkedHashMap<>();
        try (VggModel m = VggModel.build(CPU, TINY, 1)) {
            for (var p : m.parameters()) {
                shapes.put(p.name(), java.util.Arrays.stream(p.shape()).asLongStream().toArray());
            }
        }
        shapes.put("zzz.unused", new long[] {7L << 28});
        write(big, String.format(meta, 3, 8).replace("}", ",\"classNames\":[\"a\",\"b\",\"c\"]}"), shapes, 0);
        e = assertThrows(ModelFileException.class, () -> ModelFile.load(big, CPU));
        assertTrue(e.getMessage().contains("unexpected tensor 'zzz.unused'"), e.getMessage());
    }
}
