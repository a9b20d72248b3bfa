package org.vgg4j.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * SGEMM on the Vector API, blocked as in GotoBLAS / BLIS (Goto & van de Geijn, 2008):
 *
 * <pre>
 *   for pc in K step kc (equal blocks of at most KC):
 *     pack A[:, pc:pc+kc] * alpha -> Ap (MR-row panels, k-major), in parallel
 *     parallel over tasks (a range of NR-column panels x a range of MR-row panels):
 *       for each NR panel q:  pack B[pc:pc+kc, q] -> Bp (thread-local, k-major)
 *         for each MR panel:  micro-kernel MR x NR over kc
 * </pre>
 * B is packed one panel at a time by the thread that uses it, right before use: for the
 * short-and-wide convolution GEMMs (M = 64, N = 50176) a shared packed block of B would be
 * written to and read back from memory, which costs as much as the arithmetic.
 *
 * The micro-kernel keeps an MR x NR block of C in registers: MR rows times two vectors
 * (NR = 2 * lanes); MR = 6 is 12 accumulators, 2 B vectors and 1 broadcast, 15 of AVX2's 16 ymm
 * registers; MR = 8 is 19 of AVX-512's 32 zmm. Packing absorbs both transposes, alpha and the
 * edges (partial panels are zero-padded in the pack buffers), so the kernel only ever sees full
 * panels; full C tiles are written straight from registers, partial ones go through a small
 * scratch tile. Pack buffers are per calling thread and reused.
 *
 * <p>Variants (2 threads, GFLOP/s at 1024^3 / vgg_c1_2; OpenBLAS 0.3.21 Haswell kernels gave 171 / 154):
 * <ol>
 *   <li>v1: 6x16, KC=256, MC=96, NC=4096, shared packed B: 59 / 44 (kernel 44 GFLOP/s a core).</li>
 *   <li>v2: kernel loop and tile merge reshaped for C2 (see {@link VectorSgemmKernel}): 102 / 58.</li>
 *   <li>v3: KC=1024: 145 / 71.</li>
 *   <li>v4: B packed per panel by its thread, no MC blocking, ~4 tasks a thread: 145 / 82.</li>
 *   <li>v5: A read in place (strides as kernel parameters) instead of packed: kernel 86 -> 71; dropped.</li>
 *   <li>v6: B packed in groups of panels (rows read as runs of up to 256 KiB / kc floats): 136 / 111.</li>
 *   <li>v7 (Zen 4, AVX-512; OpenBLAS SkylakeX kernels in the same runs: about 196 at 1024^3, 113 at
 *       vgg_c1_1, 124 at vgg_c5_x): MR = 8, full tiles written straight into C (alpha folded into
 *       Ap), a one-vector kernel for edge panels of at most L columns: vgg_c1_1 78 -> 106,
 *       vgg_c5_x 98 -> 125, 1024^3 unchanged at about 177.</li>
 *   <li>v8: narrow products (B block within L2, four times more row panels than column panels)
 *       share one packed B and sweep each A panel across it ({@link #gemmSharedB}): vgg_c5_x
 *       102 -> 128 in the same run.</li>
 *   <li>v9: within a task, each A panel sweeps the packed B group (C written in runs of the
 *       group's width a row) instead of each B panel sweeping all A panels (C written as a
 *       column strip, one 128-byte run per row): within noise to 5% better on every shape.</li>
 *   <li>v10: A B^T with m < n (weight gradients) as (B A^T)^T ({@link #gemmSwapped}), the
 *       transposed B pack blocked by 64 k steps: nt 64x50176x576 82 -> 117, 128x4096x576
 *       103 -> 137, 256x4096x2304 157 -> 182, 512x2048x4608 unchanged.</li>
 * </ol>
 */
final class VectorSgemm implements Sgemm {
    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    /** Rows of a micro-tile: 8 with 32 vector registers (AVX-512), 6 with 16 (AVX2, NEON...). */
    static final int MR = Integer.getInteger("vgg4j.gemm.mr", L >= 16 ? 8 : 6);
    static final int NR = 2 * L;
    /**
     * Largest depth of a packed panel. A B panel (KC*NR*4 = 64 KiB at AVX2) sits in L2 while every
     * A panel streams past it. Deep panels amortise the merge of each C tile (12 vector loads and
     * stores, and a likely cache miss per row of C): measured at 1024^3, KC 256 / 512 / 1024 gave
     * 102 / 121 / 145 GFLOP/s on two Zen 3 cores.
     */
    static final int KC = Integer.getInteger("vgg4j.gemm.kc", 1024);
    /** Bytes of B packed at once by one thread (a group of panels), kept within half of L2. */
    /** Tasks per thread in the compute phase (work stealing evens them out). */
    static final int TASKS = Integer.getInteger("vgg4j.gemm.tasks", 4);
    static final int GROUP_BYTES = Integer.getInteger("vgg4j.gemm.group", 256 << 10);
    /** A B^T with m < n runs as (B A^T)^T: see {@link #gemmSwapped}. */
    static final boolean SWAP_NT = Boolean.parseBoolean(System.getProperty("vgg4j.gemm.swapNT", "true"));
    /** Largest packed B block (bytes) that {@link #gemmSharedB} shares between threads: within L2. */
    static final int SHARED_B_BYTES = Integer.getInteger("vgg4j.gemm.sharedB", 1 << 20);
    /**
     * A B^T with at most this many rows of A (a linear layer's forward at a small batch: x [m, in]
     * times W [out, in]^T) runs as dot products over B's rows ({@link VectorFewRowsGemm}): packing
     * would copy all of W (411 MB for VGG's first FC layer) to use it once, into panels padded to
     * NR columns.
     */
    static final int FEW_ROWS = Integer.getInteger("vgg4j.gemm.fewRows", 8);
    /** Below this many multiply-adds the plain loops win (no packing). */
    static final long SMALL = 24L * 24 * 24;

    private final ScalarSgemm small = new ScalarSgemm();
    private final ThreadLocal<Buffers> buffers = ThreadLocal.withInitial(Buffers::new);

    /** Pack buffers of one calling thread. */
    private static final class Buffers {
        float[] ap = new float[0];
        float[] bp = new float[0];
        final float[] tile = new float[MR * NR];
        float[] swapped = new float[0];

        float[] ap(int n) {
            if (ap.length < n) {
                ap = new float[n];
            }
            return ap;
        }

        float[] bp(int n) {
            if (bp.length < n) {
                bp = new float[n];
            }
            return bp;
        }
    }

    @Override
    public void gemm(boolean transA, boolean transB, int m, int n, int k,
                     float alpha, float[] a, int offA, int lda,
                     float[] b, int offB, int ldb,
                     float beta, float[] c, int offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0 || alpha == 0f || (long) m * n * k <= SMALL) {
            small.gemm(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            return;
        }
        if (transB && !transA && m <= FEW_ROWS && k >= L) {
            VectorFewRowsGemm.gemmNT(m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            return;
        }
        if (SWAP_NT && transB && !transA && m < n) {
            gemmSwapped(m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc);
            return;
        }
        int mPanels = (m + MR - 1) / MR;
        int nPanels = (n + NR - 1) / NR;
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks; // equal depths, none much shorter than the others
        if ((long) nPanels * NR * kcMax * 4 <= SHARED_B_BYTES && 4 * nPanels < mPanels) {
            // narrow (on 256^3, 8 x 32 panels, the general order was faster)
            gemmSharedB(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, beta, c, offC, ldc,
                mPanels, nPanels, kcMax);
            return;
        }
        general(transA, transB, m, n, k, alpha, a, offA, lda, b, offB, ldb, 0, 1, beta, c, offC, ldc, 0);
    }

    /**
     * {@link Sgemm#gemmBatched}: the general order of {@link #gemm} with op(A) packed once per k
     * block for every image ({@link #general}). A convolution over a batch then needs neither the copy of its images side by side
     * nor the copy of the product back into [N, O, H*W]: on ResNet-50's 14x14 1x1 layers those
     * two copies took as long as the multiply. An image's last panel may be partial (196 = 6 *
     * 32 + 4 columns), as in a GEMM of that width.
     */
    @Override
    public void gemmBatched(boolean transA, int m, int n, int k, float[] a, int offA, int lda,
                            float[] b, int offB, int ldb, int strideB, int nb,
                            float[] c, int offC, int ldc, int strideC) {
        if (m == 0 || n == 0 || nb == 0) {
            return;
        }
        if (nb == 1 || k == 0 || (long) m * n * k <= SMALL) {
            Sgemm.super.gemmBatched(transA, m, n, k, a, offA, lda, b, offB, ldb, strideB, nb, c, offC, ldc, strideC);
            return;
        }
        general(transA, false, m, n, k, 1f, a, offA, lda, b, offB, ldb, strideB, nb, 0f, c, offC, ldc, strideC);
    }

    /**
     * The general order (see the class comment) over nb images: {@code C_i = alpha op(A) op(B_i)
     * + beta C_i}, B_i at {@code offB + i*strideB}, C_i at {@code offC + i*strideC}. The column
     * panels of all images form one list (panel q is panel q % per of image q / per): tasks take
     * parts of it times parts of A's row panels, and pack their B panels a group at a time, a
     * group within one image (its rows are runs of gn*NR floats of B_i).
     */
    private void general(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int offA,
                         int lda, float[] b, int offB, int ldb, int strideB, int nb, float beta, float[] c, int offC,
                         int ldc, int strideC) {
        int mPanels = (m + MR - 1) / MR;
        int per = (n + NR - 1) / NR;
        int nPanels = nb * per;
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks; // equal depths, none much shorter than the others
        float[] ap = buffers.get().ap(mPanels * MR * kcMax);
        // tasks: parts of the column panels (each packs its own B panels) times parts of M, ~4 per thread
        int target = TASKS * Parallel.threads();
        int nParts = Math.min(nPanels, target);
        int mParts = Math.min(mPanels, (target + nParts - 1) / nParts);
        int group = Math.max(1, Math.min(16, GROUP_BYTES / (kcMax * NR * 4)));
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            float betaNow = pc == 0 ? beta : 1f;
            int p0 = pc;
            Parallel.parallelRange(mPanels, Math.max(1, 8192 / kc), (lo, hi) -> {
                for (int panel = (int) lo; panel < hi; panel++) {
                    VectorSgemmPack.packA(transA, a, offA, lda, m, panel * MR, p0, kc, alpha, ap, panel * MR * kc);
                }
            });
            Parallel.parallelFor(mParts * nParts, t -> {
                Buffers buf = buffers.get();
                int mi = t % mParts;
                int ni = t / mParts;
                int pLo = (int) ((long) mPanels * mi / mParts);
                int pHi = (int) ((long) mPanels * (mi + 1) / mParts);
                int qLo = (int) ((long) nPanels * ni / nParts);
                int qHi = (int) ((long) nPanels * (ni + 1) / nParts);
                for (int g0 = qLo; g0 < qHi; ) {
                    int image = g0 / per;
                    int first = g0 % per;
                    int gn = Math.min(Math.min(group, qHi - g0), per - first);
                    float[] bp = buf.bp(gn * NR * kc);
                    VectorSgemmPack.packBGroup(transB, b, offB + image * strideB, ldb, n, first * NR, gn, p0, kc, bp);
                    int cImage = offC + image * strideC;
                    // an A panel sweeps the group: C is written in runs of gn*NR floats a row
                    for (int pnl = pLo; pnl < pHi; pnl++) {
                        int i = pnl * MR;
                        int rows = Math.min(MR, m - i);
                        for (int q = 0; q < gn; q++) {
                            int j = (first + q) * NR;
                            VectorSgemmKernel.tile(kc, ap, pnl * MR * kc, bp, q * NR * kc, buf.tile,
                                c, cImage + i * ldc + j, ldc, rows, Math.min(NR, n - j), betaNow);
                        }
                    }
                    g0 += gn;
                }
            });
        }
    }

    /** Floats of {@link #packB}'s output for a k x n matrix B. */
    static int packedBSize(int k, int n) {
        return (n + NR - 1) / NR * NR * k;
    }

    /**
     * B [k, n] (row-major, rows ldb apart) packed once for {@link #gemmPackedB}: NR-column panels
     * of depth k, panel q at {@code dst[off + q*NR*k]}, the last one zero-padded. For a B that is
     * used many times as it is (transformed filters of a model in evaluation).
     */
    static void packB(float[] b, int offB, int ldb, int k, int n, float[] dst, int off) {
        VectorSgemmPack.packBGroup(false, b, offB, ldb, n, 0, (n + NR - 1) / NR, 0, k, dst, off);
    }

    /**
     * C [m, n] = A [m, k] B with B packed by {@link #packB}, on the calling thread (the caller runs
     * several of these in parallel): each MR-row panel of A is packed and swept across the panels
     * of B, as {@link #gemmSharedB} does with a B it packed itself.
     */
    void gemmPackedB(int m, int n, int k, float[] a, int offA, int lda, float[] bp, int offBp,
                     float[] c, int offC, int ldc) {
        if (m == 0 || n == 0) {
            return;
        }
        Buffers buf = buffers.get();
        float[] ap = buf.ap(MR * k);
        int nPanels = (n + NR - 1) / NR;
        for (int i = 0; i < m; i += MR) {
            int rows = Math.min(MR, m - i);
            VectorSgemmPack.packA(false, a, offA, lda, m, i, 0, k, 1f, ap, 0);
            for (int q = 0; q < nPanels; q++) {
                int j = q * NR;
                VectorSgemmKernel.tile(k, ap, 0, bp, offBp + q * NR * k, buf.tile,
                    c, offC + i * ldc + j, ldc, rows, Math.min(NR, n - j), 0f);
            }
        }
    }

    /**
     * C [m, n] += A^T B for A [k, m] and B [k, n], both read in place (rows lda and ldb apart):
     * Winograd's weight gradient, dU [O, C] += dM^T [O, T] V [T, C], where T (tiles, thousands)
     * is deep and O, C small. Packing copied every element of dM and V to use it only n/NR and m/MR
     * times, and took more time than the multiply-adds (VGG-16 conv1_2 at batch 2: weight
     * gradient 81-95 ms, half of it in the packs). On the calling thread. Full 8 x NR tiles take
     * {@link VectorSgemmKernel#kernelAddStrided8}, the rest a row and a vector at a time.
     */
    void gemmTNAdd(int m, int n, int k, float[] a, int offA, int lda, float[] b, int offB, int ldb,
                   float[] c, int offC, int ldc) {
        int mFull = MR == 8 ? m / 8 * 8 : 0;
        int nFull = n / NR * NR;
        // blocks of k whose rows of A and B (512 KiB together) stay in L2 while every tile reads them
        int kc = Math.max(16, Math.min(k, (128 << 10) / (m + n)));
        for (int p0 = 0; p0 < k; p0 += kc) {
            int kb = Math.min(kc, k - p0);
            int ao = offA + p0 * lda;
            int bo = offB + p0 * ldb;
            for (int i = 0; i < mFull; i += 8) {
                for (int j = 0; j < nFull; j += NR) {
                    VectorSgemmKernel.kernelAddStrided8(kb, a, ao + i, lda, b, bo + j, ldb, c, offC + i * ldc + j,
                        ldc);
                }
            }
            for (int i = 0; i < m; i++) {
                for (int j = i < mFull ? nFull : 0; j < n; j += L) {
                    VectorMask<Float> in = S.indexInRange(j, n);
                    FloatVector acc = FloatVector.zero(S);
                    for (int p = 0; p < kb; p++) {
                        acc = FloatVector.broadcast(S, a[ao + p * lda + i])
                            .fma(FloatVector.fromArray(S, b, bo + p * ldb + j, in), acc);
                    }
                    acc.add(FloatVector.fromArray(S, c, offC + i * ldc + j, in)).intoArray(c, offC + i * ldc + j, in);
                }
            }
        }
    }

    /**
     * The order for narrow products (few column panels, many row panels, as VGG's last
     * convolutions per image, N = 196): per k block all of B is packed once, shared, small
     * enough to stay in L2; tasks own ranges of row panels, and each thread packs one A panel
     * at a time (it stays in L1) and sweeps it across every B panel. The general order instead
     * streams the whole packed A block (larger than L2) past each B panel.
     */
    private void gemmSharedB(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int offA, int lda, float[] b, int offB, int ldb,
                             float beta, float[] c, int offC, int ldc, int mPanels, int nPanels, int kcMax) {
        float[] bp = buffers.get().bp(nPanels * NR * kcMax);
        int tasks = Math.min(mPanels, TASKS * Parallel.threads());
        for (int pc = 0; pc < k; pc += kcMax) {
            int kc = Math.min(kcMax, k - pc);
            float betaNow = pc == 0 ? beta : 1f;
            int p0 = pc;
            Parallel.parallelRange(nPanels, 1, (lo, hi) ->
                VectorSgemmPack.packBGroup(transB, b, offB, ldb, n, (int) lo * NR, (int) (hi - lo), p0, kc,
                    bp, (int) lo * NR * kc));
            Parallel.parallelFor(tasks, t -> {
                Buffers buf = buffers.get();
                float[] ap = buf.ap(MR * kc);
                int pLo = (int) ((long) mPanels * t / tasks);
                int pHi = (int) ((long) mPanels * (t + 1) / tasks);
                for (int pnl = pLo; pnl < pHi; pnl++) {
                    int i = pnl * MR;
                    int rows = Math.min(MR, m - i);
                    VectorSgemmPack.packA(transA, a, offA, lda, m, i, p0, kc, alpha, ap, 0);
                    for (int q = 0; q < nPanels; q++) {
                        int j = q * NR;
                        VectorSgemmKernel.tile(kc, ap, 0, bp, q * NR * kc, buf.tile,
                            c, offC + i * ldc + j, ldc, rows, Math.min(NR, n - j), betaNow);
                    }
                }
            });
        }
    }

    /**
     * {@code C = alpha A B^T + beta C} with fewer rows than columns (a convolution's weight
     * gradient: dW[O, C*9] = dY[O, S] col[C*9, S]^T) as {@code T = B A^T} into a scratch [n, m],
     * then C = T^T + beta C. The operand packed transposed (the slow, scattered pack) is then the
     * smaller one (m x k instead of n x k), and the larger is packed by cheap row reads.
     */
    private void gemmSwapped(int m, int n, int k, float alpha, float[] a, int offA, int lda,
                             float[] b, int offB, int ldb, float beta, float[] c, int offC, int ldc) {
        Buffers own = buffers.get();
        if (own.swapped.length < m * n) {
            own.swapped = new float[m * n];
        }
        float[] t = own.swapped;
        gemm(false, true, n, m, k, alpha, b, offB, ldb, a, offA, lda, 0f, t, 0, m);
        // C[i, j] = T[j, i] + beta C[i, j], in blocks of 32 x 32 so both sides stay in L1
        int bs = 32;
        int iBlocks = (m + bs - 1) / bs;
        int jBlocks = (n + bs - 1) / bs;
        Parallel.parallelRange((long) iBlocks * jBlocks, Math.max(1, 4096 / (bs * bs)), (lo, hi) -> {
            for (long q = lo; q < hi; q++) {
                int i0 = (int) (q / jBlocks) * bs;
                int j0 = (int) (q % jBlocks) * bs;
                int i1 = Math.min(m, i0 + bs);
                int j1 = Math.min(n, j0 + bs);
                for (int i = i0; i < i1; i++) {
                    int row = offC + i * ldc;
                    for (int j = j0; j < j1; j++) {
                        float v = t[j * m + i];
                        c[row + j] = beta == 0f ? v : beta == 1f ? c[row + j] + v : beta * c[row + j] + v;
                    }
                }
            }
        });
    }
}
