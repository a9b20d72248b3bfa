package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link CpuBatchNorm.RowSums} on the Vector API: lane-wise partial sums, reduced once per row. */
final class VectorRowSums implements CpuBatchNorm.RowSums {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    @Override
    public float sum(float[] a, int off, int len) {
        int i = off;
        int end = off + len;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = off + S.loopBound(len); i < bound; i += S.length()) {
            acc = acc.add(FloatVector.fromArray(S, a, i));
        }
        float s = VectorKernels.sumInOrder(acc);
        for (; i < end; i++) {
            s += a[i];
        }
        return s;
    }

    @Override
    public float sumSquaredDeviation(float[] a, int off, int len, float mean) {
        int i = off;
        int end = off + len;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = off + S.loopBound(len); i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, a, i).sub(mean);
            acc = d.fma(d, acc);
        }
        float s = VectorKernels.sumInOrder(acc);
        for (; i < end; i++) {
            float d = a[i] - mean;
            s += d * d;
        }
        return s;
    }

    @Override
    public float dotDeviation(float[] dy, float[] x, int off, int len, float mean) {
        int i = off;
        int end = off + len;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = off + S.loopBound(len); i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, i).sub(mean);
            acc = FloatVector.fromArray(S, dy, i).fma(d, acc);
        }
        float s = VectorKernels.sumInOrder(acc);
        for (; i < end; i++) {
            s += dy[i] * (x[i] - mean);
        }
        return s;
    }
}
