package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;

/**
 * Entry point to the Vector API code. Only touched when {@link VectorSupport#modulePresent()},
 * so the classes that import {@code jdk.incubator.vector} are never loaded without the module.
 */
final class VectorKernels {
    private VectorKernels() {}

    static Sgemm sgemm() {
        return new VectorSgemm();
    }

    static String speciesName() {
        return FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit (" + FloatVector.SPECIES_PREFERRED.length()
            + " floats)";
    }
}
