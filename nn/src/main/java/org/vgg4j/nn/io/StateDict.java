package org.vgg4j.nn.io;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.vgg4j.nn.Parameter;

/**
 * Parameters to and from name -> tensor maps (PyTorch's {@code state_dict}), and checkpoints:
 * weights plus the momentum buffers (as {@code optim.<name>.momentum_buffer}) plus the trainer's
 * state in the metadata, checksummed and written atomically.
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
        Map<String, TensorSource> out = new LinkedHashMap<>();
        for (Parameter p : params) {
            out.put(p.name(), TensorSource.of(p.value()));
        }
        return out;
    }

    /**
     * Copies {@code tensors} into {@code params}. Every parameter must be present with its shape
     * (and with {@code strict}, nothing else may be); all checks run before any value changes.
     */
    public static void load(Path file, List<Parameter> params, Map<String, HostTensor> tensors, boolean strict)
        throws ModelFileException {
        check(file, params, tensors, strict);
        for (Parameter p : params) {
            float[] v = tensors.get(p.name()).data();
            p.value().backend().upload(v, 0, p.value(), 0, v.length);
        }
    }

    /** The checks of {@link #load}, without loading. */
    public static void check(Path file, List<Parameter> params, Map<String, HostTensor> tensors, boolean strict)
        throws ModelFileException {
        for (Parameter p : params) {
            HostTensor t = tensors.get(p.name());
            if (t == null) {
                throw new ModelFileException(file, "missing tensor '" + p.name() + "' " + Arrays.toString(p.shape())
                    + " (the file holds another model?)");
            }
            if (!Arrays.equals(t.shape(), p.shape())) {
                throw new ModelFileException(file, "tensor '" + p.name() + "' has shape " + Arrays.toString(t.shape())
                    + ", the model expects " + Arrays.toString(p.shape()));
            }
        }
        if (strict) {
            var names = params.stream().map(Parameter::name).toList();
            for (String k : tensors.keySet()) {
                if (!names.contains(k) && !k.startsWith(OPTIM_PREFIX)) {
                    throw new ModelFileException(file, "unexpected tensor '" + k + "' (the file holds another model?)");
                }
            }
        }
    }

    /** Writes weights, momentum buffers and {@code metadata} to a checksummed file, atomically. */
    public static void saveCheckpoint(Path file, List<Parameter> params, Map<String, String> metadata)
        throws java.io.IOException {
        Map<String, TensorSource> tensors = sources(params);
        for (Parameter p : params) {
            if (p.hasVelocity()) {
                tensors.put(OPTIM_PREFIX + p.name() + MOMENTUM_SUFFIX, TensorSource.of(p.velocity()));
            }
        }
        SafeTensors.write(file, tensors, metadata, true);
    }

    /**
     * Reads a checkpoint into {@code params} (weights and momentum buffers) and returns its
     * metadata. A file without a checksum is refused: checkpoints are always written with one.
     */
    public static Map<String, String> loadCheckpoint(Path file, List<Parameter> params) throws java.io.IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        if (!c.metadata().containsKey(SafeTensors.CHECKSUM_KEY)) {
            throw new ModelFileException(file, "not a vgg4j checkpoint (no checksum in its metadata)");
        }
        check(file, params, c.tensors(), true);
        for (Parameter p : params) {
            HostTensor v = c.tensors().get(OPTIM_PREFIX + p.name() + MOMENTUM_SUFFIX);
            if (v != null && !Arrays.equals(v.shape(), p.shape())) {
                throw new ModelFileException(file, "momentum buffer of '" + p.name() + "' has shape "
                    + Arrays.toString(v.shape()) + ", the model expects " + Arrays.toString(p.shape()));
            }
        }
        load(file, params, c.tensors(), true);
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
