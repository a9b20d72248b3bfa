package org.vgg4j.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The work splitter: every item exactly once, nesting, failures reach the caller. */
class ParallelTest {
    @Test
    void everyItemRunsExactlyOnce() {
        for (int n : new int[] {1, 2, 3, 7, 64, 1000}) {
            AtomicIntegerArray seen = new AtomicIntegerArray(n);
            Parallel.parallelFor(n, seen::incrementAndGet);
            for (int i = 0; i < n; i++) {
                assertEquals(1, seen.get(i), "item " + i + " of " + n);
            }
        }
    }

    @Test
    void rangesCoverTheWholeIntervalWithoutOverlap() {
        for (long n : new long[] {1, 5, 17, 100_003}) {
            AtomicLong sum = new AtomicLong();
            AtomicLong count = new AtomicLong();
            Parallel.parallelRange(n, 3, (lo, hi) -> {
                for (long i = lo; i < hi; i++) {
                    sum.addAndGet(i);
                    count.incrementAndGet();
                }
            });
            assertEquals(n, count.get());
            assertEquals(n * (n - 1) / 2, sum.get());
        }
    }

    @Test
    void nestedCallsRunAndComplete() {
        AtomicIntegerArray seen = new AtomicIntegerArray(8 * 8);
        Parallel.parallelFor(8, i -> Parallel.parallelFor(8, j -> seen.incrementAndGet(i * 8 + j)));
        for (int i = 0; i < 64; i++) {
            assertEquals(1, seen.get(i));
        }
    }

    @Test
    void aFailingItemFailsTheCallAndThePoolStaysUsable() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () ->
            Parallel.parallelFor(50, i -> {
                if (i == 37) {
                    throw new IllegalArgumentException("item 37");
                }
            }));
        assertEquals("item 37", e.getMessage());
        AtomicIntegerArray seen = new AtomicIntegerArray(10);
        Parallel.parallelFor(10, seen::incrementAndGet);
        for (int i = 0; i < 10; i++) {
            assertEquals(1, seen.get(i));
        }
    }
}
