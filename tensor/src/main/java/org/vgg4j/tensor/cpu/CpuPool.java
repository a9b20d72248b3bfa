package org.vgg4j.tensor.cpu;

import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.PoolGeometry;

/** Max / average pooling and cross-channel LRN on raw NCHW arrays, parallel over planes. */
final class CpuPool {
    private CpuPool() {}

    /** x [planes, inH, inW] -> y, argmax [planes, outH, outW] (argmax = h*inW + w, as a float). */
    static void maxForward(float[] x, float[] y, float[] argmax, int planes, PoolGeometry g) {
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        if (g.kH() == 2 && g.kW() == 2 && g.strideH() == 2 && g.strideW() == 2 && g.padH() == 0 && g.padW() == 0
            && g.windowsInside()) {
            max2x2(x, y, argmax, planes, inH, inW, outH, outW);
            return;
        }
        Parallel.parallelRange(planes, Math.max(1, CpuOps.GRAIN / (inH * inW)), (lo, hi) -> {
            for (int p = (int) lo; p < hi; p++) {
                int in = p * inH * inW;
                int out = p * outH * outW;
                for (int oh = 0; oh < outH; oh++) {
                    for (int ow = 0; ow < outW; ow++) {
                        window(x, in, oh, ow, g, y, argmax, out + oh * outW + ow);
                    }
                }
            }
        });
    }

    /**
     * The window of output (oh, ow) of the plane at {@code x[in ..]} into {@code y[at]} and
     * {@code argmax[at]}: first maximum wins, a NaN wins over numbers, the first NaN over later
     * ones; positions in the padding are skipped.
     */
    static void window(float[] x, int in, int oh, int ow, PoolGeometry g, float[] y, float[] argmax, int at) {
        int inH = g.inH();
        int inW = g.inW();
        int h0 = oh * g.strideH() - g.padH();
        int w0 = ow * g.strideW() - g.padW();
        float best = Float.NEGATIVE_INFINITY;
        int arg = -1;
        for (int h = Math.max(h0, 0); h < Math.min(h0 + g.kH(), inH); h++) {
            for (int w = Math.max(w0, 0); w < Math.min(w0 + g.kW(), inW); w++) {
                float v = x[in + h * inW + w];
                if (v > best || arg < 0 || (Float.isNaN(v) && !Float.isNaN(best))) {
                    best = v;
                    arg = h * inW + w;
                }
            }
        }
        y[at] = best;
        argmax[at] = arg;
    }

    /** The first output column whose window starts inside the row (no left padding in it). */
    static int firstInsideColumn(PoolGeometry g) {
        return Math.min(g.outW(), (g.padW() + g.strideW() - 1) / g.strideW());
    }

    /** One past the last output column whose window ends inside the row (at least {@link #firstInsideColumn}). */
    static int endInsideColumn(PoolGeometry g) {
        int lo = firstInsideColumn(g);
        int last = g.inW() - g.kW() + g.padW(); // the last inside window's first column, plus padW
        return last < 0 ? lo : Math.max(lo, Math.min(g.outW(), last / g.strideW() + 1));
    }

    /**
     * VGG's pooling (2x2, stride 2, no padding) without the general loop's window bounds: the
     * same result, scanned in the same order (first maximum wins; the first NaN wins, as PyTorch
     * propagates NaN). Three times faster on a 64x32x32 map.
     */
    private static void max2x2(float[] x, float[] y, float[] argmax, int planes, int inH, int inW, int outH,
                               int outW) {
        Parallel.parallelRange(planes, Math.max(1, CpuOps.GRAIN / (inH * inW)), (lo, hi) -> {
            for (int p = (int) lo; p < hi; p++) {
                int in = p * inH * inW;
                int out = p * outH * outW;
                for (int oh = 0; oh < outH; oh++) {
                    int r0 = 2 * oh * inW;
                    int o = out + oh * outW;
                    for (int ow = 0; ow < outW; ow++) {
                        window2x2(x, in, r0 + 2 * ow, inW, y, argmax, o + ow);
                    }
                }
            }
        });
    }

    /**
     * One 2x2 window whose top-left input is {@code x[in + a0]} into {@code y[at]} and
     * {@code argmax[at]} (its index {@code a0 + ...} within the plane): first maximum wins, a NaN
     * wins over numbers, the first NaN over later ones.
     */
    static void window2x2(float[] x, int in, int a0, int inW, float[] y, float[] argmax, int at) {
        float best = x[in + a0];
        int arg = a0;
        float v = x[in + a0 + 1];
        if (v > best || (v != v && best == best)) {
            best = v;
            arg = a0 + 1;
        }
        v = x[in + a0 + inW];
        if (v > best || (v != v && best == best)) {
            best = v;
            arg = a0 + inW;
        }
        v = x[in + a0 + inW + 1];
        if (v > best || (v != v && best == best)) {
            best = v;
            arg = a0 + inW + 1;
        }
        y[at] = best;
        argmax[at] = arg;
    }

    /** gradX (overwritten) [planes, inH, inW] gets each gradY at its argmax. */
    static void maxBackward(float[] gradY, float[] argmax, float[] gradX, int planes, PoolGeometry g) {
        int inSize = g.inH() * g.inW();
        int outSize = g.outH() * g.outW();
        Parallel.parallelRange(planes, Math.max(1, CpuOps.GRAIN / inSize), (lo, hi) -> {
            for (int p = (int) lo; p < hi; p++) {
                int in = p * inSize;
                int out = p * outSize;
                java.util.Arrays.fill(gradX, in, in + inSize, 0f);
                for (int i = 0; i < outSize; i++) {
                    gradX[in + (int) argmax[out + i]] += gradY[out + i];
                }
            }
        });
    }

    /** Average over the window's positions inside the image (padding not counted). */
    static void avgForward(float[] x, float[] y, int planes, PoolGeometry g) {
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        Parallel.parallelRange(planes, Math.max(1, CpuOps.GRAIN / (inH * inW)), (lo, hi) -> {
            for (int p = (int) lo; p < hi; p++) {
                int in = p * inH * inW;
                int out = p * outH * outW;
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = Math.max(oh * g.strideH() - g.padH(), 0);
                    int h1 = Math.min(oh * g.strideH() - g.padH() + g.kH(), inH);
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = Math.max(ow * g.strideW() - g.padW(), 0);
                        int w1 = Math.min(ow * g.strideW() - g.padW() + g.kW(), inW);
                        float s = 0f;
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                s += x[in + h * inW + w];
                            }
                        }
                        y[out + oh * outW + ow] = s / ((h1 - h0) * (w1 - w0));
                    }
                }
            }
        });
    }

    static void avgBackward(float[] gradY, float[] gradX, int planes, PoolGeometry g) {
        int inH = g.inH();
        int inW = g.inW();
        int outH = g.outH();
        int outW = g.outW();
        Parallel.parallelRange(planes, Math.max(1, CpuOps.GRAIN / (inH * inW)), (lo, hi) -> {
            for (int p = (int) lo; p < hi; p++) {
                int in = p * inH * inW;
                int out = p * outH * outW;
                java.util.Arrays.fill(gradX, in, in + inH * inW, 0f);
                for (int oh = 0; oh < outH; oh++) {
                    int h0 = Math.max(oh * g.strideH() - g.padH(), 0);
                    int h1 = Math.min(oh * g.strideH() - g.padH() + g.kH(), inH);
                    for (int ow = 0; ow < outW; ow++) {
                        int w0 = Math.max(ow * g.strideW() - g.padW(), 0);
                        int w1 = Math.min(ow * g.strideW() - g.padW() + g.kW(), inW);
                        float share = gradY[out + oh * outW + ow] / ((h1 - h0) * (w1 - w0));
                        for (int h = h0; h < h1; h++) {
                            for (int w = w0; w < w1; w++) {
                                gradX[in + h * inW + w] += share;
                            }
                        }
                    }
                }
            }
        });
    }

    /**
     * scale = k + alpha/size * sum_{window} x^2, y = x * scale^-beta, over x [N, C, S]. The window
     * of channel c is [c - size/2, c + (size-1)/2] (PyTorch's padding), clipped.
     */
    static void lrnForward(float[] x, float[] y, float[] scale, int n, int c, int s, LrnParams p) {
        float coef = p.alpha() / p.size();
        int before = p.size() / 2;
        int after = (p.size() - 1) / 2;
        Parallel.parallelRange((long) n * s, Math.max(1, CpuOps.GRAIN / Math.max(1, c)), (lo, hi) -> {
            for (long ns = lo; ns < hi; ns++) {
                int img = (int) (ns / s);
                int pos = (int) (ns % s);
                int base = img * c * s + pos;
                for (int ch = 0; ch < c; ch++) {
                    float sq = 0f;
                    for (int q = Math.max(0, ch - before); q <= Math.min(c - 1, ch + after); q++) {
                        float v = x[base + q * s];
                        sq += v * v;
                    }
                    int i = base + ch * s;
                    float sc = p.k() + coef * sq;
                    scale[i] = sc;
                    y[i] = x[i] * (float) Math.pow(sc, -p.beta());
                }
            }
        });
    }

    /**
     * gradX[c] = gradY[c] * scale[c]^-beta
     *          - 2*alpha*beta/size * x[c] * sum_{c' : c in window(c')} gradY[c'] * y[c'] / scale[c'].
     */
    static void lrnBackward(float[] x, float[] y, float[] scale, float[] gradY, float[] gradX,
                            int n, int c, int s, LrnParams p) {
        float coef = 2f * p.alpha() * p.beta() / p.size();
        int before = p.size() / 2;
        int after = (p.size() - 1) / 2;
        Parallel.parallelRange((long) n * s, Math.max(1, CpuOps.GRAIN / Math.max(1, c)), (lo, hi) -> {
            for (long ns = lo; ns < hi; ns++) {
                int img = (int) (ns / s);
                int pos = (int) (ns % s);
                int base = img * c * s + pos;
                for (int ch = 0; ch < c; ch++) {
                    // c' whose window holds ch: c' - before <= ch <= c' + after
                    float acc = 0f;
                    for (int q = Math.max(0, ch - after); q <= Math.min(c - 1, ch + before); q++) {
                        int iq = base + q * s;
                        acc += gradY[iq] * y[iq] / scale[iq];
                    }
                    int i = base + ch * s;
                    gradX[i] = gradY[i] * (float) Math.pow(scale[i], -p.beta()) - coef * x[i] * acc;
                }
            }
        });
    }
}
