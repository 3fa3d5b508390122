package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Configuration of a {@link Journal}, Aeron style: fluent setters, then {@link #conclude()} validates, fills
 * defaults and creates the data directory, once.
 */
public final class JournalContext
{
    /**
     * Default size of one segment file, 64 MiB.
     */
    public static final long MAX_SEGMENT_SIZE_DEFAULT = 64L * 1024 * 1024;

    /**
     * Smallest segment size accepted, 64 KiB.
     */
    public static final long MAX_SEGMENT_SIZE_MIN = 64L * 1024;

    /**
     * Largest segment size accepted, 1 GiB: a segment is mapped as one buffer with int offsets.
     */
    public static final long MAX_SEGMENT_SIZE_MAX = 1024L * 1024 * 1024;

    /**
     * Segment sizes must be a multiple of this (the page size).
     */
    public static final int SEGMENT_SIZE_MULTIPLE = 4096;

    /**
     * Retired segment files kept for reuse by default; more are deleted.
     */
    public static final int POOL_LIMIT_DEFAULT = 2;

    /**
     * Name of the default archive directory inside the data directory.
     */
    public static final String ARCHIVE_DIRECTORY = "archive";

    private Path dataDir;
    private long maxSegmentSize = MAX_SEGMENT_SIZE_DEFAULT;
    private boolean fsync = true;
    private boolean repair = false;
    private boolean startFromSnapshot = false;
    private boolean concluded = false;
    private DataDirectoryLock directoryLock;
    private DiskProbe diskProbe;
    private JournalFaults faults;
    private Path archiveDir;
    private int poolLimit = POOL_LIMIT_DEFAULT;
    private long cutAfter = -1;

    /**
     * @param dir directory holding the segment files; created by {@link #conclude()} when missing.
     * @return this for a fluent API.
     */
    public JournalContext dataDir(final Path dir)
    {
        this.dataDir = dir;
        return this;
    }

    /**
     * @return directory holding the segment files.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @param bytes size of each segment file for a new log: at least 64 KiB, at most 1 GiB, a multiple of 4096. An
     *              existing log keeps the size it was created with.
     * @return this for a fluent API.
     */
    public JournalContext maxSegmentSize(final long bytes)
    {
        this.maxSegmentSize = bytes;
        return this;
    }

    /**
     * @return size of each segment file for a new log.
     */
    public long maxSegmentSize()
    {
        return maxSegmentSize;
    }

    /**
     * @param fsync false skips every force to the device (flush still counts bytes). Only for tests and benchmarks:
     *              acknowledged records can then be lost on power failure.
     * @return this for a fluent API.
     */
    public JournalContext fsync(final boolean fsync)
    {
        this.fsync = fsync;
        return this;
    }

    /**
     * @return true when flush forces written bytes to the device.
     */
    public boolean fsync()
    {
        return fsync;
    }

    /**
     * @param faults the chaos seam called before each flush that has records to make durable; null (the default)
     *               for none.
     * @return this for a fluent API.
     */
    public JournalContext faults(final JournalFaults faults)
    {
        this.faults = faults;
        return this;
    }

    /**
     * @return the chaos seam, or null.
     */
    public JournalFaults faults()
    {
        return faults;
    }

    /**
     * @param repair true to cut what cannot be proved instead of refusing to open: truncate the log at the start of
     *               the unit holding mid-log corruption (losing every record after it), delete the segment files
     *               after a missing or damaged one, start without a missing first segment file when a snapshot bound
     *               to the log covers it, and set aside the snapshots past the cut (and, in
     *               {@link SnapshotStore#select(Journal, boolean)}, those that cover more than the log holds). An
     *               explicit operator decision, reported in the recovery notes.
     * @return this for a fluent API.
     */
    public JournalContext repair(final boolean repair)
    {
        this.repair = repair;
        return this;
    }

    /**
     * @return true when open cuts what it cannot prove instead of refusing.
     */
    public boolean repair()
    {
        return repair;
    }

    /**
     * @param startFromSnapshot true when the caller loads a {@link SnapshotStore} snapshot and replays only after it:
     *                          recovery then checks every record only from the newest snapshot bound to the log, and
     *                          leaves the segments before it to {@link Journal#startBackgroundVerify} and
     *                          {@code axiom wal verify}. False (the default): every record from the first is checked.
     * @return this.
     */
    public JournalContext startFromSnapshot(final boolean startFromSnapshot)
    {
        this.startFromSnapshot = startFromSnapshot;
        return this;
    }

    /**
     * @return true when recovery checks the log from the newest bound snapshot on.
     */
    public boolean startFromSnapshot()
    {
        return startFromSnapshot;
    }

    /**
     * @param lock the data directory's lock, already acquired by the caller (an engine takes it before starting its
     *             processor thread so that a second owner fails at once). The journal owns it from then on: it is
     *             released on close, abandon, or a failed open. Null (the default): {@link Journal#open} acquires one.
     * @return this for a fluent API.
     */
    public JournalContext directoryLock(final DataDirectoryLock lock)
    {
        this.directoryLock = lock;
        return this;
    }

    /**
     * @return the directory lock handed in, null when the journal acquires its own.
     */
    public DataDirectoryLock directoryLock()
    {
        return directoryLock;
    }

    /**
     * @param probe asks the file system for usable space and lets tests inject the errors of a full disk; null for
     *              the data directory's file store.
     * @return this for a fluent API.
     */
    JournalContext diskProbe(final DiskProbe probe)
    {
        this.diskProbe = probe;
        return this;
    }

    DiskProbe diskProbe()
    {
        return diskProbe;
    }

    /**
     * @param dir where retired segments are archived ({@link SegmentArchive}) and read back from; null (the default)
     *            for {@code <data dir>/archive}.
     * @return this for a fluent API.
     */
    public JournalContext archiveDir(final Path dir)
    {
        this.archiveDir = dir;
        return this;
    }

    /**
     * @return the archive directory ({@code <data dir>/archive} unless set).
     */
    public Path archiveDir()
    {
        return null != archiveDir ? archiveDir : null == dataDir ? null : dataDir.resolve(ARCHIVE_DIRECTORY);
    }

    /**
     * @param files retired segment files kept in the pool for reuse as new segments, 0..64; a {@link Journal#retire}
     *              past it deletes the oldest pool files (recovery adds to the pool without deleting).
     * @return this for a fluent API.
     */
    public JournalContext poolLimit(final int files)
    {
        this.poolLimit = files;
        return this;
    }

    /**
     * @return retired segment files kept for reuse.
     */
    public int poolLimit()
    {
        return poolLimit;
    }

    /**
     * Cut the log back to an end position at open. Exists for a log derived from a replicated one (a cluster node's
     * journal, regenerated from the replicated log after the snapshot bound to endPosition): open recovers as usual,
     * then drops every record after endPosition on purpose, durably, unlike repair, which cuts only what it cannot
     * prove. Damage after endPosition is dropped with them; damage before it is refused as without the cut. Snapshots
     * of this data directory past endPosition are set aside. The cut is announced in the {@link RecoveryReport}.
     *
     * @param endPosition where the log must end: a position {@link Journal#endPosition()} returned right after a unit
     *                    ended, or the empty log's ({@link Journal#SEGMENT_HEADER_LENGTH}); -1 (the default) for no
     *                    cut. Open refuses a position that does not end a unit with an {@link IllegalStateException},
     *                    and one past the log's end with a {@link JournalBehindException}.
     * @return this for a fluent API.
     */
    public JournalContext cutAfter(final long endPosition)
    {
        this.cutAfter = endPosition;
        return this;
    }

    /**
     * @return the end position open cuts the log back to, -1 for none.
     */
    public long cutAfter()
    {
        return cutAfter;
    }

    /**
     * @return true once {@link #conclude()} has run.
     */
    public boolean isConcluded()
    {
        return concluded;
    }

    /**
     * Validate the settings and create the data directory. May run once.
     *
     * @return this for a fluent API.
     * @throws IllegalStateException    if already concluded.
     * @throws IllegalArgumentException if a setting is invalid.
     */
    public JournalContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("JournalContext already concluded");
        }
        if (null == dataDir)
        {
            throw new IllegalArgumentException("wal data dir must be set");
        }
        if (maxSegmentSize < MAX_SEGMENT_SIZE_MIN || maxSegmentSize > MAX_SEGMENT_SIZE_MAX ||
            maxSegmentSize % SEGMENT_SIZE_MULTIPLE != 0)
        {
            throw new IllegalArgumentException("wal max segment size must be between " + MAX_SEGMENT_SIZE_MIN +
                " and " + MAX_SEGMENT_SIZE_MAX + " bytes and a multiple of " + SEGMENT_SIZE_MULTIPLE + ": " +
                maxSegmentSize);
        }
        if (cutAfter < -1)
        {
            throw new IllegalArgumentException("wal cut position must be -1 (none) or an end position: " + cutAfter);
        }
        if (poolLimit < 0 || poolLimit > 64)
        {
            throw new IllegalArgumentException("wal pool limit must be between 0 and 64 files: " + poolLimit);
        }
        try
        {
            Files.createDirectories(dataDir);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create wal data dir " + dataDir, ex);
        }
        concluded = true;
        return this;
    }

    public String toString()
    {
        return "JournalContext{dataDir=" + dataDir + ", maxSegmentSize=" + maxSegmentSize + ", fsync=" + fsync +
            ", repair=" + repair + ", archiveDir=" + archiveDir() + ", poolLimit=" + poolLimit +
            ", startFromSnapshot=" + startFromSnapshot + ", cutAfter=" + cutAfter + '}';
    }
}
