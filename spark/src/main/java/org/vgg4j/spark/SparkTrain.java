package org.vgg4j.spark;

import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.Serializable;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.SparkConf;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.vgg4j.cli.Main;
import org.vgg4j.cli.TrainCommand;
import org.vgg4j.vgg.Trainer;
import picocli.CommandLine;

/**
 * {@code vgg4j-spark train}: {@code vgg4j train} as data-parallel SGD on Apache Spark. One barrier
 * stage of {@code --workers} tasks (one per executor, each using all its cores) meet once through
 * {@link BarrierTaskContext#allGather} and then reduce every step's gradients in a {@link Ring}
 * between themselves; each task runs {@code vgg4j train} with the same options as one worker
 * ({@link TrainCommand#runWorker}). Rank 0 writes the files and streams its progress lines to
 * the driver. A failed attempt (a task or an executor lost) is resubmitted from the last
 * checkpoint, up to {@code --max-restarts} times.
 */
public final class SparkTrain {
    private SparkTrain() {}

    /** The options of this command; the rest go to {@code vgg4j train}. */
    static final class Settings {
        String master;
        Integer workers;
        int maxRestarts = 3;
        int timeoutSeconds = 120;
        final List<String> conf = new ArrayList<>();
        final List<String> trainArgs = new ArrayList<>();
    }

    public static void main(String[] args) {
        System.exit(run(args, System.err));
    }

    static final String USAGE = String.join("\n",
        "Usage: vgg4j-spark train [--master URL] [--workers N] [--max-restarts K] [--timeout SECONDS] [TRAIN OPTIONS]",
        "Data-parallel vgg4j train on Apache Spark: --workers tasks (one per executor) in one barrier stage,",
        "exact synchronous SGD (--batch is the global batch). Every option of `vgg4j train --help` applies;",
        "--data and --out must be paths every executor sees.",
        "      --master URL         Spark master (default local[*]; spark-submit's own when run by it)",
        "      --workers N          Tasks, one per executor (default: the cores of a local master)",
        "      --max-restarts K     Resubmissions from the last checkpoint after a failure (default 3)",
        "      --timeout SECONDS    How long a worker waits for its peers, and the driver for executors (default 120)",
        "      --conf KEY=VALUE     A Spark setting, as spark-submit's --conf");

    static int run(String[] args, PrintStream err) {
        if (args.length == 0 || !args[0].equals("train")) {
            err.println(args.length > 0 && (args[0].equals("--help") || args[0].equals("-h")) ? USAGE
                : "vgg4j-spark: expected the command 'train'\n" + USAGE);
            return args.length > 0 && (args[0].equals("--help") || args[0].equals("-h")) ? 0 : 2;
        }
        Settings s;
        TrainCommand train;
        try {
            s = settings(Arrays.copyOfRange(args, 1, args.length));
            if (s == null) {
                err.println(USAGE);
                return 0;
            }
            train = TrainCommand.parse(s.trainArgs.toArray(new String[0]));
            train.checkOutput();
        } catch (CommandLine.ParameterException | IllegalArgumentException e) {
            err.println("vgg4j-spark train: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("vgg4j-spark train: " + Main.message(e));
            return 1;
        }
        try {
            return drive(s, train, err);
        } catch (IllegalArgumentException e) {
            err.println("vgg4j-spark train: " + e.getMessage());
            return 2;
        } catch (Exception e) {
            err.println("vgg4j-spark train: " + Main.message(e));
            return 1;
        }
    }

    static Settings settings(String[] args) {
        Settings s = new Settings();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String key = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
            boolean ours = List.of("--master", "--workers", "--max-restarts", "--timeout", "--conf").contains(key);
            if (a.equals("--help") || a.equals("-h")) {
                return null;
            }
            if (!ours) {
                s.trainArgs.add(a);
                continue;
            }
            String v = a.contains("=") ? a.substring(a.indexOf('=') + 1) : i + 1 < args.length ? args[++i] : null;
            if (v == null) {
                throw new IllegalArgumentException(key + ": missing value");
            }
            switch (key) {
                case "--master" -> s.master = v;
                case "--workers" -> s.workers = number(key, v, 1, 4096);
                case "--max-restarts" -> s.maxRestarts = number(key, v, 0, 1000);
                case "--conf" -> {
                    if (!v.contains("=")) {
                        throw new IllegalArgumentException("--conf " + v + ": expected KEY=VALUE");
                    }
                    s.conf.add(v);
                }
                default -> s.timeoutSeconds = number(key, v, 1, 86_400);
            }
        }
        return s;
    }

    private static int number(String key, String v, int min, int max) {
        try {
            int n = Integer.parseInt(v.strip());
            if (n < min || n > max) {
                throw new IllegalArgumentException(key + " " + v + ": must be between " + min + " and " + max);
            }
            return n;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(key + " " + v + ": not a whole number");
        }
    }

    private static int drive(Settings s, TrainCommand train, PrintStream err) throws Exception {
        SparkConf conf = new SparkConf().setAppName("vgg4j train");
        for (String kv : s.conf) {
            conf.set(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
        }
        if (s.master != null) {
            conf.setMaster(s.master);
        } else if (!conf.contains("spark.master")) {
            conf.setMaster("local[*]");
        }
        // a barrier stage that cannot get its slots fails at once instead of retrying for ten minutes
        conf.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.maxFailures", "1");
        conf.setIfMissing("spark.scheduler.barrier.maxConcurrentTasksCheck.interval", "1s");
        conf.setIfMissing("spark.ui.enabled", "false");
        // restarts are ours (from the checkpoint), not Spark's task retries
        conf.setIfMissing("spark.task.maxFailures", "1");
        conf.setIfMissing("spark.stage.maxConsecutiveAttempts", "1");
        String master = conf.get("spark.master");
        // executors in other JVMs need this code: our jar, unless spark-submit has said which jars
        java.security.CodeSource code = SparkTrain.class.getProtectionDomain().getCodeSource();
        if (!conf.contains("spark.jars") && code != null && code.getLocation().getPath().endsWith(".jar")) {
            conf.set("spark.jars", code.getLocation().toString());
        }
        int workers = s.workers != null ? s.workers : localCores(master);
        if (workers < 1) {
            throw new IllegalArgumentException("--workers: give the number of executors to train on (master " + master + ")");
        }
        if (train.batch() < workers) {
            throw new IllegalArgumentException("--batch " + train.batch() + " is smaller than --workers " + workers
                + " (each worker needs at least one example a step)");
        }
        if (train.overwrite()) {
            // the workers resume from any checkpoint in --out: an overwritten run must leave none
            Files.deleteIfExists(train.out().resolve(Trainer.CHECKPOINT));
        }
        checkReachable(master, s.timeoutSeconds);
        JavaSparkContext context = new JavaSparkContext(conf);
        try (Stopping ignored = new Stopping(context);
             ProgressServer progress = new ProgressServer(err, context.getConf().get("spark.driver.host", "127.0.0.1"))) {
            JavaSparkContext sc = context;
            sc.setLogLevel("WARN");
            err.printf(Locale.ROOT, "vgg4j-spark: %d workers on %s (Spark %s)%n", workers, master, sc.version());
            Task task = new Task(s.trainArgs.toArray(new String[0]), progress.host(), progress.port(),
                s.timeoutSeconds * 1000);
            for (int attempt = 0; ; attempt++) {
                // outside the try: a cluster without the executors asked for is no reason to retry
                waitForExecutors(sc, master, workers, s.timeoutSeconds);
                try {
                    List<Integer> ranks = new ArrayList<>();
                    for (int r = 0; r < workers; r++) {
                        ranks.add(r);
                    }
                    JavaRDD<Integer> rdd = sc.parallelize(ranks, workers);
                    List<String> codes = JavaRDD.fromRDD(rdd.rdd().barrier().mapPartitions(task, false,
                        scala.reflect.ClassTag$.MODULE$.apply(String.class)), scala.reflect.ClassTag$.MODULE$.apply(
                        String.class)).collect();
                    progress.drain();
                    return report(codes, err);
                } catch (Exception e) {
                    progress.drain();
                    String why = reason(e);
                    if (why.contains("SPARK-24819") || why.contains("more slots than the total number of slots")) {
                        throw new IllegalStateException(master + " has fewer free task slots than --workers " + workers
                            + " (a barrier stage starts all its tasks at once)");
                    }
                    String fatal = fatal(e);
                    if (fatal != null) {
                        // the workers' own refusal (data, options, a diverged loss): the same again on a restart
                        throw new IllegalStateException(fatal);
                    }
                    if (attempt >= s.maxRestarts) {
                        throw new IllegalStateException("attempt " + (attempt + 1) + " failed (" + why + "); "
                            + (s.maxRestarts == 0 ? "no restarts (--max-restarts 0)" : "giving up after "
                            + s.maxRestarts + " restarts") + ". The last checkpoint is in " + train.out());
                    }
                    err.printf(Locale.ROOT, "%nvgg4j-spark: attempt %d failed (%s); restarting from the last checkpoint "
                        + "(restart %d of %d)%n", attempt + 1, why, attempt + 1, s.maxRestarts);
                }
            }
        }
    }

    /**
     * Waits until a cluster master has at least {@code workers} executors (they register after the
     * context starts, and a replacement after a lost one): a barrier stage needs all its slots at once.
     */
    private static void waitForExecutors(JavaSparkContext sc, String master, int workers, int timeoutSeconds)
        throws InterruptedException {
        if (master.startsWith("local") && !master.startsWith("local-cluster")) {
            return; // tasks are threads of this JVM
        }
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        int have = 0;
        while (System.nanoTime() < deadline) {
            have = sc.sc().getExecutorIds().size();
            if (have >= workers) {
                return;
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("only " + have + " of the " + workers + " executors that --workers asks for "
            + "registered with " + master + " within " + timeoutSeconds + " s (is the master reachable, and does the "
            + "cluster have that many free executors?)");
    }

    /** Logs each worker's end (process, Vector API, weights' CRC) and returns the exit code. */
    static int report(List<String> results, PrintStream err) {
        List<String> crcs = new ArrayList<>();
        StringBuilder b = new StringBuilder("vgg4j-spark: workers done:");
        boolean finished = true;
        for (String r : results) {
            String[] f = r.split(" ");
            finished &= f[1].equals("0");
            crcs.add(f[4]);
            b.append(String.format(Locale.ROOT, " rank %s (pid %s, Vector API %s)", f[0], f[2], f[3]));
        }
        boolean same = crcs.stream().distinct().count() == 1;
        b.append("; replicas' weights ").append(same ? "identical (CRC-32 " + crcs.get(0) + ")" : "DIFFER: " + crcs);
        err.println(b);
        if (!same) {
            throw new IllegalStateException("the workers' weights differ at the end: " + crcs);
        }
        return finished ? 0 : 130;
    }

    /** The first line of the innermost message that says something, without Spark's stage preamble. */
    static String reason(Throwable e) {
        String best = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                best = t.getMessage();
            }
        }
        if (best == null) {
            return e.getClass().getSimpleName();
        }
        String line = best.lines().findFirst().orElse(best);
        int at = line.indexOf("): ");
        if (line.startsWith("Job aborted") && at > 0) {
            line = line.substring(at + 3);
        }
        return line.length() > 300 ? line.substring(0, 300) + "..." : line;
    }

    private static int localCores(String master) {
        if (master.equals("local")) {
            return 1;
        }
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("local\\[(\\d+|\\*)(,\\d+)?]").matcher(master);
        if (m.matches()) {
            return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
        }
        m = java.util.regex.Pattern.compile("local-cluster\\[(\\d+),.*]").matcher(master);
        return m.matches() ? Integer.parseInt(m.group(1)) : 0;
    }

    /** The line after {@link #FATAL} anywhere in the failure's messages, or null. */
    static String fatal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            int at = m == null ? -1 : m.indexOf(FATAL);
            if (at >= 0) {
                return m.substring(at + FATAL.length()).lines().findFirst().orElse("");
            }
        }
        return null;
    }

    /**
     * Stops the Spark context within a few seconds: stopping a context whose standalone master never
     * answered waits for RPC timeouts, long after the error has been said.
     */
    private record Stopping(JavaSparkContext sc) implements AutoCloseable {
        @Override
        public void close() {
            Thread t = new Thread(sc::stop, "vgg4j-spark-stop");
            t.setDaemon(true);
            t.start();
            try {
                t.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * A standalone master ({@code spark://host:port[,host:port]}) must answer a connection: Spark
     * itself retries an unreachable one for a minute before it gives up.
     */
    static void checkReachable(String master, int timeoutSeconds) {
        if (!master.startsWith("spark://")) {
            return;
        }
        List<String> failures = new ArrayList<>();
        for (String hp : master.substring("spark://".length()).split(",")) {
            int colon = hp.lastIndexOf(':');
            String host = colon > 0 ? hp.substring(0, colon) : hp;
            int port = colon > 0 ? Integer.parseInt(hp.substring(colon + 1)) : 7077;
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress(host, port), Math.min(10, timeoutSeconds) * 1000);
                return;
            } catch (IOException | IllegalArgumentException e) {
                failures.add(hp + " (" + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()) + ")");
            }
        }
        throw new IllegalStateException("cannot reach the Spark master at " + String.join(", ", failures));
    }

    /** Marks a worker's failure that a restart would only repeat. */
    static final String FATAL = "[vgg4j: no restart] ";

    /** One worker: the barrier task. */
    static final class Task extends scala.runtime.AbstractFunction1<scala.collection.Iterator<Integer>,
        scala.collection.Iterator<String>> implements Serializable {
        private static final long serialVersionUID = 1L;
        private final String[] args;
        private final String progressHost;
        private final int progressPort;
        private final int timeoutMillis;

        Task(String[] args, String progressHost, int progressPort, int timeoutMillis) {
            this.args = args;
            this.progressHost = progressHost;
            this.progressPort = progressPort;
            this.timeoutMillis = timeoutMillis;
        }

        @Override
        public scala.collection.Iterator<String> apply(scala.collection.Iterator<Integer> ignored) {
            BarrierTaskContext ctx = BarrierTaskContext.get();
            int rank = ctx.partitionId();
            // the one task of an executor computes on the executor's cores (read once, when the
            // CPU backend's pool starts; in local mode the tasks share the driver JVM's pool)
            int cores = org.apache.spark.SparkEnv.get().conf().getInt("spark.executor.cores", 0);
            if (cores > 0 && System.getProperty("vgg4j.threads") == null) {
                System.setProperty("vgg4j.threads", String.valueOf(cores));
            }
            String host = ctx.getTaskInfos()[rank].address();
            host = host.contains(":") && !host.startsWith("[") ? host.substring(0, host.lastIndexOf(':')) : host;
            try (ServerSocket server = Ring.listen(host)) {
                String[] all = ctx.allGather(host + ":" + server.getLocalPort());
                List<InetSocketAddress> peers = new ArrayList<>();
                for (String a : all) {
                    int colon = a.lastIndexOf(':');
                    peers.add(new InetSocketAddress(a.substring(0, colon), Integer.parseInt(a.substring(colon + 1))));
                }
                try (Ring ring = Ring.connect(rank, peers, server, timeoutMillis);
                     Socket toDriver = rank == 0 ? new Socket(progressHost, progressPort) : null;
                     PrintStream log = toDriver != null ? new PrintStream(toDriver.getOutputStream(), true,
                         StandardCharsets.UTF_8) : new PrintStream(OutputStream.nullOutputStream())) {
                    TrainCommand cmd = TrainCommand.parse(args);
                    TrainCommand.WorkerResult r = cmd.runWorker(ring, log);
                    log.flush();
                    boolean vector = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
                    String line = rank + " " + r.code() + " " + ProcessHandle.current().pid() + " " + (vector ? "yes" : "no")
                        + " " + Long.toHexString(r.weightsCrc());
                    return scala.jdk.javaapi.CollectionConverters.asScala(List.of(line).iterator());
                }
            } catch (Exception e) {
                // a lost peer (the ring) or an interrupted task is worth a restart; anything else the
                // worker itself refused (unreadable data, a diverged loss) would happen again
                boolean retry = e instanceof java.io.IOException && String.valueOf(e.getMessage()).startsWith("ring")
                    || e instanceof InterruptedException || e instanceof java.io.InterruptedIOException;
                throw new IllegalStateException((retry ? "" : FATAL) + "worker " + rank + " on " + host + ": "
                    + Main.message(e), e);
            }
        }
    }

    /** Copies what rank 0 logs to the driver's standard error (progress lines, epochs, results). */
    static final class ProgressServer implements AutoCloseable {
        private final ServerSocket server;
        private final PrintStream err;
        private final Thread thread;
        private final java.util.concurrent.atomic.AtomicInteger open = new java.util.concurrent.atomic.AtomicInteger();

        ProgressServer(PrintStream err, String host) throws IOException {
            this.err = err;
            this.server = new ServerSocket();
            server.bind(new InetSocketAddress(host, 0));
            this.thread = new Thread(this::serve, "vgg4j-progress");
            thread.setDaemon(true);
            thread.start();
        }

        String host() { return server.getInetAddress().getHostAddress(); }

        int port() { return server.getLocalPort(); }

        private void serve() {
            while (!server.isClosed()) {
                try {
                    Socket s = server.accept();
                    open.incrementAndGet();
                    Thread t = new Thread(() -> copy(s), "vgg4j-progress-copy");
                    t.setDaemon(true);
                    t.start();
                } catch (IOException closed) {
                    return;
                }
            }
        }

        private void copy(Socket s) {
            try (s; var in = new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8)) {
                char[] buf = new char[4096];
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (err) {
                        err.print(new String(buf, 0, n));
                        err.flush();
                    }
                }
            } catch (IOException ignored) {
                // the worker went away: its attempt fails and is reported by the driver
            } finally {
                synchronized (open) {
                    open.decrementAndGet();
                    open.notifyAll();
                }
            }
        }

        /** Waits (briefly) until every copied stream has ended, so that its last lines are printed. */
        void drain() throws InterruptedException {
            long deadline = System.currentTimeMillis() + 5000;
            synchronized (open) {
                while (open.get() > 0 && System.currentTimeMillis() < deadline) {
                    open.wait(100);
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }

}
