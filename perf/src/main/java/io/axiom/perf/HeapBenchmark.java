package io.axiom.perf;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.LockSupport;

import io.axiom.codecs.StepType;
import io.axiom.core.Engine;
import io.axiom.core.EngineContext;

/**
 * A bounded heap: N workflows with unique names created and advanced to COMPLETED through the engine, in chunks;
 * after each chunk the used heap after full GCs, the workflows on the heap and the cold store's bytes. Once with
 * retention.in-memory small (ended workflows leave the heap for the cold store), once with it off (every workflow
 * stays), for comparison; the second stops early when the heap is nearly full. {@code --keys true}: every create
 * carries an Idempotency-Key of its own (a retired workflow's key leaves the heap with it).
 */
final class HeapBenchmark
{
    private final Options options;
    private final Path dir;

    HeapBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    void run(final Report report) throws Exception
    {
        final long workflows = options.longValue("workflows", 5_000_000);
        final long every = options.longValue("every", 500_000);
        final long retentionMs = options.longValue("retention-ms", 1_000);
        final long offWorkflows = options.longValue("off-workflows", workflows);
        final int steps = options.integer("steps", 1);
        final boolean keys = options.flag("keys", false);
        final long maxHeap = Runtime.getRuntime().maxMemory();
        final List<String> rows = new ArrayList<>();
        final String withKeys = keys ? ", keys" : "";
        final String on = measure("retention.in-memory " + retentionMs + " ms" + withKeys, retentionMs, workflows,
            every, steps, keys, maxHeap, rows);
        final String off = offWorkflows > 0 ? measure("retention off" + withKeys, EngineContext.RETENTION_OFF,
            offWorkflows, every, steps, keys, maxHeap, rows) : "retention off: not run (--off-workflows 0)";

        report.line("Method: one engine (fsync off: durability does not change the heap; -Xmx " +
                Report.num(maxHeap / 1048576) + " MiB), workflows of " + steps + " approval step" +
                (steps > 1 ? "s" : "") + ", every one named differently" +
                (keys ? " and created with an Idempotency-Key of its own (32 bytes)" : "") +
                ", created and advanced to COMPLETED by 2 ring producers in chunks of " + Report.num(every) +
                ". After each chunk: wait until the ended " +
                "workflows older than the window have left the heap (retention on), then the used heap " +
                "(MemoryMXBean) after `System.gc()` x3, the workflows on the heap and the cold store's record " +
                "bytes (files under <data-dir>/cold, outside the heap). The same run with retention off for " +
                "comparison (it stops when the heap passes 85% of -Xmx).")
            .blank()
            .raw("| run | workflows completed | used heap after GC | workflows on heap | cold store | elapsed |\n" +
                "|---|---:|---:|---:|---:|---:|\n");
        for (final String row : rows)
        {
            report.raw(row);
        }
        report.blank().line("- " + on).line("- " + off);
    }

    private String measure(
        final String label,
        final long retentionMs,
        final long workflows,
        final long every,
        final int steps,
        final boolean keys,
        final long maxHeap,
        final List<String> rows) throws Exception
    {
        final Path engineDir = Files.createTempDirectory(dir, "heap-");
        final long startNs = System.nanoTime();
        long first = -1;
        long last = -1;
        long done = 0;
        String stopped = "";
        try (Engine engine = LoadRun.launch(LoadRun.context(engineDir, false, options)
            .inMemoryRetentionMs(retentionMs)
            .historyRetentionMs(EngineContext.RETENTION_OFF)))
        {
            final long baseline = MemoryBenchmark.usedHeapAfterGc();
            rows.add(row(label, 0, baseline, engine, startNs));
            for (int chunk = 0; done < workflows; chunk++)
            {
                final LoadRun run = new LoadRun();
                run.producers = 2;
                run.window = options.integer("window", 1024);
                run.steps = steps;
                run.workflowQuota = Math.min(every, workflows - done);
                run.uniqueNames = true;
                run.uniqueKeys = keys;
                run.nameBase = (long)chunk << 44;
                run.run(engine);
                done += run.workflowQuota;
                RecoveryBenchmark.waitForCounters(engine, done * CoreBenchmark.eventsPerWorkflow(steps,
                    StepType.APPROVAL));
                if (retentionMs != EngineContext.RETENTION_OFF)
                {
                    // the last ones ended just now: give them the window, then the retire loop its cycles
                    final long deadline = System.nanoTime() + (retentionMs + 30_000) * 1_000_000L;
                    LockSupport.parkNanos(retentionMs * 1_000_000L);
                    while (engine.counters().workflowsOnHeap() > 0 && System.nanoTime() < deadline)
                    {
                        LockSupport.parkNanos(10_000_000L);
                    }
                }
                final long used = MemoryBenchmark.usedHeapAfterGc();
                if (first < 0)
                {
                    first = used;
                }
                last = used;
                final String row = row(label, done, used, engine, startNs);
                System.out.print("[heap] " + row);
                rows.add(row);
                if (used > 0.85 * maxHeap)
                {
                    stopped = " (stopped at " + Report.num(done) + ": the heap passed 85% of -Xmx)";
                    break;
                }
            }
        }
        finally
        {
            JournalBenchmark.deleteTree(engineDir);
        }
        return label + ": used heap after the first chunk " + mib(first) + ", after the last " + mib(last) +
            " (" + Report.num(done) + " workflows)" + stopped + ".";
    }

    private static String row(
        final String label, final long done, final long used, final Engine engine, final long startNs)
    {
        return "| " + label + " | " + Report.num(done) + " | " + mib(used) + " | " +
            Report.num(engine.counters().workflowsOnHeap()) + " | " + mib(engine.counters().coldStoreBytes()) +
            " | " + Report.dec((System.nanoTime() - startNs) / 1e9, 1) + " s |\n";
    }

    private static String mib(final long bytes)
    {
        return Report.dec(bytes / 1048576.0, 1) + " MiB";
    }
}
