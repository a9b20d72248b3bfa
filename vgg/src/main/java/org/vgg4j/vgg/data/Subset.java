package org.vgg4j.vgg.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/** Some examples of another data set, by index (a held-out validation split, or the rest). */
public final class Subset implements Dataset {
    private final Dataset base;
    private final int[] indices;
    private final String name;

    public Subset(Dataset base, int[] indices, String name) {
        for (int i : indices) {
            if (i < 0 || i >= base.size()) {
                throw new IllegalArgumentException("subset index " + i + " outside " + base.source());
            }
        }
        this.base = base;
        this.indices = indices.clone();
        this.name = name;
    }

    /** The training part and the held-out validation part of a stratified split. */
    public record Split(Subset train, Subset val) {}

    /**
     * Holds out {@code valCount} examples of {@code d}, stratified: each class gives its share of
     * them (largest remainders round), drawn at random with {@code seed}; the rest is for training.
     * Both parts keep the base's order.
     */
    public static Split stratified(Dataset d, int valCount, long seed) {
        int n = d.size();
        if (valCount <= 0 || valCount >= n) {
            throw new IllegalArgumentException("validation split of " + valCount + " examples from " + n + " in "
                + d.source() + " (it needs at least one of each)");
        }
        int k = d.classes();
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < k; c++) {
            byClass.add(new ArrayList<>());
        }
        for (int i = 0; i < n; i++) {
            byClass.get(d.label(i)).add(i);
        }
        int[] quota = new int[k];
        double[] frac = new double[k];
        int given = 0;
        for (int c = 0; c < k; c++) {
            double exact = (double) valCount * byClass.get(c).size() / n;
            quota[c] = (int) Math.floor(exact);
            frac[c] = exact - quota[c];
            given += quota[c];
        }
        Integer[] order = new Integer[k];
        for (int c = 0; c < k; c++) {
            order[c] = c;
        }
        Arrays.sort(order, (a, b) -> frac[a] != frac[b] ? Double.compare(frac[b], frac[a]) : Integer.compare(a, b));
        for (int j = 0; given < valCount; j = (j + 1) % k) {
            int c = order[j];
            if (quota[c] < byClass.get(c).size()) {
                quota[c]++;
                given++;
            }
        }
        boolean[] held = new boolean[n];
        SplittableRandom r = new SplittableRandom(seed);
        for (int c = 0; c < k; c++) {
            List<Integer> idx = byClass.get(c);
            for (int i = idx.size() - 1; i > 0; i--) { // Fisher-Yates
                int j = r.nextInt(i + 1);
                Integer t = idx.get(i);
                idx.set(i, idx.get(j));
                idx.set(j, t);
            }
            for (int i = 0; i < quota[c]; i++) {
                held[idx.get(i)] = true;
            }
        }
        int[] val = new int[valCount];
        int[] train = new int[n - valCount];
        for (int i = 0, v = 0, t = 0; i < n; i++) {
            if (held[i]) {
                val[v++] = i;
            } else {
                train[t++] = i;
            }
        }
        return new Split(new Subset(d, train, d.source() + " (training part)"),
            new Subset(d, val, d.source() + " (held-out validation, " + valCount + ", split seed " + seed + ")"));
    }

    /**
     * {@code count} examples of {@code d}, stratified as {@link #stratified} draws a validation
     * split, named as a sample (a quick run's smaller training set), not as held-out data.
     */
    public static Subset sample(Dataset d, int count, long seed) {
        Subset s = stratified(d, count, seed).val();
        return new Subset(d, s.indices, d.source() + " (stratified sample of " + count + ", seed " + seed + ")");
    }

    @Override
    public int size() { return indices.length; }

    @Override
    public int channels() { return base.channels(); }

    @Override
    public int height() { return base.height(); }

    @Override
    public int width() { return base.width(); }

    @Override
    public List<String> classNames() { return base.classNames(); }

    @Override
    public void image(int i, byte[] dst, int off) {
        base.image(indices[i], dst, off);
    }

    @Override
    public int label(int i) { return base.label(indices[i]); }

    @Override
    public String source() { return name; }
}
