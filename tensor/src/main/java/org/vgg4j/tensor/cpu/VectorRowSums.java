package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link CpuBatchNorm.RowSums} on the Vector API: lane-wise partial sums reduced once per row, and
 * the masked loops of a batch norm fused with its ReLU as whole vectors.
 */
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

    @Override
    public float sumWhere(float[] dy, float[] x, int off, int len, float scale, float shift) {
        int i = off;
        int end = off + len;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = off + S.loopBound(len); i < bound; i += S.length()) {
            VectorMask<Float> on = FloatVector.fromArray(S, x, i).mul(scale).add(shift).compare(VectorOperators.GT, 0f);
            acc = acc.add(FloatVector.fromArray(S, dy, i), on);
        }
        float s = VectorKernels.sumInOrder(acc);
        for (; i < end; i++) {
            s += x[i] * scale + shift > 0f ? dy[i] : 0f;
        }
        return s;
    }

    @Override
    public float dotDeviationWhere(float[] dy, float[] x, int off, int len, float mean, float scale, float shift) {
        int i = off;
        int end = off + len;
        FloatVector acc = FloatVector.zero(S);
        FloatVector zero = FloatVector.zero(S);
        for (int bound = off + S.loopBound(len); i < bound; i += S.length()) {
            FloatVector xv = FloatVector.fromArray(S, x, i);
            VectorMask<Float> on = xv.mul(scale).add(shift).compare(VectorOperators.GT, 0f);
            acc = zero.blend(FloatVector.fromArray(S, dy, i), on).fma(xv.sub(mean), acc);
        }
        float s = VectorKernels.sumInOrder(acc);
        for (; i < end; i++) {
            s += (x[i] * scale + shift > 0f ? dy[i] : 0f) * (x[i] - mean);
        }
        return s;
    }

    @Override
    public void gradientWhere(float[] dy, float[] x, float[] gradX, int off, int len, float a, float b, float k,
                              float mean, float scale, float shift) {
        int i = off;
        int end = off + len;
        FloatVector zero = FloatVector.zero(S);
        for (int bound = off + S.loopBound(len); i < bound; i += S.length()) {
            FloatVector xv = FloatVector.fromArray(S, x, i);
            VectorMask<Float> on = xv.mul(scale).add(shift).compare(VectorOperators.GT, 0f);
            FloatVector d = zero.blend(FloatVector.fromArray(S, dy, i), on);
            d.mul(a).add(xv.sub(mean).mul(b)).add(k).intoArray(gradX, i);
        }
        for (; i < end; i++) {
            float d = x[i] * scale + shift > 0f ? dy[i] : 0f;
            gradX[i] = a * d + b * (x[i] - mean) + k;
        }
    }

    @Override
    public void affineRelu(float[] x, float[] y, int off, int len, float scale, float shift) {
        int i = off;
        int end = off + len;
        for (int bound = off + S.loopBound(len); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, i).mul(scale).add(shift).max(0f).intoArray(y, i);
        }
        for (; i < end; i++) {
            y[i] = Math.max(x[i] * scale + shift, 0f);
        }
    }
}
