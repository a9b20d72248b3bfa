package org.vgg4j.vgg.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The held-out validation split: stratified, seeded, disjoint from the training part. */
class SubsetTest {
    /** 100 one-pixel images, classes 0/1/2 in proportions 50/30/20; the pixel is the index. */
    static InMemoryDataset unbalanced() {
        byte[] px = new byte[100];
        int[] labels = new int[100];
        for (int i = 0; i < 100; i++) {
            px[i] = (byte) i;
            labels[i] = i < 50 ? 0 : i < 80 ? 1 : 2;
        }
        return new InMemoryDataset(px, labels, 1, 1, 1, List.of("a", "b", "c"), "test data");
    }

    static int[] pixels(Dataset d) {
        int[] out = new int[d.size()];
        byte[] b = new byte[1];
        for (int i = 0; i < d.size(); i++) {
            d.image(i, b, 0);
            out[i] = b[0];
        }
        return out;
    }

    @Test
    void eachClassGivesItsShareAndThePartsAreDisjoint() {
        Subset.Split s = Subset.stratified(unbalanced(), 11, 7);
        assertEquals(11, s.val().size());
        assertEquals(89, s.train().size());
        int[] perClass = new int[3];
        for (int i = 0; i < s.val().size(); i++) {
            perClass[s.val().label(i)]++;
        }
        // 5.5, 3.3, 2.2: floors 5, 3, 2, and the one left goes to the largest remainder (class a)
        assertArrayEquals(new int[] {6, 3, 2}, perClass);
        Set<Integer> seen = new HashSet<>();
        for (int p : pixels(s.train())) {
            seen.add(p);
        }
        for (int p : pixels(s.val())) {
            assertEquals(true, seen.add(p), "example " + p + " in both parts");
            assertEquals(p < 50 ? 0 : p < 80 ? 1 : 2, s.val().label(java.util.Arrays.stream(pixels(s.val()))
                .boxed().toList().indexOf(p)), "labels follow their images");
        }
        assertEquals(100, seen.size());
    }

    @Test
    void theSeedDecidesTheSplit() {
        assertArrayEquals(pixels(Subset.stratified(unbalanced(), 20, 3).val()),
            pixels(Subset.stratified(unbalanced(), 20, 3).val()));
        assertNotEquals(java.util.Arrays.toString(pixels(Subset.stratified(unbalanced(), 20, 3).val())),
            java.util.Arrays.toString(pixels(Subset.stratified(unbalanced(), 20, 4).val())));
    }

    @Test
    void aSampleIsTheSplitsValidationPartNamedAsASample() {
        Subset s = Subset.sample(unbalanced(), 20, 3);
        assertArrayEquals(pixels(Subset.stratified(unbalanced(), 20, 3).val()), pixels(s));
        // a --limit training set was listed as "held-out validation" before
        assertTrue(s.source().endsWith(" (stratified sample of 20, seed 3)"), s.source());
    }

    @Test
    void aSplitThatLeavesNothingIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> Subset.stratified(unbalanced(), 100, 1));
        assertThrows(IllegalArgumentException.class, () -> Subset.stratified(unbalanced(), 0, 1));
    }
}
