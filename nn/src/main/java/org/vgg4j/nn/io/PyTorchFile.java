package org.vgg4j.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * PyTorch's file format since 1.6 ({@code torch.save} of a {@code state_dict}, {@code .pth} or
 * {@code .pt}): a zip archive holding {@code <name>/data.pkl}, the pickled dict, and one entry
 * {@code <name>/data/<key>} of raw little-endian values per storage. The pickle is read by
 * {@link Pickle}, which builds data and refuses every global beyond the tensor rebuild functions,
 * so nothing in the file is ever run.
 *
 * <p>The state dict is the file's top-level dict, or the dict under {@code state_dict},
 * {@code model_state_dict}, {@code model} or {@code net} of a training checkpoint; a
 * {@code module.} prefix on every name ({@code DataParallel}) is removed. Tensors of float32,
 * float16, bfloat16 and float64 come back as float32 ({@code F32}), int64 and int32 as
 * {@code I64}; strides and storage offsets are honoured, and every view is checked to lie inside
 * its storage's entry before a value is read.
 */
public final class PyTorchFile {
    private PyTorchFile() {}

    /** The largest {@code data.pkl} read (a VGG-19 state dict's is under 4 KB, a 7B-parameter LLM's about 100 KB). */
    private static final long MAX_PICKLE = 16L << 20;
    private static final String[] NESTED = {"state_dict", "model_state_dict", "model", "net"};

    /** The start of a pickle written by {@code torch.save} before 1.6: protocol 2, then the 10-byte magic number. */
    static boolean isLegacy(byte[] head) {
        return head.length >= 4 && (head[0] & 0xff) == 0x80 && head[1] == 2 && (head[2] & 0xff) == 0x8a
            && head[3] == 10;
    }

    static String legacyMessage() {
        return "a PyTorch file in the format before 1.6 (a bare pickle, not a zip archive), which vgg4j does not read: "
            + "load it in PyTorch and save it again with torch.save(state_dict, path), whose default since 1.6 is "
            + "the zip format";
    }

    private record Entry(String name, Pickle.TensorRef ref, String dtype, int[] shape) {}

    private record Parsed(String prefix, List<Entry> entries, boolean bigEndian) {}

    /** The tensors the file holds, with shapes and dtypes, read from its pickle alone. */
    public static SafeTensors.Header header(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            Parsed p = parse(file, zip);
            Map<String, SafeTensors.TensorInfo> t = new LinkedHashMap<>();
            long bytes = 0;
            for (Entry e : p.entries()) {
                t.put(e.name(), new SafeTensors.TensorInfo(e.dtype(), e.shape()));
                bytes += 4L * Tensors.count(e.shape());
            }
            return new SafeTensors.Header(t, Map.of(), bytes);
        }
    }

    /** The tensors, converted to float32 (or int64), after every check has passed. */
    public static SafeTensors.Contents read(Path file) throws IOException {
        try (ZipFile zip = open(file)) {
            Parsed p = parse(file, zip);
            Map<String, HostTensor> out = new LinkedHashMap<>();
            for (Entry e : p.entries()) {
                out.put(e.name(), values(file, zip, p, e));
            }
            return new SafeTensors.Contents(out, Map.of());
        }
    }

    private static ZipFile open(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            throw new ModelFileException(file, SafeTensors.notAFile(file));
        }
        try {
            return new ZipFile(file.toFile());
        } catch (ZipException e) {
            throw new ModelFileException(file, "not a readable zip archive (truncated or corrupt?): "
                + Messages.reason(e));
        }
    }

    private static Parsed parse(Path file, ZipFile zip) throws IOException {
        String pkl = null;
        Enumeration<? extends ZipEntry> all = zip.entries();
        try {
            while (all.hasMoreElements()) {
                String n = all.nextElement().getName();
                if (n.endsWith("data.pkl") && (n.equals("data.pkl") || n.endsWith("/data.pkl"))
                    && n.indexOf('/') == n.lastIndexOf('/')) {
                    if (pkl != null) {
                        throw new ModelFileException(file, "a zip archive with two data.pkl entries");
                    }
                    pkl = n;
                }
            }
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new ModelFileException(file, "a zip archive whose entry names cannot be read");
        }
        if (pkl == null) {
            throw new ModelFileException(file, "a zip archive without data.pkl: not a file written by torch.save");
        }
        String prefix = pkl.substring(0, pkl.length() - "data.pkl".length());
        byte[] pickle = readEntry(file, zip, pkl, MAX_PICKLE, -1);
        Object root;
        try {
            root = Pickle.load(pickle);
        } catch (Pickle.PickleException e) {
            throw new ModelFileException(file, "data.pkl: " + e.getMessage());
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        ZipEntry bo = zip.getEntry(prefix + "byteorder");
        if (bo != null) {
            String s = new String(readEntry(file, zip, prefix + "byteorder", 16, -1), java.nio.charset.StandardCharsets.US_ASCII)
                .strip();
            if (s.equals("big")) {
                order = ByteOrder.BIG_ENDIAN;
            } else if (!s.equals("little")) {
                throw new ModelFileException(file, "byteorder entry says '" + Messages.oneLine(s) + "'");
            }
        }
        Map<String, Pickle.TensorRef> dict = stateDict(file, root, 0);
        boolean strip = !dict.isEmpty() && dict.keySet().stream().allMatch(k -> k.startsWith("module."));
        List<Entry> entries = new ArrayList<>();
        long total = 0;
        for (Map.Entry<String, Pickle.TensorRef> e : dict.entrySet()) {
            String name = strip ? e.getKey().substring("module.".length()) : e.getKey();
            Pickle.TensorRef r = e.getValue();
            int[] shape = shape(file, name, r);
            String dtype = dtype(r.storage().type());
            total += Tensors.count(shape) * (dtype.equals("I64") ? 8L : 4L);
            if (total > Limits.modelBytes()) {
                throw new ModelFileException(file, "holds more than " + Limits.modelBytes() + " bytes of tensors, the "
                    + "limit (" + Limits.MODEL_BYTES + ")");
            }
            entries.add(new Entry(name, r, dtype, shape));
        }
        return new Parsed(prefix, entries, order == ByteOrder.BIG_ENDIAN);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Pickle.TensorRef> stateDict(Path file, Object o, int depth) throws ModelFileException {
        if (!(o instanceof Map<?, ?> m)) {
            throw new ModelFileException(file, "holds " + kind(o) + ", not a dict of tensors (a state_dict)");
        }
        Map<String, Pickle.TensorRef> tensors = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (e.getKey() instanceof String k && e.getValue() instanceof Pickle.TensorRef t) {
                tensors.put(k, t);
            }
        }
        if (!tensors.isEmpty()) {
            return tensors;
        }
        if (depth < 3) {
            for (String k : NESTED) {
                if (m.get(k) instanceof Map<?, ?> inner) {
                    return stateDict(file, inner, depth + 1);
                }
            }
        }
        throw new ModelFileException(file, "holds a dict without tensors, and none under 'state_dict', "
            + "'model_state_dict', 'model' or 'net'");
    }

    private static String kind(Object o) {
        if (o instanceof List<?>) {
            return "a list";
        }
        if (o instanceof Pickle.Tuple) {
            return "a tuple";
        }
        if (o instanceof Pickle.TensorRef) {
            return "a single tensor";
        }
        return "a " + (o == Pickle.NONE ? "None" : o.getClass().getSimpleName().toLowerCase());
    }

    private static String dtype(String storage) {
        return switch (storage) {
            case "FloatStorage", "HalfStorage", "BFloat16Storage", "DoubleStorage" -> "F32";
            case "LongStorage", "IntStorage" -> "I64";
            case "ShortStorage" -> "I16";
            case "ByteStorage" -> "U8";
            case "CharStorage" -> "I8";
            default -> "BOOL";
        };
    }

    private static int bytesPer(String storage) {
        return switch (storage) {
            case "DoubleStorage", "LongStorage" -> 8;
            case "FloatStorage", "IntStorage" -> 4;
            case "HalfStorage", "BFloat16Storage", "ShortStorage" -> 2;
            default -> 1;
        };
    }

    private static int[] shape(Path file, String name, Pickle.TensorRef r) throws ModelFileException {
        int[] shape = new int[r.size().length];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            long d = r.size()[i];
            if (d < 0 || d > Integer.MAX_VALUE) {
                throw new ModelFileException(file, "tensor '" + Messages.oneLine(name) + "' has a dimension of " + d);
            }
            shape[i] = (int) d;
            count = Math.multiplyHigh(count, d) != 0 ? Long.MAX_VALUE : count * d;
            if (count > Integer.MAX_VALUE - 8) {
                throw new ModelFileException(file, "tensor '" + Messages.oneLine(name) + "' has more values than one "
                    + "array can hold");
            }
            if (r.stride()[i] < 0) {
                throw new ModelFileException(file, "tensor '" + Messages.oneLine(name) + "' has a negative stride");
            }
        }
        if (r.offset() < 0) {
            throw new ModelFileException(file, "tensor '" + Messages.oneLine(name) + "' has a negative storage offset");
        }
        return shape;
    }

    /** The tensor's values: its extent in the storage read, converted, then gathered along its strides. */
    private static HostTensor values(Path file, ZipFile zip, Parsed p, Entry e) throws IOException {
        Pickle.TensorRef r = e.ref();
        String type = r.storage().type();
        int[] shape = e.shape();
        int count = (int) Tensors.count(shape);
        if (!e.dtype().equals("F32") && !e.dtype().equals("I64")) {
            throw new ModelFileException(file, "tensor '" + Messages.oneLine(e.name()) + "' has dtype "
                + type.replace("Storage", "") + ", which vgg4j cannot use (float32/16, bfloat16, float64, int64, int32)");
        }
        // the last element the view touches, counted from the storage's start
        long last = r.offset();
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == 0) {
                last = -1;
                break;
            }
            last += (shape[i] - 1L) * r.stride()[i];
            if (last > Integer.MAX_VALUE) {
                throw new ModelFileException(file, "tensor '" + Messages.oneLine(e.name()) + "' reaches past any storage "
                    + "vgg4j reads");
            }
        }
        int elem = bytesPer(type);
        long need = count == 0 ? 0 : (last + 1) * elem;
        String entry = p.prefix() + "data/" + r.storage().key();
        if (zip.getEntry(entry) == null) {
            throw new ModelFileException(file, "tensor '" + Messages.oneLine(e.name()) + "' names storage "
                + r.storage().key() + ", which the archive lacks");
        }
        byte[] raw = readEntry(file, zip, entry, need, need);
        ByteBuffer b = ByteBuffer.wrap(raw).order(p.bigEndian() ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN);
        long base = r.offset();
        long[] stride = r.stride();
        boolean isLong = e.dtype().equals("I64");
        float[] f = new float[count];
        long[] l = isLong ? new long[count] : null;
        if (count > 0 && type.equals("FloatStorage") && contiguous(shape, stride)) {
            // the common case, a whole float32 tensor: one bulk copy
            b.position((int) (base * 4)).asFloatBuffer().get(f);
            return new HostTensor(shape, f);
        }
        int kind = switch (type) {
            case "FloatStorage" -> 0;
            case "DoubleStorage" -> 1;
            case "HalfStorage" -> 2;
            case "BFloat16Storage" -> 3;
            case "LongStorage" -> 4;
            default -> 5; // IntStorage
        };
        int[] idx = new int[shape.length];
        long pos = base;
        for (int n = 0; n < count; n++) {
            int at = (int) (pos * elem);
            switch (kind) {
                case 0 -> f[n] = b.getFloat(at);
                case 1 -> f[n] = (float) b.getDouble(at);
                case 2 -> f[n] = Float.float16ToFloat(b.getShort(at));
                case 3 -> f[n] = Float.intBitsToFloat((b.getShort(at) & 0xffff) << 16);
                case 4 -> {
                    l[n] = b.getLong(at);
                    f[n] = l[n];
                }
                default -> {
                    l[n] = b.getInt(at);
                    f[n] = l[n];
                }
            }
            for (int d = shape.length - 1; d >= 0; d--) {
                pos += stride[d];
                if (++idx[d] < shape[d]) {
                    break;
                }
                pos -= stride[d] * shape[d];
                idx[d] = 0;
            }
        }
        return isLong ? new HostTensor(shape, f, l) : new HostTensor(shape, f);
    }

    /** Row-major strides with nothing skipped (size-1 dimensions may have any stride). */
    private static boolean contiguous(int[] shape, long[] stride) {
        long expect = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && stride[d] != expect) {
                return false;
            }
            expect *= shape[d];
        }
        return true;
    }

    /**
     * Reads at most {@code max} bytes of an entry; with {@code need >= 0}, exactly {@code need}
     * bytes, refusing an entry that is shorter. Never trusts the size the archive states, and
     * memory grows with the bytes really read, not with what a header or a tensor's shape claims.
     */
    private static byte[] readEntry(Path file, ZipFile zip, String name, long max, long need) throws IOException {
        ZipEntry z = zip.getEntry(name);
        long want = need >= 0 ? need : max;
        if (want > Integer.MAX_VALUE - 8) {
            throw new ModelFileException(file, name + ": more than one array can hold");
        }
        try (InputStream in = zip.getInputStream(z)) {
            byte[] b = in.readNBytes((int) want); // reads in chunks: allocation follows the data
            if (need >= 0) {
                if (b.length < need) {
                    throw new ModelFileException(file, "storage " + name.substring(name.lastIndexOf('/') + 1) + " holds "
                        + b.length + " bytes, and a tensor needs " + need + " of it (truncated or corrupt)");
                }
                return b;
            }
            if (b.length == max && in.read() >= 0) {
                throw new ModelFileException(file, name + " is larger than " + max + " bytes");
            }
            return b;
        } catch (ZipException e) {
            throw new ModelFileException(file, name + ": " + Messages.reason(e) + " (truncated or corrupt archive)");
        }
    }

    /** Value counts of shapes. */
    private static final class Tensors {
        static long count(int[] shape) {
            long c = 1;
            for (int d : shape) {
                c *= d;
            }
            return c;
        }
    }
}
