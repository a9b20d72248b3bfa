package org.vgg4j.nn.io;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON header of a safetensors file: encoding ours, and parsing and checking anyone's.
 * A header maps each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end)}},
 * offsets in bytes relative to the start of the data section, plus an optional
 * {@code "__metadata__"} object of strings. As the reference implementation does, we require
 * the tensors to tile the data section exactly: no overlap, no hole, nothing after the last.
 */
final class SafeTensorsHeader {
    private SafeTensorsHeader() {}

    static final String METADATA = "__metadata__";

    /** Every dtype the format defines; we read F32 and I64. */
    private static final Set<String> KNOWN_DTYPES = Set.of("BOOL", "U8", "I8", "F8_E5M2", "F8_E4M3", "I16", "U16",
        "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64");

    /** One tensor's header entry: its bytes are {@code [begin, end)} of the data section. */
    record Entry(String name, String dtype, int[] shape, long begin, long end) {
        int bytesPerValue() { return dtype.equals("I64") ? 8 : 4; }

        int count() { return (int) ((end - begin) / bytesPerValue()); }
    }

    /** A parsed header: entries in header order, and the metadata strings. */
    record Parsed(List<Entry> entries, Map<String, String> metadata) {}

    /**
     * The 8-byte little-endian length followed by the JSON, padded with spaces to a multiple of 8
     * so the data section starts aligned. F32 tensors are laid out back to back in the given order;
     * {@code __metadata__} comes first, as the reference writer puts it.
     */
    static ByteBuffer encode(Map<String, ? extends TensorSource> tensors, Map<String, String> metadata) {
        JsonObject header = new JsonObject();
        if (!metadata.isEmpty()) {
            JsonObject m = new JsonObject();
            metadata.forEach(m::addProperty);
            header.add(METADATA, m);
        }
        long offset = 0;
        for (Map.Entry<String, ? extends TensorSource> e : tensors.entrySet()) {
            if (e.getKey().equals(METADATA)) {
                throw new IllegalArgumentException("safetensors: a tensor cannot be called " + METADATA);
            }
            TensorSource t = e.getValue();
            JsonObject entry = new JsonObject();
            boolean i64 = t.longs() != null;
            entry.addProperty("dtype", i64 ? "I64" : "F32");
            JsonArray shape = new JsonArray();
            Arrays.stream(t.shape()).forEach(shape::add);
            entry.add("shape", shape);
            JsonArray offsets = new JsonArray();
            offsets.add(offset);
            offset += (i64 ? 8L : 4L) * t.size();
            offsets.add(offset);
            entry.add("data_offsets", offsets);
            header.add(e.getKey(), entry);
        }
        byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
        int padded = (json.length + 7) / 8 * 8;
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) {
            head.put((byte) ' ');
        }
        return head.flip();
    }

    /** Parses and checks a header against a data section of {@code dataSize} bytes. */
    static Parsed parse(Path file, String json, long dataSize) throws ModelFileException {
        JsonObject header = parseJson(file, json);
        Map<String, String> metadata = metadata(file, header);
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonElement> e : header.entrySet()) {
            if (!e.getKey().equals(METADATA)) {
                entries.add(entry(file, e.getKey(), e.getValue(), dataSize));
            }
        }
        checkTiling(file, entries, dataSize);
        return new Parsed(entries, metadata);
    }

    private static JsonObject parseJson(Path file, String json) throws ModelFileException {
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.STRICT);
            JsonElement e = JsonParser.parseReader(reader);
            if (reader.peek() != JsonToken.END_DOCUMENT) {
                throw new ModelFileException(file, "header has data after its JSON object");
            }
            if (!e.isJsonObject()) {
                throw new ModelFileException(file, "header is not a JSON object");
            }
            return e.getAsJsonObject();
        } catch (JsonParseException | IllegalStateException | IOException ex) {
            if (ex instanceof ModelFileException m) {
                throw m;
            }
            throw new ModelFileException(file, "header is not valid JSON: " + Messages.reason(ex));
        }
    }

    private static Map<String, String> metadata(Path file, JsonObject header) throws ModelFileException {
        Map<String, String> out = new LinkedHashMap<>();
        JsonElement m = header.get(METADATA);
        if (m == null) {
            return out;
        }
        if (!m.isJsonObject()) {
            throw new ModelFileException(file, METADATA + " is not a JSON object");
        }
        for (Map.Entry<String, JsonElement> e : m.getAsJsonObject().entrySet()) {
            if (!e.getValue().isJsonPrimitive() || !e.getValue().getAsJsonPrimitive().isString()) {
                throw new ModelFileException(file, METADATA + " entry '" + e.getKey() + "' is not a string");
            }
            out.put(e.getKey(), e.getValue().getAsString());
        }
        return out;
    }

    private static Entry entry(Path file, String name, JsonElement json, long dataSize) throws ModelFileException {
        String where = "tensor '" + name + "'";
        if (!json.isJsonObject()) {
            throw new ModelFileException(file, where + ": header entry is not a JSON object");
        }
        JsonObject t = json.getAsJsonObject();
        String dtype = string(file, where, t.get("dtype"));
        if (!dtype.equals("F32") && !dtype.equals("I64")) {
            throw new ModelFileException(file, where + " has " + (KNOWN_DTYPES.contains(dtype) ? "dtype " : "unknown dtype ")
                + dtype + "; vgg4j reads F32 (and I64 for counters such as num_batches_tracked)");
        }
        int width = dtype.equals("I64") ? 8 : 4;
        long[] dims = longs(file, where, "shape", t.get("shape"), -1);
        int[] shape = new int[dims.length];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw new ModelFileException(file, where + " has a bad dimension " + dims[i]);
            }
            shape[i] = (int) dims[i];
            count = Math.min(count * dims[i], 1L << 31); // saturates; a zero dimension still gives 0
        }
        if (count > Integer.MAX_VALUE - 8) {
            throw new ModelFileException(file, where + " has shape " + Arrays.toString(shape)
                + ", more elements than one array holds");
        }
        long[] off = longs(file, where, "data_offsets", t.get("data_offsets"), 2);
        if (off[0] < 0 || off[1] < off[0] || off[1] > dataSize) {
            throw new ModelFileException(file, where + " has data_offsets [" + off[0] + ", " + off[1]
                + ") outside the data section of " + dataSize + " bytes");
        }
        if (off[1] - off[0] != width * count) {
            throw new ModelFileException(file, where + " claims shape " + Arrays.toString(shape) + " (" + width * count
                + " bytes of " + dtype + ") but its data_offsets span " + (off[1] - off[0]) + " bytes");
        }
        return new Entry(name, dtype, shape, off[0], off[1]);
    }

    /** The tensors cover {@code [0, dataSize)} exactly, as the reference reader requires. */
    private static void checkTiling(Path file, List<Entry> entries, long dataSize) throws ModelFileException {
        List<Entry> byOffset = new ArrayList<>(entries);
        byOffset.sort((a, b) -> a.begin != b.begin ? Long.compare(a.begin, b.begin) : Long.compare(a.end, b.end));
        long covered = 0;
        String previous = null;
        for (Entry e : byOffset) {
            if (e.begin < covered) {
                throw new ModelFileException(file, "tensors '" + previous + "' and '" + e.name
                    + "' overlap in the data section");
            }
            if (e.begin > covered) {
                throw new ModelFileException(file, "a hole of " + (e.begin - covered) + " bytes before tensor '" + e.name
                    + "' at byte " + e.begin + " of the data section (tensors must cover it without gaps)");
            }
            covered = e.end;
            previous = e.name;
        }
        if (covered != dataSize) {
            throw new ModelFileException(file, "the data section has " + dataSize + " bytes but the tensors cover "
                + covered + " (trailing bytes after the last tensor)");
        }
    }

    private static String string(Path file, String where, JsonElement e) throws ModelFileException {
        if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw new ModelFileException(file, where + ": dtype missing or not a string");
        }
        return e.getAsString();
    }

    private static long[] longs(Path file, String where, String key, JsonElement e, int length)
        throws ModelFileException {
        if (e == null || !e.isJsonArray() || (length >= 0 && e.getAsJsonArray().size() != length)) {
            throw new ModelFileException(file, where + ": " + key + " missing or not an array"
                + (length >= 0 ? " of " + length + " integers" : " of integers"));
        }
        JsonArray a = e.getAsJsonArray();
        long[] out = new long[a.size()];
        for (int i = 0; i < out.length; i++) {
            JsonElement v = a.get(i);
            if (!v.isJsonPrimitive() || !v.getAsJsonPrimitive().isNumber()) {
                throw new ModelFileException(file, where + ": " + key + " holds a non-number " + v);
            }
            try {
                out[i] = new java.math.BigDecimal(v.getAsString()).longValueExact();
            } catch (ArithmeticException | NumberFormatException ex) {
                throw new ModelFileException(file, where + ": " + key + " holds " + v + ", not an integer");
            }
        }
        return out;
    }
}
