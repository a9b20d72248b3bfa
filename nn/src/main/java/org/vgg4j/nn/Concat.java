package org.vgg4j.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.vgg4j.tensor.Backend;
import org.vgg4j.tensor.Tensor;

/**
 * Parallel branches on the same input, outputs concatenated along the channel axis (an
 * Inception block, Szegedy et al., 2015): branch i maps {@code x} to {@code [N, C_i, ...]} and
 * {@code y} is {@code [N, sum C_i, ...]}, the trailing dimensions equal across branches. The input
 * gradient is the sum of the branches'. Built on {@link Module} alone; no branch may overwrite
 * its input, which the others share.
 */
public final class Concat implements Module {
    private final Backend backend;
    private final List<Module> branches;
    private final Buffers buffers;
    private int[][] branchShapes;
    private int[] inputShape;

    public Concat(Backend backend, List<? extends Module> branches) {
        if (branches.isEmpty()) {
            throw new IllegalArgumentException("Concat: no branches");
        }
        this.backend = backend;
        this.branches = List.copyOf(branches);
        this.buffers = new Buffers(backend);
    }

    public List<Module> branches() { return branches; }

    private int[][] shapes(int[] inputShape) {
        int[][] s = new int[branches.size()][];
        for (int i = 0; i < s.length; i++) {
            s[i] = branches.get(i).outputShape(inputShape);
            boolean same = s[i].length >= 2 && s[i].length == s[0].length && s[i][0] == s[0][0]
                && Arrays.equals(s[i], 2, s[i].length, s[0], 2, s[0].length);
            if (!same) {
                throw new IllegalArgumentException("Concat: branch " + i + " gives " + Arrays.toString(s[i])
                    + ", branch 0 gives " + Arrays.toString(s[0]) + "; only the channel dimension (1) may differ");
            }
        }
        return s;
    }

    @Override
    public int[] outputShape(int[] inputShape) {
        int[][] s = shapes(inputShape);
        int[] out = s[0].clone();
        out[1] = 0;
        for (int[] b : s) {
            out[1] += b[1];
        }
        return out;
    }

    /** Elements per channel: the product of the dimensions after the channel axis. */
    private static long plane(int[] s) {
        long p = 1;
        for (int i = 2; i < s.length; i++) {
            p *= s[i];
        }
        return p;
    }

    @Override
    public Tensor forward(Tensor x, boolean training) {
        inputShape = x.shape();
        branchShapes = shapes(inputShape);
        int[] ys = outputShape(inputShape);
        Tensor y = buffers.get("y", ys);
        long plane = plane(ys);
        long channelOffset = 0;
        for (int i = 0; i < branches.size(); i++) {
            Tensor out = branches.get(i).forward(x, training);
            long block = branchShapes[i][1] * plane;
            for (int n = 0; n < ys[0]; n++) {
                backend.copy(out, n * block, y, (n * (long) ys[1] + channelOffset) * plane, block);
            }
            channelOffset += branchShapes[i][1];
        }
        return y;
    }

    @Override
    public Tensor backward(Tensor gradOutput) {
        int[] ys = gradOutput.shape();
        long plane = plane(ys);
        long channelOffset = 0;
        Tensor gradX = buffers.gradient("gradX", inputShape);
        for (int i = 0; i < branches.size(); i++) {
            Tensor g = buffers.gradient("grad" + i, branchShapes[i]);
            long block = branchShapes[i][1] * plane;
            for (int n = 0; n < ys[0]; n++) {
                backend.copy(gradOutput, (n * (long) ys[1] + channelOffset) * plane, g, n * block, block);
            }
            channelOffset += branchShapes[i][1];
            Tensor gx = branches.get(i).backward(g);
            if (i == 0) {
                backend.copy(gx, 0, gradX, 0, gradX.size());
            } else {
                backend.axpy(1f, gx, gradX);
            }
            if (pool != null) {
                pool.release(gx, gradOutput, gradX);
                pool.release(g, gradOutput, gradX);
            }
        }
        return gradX;
    }

    private GradientPool pool;

    @Override
    public void setGradientPool(GradientPool pool) {
        this.pool = pool;
        buffers.share(pool);
        for (Module b : branches) {
            b.setGradientPool(pool);
        }
    }

    @Override
    public List<Parameter> parameters() {
        List<Parameter> all = new ArrayList<>();
        branches.forEach(b -> all.addAll(b.parameters()));
        return all;
    }

    @Override
    public List<State> state() {
        List<State> all = new java.util.ArrayList<>();
        branches.forEach(b -> all.addAll(b.state()));
        return all;
    }

    @Override
    public String describe() {
        return "Concat(" + branches.stream().map(Module::describe).reduce((a, b) -> a + ", " + b).orElse("") + ")";
    }

    @Override
    public void close() {
        branches.forEach(Module::close);
        buffers.close();
    }
}
