package org.vgg4j.nn.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length n, n bytes of
 * JSON mapping each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end)}}
 * (offsets relative to the data section) plus an optional {@code "__metadata__"} map of
 * strings, then the raw little-endian data. We write F32 only, tensors in name order, the header
 * padded with spaces to a multiple of 8; we read F32 and check everything the header claims.
 *
 * <p>Writes are atomic: a temporary file in the same folder is written, forced to disk, then
 * renamed over the target, so an interrupted write leaves the previous file as it was. When
 * {@code checksum} is asked for, the CRC-32 of the data section goes in the metadata under
 * {@link #CHECKSUM_KEY}, and reading verifies it.
 */
public final class SafeTensors {
    private SafeTensors() {}

    public static final String CHECKSUM_KEY = "vgg4j.crc32";
    private static final long MAX_HEADER = 100L << 20;

    /** What a file holds: tensors in file order, and the metadata strings. */
    public record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {}

    /** Test hook: runs after the temporary file is written, before the rename. */
    static volatile Runnable beforeRename = () -> { };

    public static void write(Path file, Map<String, HostTensor> tensors, Map<String, String> metadata,
                             boolean checksum) throws IOException {
        Map<String, HostTensor> sorted = new TreeMap<>(tensors);
        long dataBytes = 0;
        for (HostTensor t : sorted.values()) {
            dataBytes += 4L * t.data().length;
        }
        ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(dataBytes)).order(ByteOrder.LITTLE_ENDIAN);
        JsonObject header = new JsonObject();
        for (Map.Entry<String, HostTensor> e : sorted.entrySet()) {
            HostTensor t = e.getValue();
            JsonObject entry = new JsonObject();
            entry.addProperty("dtype", "F32");
            JsonArray shape = new JsonArray();
            for (int d : t.shape()) {
                shape.add(d);
            }
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(data.position());
            data.asFloatBuffer().put(t.data());
            data.position(data.position() + 4 * t.data().length);
            offsets.add(data.position());
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
        }
        Map<String, String> meta = new TreeMap<>(metadata);
        if (checksum) {
            meta.put(CHECKSUM_KEY, crc(data.array()));
        }
        if (!meta.isEmpty()) {
            JsonObject m = new JsonObject();
            meta.forEach(m::addProperty);
            // __metadata__ first, as the reference writer does
            JsonObject ordered = new JsonObject();
            ordered.add("__metadata__", m);
            header.entrySet().forEach(e -> ordered.add(e.getKey(), e.getValue()));
            header = ordered;
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        head.flip();
        data.flip();
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (head.hasRemaining()) {
                    ch.write(head);
                }
                while (data.hasRemaining()) {
                    ch.write(data);
                }
                ch.force(true);
            }
            beforeRename.run();
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Reads and checks a whole file; nothing is returned unless every check passes. */
    public static Contents read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, "no such file");
        }
        long size = Files.size(file);
        if (size < 8) {
            throw new ModelFileException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, lenBuf, file);
            long n = lenBuf.flip().getLong();
            if (n < 2 || n > MAX_HEADER || 8 + n > size) {
                throw new ModelFileException(file, "header length " + n + " runs past the end of the file ("
                    + size + " bytes)");
            }
            ByteBuffer headBuf = ByteBuffer.allocate((int) n);
            readFully(ch, headBuf, file);
            JsonObject header = parseHeader(file, new String(headBuf.array(), StandardCharsets.UTF_8));
            long dataSize = size - 8 - n;
            Map<String, String> metadata = metadata(file, header);
            List<Entry> entries = entries(file, header, dataSize);
            ByteBuffer data = ByteBuffer.allocate(Math.toIntExact(dataSize)).order(ByteOrder.LITTLE_ENDIAN);
            readFully(ch, data, file);
            String expected = metadata.get(CHECKSUM_KEY);
            if (expected != null && !expected.equals(crc(data.array()))) {
                throw new ModelFileException(file, "checksum mismatch: the data does not match its CRC-32 "
                    + expected + " (the file is corrupt)");
            }
            Map<String, HostTensor> tensors = new LinkedHashMap<>();
            for (Entry e : entries) {
                float[] values = new float[(int) ((e.end - e.begin) / 4)];
                data.position((int) e.begin);
                data.asFloatBuffer().get(values);
                tensors.put(e.name, new HostTensor(e.shape, values));
            }
            return new Contents(tensors, metadata);
        }
    }

    private record Entry(String name, int[] shape, long begin, long end) {}

    private static JsonObject parseHeader(Path file, String json) throws ModelFileException {
        try {
            JsonElement e = JsonParser.parseString(json.strip());
            if (!e.isJsonObject()) {
                throw new ModelFileException(file, "header is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException ex) {
            throw new ModelFileException(file, "header is not valid JSON: " + ex.getMessage());
        }
    }

    private static Map<String, String> metadata(Path file, JsonObject header) throws ModelFileException {
        Map<String, String> out = new LinkedHashMap<>();
        JsonElement m = header.get("__metadata__");
        if (m == null) {
            return out;
        }
        if (!m.isJsonObject()) {
            throw new ModelFileException(file, "__metadata__ is not a JSON object");
        }
        for (Map.Entry<String, JsonElement> e : m.getAsJsonObject().entrySet()) {
            if (!e.getValue().isJsonPrimitive()) {
                throw new ModelFileException(file, "__metadata__ entry '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().getAsString());
        }
        return out;
    }

    private static List<Entry> entries(Path file, JsonObject header, long dataSize) throws ModelFileException {
        List<Entry> out = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            String name = e.getKey();
            if (name.equals("__metadata__")) {
                continue;
            }
            try {
                JsonObject t = e.getValue().getAsJsonObject();
                String dtype = t.get("dtype").getAsString();
                if (!dtype.equals("F32")) {
                    throw new ModelFileException(file, "tensor '" + name + "' has dtype " + dtype
                        + "; only F32 is supported");
                }
                JsonArray shapeJson = t.getAsJsonArray("shape");
                int[] shape = new int[shapeJson.size()];
                long count = 1;
                for (int i = 0; i < shape.length; i++) {
                    long d = shapeJson.get(i).getAsLong();
                    if (d < 0 || d > Integer.MAX_VALUE) {
                        throw new ModelFileException(file, "tensor '" + name + "' has a bad dimension " + d);
                    }
                    shape[i] = (int) d;
                    count = Math.multiplyExact(count, d);
                }
                JsonArray off = t.getAsJsonArray("data_offsets");
                long begin = off.get(0).getAsLong();
                long end = off.get(1).getAsLong();
                if (off.size() != 2 || begin < 0 || end < begin || end > dataSize) {
                    throw new ModelFileException(file, "tensor '" + name + "' has data_offsets [" + begin + ", "
                        + end + ") outside the data section of " + dataSize + " bytes");
                }
                if (end - begin != 4 * count) {
                    throw new ModelFileException(file, "tensor '" + name + "' claims shape "
                        + java.util.Arrays.toString(shape) + " (" + 4 * count + " bytes) but its data_offsets span "
                        + (end - begin) + " bytes");
                }
                out.add(new Entry(name, shape, begin, end));
            } catch (RuntimeException ex) {
                throw new ModelFileException(file, "tensor '" + name + "' has a malformed header entry: " + ex);
            }
        }
        List<Entry> byOffset = new ArrayList<>(out);
        byOffset.sort((a, b) -> Long.compare(a.begin, b.begin));
        for (int i = 1; i < byOffset.size(); i++) {
            if (byOffset.get(i).begin < byOffset.get(i - 1).end) {
                throw new ModelFileException(file, "tensors '" + byOffset.get(i - 1).name + "' and '"
                    + byOffset.get(i).name + "' overlap in the data section");
            }
        }
        return out;
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new ModelFileException(file, "truncated: the file ended while reading");
            }
        }
    }

    static String crc(byte[] data) {
        CRC32 c = new CRC32();
        c.update(data);
        return String.format("%08x", c.getValue());
    }
}
