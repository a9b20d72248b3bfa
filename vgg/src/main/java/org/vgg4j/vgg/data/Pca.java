package org.vgg4j.vgg.data;

/**
 * Principal components of RGB pixels (values in [0, 1]): eigenvalues and unit eigenvectors of
 * their 3x3 covariance, by cyclic Jacobi rotations (exact enough for a symmetric 3x3 in a few
 * sweeps).
 */
public record Pca(double[] eigenvalues, double[][] eigenvectors) {

    /** The colour shift {@code sum_i a_i * lambda_i * p_i} for per-image weights a. */
    public float[] shift(float[] a) {
        float[] s = new float[3];
        for (int i = 0; i < 3; i++) {
            for (int ch = 0; ch < 3; ch++) {
                s[ch] += (float) (a[i] * eigenvalues[i] * eigenvectors[ch][i]);
            }
        }
        return s;
    }

    /** PCA of the pixels of an RGB data set (every {@code stride}-th image). */
    public static Pca of(Dataset d, int stride) {
        if (d.channels() != 3) {
            throw new IllegalArgumentException("PCA colour augmentation needs RGB images, not " + d.channels() + " channels");
        }
        int plane = d.height() * d.width();
        byte[] buf = new byte[3 * plane];
        double[] sum = new double[3];
        double[][] sq = new double[3][3];
        long n = 0;
        for (int i = 0; i < d.size(); i += Math.max(1, stride)) {
            d.image(i, buf, 0);
            for (int p = 0; p < plane; p++) {
                double[] v = {(buf[p] & 0xff) / 255.0, (buf[plane + p] & 0xff) / 255.0, (buf[2 * plane + p] & 0xff) / 255.0};
                for (int a = 0; a < 3; a++) {
                    sum[a] += v[a];
                    for (int b = 0; b < 3; b++) {
                        sq[a][b] += v[a] * v[b];
                    }
                }
                n++;
            }
        }
        double[][] cov = new double[3][3];
        for (int a = 0; a < 3; a++) {
            for (int b = 0; b < 3; b++) {
                cov[a][b] = sq[a][b] / n - sum[a] / n * sum[b] / n;
            }
        }
        return eigen(cov);
    }

    /** Eigen-decomposition of a symmetric 3x3 matrix (columns of the result are eigenvectors). */
    public static Pca eigen(double[][] m) {
        double[][] a = {m[0].clone(), m[1].clone(), m[2].clone()};
        double[][] v = {{1, 0, 0}, {0, 1, 0}, {0, 0, 1}};
        for (int sweep = 0; sweep < 50; sweep++) {
            double off = Math.abs(a[0][1]) + Math.abs(a[0][2]) + Math.abs(a[1][2]);
            if (off < 1e-15) {
                break;
            }
            for (int p = 0; p < 2; p++) {
                for (int q = p + 1; q < 3; q++) {
                    if (Math.abs(a[p][q]) < 1e-300) {
                        continue;
                    }
                    double theta = 0.5 * Math.atan2(2 * a[p][q], a[q][q] - a[p][p]);
                    double c = Math.cos(theta);
                    double s = Math.sin(theta);
                    for (int k = 0; k < 3; k++) {
                        double akp = a[k][p];
                        double akq = a[k][q];
                        a[k][p] = c * akp - s * akq;
                        a[k][q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < 3; k++) {
                        double apk = a[p][k];
                        double aqk = a[q][k];
                        a[p][k] = c * apk - s * aqk;
                        a[q][k] = s * apk + c * aqk;
                    }
                    for (int k = 0; k < 3; k++) {
                        double vkp = v[k][p];
                        double vkq = v[k][q];
                        v[k][p] = c * vkp - s * vkq;
                        v[k][q] = s * vkp + c * vkq;
                    }
                }
            }
        }
        return new Pca(new double[] {a[0][0], a[1][1], a[2][2]}, v);
    }
}
