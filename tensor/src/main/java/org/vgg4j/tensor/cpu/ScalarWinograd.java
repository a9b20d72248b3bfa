package org.vgg4j.tensor.cpu;

import org.vgg4j.tensor.ConvGeometry;

/**
 * The transforms of {@link CpuWinograd} in plain loops, channel-major ({@code V [16][C][T]},
 * {@code M [16][O][T]}, {@code U} and {@code dU [16][O][C]}): the scalar backend's path, and the
 * second implementation the Vector API one ({@link VectorWinograd}) is tested against.
 */
final class ScalarWinograd {
    private ScalarWinograd() {}

    /**
     * U [16][O][C] = G g G^T for every 3x3 filter g of w [O, C, 3, 3] (the Vector API path has its
     * own, {@link VectorWinogradFilters#filterTransform}). Filters go in blocks of 16 along C, staged in
     * a small buffer, so that each of the 16 slices (a power-of-two distance apart, which maps
     * them onto the same cache sets) gets whole lines.
     */
    static void filterTransform(float[] w, int outC, int inC, float[] u) {
        int xs = outC * inC;
        int blocks = (inC + 15) / 16;
        Parallel.parallelRange(blocks, 1, (lo, hi) -> {
            float[] buf = new float[256];
            for (int blk = (int) lo; blk < hi; blk++) {
                int j0 = blk * 16;
                int jn = Math.min(16, inC - j0);
                for (int a = 0; a < outC; a++) {
                    for (int j = 0; j < jn; j++) {
                        int f = (a * inC + j0 + j) * 9;
                        // G g: rows g0, (g0+g1+g2)/2, (g0-g1+g2)/2, g2; each row then times G^T
                        float a0 = w[f];
                        float a1 = w[f + 1];
                        float a2 = w[f + 2];
                        float c0 = w[f + 6];
                        float c1 = w[f + 7];
                        float c2 = w[f + 8];
                        float s0 = 0.5f * (a0 + c0);
                        float s1 = 0.5f * (a1 + c1);
                        float s2 = 0.5f * (a2 + c2);
                        float h0 = 0.5f * w[f + 3];
                        float h1 = 0.5f * w[f + 4];
                        float h2 = 0.5f * w[f + 5];
                        filterRow(buf, j, a0, a1, a2);
                        filterRow(buf, 64 + j, s0 + h0, s1 + h1, s2 + h2);
                        filterRow(buf, 128 + j, s0 - h0, s1 - h1, s2 - h2);
                        filterRow(buf, 192 + j, c0, c1, c2);
                    }
                    int q0 = a * inC + j0;
                    for (int xi = 0; xi < 16; xi++) {
                        System.arraycopy(buf, xi * 16, u, xi * xs + q0, jn);
                    }
                }
            }
        });
    }

    /** Row (g0, g1, g2) times G^T into buf[o], buf[o + 16], buf[o + 32], buf[o + 48]. */
    private static void filterRow(float[] buf, int o, float g0, float g1, float g2) {
        float s = 0.5f * (g0 + g2);
        float h = 0.5f * g1;
        buf[o] = g0;
        buf[o + 16] = s + h;
        buf[o + 32] = s - h;
        buf[o + 48] = g2;
    }

    /** gradW [O, C, 3, 3] += G^T dU G for dU [16][O][C] (the adjoint of {@link #filterTransform}). */
    static void filterGradTransform(float[] du, int outC, int inC, float[] gradW) {
        int xs = outC * inC;
        int blocks = (inC + 15) / 16;
        Parallel.parallelRange(blocks, 1, (lo, hi) -> {
            float[] buf = new float[256];
            for (int blk = (int) lo; blk < hi; blk++) {
                int j0 = blk * 16;
                int jn = Math.min(16, inC - j0);
                for (int o = 0; o < outC; o++) {
                    int q0 = o * inC + j0;
                    for (int xi = 0; xi < 16; xi++) {
                        System.arraycopy(du, xi * xs + q0, buf, xi * 16, jn);
                    }
                    for (int j = 0; j < jn; j++) {
                        // t = dU G, row i: (u0 + (u1+u2)/2, (u1-u2)/2, (u1+u2)/2 + u3)
                        float t00 = gRow0(buf, j);
                        float t01 = gRow1(buf, j);
                        float t02 = gRow2(buf, j);
                        float t10 = gRow0(buf, 64 + j);
                        float t11 = gRow1(buf, 64 + j);
                        float t12 = gRow2(buf, 64 + j);
                        float t20 = gRow0(buf, 128 + j);
                        float t21 = gRow1(buf, 128 + j);
                        float t22 = gRow2(buf, 128 + j);
                        float t30 = gRow0(buf, 192 + j);
                        float t31 = gRow1(buf, 192 + j);
                        float t32 = gRow2(buf, 192 + j);
                        // G^T t: rows t0 + (t1+t2)/2, (t1-t2)/2, (t1+t2)/2 + t3
                        int f = (q0 + j) * 9;
                        gradW[f] += t00 + 0.5f * (t10 + t20);
                        gradW[f + 1] += t01 + 0.5f * (t11 + t21);
                        gradW[f + 2] += t02 + 0.5f * (t12 + t22);
                        gradW[f + 3] += 0.5f * (t10 - t20);
                        gradW[f + 4] += 0.5f * (t11 - t21);
                        gradW[f + 5] += 0.5f * (t12 - t22);
                        gradW[f + 6] += 0.5f * (t10 + t20) + t30;
                        gradW[f + 7] += 0.5f * (t11 + t21) + t31;
                        gradW[f + 8] += 0.5f * (t12 + t22) + t32;
                    }
                }
            }
        });
    }

    private static float gRow0(float[] b, int o) {
        return b[o] + 0.5f * (b[o + 16] + b[o + 32]);
    }

    private static float gRow1(float[] b, int o) {
        return 0.5f * (b[o + 16] - b[o + 32]);
    }

    private static float gRow2(float[] b, int o) {
        return 0.5f * (b[o + 16] + b[o + 32]) + b[o + 48];
    }

    /**
     * Runs body over the channels x nb planes of a chunk in parallel, channel-major: consecutive
     * planes are consecutive tiles of V or M, so the 16 transformed streams are written in order.
     * Each task gets a scratch plane of {@code scratch} floats.
     */
    private static void forEachPlane(int nb, int channels, int per, int scratch, PlaneBody body) {
        Parallel.parallelRange((long) nb * channels, Math.max(1, 2048 / Math.max(1, per)), (lo, hi) -> {
            float[] pad = CpuWinograd.scratch(scratch);
            for (long q = lo; q < hi; q++) {
                body.run((int) (q % nb), (int) (q / nb), pad);
            }
        });
    }

    /** A body over one (image of the chunk, channel) plane, with a scratch plane. */
    @FunctionalInterface
    private interface PlaneBody {
        void run(int image, int channel, float[] scratch);
    }

    /** V [16][C][T] = B^T d B for every 4x4 input tile d of images n0 .. n0+nb-1 of x. */
    static void inputTransform(float[] x, int n0, int nb, ConvGeometry g, float[] v, int t) {
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int tH = CpuWinograd.tilesH(g);
        int tW = CpuWinograd.tilesW(g);
        int per = tH * tW;
        int xs = inC * t;
        int wp = 2 * tW + 2;
        int hp = 2 * tH + 2;
        int padH = g.padH();
        int padW = g.padW();
        forEachPlane(nb, inC, per, hp * wp, (i, c, p) -> {
            // the plane, zero-padded so that every tile reads inside p
            int plane = ((n0 + i) * inC + c) * inH * inW;
            java.util.Arrays.fill(p, 0, hp * wp, 0f);
            for (int h = 0; h < inH; h++) {
                int ph = h + padH;
                if (ph < hp) {
                    System.arraycopy(x, plane + h * inW, p, ph * wp + padW, Math.min(inW, wp - padW));
                }
            }
            int o = c * t + i * per;
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++, o++) {
                    int r0 = 2 * ty * wp + 2 * tx;
                    int r1 = r0 + wp;
                    int r2 = r1 + wp;
                    int r3 = r2 + wp;
                    // rows of B^T d: d0 - d2, d1 + d2, d2 - d1, d1 - d3; each row then times B
                    inputRow(v, o, xs, p[r0] - p[r2], p[r0 + 1] - p[r2 + 1], p[r0 + 2] - p[r2 + 2], p[r0 + 3] - p[r2 + 3]);
                    inputRow(v, o + 4 * xs, xs, p[r1] + p[r2], p[r1 + 1] + p[r2 + 1], p[r1 + 2] + p[r2 + 2],
                        p[r1 + 3] + p[r2 + 3]);
                    inputRow(v, o + 8 * xs, xs, p[r2] - p[r1], p[r2 + 1] - p[r1 + 1], p[r2 + 2] - p[r1 + 2],
                        p[r2 + 3] - p[r1 + 3]);
                    inputRow(v, o + 12 * xs, xs, p[r1] - p[r3], p[r1 + 1] - p[r3 + 1], p[r1 + 2] - p[r3 + 2],
                        p[r1 + 3] - p[r3 + 3]);
                }
            }
        });
    }

    private static void inputRow(float[] v, int o, int xs, float q0, float q1, float q2, float q3) {
        v[o] = q0 - q2;
        v[o + xs] = q1 + q2;
        v[o + 2 * xs] = q2 - q1;
        v[o + 3 * xs] = q1 - q3;
    }

    /** y (images n0 ..) = A^T M A for every tile, cut at the image edge (overwrites). */
    static void outputTransform(float[] m, int t, ConvGeometry g, float[] y, int n0, int nb) {
        int outC = g.outC();
        int outH = g.outH();
        int outW = g.outW();
        int tH = CpuWinograd.tilesH(g);
        int tW = CpuWinograd.tilesW(g);
        int per = tH * tW;
        int xs = outC * t;
        boolean even = outH % 2 == 0 && outW % 2 == 0;
        int ws = 2 * tW;
        forEachPlane(nb, outC, per, even ? 0 : 4 * per, (i, o, p) -> {
            int plane = ((n0 + i) * outC + o) * outH * outW;
            float[] dst = even ? y : p;
            int base = even ? plane : 0;
            int stride = even ? outW : ws;
            int s = o * t + i * per;
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++, s++) {
                    // rows of A^T M: m0 + m1 + m2, m1 - m2 - m3 (four columns each)
                    float a0 = m[s];
                    float a1 = m[s + xs];
                    float a2 = m[s + 2 * xs];
                    float a3 = m[s + 3 * xs];
                    float b0 = m[s + 4 * xs];
                    float b1 = m[s + 5 * xs];
                    float b2 = m[s + 6 * xs];
                    float b3 = m[s + 7 * xs];
                    float c0 = m[s + 8 * xs];
                    float c1 = m[s + 9 * xs];
                    float c2 = m[s + 10 * xs];
                    float c3 = m[s + 11 * xs];
                    float d0 = m[s + 12 * xs];
                    float d1 = m[s + 13 * xs];
                    float d2 = m[s + 14 * xs];
                    float d3 = m[s + 15 * xs];
                    float e0 = a0 + b0 + c0;
                    float e1 = a1 + b1 + c1;
                    float e2 = a2 + b2 + c2;
                    float e3 = a3 + b3 + c3;
                    float f0 = b0 - c0 - d0;
                    float f1 = b1 - c1 - d1;
                    float f2 = b2 - c2 - d2;
                    float f3 = b3 - c3 - d3;
                    int at = base + 2 * ty * stride + 2 * tx;
                    dst[at] = e0 + e1 + e2;
                    dst[at + 1] = e1 - e2 - e3;
                    dst[at + stride] = f0 + f1 + f2;
                    dst[at + stride + 1] = f1 - f2 - f3;
                }
            }
            if (!even) {
                for (int h = 0; h < outH; h++) {
                    System.arraycopy(p, h * ws, y, plane + h * outW, outW);
                }
            }
        });
    }

    /** dM [16][O][T] = A dY A^T for every 2x2 tile of gradY (zero past the image edge). */
    static void gradOutputTransform(float[] gy, int n0, int nb, ConvGeometry g, float[] m, int t) {
        int outC = g.outC();
        int outH = g.outH();
        int outW = g.outW();
        int tH = CpuWinograd.tilesH(g);
        int tW = CpuWinograd.tilesW(g);
        int per = tH * tW;
        int xs = outC * t;
        boolean even = outH % 2 == 0 && outW % 2 == 0;
        int ws = 2 * tW;
        forEachPlane(nb, outC, per, even ? 0 : 4 * per, (i, o, p) -> {
            int plane = ((n0 + i) * outC + o) * outH * outW;
            float[] src = gy;
            int base = plane;
            int stride = outW;
            if (!even) {
                java.util.Arrays.fill(p, 0, 4 * per, 0f);
                for (int h = 0; h < outH; h++) {
                    System.arraycopy(gy, plane + h * outW, p, h * ws, outW);
                }
                src = p;
                base = 0;
                stride = ws;
            }
            int s = o * t + i * per;
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++, s++) {
                    int at = base + 2 * ty * stride + 2 * tx;
                    float a = src[at];
                    float b = src[at + 1];
                    float c = src[at + stride];
                    float d = src[at + stride + 1];
                    // A (a b; c d) A^T with A (p, q) = (p, p+q, p-q, -q), rows then columns
                    store4(m, s, xs, a, b);
                    store4(m, s + 4 * xs, xs, a + c, b + d);
                    store4(m, s + 8 * xs, xs, a - c, b - d);
                    store4(m, s + 12 * xs, xs, -c, -d);
                }
            }
        });
    }

    private static void store4(float[] m, int o, int xs, float p, float q) {
        m[o] = p;
        m[o + xs] = p + q;
        m[o + 2 * xs] = p - q;
        m[o + 3 * xs] = -q;
    }

    /** gradX (images n0 ..) = the sum over tiles of B dV B^T, dropping padding (overwrites). */
    static void gradInputTransform(float[] v, int t, ConvGeometry g, float[] gx, int n0, int nb) {
        int inC = g.inC();
        int inH = g.inH();
        int inW = g.inW();
        int tH = CpuWinograd.tilesH(g);
        int tW = CpuWinograd.tilesW(g);
        int per = tH * tW;
        int xs = inC * t;
        int wp = 2 * tW + 2;
        int hp = 2 * tH + 2;
        int padH = g.padH();
        int padW = g.padW();
        forEachPlane(nb, inC, per, hp * wp, (i, c, p) -> {
            java.util.Arrays.fill(p, 0, hp * wp, 0f);
            int s = c * t + i * per;
            for (int ty = 0; ty < tH; ty++) {
                for (int tx = 0; tx < tW; tx++, s++) {
                    // rows of B dV: v0, v1 - v2 + v3, v1 + v2 - v0, -v3 (four columns each)
                    float a0 = v[s];
                    float a1 = v[s + xs];
                    float a2 = v[s + 2 * xs];
                    float a3 = v[s + 3 * xs];
                    float b0 = v[s + 4 * xs];
                    float b1 = v[s + 5 * xs];
                    float b2 = v[s + 6 * xs];
                    float b3 = v[s + 7 * xs];
                    float c0 = v[s + 8 * xs];
                    float c1 = v[s + 9 * xs];
                    float c2 = v[s + 10 * xs];
                    float c3 = v[s + 11 * xs];
                    float d0 = v[s + 12 * xs];
                    float d1 = v[s + 13 * xs];
                    float d2 = v[s + 14 * xs];
                    float d3 = v[s + 15 * xs];
                    int r0 = 2 * ty * wp + 2 * tx;
                    gradRow(p, r0, a0, a1, a2, a3);
                    gradRow(p, r0 + wp, b0 - c0 + d0, b1 - c1 + d1, b2 - c2 + d2, b3 - c3 + d3);
                    gradRow(p, r0 + 2 * wp, b0 + c0 - a0, b1 + c1 - a1, b2 + c2 - a2, b3 + c3 - a3);
                    gradRow(p, r0 + 3 * wp, -d0, -d1, -d2, -d3);
                }
            }
            int plane = ((n0 + i) * inC + c) * inH * inW;
            int covered = Math.max(0, Math.min(inW, wp - padW));
            for (int h = 0; h < inH; h++) {
                int ph = h + padH;
                int row = plane + h * inW;
                int n = ph < hp ? covered : 0; // pixels no tile reads have a zero gradient
                if (n > 0) {
                    System.arraycopy(p, ph * wp + padW, gx, row, n);
                }
                java.util.Arrays.fill(gx, row + n, row + inW, 0f);
            }
        });
    }

    /** Adds (row) B^T, i.e. (q0, q1 - q2 + q3, q1 + q2 - q0, -q3), into p[at ..]. */
    private static void gradRow(float[] p, int at, float q0, float q1, float q2, float q3) {
        p[at] += q0;
        p[at + 1] += q1 - q2 + q3;
        p[at + 2] += q1 + q2 - q0;
        p[at + 3] -= q3;
    }
}
