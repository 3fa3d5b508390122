package io.axiom.perf;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

import io.axiom.transport.WakeableIdleStrategy;
import io.axiom.worker.AxiomWorker;
import io.axiom.worker.Task;
import io.axiom.worker.TaskRejection;
import io.axiom.worker.WorkerListener;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

/**
 * What replication on Aeron Cluster costs, and how long a leader failover takes, with every server a child process
 * ({@code bin/axiom server}, with {@code --cluster} for the members) and the load in this JVM.
 * <p>
 * Throughput: four-step task workflows, created over HTTP (keep-alive connections spread over the servers) and run by
 * SDK workers over Aeron UDP (spread over the servers' worker endpoints, each given every member's as failover),
 * saturated; first one single-node server, then three members with {@code cluster.force-archive} on, then off; the
 * CPU the servers use while idle. Failover: a client writes (one create at a time, each with an Idempotency-Key,
 * retried on the next member every ~20 ms until acknowledged); the leader is SIGKILLed, the time until an attempt sent
 * after its death is acknowledged and until a survivor leads is taken; the killed member is restarted and caught up
 * before the next kill.
 */
final class ClusterBenchmark
{
    private static final int STEPS = 4;
    private static final String SINGLE = "single node";
    private static final String FORCE_ON = "replicated, force-archive on";
    private static final String FORCE_OFF = "replicated, force-archive off";

    private final Options options;
    private final Path dir;
    private final Path script;
    private final String javaOpts;
    private final long seed;
    private final Random random;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500))
        .version(HttpClient.Version.HTTP_1_1).build();

    ClusterBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
        this.script = Path.of(options.string("axiom", "bin/axiom"));
        this.javaOpts = options.string("server-java-opts", "");
        this.seed = options.longValue("seed", System.nanoTime());
        this.random = new Random(seed);
    }

    /**
     * What one saturated run measured.
     */
    private static final class Run
    {
        final String label;
        final Histogram roundTrip = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram create = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final AtomicLong stepsCommitted = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final AtomicLong createErrors = new AtomicLong();
        final ConcurrentHashMap<Long, Long> lastCommitNs = new ConcurrentHashMap<>();
        volatile boolean measuring;
        long workflowsCompleted;
        long steps;
        double seconds;
        double serverCpuS;
        double harnessCpuS;
        double idleCpuPercent = -1;
        String load;
        String threads = "";
        String idleThreads = "";
        java.time.Instant measuredFrom;
        java.time.Instant measuredTo;

        Run(final String label)
        {
            this.label = label;
        }
    }

    /**
     * The servers of one run: one single node, or the members of a cluster.
     */
    private final class Servers implements AutoCloseable
    {
        final int count;
        final boolean cluster;
        final boolean forceArchive;
        final Path base;
        final int[] httpPorts;
        final String[] ingress;
        final String members;
        final MemberProcess[] processes;
        final String[] aeronDirs;
        final String[] opts;

        Servers(final int count, final boolean cluster, final boolean forceArchive, final String[] opts)
            throws IOException
        {
            this.count = count;
            this.cluster = cluster;
            this.forceArchive = forceArchive;
            this.opts = opts;
            this.base = Files.createTempDirectory(dir, cluster ? "cluster-" : "single-");
            httpPorts = new int[count];
            ingress = new String[count];
            processes = new MemberProcess[count];
            aeronDirs = new String[count];
            for (int i = 0; i < count; i++)
            {
                httpPorts[i] = freeTcpPort();
                ingress[i] = "aeron:udp?endpoint=localhost:" + freeUdpPort();
            }
            final int basePort = cluster ? freeBasePort(count) : 0;
            final StringBuilder sb = new StringBuilder();
            for (int i = 0; cluster && i < count; i++)
            {
                sb.append(i > 0 ? "|" : "").append(i).append(",localhost:").append(basePort + 10 * i);
            }
            members = sb.toString();
        }

        List<String> args(final int i)
        {
            final List<String> args = new ArrayList<>(List.of(
                "--data-dir", base.resolve("data-" + i).toString(),
                "--ingress", ingress[i],
                "--wal.snapshot-interval-events", "0"));
            if (cluster)
            {
                args.addAll(List.of("--cluster", "true", "--member-id", Integer.toString(i),
                    "--cluster-members", members, "--cluster.force-archive", Boolean.toString(forceArchive)));
            }
            return args;
        }

        void start(final int i) throws IOException
        {
            processes[i] = new MemberProcess(script, httpPorts[i], args(i), base.resolve("member-" + i + ".log"),
                (javaOpts + " " + (null == opts ? "" : opts[i])).trim());
        }

        void startAll(final Duration timeout) throws IOException, InterruptedException
        {
            for (int i = 0; i < count; i++)
            {
                start(i);
            }
            for (int i = 0; i < count; i++)
            {
                processes[i].awaitReady(http, timeout);
            }
            if (cluster)
            {
                awaitLeader(timeout);
            }
            for (int i = 0; i < count; i++)
            {
                // a first write through each server: its path to the leader is up
                awaitWrite(i, timeout);
                noteAeronDir(i);
            }
        }

        /**
         * Remember where a member's cluster driver lives: a SIGKILLed driver leaves its directory behind.
         */
        void noteAeronDir(final int i)
        {
            if (cluster)
            {
                aeronDirs[i] = RoleProbe.aeronDir(clusterDir(i));
            }
        }

        File clusterDir(final int i)
        {
            return base.resolve("data-" + i).resolve("cluster").resolve("cluster").toFile();
        }

        String url(final int i)
        {
            return "http://127.0.0.1:" + httpPorts[i];
        }

        int awaitLeader(final Duration timeout) throws InterruptedException
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            while (System.nanoTime() - deadline < 0)
            {
                for (int i = 0; i < count; i++)
                {
                    try (RoleProbe probe = RoleProbe.open(clusterDir(i)))
                    {
                        if (null != probe && probe.isLeader())
                        {
                            return i;
                        }
                    }
                    catch (final RuntimeException notYet)
                    {
                        // its files are being created
                    }
                }
                Thread.sleep(20);
            }
            throw new IllegalStateException("no leader within " + timeout);
        }

        void awaitWrite(final int i, final Duration timeout) throws InterruptedException, IOException
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            final String key = "warm-" + seed + "-" + base.getFileName() + "-" + i + "-" + System.nanoTime();
            while (System.nanoTime() - deadline < 0)
            {
                try
                {
                    final int status = http.send(createRequest(url(i), key, Duration.ofSeconds(5)),
                        HttpResponse.BodyHandlers.discarding()).statusCode();
                    if (2 == status / 100)
                    {
                        return;
                    }
                }
                catch (final IOException notYet)
                {
                    // retry
                }
                Thread.sleep(50);
            }
            throw new IOException("no write acknowledged through server " + i + " within " + timeout + ":\n" +
                processes[i].logTail(30));
        }

        long[] pids()
        {
            final long[] pids = new long[count];
            for (int i = 0; i < count; i++)
            {
                pids[i] = processes[i].pid();
            }
            return pids;
        }

        long[] cpuNs()
        {
            final long[] cpu = new long[count];
            for (int i = 0; i < count; i++)
            {
                cpu[i] = new ProcessCpu(processes[i].pid()).sample()[0];
            }
            return cpu;
        }

        @Override
        public void close() throws InterruptedException, IOException
        {
            for (final MemberProcess process : processes)
            {
                if (null != process)
                {
                    process.kill();
                }
            }
            for (final String aeronDir : aeronDirs)
            {
                if (null != aeronDir)
                {
                    JournalBenchmark.deleteTree(Path.of(aeronDir));
                }
            }
            JournalBenchmark.deleteTree(base);
        }

        /**
         * SIGTERM, so that each JVM exits in order (its flight recording is written).
         */
        void stop()
        {
            for (final MemberProcess process : processes)
            {
                if (null != process)
                {
                    process.close();
                }
            }
        }
    }

    void run(final Report report) throws Exception
    {
        final List<String> phases = List.of(options.string("phases", "throughput,failover").split(","));
        System.out.println("[cluster] seed " + seed + " (--seed to repeat the ports and keys)");
        final Path jfrDir = Files.createDirectories(Path.of(options.string("jfr-dir", dir.resolve("jfr").toString())));
        final double warmupS = options.decimal("warmup-s", 30);
        final double durationS = options.decimal("duration-s", 15);
        final double idleS = options.decimal("idle-s", 30);
        final double profileS = options.decimal("profile-s", 15);
        final int workers = options.integer("workers", 3);
        final int capacity = options.integer("capacity", 64);
        final int connections = options.integer("connections", 128);
        final int window = options.integer("window", 4096);
        final int members = options.integer("members", 3);
        final int kills = options.integer("kills", 20);

        report.line("Every server is a child process (`bin/axiom server`, members with `--cluster true --member-id i " +
            "--cluster-members ...`, fsync on, the JVM options " + (javaOpts.isBlank() ? "the launcher's defaults" :
            "`" + javaOpts + "`") + "); the load runs in the harness's JVM; all on this one machine, seed " + seed +
            ".").blank();
        if (phases.contains("throughput"))
        {
            final List<Run> runs = new ArrayList<>();
            final int rounds = options.integer("rounds", 1);
            for (int r = 1; r <= rounds; r++)
            {
                // the three configurations in turn, round after round, so that a change of the machine's load
                // falls on all of them; idle CPU in the first round only
                final String round = rounds > 1 ? " (round " + r + ")" : "";
                runs.add(throughput(SINGLE + round, 1, false, true, null, workers, capacity, connections, window,
                    warmupS, durationS, 1 == r ? idleS : 0));
                runs.add(throughput(FORCE_ON + round, members, true, true, null, workers, capacity,
                    connections, window, warmupS, durationS, 1 == r ? idleS : 0));
                runs.add(throughput(FORCE_OFF + round, members, true, false, null, workers,
                    capacity, connections, window, warmupS, durationS, 0));
            }
            String profile = "";
            if (profileS > 0)
            {
                final String[] opts = new String[members];
                for (int i = 0; i < members; i++)
                {
                    opts[i] = "-XX:StartFlightRecording=filename=" + jfrDir.resolve("member-" + i + ".jfr") +
                        ",settings=profile,dumponexit=true";
                }
                final Run profiled = throughput(FORCE_ON + ", JFR", members, true, true,
                    opts, workers, capacity, connections, window, warmupS, profileS, 0);
                runs.add(profiled);
                profile = profile(jfrDir, members, profiled);
            }
            throughputReport(report, runs, workers, capacity, connections, window, warmupS, durationS, idleS,
                profile);
        }
        if (phases.contains("failover"))
        {
            failover(report, members, kills);
        }
    }

    private Run throughput(
        final String label,
        final int count,
        final boolean cluster,
        final boolean forceArchive,
        final String[] opts,
        final int workerCount,
        final int capacity,
        final int connections,
        final int window,
        final double warmupS,
        final double durationS,
        final double idleS) throws Exception
    {
        final Run run = new Run(label);
        System.out.println("[cluster] " + label + ": starting " + count + " server(s)");
        final Servers servers = new Servers(count, cluster, forceArchive, opts);
        try
        {
            servers.startAll(Duration.ofSeconds(120));
            final AtomicLong completedWorkflows = new AtomicLong();
            final Semaphore inFlight = new Semaphore(window);
            final WorkerListener listener = new WorkerListener()
            {
                @Override
                public void onAccepted(final Task task, final boolean failure)
                {
                    final long now = System.nanoTime();
                    final Long previous = run.lastCommitNs.put(task.workflowId(), now);
                    if (run.measuring)
                    {
                        run.stepsCommitted.incrementAndGet();
                        if (null != previous)
                        {
                            run.roundTrip.recordValue(Math.max(0, now - previous));
                        }
                    }
                    if (task.stepIndex() == STEPS - 1)
                    {
                        run.lastCommitNs.remove(task.workflowId());
                        completedWorkflows.incrementAndGet();
                        inFlight.release();
                    }
                }

                @Override
                public void onRejected(final Task task, final TaskRejection rejection)
                {
                    run.rejected.incrementAndGet();
                }
            };
            final List<AxiomWorker> workers = new ArrayList<>();
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Thread> producers = new ArrayList<>();
            try
            {
                for (int w = 0; w < workerCount; w++)
                {
                    final List<String> channels = new ArrayList<>();
                    for (int k = 0; k < count; k++)
                    {
                        channels.add(servers.ingress[(w + k) % count]);
                    }
                    final AxiomWorker worker = AxiomWorker.create(new AxiomWorker.Context()
                        .ingressChannels(channels)
                        .capacity(capacity)
                        .idleStrategy(new WakeableIdleStrategy(TimeUnit.MILLISECONDS.toNanos(1)))
                        .listener(listener));
                    for (int s = 0; s < STEPS; s++)
                    {
                        worker.handler("S" + s, task -> "{\"ok\":true}");
                    }
                    workers.add(worker.start());
                }
                for (final AxiomWorker worker : workers)
                {
                    if (!worker.awaitConnected(Duration.ofSeconds(60)))
                    {
                        throw new IllegalStateException("worker " + worker.workerId() + " not welcomed in 60 s");
                    }
                }
                for (int c = 0; c < connections; c++)
                {
                    final int server = c % count;
                    final Thread producer = new Thread(() -> produce(servers.httpPorts[server], run, inFlight, stop),
                        "perf-creates-" + c);
                    producer.setDaemon(true);
                    producer.start();
                    producers.add(producer);
                }
                Thread.sleep((long)(warmupS * 1000));
                final long startCompleted = completedWorkflows.get();
                final long[] cpuBefore = servers.cpuNs();
                final Map<String, Long> threadsBefore = ThreadCpu.sample(servers.pids());
                final long harnessBefore = new ProcessCpu(-1).sample()[1];
                final String loadBefore = loadAverage();
                run.measuredFrom = java.time.Instant.now();
                final long startNs = System.nanoTime();
                run.measuring = true;
                Thread.sleep((long)(durationS * 1000));
                run.measuring = false;
                final long endNs = System.nanoTime();
                run.measuredTo = java.time.Instant.now();
                final long[] cpuAfter = servers.cpuNs();
                run.threads = ThreadCpu.top(threadsBefore, ThreadCpu.sample(servers.pids()), (endNs - startNs) / 1e9,
                    10);
                run.harnessCpuS = (new ProcessCpu(-1).sample()[1] - harnessBefore) / 1e9;
                run.load = loadBefore + " → " + loadAverage();
                for (int i = 0; i < count; i++)
                {
                    run.serverCpuS += (cpuAfter[i] - cpuBefore[i]) / 1e9;
                }
                run.workflowsCompleted = completedWorkflows.get() - startCompleted;
                run.steps = run.stepsCommitted.get();
                run.seconds = (endNs - startNs) / 1e9;
                stop.set(true);
                for (final Thread producer : producers)
                {
                    producer.join(TimeUnit.SECONDS.toMillis(30));
                }
                final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                while (inFlight.availablePermits() < window && System.nanoTime() - drainDeadline < 0)
                {
                    Thread.sleep(10);
                }
            }
            finally
            {
                stop.set(true);
                for (final AxiomWorker worker : workers)
                {
                    worker.close();
                }
            }
            System.out.println("[cluster] " + label + ": " + Report.num(run.workflowsCompleted / run.seconds) +
                " workflows/s, round trip p50 " + Report.us(run.roundTrip.getValueAtPercentile(50)) + " p99 " +
                Report.us(run.roundTrip.getValueAtPercentile(99)) + ", create errors " + run.createErrors.get() +
                ", rejected " + run.rejected.get() + ", load " + run.load);
            if (idleS > 0)
            {
                Thread.sleep(3_000); // the workers' sessions end, the last writes settle
                final long[] before = servers.cpuNs();
                final Map<String, Long> threadsBefore = ThreadCpu.sample(servers.pids());
                Thread.sleep((long)(idleS * 1000));
                final long[] after = servers.cpuNs();
                run.idleThreads = ThreadCpu.top(threadsBefore, ThreadCpu.sample(servers.pids()), idleS, 8);
                long total = 0;
                for (int i = 0; i < count; i++)
                {
                    total += after[i] - before[i];
                }
                run.idleCpuPercent = 100.0 * total / (idleS * 1e9);
                System.out.println("[cluster] " + label + " idle: " + Report.dec(run.idleCpuPercent, 1) +
                    " % of one core over " + idleS + " s, all servers together");
            }
            if (null != opts)
            {
                servers.stop();
            }
        }
        finally
        {
            servers.close();
        }
        return run;
    }

    private void produce(final int port, final Run run, final Semaphore inFlight, final AtomicBoolean stop)
    {
        final String host = "127.0.0.1:" + port;
        final byte[] request = HttpBenchmark.post(host, "/api/v1/workflows", createBody("perf"));
        try (HttpConnection connection = new HttpConnection(new InetSocketAddress("127.0.0.1", port), 30_000))
        {
            while (!stop.get())
            {
                try
                {
                    if (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS))
                    {
                        continue;
                    }
                }
                catch (final InterruptedException ex)
                {
                    return;
                }
                final long start = System.nanoTime();
                int status;
                try
                {
                    status = connection.exchange(request);
                }
                catch (final IOException ex)
                {
                    status = -1;
                }
                if (201 != status)
                {
                    run.createErrors.incrementAndGet();
                    inFlight.release();
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                }
                else if (run.measuring)
                {
                    run.create.recordValue(System.nanoTime() - start);
                }
            }
        }
    }

    private static String createBody(final String name)
    {
        final StringBuilder sb = new StringBuilder("{\"name\":\"").append(name).append("\",\"steps\":[");
        for (int s = 0; s < STEPS; s++)
        {
            sb.append(s > 0 ? "," : "").append("\"S").append(s).append('"');
        }
        return sb.append("],\"input\":{\"amount\":42}}").toString();
    }

    private static HttpRequest createRequest(final String url, final String key, final Duration timeout)
    {
        return HttpRequest.newBuilder(URI.create(url + "/api/v1/workflows"))
            .timeout(timeout)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"failover\",\"steps\":[\"F\"],\"input\":{}}"))
            .build();
    }

    private void throughputReport(
        final Report report,
        final List<Run> runs,
        final int workers,
        final int capacity,
        final int connections,
        final int window,
        final double warmupS,
        final double durationS,
        final double idleS,
        final String profile)
    {
        report.line("**Throughput.** Four-step task workflows, saturated: " + connections + " keep-alive HTTP/1.1 " +
                "connections (spread over the servers, one create at a time each, no Idempotency-Key) keep at most " +
                window + " workflows in flight; " + workers + " SDK workers (capacity " + capacity + ", a media " +
                "driver each, answering at once) connect over UDP on loopback, worker w to server w mod N, with " +
                "the other servers' endpoints as failover. Warm-up " + warmupS + " s, measured " + durationS +
                " s per run (the JFR run shorter). Step round trip = a worker's CompletionAccepted of step n to its " +
                "CompletionAccepted of step n+1 of the same workflow (in a cluster: the completion's trip through " +
                "the member's forwarder, the leader, commit by a majority, the member's apply and journal fsync, " +
                "the next TaskAssigned). Server CPU = utime+stime of every server process over the measured " +
                "window (2 cores = 200 %).")
            .blank()
            .raw("| run | workflows/s | steps/s | creates answered | create errors | rejected | server CPU | " +
                "harness CPU | load average |\n|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (final Run run : runs)
        {
            report.raw("| " + run.label + " | **" + Report.num(run.workflowsCompleted / run.seconds) + "** | " +
                Report.num(run.steps / run.seconds) + " | " + Report.num(run.create.getTotalCount()) + " | " +
                run.createErrors.get() + " | " + run.rejected.get() + " | " +
                Report.num(100 * run.serverCpuS / run.seconds) + " % | " +
                Report.num(100 * run.harnessCpuS / run.seconds) + " % | " + run.load + " |\n");
        }
        report.blank().raw("| series | count | p50 | p90 | p99 | p99.9 | max | mean |\n" +
            "|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final Run run : runs)
        {
            report.raw(Report.latencyRow("step round trip, " + run.label, run.roundTrip));
        }
        for (final Run run : runs)
        {
            report.raw(Report.latencyRow("create → 201, " + run.label, run.create));
        }
        report.blank();
        final Run single = runs.get(0);
        final Run replicated = runs.get(1);
        final double singleRate = rate(runs, SINGLE);
        final double onRate = rate(runs, FORCE_ON);
        final double offRate = rate(runs, FORCE_OFF);
        final double ratio = onRate / Math.max(1e-9, singleRate);
        final double forceRatio = onRate / Math.max(1e-9, offRate);
        final Histogram onTrip = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final Histogram offTrip = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        for (final Run run : runs)
        {
            if (run.label.startsWith(FORCE_ON) && !run.label.contains("JFR"))
            {
                onTrip.add(run.roundTrip);
            }
            else if (run.label.startsWith(FORCE_OFF))
            {
                offTrip.add(run.roundTrip);
            }
        }
        report.line("- Replicated (force-archive on) / single throughput, workflows over seconds of all rounds: **" +
                Report.dec(ratio, 2) + "** (target >= 0.5 → " + (ratio >= 0.5 ? "**met**" : "**not met**") + ").")
            .line("- `cluster.force-archive` on / off: " + Report.dec(forceRatio, 2) + " of the throughput; step " +
                "round trip of all rounds p50 " + Report.us(onTrip.getValueAtPercentile(50)) + " vs " +
                Report.us(offTrip.getValueAtPercentile(50)) + ", p99 " + Report.us(onTrip.getValueAtPercentile(99)) +
                " vs " + Report.us(offTrip.getValueAtPercentile(99)) + ".")
            .line("- Idle CPU over " + idleS + " s (after the run, workers closed, all servers' utime+stime " +
                "together, % of one core): single node " + Report.dec(single.idleCpuPercent, 1) + " %, " +
                (runs.size() > 1 ? "the members " + Report.dec(replicated.idleCpuPercent, 1) + " %" : "") + ".")
            .blank();
        report.line("**CPU by thread** (every server's threads by name, digits folded, utime+stime from " +
            "`/proc/PID/task`, % of one core; what a Java profiler misses: parks, system calls, the media drivers):")
            .blank();
        for (final Run run : runs)
        {
            report.line("- " + run.label + ", measured window: " + run.threads);
            if (!run.idleThreads.isEmpty())
            {
                report.line("- " + run.label + ", idle: " + run.idleThreads);
            }
        }
        report.blank();
        if (!profile.isEmpty())
        {
            report.raw(profile).blank();
        }
    }

    /**
     * @return workflows/s over every run whose label starts with prefix (the JFR run left out), 0 when none.
     */
    private static double rate(final List<Run> runs, final String prefix)
    {
        long workflows = 0;
        double seconds = 0;
        for (final Run run : runs)
        {
            if (run.label.startsWith(prefix) && !run.label.contains("JFR"))
            {
                workflows += run.workflowsCompleted;
                seconds += run.seconds;
            }
        }
        return 0 == seconds ? 0 : workflows / seconds;
    }

    /**
     * The top frames of the leader's (and every member's) execution samples.
     */
    private static String profile(final Path jfrDir, final int members, final Run run) throws IOException
    {
        final StringBuilder sb = new StringBuilder();
        for (int i = 0; i < members; i++)
        {
            final Path file = jfrDir.resolve("member-" + i + ".jfr");
            if (!Files.exists(file))
            {
                sb.append("- member ").append(i).append(": no recording at ").append(file).append('\n');
                continue;
            }
            final Map<String, Integer> top = new HashMap<>();
            final Map<String, Integer> threads = new HashMap<>();
            int samples = 0;
            for (final RecordedEvent event : RecordingFile.readAllEvents(file))
            {
                if (!"jdk.ExecutionSample".equals(event.getEventType().getName()) || null == event.getStackTrace() ||
                    event.getStackTrace().getFrames().isEmpty() || event.getStartTime().isBefore(run.measuredFrom) ||
                    event.getStartTime().isAfter(run.measuredTo))
                {
                    continue;
                }
                samples++;
                final RecordedFrame frame = event.getStackTrace().getFrames().get(0);
                top.merge(frame.getMethod().getType().getName() + "." + frame.getMethod().getName(), 1,
                    Integer::sum);
                final var thread = event.getThread("sampledThread");
                threads.merge(threadName(null == thread ? null : thread.getJavaName()), 1, Integer::sum);
            }
            sb.append("- member ").append(i).append(" (").append(samples).append(" execution samples): top frames ")
                .append(topOf(top, samples, 8)).append("; by thread ").append(topOf(threads, samples, 6))
                .append('\n');
        }
        return "**Profile.** JFR (`settings=profile`) on every member in the JFR run, execution samples of its " +
            "measured window only. Top (self) frames and threads by share of the samples:\n\n" + sb;
    }

    /**
     * A thread's name without what tells threads of a pool apart (Helidon's {@code [0x.. 0x..]} prefix, digits).
     */
    private static String threadName(final String name)
    {
        if (null == name || name.isBlank())
        {
            return "(unnamed)";
        }
        return name.replaceAll("^\\[[^\\]]*\\] ", "").replaceAll("-?[0-9]+$", "-N");
    }

    private static String topOf(final Map<String, Integer> counts, final int total, final int n)
    {
        final StringBuilder sb = new StringBuilder();
        counts.entrySet().stream()
            .sorted(Map.Entry.<String, Integer>comparingByValue(Comparator.reverseOrder()))
            .limit(n)
            .forEach(e -> sb.append(sb.length() > 0 ? ", " : "").append('`').append(e.getKey()).append("` ")
                .append(Report.dec(100.0 * e.getValue() / Math.max(1, total), 1)).append(" %"));
        return sb.toString();
    }

    /**
     * One create at a time, each with its own Idempotency-Key, an attempt every ~20 ms to the next member until one
     * is acknowledged (2xx); the acknowledged attempts are kept with their send and answer times.
     */
    private final class Writer implements Runnable
    {
        private final String[] urls;
        private final AtomicBoolean stop = new AtomicBoolean();
        final ConcurrentLinkedQueue<long[]> acks = new ConcurrentLinkedQueue<>();
        final AtomicLong attempts = new AtomicLong();
        final AtomicLong failed = new AtomicLong();
        private int member;

        Writer(final String[] urls)
        {
            this.urls = urls;
        }

        @Override
        public void run()
        {
            long n = 0;
            while (!stop.get())
            {
                final String key = "failover-" + seed + "-" + n++;
                final AtomicBoolean acked = new AtomicBoolean();
                while (!acked.get() && !stop.get())
                {
                    final long sendNs = System.nanoTime();
                    final int m = member;
                    attempts.incrementAndGet();
                    http.sendAsync(createRequest(urls[m], key, Duration.ofSeconds(2)),
                        HttpResponse.BodyHandlers.discarding()).whenComplete((response, ex) ->
                        {
                            if (null == ex && 2 == response.statusCode() / 100)
                            {
                                if (acked.compareAndSet(false, true))
                                {
                                    acks.add(new long[]{sendNs, System.nanoTime(), m});
                                }
                            }
                            else
                            {
                                failed.incrementAndGet();
                            }
                        });
                    final long until = sendNs + TimeUnit.MILLISECONDS.toNanos(20);
                    while (!acked.get() && System.nanoTime() - until < 0)
                    {
                        LockSupport.parkNanos(200_000);
                    }
                    if (!acked.get())
                    {
                        member = (m + 1) % urls.length;
                    }
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
        }

        /**
         * @return the first acknowledgement of an attempt sent at or after fromNs, as {sendNs, ackNs, member}, or null.
         */
        long[] firstAckSentAfter(final long fromNs)
        {
            long[] first = null;
            for (final long[] ack : acks)
            {
                if (ack[0] - fromNs >= 0 && (null == first || ack[1] - first[1] < 0))
                {
                    first = ack;
                }
            }
            return first;
        }
    }

    private void failover(final Report report, final int members, final int kills) throws Exception
    {
        System.out.println("[cluster] failover: " + kills + " leader kills");
        final Histogram ackMs = new Histogram(TimeUnit.MINUTES.toMillis(5), 3);
        final Histogram electedMs = new Histogram(TimeUnit.MINUTES.toMillis(5), 3);
        final List<String> rows = new ArrayList<>();
        final String loadBefore = loadAverage();
        final long settleMs = options.longValue("settle-ms", 1_000);
        final Servers servers = new Servers(members, true, true, null);
        try
        {
            servers.startAll(Duration.ofSeconds(120));
            final String[] urls = new String[members];
            for (int i = 0; i < members; i++)
            {
                urls[i] = servers.url(i);
            }
            final Writer writer = new Writer(urls);
            final Thread writerThread = new Thread(writer, "perf-failover-writer");
            writerThread.setDaemon(true);
            writerThread.start();
            try
            {
                for (int k = 0; k < kills; k++)
                {
                    final int leader = servers.awaitLeader(Duration.ofSeconds(60));
                    final long termBefore;
                    try (RoleProbe probe = RoleProbe.open(servers.clusterDir(leader)))
                    {
                        termBefore = null == probe ? -1 : probe.term();
                    }
                    final List<RoleProbe> survivors = new ArrayList<>();
                    for (int i = 0; i < members; i++)
                    {
                        if (i != leader)
                        {
                            final RoleProbe probe = RoleProbe.open(servers.clusterDir(i));
                            if (null == probe)
                            {
                                throw new IllegalStateException("member " + i + " has no counters");
                            }
                            survivors.add(probe);
                        }
                    }
                    final long killNs;
                    long electedNs = -1;
                    final long deadNs;
                    try
                    {
                        killNs = servers.processes[leader].kill();
                        deadNs = System.nanoTime();
                        final long deadline = killNs + TimeUnit.SECONDS.toNanos(60);
                        while (-1 == electedNs && System.nanoTime() - deadline < 0)
                        {
                            for (final RoleProbe probe : survivors)
                            {
                                if (probe.isLeader() && probe.term() > termBefore)
                                {
                                    electedNs = System.nanoTime();
                                }
                            }
                            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
                        }
                    }
                    finally
                    {
                        for (final RoleProbe probe : survivors)
                        {
                            probe.close();
                        }
                    }
                    long[] ack = null;
                    final long ackDeadline = killNs + TimeUnit.SECONDS.toNanos(60);
                    while (null == (ack = writer.firstAckSentAfter(deadNs)) && System.nanoTime() - ackDeadline < 0)
                    {
                        Thread.sleep(5);
                    }
                    final long electedAfterMs = electedNs < 0 ? -1 : TimeUnit.NANOSECONDS.toMillis(electedNs - killNs);
                    final long ackAfterMs = null == ack ? -1 : TimeUnit.NANOSECONDS.toMillis(ack[1] - killNs);
                    if (electedAfterMs >= 0)
                    {
                        electedMs.recordValue(electedAfterMs);
                    }
                    if (ackAfterMs >= 0)
                    {
                        ackMs.recordValue(ackAfterMs);
                    }
                    final String row = "kill " + (k + 1) + ": leader " + leader + " (term " + termBefore + ") " +
                        "SIGKILLed; new leader after " + electedAfterMs + " ms; write acknowledged after " +
                        ackAfterMs + " ms" + (null == ack ? "" : " through member " + ack[2]);
                    System.out.println("[cluster] " + row);
                    rows.add(row);
                    servers.start(leader);
                    servers.processes[leader].awaitReady(http, Duration.ofSeconds(120));
                    awaitFollower(servers, leader, Duration.ofSeconds(60));
                    servers.awaitWrite(leader, Duration.ofSeconds(60));
                    servers.noteAeronDir(leader);
                    Thread.sleep(settleMs);
                }
            }
            finally
            {
                writer.stop.set(true);
                writerThread.join(5_000);
            }
            report.line("**Failover.** " + members + " members (force-archive on), no load from the harness but " +
                    "this writer. One client " +
                    "writes without pause: each create has its own Idempotency-Key and is sent to a member; when no " +
                    "answer 2xx has come within ~20 ms, the same create (same key) is sent to the next member, and so on (" +
                    "attempts run concurrently, each with a 2 s timeout); once acknowledged, the next create " +
                    "follows ~20 ms later. " + kills + " times: the leader (found from its driver's counters) is " +
                    "SIGKILLed (`kill -9` of its JVM); measured from the signal: the first 2xx of an attempt sent " +
                    "after the process was gone, and a survivor's counters showing it leader of a closed election in " +
                    "a later term (polled every 2 ms). Then the killed member is started again on its directories, " +
                    "waited for until it is a follower and a write through it is acknowledged, " + settleMs +
                    " ms, next kill. Writes: " + writer.attempts.get() + " attempts, " + writer.acks.size() +
                    " acknowledged, " + writer.failed.get() + " attempts failed or timed out. Load average " +
                    loadBefore + " → " + loadAverage() + ".")
                .blank()
                .raw("| from SIGKILL to | kills | p50 | p90 | p99 | max |\n|---|---:|---:|---:|---:|---:|\n")
                .raw(msRow("a new leader elected", electedMs))
                .raw(msRow("a write acknowledged again", ackMs))
                .blank()
                .line("- Target p99 < 2 s (write acknowledged again): " + (ackMs.getTotalCount() == kills &&
                    ackMs.getValueAtPercentile(99) < 2_000 ? "**met**" : "**not met**") + ".")
                .blank()
                .line("<details><summary>each kill</summary>")
                .blank();
            for (final String row : rows)
            {
                report.line("- " + row);
            }
            report.blank().line("</details>").blank();
        }
        finally
        {
            servers.close();
        }
    }

    private static void awaitFollower(final Servers servers, final int member, final Duration timeout)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() - deadline < 0)
        {
            try (RoleProbe probe = RoleProbe.open(servers.clusterDir(member)))
            {
                if (null != probe && probe.isFollower())
                {
                    return;
                }
            }
            catch (final RuntimeException notYet)
            {
                // its files are being created
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("member " + member + " not a follower within " + timeout);
    }

    private static String msRow(final String what, final Histogram h)
    {
        if (0 == h.getTotalCount())
        {
            return "| " + what + " | 0 | | | | |\n";
        }
        return "| " + what + " | " + h.getTotalCount() + " | " + h.getValueAtPercentile(50) + " ms | " +
            h.getValueAtPercentile(90) + " ms | " + h.getValueAtPercentile(99) + " ms | " + h.getMaxValue() +
            " ms |\n";
    }

    private static String loadAverage()
    {
        try
        {
            final String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        }
        catch (final IOException ex)
        {
            return "?";
        }
    }

    private int freeBasePort(final int count) throws IOException
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 20_000 + 10 * random.nextInt(3_000);
            boolean free = true;
            for (int i = 0; i < count && free; i++)
            {
                for (int p = 0; p < 5 && free; p++)
                {
                    free = udpFree(base + 10 * i + p) && tcpFree(base + 10 * i + p);
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IOException("no free range of ports for " + count + " members (seed " + seed + ")");
    }

    private static boolean udpFree(final int port)
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(port,
            java.net.InetAddress.getLoopbackAddress()))
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static boolean tcpFree(final int port)
    {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(port, 1,
            java.net.InetAddress.getLoopbackAddress()))
        {
            return true;
        }
        catch (final IOException ex)
        {
            return false;
        }
    }

    private static int freeUdpPort() throws IOException
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    private static int freeTcpPort() throws IOException
    {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
