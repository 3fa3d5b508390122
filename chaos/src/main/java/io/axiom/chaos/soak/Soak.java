package io.axiom.chaos.soak;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.axiom.chaos.soak.FaultSchedule.Fault;
import io.axiom.chaos.soak.FaultSchedule.Target;

/**
 * A soak: a real server and real workers under load, SIGKILLed and restarted on a seeded schedule, then judged.
 * <ol>
 *     <li>Start the effects ledger (a loopback HTTP endpoint), {@code bin/axiom server --port 0 --data-dir D
 *     --ingress UDP} and {@code workers} {@link SoakWorker} JVMs; wait until the server is ready and every worker
 *     is welcomed.</li>
 *     <li>For {@code duration} ms: create 4-step task workflows at {@code rate} per second ({@link LoadDriver}), probe
 *     the server's availability, and carry out the {@link FaultSchedule}: SIGKILL the server or a worker at each
 *     fault's moment, start it again when its time down is over (the server on the same data directory and ingress;
 *     it prints a new HTTP port, which the client follows).</li>
 *     <li>Stop the load, resend every create whose answer was lost, and wait (bounded) until no workflow is
 *     unfinished. Stop the workers and the server cleanly (SIGTERM).</li>
 *     <li>Judge: {@code bin/axiom wal verify} must pass, and {@link LogAudit} holds {@code bin/axiom wal dump}
 *     against the acknowledged creates and the effects ledger. Anything else that went wrong on the way (a process
 *     that ended by itself, a server that did not come back, a create refused) is a violation too.</li>
 * </ol>
 * The report ends with {@code violations: N}. Every process the soak started is killed by {@link #close()}, whatever
 * happened.
 */
public final class Soak implements AutoCloseable
{
    /** The line the server prints once its HTTP port is bound. */
    static final Pattern LISTENING = Pattern.compile("Axiom listening on (http://[^\\s\"]+)");
    static final Pattern WELCOMED = Pattern.compile("welcomed by the engine");
    /** The JVM flags bin/axiom gives every JVM (Agrona needs the first). */
    static final List<String> JVM_FLAGS = List.of(
        "--add-exports", "java.base/jdk.internal.misc=ALL-UNNAMED",
        "--add-opens", "java.base/java.util.zip=ALL-UNNAMED",
        "--enable-native-access=ALL-UNNAMED");
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * A soak's settings; fluent, concluded once by {@link Soak#run()}.
     */
    public static final class Context
    {
        /** Worker processes by default. */
        public static final int WORKERS_DEFAULT = 3;
        /** Creates per second by default. */
        public static final double RATE_DEFAULT = 20;
        /** The server's lease: short, so that a killed worker's tasks come back within the soak. */
        public static final long LEASE_MS_DEFAULT = 2_000;
        /** Bound on the drain after the load stops. */
        public static final long DRAIN_TIMEOUT_MS_DEFAULT = 120_000;
        /** Bound on one server start (JVM, recovery, ready). */
        public static final long START_TIMEOUT_MS_DEFAULT = 90_000;
        /** Events between the server's snapshots: small, so that restarts recover from snapshots too. */
        public static final long SNAPSHOT_INTERVAL_EVENTS_DEFAULT = 2_000;

        private long durationMs = -1;
        private Long seed;
        private Path dataDir;
        private Path logDir;
        private int workers = WORKERS_DEFAULT;
        private double rate = RATE_DEFAULT;
        private long leaseMs = LEASE_MS_DEFAULT;
        private long drainTimeoutMs = DRAIN_TIMEOUT_MS_DEFAULT;
        private long startTimeoutMs = START_TIMEOUT_MS_DEFAULT;
        private long snapshotIntervalEvents = SNAPSHOT_INTERVAL_EVENTS_DEFAULT;
        private int capacity = 4;
        private long taskMs = 20;
        private Path launcher;
        private String java;
        private String classpath;
        private PrintStream out = System.out;
        private boolean temporary;
        private boolean concluded;

        /**
         * @param durationMs how long the load and the faults run.
         * @return this.
         */
        public Context durationMs(final long durationMs)
        {
            this.durationMs = durationMs;
            return this;
        }

        /**
         * @param seed the fault schedule's seed.
         * @return this.
         */
        public Context seed(final long seed)
        {
            this.seed = seed;
            return this;
        }

        /**
         * @param dataDir the server's journal: missing or empty. Null (the default): a temporary directory, deleted
         *                after a soak without violations.
         * @return this.
         */
        public Context dataDir(final Path dataDir)
        {
            this.dataDir = dataDir;
            return this;
        }

        /**
         * @param logDir where every process's output goes; null (the default): beside the data directory.
         * @return this.
         */
        public Context logDir(final Path logDir)
        {
            this.logDir = logDir;
            return this;
        }

        /**
         * @param workers worker processes (1 to 32).
         * @return this.
         */
        public Context workers(final int workers)
        {
            this.workers = workers;
            return this;
        }

        /**
         * @param rate workflows created per second.
         * @return this.
         */
        public Context rate(final double rate)
        {
            this.rate = rate;
            return this;
        }

        /**
         * @param leaseMs the server's {@code scheduler.lease-duration-ms}.
         * @return this.
         */
        public Context leaseMs(final long leaseMs)
        {
            this.leaseMs = leaseMs;
            return this;
        }

        /**
         * @param drainTimeoutMs bound on the wait for every workflow to finish after the load.
         * @return this.
         */
        public Context drainTimeoutMs(final long drainTimeoutMs)
        {
            this.drainTimeoutMs = drainTimeoutMs;
            return this;
        }

        /**
         * @param startTimeoutMs bound on one start of the server (and on the workers' first welcome).
         * @return this.
         */
        public Context startTimeoutMs(final long startTimeoutMs)
        {
            this.startTimeoutMs = startTimeoutMs;
            return this;
        }

        /**
         * @param snapshotIntervalEvents the server's {@code wal.snapshot-interval-events}.
         * @return this.
         */
        public Context snapshotIntervalEvents(final long snapshotIntervalEvents)
        {
            this.snapshotIntervalEvents = snapshotIntervalEvents;
            return this;
        }

        /**
         * @param capacity tasks each worker runs at once.
         * @return this.
         */
        public Context capacity(final int capacity)
        {
            this.capacity = capacity;
            return this;
        }

        /**
         * @param taskMs how long each task takes, around its effect.
         * @return this.
         */
        public Context taskMs(final long taskMs)
        {
            this.taskMs = taskMs;
            return this;
        }

        /**
         * @param launcher bin/axiom; default: found above this class's code or the working directory.
         * @return this.
         */
        public Context launcher(final Path launcher)
        {
            this.launcher = launcher;
            return this;
        }

        /**
         * @param java the java binary for the children; default: this JVM's.
         * @return this.
         */
        public Context java(final String java)
        {
            this.java = java;
            return this;
        }

        /**
         * @param classpath the children's classpath (server and workers); default: this JVM's, which must hold the
         *                  chaos module and the gateway.
         * @return this.
         */
        public Context classpath(final String classpath)
        {
            this.classpath = classpath;
            return this;
        }

        /**
         * @param out where the progress and the report are printed.
         * @return this.
         */
        public Context out(final PrintStream out)
        {
            this.out = out;
            return this;
        }

        public long durationMs()
        {
            return durationMs;
        }

        public long seed()
        {
            return seed;
        }

        public int workers()
        {
            return workers;
        }

        /**
         * Check the settings and fill the defaults; creates the data and log directories.
         *
         * @return this.
         * @throws IllegalArgumentException naming the setting that is wrong.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            if (durationMs <= 0)
            {
                throw new IllegalArgumentException("--duration must be a positive number of milliseconds");
            }
            if (null == seed)
            {
                throw new IllegalArgumentException("--seed is required: the same seed gives the same faults");
            }
            if (workers < 1 || workers > 32)
            {
                throw new IllegalArgumentException("--workers must be between 1 and 32, got " + workers);
            }
            if (!(rate > 0 && rate <= 1000))
            {
                throw new IllegalArgumentException("--rate must be more than 0 and at most 1000 per second, got " +
                    rate);
            }
            if (leaseMs < 100 || drainTimeoutMs < 1 || startTimeoutMs < 1 || capacity < 1 || taskMs < 0)
            {
                throw new IllegalArgumentException("lease, timeouts, capacity and task time must be positive");
            }
            if (null == launcher)
            {
                launcher = findLauncher();
            }
            if (null == java)
            {
                java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            }
            if (null == classpath)
            {
                classpath = System.getProperty("java.class.path");
            }
            try
            {
                if (null == dataDir)
                {
                    final Path base = Files.createTempDirectory("axiom-soak-" + seed + "-");
                    dataDir = base.resolve("data");
                    logDir = null == logDir ? base.resolve("logs") : logDir;
                    temporary = true;
                }
                if (Files.isDirectory(dataDir))
                {
                    try (Stream<Path> children = Files.list(dataDir))
                    {
                        if (children.findAny().isPresent())
                        {
                            throw new IllegalArgumentException("the data directory " + dataDir + " is not empty: a " +
                                "soak judges the whole log, so it needs a log of its own");
                        }
                    }
                }
                Files.createDirectories(dataDir);
                dataDir = dataDir.toAbsolutePath();
                if (null == logDir)
                {
                    logDir = dataDir.resolveSibling(dataDir.getFileName() + ".soak-logs");
                }
                Files.createDirectories(logDir);
                logDir = logDir.toAbsolutePath();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot create the soak's directories", ex);
            }
            concluded = true;
            return this;
        }

        private static Path findLauncher()
        {
            final List<Path> starts = new ArrayList<>();
            try
            {
                starts.add(Path.of(Soak.class.getProtectionDomain().getCodeSource().getLocation().toURI()));
            }
            catch (final URISyntaxException | RuntimeException ex)
            {
                // no code source: the working directory alone
            }
            starts.add(Path.of(System.getProperty("user.dir")));
            for (final Path start : starts)
            {
                for (Path dir = start.toAbsolutePath(); null != dir; dir = dir.getParent())
                {
                    final Path candidate = dir.resolve("bin").resolve("axiom");
                    if (Files.isRegularFile(candidate) && Files.isExecutable(candidate))
                    {
                        return candidate;
                    }
                }
            }
            throw new IllegalArgumentException("no bin/axiom above " + starts + ": run the soak from the Axiom " +
                "checkout");
        }
    }

    /**
     * What a soak found.
     *
     * @param violations     each broken promise, one a line.
     * @param report         the whole report as printed.
     * @param serverKills    SIGKILLs of the server.
     * @param serverRestarts starts of the server after a kill.
     * @param workerKills    SIGKILLs of workers.
     * @param workerRestarts starts of workers after a kill.
     * @param acknowledged   creates acknowledged.
     * @param completed      workflows COMPLETED in the log.
     */
    public record Result(
        List<String> violations,
        String report,
        long serverKills,
        long serverRestarts,
        long workerKills,
        long workerRestarts,
        long acknowledged,
        long completed)
    {
    }

    private final Context ctx;
    private final Findings findings = new Findings();
    private final EffectsLedger ledger = new EffectsLedger();
    private final AtomicReference<URI> server = new AtomicReference<>();
    private final List<ChildProcess> started = new CopyOnWriteArrayList<>();
    private final Set<Long> killedPids = ConcurrentHashMap.newKeySet();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    private Map<String, String> childEnv;
    private String ingress;
    private URI ledgerUri;
    private volatile ChildProcess serverProcess;
    private ChildProcess[] workers;
    private int[] incarnations;
    private int serverIncarnation;
    private long originNanos;
    private final ExecutorService starter = Executors.newSingleThreadExecutor(runnable ->
        Thread.ofPlatform().daemon().name("soak-server-start").unstarted(runnable));
    private Future<?> serverStart = CompletableFuture.completedFuture(null);
    private volatile boolean aborted;
    private volatile boolean loadStarted;
    private volatile long serverKills;
    private volatile long serverRestarts;
    private volatile long workerKills;
    private volatile long workerRestarts;

    /**
     * @param ctx the settings.
     */
    public Soak(final Context ctx)
    {
        this.ctx = ctx;
    }

    /**
     * Run the soak to its end and report.
     *
     * @return the findings; the report has been printed to the context's output.
     * @throws IllegalArgumentException when a setting is wrong (nothing was started).
     */
    public Result run() throws IOException, InterruptedException
    {
        ctx.conclude();
        final PrintStream out = ctx.out;
        final FaultSchedule schedule = FaultSchedule.generate(ctx.seed, ctx.durationMs, ctx.workers);
        out.println("[soak] seed " + ctx.seed + ", " + ctx.durationMs + " ms, " + ctx.workers + " workers, " +
            fmt(ctx.rate) + " creates/s; data " + ctx.dataDir + ", logs " + ctx.logDir);
        schedule.describe().forEach(line -> out.println("[soak] " + line));
        out.flush();

        childEnv = new HashMap<>();
        System.getenv().keySet().stream().filter(k -> k.startsWith("AXIOM_")).forEach(k -> childEnv.put(k, null));
        childEnv.put("AXIOM_JAVA", ctx.java);
        childEnv.put("AXIOM_CLASSPATH", ctx.classpath);
        ingress = "aeron:udp?endpoint=localhost:" + freeUdpPort();
        ledgerUri = ledger.serve();
        workers = new ChildProcess[ctx.workers];
        incarnations = new int[ctx.workers];
        originNanos = System.nanoTime();

        final LoadDriver load = new LoadDriver(server, ctx.seed, ctx.rate, findings);
        AvailabilityProbe probe = null;
        long loadMs = 0;
        String drain = "not run";
        try
        {
            startServer();
            for (int slot = 0; slot < ctx.workers; slot++)
            {
                startWorker(slot);
            }
            for (final ChildProcess worker : workers)
            {
                worker.awaitLine(Duration.ofMillis(ctx.startTimeoutMs));
            }
            originNanos = System.nanoTime();
            loadStarted = true;
            event("load starts: server and " + ctx.workers + " workers up");
            probe = new AvailabilityProbe(server, originNanos);
            probe.start();
            load.start();
            carryOut(schedule);
            sleepUntil(ctx.durationMs);
            awaitServerStart();
            load.stop();
            loadMs = elapsedMs();
            event("load stops" + (aborted ? " (the soak was aborted)" : ""));
            drain = drain(load);
        }
        catch (final IllegalStateException ex)
        {
            aborted = true;
            findings.violation("the soak could not go on: " + ex.getMessage());
            load.stop();
        }
        finally
        {
            if (null != probe)
            {
                probe.stop();
            }
        }
        stopAll();

        final LogAudit audit = new LogAudit();
        final String logCheck = judgeLog(audit, load.acknowledged());
        final Result result = report(schedule, load, probe, audit, loadMs, drain, logCheck);
        if (ctx.temporary && result.violations().isEmpty())
        {
            deleteRecursively(ctx.dataDir.getParent());
        }
        return result;
    }

    // --- the run -----------------------------------------------------------------------------------------------------

    private void carryOut(final FaultSchedule schedule) throws InterruptedException
    {
        record Action(long atMs, boolean kill, Fault fault)
        {
        }
        final List<Action> actions = new ArrayList<>();
        for (final Fault fault : schedule.faults())
        {
            actions.add(new Action(fault.atMs(), true, fault));
            actions.add(new Action(fault.restartAtMs(), false, fault));
        }
        actions.sort(Comparator.comparingLong(Action::atMs).thenComparing(a -> !a.kill()));
        for (final Action action : actions)
        {
            sleepUntil(action.atMs());
            if (aborted)
            {
                return;
            }
            final Fault fault = action.fault();
            if (Target.SERVER == fault.target())
            {
                if (action.kill())
                {
                    awaitServerStart();
                    killServer();
                }
                else
                {
                    // the server's start takes seconds (JVM, recovery): meanwhile the workers' faults stay on time
                    serverStart = starter.submit(() -> restartServer(fault));
                }
            }
            else if (action.kill())
            {
                kill(workers[fault.worker()]);
                workerKills++;
            }
            else
            {
                startWorker(fault.worker());
                workerRestarts++;
            }
        }
    }

    private void awaitServerStart() throws InterruptedException
    {
        try
        {
            serverStart.get();
        }
        catch (final ExecutionException ex)
        {
            aborted = true;
            findings.violation("the server's restart failed: " + ex.getCause());
        }
    }

    private void killServer() throws InterruptedException
    {
        final ChildProcess victim = serverProcess;
        kill(victim);
        server.set(null);
        serverKills++;
    }

    private Void restartServer(final Fault fault) throws InterruptedException
    {
        try
        {
            final long startNanos = System.nanoTime();
            startServer();
            serverRestarts++;
            event(String.format(Locale.ROOT, "%s ready %.3f s after its start, %.3f s after the kill",
                serverProcess.name(), (System.nanoTime() - startNanos) / 1e9,
                (elapsedMs() - fault.atMs()) / 1e3));
        }
        catch (final IllegalStateException ex)
        {
            aborted = true;
            findings.violation("the server did not come back after the kill at t+" +
                FaultSchedule.seconds(fault.atMs()).trim() + ": " + ex.getMessage() + " (see " +
                serverProcess.log() + ")");
        }
        return null;
    }

    private void kill(final ChildProcess victim) throws InterruptedException
    {
        if (!victim.isAlive())
        {
            event(victim.name() + " (pid " + victim.pid() + ") was already gone (status " + victim.exitStatus() + ")");
            return;
        }
        if (!victim.kill(KILL_TIMEOUT))
        {
            throw new IllegalStateException(victim.name() + " (pid " + victim.pid() + ") outlived SIGKILL for " +
                KILL_TIMEOUT);
        }
        killedPids.add(victim.pid());
        event("SIGKILL " + victim.name() + " (pid " + victim.pid() + ")");
    }

    private void startServer() throws InterruptedException
    {
        serverIncarnation++;
        final String name = "server-" + serverIncarnation;
        final List<String> command = List.of(ctx.launcher.toString(), "server", "--port", "0",
            "--data-dir", ctx.dataDir.toString(), "--ingress", ingress,
            "--lease-duration-ms", Long.toString(ctx.leaseMs),
            "--wal.snapshot-interval-events=" + ctx.snapshotIntervalEvents);
        final Map<String, String> env = new HashMap<>(childEnv);
        env.put("AXIOM_JAVA_OPTS", "-Xmx384m");
        final ChildProcess process = launch(name, command, env, LISTENING);
        serverProcess = process;
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.startTimeoutMs);
        final Matcher listening = process.awaitLine(Duration.ofMillis(ctx.startTimeoutMs));
        final URI base = URI.create(listening.group(1));
        awaitReady(process, base, deadline);
        server.set(base);
        event(name + " (pid " + process.pid() + ") listening on " + base);
    }

    private void startWorker(final int slot)
    {
        incarnations[slot]++;
        final long workerId = (slot + 1) * 1000L + incarnations[slot];
        final String name = "worker-" + (slot + 1) + "." + incarnations[slot];
        final List<String> command = new ArrayList<>();
        command.add(ctx.java);
        command.addAll(JVM_FLAGS);
        command.addAll(List.of("-Xmx128m", "-cp", ctx.classpath, SoakWorker.class.getName(),
            "--ingress", ingress, "--ledger", ledgerUri.toString(), "--steps", String.join(",", LoadDriver.STEPS),
            "--worker-id", Long.toString(workerId), "--capacity", Integer.toString(ctx.capacity),
            "--task-ms", Long.toString(ctx.taskMs)));
        workers[slot] = launch(name, command, childEnv, WELCOMED);
        event(name + " (pid " + workers[slot].pid() + ", worker id " + workerId + ") started");
    }

    private ChildProcess launch(
        final String name, final List<String> command, final Map<String, String> env, final Pattern watched)
    {
        final ChildProcess process = ChildProcess.start(name, command, env, ctx.launcher.getParent().getParent(),
            ctx.logDir, watched);
        started.add(process);
        process.whenEnded(() ->
        {
            if (!process.endedOnPurpose())
            {
                findings.violation(name + " (pid " + process.pid() + ") ended by itself with status " +
                    process.exitStatus() + " at t+" + FaultSchedule.seconds(elapsedMs()).trim() + " (see " +
                    process.log() + ")");
                if (name.startsWith("server"))
                {
                    aborted = true;
                }
            }
        });
        return process;
    }

    private void awaitReady(final ChildProcess process, final URI base, final long deadlineNanos)
        throws InterruptedException
    {
        String last = "no answer";
        while (System.nanoTime() < deadlineNanos)
        {
            if (!process.isAlive())
            {
                throw new IllegalStateException(process.name() + " ended (status " + process.exitStatus() +
                    ") before GET /ready answered 200");
            }
            try
            {
                final HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/ready"))
                    .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                if (200 == response.statusCode())
                {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            }
            catch (final IOException ex)
            {
                last = ex.toString();
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException(process.name() + ": GET /ready was not 200 within " + ctx.startTimeoutMs +
            " ms; last answer: " + last);
    }

    /**
     * Resend the creates whose answers were lost, then wait until no workflow is unfinished.
     *
     * @return what the drain did, for the report.
     */
    private String drain(final LoadDriver load) throws InterruptedException
    {
        final long startNanos = System.nanoTime();
        final long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(ctx.drainTimeoutMs);
        if (aborted || null == server.get())
        {
            return "skipped: no server to drain";
        }
        if (!load.resolve(deadline))
        {
            findings.violation(load.unresolved() + " creates still had no answer " + ctx.drainTimeoutMs +
                " ms after the load stopped");
        }
        long unfinished = -1;
        while (System.nanoTime() < deadline && !aborted)
        {
            unfinished = unfinished();
            if (0 == unfinished)
            {
                final String text = String.format(Locale.ROOT, "every workflow finished %.3f s after the load " +
                    "stopped", (System.nanoTime() - startNanos) / 1e9);
                event("drain: " + text);
                return text;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        final String text = (unfinished < 0 ? "the server did not answer" : unfinished + " workflows unfinished") +
            " " + ctx.drainTimeoutMs + " ms after the load stopped";
        event("drain: " + text);
        return text;
    }

    /**
     * @return CREATED + RUNNING + WAITING workflows on the server now, or -1 when it does not answer.
     */
    private long unfinished() throws InterruptedException
    {
        final URI base = server.get();
        if (null == base)
        {
            return -1;
        }
        long total = 0;
        for (final String state : List.of("CREATED", "RUNNING", "WAITING"))
        {
            try
            {
                final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                    base.resolve("/api/v1/workflows?state=" + state + "&limit=1")).timeout(Duration.ofSeconds(10))
                    .GET().build(), HttpResponse.BodyHandlers.ofString());
                if (200 != response.statusCode())
                {
                    return -1;
                }
                total += MAPPER.readTree(response.body()).path("total").asLong();
            }
            catch (final IOException ex)
            {
                return -1;
            }
        }
        return total;
    }

    /**
     * Stop the workers and then the server with SIGTERM, as an operator would; kill what does not stop.
     */
    private void stopAll() throws InterruptedException
    {
        starter.shutdownNow(); // a restart still under way (an aborted soak) ends here, its process kept to stop
        starter.awaitTermination(ctx.startTimeoutMs, TimeUnit.MILLISECONDS);
        for (final ChildProcess worker : null == workers ? new ChildProcess[0] : workers)
        {
            if (null != worker && worker.isAlive())
            {
                final int status = worker.stop(STOP_TIMEOUT);
                event("stopped " + worker.name() + " (SIGTERM, status " + status + ")");
            }
        }
        server.set(null);
        if (null != serverProcess && serverProcess.isAlive())
        {
            final int status = serverProcess.stop(STOP_TIMEOUT);
            event("stopped " + serverProcess.name() + " (SIGTERM, status " + status + ")");
            if (128 + 15 != status)
            {
                findings.violation(serverProcess.name() + " did not stop cleanly on SIGTERM: status " + status +
                    " (a JVM ends 143 on SIGTERM; see " + serverProcess.log() + ")");
            }
        }
        ledger.close();
    }

    /**
     * Run the log's offline tools on the stopped server's data directory and feed the dump to the audit.
     *
     * @return one line for the report.
     */
    private String judgeLog(final LogAudit audit, final Map<String, Long> acknowledged)
        throws IOException, InterruptedException
    {
        final OfflineLog log = new OfflineLog(ctx.launcher, childEnv, ctx.dataDir, ctx.logDir);
        final OfflineLog.Result verify = log.walVerify();
        if (0 != verify.status())
        {
            findings.violation("bin/axiom wal verify exited " + verify.status() + ": " + lastLine(verify.output()));
        }
        final OfflineLog.Result strict = log.verify();
        if (0 != strict.status())
        {
            findings.violation("bin/axiom verify exited " + strict.status() + ": " + strict.output());
        }
        final OfflineLog.Result dump = log.walDump(audit::accept);
        if (0 != dump.status())
        {
            findings.violation("bin/axiom wal dump exited " + dump.status() + ": " + lastLine(dump.output()));
        }
        audit.judge(acknowledged, ledger.effects(), findings);
        return "wal verify exit " + verify.status() + " (" + lastLine(verify.output()) + "); verify exit " +
            strict.status() + " (" + lastLine(strict.output()) + "); wal dump " + audit.records() + " records";
    }

    // --- the report --------------------------------------------------------------------------------------------------

    private Result report(
        final FaultSchedule schedule,
        final LoadDriver load,
        final AvailabilityProbe probe,
        final LogAudit audit,
        final long loadMs,
        final String drain,
        final String logCheck)
    {
        final List<String> lines = new ArrayList<>();
        lines.add("== soak report");
        lines.add("seed: " + ctx.seed);
        lines.add("duration: " + ctx.durationMs + " ms (load ran " + fmt(loadMs / 1e3) + " s; " + ctx.workers +
            " workers; " + fmt(ctx.rate) + " creates/s; lease " + ctx.leaseMs + " ms)");
        lines.addAll(schedule.describe());
        lines.add("what happened:");
        events.forEach(e -> lines.add("  " + e));
        lines.add("server: " + serverKills + " kills, " + serverRestarts + " restarts; workers: " + workerKills +
            " kills, " + workerRestarts + " restarts");
        final Map<String, Long> acked = load.acknowledged();
        lines.add("workflows: created " + load.created() + ", acknowledged " + acked.size() + " (" +
            load.acknowledgedByReplay() + " only by resending the create), completed " + audit.completed() +
            " (the log holds " + audit.workflows() + "; " + load.requests() + " create requests, " +
            load.answeredNotOk() + " answered neither 201 nor 200)");
        lines.add("steps: " + audit.commits() + " committed, " + audit.leases() + " leases, " +
            audit.attemptFailures() + " failed attempts (" + audit.leaseExpiries() + " lease expiries)");
        lines.add("effects: applied " + ledger.applied() + ", deduplicated " + ledger.deduplicated() +
            ", stale-rejected " + ledger.staleRejected());
        lines.add("longest outage: " + (null == probe ? "not measured" : probe.describeLongest()));
        lines.add("drain: " + drain);
        lines.add("log: " + logCheck);
        lines.add("files: data " + ctx.dataDir + ", logs " + ctx.logDir +
            (ctx.temporary ? " (temporary: deleted when there is no violation)" : ""));
        final List<String> violations = findings.violations();
        violations.forEach(v -> lines.add("violation: " + v));
        lines.add("violations: " + violations.size());
        final String report = String.join("\n", lines);
        ctx.out.println(report);
        ctx.out.flush();
        return new Result(violations, report, serverKills, serverRestarts, workerKills, workerRestarts, acked.size(),
            audit.completed());
    }

    // --- helpers -----------------------------------------------------------------------------------------------------

    private void event(final String text)
    {
        final String line = (loadStarted ? "t+" + FaultSchedule.seconds(elapsedMs()) : "start-up  ") + "  " + text;
        events.add(line);
        ctx.out.println("[soak] " + line);
        ctx.out.flush();
    }

    private long elapsedMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - originNanos);
    }

    /**
     * Wait for a scheduled moment (the only waits by the clock in a soak: its faults and its duration).
     */
    private void sleepUntil(final long atMs) throws InterruptedException
    {
        while (!aborted)
        {
            final long left = atMs - elapsedMs();
            if (left <= 0)
            {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(Math.min(left, 100));
        }
    }

    private static int freeUdpPort()
    {
        try (DatagramSocket socket = new DatagramSocket(0, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static String lastLine(final String text)
    {
        final String[] lines = text.strip().split("\n");
        return lines[lines.length - 1];
    }

    private static String fmt(final double value)
    {
        return value == Math.rint(value) ? Long.toString((long)value) : String.format(Locale.ROOT, "%.1f", value);
    }

    private static void deleteRecursively(final Path root)
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        catch (final IOException ex)
        {
            // a temporary directory left behind is not worth failing a soak over
        }
    }

    /**
     * Kill every process the soak started that still runs, and remove the Aeron directories the killed ones left.
     */
    @Override
    public void close()
    {
        aborted = true;
        starter.shutdownNow();
        for (final ChildProcess process : started)
        {
            if (process.isAlive())
            {
                killedPids.add(process.pid());
            }
            process.close();
        }
        ledger.close();
        for (final String parent : List.of("/dev/shm", System.getProperty("java.io.tmpdir")))
        {
            final Path dir = Path.of(parent);
            if (!Files.isDirectory(dir))
            {
                continue;
            }
            try (Stream<Path> children = Files.list(dir))
            {
                children.filter(p -> isDriverDirectoryOfKilled(p.getFileName().toString()))
                    .forEach(Soak::deleteRecursively);
            }
            catch (final IOException ex)
            {
                // best effort: the next embedded driver deletes stale directories too
            }
        }
    }

    private boolean isDriverDirectoryOfKilled(final String name)
    {
        for (final long pid : killedPids)
        {
            if (name.startsWith("axiom-aeron-" + pid + "-") && ProcessHandle.of(pid).isEmpty())
            {
                return true;
            }
        }
        return false;
    }
}
