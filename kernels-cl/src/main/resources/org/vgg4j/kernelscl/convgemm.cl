/*
 * Convolution as implicit GEMM: one kernel a pass, the im2col gather (and, backward, the col2im
 * scatter turned into a gather) folded into the loads of the tiled GEMM of gemm.cl, so no
 * column matrix is written to or read from global memory.
 *
 *   forward           y [O, N*OH*OW]   = w [O, C*KH*KW]         x im2col(x) [C*KH*KW, N*OH*OW]
 *   backward data     dx [C, N*H*W]    = w^T [C, O*KH*KW]       x G [O*KH*KW, N*H*W]
 *                     G[(o,i,j), (n,h,w)] = dy[n, o, (h+PH-i)/SH, (w+PW-j)/SW] where the division
 *                     is exact and in range, else 0 (the taps that read x[n, c, h, w])
 *   backward weights  dw [O, C*KH*KW] += dy [O, N*OH*OW]        x im2col(x)^T [N*OH*OW, C*KH*KW]
 *
 * Matrices are indexed as in gemm.cl (rows M, columns N, depth K); a work-group computes a
 * TILE_M x TILE_N block, staging TILE_K of both operands in local memory (zero outside), each
 * work-item a WPT_M x WPT_N register block, rows RTS_M apart (STRM) and columns RTS_N apart
 * (STRN) or adjacent. The host builds this file with the device's GEMM tiles. Outputs are
 * written once (forward with bias and ReLU, backward data overwriting dx), or added (dw).
 * Element indices are 64-bit.
 */
#ifndef TILE_M
#define TILE_M 32
#endif
#ifndef TILE_N
#define TILE_N 32
#endif
#ifndef TILE_K
#define TILE_K 16
#endif
#ifndef WPT_M
#define WPT_M 4
#endif
#ifndef WPT_N
#define WPT_N 4
#endif
#ifndef STRM
#define STRM 1
#endif
#ifndef STRN
#define STRN 1
#endif

#define RTS_M (TILE_M / WPT_M)
#define RTS_N (TILE_N / WPT_N)
#if STRM
#define ROW(i) (tm + (i) * RTS_M)
#else
#define ROW(i) (tm * WPT_M + (i))
#endif
#if STRN
#define COL(j) (tn + (j) * RTS_N)
#else
#define COL(j) (tn * WPT_N + (j))
#endif

#define GEOMETRY const int NB, const int C, const int H, const int W, const int O, const int KH, const int KW, \
    const int SH, const int SW, const int PH, const int PW, const int OH, const int OW

/* x[n, c, oh*SH - PH + i, ow*SW - PW + j], 0 in the padding: im2col's element (k = (c, i, j), col = (n, oh, ow)) */
inline float im2col_at(__global const float* x, int k, int col, GEOMETRY) {
    int taps = KH * KW;
    int c = k / taps;
    int r = k - c * taps;
    int i = r / KW;
    int j = r - i * KW;
    int pix = OH * OW;
    int n = col / pix;
    int p = col - n * pix;
    int oh = p / OW;
    int ow = p - oh * OW;
    int h = oh * SH - PH + i;
    int w = ow * SW - PW + j;
    if (h < 0 || h >= H || w < 0 || w >= W)
        return 0.0f;
    return x[(((long)n * C + c) * H + h) * W + w];
}

/*
 * The body shared by the three kernels, over k in [KB, KE): LOAD_A(gi, gk), LOAD_B(gk, gj) fetch op(A)
 * and op(B) (0 outside M, N, KE is the caller's part of each macro); A_K_FAST / B_K_FAST choose which
 * index neighbouring work-items vary while staging, so their global reads are adjacent.
 */
#define TILED_GEMM(M, N, KB, KE, A_K_FAST, B_K_FAST)                                              \
    __local float As[TILE_K][TILE_M];                                                             \
    __local float Bs[TILE_K][TILE_N + 1];                                                         \
    const int tn = get_local_id(0);                                                               \
    const int tm = get_local_id(1);                                                               \
    const int lid = tm * RTS_N + tn;                                                              \
    const int threads = RTS_M * RTS_N;                                                            \
    const int row0 = get_group_id(1) * TILE_M;                                                    \
    const int col0 = get_group_id(0) * TILE_N;                                                    \
    float acc[WPT_M][WPT_N];                                                                      \
    for (int i = 0; i < WPT_M; i++)                                                               \
        for (int j = 0; j < WPT_N; j++)                                                           \
            acc[i][j] = 0.0f;                                                                     \
    for (int k0 = (KB); k0 < (KE); k0 += TILE_K) {                                                \
        for (int e = lid; e < TILE_K * TILE_M; e += threads) {                                    \
            int kk = (A_K_FAST) ? e % TILE_K : e / TILE_M;                                        \
            int ii = (A_K_FAST) ? e / TILE_K : e % TILE_M;                                        \
            int gi = row0 + ii;                                                                   \
            int gk = k0 + kk;                                                                     \
            As[kk][ii] = gi < (M) && gk < (KE) ? LOAD_A(gi, gk) : 0.0f;                           \
        }                                                                                         \
        for (int e = lid; e < TILE_K * TILE_N; e += threads) {                                    \
            int kk = (B_K_FAST) ? e % TILE_K : e / TILE_N;                                        \
            int jj = (B_K_FAST) ? e / TILE_K : e % TILE_N;                                        \
            int gj = col0 + jj;                                                                   \
            int gk = k0 + kk;                                                                     \
            Bs[kk][jj] = gj < (N) && gk < (KE) ? LOAD_B(gk, gj) : 0.0f;                           \
        }                                                                                         \
        barrier(CLK_LOCAL_MEM_FENCE);                                                             \
        for (int kk = 0; kk < TILE_K; kk++) {                                                     \
            float b[WPT_N];                                                                       \
            for (int j = 0; j < WPT_N; j++)                                                       \
                b[j] = Bs[kk][COL(j)];                                                            \
            for (int i = 0; i < WPT_M; i++) {                                                     \
                float a = As[kk][ROW(i)];                                                         \
                for (int j = 0; j < WPT_N; j++)                                                   \
                    acc[i][j] = mad(a, b[j], acc[i][j]);                                          \
            }                                                                                     \
        }                                                                                         \
        barrier(CLK_LOCAL_MEM_FENCE);                                                             \
    }

#define GEO NB, C, H, W, O, KH, KW, SH, SW, PH, PW, OH, OW

/* y[n, o, p] = sum_k w[o, k] im2col(x)[k, (n, p)] (+ bias[o]) (then max(0, .) when relu) */
__kernel __attribute__((reqd_work_group_size(RTS_N, RTS_M, 1)))
void conv_forward(__global const float* x, __global const float* wt, __global const float* bias, const int hasBias,
                  const int relu, __global float* y, GEOMETRY)
{
    const int M = O;
    const int N = NB * OH * OW;
    const int K = C * KH * KW;
#define LOAD_A(gi, gk) wt[(long)(gi) * K + (gk)]
#define LOAD_B(gk, gj) im2col_at(x, gk, gj, GEO)
    TILED_GEMM(M, N, 0, K, 1, 0)
#undef LOAD_A
#undef LOAD_B
    const int pix = OH * OW;
    for (int i = 0; i < WPT_M; i++) {
        int o = row0 + ROW(i);
        if (o >= M) continue;
        float b0 = hasBias ? bias[o] : 0.0f;
        for (int j = 0; j < WPT_N; j++) {
            int col = col0 + COL(j);
            if (col >= N) continue;
            int n = col / pix;
            float v = acc[i][j] + b0;
            y[((long)n * O + o) * pix + (col - n * pix)] = relu ? fmax(v, 0.0f) : v;
        }
    }
}

/* dy[n, o, (h+PH-i)/SH, (w+PW-j)/SW] for k = (o, i, j), col = (n, h, w), when that output reads x[n, ., h, w] */
inline float gather_dy(__global const float* dy, int k, int col, GEOMETRY) {
    int taps = KH * KW;
    int o = k / taps;
    int r = k - o * taps;
    int i = r / KW;
    int j = r - i * KW;
    int plane = H * W;
    int n = col / plane;
    int q = col - n * plane;
    int h = q / W;
    int w = q - h * W;
    int th = h + PH - i;
    int tw = w + PW - j;
    if (th < 0 || tw < 0 || th % SH != 0 || tw % SW != 0)
        return 0.0f;
    int oh = th / SH;
    int ow = tw / SW;
    if (oh >= OH || ow >= OW)
        return 0.0f;
    return dy[(((long)n * O + o) * OH + oh) * OW + ow];
}

/* dx[n, c, h, w] = sum over (o, i, j) of w[o, c, i, j] G[(o, i, j), (n, h, w)], overwriting dx */
__kernel __attribute__((reqd_work_group_size(RTS_N, RTS_M, 1)))
void conv_backward_data(__global const float* dy, __global const float* wt, __global float* dx, GEOMETRY)
{
    const int M = C;
    const int N = NB * H * W;
    const int K = O * KH * KW;
    const int taps = KH * KW;
#define LOAD_A(gi, gk) wt[((long)((gk) / taps) * C + (gi)) * taps + (gk) % taps]
#define LOAD_B(gk, gj) gather_dy(dy, gk, gj, GEO)
    TILED_GEMM(M, N, 0, K, 1, 0)
#undef LOAD_A
#undef LOAD_B
    const int plane = H * W;
    for (int i = 0; i < WPT_M; i++) {
        int c = row0 + ROW(i);
        if (c >= M) continue;
        for (int j = 0; j < WPT_N; j++) {
            int col = col0 + COL(j);
            if (col >= N) continue;
            int n = col / plane;
            dx[((long)n * C + c) * plane + (col - n * plane)] = acc[i][j];
        }
    }
}

/*
 * dw[o, k] += sum over (n, p) of dy[n, o, p] im2col(x)[k, (n, p)]. The reduction over (n, p) is
 * long (batch x pixels) and the output small (outC x inC*KH*KW), so few work-groups would each run
 * a long loop: split-K spreads it over get_num_groups(2) slices of kChunk each. With one slice
 * (partStride 0) the sums go straight into dw; otherwise slice z writes its partial sums to
 * dw + z * partStride (a scratch buffer) and split_sum adds the slices into the gradient, in a
 * fixed order, so the result does not depend on the scheduling.
 */
__kernel __attribute__((reqd_work_group_size(RTS_N, RTS_M, 1)))
void conv_backward_weights(__global const float* x, __global const float* dy, __global float* dw, const int kChunk,
                           const long partStride, GEOMETRY)
{
    const int M = O;
    const int N = C * KH * KW;
    const int pix = OH * OW;
    const int K = NB * pix;
    const int kb = get_group_id(2) * kChunk;
    const int ke = min(K, kb + kChunk);
#define LOAD_A(gi, gk) dy[((long)((gk) / pix) * O + (gi)) * pix + (gk) % pix]
#define LOAD_B(gk, gj) im2col_at(x, gj, gk, GEO)
    TILED_GEMM(M, N, kb, ke, 1, 1)
#undef LOAD_A
#undef LOAD_B
    __global float* out = dw + get_group_id(2) * partStride;
    for (int i = 0; i < WPT_M; i++) {
        int o = row0 + ROW(i);
        if (o >= M) continue;
        for (int j = 0; j < WPT_N; j++) {
            int k = col0 + COL(j);
            if (k >= N) continue;
            if (partStride == 0)
                out[(long)o * N + k] += acc[i][j];
            else
                out[(long)o * N + k] = acc[i][j];
        }
    }
}

/* dw[i] += sum over z < splits of part[z * count + i], z in order */
__kernel void split_sum(__global const float* part, const int splits, const int count, __global float* dw)
{
    const int i = get_global_id(0);
    if (i >= count) return;
    float s = 0.0f;
    for (int z = 0; z < splits; z++)
        s += part[(long)z * count + i];
    dw[i] += s;
}
