package io.axiom.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import io.axiom.codecs.StepType;
import io.axiom.core.Engine;
import org.HdrHistogram.Histogram;

/**
 * Commands per second through ring, processor and journal with fsync on, and command-to-reply latency, beside the
 * latency of a single 4 KiB write + fsync measured in the same run (before and after the engine runs).
 */
final class CoreBenchmark
{
    private final Options options;
    private final Path dir;

    CoreBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    void run(final Report report) throws Exception
    {
        final int producers = options.integer("producers", 2);
        final int window = options.integer("window", 1024);
        final int steps = options.integer("steps", 1);
        final StepType stepType = StepType.valueOf(options.string("step-type", "APPROVAL").toUpperCase());
        final double durationS = options.decimal("duration-s", 15);
        final double warmupS = options.decimal("warmup-s", 5);
        final double rate = options.decimal("rate", 50_000);
        final int rateWindow = options.integer("rate-window", window);
        final double probeS = options.decimal("probe-s", 5);
        final long maxParkNs = options.longValue("max-park-ns", TimeUnit.MICROSECONDS.toNanos(50));

        final Histogram fsync = new Histogram(LoadGenerator.HIGHEST_NANOS, 3);
        final Histogram fsyncBefore = new Histogram(LoadGenerator.HIGHEST_NANOS, 3);
        final Histogram fsyncAfter = new Histogram(LoadGenerator.HIGHEST_NANOS, 3);
        System.out.println("[core] fsync probe " + probeS + " s");
        FsyncProbe.run(dir, (long)(probeS * 1000), fsyncBefore);

        System.out.println("[core] saturated run: warm-up " + warmupS + " s, measured " + durationS + " s");
        final LoadRun saturated = runOnce(
            producers, window, steps, stepType, 0, warmupS, durationS, maxParkNs, "saturated");
        LoadRun fixed = null;
        if (rate > 0)
        {
            System.out.println("[core] fixed-rate run at " + rate + " commands/s");
            fixed = runOnce(producers, rateWindow, steps, stepType, rate, Math.min(warmupS, 3), durationS, maxParkNs,
                "fixed");
        }

        System.out.println("[core] fsync probe " + probeS + " s");
        FsyncProbe.run(dir, (long)(probeS * 1000), fsyncAfter);
        fsync.add(fsyncBefore);
        fsync.add(fsyncAfter);

        final int eventsPerWorkflow = eventsPerWorkflow(steps, stepType);
        report.line("Method: " + producers + " producer threads write SBE commands straight into the engine's ring " +
                "(`tryNext` / encode in the slot / `publish`), zero allocation per command in the producers " +
                "(preallocated encoders, one replyTo token per lane). Each producer keeps a window of lanes, one " +
                "command outstanding per lane: CreateWorkflow of a " + steps + "-step " + stepType.name().toLowerCase() +
                " workflow, and on its reply (which carries the workflow id) AdvanceWorkflow, " + steps +
                " time(s), then the next create. So " + (steps + 1) + " commands and " + eventsPerWorkflow +
                " journal events per workflow. fsync **on** (one write + fdatasync per processor batch = group commit), " +
                "default engine settings (ring 8192 slots, batch limit 4096, backoff idle strategies, no " +
                "busy-spin). Commands/s = replies received in the measured window / window length; latency = " +
                "`System.nanoTime()` just before `publish` to `nanoTime()` in the ReplySink on the processor " +
                "thread, i.e. after the batch's fsync, for commands published in the window. Warm-up excluded.")
            .line("Single fsync = a 4 KiB `FileChannel.write` + `force(false)` loop for " + probeS + " s before and " +
                probeS + " s after the engine runs, in the same JVM on the same file system.")
            .blank();

        report.raw("| run | producers x window | measured | commands/s | workflows completed/s | events/s | fsyncs/s | " +
            "mean batch (commands) | mean in-engine flush | GC in window | problems |\n" +
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        report.raw(row("saturated", producers, window, saturated));
        if (null != fixed)
        {
            report.raw(row("fixed " + Report.num(rate) + "/s", producers, rateWindow, fixed));
        }
        report.blank();

        report.raw(Report.LATENCY_HEADER);
        report.raw(Report.latencyRow("single fsync (4 KiB write + force), before", fsyncBefore));
        report.raw(Report.latencyRow("single fsync (4 KiB write + force), after", fsyncAfter));
        report.raw(Report.latencyRow("single fsync, both", fsync));
        report.raw(Report.latencyRow("command→reply, saturated", saturated.publishToReply));
        report.raw(Report.latencyRow("in-engine group commit (write + fdatasync), saturated", saturated.inEngineFsync));
        if (null != fixed)
        {
            report.raw(Report.latencyRow("command→reply, fixed " + Report.num(rate) + "/s", fixed.publishToReply));
            report.raw(Report.latencyRow("in-engine group commit (write + fdatasync), fixed " + Report.num(rate) +
                "/s", fixed.inEngineFsync));
            report.raw(Report.latencyRow("intended send→reply, fixed " + Report.num(rate) + "/s",
                fixed.intendedToReply));
        }
        report.blank();

        final double fsyncP99 = fsync.getValueAtPercentile(99);
        report.line("- Throughput target >= 500,000 commands/s: **" + Report.num(saturated.commandsPerSecond()) +
            "** commands/s saturated → " + verdict(saturated.commandsPerSecond() >= 500_000) + ". Per-second: " +
            saturated.perSecondSummary() + ".");
        report.line("- Latency target command→reply p99 < 2 x single-fsync p99 (" + Report.us(2 * fsyncP99) + "): " +
            "saturated p99 " + Report.us(saturated.publishToReply.getValueAtPercentile(99)) + " → " +
            verdict(saturated.publishToReply.getValueAtPercentile(99) < 2 * fsyncP99) +
            (null == fixed ? "" : "; at " + Report.num(rate) + "/s p99 " +
                Report.us(fixed.publishToReply.getValueAtPercentile(99)) + " → " +
                verdict(fixed.publishToReply.getValueAtPercentile(99) < 2 * fsyncP99) +
                " (achieved " + Report.num(fixed.commandsPerSecond()) + "/s; largest producer lag behind schedule " +
                Report.us(fixed.maxProducerLagNs) + ")") + ".");
        report.line("- Allocation in the saturated window: producers " +
            Report.dec((double)saturated.producerAllocatedBytes / Math.max(1, saturated.measuredReplies), 2) +
            " B/command, processor thread " +
            Report.dec((double)saturated.processorAllocatedBytes / Math.max(1, saturated.measuredReplies), 1) +
            " B/command (ThreadMXBean allocated bytes; the processor keeps a Workflow per create).");
        report.blank();
    }

    private static String verdict(final boolean met)
    {
        return met ? "**met**" : "**not met**";
    }

    static int eventsPerWorkflow(final int steps, final StepType type)
    {
        // Created + per step (Scheduled [+ Waiting for approval]) + per advance StepCompleted + WorkflowCompleted.
        final int perStep = type == StepType.APPROVAL ? 2 : 1;
        return 1 + steps * perStep + steps + 1;
    }

    private static String row(final String name, final int producers, final int window, final LoadRun run)
    {
        final double seconds = run.elapsedNs / 1e9;
        return "| " + name + " | " + producers + " x " + window + " | " + Report.dec(seconds, 1) + " s | **" +
            Report.num(run.commandsPerSecond()) + "** | " +
            Report.num(run.measuredWorkflows / seconds) + " | " +
            Report.num(run.events / seconds) + " | " +
            Report.num(run.fsyncs / seconds) + " | " +
            Report.dec((double)run.batchedCommands / Math.max(1, run.batches), 1) + " | " +
            Report.us((double)run.fsyncNanos / Math.max(1, run.fsyncs)) + " | " +
            run.gcCount + " (" + run.gcMillis + " ms) | " + run.problems + " |\n";
    }

    private LoadRun runOnce(
        final int producers,
        final int window,
        final int steps,
        final StepType stepType,
        final double rate,
        final double warmupS,
        final double durationS,
        final long maxParkNs,
        final String label) throws Exception
    {
        final Path engineDir = Files.createTempDirectory(dir, "core-" + label + "-");
        try
        {
            final LoadRun run = new LoadRun();
            run.producers = producers;
            run.window = window;
            run.steps = steps;
            run.stepType = stepType;
            run.totalRate = rate;
            run.warmupNs = (long)(warmupS * 1e9);
            run.measureNs = (long)(durationS * 1e9);
            run.maxParkNs = maxParkNs;
            try (Engine engine = LoadRun.launch(LoadRun.context(engineDir, true, options)))
            {
                run.run(engine);
                if (null != engine.failure())
                {
                    throw new IllegalStateException("engine failed", engine.failure());
                }
            }
            System.out.println("[core] " + label + ": " + Report.num(run.commandsPerSecond()) + " commands/s, p99 " +
                Report.us(run.publishToReply.getValueAtPercentile(99)) + ", problems " + run.problems);
            return run;
        }
        finally
        {
            JournalBenchmark.deleteTree(engineDir);
        }
    }
}
