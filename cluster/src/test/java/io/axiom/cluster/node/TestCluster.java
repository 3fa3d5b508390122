package io.axiom.cluster.node;

import java.io.File;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * Helpers for cluster tests: free ports, a client media driver, bounded waits.
 */
public final class TestCluster
{
    private TestCluster()
    {
    }

    /**
     * A base port from which {@code nodes} members of {@link ClusterMembers#local(int, int)} all bind on loopback.
     *
     * @param random seeded source of candidates.
     * @param nodes  how many members.
     * @return the base port.
     */
    public static int freeBasePort(final Random random, final int nodes)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            final int base = 20_000 + random.nextInt(2_000) * 10;
            if (allFree(base, nodes * ClusterMembers.LOCAL_PORT_STEP))
            {
                return base;
            }
        }
        throw new IllegalStateException("no free port range found in 100 attempts");
    }

    private static boolean allFree(final int base, final int count)
    {
        for (int port = base; port < base + count; port++)
        {
            try (DatagramSocket socket = new DatagramSocket(null))
            {
                socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            }
            catch (final IOException ex)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param dir the client driver's directory.
     * @return a media driver for test clients, one backing-off thread.
     */
    public static MediaDriver clientDriver(final File dir)
    {
        return MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(dir.getPath())
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(new BackoffIdleStrategy(
                10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)))
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .printConfigurationOnStart(false));
    }

    /**
     * Wait until a condition holds, at most a deadline.
     *
     * @param what      what is awaited, for the failure message.
     * @param timeoutMs how long.
     * @param condition the condition; may do work (poll a client) each time it is asked.
     */
    public static void await(final String what, final long timeoutMs, final BooleanSupplier condition)
    {
        final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new AssertionError("timed out after " + timeoutMs + " ms waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(2));
        }
    }
}
