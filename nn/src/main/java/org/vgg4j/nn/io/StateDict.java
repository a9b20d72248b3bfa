package org.vgg4j.nn.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.vgg4j.nn.Module;
import org.vgg4j.nn.Parameter;
import org.vgg4j.nn.State;

/**
 * Parameters and non-trained state to and from name -> tensor maps (PyTorch's
 * {@code state_dict}), and checkpoints: weights, state, the momentum buffers (as
 * {@code optim.<name>.momentum_buffer}) and the trainer's state in the metadata, checksummed
 * and written atomically. Float tensors are F32 in files; counters ({@link State#isCounter()},
 * such as {@code num_batches_tracked}) are I64 of shape [], as PyTorch writes them.
 */
public final class StateDict {
    private StateDict() {}

    public static final String MOMENTUM_SUFFIX = ".momentum_buffer";
    public static final String OPTIM_PREFIX = "optim.";

    /** The parameters' values by name, in order. */
    public static Map<String, HostTensor> of(List<Parameter> params) {
        Map<String, HostTensor> out = new LinkedHashMap<>();
        for (Parameter p : params) {
            out.put(p.name(), HostTensor.of(p.value()));
        }
        return out;
    }

    /** The parameters' values by name, in order, read in place when written (no host copies). */
    public static Map<String, TensorSource> sources(List<Parameter> params) {
        return sources(params, List.of());
    }

    /** Parameters then state, by name, read in place when written. */
    public static Map<String, TensorSource> sources(List<Parameter> params, List<State> states) {
        Map<String, TensorSource> out = new LinkedHashMap<>();
        for (Parameter p : params) {
            out.put(p.name(), TensorSource.of(p.value()));
        }
        for (State s : states) {
            out.put(s.name(), s.isCounter() ? TensorSource.ofLongs(new int[0], s.count()) : TensorSource.of(s.value()));
        }
        return out;
    }

    /** A module's parameters and state, by name. */
    public static Map<String, TensorSource> sources(Module m) {
        return sources(m.parameters(), m.state());
    }

    /** Loads a module's parameters and state (see {@link #load(Path, List, List, Map, boolean)}). */
    public static void load(Path file, Module m, Map<String, HostTensor> tensors, boolean strict)
        throws ModelFileException {
        load(file, m.parameters(), m.state(), tensors, strict);
    }

    public static void load(Path file, List<Parameter> params, Map<String, HostTensor> tensors, boolean strict)
        throws ModelFileException {
        load(file, params, List.of(), tensors, strict);
    }

    /**
     * Copies {@code tensors} into {@code params} and {@code states}. Every one must be present with
     * its shape and dtype (and with {@code strict}, nothing else may be, apart from optimiser
     * state); all checks run before any value changes.
     */
    public static void load(Path file, List<Parameter> params, List<State> states, Map<String, HostTensor> tensors,
                            boolean strict) throws ModelFileException {
        check(file, params, states, tensors, strict);
        for (Parameter p : params) {
            float[] v = tensors.get(p.name()).data();
            p.value().backend().upload(v, 0, p.value(), 0, v.length);
        }
        for (State s : states) {
            HostTensor t = tensors.get(s.name());
            if (s.isCounter()) {
                s.setCount(t.longs()[0]);
            } else {
                s.value().backend().upload(t.data(), 0, s.value(), 0, t.data().length);
            }
        }
    }

    public static void check(Path file, List<Parameter> params, Map<String, ? extends TensorMeta> tensors,
                             boolean strict) throws ModelFileException {
        check(file, params, List.of(), tensors, strict);
    }

    /**
     * The checks of {@link #load} that need no values (names, shapes, dtypes), so that a header
     * can be checked before its data is read. {@link #load} also checks that values are finite.
     */
    public static void check(Path file, List<Parameter> params, List<State> states,
                             Map<String, ? extends TensorMeta> tensors, boolean strict) throws ModelFileException {
        String fileStat = tensors.keySet().stream().filter(k -> k.endsWith(".running_mean")).findFirst().orElse(null);
        boolean modelStats = states.stream().anyMatch(st -> st.name().endsWith(".running_mean"));
        if (fileStat != null && !modelStats) {
            throw new ModelFileException(file, "the file has batch norm statistics ('" + fileStat
                + "'), the model has no batch norm (build it with batch norm, e.g. --batch-norm)");
        }
        if (fileStat == null && modelStats) {
            String first = states.stream().filter(st -> st.name().endsWith(".running_mean")).findFirst().get().name();
            throw new ModelFileException(file, "the model has batch norm, the file has no running statistics (missing '"
                + first + "'): it holds a network without batch norm");
        }
        Set<String> names = new HashSet<>();
        for (Parameter p : params) {
            expect(file, tensors, p.name(), p.shape(), "F32", "parameter");
            names.add(p.name());
        }
        for (State s : states) {
            expect(file, tensors, s.name(), s.shape(), s.isCounter() ? "I64" : "F32", "state tensor");
            names.add(s.name());
        }
        if (strict) {
            for (String k : tensors.keySet()) {
                if (!names.contains(k) && !k.startsWith(OPTIM_PREFIX)) {
                    throw new ModelFileException(file, "unexpected tensor '" + k + "' " + Arrays.toString(
                        tensors.get(k).shape()) + " (the file holds another model?" + hint(k, states) + ")");
                }
            }
        }
    }

    private static void expect(Path file, Map<String, ? extends TensorMeta> tensors, String name, int[] shape,
                               String dtype, String what) throws ModelFileException {
        TensorMeta t = tensors.get(name);
        if (t == null) {
            throw new ModelFileException(file, "missing " + what + " '" + name + "' " + Arrays.toString(shape)
                + " (the file holds another model?" + (name.contains("running_") || name.endsWith("num_batches_tracked")
                ? " the model has batch norm, the file does not seem to" : "") + ")");
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new ModelFileException(file, "tensor '" + name + "' has shape " + Arrays.toString(t.shape())
                + ", the model expects " + Arrays.toString(shape));
        }
        if (!t.dtype().equals(dtype)) {
            throw new ModelFileException(file, "tensor '" + name + "' has dtype " + t.dtype() + ", the model expects "
                + dtype);
        }
        if (t instanceof HostTensor h) {
            float[] v = h.data();
            for (int i = 0; i < v.length; i++) {
                if (!Float.isFinite(v[i])) {
                    throw new ModelFileException(file, "tensor '" + name + "' holds " + v[i] + " at index " + i
                        + " (a model file must hold finite values)");
                }
            }
        }
    }

    private static String hint(String unexpected, List<State> states) {
        boolean bnInFile = unexpected.contains("running_") || unexpected.endsWith("num_batches_tracked");
        return bnInFile && states.isEmpty() ? " it has batch norm statistics, the model has no batch norm" : "";
    }

    public static void saveCheckpoint(Path file, List<Parameter> params, Map<String, String> metadata)
        throws java.io.IOException {
        saveCheckpoint(file, params, List.of(), metadata);
    }

    /** Writes weights, state, momentum buffers and {@code metadata} to a checksummed file, atomically. */
    public static void saveCheckpoint(Path file, List<Parameter> params, List<State> states,
                                      Map<String, String> metadata) throws java.io.IOException {
        Map<String, TensorSource> tensors = sources(params, states);
        for (Parameter p : params) {
            if (p.hasVelocity()) {
                tensors.put(OPTIM_PREFIX + p.name() + MOMENTUM_SUFFIX, TensorSource.of(p.velocity()));
            }
        }
        SafeTensors.write(file, tensors, metadata, true);
    }

    public static Map<String, String> loadCheckpoint(Path file, List<Parameter> params) throws java.io.IOException {
        return loadCheckpoint(file, params, List.of());
    }

    /**
     * Reads a checkpoint into {@code params} (weights and momentum buffers) and {@code states}, and
     * returns its metadata. A file without a checksum is refused: checkpoints are always written
     * with one.
     */
    public static Map<String, String> loadCheckpoint(Path file, List<Parameter> params, List<State> states)
        throws java.io.IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        if (!c.metadata().containsKey(SafeTensors.CHECKSUM_KEY)) {
            throw new ModelFileException(file, "not a vgg4j checkpoint (no checksum in its metadata)");
        }
        check(file, params, states, c.tensors(), true);
        for (Parameter p : params) {
            HostTensor v = c.tensors().get(OPTIM_PREFIX + p.name() + MOMENTUM_SUFFIX);
            if (v != null && !Arrays.equals(v.shape(), p.shape())) {
                throw new ModelFileException(file, "momentum buffer of '" + p.name() + "' has shape "
                    + Arrays.toString(v.shape()) + ", the model expects " + Arrays.toString(p.shape()));
            }
        }
        load(file, params, states, c.tensors(), true);
        for (Parameter p : params) {
            HostTensor v = c.tensors().get(OPTIM_PREFIX + p.name() + MOMENTUM_SUFFIX);
            if (v != null) {
                p.velocity().backend().upload(v.data(), 0, p.velocity(), 0, v.data().length);
            } else if (p.hasVelocity()) {
                p.velocity().backend().fill(p.velocity(), 0f);
            }
        }
        return c.metadata();
    }
}
