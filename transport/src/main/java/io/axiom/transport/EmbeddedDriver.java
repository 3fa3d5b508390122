package io.axiom.transport;

import java.io.File;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.aeron.CommonContext;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.ErrorHandler;
import org.agrona.IoUtil;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.IdleStrategy;

/**
 * The Aeron media driver an engine or a worker talks through: embedded in this JVM, or an external one named by its
 * directory.
 * <p>
 * <b>Embedded.</b> One thread ({@link ThreadingMode#SHARED}: conductor, sender and receiver in one agent) with a
 * backing-off idle strategy, and the driver's async executor folded into it, so that an idle driver costs one thread
 * that sleeps up to a millisecond at a time and never spins on a 2-core machine. Or no thread at all
 * ({@link Context#agentInvoker(boolean)}): the same agent invoked from the duty cycle of the process's one Aeron
 * agent (the server's worker endpoint, a worker's poller), as Artio's low-resource scheduler runs all its agents on
 * one thread; an idle process then wakes half as often. Its directory is unique to this
 * instance ({@code axiom-aeron-<pid>-<random>}), cleared on start and deleted on close, so that two servers, two tests
 * or a server and a worker on one machine never share or inherit one; the directories of processes that were killed
 * (and so could not delete theirs) are deleted by the next launch. The directory goes under {@code /dev/shm} when
 * it is there with room (what Aeron itself does on Linux: the term buffers are memory-mapped and on tmpfs they never
 * cost a disk write-back that would compete with the journal's fsync), else under {@code java.io.tmpdir}. Term
 * buffers are sparse files: an idle connection takes no memory for its buffers.
 * <p>
 * <b>External.</b> With {@link Context#aeronDirectoryName(String)} set, nothing is launched: clients connect to the
 * driver already running there (started with Aeron's own {@code MediaDriver} main, for a low-latency profile with
 * dedicated spinning threads on a machine with cores to spare).
 */
public final class EmbeddedDriver implements AutoCloseable
{
    private static final long STALE_HEARTBEAT_MS = 10_000;
    private static final Pattern STALE_NAME = Pattern.compile("axiom-aeron-(\\d{1,19})-[0-9a-f]{8}");

    private final MediaDriver driver;
    private final String aeronDirectoryName;

    private EmbeddedDriver(final MediaDriver driver, final String aeronDirectoryName)
    {
        this.driver = driver;
        this.aeronDirectoryName = aeronDirectoryName;
    }

    /**
     * Launch an embedded driver with the defaults.
     *
     * @return the running driver.
     */
    public static EmbeddedDriver launch()
    {
        return launch(new Context());
    }

    /**
     * Launch an embedded driver, or stand for the external one the context names.
     *
     * @param ctx the settings; concluded here.
     * @return the running (or external) driver.
     */
    public static EmbeddedDriver launch(final Context ctx)
    {
        ctx.conclude();
        if (null != ctx.aeronDirectoryName)
        {
            if (!CommonContext.isDriverActive(new File(ctx.aeronDirectoryName), ctx.driverTimeoutMs, message -> { }))
            {
                throw new IllegalStateException("no Aeron media driver is running in " + ctx.aeronDirectoryName +
                    " (no live heartbeat in its cnc.dat within " + ctx.driverTimeoutMs + " ms); start one there, " +
                    "or leave the aeron directory empty to run one embedded");
            }
            return new EmbeddedDriver(null, ctx.aeronDirectoryName);
        }

        if (ctx.deleteStaleDirectories)
        {
            deleteStaleDirectories(ctx.parentDirectory);
        }
        final String dir = uniqueDirectory(ctx.parentDirectory);
        final MediaDriver.Context driverCtx = new MediaDriver.Context()
            .aeronDirectoryName(dir)
            .threadingMode(ctx.agentInvoker ? ThreadingMode.INVOKER : ThreadingMode.SHARED)
            .sharedIdleStrategy(ctx.idleStrategy)
            .asyncExecutorEnabled(false)
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false)
            .errorHandler(ctx.errorHandler);
        if (ctx.imageLivenessTimeoutNs > 0)
        {
            driverCtx.imageLivenessTimeoutNs(ctx.imageLivenessTimeoutNs);
        }
        if (ctx.publicationConnectionTimeoutNs > 0)
        {
            driverCtx.publicationConnectionTimeoutNs(ctx.publicationConnectionTimeoutNs);
        }
        return new EmbeddedDriver(MediaDriver.launchEmbedded(driverCtx), dir);
    }

    /**
     * @return the directory clients connect to ({@code Aeron.Context.aeronDirectoryName}).
     */
    public String aeronDirectoryName()
    {
        return aeronDirectoryName;
    }

    /**
     * @return the driver's agent to invoke from the owner's duty cycle when launched with
     * {@link Context#agentInvoker(boolean)}, else null (the driver has its own thread, or is external).
     */
    public AgentInvoker agentInvoker()
    {
        return null == driver ? null : driver.sharedAgentInvoker();
    }

    /**
     * @return true when this JVM runs the driver, false for an external one.
     */
    public boolean isEmbedded()
    {
        return null != driver;
    }

    /**
     * Stop the embedded driver and delete its directory; nothing for an external one. Close the clients first.
     */
    @Override
    public void close()
    {
        if (null != driver)
        {
            driver.close();
        }
    }

    @Override
    public String toString()
    {
        return (isEmbedded() ? "embedded Aeron media driver in " : "external Aeron media driver in ") +
            aeronDirectoryName;
    }

    /**
     * Delete the directories embedded drivers of processes that are gone left behind (a killed server cannot delete
     * its own): {@code axiom-aeron-<pid>-<random>} whose pid runs no process and whose driver has not beaten its
     * heart for 10 s (a pid of another pid namespace sharing the directory looks gone; its heart does not).
     *
     * @param parent where embedded drivers make their directories.
     * @return how many were deleted.
     */
    static int deleteStaleDirectories(final File parent)
    {
        final File[] children = parent.listFiles((dir, name) -> STALE_NAME.matcher(name).matches());
        int deleted = 0;
        for (final File child : null == children ? new File[0] : children)
        {
            final Matcher m = STALE_NAME.matcher(child.getName());
            if (m.matches() && child.isDirectory() && ProcessHandle.of(Long.parseLong(m.group(1))).isEmpty() &&
                !heartBeats(child))
            {
                IoUtil.delete(child, true);
                deleted += child.exists() ? 0 : 1;
            }
        }
        return deleted;
    }

    private static boolean heartBeats(final File directory)
    {
        try
        {
            return CommonContext.isDriverActive(directory, STALE_HEARTBEAT_MS, message -> { });
        }
        catch (final RuntimeException ex)
        {
            return false; // no readable cnc.dat: nothing lives there
        }
    }

    private static String uniqueDirectory(final File parent)
    {
        return new File(parent, String.format(Locale.ROOT, "axiom-aeron-%d-%08x", ProcessHandle.current().pid(),
            ThreadLocalRandom.current().nextInt())).getAbsolutePath();
    }

    /**
     * Settings of the driver; fluent, concluded once by {@link EmbeddedDriver#launch(Context)}.
     */
    public static final class Context
    {
        /** Least free space under {@code /dev/shm} for the driver's directory to go there. */
        public static final long SHM_MIN_FREE_BYTES = 512L * 1024 * 1024;

        private String aeronDirectoryName;
        private File parentDirectory;
        private IdleStrategy idleStrategy;
        private ErrorHandler errorHandler;
        private long driverTimeoutMs = 10_000;
        private long imageLivenessTimeoutNs;
        private long publicationConnectionTimeoutNs;
        private boolean deleteStaleDirectories = true;
        private boolean agentInvoker;
        private boolean concluded;

        /**
         * @param aeronDirectoryName of an external driver to use instead of launching one; null or empty for an
         *                           embedded one.
         * @return this for a fluent API.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = null == aeronDirectoryName || aeronDirectoryName.isBlank() ? null :
                aeronDirectoryName;
            return this;
        }

        /**
         * @return the external driver's directory, or null for an embedded driver.
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @param parentDirectory where the embedded driver's own directory is made; default {@code /dev/shm} when it
         *                        has room, else {@code java.io.tmpdir}.
         * @return this for a fluent API.
         */
        public Context parentDirectory(final File parentDirectory)
        {
            this.parentDirectory = parentDirectory;
            return this;
        }

        /**
         * @param idleStrategy of the driver's one thread; default a {@link WakeableIdleStrategy} that parks up to 1 ms.
         * @return this for a fluent API.
         */
        public Context idleStrategy(final IdleStrategy idleStrategy)
        {
            this.idleStrategy = idleStrategy;
            return this;
        }

        /**
         * @param errorHandler for errors inside the driver; default prints them to stderr.
         * @return this for a fluent API.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * @param driverTimeoutMs how long an external driver may be silent before it counts as absent.
         * @return this for a fluent API.
         */
        public Context driverTimeoutMs(final long driverTimeoutMs)
        {
            this.driverTimeoutMs = driverTimeoutMs;
            return this;
        }

        /**
         * @param imageLivenessTimeoutNs how long a silent sender's image lives on (Aeron's default, 10 s, when 0).
         * @return this for a fluent API.
         */
        public Context imageLivenessTimeoutNs(final long imageLivenessTimeoutNs)
        {
            this.imageLivenessTimeoutNs = imageLivenessTimeoutNs;
            return this;
        }

        /**
         * @param publicationConnectionTimeoutNs how long a publication stays connected without status messages
         *                                       (Aeron's default, 5 s, when 0).
         * @return this for a fluent API.
         */
        public Context publicationConnectionTimeoutNs(final long publicationConnectionTimeoutNs)
        {
            this.publicationConnectionTimeoutNs = publicationConnectionTimeoutNs;
            return this;
        }

        /**
         * @param agentInvoker true to give the driver no thread of its own ({@link ThreadingMode#INVOKER}): its one
         *                     agent (conductor, sender and receiver, as in SHARED mode) is invoked from the duty
         *                     cycle of whoever holds {@link EmbeddedDriver#agentInvoker()}, one thread only, which
         *                     halves the wake-ups of an idle process; default false (a SHARED thread).
         * @return this for a fluent API.
         */
        public Context agentInvoker(final boolean agentInvoker)
        {
            this.agentInvoker = agentInvoker;
            return this;
        }

        /**
         * @param deleteStaleDirectories delete, at launch, the directories of embedded drivers whose process is gone
         *                               (default true: a killed process cannot delete its own).
         * @return this for a fluent API.
         */
        public Context deleteStaleDirectories(final boolean deleteStaleDirectories)
        {
            this.deleteStaleDirectories = deleteStaleDirectories;
            return this;
        }

        /**
         * Validate and fill in defaults; runs once.
         *
         * @return this for a fluent API.
         */
        public Context conclude()
        {
            if (concluded)
            {
                return this;
            }
            concluded = true;
            if (null == parentDirectory)
            {
                parentDirectory = defaultParentDirectory();
            }
            if (null == idleStrategy)
            {
                idleStrategy = backoff();
            }
            if (null == errorHandler)
            {
                errorHandler = ex -> System.err.println("axiom: Aeron media driver error: " + ex);
            }
            if (driverTimeoutMs <= 0)
            {
                throw new IllegalArgumentException("driverTimeoutMs must be positive, got " + driverTimeoutMs);
            }
            return this;
        }

        /**
         * @return the idle strategy every Axiom agent uses by default ({@link WakeableIdleStrategy}): spin a little,
         * yield, then park for 1 us doubling up to 1 ms; busy it reacts in microseconds, idle it wakes about a
         * thousand times a second, and a thread handing it work can wake it.
         */
        public static IdleStrategy backoff()
        {
            return new WakeableIdleStrategy();
        }

        private static File defaultParentDirectory()
        {
            final File shm = new File("/dev/shm");
            if (shm.isDirectory() && shm.canWrite() && shm.getUsableSpace() >= SHM_MIN_FREE_BYTES)
            {
                return shm;
            }
            return new File(System.getProperty("java.io.tmpdir"));
        }
    }
}
