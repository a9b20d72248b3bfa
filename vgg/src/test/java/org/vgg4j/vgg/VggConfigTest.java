package org.vgg4j.vgg;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** Table 1 of the paper, as data. */
class VggConfigTest {

    @Test
    void weightLayerCountsMatchTable1() {
        for (VggConfig c : VggConfig.values()) {
            long convs = c.features().stream().filter(s -> s instanceof LayerSpec.Conv).count();
            long pools = c.features().stream().filter(s -> s instanceof LayerSpec.Pool).count();
            assertEquals(c.weightLayers(), convs + 3, c + ": conv layers + 3 FC");
            assertEquals(5, pools, c + ": five max-pools");
        }
        assertEquals(1, VggConfig.A_LRN.features().stream().filter(s -> s instanceof LayerSpec.Lrn).count());
        assertEquals(3, VggConfig.C.features().stream()
            .filter(s -> s instanceof LayerSpec.Conv conv && conv.kernel() == 1).count(), "C has three 1x1 convs");
    }

    @Test
    void namesParse() {
        assertEquals(VggConfig.A_LRN, VggConfig.parse("a-lrn"));
        assertEquals(VggConfig.D, VggConfig.parse("vgg16"));
        assertEquals(VggConfig.E, VggConfig.parse("19"));
        assertThrows(IllegalArgumentException.class, () -> VggConfig.parse("F"));
        assertThrows(IllegalArgumentException.class,
            () -> new ModelSpec(VggConfig.A, 3, 40, 10, 1, 512, 0.5f));
    }
}
