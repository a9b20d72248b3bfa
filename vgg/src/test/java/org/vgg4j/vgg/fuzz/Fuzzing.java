package org.vgg4j.vgg.fuzz;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * What every fuzz target shares: the limits it runs under, a scratch folder for the files a
 * parser reads, and the contract on failures. A parser given hostile bytes may only refuse them
 * with its own {@link IOException} subclass and a message that is one line of words; any other
 * exception, an {@link OutOfMemoryError} or a raw Java message is a finding. scripts/fuzz.sh runs
 * the targets under small limits ({@code -Dvgg4j.limit.*}), so that what stays within them stays
 * fast; the test suite's regression mode, which shares its JVM with other tests, leaves them alone.
 */
final class Fuzzing {
    private Fuzzing() {}

    private static final Path DIR = scratch();

    private static Path scratch() {
        try {
            Path shm = Path.of("/dev/shm");
            Path dir = Files.isDirectory(shm) && Files.isWritable(shm)
                ? Files.createTempDirectory(shm, "vgg4j-fuzz") : Files.createTempDirectory("vgg4j-fuzz");
            dir.toFile().deleteOnExit();
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A folder of its own for one target (cleared of what the last input left). */
    static Path folder(String name) throws IOException {
        Path d = DIR.resolve(name);
        Files.createDirectories(d);
        try (var s = Files.list(d)) {
            for (Path p : s.toList()) {
                Files.delete(p);
            }
        }
        return d;
    }

    static Path write(Path dir, String name, byte[] data) throws IOException {
        Path f = dir.resolve(name);
        Files.write(f, data);
        return f;
    }

    /** Java's own words, which must never reach a user: they mean an unchecked failure leaked. */
    private static final List<String> RAW_JAVA = List.of("For input string", "No enum constant",
        "out of bounds for length", "Cannot invoke", "/ by zero", "Cannot read field", "cannot be cast to",
        "Exception:", "java.lang.");

    /**
     * The contract on a refusal: a message, on one line, in the project's words. Java's words
     * count only when the input does not hold them itself (a file's own keys are quoted).
     */
    static void checkRefusal(IOException e, byte[] input) {
        String m = e.getMessage();
        if (m == null || m.isBlank()) {
            throw new AssertionError("refused without a message", e);
        }
        if (m.indexOf('\n') >= 0 || m.indexOf('\r') >= 0) {
            throw new AssertionError("message of more than one line: " + m, e);
        }
        if (m.length() > 2000) {
            throw new AssertionError("message of " + m.length() + " characters", e);
        }
        String text = new String(input, java.nio.charset.StandardCharsets.ISO_8859_1);
        // a pickle's GLOBAL names module and name on two lines; messages join them with a dot
        String joined = text.replace('\n', '.');
        for (String raw : RAW_JAVA) {
            if (m.contains(raw) && !text.contains(raw) && !joined.contains(raw)) {
                throw new AssertionError("raw Java text in the message: " + m, e);
            }
        }
    }

    /** Splits {@code data} into two files: a 2-byte big-endian length, that many bytes, the rest. */
    static byte[][] split(byte[] data) {
        if (data.length < 2) {
            return new byte[][] {new byte[0], data};
        }
        int n = Math.min(((data[0] & 0xff) << 8) | (data[1] & 0xff), data.length - 2);
        byte[] first = java.util.Arrays.copyOfRange(data, 2, 2 + n);
        byte[] rest = java.util.Arrays.copyOfRange(data, 2 + n, data.length);
        return new byte[][] {first, rest};
    }
}
