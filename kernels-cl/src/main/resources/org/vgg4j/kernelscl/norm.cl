/*
 * Batch normalisation of x viewed as [N, C, S] (S = H*W, or 1 after a linear layer), PyTorch's
 * definitions (see org.vgg4j.tensor.Backend#batchNormForwardTraining).
 *
 *   training:  one work-group per channel c; BN_WG work-items stride over the M = N*S values
 *              of the channel, then a tree reduction in local memory. Two passes over x (mean,
 *              then the squared deviations: no cancellation), a third writes y.
 *   inference: one work-item per element, y = x * scale[c] + shift[c] computed on the fly.
 *   backward:  one work-group per channel reduces sum(dy) and sum(dy * (x - mean)), then writes
 *              gradX = a dy + b (x - mean) + k and accumulates gradGamma, gradBeta.
 *
 *   element (n, c, s) of the channel's e-th value: n = e / S, s = e % S, at (n*C + c)*S + s
 */

#ifndef BN_WG
#define BN_WG 256  // work-items per channel work-group (a power of two)
#endif

/* Sums v over the work-group; every work-item gets the total. part has BN_WG entries. */
float bn_group_sum(float v, __local float* part) {
    const int t = get_local_id(0);
    part[t] = v;
    barrier(CLK_LOCAL_MEM_FENCE);
    for (int w = BN_WG / 2; w > 0; w >>= 1) {
        if (t < w) part[t] += part[t + w];
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    float total = part[0];
    barrier(CLK_LOCAL_MEM_FENCE);
    return total;
}

__kernel __attribute__((reqd_work_group_size(BN_WG, 1, 1)))
void batchnorm_forward_train(__global const float* x, __global const float* gamma, __global const float* beta,
                             __global float* y, __global float* save_mean, __global float* save_inv_std,
                             __global float* run_mean, __global float* run_var,
                             const int N, const int C, const int S, const float momentum, const float eps) {
    __local float part[BN_WG];
    const int c = get_group_id(0), t = get_local_id(0);
    const long M = (long)N * S;
    float acc = 0.0f;
    for (long e = t; e < M; e += BN_WG) acc += x[((e / S) * C + c) * S + e % S];
    const float mean = bn_group_sum(acc, part) / (float)M;
    acc = 0.0f;
    for (long e = t; e < M; e += BN_WG) {
        float d = x[((e / S) * C + c) * S + e % S] - mean;
        acc += d * d;
    }
    const float var = bn_group_sum(acc, part) / (float)M;
    const float inv_std = rsqrt(var + eps);
    const float scale = gamma[c] * inv_std, shift = beta[c] - mean * scale;
    for (long e = t; e < M; e += BN_WG) {
        long i = ((e / S) * C + c) * S + e % S;
        y[i] = x[i] * scale + shift;
    }
    if (t == 0) {
        save_mean[c] = mean;
        save_inv_std[c] = inv_std;
        run_mean[c] = (1.0f - momentum) * run_mean[c] + momentum * mean;
        run_var[c] = (1.0f - momentum) * run_var[c] + momentum * var * ((float)M / (float)(M - 1));
    }
}

__kernel void batchnorm_forward_infer(__global const float* x, __global const float* gamma,
                                      __global const float* beta, __global const float* run_mean,
                                      __global const float* run_var, const float eps, __global float* y,
                                      const int C, const int S, const long n) {
    const long i = get_global_id(0);
    if (i >= n) return;
    const int c = (int)((i / S) % C);
    const float scale = gamma[c] * rsqrt(run_var[c] + eps);
    y[i] = (x[i] - run_mean[c]) * scale + beta[c];
}

/* has_gx == 0: only the parameter gradients (the first layer's input needs none). */
__kernel __attribute__((reqd_work_group_size(BN_WG, 1, 1)))
void batchnorm_backward(__global const float* x, __global const float* gy, __global const float* gamma,
                        __global const float* save_mean, __global const float* save_inv_std,
                        __global float* gx, const int has_gx, __global float* g_gamma, __global float* g_beta,
                        const int N, const int C, const int S) {
    __local float part[BN_WG];
    const int c = get_group_id(0), t = get_local_id(0);
    const long M = (long)N * S;
    const float mean = save_mean[c], inv_std = save_inv_std[c];
    float sdy = 0.0f, sdev = 0.0f;
    for (long e = t; e < M; e += BN_WG) {
        long i = ((e / S) * C + c) * S + e % S;
        sdy += gy[i];
        sdev += gy[i] * (x[i] - mean);
    }
    const float sum_dy = bn_group_sum(sdy, part);
    const float sum_dy_xhat = bn_group_sum(sdev, part) * inv_std;
    if (t == 0) {
        g_beta[c] += sum_dy;
        g_gamma[c] += sum_dy_xhat;
    }
    if (!has_gx) return;
    const float a = gamma[c] * inv_std;
    const float b = -a * inv_std * sum_dy_xhat / (float)M;
    const float k = -a * sum_dy / (float)M;
    for (long e = t; e < M; e += BN_WG) {
        long i = ((e / S) * C + c) * S + e % S;
        gx[i] = a * gy[i] + b * (x[i] - mean) + k;
    }
}
