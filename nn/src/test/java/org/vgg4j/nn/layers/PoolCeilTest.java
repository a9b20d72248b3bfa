package org.vgg4j.nn.layers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import org.junit.jupiter.api.Test;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.ShapeOnlyBackend;

/** Output sizes of max-pooling in ceil mode, as torch.nn.MaxPool2d(..., ceil_mode=True) gives them. */
class PoolCeilTest {
    @Test
    void ceilModeSizesArePyTorchs() {
        try (Backend b = ShapeOnlyBackend.create()) {
            // GoogLeNet at 224: 112 -> 56 -> 28 -> 14 -> 7
            assertArrayEquals(new int[] {1, 64, 56, 56}, new MaxPool2d(b, 3, 2, 0, true).outputShape(new int[] {1, 64, 112, 112}));
            assertArrayEquals(new int[] {1, 192, 28, 28}, new MaxPool2d(b, 3, 2, 0, true).outputShape(new int[] {1, 192, 56, 56}));
            assertArrayEquals(new int[] {1, 832, 7, 7}, new MaxPool2d(b, 2, 2, 0, true).outputShape(new int[] {1, 832, 14, 14}));
            assertArrayEquals(new int[] {2, 2, 4, 4}, new MaxPool2d(b, 3, 2, 0, true).outputShape(new int[] {2, 2, 8, 8}));
            assertArrayEquals(new int[] {2, 2, 3, 3}, new MaxPool2d(b, 3, 2, 0, false).outputShape(new int[] {2, 2, 8, 8}));
            assertArrayEquals(new int[] {1, 1, 3, 4}, new MaxPool2d(b, 2, 2, 0, true).outputShape(new int[] {1, 1, 5, 7}));
            // with padding (torch 1.13: 4 -> 3, 6 -> 4, 5 -> 3)
            assertArrayEquals(new int[] {1, 1, 3, 3}, new MaxPool2d(b, 3, 2, 1, true).outputShape(new int[] {1, 1, 4, 4}));
            assertArrayEquals(new int[] {1, 1, 4, 4}, new MaxPool2d(b, 3, 2, 1, true).outputShape(new int[] {1, 1, 6, 6}));
            assertArrayEquals(new int[] {1, 1, 3, 3}, new MaxPool2d(b, 3, 2, 1, true).outputShape(new int[] {1, 1, 5, 5}));
            // 3x3 s1 p1 (the Inception pool branch) keeps the size
            assertArrayEquals(new int[] {1, 1, 14, 14}, new MaxPool2d(b, 3, 1, 1, true).outputShape(new int[] {1, 1, 14, 14}));
        }
    }
}
