package org.vgg4j.nn.io;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The temporary sibling a file is written to before it is renamed over the target. Created with
 * the permissions an ordinary new file gets ({@code rw-r--r--} less the umask), not the owner-only
 * ones of {@link Files#createTempFile}: a model file a run saves is one a server under another
 * account may have to read.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    public static Path temporary(Path dir, String prefix) throws IOException {
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            return Files.createTempFile(dir, prefix, ".tmp",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-r--r--")));
        }
        return Files.createTempFile(dir, prefix, ".tmp");
    }
}
