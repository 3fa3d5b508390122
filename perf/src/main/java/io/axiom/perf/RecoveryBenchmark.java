package io.axiom.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import io.axiom.codecs.StepType;
import io.axiom.core.Engine;
import io.axiom.core.EngineCounters;
import io.axiom.journal.RecoveryReport;

/**
 * Start-up time with a large log: build about a million events through the engine, close it, then time
 * {@code Engine.launch} until {@code isReady()} (journal recovery scan + replay of every event into the state).
 */
final class RecoveryBenchmark
{
    private final Options options;
    private final Path dir;

    RecoveryBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    void run(final Report report) throws Exception
    {
        final long workflows = options.longValue("workflows", 200_000);
        final int steps = options.integer("steps", 1);
        final int trials = options.integer("trials", 3);
        final boolean buildFsync = options.flag("build-fsync", false);
        final int eventsPerWorkflow = CoreBenchmark.eventsPerWorkflow(steps, StepType.APPROVAL);
        final Path engineDir = Files.createTempDirectory(dir, "recovery-");
        try
        {
            System.out.println("[recovery] building " + workflows + " workflows x " + eventsPerWorkflow + " events");
            final long buildStart = System.nanoTime();
            final LoadRun build = new LoadRun();
            build.producers = options.integer("producers", 2);
            build.window = options.integer("window", 1024);
            build.steps = steps;
            build.workflowQuota = workflows;
            final long events;
            try (Engine engine = LoadRun.launch(LoadRun.context(engineDir, buildFsync, options)))
            {
                build.run(engine);
                waitForCounters(engine, workflows * eventsPerWorkflow);
                events = engine.counters().eventCount();
            }
            final double buildS = (System.nanoTime() - buildStart) / 1e9;
            final long logBytes = directorySize(engineDir);
            System.out.println("[recovery] built " + events + " events, " + (logBytes >> 20) + " MiB in " +
                Report.dec(buildS, 1) + " s; problems " + build.problems);

            report.line("Method: build a log of " + Report.num(events) + " events through the engine (" +
                    Report.num(workflows) + " one-step approval workflows x " + eventsPerWorkflow + " events: " +
                    "create + advance to COMPLETED, " + build.producers + " ring producers, fsync " +
                    (buildFsync ? "on" : "off while building") + ", " + Report.dec(buildS, 1) + " s), close the " +
                    "engine (which writes a snapshot at shutdown), then " + trials + " times each way: `Engine.launch` " +
                    "on the same directory (fsync on) and time until `isReady()` (polled every 0.1 ms). **full " +
                    "replay**: snapshots off (`snapshotRetain(0)`), recovery = open + CRC/sequence scan of every " +
                    "record + replay of every event through the state machine; **snapshot**: load the shutdown " +
                    "snapshot, replay what follows it (nothing here). The log was just written, so it is in the " +
                    "page cache (warm start); segment files total " + (logBytes >> 20) + " MiB on disk (preallocated).")
                .blank()
                .raw("| trial | mode | launch → ready | in-engine recovery | records replayed | replay events/s | " +
                    "workflows COMPLETED |\n|---:|---|---:|---:|---:|---:|---:|\n");

            double best = Double.MAX_VALUE;
            double worst = 0;
            for (int t = 1; t <= 2 * trials; t++)
            {
                final boolean fullReplay = t <= trials;
                System.gc();
                final long start = System.nanoTime();
                final Engine engine = Engine.launch(fullReplay ?
                    LoadRun.context(engineDir, true, options).snapshotRetain(0) :
                    LoadRun.context(engineDir, true, options));
                try
                {
                    while (!engine.isReady())
                    {
                        if (null != engine.failure())
                        {
                            throw new IllegalStateException("recovery failed", engine.failure());
                        }
                        LockSupport.parkNanos(100_000);
                    }
                    final double wallS = (System.nanoTime() - start) / 1e9;
                    final EngineCounters c = engine.counters();
                    final double inEngineS = c.recoveryNanos() / 1e9;
                    if (fullReplay)
                    {
                        best = Math.min(best, wallS);
                        worst = Math.max(worst, wallS);
                    }
                    final RecoveryReport rr = c.recoveryReport();
                    report.raw("| " + t + " | " + (fullReplay ? "full replay" : "snapshot") + " | **" +
                        Report.dec(wallS * 1000, 0) + " ms** | " +
                        Report.dec(inEngineS * 1000, 0) + " ms | " + Report.num(c.recoveredRecords()) + " | " +
                        Report.num(c.recoveredRecords() / Math.max(1e-9, inEngineS)) + " | " +
                        Report.num(c.workflowsInState("COMPLETED")) + " |\n");
                    if (c.workflowsInState("COMPLETED") != workflows)
                    {
                        report.line("\nWARNING: expected " + workflows + " COMPLETED workflows after recovery; " +
                            "report: " + rr);
                    }
                }
                finally
                {
                    engine.close();
                }
            }
            report.blank()
                .line("- Target < 5 s for 1,000,000 events, full replay: launch → ready " + Report.dec(best, 2) + "–" +
                    Report.dec(worst, 2) + " s → " + (worst < 5 ? "**met**" : "**not met**") + ".")
                .blank();
        }
        finally
        {
            JournalBenchmark.deleteTree(engineDir);
        }
    }

    static void waitForCounters(final Engine engine, final long events)
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (engine.counters().eventCount() < events && System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(1_000_000);
        }
    }

    static long directorySize(final Path root) throws java.io.IOException
    {
        try (var paths = Files.walk(root))
        {
            return paths.filter(Files::isRegularFile).mapToLong((p) ->
            {
                try
                {
                    return Files.size(p);
                }
                catch (final java.io.IOException ex)
                {
                    return 0;
                }
            }).sum();
        }
    }
}
