package org.vgg4j.kernelscl;

import static org.jocl.CL.CL_PROGRAM_BINARIES;
import static org.jocl.CL.CL_PROGRAM_BINARY_SIZES;
import static org.jocl.CL.CL_PROGRAM_BUILD_LOG;
import static org.jocl.CL.clBuildProgram;
import static org.jocl.CL.clCreateProgramWithBinary;
import static org.jocl.CL.clCreateProgramWithSource;
import static org.jocl.CL.clGetProgramBuildInfo;
import static org.jocl.CL.clGetProgramInfo;
import static org.jocl.CL.clReleaseProgram;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicInteger;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_context;
import org.jocl.cl_device_id;
import org.jocl.cl_program;

/**
 * Builds OpenCL programs once per device and keeps their binaries on disk, keyed by device
 * name, driver version, source and build options (a SHA-256 of the four), in
 * {@code ~/.cache/vgg4j/cl} or {@code -Dvgg4j.cl.cache=DIR}. A second start loads the binary and
 * skips the compiler (about 11 s for a large program on PoCL). A cache entry that fails to load
 * is rebuilt from source and replaced.
 */
final class ClProgramCache {
    /** Programs compiled from source / loaded from a cached binary, for tests and logs. */
    static final AtomicInteger BUILT = new AtomicInteger();
    static final AtomicInteger LOADED = new AtomicInteger();

    private ClProgramCache() {}

    static Path dir() {
        String d = System.getProperty("vgg4j.cl.cache");
        return d != null ? Path.of(d) : Path.of(System.getProperty("user.home"), ".cache", "vgg4j", "cl");
    }

    static cl_program build(cl_context ctx, ClDevices.Device dev, String name, String source, String options) {
        String key = sha256(dev.name() + "\n" + dev.driver() + "\n" + options + "\n" + source);
        Path file = dir().resolve(name + "-" + key.substring(0, 32) + ".bin");
        if (Files.isRegularFile(file)) {
            try {
                byte[] bin = Files.readAllBytes(file);
                cl_program p = clCreateProgramWithBinary(ctx, 1, new cl_device_id[] {dev.id()}, new long[] {bin.length},
                    new byte[][] {bin}, new int[1], null);
                clBuildProgram(p, 0, null, options, null, null);
                LOADED.incrementAndGet();
                return p;
            } catch (IOException | CLException stale) {
                // fall through: rebuild from source and replace the entry
            }
        }
        cl_program p = clCreateProgramWithSource(ctx, 1, new String[] {source}, null, null);
        try {
            clBuildProgram(p, 0, null, options, null, null);
        } catch (CLException e) {
            String log = buildLog(p, dev);
            clReleaseProgram(p);
            throw new IllegalStateException("OpenCL program " + name + " failed to build on " + dev.name() + ": "
                + e.getMessage() + "\n" + log, e);
        }
        BUILT.incrementAndGet();
        store(p, file);
        return p;
    }

    private static void store(cl_program p, Path file) {
        try {
            long[] size = new long[1];
            clGetProgramInfo(p, CL_PROGRAM_BINARY_SIZES, Sizeof.size_t, Pointer.to(size), null);
            if (size[0] <= 0) {
                return;
            }
            byte[] bin = new byte[(int) size[0]];
            clGetProgramInfo(p, CL_PROGRAM_BINARIES, Sizeof.POINTER, Pointer.to(new Pointer[] {Pointer.to(bin)}), null);
            Files.createDirectories(file.getParent());
            Path tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
            Files.write(tmp, bin);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            // a cache we cannot write only costs compile time
        }
    }

    private static String buildLog(cl_program p, ClDevices.Device dev) {
        try {
            long[] size = new long[1];
            clGetProgramBuildInfo(p, dev.id(), CL_PROGRAM_BUILD_LOG, 0, null, size);
            byte[] buf = new byte[(int) size[0]];
            clGetProgramBuildInfo(p, dev.id(), CL_PROGRAM_BUILD_LOG, buf.length, Pointer.to(buf), null);
            return new String(buf, StandardCharsets.UTF_8).trim();
        } catch (RuntimeException e) {
            return "(no build log)";
        }
    }

    static String sha256(String s) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
