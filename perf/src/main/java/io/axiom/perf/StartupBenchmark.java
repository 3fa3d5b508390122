package io.axiom.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.axiom.codecs.StepType;
import io.axiom.core.Engine;
import io.axiom.core.EngineContext;
import io.axiom.core.EngineCounters;
import io.axiom.journal.SnapshotStore;

/**
 * Bounded start-up: a log of 10,000,000 events of history (built once through the engine and kept when
 * {@code --data-dir} is given), then {@code Engine.launch} until {@code isReady()} N times each way: from the
 * shutdown snapshot (empty tail), from the periodic snapshot before it (the shutdown one set aside: a tail of up to
 * one snapshot interval, what a crash leaves), and with snapshots off (every record checked and replayed).
 */
final class StartupBenchmark
{
    private final Options options;
    private final Path dir;

    StartupBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    private record Trial(double wallMs, double openMs, double snapshotMs, double replayMs, long replayed, long from)
    {
    }

    void run(final Report report) throws Exception
    {
        final long targetEvents = options.longValue("events", 10_000_000);
        final int steps = options.integer("steps", 4);
        final int trials = options.integer("trials", 5);
        final long interval = options.longValue("snapshot-interval-events", 1_000_000);
        final int eventsPerWorkflow = CoreBenchmark.eventsPerWorkflow(steps, StepType.APPROVAL);
        final long workflows = (targetEvents + eventsPerWorkflow - 1) / eventsPerWorkflow;
        final Path engineDir = dir.resolve("startup-" + targetEvents + "-events-" + steps + "-steps-" + interval);
        final Path built = engineDir.resolve("built.txt");
        double buildS = 0;
        if (!Files.exists(built))
        {
            JournalBenchmark.deleteTree(engineDir);
            Files.createDirectories(engineDir);
            System.out.println("[startup] building " + workflows + " workflows x " + eventsPerWorkflow + " events");
            final long buildStart = System.nanoTime();
            final LoadRun build = new LoadRun();
            build.producers = options.integer("producers", 2);
            build.window = options.integer("window", 1024);
            build.steps = steps;
            build.workflowQuota = workflows;
            try (Engine engine = LoadRun.launch(context(engineDir, false, options, interval)))
            {
                build.run(engine);
                RecoveryBenchmark.waitForCounters(engine, workflows * eventsPerWorkflow);
                System.out.println("[startup] built " + engine.counters().eventCount() + " events; problems " +
                    build.problems);
            }
            buildS = (System.nanoTime() - buildStart) / 1e9;
            Files.writeString(built, "built in " + buildS + " s\n");
        }
        final long logBytes = RecoveryBenchmark.directorySize(engineDir);
        final SnapshotStore store = new SnapshotStore(engineDir, 2);
        final List<Path> snapshots = store.list();
        if (snapshots.size() < 2)
        {
            throw new IllegalStateException("expected a periodic and a shutdown snapshot in " + engineDir + ": " +
                snapshots);
        }
        final Path shutdown = snapshots.get(snapshots.size() - 1);
        final Path stash = engineDir.resolve("stash");
        Files.createDirectories(stash);

        report.line("Method: a log of " + Report.num(workflows * eventsPerWorkflow) + " events built once through " +
            "the engine (" + Report.num(workflows) + " " + steps + "-step approval workflows x " + eventsPerWorkflow +
            " events: create + " + steps + " advances to COMPLETED, fsync off while building" +
            (buildS > 0 ? ", " + Report.dec(buildS, 1) + " s" : ", reused from " + engineDir) + "), snapshots every " +
            Report.num(interval) + " events (`wal.snapshot-interval-events`) plus the one written at shutdown; " +
            (logBytes >> 20) + " MiB in the data directory. Then " + trials + " times each way: `Engine.launch` on " +
            "it (fsync on) until `isReady()` (polled every 0.1 ms). **shutdown snapshot**: the newest snapshot, no " +
            "tail; **periodic snapshot**: the shutdown snapshot moved away, so the one before it loads and up to one " +
            "interval of log is checked and replayed (what a crash leaves); **full**: snapshots off, every record " +
            "checked and replayed. Split: open (journal recovery: headers of every segment, the record-by-record " +
            "check from the snapshot's position, reading and checksumming the snapshot), snapshot (decode into the " +
            "state), replay. Warm page cache (the files were just read).")
            .blank()
            .raw("| mode | launch → ready min / median / max | open | snapshot load | replay | records replayed | " +
                "snapshot at | workflows in the state |\n|---|---:|---:|---:|---:|---:|---:|---:|\n");

        long stateWorkflows = 0;
        final List<String> modes = List.of(options.string("modes", "shutdown,periodic,full").split(","));
        for (final String mode : List.of("shutdown snapshot", "periodic snapshot", "full"))
        {
            if (!modes.contains(mode.split(" ")[0]))
            {
                continue;
            }
            final List<Trial> results = new ArrayList<>();
            final boolean periodic = mode.equals("periodic snapshot");
            for (int t = 0; t < trials; t++)
            {
                if (periodic)
                {
                    Files.move(shutdown, stash.resolve(shutdown.getFileName()), StandardCopyOption.REPLACE_EXISTING);
                }
                try
                {
                    System.gc();
                    final long start = System.nanoTime();
                    final EngineContext ctx = context(engineDir, true, options, interval);
                    final Engine engine = Engine.launch(mode.equals("full") ? ctx.snapshotRetain(0) : ctx);
                    try
                    {
                        while (!engine.isReady())
                        {
                            if (null != engine.failure())
                            {
                                throw new IllegalStateException("start-up failed", engine.failure());
                            }
                            LockSupport.parkNanos(100_000);
                        }
                        final double wallMs = (System.nanoTime() - start) / 1e6;
                        final EngineCounters c = engine.counters();
                        results.add(new Trial(wallMs, c.recoveryOpenNanos() / 1e6, c.recoverySnapshotNanos() / 1e6,
                            c.recoveryReplayNanos() / 1e6, c.recoveredRecords(), c.recoveredFromPosition()));
                        stateWorkflows = c.workflowsInState("COMPLETED");
                        System.out.println("[startup] " + mode + " #" + (t + 1) + ": " + Report.dec(wallMs, 0) +
                            " ms " + results.get(results.size() - 1));
                    }
                    finally
                    {
                        engine.close();
                    }
                }
                finally
                {
                    if (periodic)
                    {
                        // the engine's own shutdown snapshot replaced the one moved away: put the original back
                        Files.move(stash.resolve(shutdown.getFileName()), shutdown,
                            StandardCopyOption.REPLACE_EXISTING);
                    }
                }
            }
            final List<Double> walls = new ArrayList<>();
            results.forEach(r -> walls.add(r.wallMs()));
            Collections.sort(walls);
            final Trial median = results.stream().sorted((a, b) -> Double.compare(a.wallMs(), b.wallMs()))
                .toList().get(results.size() / 2);
            report.raw("| " + mode + " | **" + Report.dec(walls.get(0), 0) + " / " +
                Report.dec(walls.get(walls.size() / 2), 0) + " / " + Report.dec(walls.get(walls.size() - 1), 0) +
                " ms** | " + Report.dec(median.openMs(), 0) + " ms | " + Report.dec(median.snapshotMs(), 0) +
                " ms | " + Report.dec(median.replayMs(), 0) + " ms | " + Report.num(median.replayed()) + " | " +
                Report.num(median.from()) + " | " + Report.num(stateWorkflows) + " |\n");
        }
        report.blank().line("- Target: start-up with 10 million events of history under 1 s with snapshots " +
            "(medians in the table; the split columns are the median trial's).").blank();
        if (!options.has("data-dir"))
        {
            JournalBenchmark.deleteTree(engineDir);
        }
    }

    private static EngineContext context(
        final Path dir, final boolean fsync, final Options options, final long interval)
    {
        return LoadRun.context(dir, fsync, options).snapshotIntervalEvents(interval).snapshotRetain(2);
    }
}
