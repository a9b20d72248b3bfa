package org.vgg4j.spark;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.vgg4j.nn.dist.Collective;

/**
 * Ring all-reduce over TCP between the workers of one run (the algorithm of Baidu's ring
 * all-reduce, Horovod and gloo): the buffer is cut into one chunk per rank; in N-1 steps of
 * reduce-scatter each rank sends a chunk to its right neighbour while it receives another from
 * its left and adds it in, after which rank r holds the whole sum of chunk r+1; N-1 steps of
 * all-gather then pass the finished chunks round. Every rank sends and receives 2(N-1)/N of the
 * buffer whatever N is. Each finished chunk was summed on one rank and copied to the others, so
 * every rank ends with the same bits.
 *
 * <p>Sending runs on a thread of its own while the caller receives (a ring in which everyone
 * only sent would fill the socket buffers and stop). A peer that stops answering fails the call
 * after {@code timeout} instead of hanging; a peer that dies fails it at once.
 */
public final class Ring implements Collective {
    private static final int SEGMENT = 1 << 18; // floats per socket write: 1 MB
    private static final int MAGIC = 0x76676734; // "vgg4"

    private final int rank;
    private final int size;
    private final Socket toRight;
    private final Socket fromLeft;
    private final SocketChannel out;
    private final SocketChannel in;
    private final int timeoutMillis;
    private volatile boolean timedOut;
    private final ExecutorService sender;
    // direct buffers: a channel writes and reads them without a copy through a temporary one
    private final ByteBuffer sendBytes = ByteBuffer.allocateDirect(4 * SEGMENT).order(ByteOrder.LITTLE_ENDIAN);
    private final ByteBuffer recvBytes = ByteBuffer.allocateDirect(4 * SEGMENT).order(ByteOrder.LITTLE_ENDIAN);
    private final float[] recvFloats = new float[SEGMENT];

    /** Closes a ring whose exchange has waited longer than the timeout (channel reads ignore SO_TIMEOUT). */
    private static final java.util.concurrent.ScheduledExecutorService WATCHDOG =
        Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "vgg4j-ring-watchdog");
            t.setDaemon(true);
            return t;
        });

    private Ring(int rank, int size, Socket toRight, Socket fromLeft, int timeoutMillis) throws IOException {
        this.rank = rank;
        this.size = size;
        this.toRight = toRight;
        this.fromLeft = fromLeft;
        this.timeoutMillis = timeoutMillis;
        this.out = toRight == null ? null : toRight.getChannel();
        this.in = fromLeft == null ? null : fromLeft.getChannel();
        if (toRight != null && (out == null || in == null)) {
            throw new IllegalArgumentException("ring: sockets without channels (make the server with Ring.listen)");
        }
        this.sender = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "vgg4j-ring-send-" + rank);
            t.setDaemon(true);
            return t;
        });
    }

    /**
     * Joins the ring: connects to the right neighbour ({@code peers[(rank + 1) % N]}) and accepts
     * the left one on {@code server} (whose address is {@code peers[rank]}). Each side checks the
     * other's rank, so a stray connection is refused.
     *
     * @param timeoutMillis how long to wait for a neighbour, and later for any one message
     */
    public static Ring connect(int rank, List<InetSocketAddress> peers, ServerSocket server, int timeoutMillis)
        throws IOException {
        int n = peers.size();
        if (rank < 0 || rank >= n) {
            throw new IllegalArgumentException("ring: rank " + rank + " of " + n);
        }
        if (n == 1) {
            return new Ring(0, 1, null, null, timeoutMillis);
        }
        InetSocketAddress right = peers.get((rank + 1) % n);
        Socket toRight = null;
        long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
        IOException last = null;
        while (toRight == null && System.nanoTime() < deadline) {
            Socket s = SocketChannel.open().socket();
            try {
                s.connect(right, Math.max(1, (int) ((deadline - System.nanoTime()) / 1_000_000L)));
                toRight = s;
            } catch (IOException e) {
                s.close();
                last = e;
                sleep(100); // the neighbour may not be listening yet
            }
        }
        if (toRight == null) {
            throw new IOException("ring: rank " + rank + " could not reach rank " + (rank + 1) % n + " at " + right
                + " within " + timeoutMillis + " ms (" + (last == null ? "timeout" : last.getMessage()) + ")");
        }
        try {
            configure(toRight, timeoutMillis);
            DataOutputStream hello = new DataOutputStream(toRight.getOutputStream());
            hello.writeInt(MAGIC);
            hello.writeInt(rank);
            hello.writeInt(n);
            hello.flush();
            server.setSoTimeout(timeoutMillis);
            Socket fromLeft;
            try {
                fromLeft = server.accept();
            } catch (SocketTimeoutException e) {
                throw new IOException("ring: rank " + rank + " waited " + timeoutMillis + " ms for rank "
                    + (rank + n - 1) % n + " to connect");
            }
            configure(fromLeft, timeoutMillis);
            DataInputStream h = new DataInputStream(fromLeft.getInputStream());
            int magic = h.readInt();
            int left = h.readInt();
            int size = h.readInt();
            if (magic != MAGIC || left != (rank + n - 1) % n || size != n) {
                fromLeft.close();
                throw new IOException("ring: rank " + rank + " expected rank " + (rank + n - 1) % n + " of " + n
                    + ", was reached by " + (magic != MAGIC ? "something else" : "rank " + left + " of " + size));
            }
            return new Ring(rank, n, toRight, fromLeft, timeoutMillis);
        } catch (IOException | RuntimeException e) {
            toRight.close();
            throw e;
        }
    }

    private static void configure(Socket s, int timeoutMillis) throws IOException {
        s.setTcpNoDelay(true);
        s.setSoTimeout(timeoutMillis);
        s.setSendBufferSize(1 << 21);
        s.setReceiveBufferSize(1 << 21);
    }

    private static void sleep(long ms) throws IOException {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("ring: interrupted while connecting");
        }
    }

    @Override
    public int rank() { return rank; }

    @Override
    public int size() { return size; }

    @Override
    public synchronized void allReduce(float[] buf, int off, int len) throws IOException {
        if (off < 0 || len < 0 || off + len > buf.length) {
            throw new IllegalArgumentException("ring: range [" + off + ", " + (off + len) + ") of " + buf.length);
        }
        if (size == 1 || len == 0) {
            return;
        }
        // chunk c covers [start(c), start(c + 1))
        for (int s = 0; s < size - 1; s++) {
            int send = Math.floorMod(rank - s, size);
            int recv = Math.floorMod(rank - s - 1, size);
            exchange(buf, off, len, send, recv, true);
        }
        for (int s = 0; s < size - 1; s++) {
            int send = Math.floorMod(rank + 1 - s, size);
            int recv = Math.floorMod(rank - s, size);
            exchange(buf, off, len, send, recv, false);
        }
    }

    private int start(int chunk, int len) {
        return (int) ((long) len * chunk / size);
    }

    /** Sends chunk {@code send} right while chunk {@code recv} comes from the left: added, or copied. */
    private void exchange(float[] buf, int off, int len, int send, int recv, boolean add) throws IOException {
        int s0 = off + start(send, len);
        int s1 = off + start(send + 1, len);
        java.util.concurrent.ScheduledFuture<?> alarm = WATCHDOG.schedule(() -> {
            timedOut = true;
            closeQuietly();
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        Future<?> sending = sender.submit(() -> {
            write(buf, s0, s1 - s0);
            return null;
        });
        try {
            read(buf, off + start(recv, len), start(recv + 1, len) - start(recv, len), add);
            sending.get(Math.max(1, timeoutMillis), TimeUnit.MILLISECONDS);
            alarm.cancel(false);
        } catch (java.util.concurrent.ExecutionException e) {
            throw failure("sending to rank " + (rank + 1) % size, e.getCause());
        } catch (java.util.concurrent.TimeoutException e) {
            throw failure("sending to rank " + (rank + 1) % size, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw failure("interrupted", e);
        } catch (IOException e) {
            sending.cancel(true);
            throw failure("receiving from rank " + (rank + size - 1) % size, e);
        } finally {
            alarm.cancel(false);
        }
    }

    private IOException failure(String what, Throwable cause) {
        closeQuietly();
        String why = timedOut || cause instanceof SocketTimeoutException
            || cause instanceof java.util.concurrent.TimeoutException
            ? "no answer in time (a worker died or stalled)"
            : cause instanceof java.io.EOFException ? "the connection closed (a worker died)"
            : cause == null || cause.getMessage() == null ? String.valueOf(cause) : cause.getMessage();
        return new IOException("ring all-reduce: rank " + rank + " of " + size + ", " + what + ": " + why, cause);
    }

    private void write(float[] buf, int from, int count) throws IOException {
        FloatBuffer f = sendBytes.clear().asFloatBuffer();
        for (int done = 0; done < count; ) {
            int n = Math.min(SEGMENT, count - done);
            f.clear();
            f.put(buf, from + done, n);
            sendBytes.clear().limit(4 * n);
            while (sendBytes.hasRemaining()) {
                out.write(sendBytes);
            }
            done += n;
        }
    }

    private void read(float[] buf, int from, int count, boolean add) throws IOException {
        FloatBuffer f = recvBytes.clear().asFloatBuffer();
        for (int done = 0; done < count; ) {
            int n = Math.min(SEGMENT, count - done);
            recvBytes.clear().limit(4 * n);
            while (recvBytes.hasRemaining()) {
                if (in.read(recvBytes) < 0) {
                    throw new java.io.EOFException();
                }
            }
            f.clear();
            if (add) {
                f.get(recvFloats, 0, n);
                int base = from + done;
                for (int i = 0; i < n; i++) {
                    buf[base + i] += recvFloats[i];
                }
            } else {
                f.get(buf, from + done, n);
            }
            done += n;
        }
    }

    private void closeQuietly() {
        try {
            close();
        } catch (IOException ignored) {
            // already failing
        }
    }

    @Override
    public void close() throws IOException {
        sender.shutdownNow();
        try {
            if (toRight != null) {
                toRight.close();
            }
        } finally {
            if (fromLeft != null) {
                fromLeft.close();
            }
        }
    }

    /** A server socket for this worker's left neighbour, on any free port of {@code host}. */
    public static ServerSocket listen(String host) throws IOException {
        return listen(new InetSocketAddress(host, 0));
    }

    /** A server socket for this worker's left neighbour at {@code address} (channel-backed, as the ring needs). */
    public static ServerSocket listen(InetSocketAddress address) throws IOException {
        java.nio.channels.ServerSocketChannel ch = java.nio.channels.ServerSocketChannel.open();
        ch.bind(address, 4);
        return ch.socket();
    }

}
