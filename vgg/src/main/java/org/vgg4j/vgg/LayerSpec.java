package org.vgg4j.vgg;

/**
 * One entry of a configuration column of Table 1 (Simonyan & Zisserman, 2015): a convolution
 * with its kernel size and output channels (always followed by ReLU; stride 1, "same" padding),
 * a 2x2 max-pool with stride 2, or local response normalisation (A-LRN only).
 */
public sealed interface LayerSpec {

    /** conv{kernel}-{out}, e.g. conv3-64; padding kernel/2 keeps the resolution (section 2.1). */
    record Conv(int kernel, int out) implements LayerSpec {
        public Conv {
            if (kernel <= 0 || kernel % 2 == 0 || out <= 0) {
                throw new IllegalArgumentException("conv spec: kernel " + kernel + ", channels " + out);
            }
        }

        @Override
        public String toString() { return "conv" + kernel + "-" + out; }
    }

    /** maxpool: 2x2 window, stride 2. */
    record Pool() implements LayerSpec {
        @Override
        public String toString() { return "maxpool"; }
    }

    /** LRN as in AlexNet (size 5, alpha 1e-4, beta 0.75, k 2). */
    record Lrn() implements LayerSpec {
        @Override
        public String toString() { return "LRN"; }
    }
}
