package io.axiom.perf;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

import io.axiom.codecs.StepType;
import io.axiom.core.Engine;
import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.VerificationReport;
import org.HdrHistogram.Histogram;

/**
 * What a live verify costs a running engine: build a state through the engine (one-step approval workflows, created
 * and advanced to COMPLETED), restart it with fsync on, then verify it live several times
 * ({@code engine.verifier().verify}) while a probe sends creates at a fixed rate. Reported: how long the processor
 * was held for the consistent point (the digest walk, measured by the processor itself), how long the whole verify
 * took (reading and replaying the log on the caller's thread), and the probe's create-to-reply latency with and
 * without a verify running, from the intended send time (so a stalled processor shows in full).
 */
final class VerifyBenchmark
{
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Options options;
    private final Path dir;

    VerifyBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    void run(final Report report) throws Exception
    {
        final long workflows = options.longValue("workflows", 100_000);
        final int trials = options.integer("trials", 10);
        final int probeRate = options.integer("probe-rate", 200);
        final int baselineS = options.integer("baseline-s", 10);
        final int warmupS = options.integer("warmup-s", 5);
        final int eventsPerWorkflow = CoreBenchmark.eventsPerWorkflow(1, StepType.APPROVAL);
        final Path engineDir = Files.createTempDirectory(dir, "verify-");
        try
        {
            System.out.println("[verify] building " + workflows + " workflows x " + eventsPerWorkflow + " events");
            final long buildStart = System.nanoTime();
            final LoadRun build = new LoadRun();
            build.producers = options.integer("producers", 2);
            build.window = options.integer("window", 1024);
            build.steps = 1;
            build.workflowQuota = workflows;
            try (Engine engine = LoadRun.launch(LoadRun.context(engineDir, false, options)))
            {
                build.run(engine);
                RecoveryBenchmark.waitForCounters(engine, workflows * eventsPerWorkflow);
            }
            final double buildS = (System.nanoTime() - buildStart) / 1e9;
            System.out.println("[verify] built in " + Report.dec(buildS, 1) + " s; problems " + build.problems);

            try (Engine engine = LoadRun.launch(LoadRun.context(engineDir, true, options)))
            {
                final Histogram idle = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                final Histogram during = new Histogram(TimeUnit.SECONDS.toNanos(60), 3);
                final Probe warmup = Probe.start(engine, probeRate, new Histogram(TimeUnit.SECONDS.toNanos(60), 3));
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(warmupS));
                warmup.stop();
                final Probe baseline = Probe.start(engine, probeRate, idle);
                LockSupport.parkNanos(TimeUnit.SECONDS.toNanos(baselineS));
                baseline.stop();

                report.line("Method: " + Report.num(workflows) + " one-step approval workflows (" +
                        Report.num(workflows * eventsPerWorkflow) + " events) built through the engine (fsync off " +
                        "while building, " + Report.dec(buildS, 1) + " s), the engine restarted with fsync on (it " +
                        "loads its shutdown snapshot), a " + warmupS + " s warm-up of the probe, then " + trials +
                        " live verifies (`engine.verifier().verify`, what `POST /api/v1/verify` runs) while a probe " +
                        "thread creates one-step workflows " +
                        "at " + probeRate + "/s (create-to-reply latency from the intended send time). **processor " +
                        "hold**: the time the processor spent on the one consistent-point query (the digest walk over " +
                        "every workflow), measured by the processor itself; **verify**: the whole call, the log read " +
                        "from disk (page cache warm) and replayed through a fresh strict state on the caller's thread.")
                    .blank()
                    .raw("| trial | processor hold | verify | events read | events/s replayed | workflows | " +
                        "consistent | violations |\n|---:|---:|---:|---:|---:|---:|---|---:|\n");
                double minHold = Double.MAX_VALUE;
                double maxHold = 0;
                for (int t = 1; t <= trials; t++)
                {
                    System.gc();
                    final Probe probe = Probe.start(engine, probeRate, during);
                    final EngineReply reply = engine.verifier().verify(TIMEOUT);
                    probe.stop();
                    if (!(reply instanceof EngineReply.Verification verification))
                    {
                        report.line("\ntrial " + t + " refused: " + reply);
                        continue;
                    }
                    final VerificationReport r = verification.report();
                    final double holdMs = r.live().processorHoldNanos() / 1e6;
                    minHold = Math.min(minHold, holdMs);
                    maxHold = Math.max(maxHold, holdMs);
                    report.raw("| " + t + " | **" + Report.dec(holdMs, 2) + " ms** | " +
                        Report.dec(r.durationNanos() / 1e6, 0) + " ms | " + Report.num(r.eventsRead()) + " | " +
                        Report.num(r.eventsRead() / (r.durationNanos() / 1e9)) + " | " + Report.num(r.workflows()) +
                        " | " + r.consistent() + " | " + r.violationCount() + " |\n");
                }
                report.blank()
                    .raw(Report.LATENCY_HEADER)
                    .raw(Report.latencyRow("probe create, no verify running (" + baselineS + " s)", idle))
                    .raw(Report.latencyRow("probe create, while a verify runs", during))
                    .blank()
                    .line("- Processor held " + Report.dec(minHold, 2) + "–" + Report.dec(maxHold, 2) + " ms per " +
                        "live verify of " + Report.num(workflows) + " workflows; the rest of the verify runs beside " +
                        "it.")
                    .blank();
            }
        }
        finally
        {
            JournalBenchmark.deleteTree(engineDir);
        }
    }

    /**
     * Creates a one-step approval workflow at a fixed rate on its own thread and records create-to-reply latency from
     * the intended send time.
     */
    private static final class Probe implements Runnable
    {
        private final Engine engine;
        private final long intervalNs;
        private final Histogram histogram;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        private Probe(final Engine engine, final int rate, final Histogram histogram)
        {
            this.engine = engine;
            this.intervalNs = TimeUnit.SECONDS.toNanos(1) / rate;
            this.histogram = histogram;
            this.thread = new Thread(this, "perf-verify-probe");
            this.thread.setDaemon(true);
        }

        static Probe start(final Engine engine, final int rate, final Histogram histogram)
        {
            final Probe probe = new Probe(engine, rate, histogram);
            probe.thread.start();
            return probe;
        }

        public void run()
        {
            final CreateWorkflow create = new CreateWorkflow("probe", List.of(StepSpec.approval("OK")),
                "{}".getBytes(StandardCharsets.UTF_8), null);
            long intended = System.nanoTime();
            while (running.get())
            {
                final long now = System.nanoTime();
                if (now < intended)
                {
                    LockSupport.parkNanos(intended - now);
                    continue;
                }
                engine.client().create(create, TIMEOUT);
                histogram.recordValue(Math.min(histogram.getHighestTrackableValue(), System.nanoTime() - intended));
                intended += intervalNs;
            }
        }

        void stop() throws InterruptedException
        {
            running.set(false);
            thread.join();
        }
    }
}
