package org.vgg4j.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.vgg4j.nn.Init;
import org.vgg4j.nn.Parameter;
import org.vgg4j.tensor.cpu.CpuBackend;

/** Large files across chunk boundaries, headers that lie, torn writes, checkpoints that must not half-load. */
class SafeTensorsRobustnessTest {
    @TempDir
    Path dir;

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    final CpuBackend cpu = new CpuBackend();

    /** 2.8 MB of data: tensors straddle the 1 MiB streaming chunks. */
    static Map<String, HostTensor> large() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("features.0.weight", new HostTensor(new int[] {1000, 3, 3, 3}, random(27_000, 1)));
        m.put("classifier.0.weight", new HostTensor(new int[] {640, 1000}, random(640_000, 2)));
        m.put("classifier.0.bias", new HostTensor(new int[] {640}, random(640, 3)));
        m.put("empty", new HostTensor(new int[] {0, 4}, new float[0]));
        return m;
    }

    @Test
    void largeTensorsRoundTripBitForBitWithChecksum() throws IOException {
        Path f = dir.resolve("big.safetensors");
        SafeTensors.write(f, large(), Map.of("k", "v"), true);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(large(), new LinkedHashMap<>(c.tensors()));
        assertEquals("v", c.metadata().get("k"));
        assertTrue(c.metadata().get(SafeTensors.CHECKSUM_KEY).matches("[0-9a-f]{8}"));
    }

    /** Tensors read in place from a backend (chunks crossing tensor ends) write the same bytes as host copies. */
    @Test
    void backendTensorsWriteTheSameFileAsHostCopies() throws IOException {
        Path host = dir.resolve("host.safetensors");
        Path direct = dir.resolve("direct.safetensors");
        SafeTensors.write(host, large(), Map.of("k", "v"), true);
        Map<String, TensorSource> sources = new LinkedHashMap<>();
        large().forEach((k, t) -> sources.put(k, TensorSource.of(cpu.fromHost(t.data(), t.shape()))));
        SafeTensors.write(direct, sources, Map.of("k", "v"), true);
        assertArrayEquals(Files.readAllBytes(host), Files.readAllBytes(direct));
    }

    void assertBad(String header, int dataBytes, String expected) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, SafeTensorsTest.handWritten(header, new float[dataBytes / 4]));
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString() + ": "), e.getMessage());
        assertTrue(e.getMessage().contains(expected), "want '" + expected + "' in: " + e.getMessage());
    }

    static String t(String name, String dtype, String shape, String offsets) {
        return "\"" + name + "\":{\"dtype\":" + dtype + ",\"shape\":" + shape + ",\"data_offsets\":" + offsets + "}";
    }

    @ParameterizedTest(name = "{2}")
    @CsvSource(delimiter = '|', value = {
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}|12|trailing bytes after the last tensor",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}|8|a hole of 4 bytes before tensor 'a'",
        "{\"a\":{\"dtype\":\"X99\",\"shape\":[2],\"data_offsets\":[0,8]}}|8|unknown dtype X99",
        "{\"a\":{\"dtype\":\"BF16\",\"shape\":[4],\"data_offsets\":[0,8]}}|8|has dtype BF16; vgg4j reads F32 (and I64",
        "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}|8|dtype missing",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":2,\"data_offsets\":[0,8]}}|8|shape missing or not an array",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}|8|bad dimension -2",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8,16]}}|16|data_offsets missing or not an array of 2",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8.5]}}|8|not an integer",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}|8|outside the data section",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,8]}}|8|claims shape [2, 3] (24 bytes of F32)",
        "{\"a\":{\"dtype\":\"F32\",\"shape\":[65536,65536],\"data_offsets\":[0,8]}}|8|more elements than one array holds",
        "{\"__metadata__\":{\"n\":3}}|0|__metadata__ entry 'n' is not a string",
        "{\"__metadata__\":[]}|0|__metadata__ is not a JSON object",
        "{\"a\":[1]}|0|header entry is not a JSON object",
        "[1,2]|0|header is not a JSON object",
        "{} junk|0|not valid JSON",
        "{'a':1}|0|not valid JSON",
    })
    void headersThatLieGiveOneClearError(String header, int dataBytes, String expected) throws IOException {
        assertBad(header, dataBytes, expected);
    }

    @Test
    void emptyAndNegativeHeaderLengthsAreRefused() throws IOException {
        Path f = dir.resolve("short.safetensors");
        Files.write(f, new byte[0]);
        assertTrue(assertThrows(ModelFileException.class, () -> SafeTensors.read(f)).getMessage().contains("truncated"));
        Files.write(f, new byte[] {-1, -1, -1, -1, -1, -1, -1, -1, '{', '}'});
        assertTrue(assertThrows(ModelFileException.class, () -> SafeTensors.read(f)).getMessage()
            .contains("header length -1 is not plausible"));
        assertTrue(assertThrows(ModelFileException.class, () -> SafeTensors.read(dir.resolve("none")))
            .getMessage().contains("no such file"));
    }

    @Test
    void writeInterruptedMidDataLeavesThePreviousFileIntact() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.write(f, Map.of("w", new HostTensor(new int[] {3}, new float[] {1, 2, 3})), Map.of("step", "1"), true);
        byte[] before = Files.readAllBytes(f);
        long[] seen = {0};
        SafeTensors.afterChunk = n -> {
            seen[0] = n;
            throw new UncheckedIOException(new IOException("disk full after " + n + " bytes"));
        };
        try {
            assertThrows(UncheckedIOException.class, () -> SafeTensors.write(f, large(), Map.of("step", "2"), true));
        } finally {
            SafeTensors.afterChunk = n -> { };
        }
        assertEquals(1 << 20, seen[0], "stopped after the first of three chunks");
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals("1", SafeTensors.read(f).metadata().get("step"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "the temporary file is removed");
        }
    }

    @Test
    void aTemporaryFileLeftByAKilledWriterIsIgnored() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.write(f, large(), Map.of(), true);
        Path stale = dir.resolve("ckpt.safetensors.12345.tmp");
        Files.write(stale, java.util.Arrays.copyOf(Files.readAllBytes(f), 5000)); // killed before the rename
        assertEquals(large(), new LinkedHashMap<>(SafeTensors.read(f).tensors()));
        SafeTensors.write(f, large(), Map.of("again", "yes"), true);
        assertEquals("yes", SafeTensors.read(f).metadata().get("again"));
        assertThrows(ModelFileException.class, () -> SafeTensors.read(stale), "the torn file itself is refused");
    }

    @Test
    void corruptCheckpointLoadsNothing() throws IOException {
        Parameter w = new Parameter(cpu, "fc.weight", true, 3, 2);
        Init.normal(w, 1, 1);
        cpu.fill(w.velocity(), 0.5f);
        Path f = dir.resolve("c.safetensors");
        StateDict.saveCheckpoint(f, List.of(w), Map.of());
        byte[] b = Files.readAllBytes(f);
        b[b.length - 1] ^= 0x40; // one bit of the last momentum value
        Files.write(f, b);
        Parameter fresh = new Parameter(cpu, "fc.weight", true, 3, 2);
        ModelFileException e = assertThrows(ModelFileException.class, () -> StateDict.loadCheckpoint(f, List.of(fresh)));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
        assertArrayEquals(new float[6], fresh.value().toHost(), "weights untouched");
        assertTrue(!fresh.hasVelocity() || java.util.Arrays.equals(new float[6], fresh.velocity().toHost()));

        Path plain = dir.resolve("weights.safetensors");
        SafeTensors.write(plain, StateDict.of(List.of(w)), Map.of(), false);
        assertTrue(assertThrows(ModelFileException.class, () -> StateDict.loadCheckpoint(plain, List.of(fresh)))
            .getMessage().contains("not a vgg4j checkpoint"));
    }
}
