package org.vgg4j.kernelscl;

import org.jocl.cl_mem;

/** The storage of a device tensor: an OpenCL buffer of {@code floats} float32 values. */
final class ClBuffer {
    final cl_mem mem;
    final long floats;

    ClBuffer(cl_mem mem, long floats) {
        this.mem = mem;
        this.floats = floats;
    }
}
