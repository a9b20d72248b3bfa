/*
 * im2col / col2im for convolution as GEMM (Caffe's row order), over a chunk of images placed
 * side by side so that one GEMM sees nb * outH * outW columns:
 *
 *   col[((c*kH + i)*kW + j) * ldCol + b*outH*outW + oh*outW + ow]
 *       = x[((n0 + b)*C + c)*H*W + (oh*sH - pH + i)*W + (ow*sW - pW + j)]   (0 outside the image)
 *
 * im2col: one work-item per col element (row, column), dim 0 along the columns (coalesced
 * writes). col2im gathers instead of scattering (no atomics): one work-item per input pixel
 * sums the col entries that read it. chunk/unchunk move [nb, O, S] <-> [O, nb*S].
 */

__kernel void im2col(__global const float* x, const int n0, const int nb,
                     const int C, const int H, const int W, const int kH, const int kW,
                     const int sH, const int sW, const int pH, const int pW, const int outH, const int outW,
                     __global float* col, const int ldCol)
{
    const int s = get_global_id(0);              // column: b*outH*outW + oh*outW + ow
    const int row = get_global_id(1);            // (c*kH + i)*kW + j
    const int S = outH * outW;
    if (s >= nb * S || row >= C * kH * kW) return;
    const int b = s / S, rem = s % S, oh = rem / outW, ow = rem % outW;
    const int j = row % kW, i = (row / kW) % kH, c = row / (kW * kH);
    const int h = oh * sH - pH + i, w = ow * sW - pW + j;
    float v = 0.0f;
    if (h >= 0 && h < H && w >= 0 && w < W)
        v = x[(((long)(n0 + b) * C + c) * H + h) * W + w];
    col[(long)row * ldCol + s] = v;
}

__kernel void col2im(__global const float* col, const int ldCol, const int n0, const int nb,
                     const int C, const int H, const int W, const int kH, const int kW,
                     const int sH, const int sW, const int pH, const int pW, const int outH, const int outW,
                     __global float* x, const int accumulate)
{
    const int p = get_global_id(0);              // b*C*H*W + c*H*W + h*W + w
    if (p >= nb * C * H * W) return;
    const int w = p % W, h = (p / W) % H, c = (p / (W * H)) % C, b = p / (W * H * C);
    const int S = outH * outW;
    float sum = 0.0f;
    for (int i = 0; i < kH; i++) {
        int t = h + pH - i;
        if (t < 0 || t % sH != 0) continue;
        int oh = t / sH;
        if (oh >= outH) continue;
        for (int j = 0; j < kW; j++) {
            int u = w + pW - j;
            if (u < 0 || u % sW != 0) continue;
            int ow = u / sW;
            if (ow >= outW) continue;
            sum += col[(long)((c * kH + i) * kW + j) * ldCol + b * S + oh * outW + ow];
        }
    }
    long at = (long)n0 * C * H * W + p;
    x[at] = accumulate ? x[at] + sum : sum;
}

/* wide[o*ldw + b*S + s] -> y[((n0+b)*O + o)*S + s] (+ bias[o] when hasBias; then max(0, .) when relu) */
__kernel void unchunk(__global const float* wide, const int ldw, const int n0, const int nb, const int O, const int S,
                      __global float* y, __global const float* bias, const int hasBias, const int relu)
{
    const int s = get_global_id(0);
    const int ob = get_global_id(1);             // b*O + o
    if (s >= S || ob >= nb * O) return;
    const int o = ob % O, b = ob / O;
    float v = wide[(long)o * ldw + b * S + s];
    if (hasBias) v += bias[o];
    if (relu) v = fmax(v, 0.0f);
    y[((long)(n0 + b) * O + o) * S + s] = v;
}

/* y[((n0+b)*O + o)*S + s] -> wide[o*ldw + b*S + s] */
__kernel void chunk(__global const float* y, const int n0, const int nb, const int O, const int S,
                    __global float* wide, const int ldw)
{
    const int s = get_global_id(0);
    const int ob = get_global_id(1);
    if (s >= S || ob >= nb * O) return;
    const int o = ob % O, b = ob / O;
    wide[(long)o * ldw + b * S + s] = y[((long)(n0 + b) * O + o) * S + s];
}
