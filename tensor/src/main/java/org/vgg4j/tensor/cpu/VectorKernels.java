package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

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

    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    /**
     * {@code y = max(x, 0)} ({@link Math#max} semantics: NaN stays NaN), as {@link CpuOps#relu}.
     * The scalar loop compiles to a compare and branch per element, which mispredicts on
     * activations that are half negative.
     */
    static void relu(float[] x, float[] y, int len) {
        Parallel.parallelRange(len, CpuOps.GRAIN, (lo, hi) -> {
            int i = (int) lo;
            int end = (int) hi;
            for (int bound = i + S.loopBound(end - i); i < bound; i += S.length()) {
                FloatVector.fromArray(S, x, i).max(0f).intoArray(y, i);
            }
            for (; i < end; i++) {
                y[i] = Math.max(x[i], 0f);
            }
        });
    }

    /** {@code gradX = y > 0 ? gradY : 0}, as {@link CpuOps#reluBackward}, without branches. */
    static void reluBackward(float[] y, float[] gradY, float[] gradX, int len) {
        Parallel.parallelRange(len, CpuOps.GRAIN, (lo, hi) -> {
            int i = (int) lo;
            int end = (int) hi;
            FloatVector zero = FloatVector.zero(S);
            for (int bound = i + S.loopBound(end - i); i < bound; i += S.length()) {
                FloatVector yv = FloatVector.fromArray(S, y, i);
                zero.blend(FloatVector.fromArray(S, gradY, i), yv.compare(VectorOperators.GT, 0f)).intoArray(gradX, i);
            }
            for (; i < end; i++) {
                gradX[i] = y[i] > 0f ? gradY[i] : 0f;
            }
        });
    }
}
