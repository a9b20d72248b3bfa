package org.vgg4j.kernelscl;

import static org.jocl.CL.CL_CONTEXT_PLATFORM;
import static org.jocl.CL.CL_MEM_READ_WRITE;
import static org.jocl.CL.CL_FALSE;
import static org.jocl.CL.CL_TRUE;
import static org.jocl.CL.clCreateBuffer;
import static org.jocl.CL.clCreateCommandQueue;
import static org.jocl.CL.clCreateContext;
import static org.jocl.CL.clCreateKernel;
import static org.jocl.CL.clEnqueueCopyBuffer;
import static org.jocl.CL.clEnqueueFillBuffer;
import static org.jocl.CL.clEnqueueMarkerWithWaitList;
import static org.jocl.CL.clEnqueueNDRangeKernel;
import static org.jocl.CL.clEnqueueReadBuffer;
import static org.jocl.CL.clEnqueueWriteBuffer;
import static org.jocl.CL.clFinish;
import static org.jocl.CL.clFlush;
import static org.jocl.CL.clReleaseEvent;
import static org.jocl.CL.clWaitForEvents;
import static org.jocl.CL.clReleaseCommandQueue;
import static org.jocl.CL.clReleaseContext;
import static org.jocl.CL.clReleaseKernel;
import static org.jocl.CL.clReleaseMemObject;
import static org.jocl.CL.clReleaseProgram;
import static org.jocl.CL.clSetKernelArg;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jocl.CLException;
import org.jocl.Pointer;
import org.jocl.Sizeof;
import org.jocl.cl_command_queue;
import org.jocl.cl_context;
import org.jocl.cl_context_properties;
import org.jocl.cl_event;
import org.jocl.cl_kernel;
import org.jocl.cl_mem;
import org.jocl.cl_program;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Checks;
import org.vgg4j.tensor.Tensor;

/**
 * The OpenCL backend: tensors are device buffers, every op is a kernel queued on one in-order
 * queue, and only {@link #download}, {@link #sum}, {@link #topK} and {@link #synchronize} wait.
 * Uploads are blocking writes (JOCL cannot leave a Java array to the driver asynchronously);
 * {@link #uploadAhead} copies the array into a direct staging buffer and writes it on a second
 * queue, ordered by events: after a marker of everything queued before, and before every later
 * command that touches the destination (its event joins that command's wait list).
 * The GEMM-based ops and the others live in {@link ClOps}; this class owns the device state.
 * Not thread-safe: one training loop drives one backend.
 */
public final class ClBackend extends ClOps implements Backend {
    static final String[] PROGRAMS = {"gemm", "gemm_small", "conv", "convgemm", "elementwise", "pool", "loss", "norm"};

    final ClDevices.Device device;
    private final cl_context context;
    private final cl_command_queue queue;
    private final List<cl_program> programs = new ArrayList<>();
    private final Map<String, cl_kernel> kernels = new HashMap<>();
    final GemmTuning.Params gemmParams;
    final GemmTuning.Params gemmSmallParams;
    private boolean closed;

    /** Host transfers, blocking calls and kernel launches so far (tests check a step queues, then waits once). */
    public record Stats(long transfers, long blockingCalls, long launches) {}

    private long transfers;
    private long blockingCalls;
    private long launches;
    private long aheadUploads;

    /** The queue of {@link #uploadAhead}'s writes (created on first use). */
    private cl_command_queue transferQueue;
    /** Writes still pending on the transfer queue, by destination buffer. */
    private final Map<cl_mem, cl_event> pending = new java.util.IdentityHashMap<>();
    /** Staging buffers of {@link #uploadAhead}, used in turn; a slot is reused once its write is done. */
    private final java.nio.ByteBuffer[] staging = new java.nio.ByteBuffer[4];
    private final cl_event[] stagingDone = new cl_event[4];
    private int nextStaging;

    public ClBackend(ClDevices.Device device) {
        this.device = device;
        try {
            cl_context_properties props = new cl_context_properties();
            props.addProperty(CL_CONTEXT_PLATFORM, device.platformId());
            this.context = clCreateContext(props, 1, new org.jocl.cl_device_id[] {device.id()}, null, null, null);
            this.queue = clCreateCommandQueue(context, device.id(), 0, null);
        } catch (CLException e) {
            throw new IllegalStateException("cannot open OpenCL device " + device.name() + ": " + e.getMessage(), e);
        }
        this.gemmParams = GemmTuning.forDevice(device);
        this.gemmSmallParams = GemmTuning.smallM(device);
        for (String p : PROGRAMS) {
            // gemm_small is gemm.cl built with the tiles for few rows; its kernel is "gemm" too
            String file = p.equals("gemm_small") ? "gemm" : p;
            String options = p.equals("gemm") || p.equals("convgemm") ? gemmParams.defines() : p.equals("gemm_small")
                ? gemmSmallParams.defines() : "";
            cl_program prog = ClProgramCache.build(context, device, p, source(file + ".cl"), options);
            programs.add(prog);
            for (String k : kernelNames(p)) {
                kernels.put(p.equals("gemm_small") ? "gemm_small" : k, clCreateKernel(prog, k, null));
            }
        }
        super.init(this);
    }

    /**
     * The convolution kernels built with the few-rows GEMM tiles, as {@code <kernel>_small}:
     * built on first use (only where small outputs meet a GPU's large tiles).
     */
    synchronized void ensureSmallConv() {
        if (kernels.containsKey("conv_forward_small")) {
            return;
        }
        cl_program prog = ClProgramCache.build(context, device, "convgemm_small", source("convgemm.cl"),
            gemmSmallParams.defines());
        programs.add(prog);
        for (String k : kernelNames("convgemm")) {
            kernels.put(k + "_small", clCreateKernel(prog, k, null));
        }
    }

    private static List<String> kernelNames(String program) {
        return switch (program) {
            case "gemm", "gemm_small" -> List.of("gemm");
            case "conv" -> List.of("im2col", "col2im", "chunk", "unchunk");
            case "convgemm" -> List.of("conv_forward", "conv_backward_data", "conv_backward_weights", "split_sum");
            case "elementwise" -> List.of("relu_forward", "relu_backward", "scale", "axpy", "add", "mul", "bias_add",
                "bias_grad", "dropout", "sgd", "sum_partial");
            case "pool" -> List.of("maxpool_forward", "maxpool_backward", "avgpool_forward", "avgpool_backward",
                "lrn_forward", "lrn_backward");
            case "loss" -> List.of("softmax_xent_forward", "softmax_xent_backward");
            case "norm" -> List.of("batchnorm_forward_train", "batchnorm_forward_infer", "batchnorm_backward");
            default -> throw new IllegalArgumentException(program);
        };
    }

    static String source(String file) {
        try (InputStream in = ClBackend.class.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("kernel source " + file + " missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read kernel source " + file, e);
        }
    }

    public Stats stats() {
        return new Stats(transfers, blockingCalls, launches);
    }

    /** Uploads that went through {@link #uploadAhead}'s second queue so far. */
    public long aheadUploads() {
        return aheadUploads;
    }

    @Override
    public boolean uploadsAhead() {
        return true;
    }

    @Override
    public void uploadAhead(float[] src, int srcOff, Tensor dst, long dstOff, int len) {
        Checks.owned("uploadAhead", this, dst);
        Checks.range("uploadAhead", "source", src.length, srcOff, len);
        Checks.range("uploadAhead", "destination", dst.size(), dstOff, len);
        if (len == 0) {
            return;
        }
        if (transferQueue == null) {
            transferQueue = clCreateCommandQueue(context, device.id(), 0, null);
        }
        int slot = nextStaging;
        nextStaging = (nextStaging + 1) % staging.length;
        if (stagingDone[slot] != null) {
            // the slot's last write has to have read its staging buffer before it is refilled
            clWaitForEvents(1, new cl_event[] {stagingDone[slot]});
            clReleaseEvent(stagingDone[slot]);
            stagingDone[slot] = null;
        }
        if (staging[slot] == null || staging[slot].capacity() < 4L * len) {
            staging[slot] = java.nio.ByteBuffer.allocateDirect(Math.multiplyExact(4, len))
                .order(java.nio.ByteOrder.nativeOrder());
        }
        java.nio.ByteBuffer buf = staging[slot];
        buf.clear();
        buf.asFloatBuffer().put(src, srcOff, len);
        cl_mem m = mem(dst);
        // ops queued so far may read or write dst: the write starts after all of them
        cl_event before = new cl_event();
        clEnqueueMarkerWithWaitList(queue, 0, null, before);
        clFlush(queue);
        cl_event prior = pending.remove(m);
        cl_event[] waits = prior == null ? new cl_event[] {before} : new cl_event[] {before, prior};
        cl_event done = new cl_event();
        clEnqueueWriteBuffer(transferQueue, m, CL_FALSE, 4 * dstOff, 4L * len, Pointer.to(buf), waits.length, waits, done);
        clFlush(transferQueue);
        clReleaseEvent(before);
        if (prior != null) {
            clReleaseEvent(prior);
        }
        pending.put(m, done);
        org.jocl.CL.clRetainEvent(done);
        stagingDone[slot] = done;
        transfers++;
        aheadUploads++;
    }

    /**
     * The pending writes of {@link #uploadAhead} into any of these tensors, as a wait list for the
     * next command on the main queue (null: none); once that command is queued after them,
     * everything queued later is too, so they are forgotten.
     */
    private cl_event[] waitFor(Object... touched) {
        if (pending.isEmpty()) {
            return null;
        }
        List<cl_event> w = null;
        for (Object a : touched) {
            cl_mem m = a instanceof Tensor t ? mem(t) : a instanceof cl_mem cm ? cm : null;
            cl_event e = m == null ? null : pending.remove(m);
            if (e != null) {
                if (w == null) {
                    w = new ArrayList<>();
                }
                w.add(e);
            }
        }
        return w == null ? null : w.toArray(new cl_event[0]);
    }

    private static void release(cl_event[] events) {
        if (events != null) {
            for (cl_event e : events) {
                clReleaseEvent(e);
            }
        }
    }

    private static int count(cl_event[] events) {
        return events == null ? 0 : events.length;
    }

    @Override
    public String name() {
        return device.spec();
    }

    @Override
    public String description() {
        return device.describe();
    }

    static cl_mem mem(Tensor t) {
        return t.storage(ClBuffer.class).mem;
    }

    // ---------------------------------------------------------------- memory

    @Override
    public Tensor zeros(int... shape) {
        Tensor t = allocate(shape);
        fill(t, 0f);
        return t;
    }

    private Tensor allocate(int[] shape) {
        long n = Tensor.sizeOf(shape);
        try {
            cl_mem m = clCreateBuffer(context, CL_MEM_READ_WRITE, Math.max(4, 4 * n), null, null);
            return new Tensor(this, new ClBuffer(m, n), shape, true);
        } catch (CLException e) {
            throw new IllegalStateException("out of device memory on " + device.name() + ": " + Arrays.toString(shape)
                + " (" + (4 * n >> 20) + " MiB) asked for, " + (device.globalMem() >> 20) + " MiB on the device: "
                + e.getMessage(), e);
        }
    }

    @Override
    public Tensor fromHost(float[] data, int... shape) {
        if (Tensor.sizeOf(shape) != data.length) {
            throw new IllegalArgumentException("fromHost: " + data.length + " values for shape " + Arrays.toString(shape));
        }
        Tensor t = allocate(shape);
        upload(data, 0, t, 0, data.length);
        return t;
    }

    @Override
    public void upload(float[] src, int srcOff, Tensor dst, long dstOff, int len) {
        Checks.owned("upload", this, dst);
        Checks.range("upload", "source", src.length, srcOff, len);
        Checks.range("upload", "destination", dst.size(), dstOff, len);
        if (len == 0) {
            return;
        }
        cl_event[] w = waitFor(dst);
        clEnqueueWriteBuffer(queue, mem(dst), CL_TRUE, 4 * dstOff, 4L * len, Pointer.to(src).withByteOffset(4L * srcOff),
            count(w), w, null);
        release(w);
        transfers++;
        blockingCalls++;
    }

    @Override
    public void download(Tensor src, long srcOff, float[] dst, int dstOff, int len) {
        Checks.owned("download", this, src);
        Checks.range("download", "source", src.size(), srcOff, len);
        Checks.range("download", "destination", dst.length, dstOff, len);
        if (len == 0) {
            return;
        }
        cl_event[] w = waitFor(src);
        clEnqueueReadBuffer(queue, mem(src), CL_TRUE, 4 * srcOff, 4L * len, Pointer.to(dst).withByteOffset(4L * dstOff),
            count(w), w, null);
        release(w);
        transfers++;
        blockingCalls++;
    }

    @Override
    public void copy(Tensor src, long srcOff, Tensor dst, long dstOff, long len) {
        Checks.owned("copy", this, src, dst);
        Checks.range("copy", "source", src.size(), srcOff, len);
        Checks.range("copy", "destination", dst.size(), dstOff, len);
        if (len > 0) {
            cl_event[] w = waitFor(src, dst);
            clEnqueueCopyBuffer(queue, mem(src), mem(dst), 4 * srcOff, 4 * dstOff, 4 * len, count(w), w, null);
            release(w);
        }
    }

    @Override
    public void fill(Tensor t, float value) {
        Checks.owned("fill", this, t);
        if (t.size() > 0) {
            cl_event[] w = waitFor(t);
            clEnqueueFillBuffer(queue, mem(t), Pointer.to(new float[] {value}), Sizeof.cl_float, 0, 4 * t.size(),
                count(w), w, null);
            release(w);
        }
    }

    @Override
    public void release(Tensor t) {
        release(waitFor(t)); // the runtime frees the buffer once the commands using it are done
        clReleaseMemObject(t.storage(ClBuffer.class).mem);
    }

    @Override
    public void synchronize() {
        if (transferQueue != null) {
            clFinish(transferQueue);
        }
        clFinish(queue);
        blockingCalls++;
    }

    /** Queues kernel {@code name} over {@code global} work-items (rounded up to {@code local}). */
    void launch(String name, long[] global, long[] local, Object... args) {
        cl_kernel k = kernels.get(name);
        for (int i = 0; i < args.length; i++) {
            Object a = args[i];
            if (a instanceof Tensor t) {
                clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(mem(t)));
            } else if (a instanceof cl_mem m) {
                clSetKernelArg(k, i, Sizeof.cl_mem, Pointer.to(m));
            } else if (a instanceof Integer v) {
                clSetKernelArg(k, i, Sizeof.cl_int, Pointer.to(new int[] {v}));
            } else if (a instanceof Float v) {
                clSetKernelArg(k, i, Sizeof.cl_float, Pointer.to(new float[] {v}));
            } else if (a instanceof Long v) {
                clSetKernelArg(k, i, Sizeof.cl_long, Pointer.to(new long[] {v}));
            } else {
                throw new IllegalArgumentException(name + ": argument " + i + " of type " + a);
            }
        }
        long[] g = global.clone();
        if (local != null) {
            for (int d = 0; d < g.length; d++) {
                g[d] = (g[d] + local[d] - 1) / local[d] * local[d];
            }
        }
        for (long x : g) {
            if (x == 0) {
                return;
            }
        }
        cl_event[] w = waitFor(args);
        clEnqueueNDRangeKernel(queue, k, g.length, null, g, local, count(w), w, null);
        release(w);
        launches++;
    }

    /** A scratch buffer of at least {@code floats}, kept between calls (grown when needed). */
    Tensor scratch(String name, long floats) {
        Tensor t = scratch.get(name);
        if (t == null || t.size() < floats) {
            if (t != null) {
                t.close();
            }
            t = allocate(new int[] {(int) Math.max(1, floats)});
            scratch.put(name, t);
        }
        return t;
    }

    private final Map<String, Tensor> scratch = new HashMap<>();

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (transferQueue != null) {
                clFinish(transferQueue);
            }
            clFinish(queue);
        } catch (CLException ignored) {
            // closing anyway
        }
        pending.values().forEach(org.jocl.CL::clReleaseEvent);
        for (cl_event e : stagingDone) {
            if (e != null) {
                clReleaseEvent(e);
            }
        }
        if (transferQueue != null) {
            clReleaseCommandQueue(transferQueue);
        }
        scratch.values().forEach(Tensor::close);
        kernels.values().forEach(k -> clReleaseKernel(k));
        programs.forEach(p -> clReleaseProgram(p));
        clReleaseCommandQueue(queue);
        clReleaseContext(context);
    }
}
