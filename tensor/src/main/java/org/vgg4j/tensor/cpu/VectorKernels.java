package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.vgg4j.tensor.PoolGeometry;

/**
 * Entry point to the Vector API code. Only touched when {@link VectorSupport#modulePresent()},
 * so the classes that import {@code jdk.incubator.vector} are never loaded without the module.
 */
final class VectorKernels {
    private VectorKernels() {}

    static Sgemm sgemm() {
        return new VectorSgemm();
    }

    /**
     * The lanes of {@code v} added in lane order. {@code reduceLanes(ADD)} on floats may add in any
     * order, and does: the interpreter adds lane after lane, C2 in a tree, so the same call gives
     * different roundings before and after the JIT compiles it, and a run no longer repeats bit
     * for bit.
     */
    static float sumInOrder(FloatVector v) {
        float s = 0f;
        for (int i = 0; i < v.length(); i++) {
            s += v.lane(i);
        }
        return s;
    }

    static CpuBatchNorm.RowSums rowSums() {
        return ROW_SUMS;
    }

    private static final CpuBatchNorm.RowSums ROW_SUMS = new VectorRowSums();

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

    /**
     * The 2x2 stride-2 pool for rows of at least one vector of outputs that the whole-plane path
     * cannot take (VGG-16's 56-, 28- and 14-wide outputs): per output row, whole vectors of
     * outputs gathered from the row pair, and the last outputs of the row window by window.
     */
    private static void maxPool2x2Rows(float[] x, float[] y, float[] argmax, int planes, int inH, int inW,
                                       int outH, int outW) {
        int l = S.length();
        int[] map = new int[l];
        float[] first = new float[l];
        for (int j = 0; j < l; j++) {
            map[j] = 2 * j;
            first[j] = 2 * j;
        }
        int inSize = inH * inW;
        int outSize = outH * outW;
        int whole = outW / l * l;
        Parallel.parallelRange(planes, Math.max(1, CpuOps.GRAIN / inSize), (lo, hi) -> {
            for (int p = (int) lo; p < hi; p++) {
                int in = p * inSize;
                for (int oh = 0; oh < outH; oh++) {
                    int out = p * outSize + oh * outW;
                    for (int k = 0; k < whole; k += l) {
                        int base = 2 * oh * inW + 2 * k;
                        window2x2Vector(x, in, base, inW, map, first, y, argmax, out + k);
                    }
                    for (int k = whole; k < outW; k++) {
                        CpuPool.window2x2(x, in, 2 * oh * inW + 2 * k, inW, y, argmax, out + k);
                    }
                }
            }
        });
    }

    /** One vector of 2x2 windows: top-left inputs at {@code in + base + map[j]}, as {@link CpuPool#window2x2}. */
    private static void window2x2Vector(float[] x, int in, int base, int inW, int[] map, float[] first, float[] y,
                                        float[] argmax, int at) {
        FloatVector arg0 = FloatVector.fromArray(S, first, 0).add((float) base);
        FloatVector best = FloatVector.fromArray(S, x, in + base, map, 0);
        FloatVector arg = arg0;
        FloatVector v = FloatVector.fromArray(S, x, in + base + 1, map, 0);
        VectorMask<Float> m = v.compare(VectorOperators.GT, best)
            .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
        best = best.blend(v, m);
        arg = arg.blend(arg0.add(1f), m);
        v = FloatVector.fromArray(S, x, in + base + inW, map, 0);
        m = v.compare(VectorOperators.GT, best)
            .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
        best = best.blend(v, m);
        arg = arg.blend(arg0.add((float) inW), m);
        v = FloatVector.fromArray(S, x, in + base + inW + 1, map, 0);
        m = v.compare(VectorOperators.GT, best)
            .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
        best = best.blend(v, m);
        arg = arg.blend(arg0.add((float) (inW + 1)), m);
        best.intoArray(y, at);
        arg.intoArray(argmax, at);
    }

    /**
     * VGG's 2x2 stride-2 max-pool as {@link CpuPool#maxForward} (first maximum wins, the first
     * NaN wins) with L outputs at a time: the four corners of their windows are four gathers,
     * and the choice is a compare and blend instead of a branch that mispredicts on every other
     * window. Needs each plane's outputs to come in whole vectors with one gather pattern (outW
     * a divisor or multiple of L, outH*outW a multiple of L: the 32, 16 and 8 wide maps of a
     * 32x32 VGG, every map of a 224x224 one); returns false, doing nothing, otherwise.
     */
    static boolean maxPool2x2(float[] x, float[] y, float[] argmax, int planes, int inH, int inW, int outH,
                              int outW) {
        int l = S.length();
        int outSize = outH * outW;
        if (outSize % l != 0 || (l % outW != 0 && outW % l != 0)) {
            if (outW < l) {
                return false;
            }
            maxPool2x2Rows(x, y, argmax, planes, inH, inW, outH, outW);
            return true;
        }
        int inSize = inH * inW;
        int[] map = new int[l];
        float[] first = new float[l];
        for (int j = 0; j < l; j++) {
            map[j] = 2 * (j / outW) * inW + 2 * (j % outW);
            first[j] = map[j];
        }
        Parallel.parallelRange(planes, Math.max(1, CpuOps.GRAIN / inSize), (lo, hi) -> {
            for (int p = (int) lo; p < hi; p++) {
                int in = p * inSize;
                int out = p * outSize;
                for (int k = 0; k < outSize; k += l) {
                    int base = 2 * (k / outW) * inW + 2 * (k % outW);
                    window2x2Vector(x, in, base, inW, map, first, y, argmax, out + k);
                }
            }
        });
        return true;
    }

    /**
     * Max pooling of any window and stride as {@link CpuPool#maxForward} (the same values and
     * argmax), L outputs of a row at a time where their windows lie inside the image: each window
     * position is one gather (a load at stride 1), and the choice a compare and blend. Windows
     * that reach into the padding or past the end go through {@link CpuPool#window}. ResNet's 3x3
     * stride-2 pool on 64 x 112 x 112 x 8 took 29 ms in the branchy scalar loop (a mispredicted
     * compare on about every third position).
     */
    static void maxPool(float[] x, float[] y, float[] argmax, int planes, PoolGeometry g) {
        int l = S.length();
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        int sw = g.strideW();
        int[] map = new int[l];
        float[] step = new float[l];
        for (int j = 0; j < l; j++) {
            map[j] = j * sw;
            step[j] = j * sw;
        }
        int lo0 = CpuPool.firstInsideColumn(g);
        int hi0 = CpuPool.endInsideColumn(g);
        int inSize = inH * inW;
        int outSize = outH * outW;
        Parallel.parallelRange(planes, Math.max(1, CpuOps.GRAIN / inSize), (lo, hi) -> {
            for (int p = (int) lo; p < hi; p++) {
                int in = p * inSize;
                int out = p * outSize;
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = oh * g.strideH() - g.padH();
                    int o = out + oh * outW;
                    int ow = 0;
                    if (h0 >= 0 && h0 + g.kH() <= inH) {
                        for (; ow < lo0; ow++) {
                            CpuPool.window(x, in, oh, ow, g, y, argmax, o + ow);
                        }
                        for (; ow + l <= hi0; ow += l) {
                            windows(x, in, h0 * inW + ow * sw - g.padW(), inW, g.kH(), g.kW(), sw, map, step, y,
                                argmax, o + ow);
                        }
                    }
                    for (; ow < outW; ow++) {
                        CpuPool.window(x, in, oh, ow, g, y, argmax, o + ow);
                    }
                }
            }
        });
    }

    /** L windows of kh x kw inside the plane at {@code x[in ..]}, the first starting at {@code a0}, sw apart. */
    private static void windows(float[] x, int in, int a0, int inW, int kh, int kw, int sw, int[] map, float[] step,
                                float[] y, float[] argmax, int at) {
        FloatVector first = FloatVector.fromArray(S, step, 0);
        // stride 2: two loads and a two-vector shuffle of their even lanes (a gather was 4x slower)
        boolean pairs = sw == 2 && in + a0 + (kh - 1) * inW + kw - 1 + 2 * S.length() <= x.length;
        FloatVector best = sw == 1 ? FloatVector.fromArray(S, x, in + a0)
            : pairs ? VectorStride2.even(x, in + a0) : FloatVector.fromArray(S, x, in + a0, map, 0);
        FloatVector arg = first.add((float) a0);
        for (int q = 1; q < kh * kw; q++) {
            int a = a0 + q / kw * inW + q % kw;
            FloatVector v = sw == 1 ? FloatVector.fromArray(S, x, in + a)
                : pairs ? VectorStride2.even(x, in + a) : FloatVector.fromArray(S, x, in + a, map, 0);
            VectorMask<Float> m = v.compare(VectorOperators.GT, best)
                .or(v.test(VectorOperators.IS_NAN).andNot(best.test(VectorOperators.IS_NAN)));
            best = best.blend(v, m);
            arg = arg.blend(first.add((float) a), m);
        }
        best.intoArray(y, at);
        arg.intoArray(argmax, at);
    }
}
