package io.axiom.perf;

import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.HdrHistogram.Histogram;

import io.axiom.core.Engine;
import io.axiom.core.EngineClient;
import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.StepKind;
import io.axiom.core.api.StepSpec;
import io.axiom.gateway.AxiomServer;
import io.axiom.gateway.cli.ConfigResolver;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.transport.WakeableIdleStrategy;
import io.axiom.worker.AxiomWorker;
import io.axiom.worker.Task;
import io.axiom.worker.TaskRejection;
import io.axiom.worker.WorkerListener;

/**
 * Four-step workflows executed by workers over Aeron UDP loopback, fsync on: workflows/s, steps/s, and the step round
 * trip (the commit of step n to the commit of step n+1 of the same workflow, as the workers see the engine's
 * CompletionAccepted), saturated and at a fixed rate, beside the p99 of a single fsync measured in the same run.
 * <p>
 * The server runs in this JVM (engine, its Aeron endpoint and embedded driver; no HTTP load), the workers are SDK
 * workers with a media driver of their own, so every frame crosses UDP on loopback as between processes. Creates are
 * put on the engine's ring by client threads. Then the same workflows run by workers over the HTTP worker API (fetch
 * loops in this JVM, over the server's own HTTP listener), saturated and at a fixed rate.
 */
final class WorkersBenchmark
{
    private static final int STEPS = 4;

    private final Options options;
    private final Path dir;

    WorkersBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    /**
     * What one run measured.
     */
    private static final class Run
    {
        final Histogram roundTrip = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
        final AtomicLong stepsCommitted = new AtomicLong();
        final AtomicLong rejected = new AtomicLong();
        final ConcurrentHashMap<Long, Long> lastCommitNs = new ConcurrentHashMap<>();
        volatile boolean measuring;
        long workflowsCompleted;
        long steps;
        double seconds;
    }

    void run(final Report report) throws Exception
    {
        final int workers = options.integer("workers", 2);
        final int capacity = options.integer("capacity", 64);
        final double durationS = options.decimal("duration-s", 10);
        final double warmupS = options.decimal("warmup-s", 3);
        final double rate = options.decimal("rate", 1000);
        final int window = options.integer("window", 4096);
        final double probeS = options.decimal("probe-s", 5);
        final int httpWorkers = options.integer("http-workers", 8);
        final int httpMaxTasks = options.integer("http-max-tasks", 32);
        final double httpRate = options.decimal("http-rate", 500);
        final long maxParkUs = options.integer("max-park-us", 1000);

        final Histogram fsyncBefore = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        final Histogram fsyncAfter = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        System.out.println("[workers] fsync probe " + probeS + " s");
        FsyncProbe.run(dir, (long)(probeS * 1000), fsyncBefore);

        final Path dataDir = Files.createTempDirectory(dir, "workers-");
        final int port = freeUdpPort();
        final String ingress = "aeron:udp?endpoint=localhost:" + port;
        final Map<String, String> flags = new LinkedHashMap<>();
        flags.put("--data-dir", dataDir.toString());
        flags.put("--port", "0");
        flags.put("--ingress", ingress);
        flags.put("--wal.snapshot-interval-events", "0");
        flags.put("--transport.max-park-us", Long.toString(maxParkUs));
        final AxiomConfig config = ConfigResolver.resolve(null, Map.of(), flags);
        final Run saturated;
        final Run fixed;
        final Run inlineSaturated;
        final Run inlineFixed;
        final Run httpSaturated;
        final Run httpFixed;
        final String httpSaturatedSummary;
        final String httpFixedSummary;
        try (AxiomServer server = AxiomServer.start(config, false))
        {
            final Engine engine = server.engine();
            final long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
            while (!engine.isReady() && System.nanoTime() < deadline)
            {
                LockSupport.parkNanos(1_000_000);
            }
            System.out.println("[workers] saturated: " + workers + " workers x capacity " + capacity + ", window " +
                window + " workflows in flight, warm-up " + warmupS + " s, measured " + durationS + " s");
            saturated = runOnce(engine, ingress, workers, capacity, maxParkUs, false, 0, window, warmupS, durationS);
            System.out.println("[workers] fixed rate " + rate + " workflows/s");
            fixed = runOnce(engine, ingress, workers, capacity, maxParkUs, false, rate, window, Math.min(warmupS, 2),
                durationS);
            System.out.println("[workers] saturated, inline handlers");
            inlineSaturated = runOnce(engine, ingress, workers, capacity, maxParkUs, true, 0, window, warmupS,
                durationS);
            System.out.println("[workers] fixed rate " + rate + " workflows/s, inline handlers");
            inlineFixed = runOnce(engine, ingress, workers, capacity, maxParkUs, true, rate, window,
                Math.min(warmupS, 2), durationS);
            final HttpWorkers http = new HttpWorkers(URI.create(server.url()), httpWorkers, httpMaxTasks);
            System.out.println("[workers] over HTTP, saturated: " + httpWorkers + " fetch loops x max_tasks " +
                httpMaxTasks + ", window " + window);
            httpSaturated = runOnce(engine, http, 0, window, warmupS, durationS);
            httpSaturatedSummary = http.summary;
            System.out.println("[workers] over HTTP, fixed rate " + httpRate + " workflows/s");
            httpFixed = runOnce(engine, http, httpRate, window, Math.min(warmupS, 2), durationS);
            httpFixedSummary = http.summary;
        }
        finally
        {
            JournalBenchmark.deleteTree(dataDir);
        }
        System.out.println("[workers] fsync probe " + probeS + " s");
        FsyncProbe.run(dir, (long)(probeS * 1000), fsyncAfter);
        final Histogram fsync = new Histogram(TimeUnit.SECONDS.toNanos(10), 3);
        fsync.add(fsyncBefore);
        fsync.add(fsyncAfter);

        report.line("Method: the server (engine with fsync on, its Aeron endpoint and embedded media driver, its " +
                "HTTP listener) runs in the harness's JVM; in the Aeron runs nothing uses HTTP; " + workers +
                " SDK workers (`io.axiom.worker.AxiomWorker`, capacity " + capacity + " each, a media driver of " +
                "their own) connect over UDP on loopback and run every step of 4-step task workflows, answering at " +
                "once; the idle threads (the endpoint and each worker's poller, which also drive their media " +
                "drivers) park at most " + maxParkUs + " µs (`transport.max-park-us`); handlers run on each worker's pool of " +
                "task threads (the SDK's default) or, in the runs marked inline, on its poller thread " +
                "(`Context.inlineHandlers(true)`). Creates are put on the ring by client " +
                "threads: saturated with at most " + window + " workflows in flight, and at a fixed rate. Step round " +
                "trip = the worker's CompletionAccepted of step n to its CompletionAccepted of step n+1 of the same " +
                "workflow (commit to commit: fsync of StepCompleted + StepLeased, TaskAssigned over UDP, the " +
                "handler, TaskCompleted over UDP, fsync, CompletionAccepted over UDP). Single fsync = a 4 KiB write " +
                "+ force loop for " + probeS + " s before and after, same file system.")
            .blank()
            .raw("| run | measured | workflows/s | steps/s | rejected |\n|---|---:|---:|---:|---:|\n")
            .raw(row("saturated", saturated))
            .raw(row("fixed " + Report.num((long)rate) + " workflows/s", fixed))
            .raw(row("saturated, inline handlers", inlineSaturated))
            .raw(row("fixed " + Report.num((long)rate) + " workflows/s, inline handlers", inlineFixed))
            .raw(row("HTTP workers, saturated", httpSaturated))
            .raw(row("HTTP workers, fixed " + Report.num((long)httpRate) + " workflows/s", httpFixed))
            .blank()
            .raw("| series | count | p50 | p90 | p99 | p99.9 | max | mean |\n" +
                "|---|---:|---:|---:|---:|---:|---:|---:|\n")
            .raw(Report.latencyRow("single fsync (4 KiB write + force)", fsync))
            .raw(Report.latencyRow("step round trip, saturated", saturated.roundTrip))
            .raw(Report.latencyRow("step round trip, fixed " + Report.num((long)rate) + "/s", fixed.roundTrip))
            .raw(Report.latencyRow("step round trip, saturated, inline handlers", inlineSaturated.roundTrip))
            .raw(Report.latencyRow("step round trip, fixed " + Report.num((long)rate) + "/s, inline handlers",
                inlineFixed.roundTrip))
            .raw(Report.latencyRow("HTTP step round trip, saturated", httpSaturated.roundTrip))
            .raw(Report.latencyRow("HTTP step round trip, fixed " + Report.num((long)httpRate) + "/s",
                httpFixed.roundTrip))
            .blank()
            .line("HTTP workers: " + httpWorkers + " fetch loops on platform threads in the harness's JVM, each on " +
                "its own keep-alive HTTP/1.1 connection (a blocking socket, as the `http` suite's generator), each `POST /api/v1/tasks/fetch` for up to " +
                httpMaxTasks + " tasks of the four steps (`wait_ms` 1000), then `POST /api/v1/tasks/{id}/complete` " +
                "with the task's fencing token for each, one after another; the round trip is the 200 of step n's " +
                "complete to the 200 of step n+1's. Saturated: " + httpSaturatedSummary + ". Fixed rate: " +
                httpFixedSummary + ".")
            .blank();
        final double workflowsPerS = saturated.workflowsCompleted / saturated.seconds;
        final long fsyncP99 = fsync.getValueAtPercentile(99);
        final long roundTripP99 = fixed.roundTrip.getValueAtPercentile(99);
        report.line("- Throughput target >= 20,000 four-step workflows/s (80,000 steps/s): " +
                Report.num((long)workflowsPerS) + " workflows/s, " + Report.num((long)(saturated.steps /
                saturated.seconds)) + " steps/s → " + (workflowsPerS >= 20_000 ? "**met**" : "**not met**") + ".")
            .line("- Latency target step round trip p99 < 3 x single-fsync p99 (" + Report.us(3.0 * fsyncP99) +
                ") at " + Report.num((long)rate) + " workflows/s: p99 " + Report.us(roundTripP99) + " → " +
                (roundTripP99 < 3 * fsyncP99 ? "**met**" : "**not met**") + "; with inline handlers p99 " +
                Report.us(inlineFixed.roundTrip.getValueAtPercentile(99)) + " → " +
                (inlineFixed.roundTrip.getValueAtPercentile(99) < 3 * fsyncP99 ? "**met**" : "**not met**") +
                ", saturated " + Report.num((long)(inlineSaturated.workflowsCompleted / inlineSaturated.seconds)) +
                " workflows/s.")
            .blank();
    }

    private static String row(final String name, final Run run)
    {
        return "| " + name + " | " + Report.dec(run.seconds, 1) + " s | **" +
            Report.num((long)(run.workflowsCompleted / run.seconds)) + "** | " +
            Report.num((long)(run.steps / run.seconds)) + " | " + run.rejected.get() + " |\n";
    }

    /**
     * The workers of one run: started before the creates, closed after; each commit goes to the sink.
     */
    private interface WorkerPool extends AutoCloseable
    {
        void start(CommitSink sink) throws Exception;

        @Override
        void close() throws Exception;
    }

    /**
     * Told of each committed step, as its worker learnt it.
     */
    @FunctionalInterface
    private interface CommitSink
    {
        void committed(long workflowId, int stepIndex);

        default void rejected()
        {
        }
    }

    private static Run runOnce(
        final Engine engine,
        final String ingress,
        final int workerCount,
        final int capacity,
        final long maxParkUs,
        final boolean inlineHandlers,
        final double rate,
        final int window,
        final double warmupS,
        final double durationS) throws Exception
    {
        return runOnce(engine, new AeronWorkers(ingress, workerCount, capacity, maxParkUs, inlineHandlers), rate,
            window, warmupS, durationS);
    }

    private static Run runOnce(
        final Engine engine,
        final WorkerPool pool,
        final double rate,
        final int window,
        final double warmupS,
        final double durationS) throws Exception
    {
        final Run run = new Run();
        final AtomicLong completedWorkflows = new AtomicLong();
        final Semaphore inFlight = new Semaphore(window);
        final CommitSink sink = new CommitSink()
        {
            @Override
            public void committed(final long workflowId, final int stepIndex)
            {
                final long now = System.nanoTime();
                final Long previous = run.lastCommitNs.put(workflowId, now);
                if (run.measuring)
                {
                    run.stepsCommitted.incrementAndGet();
                    if (null != previous)
                    {
                        run.roundTrip.recordValue(Math.max(0, now - previous));
                    }
                }
                if (stepIndex == STEPS - 1)
                {
                    run.lastCommitNs.remove(workflowId);
                    completedWorkflows.incrementAndGet();
                    inFlight.release();
                }
            }

            @Override
            public void rejected()
            {
                run.rejected.incrementAndGet();
            }
        };
        try (pool)
        {
            pool.start(sink);
            final AtomicBoolean stop = new AtomicBoolean();
            final Thread producer = new Thread(() -> produce(engine.client(), rate, inFlight, stop), "perf-creates");
            producer.setDaemon(true);
            producer.start();
            Thread.sleep((long)(warmupS * 1000));
            final long startCompleted = completedWorkflows.get();
            final long startNs = System.nanoTime();
            run.measuring = true;
            Thread.sleep((long)(durationS * 1000));
            run.measuring = false;
            final long endNs = System.nanoTime();
            run.workflowsCompleted = completedWorkflows.get() - startCompleted;
            run.steps = run.stepsCommitted.get();
            run.seconds = (endNs - startNs) / 1e9;
            stop.set(true);
            producer.join(TimeUnit.SECONDS.toMillis(30));
            // let the workflows in flight finish so that the next run starts from an idle engine
            final long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (inFlight.availablePermits() < window && System.nanoTime() < drainDeadline)
            {
                Thread.sleep(10);
            }
            System.out.println("[workers] " + Report.num((long)(run.workflowsCompleted / run.seconds)) +
                " workflows/s, " + Report.num((long)(run.steps / run.seconds)) + " steps/s, round trip p99 " +
                Report.us(run.roundTrip.getValueAtPercentile(99)) + ", rejected " + run.rejected.get());
        }
        return run;
    }

    /**
     * SDK workers over UDP loopback, each with a media driver of its own; every handler answers at once.
     */
    private static final class AeronWorkers implements WorkerPool
    {
        private final String ingress;
        private final int count;
        private final int capacity;
        private final long maxParkUs;
        private final boolean inline;
        private final List<AxiomWorker> workers = new ArrayList<>();

        AeronWorkers(
            final String ingress, final int count, final int capacity, final long maxParkUs, final boolean inline)
        {
            this.inline = inline;
            this.maxParkUs = maxParkUs;
            this.ingress = ingress;
            this.count = count;
            this.capacity = capacity;
        }

        @Override
        public void start(final CommitSink sink) throws InterruptedException
        {
            final WorkerListener listener = new WorkerListener()
            {
                @Override
                public void onAccepted(final Task task, final boolean failure)
                {
                    sink.committed(task.workflowId(), task.stepIndex());
                }

                @Override
                public void onRejected(final Task task, final TaskRejection rejection)
                {
                    sink.rejected();
                }
            };
            for (int w = 0; w < count; w++)
            {
                final AxiomWorker worker = AxiomWorker.create(new AxiomWorker.Context()
                    .ingressChannel(ingress)
                    .capacity(capacity)
                    .idleStrategy(new WakeableIdleStrategy(TimeUnit.MICROSECONDS.toNanos(maxParkUs)))
                    .inlineHandlers(inline)
                    .listener(listener));
                for (int s = 0; s < STEPS; s++)
                {
                    worker.handler("S" + s, task -> "{\"ok\":true}");
                }
                workers.add(worker.start());
            }
            for (final AxiomWorker worker : workers)
            {
                if (!worker.awaitConnected(Duration.ofSeconds(30)))
                {
                    throw new IllegalStateException("worker " + worker.workerId() + " not welcomed in 30 s");
                }
            }
        }

        @Override
        public void close()
        {
            for (final AxiomWorker worker : workers)
            {
                worker.close();
            }
            workers.clear();
        }
    }

    /**
     * Workers over the HTTP worker API: fetch loops on virtual threads, each fetching a batch of tasks and completing
     * them one after another with their fencing tokens.
     */
    private static final class HttpWorkers implements WorkerPool
    {
        private static final Pattern TASK = Pattern.compile(
            "\"task_id\":\"(\\d+)\",\"workflow_id\":\"\\d+\",\"step_index\":(\\d+),.*?\"fencing_token\":(\\d+)");

        private final URI base;
        private final int loops;
        private final int maxTasks;
        private final AtomicBoolean stop = new AtomicBoolean();
        private final List<Thread> threads = new ArrayList<>();
        private final AtomicLong fetches = new AtomicLong();
        private final AtomicLong tasksFetched = new AtomicLong();
        private final AtomicLong fetchNs = new AtomicLong();
        private final AtomicLong completes = new AtomicLong();
        private final AtomicLong completeNs = new AtomicLong();
        /** Fetches and completes of the last run (warm-up included). */
        String summary = "";

        HttpWorkers(final URI base, final int loops, final int maxTasks)
        {
            this.base = base;
            this.loops = loops;
            this.maxTasks = maxTasks;
        }

        @Override
        public void start(final CommitSink sink)
        {
            stop.set(false);
            final StringBuilder steps = new StringBuilder();
            for (int s = 0; s < STEPS; s++)
            {
                steps.append(s == 0 ? "" : ",").append("\"S").append(s).append('"');
            }
            final String fetch = "{\"steps\":[" + steps + "],\"max_tasks\":" + maxTasks +
                ",\"wait_ms\":1000,\"worker_id\":\"perf\"}";
            for (int i = 0; i < loops; i++)
            {
                threads.add(Thread.ofPlatform().daemon().name("perf-http-worker-" + i).start(() ->
                {
                    try (HttpConnection connection = new HttpConnection(
                        new InetSocketAddress(base.getHost(), base.getPort()), 30_000))
                    {
                        loop(connection, fetch, sink);
                    }
                }));
            }
        }

        private void loop(final HttpConnection connection, final String fetch, final CommitSink sink)
        {
            while (!stop.get())
            {
                try
                {
                    final long fetchStart = System.nanoTime();
                    final int fetched = connection.exchange(post("/api/v1/tasks/fetch", fetch));
                    fetchNs.addAndGet(System.nanoTime() - fetchStart);
                    fetches.incrementAndGet();
                    final String body = new String(connection.buffer(), connection.bodyOffset, connection.bodyLength,
                        StandardCharsets.UTF_8);
                    if (200 != fetched)
                    {
                        throw new IllegalStateException("fetch answered " + fetched + " " + body);
                    }
                    final Matcher m = TASK.matcher(body);
                    while (m.find())
                    {
                        tasksFetched.incrementAndGet();
                        final long completeStart = System.nanoTime();
                        final int done = connection.exchange(post("/api/v1/tasks/" + m.group(1) + "/complete",
                            "{\"fencing_token\":" + m.group(3) + ",\"output\":{\"ok\":true}}"));
                        completeNs.addAndGet(System.nanoTime() - completeStart);
                        completes.incrementAndGet();
                        if (200 == done)
                        {
                            sink.committed(Long.parseLong(m.group(1)), Integer.parseInt(m.group(2)));
                        }
                        else
                        {
                            sink.rejected();
                        }
                    }
                }
                catch (final java.io.IOException ex)
                {
                    if (!stop.get())
                    {
                        System.out.println("[workers] HTTP worker: " + ex);
                        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
                    }
                }
            }
        }

        private byte[] post(final String path, final String body)
        {
            return HttpBenchmark.post(base.getHost() + ":" + base.getPort(), path, body);
        }

        @Override
        public void close() throws InterruptedException
        {
            summary = fetches.get() + " fetches, " +
                Report.dec((double)tasksFetched.get() / Math.max(1, fetches.get()), 1) + " tasks each, mean " +
                Report.us(fetchNs.get() / Math.max(1, fetches.get())) + "; " + completes.get() +
                " completes, mean " + Report.us(completeNs.get() / Math.max(1, completes.get()));
            System.out.println("[workers] HTTP: " + summary);
            fetches.set(0);
            tasksFetched.set(0);
            fetchNs.set(0);
            completes.set(0);
            completeNs.set(0);
            stop.set(true);
            for (final Thread thread : threads)
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            threads.clear();
        }
    }

    private static void produce(
        final EngineClient client, final double rate, final Semaphore inFlight, final AtomicBoolean stop)
    {
        final List<StepSpec> steps = new ArrayList<>();
        for (int s = 0; s < STEPS; s++)
        {
            steps.add(new StepSpec("S" + s, StepKind.TASK, 0, 0, 3, 0, 0, 1.0));
        }
        final byte[] input = "{\"amount\":42}".getBytes(StandardCharsets.US_ASCII);
        final long intervalNs = rate > 0 ? (long)(1e9 / rate) : 0;
        // Creates go through virtual threads: the client blocks each one until its reply.
        try (var executor = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor())
        {
            long next = System.nanoTime();
            long n = 0;
            while (!stop.get())
            {
                if (intervalNs > 0)
                {
                    final long wait = next - System.nanoTime();
                    if (wait > 0)
                    {
                        LockSupport.parkNanos(wait);
                    }
                    next += intervalNs;
                }
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
                final long id = n++;
                executor.submit(() ->
                {
                    final EngineReply reply = client.create(new CreateWorkflow("perf-" + id, steps, input, null),
                        Duration.ofSeconds(30));
                    if (reply instanceof EngineReply.Problem)
                    {
                        inFlight.release();
                    }
                });
            }
        }
    }

    private static int freeUdpPort() throws java.io.IOException
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }
}
