package org.vgg4j.bench;

import java.util.List;

/**
 * The SGEMM shapes every comparison uses (C[M,N] = A[M,K] B[K,N]): squares, and VGG-16's
 * convolutions at 224x224 as per-image im2col GEMMs (M = Cout, K = Cin*9, N = H*W), the same
 * list as ../shared/bench/src/sgemm_numpy.py and clblast_sgemm.c.
 */
public record GemmShape(String name, int m, int k, int n) {

    public static final List<GemmShape> ALL = List.of(
        new GemmShape("sq256", 256, 256, 256),
        new GemmShape("sq512", 512, 512, 512),
        new GemmShape("sq1024", 1024, 1024, 1024),
        new GemmShape("sq2048", 2048, 2048, 2048),
        new GemmShape("vgg_c1_1", 64, 27, 50176),
        new GemmShape("vgg_c1_2", 64, 576, 50176),
        new GemmShape("vgg_c2_2", 128, 1152, 12544),
        new GemmShape("vgg_c3_x", 256, 2304, 3136),
        new GemmShape("vgg_c4_x", 512, 4608, 784),
        new GemmShape("vgg_c5_x", 512, 4608, 196));

    public static GemmShape named(String name) {
        return ALL.stream().filter(s -> s.name.equals(name)).findFirst()
            .orElseThrow(() -> new IllegalArgumentException("unknown GEMM shape " + name));
    }

    public double flops() {
        return 2.0 * m * n * k;
    }
}
