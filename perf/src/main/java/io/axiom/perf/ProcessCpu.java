package io.axiom.perf;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * CPU time used so far by the server process (from {@code /proc/PID/stat}, utime + stime in clock ticks of 10 ms)
 * and by this JVM (OperatingSystemMXBean), so that a run can say how the machine's cores were shared.
 */
final class ProcessCpu
{
    private static final long NANOS_PER_TICK = 10_000_000L; // USER_HZ = 100 on Linux

    private final long serverPid;

    /**
     * @param serverPid the server's pid, or -1 when it is not a local child (its CPU is then not sampled).
     */
    ProcessCpu(final long serverPid)
    {
        this.serverPid = serverPid;
    }

    /**
     * @return {server CPU ns or -1, harness CPU ns}.
     */
    long[] sample()
    {
        return new long[]{serverCpuNs(), harnessCpuNs()};
    }

    private long serverCpuNs()
    {
        if (serverPid < 0)
        {
            return -1;
        }
        try
        {
            final String stat = Files.readString(Path.of("/proc/" + serverPid + "/stat"));
            // the command name (field 2) may hold spaces: count fields after its closing parenthesis
            final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
        }
        catch (final IOException | RuntimeException ex)
        {
            return -1;
        }
    }

    private static long harnessCpuNs()
    {
        final var os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun)
        {
            return sun.getProcessCpuTime();
        }
        return -1;
    }
}
