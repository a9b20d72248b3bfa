package org.vgg4j.vgg;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Pickle protocol 2, written opcode by opcode, and stored zip entries: the hand-built PyTorch files of the tests and fuzz seeds. */
public final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleWriter() {
        out.write(0x80);
        out.write(2);
    }

    public PickleWriter op(int... ops) {
        for (int o : ops) {
            out.write(o);
        }
        return this;
    }

    public PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        for (int i = 0; i < 4; i++) {
            out.write((b.length >> (8 * i)) & 0xff);
        }
        out.writeBytes(b);
        return this;
    }

    public PickleWriter global(String module, String name) {
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    public PickleWriter int1(int v) {
        out.write('K');
        out.write(v);
        return this;
    }

    /** {@code _rebuild_tensor_v2(('storage', FloatStorage, key, 'cpu', numel), 0, size, stride, False, OrderedDict())}. */
    public PickleWriter tensor(String key, int numel, int[] size, int[] stride) {
        global("torch._utils", "_rebuild_tensor_v2").op('(').op('(').str("storage")
            .global("torch", "FloatStorage").str(key).str("cpu").int1(numel).op('t', 'Q').int1(0).op('(');
        for (int s : size) {
            int1(s);
        }
        op('t', '(');
        for (int s : stride) {
            int1(s);
        }
        return op('t', 0x89).global("collections", "OrderedDict").op(')', 'R', 't', 'R');
    }

    /** Adds {@code data} to a zip as a STORED entry, as torch.save writes every entry. */
    public static void stored(java.util.zip.ZipOutputStream z, String name, byte[] data) throws java.io.IOException {
        java.util.zip.ZipEntry e = new java.util.zip.ZipEntry(name);
        e.setMethod(java.util.zip.ZipEntry.STORED);
        e.setSize(data.length);
        java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(data);
        e.setCrc(crc.getValue());
        z.putNextEntry(e);
        z.write(data);
        z.closeEntry();
    }

    public byte[] bytes() {
        return op('.').out.toByteArray();
    }
}

