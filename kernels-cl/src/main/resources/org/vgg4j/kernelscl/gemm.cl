/*
 * SGEMM, row-major:  C[M,N] = alpha * op(A)[M,K] * op(B)[K,N] + beta * C
 *
 *   op(A)[i,p] = transA ? A[offA + p*lda + i] : A[offA + i*lda + p]    (likewise B)
 *
 * Offsets and element indices are 64-bit: a buffer may hold more than 2^31 floats.
 *
 * One work-group computes a TILE_M x TILE_N block of C; each work-item a WPT_M x WPT_N
 * register block. K is walked in steps of TILE_K: the work-group stages op(A)[block, k..k+TILE_K)
 * and op(B)[k..k+TILE_K, block] in local memory (zero outside the matrices, so the caller's
 * buffers need no padding), then every work-item accumulates from local memory.
 *
 *            N ->                     dim 0 of the NDRange runs along N (the unit-stride axis
 *        +---------+                  of B and C), so neighbouring work-items touch
 *   M    | TILE_M  |                  neighbouring addresses: coalesced loads and stores.
 *   |    | x TILE_N|
 *   v    +---------+
 *
 * Local size: (TILE_N / WPT_N, TILE_M / WPT_M). Tunables below; the host overrides them with -D.
 */
#ifndef TILE_M
#define TILE_M 32   // rows of C per work-group
#endif
#ifndef TILE_N
#define TILE_N 32   // columns of C per work-group
#endif
#ifndef TILE_K
#define TILE_K 16   // depth staged in local memory per step
#endif
#ifndef WPT_M
#define WPT_M 4     // rows of C per work-item
#endif
#ifndef WPT_N
#define WPT_N 4     // columns of C per work-item
#endif

#ifndef STRM
#define STRM 1      // 1: a work-item's rows are RTS_M apart (strided); 0: WPT_M adjacent rows
#endif
#ifndef STRN
#define STRN 1      // 1: its columns RTS_N apart (neighbours touch neighbouring addresses: GPUs);
#endif              // 0: WPT_N adjacent columns (one vector load a step: CPU devices such as PoCL)

#ifndef VWN
#define VWN 1       // > 1: full tiles of C read straight from global memory in floatVWN vectors (CLBlast's
#endif              // VWN with SA = SB = 0): op(B) = B along its rows; A B^T along k, as dot products

#ifndef RB
#define RB 0        // > 0 (with VWN > 1): the vector path keeps RB rows x WPT_N columns of C in registers
#endif              // while it walks TILE_K steps of k, the work-item's block of C in private memory between
                    // (CPU devices: a 64 x 64 block is 256 vectors, far more than the registers)

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

#define CAT2(a, b) a##b
#define CAT(a, b) CAT2(a, b)
#if VWN > 1
#define VEC CAT(float, VWN)
#define VLOAD CAT(vload, VWN)
#define VSTORE CAT(vstore, VWN)
inline float hsum2(float2 v) { return v.x + v.y; }
inline float hsum4(float4 v) { return hsum2(v.lo + v.hi); }
inline float hsum8(float8 v) { return hsum4(v.lo + v.hi); }
inline float hsum16(float16 v) { return hsum8(v.lo + v.hi); }
#define HSUM CAT(hsum, VWN)
// the first cnt (< VWN) floats at p as a vector, zeros after them; and the way back
inline VEC vloadPart(__global const float* p, int cnt) {
    float t[VWN];
    for (int e = 0; e < VWN; e++)
        t[e] = e < cnt ? p[e] : 0.0f;
    return VLOAD(0, t);
}
inline void vstorePart(VEC v, __global float* p, int cnt) {
    float t[VWN];
    VSTORE(v, 0, t);
    for (int e = 0; e < cnt; e++)
        p[e] = t[e];
}
// B's vector v of row k in a tile of ncols columns: whole, the last part of one, or past the end
#define BVEC(k, v) (VCOL(v) + VWN <= ncols ? VLOAD(0, bp + (long)(k) * ldb + VCOL(v)) \
    : VCOL(v) < ncols ? vloadPart(bp + (long)(k) * ldb + VCOL(v), ncols - VCOL(v)) : (VEC)(0.0f))
#endif

__kernel __attribute__((reqd_work_group_size(RTS_N, RTS_M, 1)))
void gemm(const int M, const int N, const int K, const float alpha,
          __global const float* A, const long offA, const int lda, const int transA,
          __global const float* B, const long offB, const int ldb, const int transB,
          const float beta, __global float* C, const long offC, const int ldc)
{
    __local float As[TILE_K][TILE_M];
    __local float Bs[TILE_K][TILE_N + 1];

    const int tn = get_local_id(0);
    const int tm = get_local_id(1);
    const int lid = tm * RTS_N + tn;
    const int threads = RTS_M * RTS_N;
    const int row0 = get_group_id(1) * TILE_M;
    const int col0 = get_group_id(0) * TILE_N;

#if VWN > 1
    const int ncols = min(TILE_N, N - col0);
    if (!transB) {
        // columns as vectors (the last tile of a row may hold fewer: VGG's N = 784 is six tiles of
        // 128 and 16 columns, N = 196 one of 128 and 68, the last 4 part of a vector, read and
        // written float by float): WPT_N / VWN vectors of VWN adjacent columns a work-item,
        // strided by RTS_N vectors (STRN) or adjacent; op(A)'s values are broadcast, B's rows read
        // as vectors; vectors past the last column are zero and not written. Rows past M (a tile
        // taller than the matrix: M = 64 in 128-row tiles) read row M - 1 and are not written; a
        // work-item with none inside leaves at once (this path has no barrier)
        if (row0 + ROW(0) >= M)
            return;
        #define VPT (WPT_N / VWN)
        #define VCOL(v) (STRN ? (tn + (v) * RTS_N) * VWN : (tn * VPT + (v)) * VWN)
        VEC acc[WPT_M][VPT];
        for (int i = 0; i < WPT_M; i++)
            for (int v = 0; v < VPT; v++)
                acc[i][v] = (VEC)(0.0f);
        __global const float* bp = B + offB + col0;
#if RB > 0
        // k in blocks of TILE_K; in each, RB rows at a time: their RB x VPT vectors stay in
        // registers across the block (loops over them unrolled, so the compiler can keep them
        // there), the block's rows of B (TILE_K x WPT_N) stay in L1 and are read once per RB
        // rows: an FMA costs about 1 / RB loads instead of a load and a store. op(A)[i, k] is
        // A[aRow[i] + k * aStep] either way round
        const long aStep = transA ? lda : 1;
        for (int k0 = 0; k0 < K; k0 += TILE_K) {
            const int k1 = min(K, k0 + TILE_K);
            for (int i0 = 0; i0 < WPT_M; i0 += RB) {
                VEC r[RB][VPT];
                long aRow[RB];
                #pragma unroll
                for (int i = 0; i < RB; i++) {
                    int gi = min(row0 + ROW(i0 + i), M - 1);
                    aRow[i] = offA + (transA ? (long)gi : (long)gi * lda);
                    #pragma unroll
                    for (int v = 0; v < VPT; v++)
                        r[i][v] = acc[i0 + i][v];
                }
                // the k loop twice: full tiles load B without a test (it cost 5 % on them)
                #define RB_KLOOP(LOADB) \
                for (int k = k0; k < k1; k++) { \
                    VEC b[VPT]; \
                    _Pragma("unroll") \
                    for (int v = 0; v < VPT; v++) \
                        b[v] = LOADB(k, v); \
                    _Pragma("unroll") \
                    for (int i = 0; i < RB; i++) { \
                        VEC a = (VEC)(A[aRow[i] + k * aStep]); \
                        _Pragma("unroll") \
                        for (int v = 0; v < VPT; v++) \
                            r[i][v] = fma(a, b[v], r[i][v]); \
                    } \
                }
                #define BFULL(k, v) VLOAD(0, bp + (long)(k) * ldb + VCOL(v))
                if (ncols == TILE_N) {
                    RB_KLOOP(BFULL)
                } else {
                    RB_KLOOP(BVEC)
                }
                #pragma unroll
                for (int i = 0; i < RB; i++)
                    #pragma unroll
                    for (int v = 0; v < VPT; v++)
                        acc[i0 + i][v] = r[i][v];
            }
        }
#else
        for (int k = 0; k < K; k++) {
            VEC b[VPT];
            for (int v = 0; v < VPT; v++)
                b[v] = BVEC(k, v);
            for (int i = 0; i < WPT_M; i++) {
                int gi = min(row0 + ROW(i), M - 1);
                float a = transA ? A[offA + (long)k * lda + gi] : A[offA + (long)gi * lda + k];
                for (int v = 0; v < VPT; v++)
                    acc[i][v] = mad((VEC)(a), b[v], acc[i][v]);
            }
        }
#endif
        for (int i = 0; i < WPT_M; i++) {
            if (row0 + ROW(i) >= M)
                continue;
            __global float* cp = C + offC + (long)(row0 + ROW(i)) * ldc + col0;
            for (int v = 0; v < VPT; v++) {
                if (VCOL(v) >= ncols)
                    continue;
                VEC out = alpha * acc[i][v];
                if (VCOL(v) + VWN <= ncols) {
                    if (beta != 0.0f)
                        out += beta * VLOAD(0, cp + VCOL(v));
                    VSTORE(out, 0, cp + VCOL(v));
                } else {
                    // the row's last columns: part of a vector
                    if (beta != 0.0f)
                        out += beta * vloadPart(cp + VCOL(v), ncols - VCOL(v));
                    vstorePart(out, cp + VCOL(v), ncols - VCOL(v));
                }
            }
        }
        return;
    }
    if (!transA && transB && row0 + TILE_M <= M && col0 + TILE_N <= N) {
        // A B^T (a linear layer's forward, a convolution's weight gradient): rows of A and of B
        // are both contiguous along k, so each output is a dot product of VWN-wide vectors,
        // computed in blocks of NBM x NBN outputs that share their loads
        #define NBM (WPT_M < 4 ? WPT_M : 4)
        #define NBN (WPT_N < 4 ? WPT_N : 4)
        for (int i0 = 0; i0 < WPT_M; i0 += NBM) {
            for (int j0 = 0; j0 < WPT_N; j0 += NBN) {
                // (loops over the block unrolled: PoCL otherwise keeps acc in memory)
                VEC acc[NBM][NBN];
                #pragma unroll
                for (int i = 0; i < NBM; i++)
                    #pragma unroll
                    for (int j = 0; j < NBN; j++)
                        acc[i][j] = (VEC)(0.0f);
                int k = 0;
                for (; k + VWN <= K; k += VWN) {
                    VEC a[NBM];
                    VEC b[NBN];
                    #pragma unroll
                    for (int i = 0; i < NBM; i++)
                        a[i] = VLOAD(0, A + offA + (long)(row0 + ROW(i0 + i)) * lda + k);
                    #pragma unroll
                    for (int j = 0; j < NBN; j++)
                        b[j] = VLOAD(0, B + offB + (long)(col0 + COL(j0 + j)) * ldb + k);
                    #pragma unroll
                    for (int i = 0; i < NBM; i++)
                        #pragma unroll
                        for (int j = 0; j < NBN; j++)
                            acc[i][j] = fma(a[i], b[j], acc[i][j]);
                }
                for (int i = 0; i < NBM; i++) {
                    long ar = offA + (long)(row0 + ROW(i0 + i)) * lda;
                    for (int j = 0; j < NBN; j++) {
                        long br = offB + (long)(col0 + COL(j0 + j)) * ldb;
                        float sum = HSUM(acc[i][j]);
                        for (int kk = k; kk < K; kk++)
                            sum = mad(A[ar + kk], B[br + kk], sum);
                        long c = offC + (long)(row0 + ROW(i0 + i)) * ldc + col0 + COL(j0 + j);
                        float v = alpha * sum;
                        C[c] = beta == 0.0f ? v : v + beta * C[c];
                    }
                }
            }
        }
        return;
    }
#endif
    float acc[WPT_M][WPT_N];
    for (int i = 0; i < WPT_M; i++)
        for (int j = 0; j < WPT_N; j++)
            acc[i][j] = 0.0f;

    for (int k0 = 0; k0 < K; k0 += TILE_K) {
        for (int e = lid; e < TILE_K * TILE_M; e += threads) {
            // with transA the k index varies fastest between neighbours' addresses along i
            int kk = transA ? e / TILE_M : e % TILE_K;
            int ii = transA ? e % TILE_M : e / TILE_K;
            int gi = row0 + ii;
            int gk = k0 + kk;
            float v = 0.0f;
            if (gi < M && gk < K)
                v = transA ? A[offA + (long)gk * lda + gi] : A[offA + (long)gi * lda + gk];
            As[kk][ii] = v;
        }
        for (int e = lid; e < TILE_K * TILE_N; e += threads) {
            int kk = transB ? e % TILE_K : e / TILE_N;
            int jj = transB ? e / TILE_K : e % TILE_N;
            int gj = col0 + jj;
            int gk = k0 + kk;
            float v = 0.0f;
            if (gj < N && gk < K)
                v = transB ? B[offB + (long)gj * ldb + gk] : B[offB + (long)gk * ldb + gj];
            Bs[kk][jj] = v;
        }
        barrier(CLK_LOCAL_MEM_FENCE);
        for (int kk = 0; kk < TILE_K; kk++) {
            float b[WPT_N];
            for (int j = 0; j < WPT_N; j++)
                b[j] = Bs[kk][COL(j)];
            for (int i = 0; i < WPT_M; i++) {
                float a = As[kk][ROW(i)];
                for (int j = 0; j < WPT_N; j++)
                    acc[i][j] = mad(a, b[j], acc[i][j]);
            }
        }
        barrier(CLK_LOCAL_MEM_FENCE);
    }
    for (int i = 0; i < WPT_M; i++) {
        int gi = row0 + ROW(i);
        if (gi >= M) continue;
        for (int j = 0; j < WPT_N; j++) {
            int gj = col0 + COL(j);
            if (gj >= N) continue;
            long c = offC + (long)gi * ldc + gj;
            float v = alpha * acc[i][j];
            C[c] = beta == 0.0f ? v : v + beta * C[c];
        }
    }
}
