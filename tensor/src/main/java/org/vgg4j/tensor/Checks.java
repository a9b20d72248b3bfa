package org.vgg4j.tensor;

import java.util.Arrays;

/** Argument checks shared by backends: each failure names the op and the shapes involved. */
public final class Checks {
    private Checks() {}

    /** Every non-null tensor belongs to {@code backend} and is not released. */
    public static void owned(String op, Backend backend, Tensor... ts) {
        for (Tensor t : ts) {
            if (t == null) {
                continue;
            }
            if (t.backend() != backend) {
                throw new IllegalArgumentException(op + ": tensor " + t + " belongs to another backend ("
                    + t.backend().name() + "@" + Integer.toHexString(System.identityHashCode(t.backend())) + ", not "
                    + backend.name() + "@" + Integer.toHexString(System.identityHashCode(backend)) + ")");
            }
            if (t.isReleased()) {
                throw new IllegalArgumentException(op + ": tensor " + t + " was released");
            }
        }
    }

    /** {@code t} has exactly {@code shape}. */
    public static void shape(String op, String what, Tensor t, int... shape) {
        if (t == null) {
            throw new IllegalArgumentException(op + ": " + what + " is null, expected " + Arrays.toString(shape));
        }
        if (!Arrays.equals(t.shape(), shape)) {
            throw new IllegalArgumentException(op + ": " + what + " has shape " + Arrays.toString(t.shape())
                + ", expected " + Arrays.toString(shape));
        }
    }

    /** {@code a} and {@code b} have the same number of elements. */
    public static void sameSize(String op, Tensor a, Tensor b) {
        if (a.size() != b.size()) {
            throw new IllegalArgumentException(op + ": sizes differ: " + Arrays.toString(a.shape()) + " vs "
                + Arrays.toString(b.shape()));
        }
    }

    /** {@code [off, off+len)} lies inside a tensor of {@code size} elements. */
    public static void range(String op, String what, long size, long off, long len) {
        if (off < 0 || len < 0 || off + len > size) {
            throw new IllegalArgumentException(op + ": " + what + " range [" + off + ", " + (off + len)
                + ") outside [0, " + size + ")");
        }
    }

    /**
     * The operands of a GEMM fit their storage: A is op(A) [m,k] with leading dimension lda, etc.
     */
    public static void gemm(String op, boolean transA, boolean transB, int m, int n, int k,
                            long sizeA, long offA, int lda, long sizeB, long offB, int ldb,
                            long sizeC, long offC, int ldc) {
        if (m < 0 || n < 0 || k < 0) {
            throw new IllegalArgumentException(op + ": negative size m=" + m + " n=" + n + " k=" + k);
        }
        int aRows = transA ? k : m;
        int aCols = transA ? m : k;
        int bRows = transB ? n : k;
        int bCols = transB ? k : n;
        matrix(op, "A", aRows, aCols, sizeA, offA, lda);
        matrix(op, "B", bRows, bCols, sizeB, offB, ldb);
        matrix(op, "C", m, n, sizeC, offC, ldc);
    }

    private static void matrix(String op, String name, int rows, int cols, long size, long off, int ld) {
        if (ld < Math.max(1, cols)) {
            throw new IllegalArgumentException(op + ": ld" + name.toLowerCase() + "=" + ld + " < " + cols
                + " columns of " + name + " [" + rows + "," + cols + "]");
        }
        long need = rows == 0 || cols == 0 ? 0 : (long) (rows - 1) * ld + cols;
        if (off < 0 || off + need > size) {
            throw new IllegalArgumentException(op + ": " + name + " [" + rows + "," + cols + "] with ld " + ld
                + " at offset " + off + " needs " + (off + need) + " elements, storage has " + size);
        }
    }
}
