package org.vgg4j.kernelscl;

import java.io.File;

/**
 * Prints the folder where bytedeco's OpenCL preset extracted its ICD loader ({@code libOpenCL.so}),
 * for launchers to put on {@code LD_LIBRARY_PATH} before the JVM starts: JOCL dlopens
 * "libOpenCL.so" by that exact name, which Debian's runtime package (only libOpenCL.so.1) lacks,
 * and loading the library from Java first does not help because glibc matches by name.
 * Prints nothing and exits 1 when the preset cannot load.
 */
public final class IcdLoaderPath {
    private IcdLoaderPath() {}

    public static void main(String[] args) {
        try {
            String lib = org.bytedeco.javacpp.Loader.load(org.bytedeco.opencl.global.OpenCL.class);
            System.out.println(new File(lib).getParent());
        } catch (Throwable e) {
            System.err.println("vgg4j: bytedeco's OpenCL loader is unavailable: " + e);
            System.exit(1);
        }
    }
}
