package org.vgg4j.spark;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.vgg4j.nn.TrainStep;
import org.vgg4j.nn.optim.Sgd;
import org.vgg4j.tensor.cpu.CpuBackend;
import org.vgg4j.vgg.ModelSpec;
import org.vgg4j.vgg.VggConfig;
import org.vgg4j.vgg.VggModel;

/**
 * The data-parallel side of {@code benchmarks/compare-spark.sh}, measured as PyTorch's
 * {@code torch_ddp.py} measures DDP: W worker processes (JVMs here) on this machine joined in a
 * {@link Ring}, each with T threads.
 * <ul>
 *   <li>{@code train <model> <global_batch> <workers> <threads> <steps>}: synchronous SGD steps
 *       (forward, backward, all-reduce of every gradient, update) on random data; prints
 *       {@code img_s=} (global batch / median step time);</li>
 *   <li>{@code allreduce <megabytes> <workers>}: prints {@code gb_s=} (bytes of the buffer / median
 *       seconds of one all-reduce), gloo's measure in torch_ddp.py.</li>
 * </ul>
 * Only fmnist_vgg11 is a model here (configuration A on 32x32x1, Linear 512->10, as torch_vgg.py).
 */
public final class RingBench {
    private RingBench() {}

    public static void main(String[] args) throws Exception {
        if (args.length >= 1 && args[0].equals("worker")) {
            worker(Arrays.copyOfRange(args, 1, args.length));
            return;
        }
        if (args.length == 6 && args[0].equals("train") || args.length == 3 && args[0].equals("allreduce")) {
            int workers = Integer.parseInt(args[args[0].equals("train") ? 3 : 2]);
            System.out.println(spawn(args, workers));
            return;
        }
        System.err.println("usage: RingBench train fmnist_vgg11 <global_batch> <workers> <threads> <steps>"
            + " | allreduce <megabytes> <workers>");
        System.exit(2);
    }

    /** Starts the worker JVMs, returns rank 0's result line. */
    private static String spawn(String[] job, int workers) throws Exception {
        List<Integer> ports = new ArrayList<>();
        for (int r = 0; r < workers; r++) {
            try (ServerSocket s = new ServerSocket(0)) {
                ports.add(s.getLocalPort());
            }
        }
        String threads = job[0].equals("train") ? job[4] : "1";
        String java = ProcessHandle.current().info().command().orElse("java");
        List<Process> procs = new ArrayList<>();
        for (int r = 0; r < workers; r++) {
            List<String> cmd = new ArrayList<>(List.of(java, "--add-modules", "jdk.incubator.vector",
                "-XX:+UseParallelGC", "-Xmx3g", "-Dvgg4j.threads=" + threads, "-cp",
                System.getProperty("java.class.path"), RingBench.class.getName(), "worker", String.valueOf(r)));
            for (int p : ports) {
                cmd.add(String.valueOf(p));
            }
            cmd.add("--");
            cmd.addAll(List.of(job));
            procs.add(new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start());
        }
        String line;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(procs.get(0).getInputStream()))) {
            line = out.readLine();
        }
        for (Process p : procs) {
            if (p.waitFor() != 0) {
                throw new IllegalStateException("a worker failed (exit " + p.exitValue() + ")");
            }
        }
        return line;
    }

    private static void worker(String[] args) throws Exception {
        int rank = Integer.parseInt(args[0]);
        int sep = Arrays.asList(args).indexOf("--");
        List<InetSocketAddress> peers = new ArrayList<>();
        for (int i = 1; i < sep; i++) {
            peers.add(new InetSocketAddress("127.0.0.1", Integer.parseInt(args[i])));
        }
        String[] job = Arrays.copyOfRange(args, sep + 1, args.length);
        ServerSocket server = Ring.listen(peers.get(rank));
        try (Ring ring = Ring.connect(rank, peers, server, 120_000)) {
            String result = job[0].equals("train") ? train(ring, job) : allReduce(ring, job);
            if (rank == 0) {
                System.out.println(result);
            }
        } finally {
            server.close();
        }
    }

    private static double median(double[] t) {
        double[] s = t.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static String allReduce(Ring ring, String[] job) throws IOException {
        double mb = Double.parseDouble(job[1]);
        float[] buf = new float[(int) (mb * (1 << 20) / 4)];
        Arrays.fill(buf, 1f);
        float[] token = new float[1];
        ring.allReduce(buf, 0, buf.length);
        double[] times = new double[5];
        for (int i = 0; i < times.length; i++) {
            ring.allReduce(token, 0, 1); // a barrier
            long t0 = System.nanoTime();
            ring.allReduce(buf, 0, buf.length);
            times[i] = (System.nanoTime() - t0) / 1e9;
        }
        return String.format(Locale.ROOT, "ring_allreduce mb=%s workers=%d gb_s=%.3f", job[1], ring.size(),
            buf.length * 4.0 / median(times) / 1e9);
    }

    private static String train(Ring ring, String[] job) throws IOException {
        if (!job[1].equals("fmnist_vgg11")) {
            throw new IllegalArgumentException("unknown model " + job[1] + " (fmnist_vgg11)");
        }
        int global = Integer.parseInt(job[2]);
        int steps = Integer.parseInt(job[5]);
        int local = global / ring.size();
        ModelSpec spec = new ModelSpec(VggConfig.A, 1, 32, 10, 1, 0, 0.5f);
        try (CpuBackend cpu = new CpuBackend(); VggModel m = VggModel.build(cpu, spec, 1).initialise(
                 VggModel.InitScheme.HE, 1);
             TrainStep step = new TrainStep(cpu, m, new Sgd(0.01f, 0.9f, 0f, false, false), local)) {
            SplittableRandom r = new SplittableRandom(ring.rank());
            float[] x = new float[local * 32 * 32];
            float[] y = new float[local];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) r.nextGaussian();
            }
            for (int i = 0; i < y.length; i++) {
                y[i] = r.nextInt(10);
            }
            step.setCollective(ring);
            double[] times = new double[steps];
            for (int i = -2; i < steps; i++) {
                long t0 = System.nanoTime();
                step.gradientsReduced(x, y, local, global, 1, 32, 32); // the all-reduce overlaps backward
                step.update();
                if (i >= 0) {
                    times[i] = (System.nanoTime() - t0) / 1e9;
                }
            }
            return String.format(Locale.ROOT, "ring_train fmnist_vgg11 global_batch=%d workers=%d threads=%s img_s=%.2f",
                global, ring.size(), job[4], global / median(times));
        }
    }
}
