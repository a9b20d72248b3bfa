package org.vgg4j.tensor;

/**
 * A counter-based generator: {@code uniform(seed, i)} is a pure function of its arguments, so
 * every backend (and every work-group size) draws the same numbers. The mixer is SplitMix64's
 * finaliser (Steele, Lea and Flood, 2014) over {@code seed + (i + 1) * 0x9E3779B97F4A7C15};
 * the top 24 bits become a float in [0, 1). The OpenCL kernels implement the same function.
 */
public final class Rng {
    private Rng() {}

    public static final long GOLDEN = 0x9E3779B97F4A7C15L;

    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A float in [0, 1) with 24 random bits. */
    public static float uniform(long seed, long index) {
        return (mix(seed + (index + 1) * GOLDEN) >>> 40) * 0x1.0p-24f;
    }
}
