package org.vgg4j.nn;

import java.util.SplittableRandom;

/**
 * Weight initialisers, seeded and reproducible: values are drawn on the host from
 * {@link SplittableRandom} and uploaded. Biases start at zero (as in the paper, section 3.1).
 */
public final class Init {
    private Init() {}

    /** Normal(0, std^2); the paper uses std 0.01 (section 3.1). */
    public static void normal(Parameter p, double std, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) p.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (r.nextGaussian() * std);
        }
        upload(p, v);
    }

    /** Glorot and Bengio (2010): U(-a, a) with a = sqrt(6 / (fanIn + fanOut)). */
    public static void xavierUniform(Parameter p, long seed) {
        double a = Math.sqrt(6.0 / (fanIn(p) + fanOut(p)));
        SplittableRandom r = new SplittableRandom(seed);
        float[] v = new float[(int) p.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextDouble(-a, a);
        }
        upload(p, v);
    }

    /** Glorot and Bengio (2010): N(0, 2 / (fanIn + fanOut)). */
    public static void xavierNormal(Parameter p, long seed) {
        normal(p, Math.sqrt(2.0 / (fanIn(p) + fanOut(p))), seed);
    }

    /** He et al. (2015) for ReLU: N(0, 2 / fan), fan = fan-in, or fan-out as torchvision's VGG uses. */
    public static void heNormal(Parameter p, boolean fanOutMode, long seed) {
        normal(p, Math.sqrt(2.0 / (fanOutMode ? fanOut(p) : fanIn(p))), seed);
    }

    public static void zeros(Parameter p) {
        p.value().backend().fill(p.value(), 0f);
    }

    /** Inputs per output: in*kH*kW for [out, in, kH, kW], in for [out, in]. */
    static long fanIn(Parameter p) {
        int[] s = p.shape();
        long f = 1;
        for (int i = 1; i < s.length; i++) {
            f *= s[i];
        }
        return s.length < 2 ? s[0] : f;
    }

    /** Outputs per input: out*kH*kW for [out, in, kH, kW], out for [out, in]. */
    static long fanOut(Parameter p) {
        int[] s = p.shape();
        long f = s[0];
        for (int i = 2; i < s.length; i++) {
            f *= s[i];
        }
        return f;
    }

    private static void upload(Parameter p, float[] v) {
        p.value().backend().upload(v, 0, p.value(), 0, v.length);
    }
}
