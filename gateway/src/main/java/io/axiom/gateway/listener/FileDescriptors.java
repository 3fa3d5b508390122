package io.axiom.gateway.listener;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;

import com.sun.management.UnixOperatingSystemMXBean;

/**
 * How many client connections the process can hold without running out of file descriptors.
 * <p>
 * Every accepted connection is one descriptor. When a process reaches its open-files limit ({@code ulimit -n}),
 * {@code accept} fails with EMFILE, and Helidon 4.5's accept loop treats any accept failure as the end of the
 * listener: it stops for good (or, if logging the failure itself needs a file, its thread dies), and nothing can
 * connect again while the process lives on. So connections are never allowed to take the last descriptors: the
 * listener admits at most the limit, minus what is open now, minus a reserve for the journal's segments and
 * snapshots, jars opened later and the JVM itself.
 */
public final class FileDescriptors
{
    /** Descriptors always kept back from connections. */
    public static final int MIN_RESERVE = 64;
    /** Fewest connections admitted, however low the limit: below this the server could not serve at all. */
    public static final int MIN_CONNECTIONS = 8;

    private final long limit;
    private final long open;

    private FileDescriptors(final long limit, final long open)
    {
        this.limit = limit;
        this.open = open;
    }

    /**
     * @return the process's limit and use now, or an unknown limit (-1) where the platform does not tell.
     */
    public static FileDescriptors ofThisProcess()
    {
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof UnixOperatingSystemMXBean unix)
        {
            return new FileDescriptors(unix.getMaxFileDescriptorCount(), unix.getOpenFileDescriptorCount());
        }
        return new FileDescriptors(-1, -1);
    }

    /**
     * @param limit the open-files limit.
     * @param open  descriptors open now.
     * @return the figures given (for tests).
     */
    static FileDescriptors of(final long limit, final long open)
    {
        return new FileDescriptors(limit, open);
    }

    /**
     * @return the open-files limit, or -1 when unknown.
     */
    public long limit()
    {
        return limit;
    }

    /**
     * @return descriptors open when measured, or -1 when unknown.
     */
    public long open()
    {
        return open;
    }

    /**
     * @return descriptors kept back from connections: a tenth of the limit, at least {@link #MIN_RESERVE}.
     */
    public long reserve()
    {
        return Math.max(MIN_RESERVE, limit / 10);
    }

    /**
     * @param configured the configured connection limit.
     * @return the connection limit to apply: the configured one, lowered to what the descriptors leave (never below
     * {@link #MIN_CONNECTIONS}).
     */
    public int connectionLimit(final int configured)
    {
        if (limit <= 0 || open < 0)
        {
            return configured;
        }
        final long budget = Math.max(MIN_CONNECTIONS, limit - open - reserve());
        return (int)Math.min(configured, budget);
    }
}
