package org.vgg4j.nn.io;

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
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.zip.CRC32;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length n, n bytes of
 * JSON (see {@link SafeTensorsHeader}), then the raw little-endian data. We write F32 (and I64
 * for sources that are 64-bit integers, such as BatchNorm's {@code num_batches_tracked}),
 * tensors in name order, the header padded with spaces to a multiple of 8; we read F32 and I64
 * and check everything the header claims before returning anything.
 *
 * <p>Data streams through a 1 MiB buffer in both directions, so saving or loading a VGG-16
 * checkpoint (1.1 GB of weights and momentum) needs no second copy of it in memory and no
 * single array over 2 GB.
 *
 * <p>Writes are atomic: a temporary file in the same folder is written, forced to disk, then
 * renamed over the target (and the folder forced), so an interrupted write leaves the previous
 * file as it was. When {@code checksum} is asked for, the CRC-32 of the data section goes in the
 * metadata under {@link #CHECKSUM_KEY}, and reading verifies it. Files written since
 * {@link #COVERS_KEY} exists also feed every other metadata entry into that CRC (key and value,
 * in key order), so a checkpoint's trainer state cannot change unnoticed either; older files are
 * verified over their data alone.
 */
public final class SafeTensors {
    private SafeTensors() {}

    public static final String CHECKSUM_KEY = "vgg4j.crc32";
    /** Present (value {@code data+metadata}) when the checksum also covers the other metadata. */
    public static final String COVERS_KEY = "vgg4j.crc32.covers";
    private static final String COVERS_ALL = "data+metadata";
    /** The reference implementation's limit on the header (100 MB). */
    private static final long MAX_HEADER = 100_000_000L;
    private static final int CHUNK = 1 << 20;

    /** A tensor as the header describes it. */
    public record TensorInfo(String dtype, int[] shape) implements TensorMeta {}

    /** What a file's header says: tensors in header order, metadata, and the size of the data section. */
    public record Header(Map<String, TensorInfo> tensors, Map<String, String> metadata, long dataBytes) {}

    /** What a file holds: tensors in header order, and the metadata strings. */
    public record Contents(Map<String, HostTensor> tensors, Map<String, String> metadata) {}

    /** Test hook: runs after the temporary file is written, before the rename. */
    static volatile Runnable beforeRename = () -> { };

    /** Test hook: runs after each chunk of data written, with the data bytes written so far. */
    static volatile LongConsumer afterChunk = n -> { };

    public static void write(Path file, Map<String, ? extends TensorSource> tensors, Map<String, String> metadata,
                             boolean checksum) throws IOException {
        Map<String, TensorSource> sorted = new TreeMap<>(tensors);
        Map<String, String> meta = new TreeMap<>(metadata);
        if (checksum) {
            CRC32 crc = new CRC32();
            streamData(sorted.values(), crc::update);
            meta.put(COVERS_KEY, COVERS_ALL);
            updateWithMetadata(crc, meta);
            meta.put(CHECKSUM_KEY, hex(crc));
        }
        ByteBuffer head = SafeTensorsHeader.encode(sorted, meta);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = AtomicFiles.temporary(dir, file.getFileName() + ".");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                writeFully(ch, head);
                long[] written = {0};
                streamData(sorted.values(), chunk -> {
                    written[0] += chunk.remaining();
                    writeFully(ch, chunk);
                    afterChunk.accept(written[0]);
                });
                ch.force(true);
            }
            beforeRename.run();
            try {
                Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
            }
            forceDirectory(dir);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /**
     * Reads and checks only the header: what the file claims, before any of its data is read (so a
     * caller can refuse a file whose tensors are not the ones it wants without reading them).
     */
    public static Header header(Path file) throws IOException {
        try (FileChannel ch = FileChannel.open(checkedFile(file), StandardOpenOption.READ)) {
            SafeTensorsHeader.Parsed h = parseHeader(ch, file);
            Map<String, TensorInfo> t = new LinkedHashMap<>();
            long bytes = 0;
            for (SafeTensorsHeader.Entry e : h.entries()) {
                t.put(e.name(), new TensorInfo(e.dtype(), e.shape()));
                bytes += e.end() - e.begin();
            }
            return new Header(t, h.metadata(), bytes);
        }
    }

    private static Path checkedFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, notAFile(file));
        }
        return file;
    }

    /** Why a path that is not a regular file cannot be read as one. */
    static String notAFile(Path file) {
        return Files.isDirectory(file) ? "a folder, not a model file"
            : Files.exists(file) ? "not a regular file" : "no such file";
    }

    private static SafeTensorsHeader.Parsed parseHeader(FileChannel ch, Path file) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new ModelFileException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(ch, lenBuf, file);
        long n = lenBuf.flip().getLong();
        if (n < 2 || n > MAX_HEADER || n > size - 8) {
            throw new ModelFileException(file, "header length " + n + (n > size - 8
                ? " runs past the end of the file (" + size + " bytes)" : " is not plausible (2 to 100 MB)"));
        }
        ByteBuffer headBuf = ByteBuffer.allocate((int) n);
        readFully(ch, headBuf, file);
        SafeTensorsHeader.Parsed parsed = SafeTensorsHeader.parse(file, new String(headBuf.array(), StandardCharsets.UTF_8),
            size - 8 - n);
        long data = size - 8 - n;
        if (data > Limits.modelBytes()) {
            throw new ModelFileException(file, "holds " + data + " bytes of tensors, more than the limit of "
                + Limits.modelBytes() + " (" + Limits.MODEL_BYTES + ")");
        }
        return parsed;
    }

    /** Reads and checks a whole file; nothing is returned unless every check passes. */
    public static Contents read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, notAFile(file));
        }
        long size = Files.size(file);
        if (size < 8) {
            throw new ModelFileException(file, "truncated: " + size + " bytes, shorter than the 8-byte header length");
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            SafeTensorsHeader.Parsed header = parseHeader(ch, file);
            Map<String, HostTensor> tensors = readData(ch, file, header);
            return new Contents(tensors, header.metadata());
        }
    }

    /** The data section, in offset order (the header has checked that the tensors tile it). */
    private static Map<String, HostTensor> readData(FileChannel ch, Path file, SafeTensorsHeader.Parsed header)
        throws IOException {
        List<SafeTensorsHeader.Entry> byOffset = new ArrayList<>(header.entries());
        byOffset.sort((a, b) -> Long.compare(a.begin(), b.begin()));
        Map<SafeTensorsHeader.Entry, float[]> values = new LinkedHashMap<>();
        Map<SafeTensorsHeader.Entry, long[]> longValues = new LinkedHashMap<>();
        CRC32 crc = new CRC32();
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        for (SafeTensorsHeader.Entry e : byOffset) {
            if (e.bytesPerValue() == 8) {
                long[] v = new long[e.count()];
                for (int done = 0; done < v.length; ) {
                    int n = Math.min(v.length - done, CHUNK / 8);
                    buf.clear().limit(8 * n);
                    readFully(ch, buf, file);
                    buf.flip();
                    buf.asLongBuffer().get(v, done, n);
                    crc.update(buf);
                    done += n;
                }
                longValues.put(e, v);
                continue;
            }
            float[] v = new float[e.count()];
            for (int done = 0; done < v.length; ) {
                int n = Math.min(v.length - done, CHUNK / 4);
                buf.clear().limit(4 * n);
                readFully(ch, buf, file);
                buf.flip();
                buf.asFloatBuffer().get(v, done, n);
                crc.update(buf);
                done += n;
            }
            values.put(e, v);
        }
        String expected = header.metadata().get(CHECKSUM_KEY);
        if (expected != null && COVERS_ALL.equals(header.metadata().get(COVERS_KEY))) {
            updateWithMetadata(crc, header.metadata());
        }
        if (expected != null && !expected.equals(hex(crc))) {
            throw new ModelFileException(file, "checksum mismatch: the contents have CRC-32 " + hex(crc) + ", the header says "
                + expected + " (the file is corrupt or was torn)");
        }
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (SafeTensorsHeader.Entry e : header.entries()) {
            out.put(e.name(), longValues.containsKey(e) ? HostTensor.ofLongs(e.shape(), longValues.get(e))
                : new HostTensor(e.shape(), values.get(e)));
        }
        return out;
    }

    private interface ChunkSink {
        void accept(ByteBuffer chunk) throws IOException;
    }

    /** The tensors' floats as little-endian bytes, back to back, in chunks of at most {@link #CHUNK}. */
    private static void streamData(Collection<? extends TensorSource> tensors, ChunkSink sink) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate(CHUNK).order(ByteOrder.LITTLE_ENDIAN);
        float[] values = new float[CHUNK / 4];
        for (TensorSource t : tensors) {
            long[] longs = t.longs();
            if (longs != null) {
                for (long v : longs) {
                    if (buf.remaining() < 8) {
                        sink.accept(buf.flip());
                        buf.clear();
                    }
                    buf.putLong(v);
                }
                continue;
            }
            long size = t.size();
            for (long i = 0; i < size; ) {
                int n = (int) Math.min(size - i, buf.remaining() / 4);
                t.copyTo(i, values, n);
                buf.asFloatBuffer().put(values, 0, n);
                buf.position(buf.position() + 4 * n);
                i += n;
                if (buf.remaining() < 4) {
                    sink.accept(buf.flip());
                    buf.clear();
                }
            }
        }
        if (buf.position() > 0) {
            sink.accept(buf.flip());
        }
    }

    private static void writeFully(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    private static void readFully(FileChannel ch, ByteBuffer buf, Path file) throws IOException {
        while (buf.hasRemaining()) {
            if (ch.read(buf) < 0) {
                throw new ModelFileException(file, "truncated: the file ended while reading");
            }
        }
    }

    /** Makes the rename durable; not every platform can open a folder (Windows), and then the rename stands alone. */
    private static void forceDirectory(Path dir) {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            // best effort: the file itself was forced before the atomic rename
        }
    }

    /** Every metadata entry but the checksum itself, key and value, in key order, after the data. */
    private static void updateWithMetadata(CRC32 crc, Map<String, String> metadata) {
        for (Map.Entry<String, String> e : new TreeMap<>(metadata).entrySet()) {
            if (!e.getKey().equals(CHECKSUM_KEY)) {
                crc.update((e.getKey() + "\u0000" + e.getValue() + "\u0000").getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    private static String hex(CRC32 c) {
        return String.format("%08x", c.getValue());
    }
}
