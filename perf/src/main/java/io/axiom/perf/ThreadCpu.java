package io.axiom.perf;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;

/**
 * CPU time per thread of other processes, from {@code /proc/PID/task/TID/stat} (utime + stime, clock ticks of 10 ms):
 * what a profiler of Java frames does not see, time in system calls and parks included. Threads are grouped by name
 * (the kernel's 15-character {@code comm}) with trailing digits folded, so that the threads of a pool add up.
 */
final class ThreadCpu
{
    private static final long NANOS_PER_TICK = 10_000_000L;

    private ThreadCpu()
    {
    }

    /**
     * @param pids the processes.
     * @return CPU ns so far per thread, keyed by "tid name".
     */
    static Map<String, Long> sample(final long... pids)
    {
        final Map<String, Long> byThread = new HashMap<>();
        for (final long pid : pids)
        {
            try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc/" + pid + "/task")))
            {
                for (final Path task : tasks)
                {
                    try
                    {
                        final String stat = Files.readString(task.resolve("stat"));
                        final String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                        byThread.put(pid + "/" + task.getFileName() + " " + name,
                            (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK);
                    }
                    catch (final IOException | RuntimeException gone)
                    {
                        // the thread ended between the listing and the read
                    }
                }
            }
            catch (final IOException gone)
            {
                // the process ended
            }
        }
        return byThread;
    }

    /**
     * @param before  a sample.
     * @param after   a later sample.
     * @param seconds the wall time between them.
     * @param n       how many groups to name.
     * @return the busiest thread groups, "name % of a core", most first.
     */
    static String top(final Map<String, Long> before, final Map<String, Long> after, final double seconds, final int n)
    {
        final Map<String, Long> byName = new HashMap<>();
        long total = 0;
        for (final Map.Entry<String, Long> e : after.entrySet())
        {
            final long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            final String name = e.getKey().substring(e.getKey().indexOf(' ') + 1).replaceAll("[-0-9]+$", "#");
            byName.merge(name, delta, Long::sum);
            total += delta;
        }
        final StringBuilder sb = new StringBuilder();
        byName.entrySet().stream()
            .sorted(Map.Entry.<String, Long>comparingByValue(Comparator.reverseOrder()))
            .limit(n)
            .forEach(e -> sb.append(sb.length() > 0 ? ", " : "").append('`').append(e.getKey()).append("` ")
                .append(Report.num(100.0 * e.getValue() / (seconds * 1e9))).append(" %"));
        return sb + " (all threads " + Report.num(100.0 * total / (seconds * 1e9)) + " %)";
    }
}
