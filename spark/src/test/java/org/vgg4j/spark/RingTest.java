package org.vgg4j.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

class RingTest {
    /** Runs {@code work} on n ranks joined in a ring on loopback, one thread each. */
    static <T> List<T> onRing(int n, int timeoutMillis, RankWork<T> work) throws Exception {
        List<ServerSocket> servers = new ArrayList<>();
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            ServerSocket s = Ring.listen("127.0.0.1");
            servers.add(s);
            peers.add(new InetSocketAddress("127.0.0.1", s.getLocalPort()));
        }
        ExecutorService pool = Executors.newFixedThreadPool(n);
        try {
            List<Future<T>> fs = new ArrayList<>();
            for (int r = 0; r < n; r++) {
                int rank = r;
                fs.add(pool.submit((Callable<T>) () -> {
                    try (Ring ring = Ring.connect(rank, peers, servers.get(rank), timeoutMillis)) {
                        return work.run(ring);
                    }
                }));
            }
            List<T> out = new ArrayList<>();
            for (Future<T> f : fs) {
                out.add(f.get());
            }
            return out;
        } finally {
            pool.shutdownNow();
            for (ServerSocket s : servers) {
                s.close();
            }
        }
    }

    interface RankWork<T> {
        T run(Ring ring) throws Exception;
    }

    static float[] random(int len, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[len];
        for (int i = 0; i < len; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    @Test
    void sumsAgainstADoubleReferenceAndLeavesTheSameBitsEverywhere() throws Exception {
        for (int n : new int[] {1, 2, 3, 5}) {
            for (int len : new int[] {0, 1, 4, 7, 1000, (1 << 18) * 2 + 3}) {
                int off = 3;
                List<float[]> results = onRing(n, 10_000, ring -> {
                    float[] a = new float[off + len + 2];
                    System.arraycopy(random(len, ring.rank()), 0, a, off, len);
                    a[0] = 42;
                    a[a.length - 1] = -7;
                    ring.allReduce(a, off, len);
                    return a;
                });
                double[] want = new double[len];
                for (int r = 0; r < n; r++) {
                    float[] x = random(len, r);
                    for (int i = 0; i < len; i++) {
                        want[i] += x[i];
                    }
                }
                for (int i = 0; i < len; i++) {
                    assertEquals(want[i], results.get(0)[off + i], 1e-5 * n, "n=" + n + " len=" + len + " i=" + i);
                }
                for (float[] a : results) {
                    assertArrayEquals(results.get(0), a, "bit-identical on every rank, n=" + n);
                    assertEquals(42, a[0]);
                    assertEquals(-7, a[a.length - 1]);
                }
            }
        }
    }

    @Test
    void broadcastTakesTheRootsValues() throws Exception {
        List<float[]> results = onRing(3, 10_000, ring -> {
            float[] a = random(100, ring.rank() + 10);
            ring.broadcast(a, 0, a.length, 1);
            return a;
        });
        for (float[] a : results) {
            assertArrayEquals(random(100, 11), a);
        }
    }

    @Test
    void aDeadPeerFailsTheOthersWithinTheTimeoutInsteadOfHanging() throws Exception {
        long t0 = System.nanoTime();
        List<String> outcomes = onRing(3, 2_000, ring -> {
            float[] a = new float[1 << 20];
            ring.allReduce(a, 0, a.length);
            if (ring.rank() == 2) {
                ring.close(); // dies before the second call
                return "died";
            }
            try {
                ring.allReduce(a, 0, a.length);
                return "no error";
            } catch (IOException e) {
                return e.getMessage();
            }
        });
        double seconds = (System.nanoTime() - t0) / 1e9;
        assertEquals("died", outcomes.get(2));
        for (int r = 0; r < 2; r++) {
            assertTrue(outcomes.get(r).startsWith("ring all-reduce: rank " + r + " of 3"), outcomes.get(r));
        }
        assertTrue(seconds < 8, "failed in " + seconds + " s");
    }

    @Test
    void aMissingNeighbourIsReportedAfterTheTimeout() throws Exception {
        try (ServerSocket mine = Ring.listen("127.0.0.1"); ServerSocket nobody = Ring.listen("127.0.0.1")) {
            List<InetSocketAddress> peers = List.of(new InetSocketAddress("127.0.0.1", mine.getLocalPort()),
                new InetSocketAddress("127.0.0.1", nobody.getLocalPort()));
            IOException e = assertThrows(IOException.class, () -> Ring.connect(0, peers, mine, 500));
            assertTrue(e.getMessage().contains("waited 500 ms for rank 1"), e.getMessage());
        }
    }
}
