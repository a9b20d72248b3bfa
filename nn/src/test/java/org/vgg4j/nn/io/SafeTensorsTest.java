package org.vgg4j.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vgg4j.nn.Init;
import org.vgg4j.nn.Parameter;
import org.vgg4j.tensor.cpu.CpuBackend;

class SafeTensorsTest {
    @TempDir
    Path dir;

    static Map<String, HostTensor> sample() {
        Map<String, HostTensor> m = new LinkedHashMap<>();
        m.put("features.0.weight", new HostTensor(new int[] {2, 1, 2, 2}, new float[] {1, -2, 3.5f, 4, 5, 6, 7, Float.MIN_VALUE}));
        m.put("features.0.bias", new HostTensor(new int[] {2}, new float[] {0.25f, -0f}));
        m.put("scalar", new HostTensor(new int[] {}, new float[] {42}));
        return m;
    }

    @Test
    void writeThenReadGivesIdenticalTensorsAndMetadata() throws IOException {
        Path f = dir.resolve("m.safetensors");
        SafeTensors.write(f, sample(), Map.of("vgg4j", "{\"config\":\"A\"}"), false);
        SafeTensors.Contents c = SafeTensors.read(f);
        assertEquals(sample(), new LinkedHashMap<>(c.tensors()));
        assertEquals("{\"config\":\"A\"}", c.metadata().get("vgg4j"));
        ByteBuffer head = ByteBuffer.wrap(Files.readAllBytes(f)).order(ByteOrder.LITTLE_ENDIAN);
        long n = head.getLong();
        assertEquals(0, n % 8, "header padded to 8 bytes");
        assertEquals(Files.size(f), 8 + n + 4 * 11, "data follows the header directly");
    }

    /** A saved model is readable by others as any new file is (rw-r--r-- under a 022 umask), not owner-only. */
    @Test
    void writtenFilesHaveTheUsualPermissions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(java.nio.file.FileSystems.getDefault().supportedFileAttributeViews()
            .contains("posix"));
        Path f = dir.resolve("p.safetensors");
        SafeTensors.write(f, sample(), Map.of(), false);
        var perms = Files.getPosixFilePermissions(f);
        assertTrue(perms.contains(java.nio.file.attribute.PosixFilePermission.OWNER_READ)
            && perms.contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE), perms.toString());
        // group and others get what the umask leaves of r--; never write
        assertTrue(!perms.contains(java.nio.file.attribute.PosixFilePermission.GROUP_WRITE)
            && !perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE), perms.toString());
        Path probe = Files.createFile(dir.resolve("probe"));
        assertEquals(Files.getPosixFilePermissions(probe).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ),
            perms.contains(java.nio.file.attribute.PosixFilePermission.OTHERS_READ), "as an ordinary new file: " + perms);
    }

    /** A file built by hand from the format's spec, as any other writer would produce it. */
    static byte[] handWritten(String header, float... data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + 4 * data.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(h.length).put(h);
        for (float v : data) {
            b.putFloat(v);
        }
        return b.array();
    }

    @Test
    void readsAHandWrittenFileOfTheSpec() throws IOException {
        Path f = dir.resolve("hand.safetensors");
        Files.write(f, handWritten("{\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,16]},"
            + "\"a\":{\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[0,8]},\"__metadata__\":{\"format\":\"pt\"}}",
            1f, 2f, 3f, 4f));
        SafeTensors.Contents c = SafeTensors.read(f);
        assertArrayEquals(new float[] {1, 2}, c.tensors().get("a").data());
        assertArrayEquals(new int[] {1, 2}, c.tensors().get("a").shape());
        assertArrayEquals(new float[] {3, 4}, c.tensors().get("b").data());
        assertEquals("pt", c.metadata().get("format"));
    }

    @Test
    void ourBytesFollowTheSpecExactly() throws IOException {
        Path f = dir.resolve("ours.safetensors");
        Map<String, HostTensor> one = Map.of("w", new HostTensor(new int[] {2}, new float[] {1.5f, -1f}));
        SafeTensors.write(f, one, Map.of(), false);
        byte[] b = Files.readAllBytes(f);
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong();
        String json = new String(b, 8, (int) n, StandardCharsets.UTF_8).strip();
        assertEquals("{\"w\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", json);
        bb.position((int) (8 + n));
        assertEquals(1.5f, bb.getFloat());
        assertEquals(-1f, bb.getFloat());
        assertEquals(b.length, 8 + n + 8);
    }

    void assertBad(byte[] bytes, String expected) throws IOException {
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, bytes);
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    @Test
    void badFilesGiveOneClearError() throws IOException {
        String ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        byte[] good = handWritten(ok, 1, 2);
        assertBad(java.util.Arrays.copyOf(good, 5), "truncated");
        assertBad(java.util.Arrays.copyOf(good, good.length - 3), "outside the data section");
        byte[] longHeader = good.clone();
        longHeader[0] = (byte) 0xff;
        longHeader[1] = (byte) 0xff;
        assertBad(longHeader, "past the end of the file");
        assertBad(handWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 1, 2), "claims shape [3]");
        assertBad(handWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", 1, 2), "outside the data section");
        assertBad(handWritten("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
            + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 1, 2), "overlap");
        assertBad(handWritten("{\"a\":{\"dtype\":\"F16\",\"shape\":[4],\"data_offsets\":[0,8]}}", 1, 2), "dtype F16");
        assertBad(handWritten("{\"a\":{\"dtype\":", 1, 2), "not valid JSON");
    }

    @Test
    void checksumMismatchIsDetected() throws IOException {
        Path f = dir.resolve("ck.safetensors");
        SafeTensors.write(f, sample(), Map.of(), true);
        SafeTensors.read(f);
        byte[] b = Files.readAllBytes(f);
        b[b.length - 2] ^= 1;
        Files.write(f, b);
        ModelFileException e = assertThrows(ModelFileException.class, () -> SafeTensors.read(f));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void interruptedWriteLeavesThePreviousFileIntact() throws IOException {
        Path f = dir.resolve("ckpt.safetensors");
        SafeTensors.write(f, sample(), Map.of("step", "1"), true);
        byte[] before = Files.readAllBytes(f);
        SafeTensors.beforeRename = () -> {
            throw new IllegalStateException("power cut");
        };
        try {
            Map<String, HostTensor> other = Map.of("x", new HostTensor(new int[] {1}, new float[] {9}));
            assertThrows(IllegalStateException.class, () -> SafeTensors.write(f, other, Map.of("step", "2"), true));
        } finally {
            SafeTensors.beforeRename = () -> { };
        }
        assertArrayEquals(before, Files.readAllBytes(f));
        assertEquals("1", SafeTensors.read(f).metadata().get("step"));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(f), files.toList(), "no temporary file left behind");
        }
    }

    @Test
    void checkpointRestoresWeightsAndMomentumAndRefusesAnotherModel() throws IOException {
        CpuBackend cpu = new CpuBackend();
        Parameter w = new Parameter(cpu, "fc.weight", true, 3, 2);
        Parameter b = new Parameter(cpu, "fc.bias", false, 3);
        Init.normal(w, 1, 1);
        cpu.fill(w.velocity(), 0.5f);
        Path f = dir.resolve("c.safetensors");
        StateDict.saveCheckpoint(f, List.of(w, b), Map.of("trainer", "{\"epoch\":3}"));
        float[] wantW = w.value().toHost();
        Parameter w2 = new Parameter(cpu, "fc.weight", true, 3, 2);
        Parameter b2 = new Parameter(cpu, "fc.bias", false, 3);
        Map<String, String> meta = StateDict.loadCheckpoint(f, List.of(w2, b2));
        assertEquals("{\"epoch\":3}", meta.get("trainer"));
        assertArrayEquals(wantW, w2.value().toHost());
        assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, w2.velocity().toHost());
        Parameter wrong = new Parameter(cpu, "fc.weight", true, 2, 3);
        float[] untouched = wrong.value().toHost();
        ModelFileException e = assertThrows(ModelFileException.class,
            () -> StateDict.loadCheckpoint(f, List.of(wrong, new Parameter(cpu, "fc.bias", false, 3))));
        assertTrue(e.getMessage().contains("has shape [3, 2], the model expects [2, 3]"), e.getMessage());
        assertArrayEquals(untouched, wrong.value().toHost(), "no partial load");
        // issue 13, item 11: the trainer state is covered by the checksum too (it was outside it:
        // an edited epoch or step loaded without complaint)
        byte[] bytes = Files.readAllBytes(f);
        String text = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
        int at = text.indexOf("epoch\\\":3");
        assertTrue(at > 0, "the state is in the header");
        bytes[at + "epoch\\\":".length()] = '7';
        Path edited = Files.write(dir.resolve("edited.safetensors"), bytes);
        ModelFileException m = assertThrows(ModelFileException.class,
            () -> StateDict.loadCheckpoint(edited, List.of(w2, b2)));
        assertTrue(m.getMessage().contains("checksum mismatch"), m.getMessage());
    }
}
