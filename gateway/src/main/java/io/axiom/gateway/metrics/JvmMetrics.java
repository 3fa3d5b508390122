package io.axiom.gateway.metrics;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.List;

/**
 * The JVM and process figures of the JSON document (Prometheus gets the client's JVM instrumentation instead): heap
 * and non-heap memory, garbage collections, threads, uptime, CPU time and file descriptors, read from the platform
 * MXBeans at each call.
 *
 * @param heapUsed          heap bytes in use.
 * @param heapCommitted     heap bytes committed.
 * @param heapMax           heap limit in bytes, or -1 when undefined.
 * @param nonHeapUsed       non-heap bytes in use.
 * @param nonHeapCommitted  non-heap bytes committed.
 * @param gcs               collections per collector.
 * @param threads           live platform threads.
 * @param daemonThreads     live daemon threads.
 * @param peakThreads       most live platform threads since start.
 * @param uptimeMs          JVM uptime in ms.
 * @param processCpuNanos   CPU time used by the process in ns, or -1 when unknown.
 * @param openFds           open file descriptors, or -1 when unknown.
 * @param availableCpus     processors available to the JVM.
 * @param javaVersion       {@code java.version}.
 */
public record JvmMetrics(
    long heapUsed,
    long heapCommitted,
    long heapMax,
    long nonHeapUsed,
    long nonHeapCommitted,
    List<Gc> gcs,
    int threads,
    int daemonThreads,
    int peakThreads,
    long uptimeMs,
    long processCpuNanos,
    long openFds,
    int availableCpus,
    String javaVersion)
{
    /**
     * One garbage collector.
     *
     * @param name        the collector's name, e.g. {@code G1 Young Generation}.
     * @param collections collections so far.
     * @param timeMs      accumulated collection time in ms.
     */
    public record Gc(String name, long collections, long timeMs)
    {
    }

    /**
     * @return the figures now.
     */
    public static JvmMetrics read()
    {
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        final MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        final List<Gc> gcs = new ArrayList<>();
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans())
        {
            gcs.add(new Gc(gc.getName(), Math.max(0, gc.getCollectionCount()), Math.max(0, gc.getCollectionTime())));
        }
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        long cpu = -1;
        if (os instanceof com.sun.management.OperatingSystemMXBean sun)
        {
            cpu = sun.getProcessCpuTime();
        }
        long openFds = -1;
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix)
        {
            openFds = unix.getOpenFileDescriptorCount();
        }
        return new JvmMetrics(
            heap.getUsed(), heap.getCommitted(), heap.getMax(),
            nonHeap.getUsed(), nonHeap.getCommitted(),
            List.copyOf(gcs),
            threads.getThreadCount(), threads.getDaemonThreadCount(), threads.getPeakThreadCount(),
            runtime.getUptime(),
            cpu, openFds,
            Runtime.getRuntime().availableProcessors(),
            System.getProperty("java.version", ""));
    }
}
