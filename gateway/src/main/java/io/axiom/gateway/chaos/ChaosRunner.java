package io.axiom.gateway.chaos;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.StepAttemptFailedDecoder;
import io.axiom.codecs.StepLeasedDecoder;
import io.axiom.core.Engine;
import io.axiom.core.EngineCounters;
import io.axiom.core.EventFeed;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.VerificationReport;
import io.axiom.gateway.listener.HttpListener;
import io.axiom.gateway.transport.WorkerTransport;
import org.agrona.DirectBuffer;
import org.agrona.collections.LongHashSet;

/**
 * Runs one chaos scenario at a time against this server, for a bounded time, and reports what it injected and what
 * the server went through meanwhile. A run blocks its caller (an HTTP request's virtual thread) for its duration.
 * <p>
 * The report: the scenario, seed and duration; the faults injected by kind; the workflows affected (distinct
 * workflows with a failed attempt or a re-dispatched step while the run lasted, read from the engine's event feed);
 * what the server recovered from (worker reconnections, transport restarts, lease expiries, retries, rejected
 * completions); and afterwards the engine's state (ready, not failed) and a live verify of its log (ok, consistent,
 * the first violations).
 */
public final class ChaosRunner
{
    /** Longest run accepted: ten minutes. */
    public static final long MAX_DURATION_MS = TimeUnit.MINUTES.toMillis(10);
    /** The frame drop rate of {@code message_drop}. */
    public static final double DROP_RATE = 0.1;
    /** Shortest and longest gap between two faults of {@code process_kill}. */
    static final long KILL_GAP_MIN_MS = 500;
    static final long KILL_GAP_MAX_MS = 2_000;
    /** What {@code process_kill} may end, as its schedule names it. */
    static final String[] KILLS = {"worker_connections", "worker_transport", "http_connections"};

    private static final System.Logger LOG = System.getLogger("axiom.chaos");
    private static final String HOW_TO_ENABLE = "chaos is off on this server: start it with --chaos-enabled " +
        "(config key chaos.enabled: true, or AXIOM_CHAOS_ENABLED=true); never on a production server";

    private final Engine engine;
    private final ChaosFaults faults;
    private final AtomicBoolean running = new AtomicBoolean();
    private volatile WorkerTransport transport;
    private volatile HttpListener listener;

    private ChaosRunner(final Engine engine, final ChaosFaults faults)
    {
        this.engine = engine;
        this.faults = faults;
    }

    /**
     * @param engine the engine.
     * @param faults the seams' switches, installed in the engine and the transport; null when chaos is off.
     * @return a runner; with null faults every run is refused 403.
     */
    public static ChaosRunner of(final Engine engine, final ChaosFaults faults)
    {
        return new ChaosRunner(engine, faults);
    }

    /**
     * The parts {@code process_kill} restarts, once the server has them.
     *
     * @param transport the worker transport, or null when workers over Aeron are off.
     * @param listener  the HTTP listener.
     */
    public void attach(final WorkerTransport transport, final HttpListener listener)
    {
        this.transport = transport;
        this.listener = listener;
    }

    /**
     * @return true while a run is in progress.
     */
    public boolean running()
    {
        return running.get();
    }

    /**
     * @return true when chaos runs are accepted.
     */
    public boolean enabled()
    {
        return null != faults;
    }

    /**
     * Check a request before anything runs: chaos on, a known scenario, a duration in range.
     *
     * @param scenario   the wire name.
     * @param durationMs the duration, or null for the default of 10 s.
     * @return the scenario.
     * @throws ChaosRefused 403 when chaos is off, else 400 for a bad scenario or duration.
     */
    public ChaosScenario check(final String scenario, final Long durationMs)
    {
        if (!enabled())
        {
            throw new ChaosRefused(403, ChaosRefused.FORBIDDEN, HOW_TO_ENABLE);
        }
        final ChaosScenario known = null == scenario ? null : ChaosScenario.byWireName(scenario);
        if (null == known)
        {
            throw new ChaosRefused(400, ChaosRefused.BAD_REQUEST, (null == scenario ? "no scenario given" :
                "unknown scenario '" + clip(scenario) + "'") + "; expected one of " + ChaosScenario.names());
        }
        if (null != durationMs && (durationMs < 1 || durationMs > MAX_DURATION_MS))
        {
            throw new ChaosRefused(400, ChaosRefused.BAD_REQUEST, "duration_ms must be between 1 and " +
                MAX_DURATION_MS + ", got " + durationMs);
        }
        return known;
    }

    /**
     * Run a scenario; blocks for its duration.
     *
     * @param scenario   the wire name.
     * @param durationMs how long to inject faults, or null for 10 s.
     * @param seed       the seed of the random moments and choices, or null for one drawn now (reported).
     * @return the report.
     * @throws ChaosRefused when the request is refused (see {@link #check}), or 409 when a run is in progress.
     */
    public Map<String, Object> run(final String scenario, final Long durationMs, final Long seed)
    {
        final ChaosScenario which = check(scenario, durationMs);
        final long duration = null == durationMs ? 10_000 : durationMs;
        final long theSeed = null == seed ? System.nanoTime() : seed;
        if (!running.compareAndSet(false, true))
        {
            throw new ChaosRefused(409, ChaosRefused.CONFLICT, "another chaos run is in progress; one at a time");
        }
        try
        {
            LOG.log(System.Logger.Level.INFO, "chaos run started: " + which.wireName() + ", " + duration +
                " ms, seed " + theSeed);
            final Map<String, Object> report = new Run(which, duration, theSeed).execute();
            LOG.log(System.Logger.Level.INFO, "chaos run ended: " + which.wireName() + ", seed " + theSeed +
                ", faults " + report.get("faults_total") + ", workflows affected " + report.get("workflows_affected") +
                ", engine ready " + report.get("engine_ready") + ", verify ok " +
                ((Map<?, ?>)report.get("verify")).get("ok"));
            return report;
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "chaos run failed: " + which.wireName() + ", seed " + theSeed, ex);
            throw ex;
        }
        finally
        {
            faults.delays(false, 0);
            faults.drops(0, 0);
            running.set(false);
        }
    }

    private static String clip(final String text)
    {
        return text.length() <= 64 ? text : text.substring(0, 64) + "...";
    }

    /**
     * One run: its faults, the feed reader that sees what they did, and the counts for the report.
     */
    private final class Run implements EventFeed.EventHandler
    {
        private final ChaosScenario scenario;
        private final long durationMs;
        private final long seed;
        private final EventFeed.Reader feed = engine.eventFeed().reader();
        private final LongHashSet affected = new LongHashSet();
        private final StepAttemptFailedDecoder failed = new StepAttemptFailedDecoder();
        private final StepLeasedDecoder leased = new StepLeasedDecoder();
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final Map<String, Long> injected = new LinkedHashMap<>();
        private boolean lapped;

        Run(final ChaosScenario scenario, final long durationMs, final long seed)
        {
            this.scenario = scenario;
            this.durationMs = durationMs;
            this.seed = seed;
        }

        Map<String, Object> execute()
        {
            final EngineCounters counters = engine.counters();
            final long expiriesBefore = counters.leaseExpiries();
            final long timeoutsBefore = counters.attemptTimeouts();
            final long retriesBefore = counters.retries();
            final long staleBefore = counters.rejections("STALE_FENCING_TOKEN");
            final long committedBefore = counters.rejections("ALREADY_COMMITTED");
            final long completionsBefore = counters.completionsAccepted();
            final long reconnectsBefore = reconnects();
            final Faults before = Faults.of(faults);
            final long startNs = System.nanoTime();
            final long endNs = startNs + TimeUnit.MILLISECONDS.toNanos(durationMs);

            switch (scenario)
            {
                case DELAY_INJECTION -> faults.delays(true, seed);
                case MESSAGE_DROP -> faults.drops(DROP_RATE, seed);
                default ->
                {
                }
            }
            // process_kill's schedule is drawn before anything runs: the same seed and duration, the same faults at
            // the same offsets, however long each takes
            final java.util.List<long[]> schedule = new java.util.ArrayList<>();
            if (ChaosScenario.PROCESS_KILL == scenario)
            {
                final SplittableRandom random = new SplittableRandom(seed);
                for (long at = gapMs(random); at < durationMs; at += gapMs(random))
                {
                    schedule.add(new long[] {at, random.nextInt(KILLS.length)});
                }
            }
            int next = 0;
            while (System.nanoTime() - endNs < 0)
            {
                while (next < schedule.size() &&
                    System.nanoTime() - (startNs + TimeUnit.MILLISECONDS.toNanos(schedule.get(next)[0])) >= 0)
                {
                    kill((int)schedule.get(next)[1]);
                    next++;
                }
                follow();
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            while (next < schedule.size())
            {
                kill((int)schedule.get(next++)[1]); // due before the end, reached late: a slow restart before it
            }
            final java.util.List<Object> planned = new java.util.ArrayList<>();
            for (final long[] fault : schedule)
            {
                planned.add(Map.of("at_ms", fault[0], "fault", KILLS[(int)fault[1]]));
            }
            faults.delays(false, 0);
            faults.drops(0, 0);
            final long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            follow();

            final Faults after = Faults.of(faults);
            switch (scenario)
            {
                case DELAY_INJECTION ->
                {
                    injected.put("flushes_delayed", after.flushes - before.flushes);
                    injected.put("duty_cycles_delayed", after.dutyCycles - before.dutyCycles);
                    injected.put("frames_delayed", after.framesDelayed - before.framesDelayed);
                    injected.put("delay_injected_ms", (after.delayUs - before.delayUs) / 1000);
                }
                case MESSAGE_DROP ->
                {
                    injected.put("frames_dropped_received", after.droppedReceived - before.droppedReceived);
                    injected.put("frames_dropped_sent", after.droppedSent - before.droppedSent);
                }
                default ->
                {
                }
            }

            final Map<String, Object> recoveries = new LinkedHashMap<>();
            recoveries.put("worker_reconnections", Math.max(0, reconnects() - reconnectsBefore));
            recoveries.put("lease_expiries", counters.leaseExpiries() - expiriesBefore);
            recoveries.put("attempt_timeouts", counters.attemptTimeouts() - timeoutsBefore);
            recoveries.put("retries", counters.retries() - retriesBefore);
            recoveries.put("stale_completions_rejected", counters.rejections("STALE_FENCING_TOKEN") - staleBefore);
            recoveries.put("repeated_completions_answered", counters.rejections("ALREADY_COMMITTED") -
                committedBefore);

            final Map<String, Object> report = new LinkedHashMap<>();
            report.put("scenario", scenario.wireName());
            report.put("seed", seed);
            report.put("duration_ms", elapsedMs);
            report.put("faults", injected);
            if (ChaosScenario.PROCESS_KILL == scenario)
            {
                report.put("schedule", planned);
            }
            report.put("faults_total", injected.entrySet().stream()
                .filter(e -> !e.getKey().endsWith("_ms")).mapToLong(Map.Entry::getValue).sum());
            report.put("workflows_affected", (long)affected.size());
            report.put("workflows_affected_exact", !lapped);
            report.put("completions_committed", counters.completionsAccepted() - completionsBefore);
            report.put("recoveries", recoveries);
            report.put("engine_ready", engine.isReady() && null == engine.failure());
            report.put("verify", verifyAfter());
            return report;
        }

        /**
         * A live verify once the faults stopped: the log replayed up to a consistent point, compared with the state.
         */
        private Map<String, Object> verifyAfter()
        {
            final Map<String, Object> verify = new LinkedHashMap<>();
            final EngineReply reply = engine.verifier().verify(java.time.Duration.ofSeconds(30));
            if (reply instanceof EngineReply.Verification verification)
            {
                final VerificationReport checked = verification.report();
                verify.put("ok", checked.ok());
                verify.put("consistent", checked.consistent());
                verify.put("events_read", checked.eventsRead());
                verify.put("violation_count", checked.violationCount());
                final java.util.List<String> first = new java.util.ArrayList<>();
                for (int i = 0; i < Math.min(10, checked.violations().size()); i++)
                {
                    first.add(checked.violations().get(i).line());
                }
                verify.put("violations", first);
            }
            else
            {
                verify.put("ok", false);
                verify.put("not_run", reply instanceof EngineReply.Problem problem ? problem.code() + ": " +
                    problem.detail() : String.valueOf(reply));
            }
            return verify;
        }

        private long gapMs(final SplittableRandom random)
        {
            return random.nextLong(KILL_GAP_MIN_MS, KILL_GAP_MAX_MS + 1);
        }

        /**
         * End one of the server's parts, chosen by the seed; without workers over Aeron, the HTTP connections.
         */
        private void kill(final int choice)
        {
            final WorkerTransport transport = ChaosRunner.this.transport;
            final HttpListener listener = ChaosRunner.this.listener;
            if (null != transport && 0 == choice)
            {
                transport.endpoint().dropConnections();
                count("worker_connections_dropped");
            }
            else if (null != transport && 1 == choice)
            {
                transport.restart();
                count("worker_transport_restarts");
            }
            else if (null != listener)
            {
                listener.guard().dropConnections();
                count("http_connections_dropped");
            }
        }

        private void count(final String kind)
        {
            injected.merge(kind, 1L, Long::sum);
        }

        private long reconnects()
        {
            final WorkerTransport transport = ChaosRunner.this.transport;
            return null == transport ? 0 : transport.connectionsOpened();
        }

        private void follow()
        {
            int n;
            do
            {
                n = feed.poll(this, 4096);
                if (n < 0)
                {
                    lapped = true;
                }
            }
            while (n > 0);
        }

        @Override
        public void onEvent(
            final DirectBuffer buffer,
            final int payloadOffset,
            final int payloadLength,
            final int type,
            final int version,
            final long position,
            final long sequence,
            final long timestamp)
        {
            if (payloadLength < 0)
            {
                return;
            }
            if (StepAttemptFailedDecoder.TEMPLATE_ID == type)
            {
                header.wrap(buffer, payloadOffset);
                failed.wrap(buffer, payloadOffset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(),
                    version);
                affected.add(failed.workflowId());
            }
            else if (StepLeasedDecoder.TEMPLATE_ID == type)
            {
                header.wrap(buffer, payloadOffset);
                leased.wrap(buffer, payloadOffset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(),
                    version);
                if (leased.attempt() > 1)
                {
                    affected.add(leased.workflowId());
                }
            }
        }
    }

    /**
     * The fault counts at one moment.
     */
    private record Faults(long flushes, long dutyCycles, long framesDelayed, long delayUs, long droppedReceived,
        long droppedSent)
    {
        static Faults of(final ChaosFaults f)
        {
            return new Faults(f.flushesDelayed.get(), f.dutyCyclesDelayed.get(), f.framesDelayed.get(),
                f.delayInjectedUs.get(), f.framesDroppedReceived.get(), f.framesDroppedSent.get());
        }
    }
}
