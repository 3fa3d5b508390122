package io.axiom.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.HdrHistogram.Histogram;

import io.axiom.core.Engine;
import io.axiom.core.EngineContext;
import io.axiom.codecs.StepType;
import io.axiom.core.api.EngineReply;

/**
 * What a snapshot of a large state costs the commands flowing meanwhile: build N live workflows (one-step approvals,
 * created and left waiting; fsync off while building), restart the engine with fsync on (it loads the shutdown
 * snapshot), then run a steady open-loop stream at a fixed rate (each lane creates a workflow, then advances one of
 * the N old ones, so the stream changes workflows the snapshot holds: copy-on-write pre-images), and take a snapshot
 * on demand in the middle ({@code TakeSnapshot}, what {@code POST /api/v1/snapshots} runs). Reported: the time to
 * take it (mark to directory fsync), its bytes, the processor's longest capture slice (its longest pause for the
 * snapshot, measured by the processor), the pre-images, and the command latency from the intended send time
 * (coordinated omission corrected: a stalled processor shows in full) of commands intended before the snapshot and
 * during it.
 */
final class SnapshotBenchmark
{
    private static final Duration TIMEOUT = Duration.ofMinutes(5);

    private final Options options;
    private final Path dir;

    SnapshotBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    /**
     * @return collections and their milliseconds so far, over every collector of this JVM.
     */
    private static long[] gc()
    {
        long count = 0;
        long millis = 0;
        for (final java.lang.management.GarbageCollectorMXBean bean :
            java.lang.management.ManagementFactory.getGarbageCollectorMXBeans())
        {
            count += Math.max(0, bean.getCollectionCount());
            millis += Math.max(0, bean.getCollectionTime());
        }
        return new long[]{count, millis};
    }

    void run(final Report report) throws Exception
    {
        final long workflows = options.longValue("workflows", 1_000_000);
        final double rate = options.decimal("rate", 20_000);
        final int producers = options.integer("producers", 2);
        final int window = options.integer("window", 1024);
        final int warmupS = options.integer("warmup-s", 5);
        final int beforeS = options.integer("before-s", 5);
        final int afterS = options.integer("after-s", 2);
        final int sampleS = options.integer("sample-s", 180);
        final Path engineDir = Files.createTempDirectory(dir, "snapshot-");
        try
        {
            System.out.println("[snapshot] building " + Report.num(workflows) + " live workflows");
            final long buildStart = System.nanoTime();
            final LoadRun build = new LoadRun();
            build.producers = producers;
            build.window = window;
            build.steps = 1;
            build.workflowQuota = workflows;
            build.createOnly = true;
            try (Engine engine = LoadRun.launch(LoadRun.context(engineDir, false, options).snapshotIntervalEvents(0)))
            {
                build.run(engine);
                RecoveryBenchmark.waitForCounters(engine, workflows * 3);
            }
            final double buildS = (System.nanoTime() - buildStart) / 1e9;
            System.out.println("[snapshot] built in " + Report.dec(buildS, 1) + " s (shutdown snapshot included); " +
                "problems " + build.problems);

            final EngineContext ctx = LoadRun.context(engineDir, true, options).snapshotIntervalEvents(0)
                .snapshotIntervalBytes(0).snapshotIntervalMs(0);
            if (options.has("slice"))
            {
                ctx.snapshotSliceWorkflows(options.integer("slice", ctx.snapshotSliceWorkflows()));
            }
            try (Engine engine = LoadRun.launch(ctx))
            {
                System.gc(); // before the stream: a collection it asked for is not charged to any window
                final List<LoadGenerator> generators = new ArrayList<>();
                final List<Thread> threads = new ArrayList<>();
                final long start = System.nanoTime();
                final long measureStart = start + TimeUnit.SECONDS.toNanos(warmupS);
                for (int p = 0; p < producers; p++)
                {
                    final LoadGenerator g = new LoadGenerator("perf-snapshot-" + p, engine.ring(), window, 1,
                        StepType.APPROVAL, rate / producers, measureStart, measureStart + TimeUnit.SECONDS.toNanos(sampleS),
                        measureStart + TimeUnit.SECONDS.toNanos(sampleS),
                        Long.MAX_VALUE, TimeUnit.MICROSECONDS.toNanos(50));
                    g.oldWorkflows = workflows;
                    g.producerIndex = p;
                    g.producerCount = producers;
                    g.recordSamples((int)Math.min(Integer.MAX_VALUE - 8, (long)(rate / producers * sampleS)));
                    generators.add(g);
                    final Thread thread = new Thread(g, g.name());
                    thread.setDaemon(true);
                    threads.add(thread);
                    thread.start();
                }
                LoadRun.sleepUntil(measureStart);
                engine.counters().fsyncLatencyInterval(null);
                LoadRun.sleepUntil(measureStart + TimeUnit.SECONDS.toNanos(beforeS));
                final Histogram fsyncBefore = engine.counters().fsyncLatencyInterval(null);
                final long preImagesBefore = engine.counters().snapshotPreImages();
                final long[] gcBefore = gc();
                final long snapshotStart = System.nanoTime();
                final EngineReply reply = engine.client().takeSnapshot(TIMEOUT);
                final long snapshotEnd = System.nanoTime();
                final long preImages = engine.counters().snapshotPreImages() - preImagesBefore;
                final long longestSliceNs = engine.counters().lastSnapshotLongestSliceNs();
                final long[] gcAfter = gc();
                final Histogram fsyncDuring = engine.counters().fsyncLatencyInterval(null);
                LoadRun.sleepUntil(snapshotEnd + TimeUnit.SECONDS.toNanos(afterS));
                final long stop = System.nanoTime();
                for (final LoadGenerator g : generators)
                {
                    g.stopSendingAt(stop);
                }
                for (final Thread thread : threads)
                {
                    thread.join(TimeUnit.MINUTES.toMillis(2));
                }

                final Histogram before = new Histogram(LoadGenerator.HIGHEST_NANOS, 3);
                final Histogram during = new Histogram(LoadGenerator.HIGHEST_NANOS, 3);
                final Histogram after = new Histogram(LoadGenerator.HIGHEST_NANOS, 3);
                long problems = 0;
                long dropped = 0;
                for (final LoadGenerator g : generators)
                {
                    problems += g.problems;
                    dropped += g.samplesDropped;
                    for (int i = 0; i < g.samples(); i++)
                    {
                        final long intended = g.sampleIntendedNs(i);
                        final long latency = Math.min(LoadGenerator.HIGHEST_NANOS, g.sampleLatencyNs(i));
                        if (intended < snapshotStart)
                        {
                            before.recordValue(latency);
                        }
                        else if (intended <= snapshotEnd)
                        {
                            during.recordValue(latency);
                        }
                        else
                        {
                            after.recordValue(latency);
                        }
                    }
                }
                final String taken;
                if (reply instanceof EngineReply.SnapshotTaken t)
                {
                    taken = "**" + Report.dec(t.durationNanos() / 1e6, 0) + " ms** (mark to directory fsync; the " +
                        "request answered after " + Report.dec((snapshotEnd - snapshotStart) / 1e6, 0) + " ms), " +
                        Report.num(t.bytes()) + " bytes (" + Report.dec(t.bytes() / (double)workflows, 1) +
                        " B a workflow)";
                }
                else
                {
                    taken = "refused: " + reply;
                }
                System.out.println("[snapshot] " + taken + "; longest capture slice " +
                    Report.us(longestSliceNs) + "; pre-images " + preImages);
                report.line("Method: " + Report.num(workflows) + " live one-step approval workflows built through " +
                        "the engine (created and left waiting, fsync off while building, " + Report.dec(buildS, 1) +
                        " s with the shutdown snapshot), the engine restarted with fsync on (snapshot slice " +
                        Report.num(ctx.snapshotSliceWorkflows()) + " workflows, interval snapshots off), then " +
                        producers + " producers send a steady " + Report.num(rate) + " commands/s (open loop, " +
                        window + " lanes each: create a workflow, then advance one of the " + Report.num(workflows) +
                        " old ones, so the stream changes workflows the snapshot holds); after a " + warmupS +
                        " s warm-up and " + beforeS + " s, one snapshot on demand (`TakeSnapshot`, what " +
                        "`POST /api/v1/snapshots` runs), then " + afterS + " s more. Latency is from each command's " +
                        "intended send time to its reply (after its group commit's fsync), so a stall shows in full " +
                        "(coordinated omission corrected); commands are split by intended send time: before the " +
                        "snapshot, while it was taken (request to durable), after it.")
                    .blank()
                    .line("- Snapshot of " + Report.num(workflows) + " workflows: " + taken + ".")
                    .line("- Processor's longest pause for it: **" + Report.us(longestSliceNs) + "** (its longest " +
                        "capture slice, measured by the processor); " + Report.num(preImages) + " pre-images " +
                        "(workflows changed before their slice was reached).")
                    .line("- Garbage collections while the snapshot was taken: " + (gcAfter[0] - gcBefore[0]) +
                        ", " + (gcAfter[1] - gcBefore[1]) + " ms in all (the JVM's collectors; a stop-the-world " +
                        "pause stalls every command, snapshot or not).")
                    .line("- Commands: " + Report.num(before.getTotalCount() + during.getTotalCount() +
                        after.getTotalCount()) + " measured, " + problems + " refused, " + dropped +
                        " not sampled; JVM max heap " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB.")
                    .blank()
                    .raw(Report.LATENCY_HEADER)
                    .raw(Report.latencyRow("intended send→reply, before the snapshot (" + beforeS + " s)", before))
                    .raw(Report.latencyRow("intended send→reply, while the snapshot was taken", during))
                    .raw(Report.latencyRow("intended send→reply, after it (" + afterS + " s)", after))
                    .raw(Report.latencyRow("in-engine group commit (write + fdatasync), before", fsyncBefore))
                    .raw(Report.latencyRow("in-engine group commit (write + fdatasync), while taken", fsyncDuring))
                    .blank()
                    .line("- Target: no command waits more than 10 ms because of a snapshot: max while taken " +
                        Report.us(during.getMaxValue()) + " vs before " + Report.us(before.getMaxValue()) + ".")
                    .blank();
            }
        }
        finally
        {
            JournalBenchmark.deleteTree(engineDir);
        }
    }
}
