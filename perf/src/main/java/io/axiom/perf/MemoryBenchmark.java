package io.axiom.perf;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import javax.management.ObjectName;

import io.axiom.codecs.StepType;
import io.axiom.core.Engine;

/**
 * Retained heap per completed workflow: create N four-step workflows, advance each to COMPLETED through the engine,
 * and compare the used heap after full GCs before and after; a class histogram (the DiagnosticCommand MBean, what
 * {@code jcmd GC.class_histogram} prints) shows where the bytes are.
 */
final class MemoryBenchmark
{
    private final Options options;
    private final Path dir;

    MemoryBenchmark(final Options options, final Path dir)
    {
        this.options = options;
        this.dir = dir;
    }

    void run(final Report report) throws Exception
    {
        final long workflows = options.longValue("workflows", 200_000);
        final int steps = options.integer("steps", 4);
        final boolean fsync = options.flag("build-fsync", false);
        final boolean uniqueNames = options.flag("unique-names", true);
        final Path engineDir = Files.createTempDirectory(dir, "memory-");
        try (Engine engine = LoadRun.launch(LoadRun.context(engineDir, fsync, options)))
        {
            final long before = usedHeapAfterGc();
            final Map<String, long[]> histogramBefore = classHistogram();
            System.out.println("[memory] driving " + workflows + " " + steps + "-step workflows to COMPLETED");
            long problems;
            long completed;
            {
                final LoadRun run = new LoadRun();
                run.producers = options.integer("producers", 2);
                run.window = options.integer("window", 1024);
                run.steps = steps;
                run.workflowQuota = workflows;
                run.uniqueNames = uniqueNames;
                run.run(engine);
                problems = run.problems;
                completed = run.workflowsCompleted;
            }
            RecoveryBenchmark.waitForCounters(engine, workflows * CoreBenchmark.eventsPerWorkflow(steps,
                StepType.APPROVAL));
            final long after = usedHeapAfterGc();
            final Map<String, long[]> histogramAfter = classHistogram();
            final long inState = engine.counters().workflowsInState("COMPLETED");
            final double perWorkflow = (double)(after - before) / workflows;

            report.line("Method: one engine (fsync " + (fsync ? "on" : "off: durability does not change the heap") +
                    "), " + Report.num(workflows) + " workflows of " + steps + " approval steps created and advanced " +
                    "to COMPLETED by " + options.integer("producers", 2) + " ring producers (" +
                    (uniqueNames ? "every workflow named differently, as order numbers in names do (--unique-names " +
                    "false: one shared name)" : "one name shared by all") + "; " + (steps + 1) +
                    " commands and " + CoreBenchmark.eventsPerWorkflow(steps, StepType.APPROVAL) + " events each). " +
                    "Used heap (MemoryMXBean) after `System.gc()` x3 just before and just after, producers gone; " +
                    "per workflow = difference / N. Journal segments are mapped files, outside the heap.")
                .blank()
                .raw("| workflows | COMPLETED (engine) | heap before | heap after | retained per workflow | " +
                    "problems |\n|---:|---:|---:|---:|---:|---:|\n")
                .raw("| " + Report.num(workflows) + " | " + Report.num(inState) + " | " +
                    Report.dec(before / 1048576.0, 1) + " MiB | " + Report.dec(after / 1048576.0, 1) + " MiB | **" +
                    Report.num(perWorkflow) + " B** | " + problems + " |\n")
                .blank()
                .line("- Target <= 1 KiB per completed 4-step workflow: " + Report.num(perWorkflow) + " B → " +
                    (perWorkflow <= 1024 ? "**met**" : "**not met**") + " (producers counted " + completed +
                    " completions).");
            if (!histogramAfter.isEmpty())
            {
                report.line("- Largest heap growth by class (class histogram after minus before, bytes per " +
                    "workflow):").blank()
                    .raw("| class | instances per workflow | bytes per workflow |\n|---|---:|---:|\n");
                final List<Map.Entry<String, long[]>> deltas = new ArrayList<>();
                for (final Map.Entry<String, long[]> e : histogramAfter.entrySet())
                {
                    final long[] b = histogramBefore.getOrDefault(e.getKey(), new long[2]);
                    deltas.add(Map.entry(e.getKey(), new long[]{e.getValue()[0] - b[0], e.getValue()[1] - b[1]}));
                }
                deltas.sort((x, y) -> Long.compare(y.getValue()[1], x.getValue()[1]));
                for (int i = 0; i < Math.min(8, deltas.size()); i++)
                {
                    final var e = deltas.get(i);
                    report.raw("| `" + e.getKey() + "` | " + Report.dec((double)e.getValue()[0] / workflows, 2) +
                        " | " + Report.dec((double)e.getValue()[1] / workflows, 1) + " |\n");
                }
            }
            report.blank();
        }
        finally
        {
            JournalBenchmark.deleteTree(engineDir);
        }
    }

    static long usedHeapAfterGc() throws InterruptedException
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++)
        {
            System.gc();
            Thread.sleep(200);
        }
        return memory.getHeapMemoryUsage().getUsed();
    }

    /**
     * @return class name → {instances, bytes}, or empty when the DiagnosticCommand MBean is not there.
     */
    static Map<String, long[]> classHistogram()
    {
        final Map<String, long[]> result = new HashMap<>();
        try
        {
            final String text = (String)ManagementFactory.getPlatformMBeanServer().invoke(
                new ObjectName("com.sun.management:type=DiagnosticCommand"),
                "gcClassHistogram",
                new Object[]{new String[0]},
                new String[]{String[].class.getName()});
            for (final String line : text.split("\n"))
            {
                final String[] f = line.trim().split("\\s+");
                if (f.length >= 4 && f[0].endsWith(":"))
                {
                    result.put(f[3], new long[]{Long.parseLong(f[1]), Long.parseLong(f[2])});
                }
            }
        }
        catch (final Exception ex)
        {
            System.err.println("[memory] no class histogram: " + ex);
        }
        return result;
    }
}
