package io.axiom.chaos.soak;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.aeron.cluster.service.ClusterMarkFile;
import org.agrona.IoUtil;

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
 * <p>
 * <b>A cluster</b> ({@link Context#clusterMembers(int)} &gt; 0): N {@code bin/axiom server --cluster} members on
 * free UDP port ranges, each with its data directory ({@code DATA/node-i}) and worker ingress; the workers know every
 * member's ingress and fail over between them; the load spreads creates over the members and resends a create that
 * got no answer to another member, with its key. The server's faults become {@code leader_kill} (the member whose
 * {@code /ready} says LEADER at that moment) and {@code member_kill}; a killed member starts again on the same
 * directory and ingress. Before each kill every member is ready again, so one member at most is down. Judged per
 * member after a clean stop (followers first, the leader last): {@code wal verify}, {@code verify} and the log audit
 * on each member's journal, and every member's journal the same (record count and a SHA-256 of its dump).
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
        private int clusterMembers;
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
         * @param clusterMembers cluster members to run (3 to 9), or 0 (the default) for a single server.
         * @return this.
         */
        public Context clusterMembers(final int clusterMembers)
        {
            this.clusterMembers = clusterMembers;
            return this;
        }

        public int clusterMembers()
        {
            return clusterMembers;
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
            if (0 != clusterMembers && (clusterMembers < 3 || clusterMembers > 9))
            {
                throw new IllegalArgumentException("--cluster must be 0 (a single server) or 3 to 9 members (a " +
                    "kill must leave a majority), got " + clusterMembers);
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
     * @param serverKills    SIGKILLs of the server (with a cluster: of members, leaders included).
     * @param serverRestarts starts of the server (of a member) after a kill.
     * @param leaderKills    SIGKILLs of the member leading at that moment, by a leader kill or a member kill that
     *                       struck the leader (0 on a single server).
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
        long leaderKills,
        long workerKills,
        long workerRestarts,
        long acknowledged,
        long completed)
    {
    }

    private final Context ctx;
    private final Findings findings = new Findings();
    private final EffectsLedger ledger = new EffectsLedger();
    private final List<ChildProcess> started = new CopyOnWriteArrayList<>();
    private final Set<Long> killedPids = ConcurrentHashMap.newKeySet();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final List<Kill> kills = new CopyOnWriteArrayList<>();
    private final Map<Fault, Integer> downSlots = new ConcurrentHashMap<>();
    private final Map<Fault, Long> killedAtMs = new ConcurrentHashMap<>();
    private final HttpClient http = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(2))
        .build();
    private Map<String, String> childEnv;
    private Endpoints endpoints;
    private String[] ingresses;
    private Path[] nodeDirs;
    private String clusterSpec;
    private ChildProcess[] nodes;
    private int[] nodeIncarnations;
    private URI ledgerUri;
    private ChildProcess[] workers;
    private int[] incarnations;
    private long originNanos;
    private final ExecutorService starter = Executors.newSingleThreadExecutor(runnable ->
        Thread.ofPlatform().daemon().name("soak-server-start").unstarted(runnable));
    private Future<?> serverStart = CompletableFuture.completedFuture(null);
    private volatile boolean aborted;
    private volatile boolean loadStarted;
    private volatile long serverKills;
    private volatile long serverRestarts;
    private volatile long leaderKills;
    private volatile long workerKills;
    private volatile long workerRestarts;

    /**
     * A SIGKILL of the server or of a member, for the outage the clients saw after it.
     */
    private record Kill(String victim, long atNanos, long atMs)
    {
    }

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
        final FaultSchedule schedule = FaultSchedule.generate(ctx.seed, ctx.durationMs, ctx.workers,
            ctx.clusterMembers);
        out.println("[soak] seed " + ctx.seed + ", " + ctx.durationMs + " ms, " + ctx.workers + " workers, " +
            (cluster() ? ctx.clusterMembers + " cluster members, " : "") + fmt(ctx.rate) + " creates/s; data " +
            ctx.dataDir + ", logs " + ctx.logDir);
        schedule.describe().forEach(line -> out.println("[soak] " + line));
        out.flush();

        childEnv = new HashMap<>();
        System.getenv().keySet().stream().filter(k -> k.startsWith("AXIOM_")).forEach(k -> childEnv.put(k, null));
        childEnv.put("AXIOM_JAVA", ctx.java);
        childEnv.put("AXIOM_CLASSPATH", ctx.classpath);
        final int nodeCount = cluster() ? ctx.clusterMembers : 1;
        endpoints = new Endpoints(nodeCount);
        nodes = new ChildProcess[nodeCount];
        nodeIncarnations = new int[nodeCount];
        ingresses = new String[nodeCount];
        nodeDirs = new Path[nodeCount];
        for (int i = 0; i < nodeCount; i++)
        {
            ingresses[i] = "aeron:udp?endpoint=localhost:" + freeUdpPort();
            nodeDirs[i] = cluster() ? ctx.dataDir.resolve("node-" + i) : ctx.dataDir;
        }
        if (cluster())
        {
            final int basePort = freeClusterPorts(nodeCount);
            final StringBuilder spec = new StringBuilder();
            for (int i = 0; i < nodeCount; i++)
            {
                spec.append(0 == i ? "" : "|").append(i).append(",localhost:").append(basePort + 10 * i);
            }
            clusterSpec = spec.toString();
        }
        ledgerUri = ledger.serve();
        workers = new ChildProcess[ctx.workers];
        incarnations = new int[ctx.workers];
        originNanos = System.nanoTime();

        final LoadDriver load = new LoadDriver(endpoints, ctx.seed, ctx.rate,
            cluster() ? LoadDriver.CLUSTER_REQUEST_TIMEOUT : LoadDriver.REQUEST_TIMEOUT, findings);
        AvailabilityProbe probe = null;
        long loadMs = 0;
        String drain = "not run";
        try
        {
            startAllNodes();
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
            event("load starts: " + (cluster() ? ctx.clusterMembers + " members" : "server") + " and " +
                ctx.workers + " workers up" + (cluster() ? "; cluster " + clusterSpec : ""));
            probe = new AvailabilityProbe(endpoints, originNanos);
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

        final List<LogAudit> audits = new ArrayList<>();
        final String logCheck = judgeLogs(audits, load.acknowledged());
        final Result result = report(schedule, load, probe, audits.getFirst(), loadMs, drain, logCheck);
        if (ctx.temporary && result.violations().isEmpty())
        {
            deleteRecursively(ctx.dataDir.getParent());
        }
        return result;
    }

    private boolean cluster()
    {
        return ctx.clusterMembers > 0;
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
            if (Target.WORKER != fault.target())
            {
                if (action.kill())
                {
                    awaitServerStart();
                    if (aborted)
                    {
                        return;
                    }
                    downSlots.put(fault, killNode(fault));
                }
                else
                {
                    // a start takes seconds (JVM, recovery): meanwhile the workers' faults stay on time
                    final Integer slot = downSlots.get(fault);
                    if (null != slot)
                    {
                        serverStart = starter.submit(() -> restartNode(fault, slot));
                    }
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

    /**
     * SIGKILL the fault's victim: the server, the member that leads now, or the member drawn.
     *
     * @return the slot killed, or null when the soak cannot go on.
     */
    private Integer killNode(final Fault fault) throws InterruptedException
    {
        int slot = 0;
        int leaderSlot = -1;
        if (cluster())
        {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.startTimeoutMs);
            awaitEveryMemberReady(deadline);
            leaderSlot = findLeader(deadline);
            slot = Target.LEADER == fault.target() ? leaderSlot : fault.worker();
        }
        final ChildProcess victim = nodes[slot];
        endpoints.set(slot, null);
        final long atNanos = System.nanoTime();
        kill(victim);
        final boolean leader = slot == leaderSlot;
        final String victimName = Target.LEADER == fault.target() ? "leader (member " + slot + ")" :
            "member " + slot + (leader ? " (it led)" : " (a follower)");
        final long atMs = TimeUnit.NANOSECONDS.toMillis(atNanos - originNanos);
        kills.add(new Kill(cluster() ? victimName : "server", atNanos, atMs));
        killedAtMs.put(fault, atMs);
        serverKills++;
        if (leader)
        {
            leaderKills++;
        }
        return slot;
    }

    /**
     * Wait until every member answers {@code GET /ready} 200: then a kill leaves a majority that knows the log.
     */
    private void awaitEveryMemberReady(final long deadlineNanos) throws InterruptedException
    {
        String last = "";
        while (System.nanoTime() < deadlineNanos && !aborted)
        {
            last = "";
            for (int i = 0; i < nodes.length; i++)
            {
                final URI base = endpoints.get(i);
                final int status = null == base ? -1 : readyStatus(base);
                if (200 != status)
                {
                    last += " member " + i + ": " + (null == base ? "down" : Integer.toString(status));
                }
            }
            if (last.isEmpty())
            {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException("not every member was ready within " + ctx.startTimeoutMs + " ms:" + last);
    }

    /**
     * @return the member whose {@code GET /ready} says it leads.
     */
    private int findLeader(final long deadlineNanos) throws InterruptedException
    {
        while (System.nanoTime() < deadlineNanos && !aborted)
        {
            for (int i = 0; i < nodes.length; i++)
            {
                final URI base = endpoints.get(i);
                if (null == base)
                {
                    continue;
                }
                try
                {
                    final HttpResponse<String> response = http.send(HttpRequest.newBuilder(base.resolve("/ready"))
                        .timeout(Duration.ofSeconds(2)).GET().build(), HttpResponse.BodyHandlers.ofString());
                    if (200 == response.statusCode() &&
                        "LEADER".equals(MAPPER.readTree(response.body()).path("role").asText()))
                    {
                        return i;
                    }
                }
                catch (final IOException ex)
                {
                    // asked again below
                }
            }
            TimeUnit.MILLISECONDS.sleep(50);
        }
        throw new IllegalStateException("no member said it leads within " + ctx.startTimeoutMs + " ms");
    }

    private int readyStatus(final URI base) throws InterruptedException
    {
        try
        {
            return http.send(HttpRequest.newBuilder(base.resolve("/ready")).timeout(Duration.ofSeconds(2)).GET()
                .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private Void restartNode(final Fault fault, final int slot) throws InterruptedException
    {
        // a kill held back until the previous victim was ready again still keeps its whole time down
        final long killedAt = killedAtMs.getOrDefault(fault, fault.atMs());
        sleepUntil(killedAt + fault.downMs());
        try
        {
            final long startNanos = System.nanoTime();
            final long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(ctx.startTimeoutMs);
            awaitNode(slot, launchNode(slot), deadline);
            serverRestarts++;
            event(String.format(Locale.ROOT, "%s ready %.3f s after its start, %.3f s after the kill",
                nodes[slot].name(), (System.nanoTime() - startNanos) / 1e9, (elapsedMs() - killedAt) / 1e3));
        }
        catch (final IllegalStateException ex)
        {
            aborted = true;
            findings.violation("the " + (cluster() ? "member " + slot : "server") + " did not come back after the " +
"kill at t+" + FaultSchedule.seconds(killedAt).trim() + ": " + ex.getMessage() + " (see " +
                nodes[slot].log() + ")");
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

    /**
     * Start every node; a cluster's members are all launched before any is awaited (none is ready without a
     * majority).
     */
    private void startAllNodes() throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ctx.startTimeoutMs);
        final ChildProcess[] launched = new ChildProcess[nodes.length];
        for (int i = 0; i < nodes.length; i++)
        {
            launched[i] = launchNode(i);
        }
        for (int i = 0; i < nodes.length; i++)
        {
            awaitNode(i, launched[i], deadline);
        }
    }

    private ChildProcess launchNode(final int slot)
    {
        nodeIncarnations[slot]++;
        final String name = cluster() ? "member-" + slot + "." + nodeIncarnations[slot] :
            "server-" + nodeIncarnations[slot];
        final List<String> command = new ArrayList<>(List.of(ctx.launcher.toString(), "server", "--port", "0",
            "--data-dir", nodeDirs[slot].toString(), "--ingress", ingresses[slot],
            "--lease-duration-ms", Long.toString(ctx.leaseMs)));
        if (cluster())
        {
            command.addAll(List.of("--cluster", "true", "--member-id", Integer.toString(slot),
                "--cluster-members", clusterSpec));
        }
        else
        {
            command.add("--wal.snapshot-interval-events=" + ctx.snapshotIntervalEvents);
        }
        final Map<String, String> env = new HashMap<>(childEnv);
        env.put("AXIOM_JAVA_OPTS", "-Xmx384m");
        final ChildProcess process = launch(name, command, env, LISTENING);
        nodes[slot] = process;
        return process;
    }

    private void awaitNode(final int slot, final ChildProcess process, final long deadlineNanos)
        throws InterruptedException
    {
        final long left = Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
        final Matcher listening = process.awaitLine(Duration.ofMillis(left));
        final URI base = URI.create(listening.group(1));
        awaitReady(process, base, deadlineNanos);
        endpoints.set(slot, base);
        event(process.name() + " (pid " + process.pid() + ") listening on " + base);
    }

    private void startWorker(final int slot)
    {
        incarnations[slot]++;
        final long workerId = (slot + 1) * 1000L + incarnations[slot];
        final String name = "worker-" + (slot + 1) + "." + incarnations[slot];
        final List<String> command = new ArrayList<>();
        command.add(ctx.java);
        command.addAll(JVM_FLAGS);
        // every member's ingress, the worker's own member first, so that the workers spread over the members
        final List<String> channels = new ArrayList<>();
        for (int i = 0; i < ingresses.length; i++)
        {
            channels.add(ingresses[(slot + i) % ingresses.length]);
        }
        command.addAll(List.of("-Xmx128m", "-cp", ctx.classpath, SoakWorker.class.getName(),
            "--ingress", String.join(",", channels), "--ledger", ledgerUri.toString(),
            "--steps", String.join(",", LoadDriver.STEPS),
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
     * Resend the creates whose answers were lost, then wait until no workflow is unfinished (on every member).
     *
     * @return what the drain did, for the report.
     */
    private String drain(final LoadDriver load) throws InterruptedException
    {
        final long startNanos = System.nanoTime();
        final long deadline = startNanos + TimeUnit.MILLISECONDS.toNanos(ctx.drainTimeoutMs);
        if (aborted || null == endpoints.next())
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
                    "stopped%s", (System.nanoTime() - startNanos) / 1e9, cluster() ? ", on every member" : "");
                event("drain: " + text);
                return text;
            }
            TimeUnit.MILLISECONDS.sleep(200);
        }
        final String text = (unfinished < 0 ? "a server did not answer" : unfinished + " workflows unfinished") +
            " " + ctx.drainTimeoutMs + " ms after the load stopped";
        event("drain: " + text);
        return text;
    }

    /**
     * @return CREATED + RUNNING + WAITING workflows now, summed over every member (each answers from its own state),
     * or -1 when one does not answer.
     */
    private long unfinished() throws InterruptedException
    {
        long total = 0;
        for (int i = 0; i < nodes.length; i++)
        {
            final URI base = endpoints.get(i);
            if (null == base)
            {
                return -1;
            }
            for (final String state : List.of("CREATED", "RUNNING", "WAITING"))
            {
                try
                {
                    final HttpResponse<String> response = http.send(HttpRequest.newBuilder(
                        base.resolve("/api/v1/workflows?state=" + state + "&limit=1"))
                        .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
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
        }
        return total;
    }

    /**
     * Stop the workers and then the server with SIGTERM, as an operator would; kill what does not stop. A cluster's
     * followers stop before its leader, so that no election runs while they stop.
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
        int leader = -1;
        if (cluster() && !aborted)
        {
            try
            {
                leader = findLeader(System.nanoTime() + TimeUnit.SECONDS.toNanos(5));
            }
            catch (final IllegalStateException ex)
            {
                event("stop: " + ex.getMessage() + "; members stop in order");
            }
        }
        endpoints.clear();
        for (int n = 0; null != nodes && n < nodes.length; n++)
        {
            final int slot = leader < 0 ? n : (leader + 1 + n) % nodes.length; // the leader last
            final ChildProcess node = nodes[slot];
            if (null != node && node.isAlive())
            {
                final int status = node.stop(STOP_TIMEOUT);
                event("stopped " + node.name() + (slot == leader ? " (the leader)" : "") + " (SIGTERM, status " +
                    status + ")");
                if (128 + 15 != status)
                {
                    findings.violation(node.name() + " did not stop cleanly on SIGTERM: status " + status +
                        " (a JVM ends 143 on SIGTERM; see " + node.log() + ")");
                }
            }
        }
        ledger.close();
    }

    /**
     * Run the log's offline tools on each stopped node's data directory and feed each dump to an audit of its own;
     * with a cluster, every member's journal must also be the same.
     *
     * @param audits receives one audit per node, in slot order.
     * @return the report's lines on the logs, one line.
     */
    private String judgeLogs(final List<LogAudit> audits, final Map<String, Long> acknowledged)
        throws IOException, InterruptedException
    {
        final List<String> parts = new ArrayList<>();
        final String[] digests = new String[nodeDirs.length];
        final long[] counts = new long[nodeDirs.length];
        for (int i = 0; i < nodeDirs.length; i++)
        {
            final String who = cluster() ? "member " + i + ": " : "";
            final Path toolLogs = cluster() ? Files.createDirectories(ctx.logDir.resolve("node-" + i)) : ctx.logDir;
            final OfflineLog log = new OfflineLog(ctx.launcher, childEnv, nodeDirs[i], toolLogs);
            final Findings found = new Findings();
            final LogAudit audit = new LogAudit();
            audits.add(audit);
            final OfflineLog.Result verify = log.walVerify();
            if (0 != verify.status())
            {
                found.violation("bin/axiom wal verify exited " + verify.status() + ": " + lastLine(verify.output()));
            }
            final OfflineLog.Result strict = log.verify();
            if (0 != strict.status())
            {
                found.violation("bin/axiom verify exited " + strict.status() + ": " + strict.output());
            }
            final MessageDigest digest = sha256();
            final long[] records = new long[1];
            final OfflineLog.Result dump = log.walDump(line ->
            {
                audit.accept(line);
                if (line.startsWith("pos="))
                {
                    records[0]++;
                    digest.update(line.getBytes(StandardCharsets.UTF_8));
                    digest.update((byte)'\n');
                }
            });
            if (0 != dump.status())
            {
                found.violation("bin/axiom wal dump exited " + dump.status() + ": " + lastLine(dump.output()));
            }
            audit.judge(acknowledged, ledger.effects(), found);
            found.violations().forEach(v -> findings.violation(who + v));
            digests[i] = HexFormat.of().formatHex(digest.digest());
            counts[i] = records[0];
            parts.add(who + "wal verify exit " + verify.status() + " (" + lastLine(verify.output()) + "); verify " +
                "exit " + strict.status() + " (" + lastLine(strict.output()) + "); wal dump " + audit.records() +
                " records" + (cluster() ? ", sha256 " + digests[i].substring(0, 16) : ""));
        }
        if (cluster())
        {
            boolean same = true;
            for (int i = 1; i < nodeDirs.length; i++)
            {
                if (counts[i] != counts[0] || !digests[i].equals(digests[0]))
                {
                    same = false;
                    findings.violation("member " + i + "'s journal differs from member 0's: " + counts[i] +
                        " records, sha256 " + digests[i] + " against " + counts[0] + " records, sha256 " +
                        digests[0] + " (wal dump of " + nodeDirs[i] + " and " + nodeDirs[0] + ")");
                }
            }
            parts.add(same ? "journals identical on " + nodeDirs.length + " members (" + counts[0] +
                " records, the same dump)" : "journals differ");
        }
        return String.join("\n     ", parts);
    }

    private static MessageDigest sha256()
    {
        try
        {
            return MessageDigest.getInstance("SHA-256");
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
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
        lines.add((cluster() ? "members: " + serverKills + " kills (" + leaderKills + " of the leader), " :
            "server: " + serverKills + " kills, ") + serverRestarts + " restarts; workers: " + workerKills +
            " kills, " + workerRestarts + " restarts");
        if (!kills.isEmpty())
        {
            lines.add("outage per kill, as the load's clients saw it (from the SIGKILL to the answer to the first " +
                "create sent after it and acknowledged; a create unanswered after " + (cluster() ?
                LoadDriver.CLUSTER_REQUEST_TIMEOUT : LoadDriver.REQUEST_TIMEOUT).toMillis() + " ms is sent again" +
                (cluster() ? " to the next member" : "") + "):");
            for (final Kill kill : kills)
            {
                final long outage = load.outageAfter(kill.atNanos());
                lines.add("  t+" + FaultSchedule.seconds(kill.atMs()) + "  " + kill.victim() + ": " +
                    (outage < 0 ? "no create acknowledged after it" :
                    String.format(Locale.ROOT, "%.3f s", outage / 1e9)));
            }
        }
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
        lines.add("files: data " + ctx.dataDir + (cluster() ? " (node-0 .. node-" + (nodeDirs.length - 1) + ")" : "") +
            ", logs " + ctx.logDir + (ctx.temporary ? " (temporary: deleted when there is no violation)" : ""));
        final List<String> violations = findings.violations();
        violations.forEach(v -> lines.add("violation: " + v));
        lines.add("violations: " + violations.size());
        final String report = String.join("\n", lines);
        ctx.out.println(report);
        ctx.out.flush();
        return new Result(violations, report, serverKills, serverRestarts, leaderKills, workerKills, workerRestarts,
            acked.size(), audit.completed());
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

    /**
     * @param members cluster members.
     * @return a base port B with B+10i .. B+10i+4 free for UDP on loopback for every member i.
     */
    private static int freeClusterPorts(final int members)
    {
        final Random random = new Random(System.nanoTime());
        for (int attempt = 0; attempt < 200; attempt++)
        {
            final int base = 20_000 + random.nextInt(2_000) * 10;
            boolean free = true;
            for (int i = 0; i < members && free; i++)
            {
                for (int port = base + 10 * i; port < base + 10 * i + 5 && free; port++)
                {
                    try (DatagramSocket socket = new DatagramSocket(null))
                    {
                        socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                    }
                    catch (final IOException ex)
                    {
                        free = false;
                    }
                }
            }
            if (free)
            {
                return base;
            }
        }
        throw new IllegalStateException("no free UDP port range for " + members + " cluster members in 200 tries");
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
        deleteMemberDriverDirectories();
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

    /**
     * A SIGKILLed member's media driver directory (under {@code /dev/shm}) outlives it: each is named in the
     * member's cluster mark file. Only this soak's members' directories are touched.
     */
    private void deleteMemberDriverDirectories()
    {
        if (!cluster() || null == nodeDirs)
        {
            return;
        }
        for (final Path nodeDir : nodeDirs)
        {
            final File clusterDir = nodeDir.resolve("cluster").resolve("cluster").toFile();
            if (new File(clusterDir, ClusterMarkFile.FILENAME).isFile())
            {
                try (ClusterMarkFile markFile = new ClusterMarkFile(
                    clusterDir, ClusterMarkFile.FILENAME, System::currentTimeMillis, 1_000, (message) -> { }))
                {
                    final String aeronDir = markFile.decoder().aeronDirectory();
                    if (!aeronDir.isEmpty())
                    {
                        IoUtil.delete(new File(aeronDir), true);
                    }
                }
                catch (final RuntimeException ex)
                {
                    // best effort: the next launch on the same directory clears it too
                }
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
