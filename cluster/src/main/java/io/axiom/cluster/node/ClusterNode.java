package io.axiom.cluster.node;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.zip.CRC32;

import io.aeron.archive.Archive;
import io.aeron.archive.ArchiveMarkFile;
import io.aeron.archive.ArchiveThreadingMode;
import io.aeron.archive.client.AeronArchive;
import io.aeron.cluster.ConsensusModule;
import io.aeron.cluster.client.ClusterEvent;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusterMarkFile;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.cluster.service.ClusteredServiceContainer;
import io.aeron.driver.MediaDriver;
import io.aeron.driver.ThreadingMode;
import org.agrona.CloseHelper;
import org.agrona.ErrorHandler;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.NoOpLock;

/**
 * One member of an Aeron Cluster on a directory of its own: a media driver, an archive, a consensus module and a
 * service container hosting one {@link ClusteredService}, launched together and closed together.
 * <p>
 * The node holds an exclusive OS lock on {@code <nodeDir>/node.lock} for its life. Holding it proves no other
 * process runs on this directory, so the mark files a killed process left behind are deleted before launch and a
 * restart after SIGKILL is immediate (Aeron would otherwise refuse for up to 10 s, taking them for a live node).
 */
public final class ClusterNode implements AutoCloseable
{
    /**
     * The file whose lock a running node holds, under its node directory.
     */
    public static final String LOCK_FILE = "node.lock";

    /**
     * Archive directory under the node directory.
     */
    public static final String ARCHIVE_DIR = "archive";

    /**
     * Cluster (consensus module and service) directory under the node directory.
     */
    public static final String CLUSTER_DIR = "cluster";

    /**
     * Default term length of the log and ingress streams: 4 MiB. Shorter terms let a follower drop its log stream
     * under load.
     */
    public static final int TERM_LENGTH_DEFAULT = 4 * 1024 * 1024;

    /**
     * The ingress channel clients should use ({@code AeronCluster.Context.ingressChannel}): the publisher chooses
     * a stream's term length, so the ingress term length is the client's, not the node's.
     */
    public static final String INGRESS_CHANNEL = "aeron:udp?term-length=4m";

    /**
     * Default leader heartbeat timeout: 1 s (Aeron's default, 10 s, makes a leader SIGKILL an 11 s outage).
     */
    public static final long LEADER_HEARTBEAT_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(1);

    /**
     * Default leader heartbeat interval: 100 ms.
     */
    public static final long LEADER_HEARTBEAT_INTERVAL_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(100);

    /**
     * Default election timeout: 500 ms.
     */
    public static final long ELECTION_TIMEOUT_NS_DEFAULT = TimeUnit.MILLISECONDS.toNanos(500);

    /**
     * Default client session timeout: 10 s.
     */
    public static final long SESSION_TIMEOUT_NS_DEFAULT = TimeUnit.SECONDS.toNanos(10);

    private static final System.Logger LOGGER = System.getLogger("axiom.cluster");

    private final Context ctx;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private MediaDriver driver;
    private Archive archive;
    private ConsensusModule consensusModule;
    private ClusteredServiceContainer container;
    private boolean closed;

    private ClusterNode(final Context ctx, final FileChannel lockChannel, final FileLock lock)
    {
        this.ctx = ctx;
        this.lockChannel = lockChannel;
        this.lock = lock;
    }

    /**
     * Lock the node directory, delete what a killed process left there, and start the media driver, archive,
     * consensus module and service container. Returns once they are started, not once an election is over.
     *
     * @param ctx the settings; concluded here.
     * @return the running node; close it to stop.
     * @throws IllegalStateException when another process (or node) holds the node directory's lock.
     */
    public static ClusterNode launch(final Context ctx)
    {
        ctx.conclude();
        final File lockFile = new File(ctx.nodeDir, LOCK_FILE);
        final FileChannel channel;
        final FileLock lock;
        try
        {
            channel = FileChannel.open(lockFile.toPath(), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot open the node lock file " + lockFile, ex);
        }
        try
        {
            lock = channel.tryLock();
        }
        catch (final OverlappingFileLockException ex)
        {
            CloseHelper.quietClose(channel);
            throw lockHeld(lockFile, "by this process");
        }
        catch (final IOException ex)
        {
            CloseHelper.quietClose(channel);
            throw new UncheckedIOException("cannot lock the node lock file " + lockFile, ex);
        }
        if (null == lock)
        {
            CloseHelper.quietClose(channel);
            throw lockHeld(lockFile, "by another process");
        }

        final ClusterNode node = new ClusterNode(ctx, channel, lock);
        try
        {
            writeHolder(channel);
            if (ctx.deleteStaleMarkFiles)
            {
                deleteStaleMarkFiles(ctx.archiveDir(), ctx.clusterDir());
            }
            node.start();
            return node;
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(node);
            throw ex;
        }
    }

    /**
     * @return the settings this node runs with.
     */
    public Context context()
    {
        return ctx;
    }

    /**
     * @return this node's member id.
     */
    public int memberId()
    {
        return ctx.memberId;
    }

    /**
     * @return the directory of this node's media driver ({@code Aeron.Context.aeronDirectoryName}).
     */
    public String aeronDirectoryName()
    {
        return ctx.aeronDirectoryName;
    }

    /**
     * @return the consensus module's directory, which {@code ClusterTool} takes.
     */
    public File clusterDir()
    {
        return ctx.clusterDir();
    }

    /**
     * @return the archive's directory.
     */
    public File archiveDir()
    {
        return ctx.archiveDir();
    }

    /**
     * @return this node's role now, read from the consensus module's counter.
     */
    public Cluster.Role role()
    {
        return Cluster.Role.get(consensusModule.context().clusterNodeRoleCounter().get());
    }

    /**
     * @return the leadership term id this node is in, from the consensus module's counter.
     */
    public long leadershipTermId()
    {
        return consensusModule.context().leadershipTermIdCounter().get();
    }

    /**
     * @return the log position this node knows committed.
     */
    public long commitPosition()
    {
        return consensusModule.context().commitPositionCounter().get();
    }

    /**
     * @return how many snapshots this node has taken since it started, from the consensus module's counter.
     */
    public long snapshotCount()
    {
        return consensusModule.context().snapshotCounter().get();
    }

    /**
     * @return how many errors the node's components reported, not counting Aeron's warnings
     * ({@link ClusterEvent}: a leader heartbeat timeout, an election, ...).
     */
    public long errorCount()
    {
        return ctx.errorCount.get();
    }

    /**
     * @return how many warnings ({@link ClusterEvent}) the node's components reported.
     */
    public long warningCount()
    {
        return ctx.warningCount.get();
    }

    /**
     * Close the service container, consensus module, archive and driver in that order, then release the lock.
     * The directories stay: a node launched again on them recovers from its snapshot and log.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            try
            {
                CloseHelper.closeAll(container, consensusModule, archive, driver);
            }
            finally
            {
                // The driver's directory holds its log buffers (tens of MB in /dev/shm): gone with a clean close,
                // whatever client of it closed late; a killed node's is cleared by its next launch.
                org.agrona.IoUtil.delete(new File(ctx.aeronDirectoryName), true);
            }
            CloseHelper.quietClose(lock);
            CloseHelper.quietClose(lockChannel);
        }
    }

    @Override
    public String toString()
    {
        return "cluster node " + ctx.memberId + " in " + ctx.nodeDir;
    }

    private void start()
    {
        final ClusterMembers.Member self = ctx.members.member(ctx.memberId);
        final String host = self.host();
        final Supplier<IdleStrategy> idle = ctx.idleStrategySupplier;
        final ErrorHandler errorHandler = ctx.errorHandler;
        final int syncLevel = ctx.forceArchive ? 1 : 0;

        driver = MediaDriver.launch(new MediaDriver.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .threadingMode(ThreadingMode.SHARED)
            .sharedIdleStrategy(idle.get())
            .dirDeleteOnStart(true)
            .dirDeleteOnShutdown(true)
            .termBufferSparseFile(true)
            .warnIfDirectoryExists(false)
            .printConfigurationOnStart(false)
            .errorHandler(errorHandler));

        final Archive.Context archiveCtx = new Archive.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .archiveDir(ctx.archiveDir())
            .archiveId(ctx.memberId)
            .controlChannel("aeron:udp?endpoint=" + self.archive())
            .archiveClientContext(new AeronArchive.Context()
                .controlResponseChannel("aeron:udp?endpoint=" + host + ":0"))
            .localControlChannel("aeron:ipc?term-length=64k")
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .recordingEventsEnabled(false)
            .threadingMode(ArchiveThreadingMode.SHARED)
            .idleStrategySupplier(idle)
            .fileSyncLevel(syncLevel)
            .catalogFileSyncLevel(syncLevel)
            .deleteArchiveOnStart(false)
            .errorHandler(errorHandler);
        archive = Archive.launch(archiveCtx);

        final AeronArchive.Context localArchive = new AeronArchive.Context()
            .lock(NoOpLock.INSTANCE)
            .controlRequestChannel(archiveCtx.localControlChannel())
            .controlRequestStreamId(archiveCtx.localControlStreamId())
            .controlResponseChannel(archiveCtx.localControlChannel())
            .aeronDirectoryName(ctx.aeronDirectoryName);

        final String termLength = "term-length=" + ctx.termLength;
        consensusModule = ConsensusModule.launch(new ConsensusModule.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .clusterMemberId(ctx.memberId)
            .clusterMembers(ctx.members.aeronMembers())
            .clusterDir(ctx.clusterDir())
            .archiveContext(localArchive.clone())
            .serviceCount(1)
            .logChannel("aeron:udp?" + termLength)
            .ingressChannel(INGRESS_CHANNEL)
            .replicationChannel("aeron:udp?endpoint=" + host + ":0")
            .leaderHeartbeatTimeoutNs(ctx.leaderHeartbeatTimeoutNs)
            .leaderHeartbeatIntervalNs(ctx.leaderHeartbeatIntervalNs)
            .electionTimeoutNs(ctx.electionTimeoutNs)
            .sessionTimeoutNs(ctx.sessionTimeoutNs)
            .fileSyncLevel(syncLevel)
            .idleStrategySupplier(idle)
            .errorHandler(errorHandler));

        container = ClusteredServiceContainer.launch(new ClusteredServiceContainer.Context()
            .aeronDirectoryName(ctx.aeronDirectoryName)
            .archiveContext(localArchive.clone())
            .clusterDir(ctx.clusterDir())
            .clusteredService(ctx.clusteredService)
            .serviceId(0)
            .idleStrategySupplier(idle)
            .errorHandler(errorHandler));
    }

    private static IllegalStateException lockHeld(final File lockFile, final String by)
    {
        return new IllegalStateException("node directory " + lockFile.getParentFile() + " is in use: its lock file " +
            lockFile + " is held " + by + " (" + readHolder(lockFile) + "); stop that node first");
    }

    private static void writeHolder(final FileChannel channel)
    {
        try
        {
            channel.truncate(0);
            channel.write(java.nio.ByteBuffer.wrap(
                ("pid " + ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII)), 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write the node lock file", ex);
        }
    }

    private static String readHolder(final File lockFile)
    {
        try
        {
            final String text = java.nio.file.Files.readString(lockFile.toPath(), StandardCharsets.US_ASCII).trim();
            return text.isEmpty() ? "holder unknown" : "holder " + text;
        }
        catch (final IOException ex)
        {
            return "holder unreadable: " + ex.getMessage();
        }
    }

    /**
     * Delete the mark files a killed node left: safe only while holding the node lock.
     *
     * @param archiveDir the archive directory.
     * @param clusterDir the cluster directory.
     */
    static void deleteStaleMarkFiles(final File archiveDir, final File clusterDir)
    {
        delete(new File(archiveDir, ArchiveMarkFile.FILENAME));
        final File[] markFiles = clusterDir.listFiles((dir, name) ->
            name.startsWith("cluster-mark") && name.endsWith(ClusterMarkFile.FILE_EXTENSION));
        if (null != markFiles)
        {
            for (final File file : markFiles)
            {
                delete(file);
            }
        }
    }

    private static void delete(final File file)
    {
        if (file.exists())
        {
            if (!file.delete())
            {
                throw new IllegalStateException("cannot delete the stale mark file " + file);
            }
            LOGGER.log(System.Logger.Level.INFO, "deleted the mark file {0} a previous run left", file);
        }
    }

    /**
     * The settings of a node: fluent setters, then {@link #conclude()} (called by {@link ClusterNode#launch}).
     */
    public static final class Context
    {
        private int memberId = -1;
        private ClusterMembers members;
        private File nodeDir;
        private ClusteredService clusteredService;
        private String aeronDirectoryName;
        private long leaderHeartbeatTimeoutNs = LEADER_HEARTBEAT_TIMEOUT_NS_DEFAULT;
        private long leaderHeartbeatIntervalNs = LEADER_HEARTBEAT_INTERVAL_NS_DEFAULT;
        private long electionTimeoutNs = ELECTION_TIMEOUT_NS_DEFAULT;
        private long sessionTimeoutNs = SESSION_TIMEOUT_NS_DEFAULT;
        private int termLength = TERM_LENGTH_DEFAULT;
        private boolean forceArchive = true;
        private boolean deleteStaleMarkFiles = true;
        private Supplier<IdleStrategy> idleStrategySupplier;
        private ErrorHandler errorHandler;
        private final AtomicLong errorCount = new AtomicLong();
        private final AtomicLong warningCount = new AtomicLong();
        private boolean concluded;

        /**
         * @param memberId this node's id in the member list.
         * @return this.
         */
        public Context memberId(final int memberId)
        {
            this.memberId = memberId;
            return this;
        }

        /**
         * @return this node's id in the member list.
         */
        public int memberId()
        {
            return memberId;
        }

        /**
         * @param members the member list, full or short form ({@link ClusterMembers#parse(String)}).
         * @return this.
         */
        public Context members(final String members)
        {
            this.members = ClusterMembers.parse(members);
            return this;
        }

        /**
         * @param members the members.
         * @return this.
         */
        public Context members(final ClusterMembers members)
        {
            this.members = members;
            return this;
        }

        /**
         * @return the members.
         */
        public ClusterMembers members()
        {
            return members;
        }

        /**
         * @param nodeDir the node's base directory; {@code archive/}, {@code cluster/} and {@code node.lock} go in
         *                it.
         * @return this.
         */
        public Context nodeDir(final File nodeDir)
        {
            this.nodeDir = nodeDir;
            return this;
        }

        /**
         * @return the node's base directory.
         */
        public File nodeDir()
        {
            return nodeDir;
        }

        /**
         * @return the archive directory, {@code <nodeDir>/archive}.
         */
        public File archiveDir()
        {
            return new File(nodeDir, ARCHIVE_DIR);
        }

        /**
         * @return the cluster directory, {@code <nodeDir>/cluster}.
         */
        public File clusterDir()
        {
            return new File(nodeDir, CLUSTER_DIR);
        }

        /**
         * @param clusteredService the service to host; a fresh instance for each launch.
         * @return this.
         */
        public Context clusteredService(final ClusteredService clusteredService)
        {
            this.clusteredService = clusteredService;
            return this;
        }

        /**
         * @param aeronDirectoryName the media driver's directory; default derived from the node directory, under
         *                           {@code /dev/shm} when it exists, else under the node directory.
         * @return this.
         */
        public Context aeronDirectoryName(final String aeronDirectoryName)
        {
            this.aeronDirectoryName = aeronDirectoryName;
            return this;
        }

        /**
         * @return the media driver's directory (set by {@link #conclude()} when not given).
         */
        public String aeronDirectoryName()
        {
            return aeronDirectoryName;
        }

        /**
         * @param timeoutNs how long followers wait for a leader heartbeat before an election; default 1 s.
         * @return this.
         */
        public Context leaderHeartbeatTimeoutNs(final long timeoutNs)
        {
            this.leaderHeartbeatTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * @param intervalNs how often an idle leader heartbeats; default 100 ms.
         * @return this.
         */
        public Context leaderHeartbeatIntervalNs(final long intervalNs)
        {
            this.leaderHeartbeatIntervalNs = intervalNs;
            return this;
        }

        /**
         * @param timeoutNs how long an election step waits; default 500 ms.
         * @return this.
         */
        public Context electionTimeoutNs(final long timeoutNs)
        {
            this.electionTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * @param timeoutNs how long a silent client session lives; default 10 s.
         * @return this.
         */
        public Context sessionTimeoutNs(final long timeoutNs)
        {
            this.sessionTimeoutNs = timeoutNs;
            return this;
        }

        /**
         * @param termLength term length of the log stream; default 4 MiB (clients choose the ingress one, see
         *                   {@link ClusterNode#INGRESS_CHANNEL}).
         * @return this.
         */
        public Context termLength(final int termLength)
        {
            this.termLength = termLength;
            return this;
        }

        /**
         * Force the archive's recordings and catalog to disk ({@code fileSyncLevel(1)},
         * {@code catalogFileSyncLevel(1)}) and the cluster's recording log and node state too. With it an
         * acknowledged command is on disk on a majority, not only in their page caches. Default true; false only to
         * measure what it costs.
         *
         * @param forceArchive true to force writes to disk.
         * @return this.
         */
        public Context forceArchive(final boolean forceArchive)
        {
            this.forceArchive = forceArchive;
            return this;
        }

        /**
         * @return true when writes are forced to disk.
         */
        public boolean forceArchive()
        {
            return forceArchive;
        }

        /**
         * For tests that show why: false keeps the mark files a killed node left, and Aeron refuses to start.
         *
         * @param delete true (the default) to delete them under the node lock.
         * @return this.
         */
        Context deleteStaleMarkFiles(final boolean delete)
        {
            this.deleteStaleMarkFiles = delete;
            return this;
        }

        /**
         * @param supplier idle strategies for the driver, archive, consensus module and service; default a backoff
         *                 that spins little and parks up to 1 ms.
         * @return this.
         */
        public Context idleStrategySupplier(final Supplier<IdleStrategy> supplier)
        {
            this.idleStrategySupplier = supplier;
            return this;
        }

        /**
         * @param errorHandler where every component's errors and warnings go; default logs them on
         *                     {@code axiom.cluster}, warnings ({@link ClusterEvent}) at WARNING without a trace,
         *                     the rest at ERROR. Counted either way.
         * @return this.
         */
        public Context errorHandler(final ErrorHandler errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Check the settings and fill the defaults. Once only.
         *
         * @return this.
         */
        public Context conclude()
        {
            if (concluded)
            {
                throw new IllegalStateException("cluster node context already concluded");
            }
            concluded = true;
            if (null == members)
            {
                throw new IllegalArgumentException("cluster node: no cluster members given");
            }
            if (!members.contains(memberId))
            {
                throw new IllegalArgumentException("cluster node: member id " + memberId + " is not in the members \"" +
                    members.aeronMembers() + "\"");
            }
            if (null == nodeDir)
            {
                throw new IllegalArgumentException("cluster node: no node directory given");
            }
            if (null == clusteredService)
            {
                throw new IllegalArgumentException("cluster node: no clustered service given");
            }
            if (termLength < 64 * 1024 || Integer.bitCount(termLength) != 1)
            {
                throw new IllegalArgumentException("cluster node: term length " + termLength +
                    " is not a power of two of at least 64 KiB");
            }
            if (leaderHeartbeatIntervalNs >= leaderHeartbeatTimeoutNs)
            {
                throw new IllegalArgumentException("cluster node: leader heartbeat interval " +
                    leaderHeartbeatIntervalNs + " ns is not below its timeout " + leaderHeartbeatTimeoutNs + " ns");
            }
            try
            {
                nodeDir = nodeDir.getCanonicalFile();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cluster node: cannot resolve " + nodeDir, ex);
            }
            mkdirs(nodeDir);
            mkdirs(archiveDir());
            mkdirs(clusterDir());
            if (null == aeronDirectoryName)
            {
                aeronDirectoryName = defaultAeronDirectory(nodeDir, memberId);
            }
            if (null == idleStrategySupplier)
            {
                idleStrategySupplier = () -> new BackoffIdleStrategy(
                    10, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1));
            }
            final ErrorHandler delegate = null != errorHandler ? errorHandler : (throwable) ->
            {
                if (throwable instanceof ClusterEvent)
                {
                    LOGGER.log(System.Logger.Level.WARNING, "cluster node " + memberId + ": " +
                        throwable.getMessage());
                }
                else
                {
                    LOGGER.log(System.Logger.Level.ERROR, "cluster node " + memberId + ": " + throwable, throwable);
                }
            };
            final AtomicLong errors = errorCount;
            final AtomicLong warnings = warningCount;
            errorHandler = (throwable) ->
            {
                (throwable instanceof ClusterEvent ? warnings : errors).incrementAndGet();
                delegate.onError(throwable);
            };
            return this;
        }

        private static void mkdirs(final File dir)
        {
            if (!dir.isDirectory() && !dir.mkdirs())
            {
                throw new IllegalStateException("cluster node: cannot create directory " + dir);
            }
        }

        private static String defaultAeronDirectory(final File nodeDir, final int memberId)
        {
            final File shm = new File("/dev/shm");
            if (shm.isDirectory() && shm.canWrite())
            {
                final CRC32 crc = new CRC32();
                crc.update(nodeDir.getPath().getBytes(StandardCharsets.UTF_8));
                return new File(shm, String.format("axiom-node-%d-%08x", memberId, crc.getValue())).getPath();
            }
            return new File(nodeDir, "aeron").getPath();
        }
    }
}
