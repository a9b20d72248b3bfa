/*
 * Max / average pooling and cross-channel LRN over NCHW planes. Forward: one work-item per
 * output. Backward gathers (one work-item per input element sums the outputs whose window
 * holds it), so overlapping windows need no atomics. argmax holds h*W + w within the plane.
 */

__kernel void maxpool_forward(__global const float* x, __global float* y, __global float* argmax,
                              const int H, const int W, const int kH, const int kW, const int sH, const int sW,
                              const int pH, const int pW, const int outH, const int outW, const long total)
{
    long o = get_global_id(0);
    if (o >= total) return;
    int ow = (int)(o % outW), oh = (int)((o / outW) % outH);
    long plane = o / ((long)outW * outH);
    int h0 = oh * sH - pH, w0 = ow * sW - pW;
    __global const float* xp = x + plane * H * W;
    float best = -INFINITY;
    int arg = -1;
    for (int h = max(h0, 0); h < min(h0 + kH, H); h++)
        for (int w = max(w0, 0); w < min(w0 + kW, W); w++) {
            float v = xp[h * W + w];
            if (v > best || arg < 0 || (isnan(v) && !isnan(best))) { best = v; arg = h * W + w; }
        }
    y[o] = best;
    argmax[o] = (float)arg;
}

__kernel void maxpool_backward(__global const float* gy, __global const float* argmax, __global float* gx,
                               const int H, const int W, const int kH, const int kW, const int sH, const int sW,
                               const int pH, const int pW, const int outH, const int outW, const long total)
{
    long p = get_global_id(0);
    if (p >= total) return;
    int w = (int)(p % W), h = (int)((p / W) % H);
    long plane = p / ((long)W * H);
    int me = h * W + w;
    long base = plane * outH * outW;
    float sum = 0.0f;
    // windows holding (h, w): oh*sH - pH <= h < oh*sH - pH + kH
    int th = h + pH - kH + 1, tw = w + pW - kW + 1;
    int ohLo = th <= 0 ? 0 : (th + sH - 1) / sH, ohHi = min(outH - 1, (h + pH) / sH);
    int owLo = tw <= 0 ? 0 : (tw + sW - 1) / sW, owHi = min(outW - 1, (w + pW) / sW);
    for (int oh = ohLo; oh <= ohHi; oh++)
        for (int ow = owLo; ow <= owHi; ow++) {
            long o = base + oh * outW + ow;
            if ((int)argmax[o] == me) sum += gy[o];
        }
    gx[p] = sum;
}

__kernel void avgpool_forward(__global const float* x, __global float* y,
                              const int H, const int W, const int kH, const int kW, const int sH, const int sW,
                              const int pH, const int pW, const int outH, const int outW, const long total)
{
    long o = get_global_id(0);
    if (o >= total) return;
    int ow = (int)(o % outW), oh = (int)((o / outW) % outH);
    long plane = o / ((long)outW * outH);
    int h0 = max(oh * sH - pH, 0), h1 = min(oh * sH - pH + kH, H);
    int w0 = max(ow * sW - pW, 0), w1 = min(ow * sW - pW + kW, W);
    __global const float* xp = x + plane * H * W;
    float s = 0.0f;
    for (int h = h0; h < h1; h++)
        for (int w = w0; w < w1; w++) s += xp[h * W + w];
    y[o] = s / ((h1 - h0) * (w1 - w0));
}

__kernel void avgpool_backward(__global const float* gy, __global float* gx,
                               const int H, const int W, const int kH, const int kW, const int sH, const int sW,
                               const int pH, const int pW, const int outH, const int outW, const long total)
{
    long p = get_global_id(0);
    if (p >= total) return;
    int w = (int)(p % W), h = (int)((p / W) % H);
    long plane = p / ((long)W * H);
    long base = plane * outH * outW;
    float sum = 0.0f;
    for (int oh = 0; oh < outH; oh++) {
        int h0 = oh * sH - pH;
        if (h < h0 || h >= h0 + kH) continue;
        for (int ow = 0; ow < outW; ow++) {
            int w0 = ow * sW - pW;
            if (w < w0 || w >= w0 + kW) continue;
            int a0 = max(h0, 0), a1 = min(h0 + kH, H), b0 = max(w0, 0), b1 = min(w0 + kW, W);
            sum += gy[base + oh * outW + ow] / ((a1 - a0) * (b1 - b0));
        }
    }
    gx[p] = sum;
}

/* scale = k + alpha/size * sum_{window} x^2, y = x * scale^-beta, over x [N, C, S] */
__kernel void lrn_forward(__global const float* x, __global float* y, __global float* scale,
                          const int C, const int S, const int size, const float alpha, const float beta,
                          const float k, const long total)
{
    long e = get_global_id(0);
    if (e >= total) return;
    int s = (int)(e % S), c = (int)((e / S) % C);
    long n = e / ((long)S * C);
    int lo = max(0, c - size / 2), hi = min(C - 1, c + (size - 1) / 2);
    float sq = 0.0f;
    for (int q = lo; q <= hi; q++) {
        float v = x[(n * C + q) * S + s];
        sq += v * v;
    }
    float sc = k + alpha / size * sq;
    scale[e] = sc;
    y[e] = x[e] * pow(sc, -beta);
}

__kernel void lrn_backward(__global const float* x, __global const float* y, __global const float* scale,
                           __global const float* gy, __global float* gx,
                           const int C, const int S, const int size, const float alpha, const float beta,
                           const long total)
{
    long e = get_global_id(0);
    if (e >= total) return;
    int s = (int)(e % S), c = (int)((e / S) % C);
    long n = e / ((long)S * C);
    int lo = max(0, c - (size - 1) / 2), hi = min(C - 1, c + size / 2);
    float acc = 0.0f;
    for (int q = lo; q <= hi; q++) {
        long iq = (n * C + q) * S + s;
        acc += gy[iq] * y[iq] / scale[iq];
    }
    gx[e] = gy[e] * pow(scale[e], -beta) - 2.0f * alpha * beta / size * x[e] * acc;
}
