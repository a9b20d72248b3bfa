package org.vgg4j.tensor;

/**
 * Local response normalisation across channels, PyTorch/Caffe convention:
 * {@code y[c] = x[c] / (k + alpha/size * sum_{c' in window(c)} x[c']^2)^beta}, with the window
 * running from {@code c - size/2} to {@code c + (size-1)/2}, clipped to the channels.
 * The paper's A-LRN uses size 5, alpha 1e-4, beta 0.75, k 2 (Krizhevsky et al., 2012).
 */
public record LrnParams(int size, float alpha, float beta, float k) {
    public LrnParams {
        if (size <= 0 || !(alpha >= 0) || !(beta >= 0) || !(k > 0)) {
            throw new IllegalArgumentException("lrn: bad parameters size=" + size + " alpha=" + alpha
                + " beta=" + beta + " k=" + k);
        }
    }

    /** The values of the paper (section 2.1, after AlexNet). */
    public static LrnParams paper() { return new LrnParams(5, 1e-4f, 0.75f, 2f); }
}
