/*
 * Elementwise ops over flat float arrays (one work-item per element, dim 0), bias over
 * [N, C, S] views, dropout with the counter-based generator of org.vgg4j.tensor.Rng, and the
 * SGD update. Every kernel guards against the NDRange being rounded up past n; sizes and element
 * indices are 64-bit (a tensor may hold more than 2^31 floats on a large GPU).
 */

__kernel void relu_forward(__global const float* x, __global float* y, const long n) {
    long i = get_global_id(0);
    if (i < n) y[i] = fmax(x[i], 0.0f);
}

__kernel void relu_backward(__global const float* y, __global const float* gy, __global float* gx, const long n) {
    long i = get_global_id(0);
    if (i < n) gx[i] = y[i] > 0.0f ? gy[i] : 0.0f;
}

__kernel void scale(__global const float* x, const float alpha, __global float* y, const long n) {
    long i = get_global_id(0);
    if (i < n) y[i] = alpha * x[i];
}

__kernel void axpy(const float alpha, __global const float* x, __global float* y, const long n) {
    long i = get_global_id(0);
    if (i < n) y[i] += alpha * x[i];
}

__kernel void add(__global const float* a, __global const float* b, __global float* out, const long n) {
    long i = get_global_id(0);
    if (i < n) out[i] = a[i] + b[i];
}

__kernel void mul(__global const float* a, __global const float* b, __global float* out, const long n) {
    long i = get_global_id(0);
    if (i < n) out[i] = a[i] * b[i];
}

/* y[N, C, S] += bias[C]; dim 0 along S, dim 1 over N*C */
__kernel void bias_add(__global float* y, __global const float* bias, const int C, const int S, const int NC) {
    int s = get_global_id(0), nc = get_global_id(1);
    if (s < S && nc < NC) y[(long)nc * S + s] += bias[nc % C];
}

/* gradBias[c] += sum over n, s of gy[n, c, s]: one work-group per channel, tree reduction */
#ifndef REDUCE_WG
#define REDUCE_WG 64  // work-items per reduction work-group (a power of two)
#endif
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void bias_grad(__global const float* gy, __global float* gb, const int N, const int C, const int S) {
    __local float part[REDUCE_WG];
    const int c = get_group_id(0), t = get_local_id(0);
    float acc = 0.0f;
    for (long e = t; e < (long)N * S; e += REDUCE_WG) {
        long n = e / S, s = e % S;
        acc += gy[(n * C + c) * S + s];
    }
    part[t] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = REDUCE_WG / 2; w > 0; w >>= 1) {
        if (t < w) part[t] += part[t + w];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (t == 0) gb[c] += part[0];
}

/* SplitMix64's finaliser: the same numbers as org.vgg4j.tensor.Rng.uniform(seed, i) */
inline float rng_uniform(ulong seed, ulong i) {
    ulong z = seed + (i + 1UL) * 0x9E3779B97F4A7C15UL;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
    z = z ^ (z >> 31);
    return (float)(z >> 40) * 0x1.0p-24f;
}

__kernel void dropout(__global const float* x, __global float* y, __global float* mask, const float p,
                      const ulong seed, const long n) {
    long i = get_global_id(0);
    if (i >= n) return;
    float keep = p == 0.0f ? 1.0f : 1.0f / (1.0f - p);
    float m = rng_uniform(seed, (ulong)i) >= p ? keep : 0.0f;
    mask[i] = m;
    y[i] = x[i] * m;
}

/* PyTorch's SGD: g = grad + wd*w; v = mu*v + g; w -= lr * (nesterov ? g + mu*v : v) */
__kernel void sgd(__global float* w, __global const float* grad, __global float* v, const float lr,
                  const float mu, const float wd, const int nesterov, const long n) {
    long i = get_global_id(0);
    if (i >= n) return;
    float g = grad[i] + wd * w[i];
    float vi = mu * v[i] + g;
    v[i] = vi;
    w[i] -= lr * (nesterov ? g + mu * vi : vi);
}

/* partial sums: out[group] = sum of x over the group's grid-stride range */
__kernel __attribute__((reqd_work_group_size(REDUCE_WG, 1, 1)))
void sum_partial(__global const float* x, const long n, __global float* out) {
    __local float part[REDUCE_WG];
    const int t = get_local_id(0);
    float acc = 0.0f;
    for (long e = get_global_id(0); e < n; e += get_global_size(0)) acc += x[e];
    part[t] = acc;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = REDUCE_WG / 2; w > 0; w >>= 1) {
        if (t < w) part[t] += part[t + w];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    if (t == 0) out[get_group_id(0)] = part[0];
}
