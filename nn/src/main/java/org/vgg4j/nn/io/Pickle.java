package org.vgg4j.nn.io;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle reader that builds data, never objects: it knows the opcodes of protocols 2 to 5 that
 * a PyTorch {@code state_dict} uses (dicts, lists, tuples, strings, numbers, booleans, None) and
 * exactly the globals such a file needs ({@code collections.OrderedDict}, torch's tensor rebuild
 * functions, its typed storage classes). Any other global, any class instantiation opcode
 * ({@code NEWOBJ}, {@code INST}, {@code OBJ}), an extension code or a text persistent id is refused
 * with a {@link PickleException} naming it: nothing a file says is ever called or loaded.
 *
 * <p>What comes back: {@link Map} (insertion-ordered) for dicts, {@link List} for lists,
 * {@link Tuple} for tuples, {@link String}, {@code byte[]}, {@link Long}, {@link Double},
 * {@link Boolean}, {@link #NONE}, and {@link TensorRef} for a rebuilt tensor whose storage is
 * named by {@link StorageRef}. The input is one bounded byte array; every length it claims is
 * checked against what is left of it before anything is allocated.
 */
final class Pickle {
    private Pickle() {}

    /** Python's None. */
    static final Object NONE = new Object() {
        @Override
        public String toString() { return "None"; }
    };

    /** A tuple: immutable, compared by value. */
    record Tuple(List<Object> items) {
        int size() { return items.size(); }

        Object get(int i) { return items.get(i); }
    }

    /** A storage a tensor views: its element type (e.g. {@code FloatStorage}), archive key and element count. */
    record StorageRef(String type, String key, long numel) {}

    /** {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)}. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    /** A global the file names; only the allowed ones ever exist. */
    private record Global(String module, String name) {
        String qualified() { return module + "." + name; }
    }

    private static final Object MARK = new Object();

    /**
     * The most values one pickle may create. A state dict makes a few dozen per tensor; a pickle of
     * a million empty dicts (one byte each) would otherwise turn 1 MB of file into 60 MB of heap.
     */
    static final int MAX_VALUES = 2_000_000;

    private static final Set<String> STORAGES = Set.of("FloatStorage", "HalfStorage", "BFloat16Storage",
        "DoubleStorage", "LongStorage", "IntStorage", "ShortStorage", "ByteStorage", "CharStorage", "BoolStorage");

    static final class PickleException extends Exception {
        PickleException(String message) {
            super(message);
        }
    }

    /** Reads one pickle from {@code data}. */
    static Object load(byte[] data) throws PickleException {
        try {
            return new Reader(data).run();
        } catch (java.nio.BufferUnderflowException e) {
            throw new PickleException("the pickle ends in the middle of an opcode (truncated)");
        }
    }

    private static final class Reader {
        private final ByteBuffer in;
        private final ArrayList<Object> stack = new ArrayList<>();
        private final ArrayList<Integer> marks = new ArrayList<>();
        private final Map<Long, Object> memo = new HashMap<>();

        Reader(byte[] data) {
            in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
        }

        Object run() throws PickleException {
            while (true) {
                if (!in.hasRemaining()) {
                    throw new PickleException("the pickle ends without its STOP opcode (truncated)");
                }
                int pos = in.position();
                int op = in.get() & 0xff;
                switch (op) {
                    case 0x80 -> { // PROTO
                        int proto = u8();
                        if (proto > 5) {
                            throw new PickleException("pickle protocol " + proto + " (this reader knows 2 to 5)");
                        }
                    }
                    case 0x95 -> skip(8); // FRAME: a hint only
                    case '.' -> { // STOP
                        Object v = pop();
                        if (!stack.isEmpty() || !marks.isEmpty()) {
                            throw new PickleException("the pickle stops with values left on its stack");
                        }
                        return v;
                    }
                    case '(' -> marks.add(stack.size());
                    case '0' -> pop();
                    case '1' -> popMark();
                    case '2' -> push(peek());
                    case 'N' -> push(NONE);
                    case 0x88 -> push(Boolean.TRUE);
                    case 0x89 -> push(Boolean.FALSE);
                    case 'J' -> push((long) in.getInt());
                    case 'K' -> push((long) u8());
                    case 'M' -> push((long) (in.getShort() & 0xffff));
                    case 0x8a -> push(longOf(u8())); // LONG1
                    case 0x8b -> push(longOf(length(in.getInt() & 0xffffffffL))); // LONG4
                    case 'G' -> push(readDoubleBE());
                    case 'X' -> push(utf8(length(in.getInt() & 0xffffffffL)));
                    case 0x8c -> push(utf8(u8())); // SHORT_BINUNICODE
                    case 0x8d -> push(utf8(length(in.getLong()))); // BINUNICODE8
                    case 'T' -> push(latin1(length(in.getInt()))); // BINSTRING
                    case 'U' -> push(latin1(u8())); // SHORT_BINSTRING
                    case 'B' -> push(bytes(length(in.getInt() & 0xffffffffL))); // BINBYTES
                    case 'C' -> push(bytes(u8())); // SHORT_BINBYTES
                    case 0x8e -> push(bytes(length(in.getLong()))); // BINBYTES8
                    case ')' -> push(new Tuple(List.of()));
                    case 't' -> push(tupleOf(popMark()));
                    case 0x85 -> push(tupleOf(List.of(pop())));
                    case 0x86 -> {
                        Object b = pop();
                        push(tupleOf(List.of(pop(), b)));
                    }
                    case 0x87 -> {
                        Object c = pop();
                        Object b = pop();
                        push(tupleOf(List.of(pop(), b, c)));
                    }
                    case ']' -> push(new ArrayList<>());
                    case 'l' -> push(new ArrayList<>(popMark()));
                    case 'a' -> {
                        Object v = pop();
                        list(peek()).add(v);
                    }
                    case 'e' -> {
                        List<Object> items = popMark();
                        list(peek()).addAll(items);
                    }
                    case '}' -> push(new LinkedHashMap<>());
                    case 'd' -> {
                        List<Object> items = popMark();
                        Map<Object, Object> m = new LinkedHashMap<>();
                        putAll(m, items);
                        push(m);
                    }
                    case 's' -> {
                        Object v = pop();
                        Object k = pop();
                        dict(peek()).put(key(k), v);
                    }
                    case 'u' -> {
                        List<Object> items = popMark();
                        putAll(dict(peek()), items);
                    }
                    case 'q' -> memo.put((long) u8(), peek());
                    case 'r' -> memo.put(in.getInt() & 0xffffffffL, peek());
                    case 0x94 -> memo.put((long) memo.size(), peek()); // MEMOIZE
                    case 'h' -> push(memoGet(u8()));
                    case 'j' -> push(memoGet(in.getInt() & 0xffffffffL));
                    case 'c' -> push(global(line(), line()));
                    case 0x93 -> { // STACK_GLOBAL
                        Object name = pop();
                        Object module = pop();
                        if (!(module instanceof String m) || !(name instanceof String n)) {
                            throw new PickleException("STACK_GLOBAL without a module and a name");
                        }
                        push(global(m, n));
                    }
                    case 'R' -> {
                        Object args = pop();
                        Object f = pop();
                        if (!(args instanceof Tuple t)) {
                            throw new PickleException("REDUCE without an argument tuple");
                        }
                        push(call(f, t));
                    }
                    case 'b' -> { // BUILD: OrderedDict's attributes (its _metadata) are not needed
                        Object state = pop();
                        Object target = peek();
                        if (!(target instanceof Map<?, ?>)) {
                            throw new PickleException("BUILD on something other than a dict");
                        }
                        if (!(state instanceof Map<?, ?>) && state != NONE && !(state instanceof Tuple)) {
                            throw new PickleException("BUILD with a state that is not a dict");
                        }
                    }
                    case 'Q' -> push(persistent(pop()));
                    case 'P' -> throw new PickleException("a text persistent id (PERSID), which state dicts do not use");
                    case 0x81, 0x92, 'i', 'o' -> throw new PickleException("the opcode " + opName(op)
                        + " creates an object of a class named in the file, and vgg4j never does that");
                    case 0x82, 0x83, 0x84 -> throw new PickleException("an extension-registry opcode (EXT), refused");
                    default -> throw new PickleException(String.format(
                        "opcode 0x%02x at byte %d is not one a state dict uses", op, pos));
                }
            }
        }

        private double readDoubleBE() {
            // BINFLOAT is big-endian
            ByteOrder o = in.order();
            in.order(ByteOrder.BIG_ENDIAN);
            double d = in.getDouble();
            in.order(o);
            return d;
        }

        private Object global(String module, String name) throws PickleException {
            String q = module + "." + name;
            boolean ok = q.equals("collections.OrderedDict")
                || q.equals("torch._utils._rebuild_tensor_v2")
                || q.equals("torch._utils._rebuild_parameter")
                || (module.equals("torch") && STORAGES.contains(name));
            if (!ok) {
                boolean torch = module.equals("torch") || module.startsWith("torch.") || module.equals("collections");
                throw new PickleException("refuses the global '" + Messages.oneLine(q) + "': a state dict holds "
                    + "only tensors, dicts, lists and numbers, and vgg4j never runs or loads code named in a file"
                    + (torch ? "" : " (a whole model saved with torch.save(model) cannot be read: save "
                    + "model.state_dict() instead)"));
            }
            return new Global(module, name);
        }

        private Object call(Object f, Tuple args) throws PickleException {
            if (!(f instanceof Global g)) {
                throw new PickleException("REDUCE calls something that is not a known function");
            }
            switch (g.qualified()) {
                case "collections.OrderedDict" -> {
                    if (args.size() != 0) {
                        if (args.size() == 1 && args.get(0) instanceof List<?> pairs && pairs.isEmpty()) {
                            return new LinkedHashMap<>();
                        }
                        throw new PickleException("OrderedDict called with arguments");
                    }
                    return new LinkedHashMap<>();
                }
                case "torch._utils._rebuild_tensor_v2" -> {
                    if (args.size() < 4 || !(args.get(0) instanceof StorageRef s)) {
                        throw new PickleException("_rebuild_tensor_v2 without (storage, offset, size, stride)");
                    }
                    long offset = integer(args.get(1), "storage offset");
                    long[] size = longs(args.get(2), "size");
                    long[] stride = longs(args.get(3), "stride");
                    if (size.length != stride.length) {
                        throw new PickleException("a tensor with " + size.length + " sizes and " + stride.length
                            + " strides");
                    }
                    return new TensorRef(s, offset, size, stride);
                }
                case "torch._utils._rebuild_parameter" -> {
                    if (args.size() < 1 || !(args.get(0) instanceof TensorRef t)) {
                        throw new PickleException("_rebuild_parameter without a tensor");
                    }
                    return t;
                }
                default -> throw new PickleException(Messages.oneLine(g.qualified()) + " cannot be called");
            }
        }

        private Object persistent(Object pid) throws PickleException {
            if (!(pid instanceof Tuple t) || t.size() < 5 || !"storage".equals(t.get(0))) {
                throw new PickleException("a persistent id that is not ('storage', type, key, location, size)");
            }
            if (!(t.get(1) instanceof Global g) || !g.module().equals("torch") || !STORAGES.contains(g.name())) {
                throw new PickleException("a storage whose type is not one of torch's storage classes");
            }
            if (!(t.get(2) instanceof String key) || !key.matches("[A-Za-z0-9_]{1,64}")) {
                throw new PickleException("a storage key that is not a plain name");
            }
            long numel = integer(t.get(4), "storage size");
            if (numel < 0) {
                throw new PickleException("a storage of negative size");
            }
            return new StorageRef(g.name(), key, numel);
        }

        private static long integer(Object o, String what) throws PickleException {
            if (o instanceof Long l) {
                return l;
            }
            throw new PickleException("the tensor's " + what + " is not an integer");
        }

        private static long[] longs(Object o, String what) throws PickleException {
            if (!(o instanceof Tuple t)) {
                throw new PickleException("the tensor's " + what + " is not a tuple");
            }
            long[] r = new long[t.size()];
            for (int i = 0; i < r.length; i++) {
                r[i] = integer(t.get(i), what);
            }
            return r;
        }

        private Tuple tupleOf(List<Object> items) {
            return new Tuple(List.copyOf(items.stream().map(o -> o == null ? NONE : o).toList()));
        }

        /** Keys a state dict uses: strings, integers (optimizer state), flat tuples of them. */
        private static Object key(Object k) throws PickleException {
            if (k instanceof String || k instanceof Long || k instanceof Boolean || k instanceof Double || k == NONE) {
                return k;
            }
            if (k instanceof Tuple t && t.items().stream().allMatch(x -> x instanceof String || x instanceof Long)) {
                return k;
            }
            throw new PickleException("a dict key that is not a string, a number or a flat tuple");
        }

        private static void putAll(Map<Object, Object> m, List<Object> items) throws PickleException {
            if (items.size() % 2 != 0) {
                throw new PickleException("SETITEMS with an odd number of values");
            }
            for (int i = 0; i < items.size(); i += 2) {
                m.put(key(items.get(i)), items.get(i + 1));
            }
        }

        @SuppressWarnings("unchecked")
        private static List<Object> list(Object o) throws PickleException {
            if (o instanceof ArrayList<?> l) {
                return (List<Object>) l;
            }
            throw new PickleException("APPEND to something other than a list");
        }

        @SuppressWarnings("unchecked")
        private static Map<Object, Object> dict(Object o) throws PickleException {
            if (o instanceof LinkedHashMap<?, ?> m) {
                return (Map<Object, Object>) m;
            }
            throw new PickleException("SETITEM on something other than a dict");
        }

        private Object memoGet(long i) throws PickleException {
            Object v = memo.get(i);
            if (v == null) {
                throw new PickleException("a memo reference (" + i + ") to nothing stored");
            }
            return v;
        }

        private int created;

        private void push(Object o) throws PickleException {
            if (++created > MAX_VALUES) {
                throw new PickleException("the pickle creates more than " + MAX_VALUES + " values: not a state dict");
            }
            stack.add(o);
        }

        private Object pop() throws PickleException {
            int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
            if (stack.size() <= floor) {
                throw new PickleException("the pickle pops an empty stack");
            }
            return stack.remove(stack.size() - 1);
        }

        private Object peek() throws PickleException {
            int floor = marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
            if (stack.size() <= floor) {
                throw new PickleException("the pickle reads an empty stack");
            }
            return stack.get(stack.size() - 1);
        }

        private List<Object> popMark() throws PickleException {
            if (marks.isEmpty()) {
                throw new PickleException("the pickle closes a MARK it never opened");
            }
            int m = marks.remove(marks.size() - 1);
            List<Object> sub = new ArrayList<>(stack.subList(m, stack.size()));
            stack.subList(m, stack.size()).clear();
            return sub;
        }

        private int u8() {
            return in.get() & 0xff;
        }

        private void skip(int n) throws PickleException {
            in.position(in.position() + length(n));
        }

        /** A claimed length, checked against what is left of the input. */
        private int length(long n) throws PickleException {
            if (n < 0 || n > in.remaining()) {
                throw new PickleException("a length of " + n + " bytes runs past the end of the pickle");
            }
            return (int) n;
        }

        private long longOf(int n) throws PickleException {
            if (n > 8) {
                throw new PickleException("an integer of " + n + " bytes, wider than 64 bits");
            }
            length(n);
            long v = 0;
            for (int i = 0; i < n; i++) {
                v |= (in.get() & 0xffL) << (8 * i);
            }
            if (n > 0 && n < 8 && (v & (1L << (8 * n - 1))) != 0) {
                v |= -1L << (8 * n);
            }
            return v;
        }

        private byte[] bytes(int n) throws PickleException {
            byte[] b = new byte[length(n)];
            in.get(b);
            return b;
        }

        private String utf8(int n) throws PickleException {
            byte[] b = bytes(n);
            try {
                return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
            } catch (CharacterCodingException e) {
                throw new PickleException("a string that is not UTF-8");
            }
        }

        private String latin1(int n) throws PickleException {
            return new String(bytes(n), StandardCharsets.ISO_8859_1);
        }

        /** A newline-terminated name of GLOBAL, at most 256 characters. */
        private String line() throws PickleException {
            StringBuilder b = new StringBuilder();
            while (true) {
                if (!in.hasRemaining() || b.length() > 256) {
                    throw new PickleException("a GLOBAL name that does not end");
                }
                char c = (char) (in.get() & 0xff);
                if (c == '\n') {
                    return b.toString();
                }
                b.append(c);
            }
        }

        private static String opName(int op) {
            return switch (op) {
                case 0x81 -> "NEWOBJ";
                case 0x92 -> "NEWOBJ_EX";
                case 'i' -> "INST";
                default -> "OBJ";
            };
        }
    }
}
