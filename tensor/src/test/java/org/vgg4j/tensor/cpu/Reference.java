package org.vgg4j.tensor.cpu;

import org.vgg4j.tensor.ConvGeometry;
import org.vgg4j.tensor.LrnParams;
import org.vgg4j.tensor.PoolGeometry;

/** Direct double-precision definitions of the ops, written from the formulas, not from the kernels. */
final class Reference {
    private Reference() {}

    static double[] conv(float[] x, float[] w, float[] b, int n, ConvGeometry g) {
        int oh = g.outH();
        int ow = g.outW();
        double[] y = new double[n * g.outC() * oh * ow];
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < g.outC(); o++) {
                for (int i = 0; i < oh; i++) {
                    for (int j = 0; j < ow; j++) {
                        double s = b == null ? 0 : b[o];
                        for (int c = 0; c < g.inC(); c++) {
                            for (int u = 0; u < g.kH(); u++) {
                                for (int v = 0; v < g.kW(); v++) {
                                    int h = i * g.strideH() - g.padH() + u;
                                    int ww = j * g.strideW() - g.padW() + v;
                                    if (h >= 0 && h < g.inH() && ww >= 0 && ww < g.inW()) {
                                        s += (double) x[((img * g.inC() + c) * g.inH() + h) * g.inW() + ww]
                                            * w[((o * g.inC() + c) * g.kH() + u) * g.kW() + v];
                                    }
                                }
                            }
                        }
                        y[((img * g.outC() + o) * oh + i) * ow + j] = s;
                    }
                }
            }
        }
        return y;
    }

    /** Input gradient: the transpose of conv applied to gradY. */
    static double[] convBackwardData(float[] gy, float[] w, int n, ConvGeometry g) {
        double[] gx = new double[n * g.inC() * g.inH() * g.inW()];
        forEachTap(n, g, (img, o, i, j, c, h, ww, u, v) ->
            gx[((img * g.inC() + c) * g.inH() + h) * g.inW() + ww] +=
                (double) gy[((img * g.outC() + o) * g.outH() + i) * g.outW() + j]
                    * w[((o * g.inC() + c) * g.kH() + u) * g.kW() + v]);
        return gx;
    }

    static double[] convBackwardWeights(float[] x, float[] gy, int n, ConvGeometry g) {
        double[] gw = new double[g.outC() * g.inC() * g.kH() * g.kW()];
        forEachTap(n, g, (img, o, i, j, c, h, ww, u, v) ->
            gw[((o * g.inC() + c) * g.kH() + u) * g.kW() + v] +=
                (double) gy[((img * g.outC() + o) * g.outH() + i) * g.outW() + j]
                    * x[((img * g.inC() + c) * g.inH() + h) * g.inW() + ww]);
        return gw;
    }

    interface Tap {
        void at(int img, int o, int i, int j, int c, int h, int w, int u, int v);
    }

    static void forEachTap(int n, ConvGeometry g, Tap tap) {
        for (int img = 0; img < n; img++) {
            for (int o = 0; o < g.outC(); o++) {
                for (int i = 0; i < g.outH(); i++) {
                    for (int j = 0; j < g.outW(); j++) {
                        for (int c = 0; c < g.inC(); c++) {
                            for (int u = 0; u < g.kH(); u++) {
                                for (int v = 0; v < g.kW(); v++) {
                                    int h = i * g.strideH() - g.padH() + u;
                                    int w = j * g.strideW() - g.padW() + v;
                                    if (h >= 0 && h < g.inH() && w >= 0 && w < g.inW()) {
                                        tap.at(img, o, i, j, c, h, w, u, v);
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    static double[] maxPool(float[] x, int planes, PoolGeometry g, int[] argmax) {
        double[] y = new double[planes * g.outH() * g.outW()];
        int k = 0;
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < g.outH(); i++) {
                for (int j = 0; j < g.outW(); j++, k++) {
                    double best = Double.NEGATIVE_INFINITY;
                    for (int u = 0; u < g.kH(); u++) {
                        for (int v = 0; v < g.kW(); v++) {
                            int h = i * g.strideH() - g.padH() + u;
                            int w = j * g.strideW() - g.padW() + v;
                            if (h >= 0 && h < g.inH() && w >= 0 && w < g.inW()) {
                                double val = x[(p * g.inH() + h) * g.inW() + w];
                                if (val > best) {
                                    best = val;
                                    argmax[k] = h * g.inW() + w;
                                }
                            }
                        }
                    }
                    y[k] = best;
                }
            }
        }
        return y;
    }

    static double[] avgPool(float[] x, int planes, PoolGeometry g) {
        double[] y = new double[planes * g.outH() * g.outW()];
        int k = 0;
        for (int p = 0; p < planes; p++) {
            for (int i = 0; i < g.outH(); i++) {
                for (int j = 0; j < g.outW(); j++, k++) {
                    double s = 0;
                    int count = 0;
                    for (int u = 0; u < g.kH(); u++) {
                        for (int v = 0; v < g.kW(); v++) {
                            int h = i * g.strideH() - g.padH() + u;
                            int w = j * g.strideW() - g.padW() + v;
                            if (h >= 0 && h < g.inH() && w >= 0 && w < g.inW()) {
                                s += x[(p * g.inH() + h) * g.inW() + w];
                                count++;
                            }
                        }
                    }
                    y[k] = s / count;
                }
            }
        }
        return y;
    }

    /** LRN output for x [N, C, S], in double. */
    static double[] lrn(float[] x, int n, int c, int s, LrnParams p) {
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return lrn(d, n, c, s, p);
    }

    static double[] lrn(double[] x, int n, int c, int s, LrnParams p) {
        double[] y = new double[x.length];
        for (int img = 0; img < n; img++) {
            for (int ch = 0; ch < c; ch++) {
                for (int pos = 0; pos < s; pos++) {
                    double sq = 0;
                    for (int q = ch - p.size() / 2; q <= ch + (p.size() - 1) / 2; q++) {
                        if (q >= 0 && q < c) {
                            double v = x[(img * c + q) * s + pos];
                            sq += v * v;
                        }
                    }
                    int i = (img * c + ch) * s + pos;
                    y[i] = x[i] / Math.pow(p.k() + (double) p.alpha() / p.size() * sq, p.beta());
                }
            }
        }
        return y;
    }
}
