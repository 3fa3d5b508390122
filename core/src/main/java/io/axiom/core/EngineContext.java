package io.axiom.core;

import java.nio.file.Path;

import org.agrona.concurrent.EpochClock;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.SystemEpochClock;

/**
 * Configuration of an {@link Engine}, in the manner of an Aeron context: fluent setters, defaults beside them as
 * constants, and {@link #conclude()} which validates once.
 */
public final class EngineContext
{
    public static final long MAX_SEGMENT_SIZE_DEFAULT = 64L * 1024 * 1024;
    public static final int RING_SIZE_DEFAULT = 8192;
    public static final int SLOT_SIZE_DEFAULT = 4096;
    public static final int MAX_STEPS_DEFAULT = 1000;
    public static final int MAX_NAME_LENGTH_DEFAULT = 256;
    public static final int MAX_INPUT_BYTES_DEFAULT = 1024 * 1024;
    public static final long LEASE_DURATION_MS_DEFAULT = 30_000;
    public static final long WORKER_TIMEOUT_MS_DEFAULT = 60_000;
    public static final int BATCH_LIMIT_DEFAULT = 4096;
    public static final long TIMER_TICK_MS_DEFAULT = 10;
    public static final long SNAPSHOT_INTERVAL_EVENTS_DEFAULT = 5_000_000;
    public static final int SNAPSHOT_RETAIN_DEFAULT = 2;
    /** Workflows a snapshot encodes per duty cycle while it is captured: about 1 ms of the processor. */
    public static final int SNAPSHOT_SLICE_WORKFLOWS_DEFAULT = 2048;
    public static final int MAX_REPLY_BYTES_DEFAULT = 8 * 1024 * 1024;
    public static final int MAX_BATCH_REPLY_BYTES_DEFAULT = 64 * 1024 * 1024;
    public static final int SEARCH_BUDGET_DEFAULT = 16_000;
    public static final long HISTORY_RETENTION_MS_DEFAULT = 30L * 24 * 60 * 60 * 1000;
    /** {@link #inMemoryRetentionMs(long)} and {@link #historyRetentionMs(long)}: for ever. */
    public static final long RETENTION_OFF = Long.MAX_VALUE;
    /** Ended workflows retired (WorkflowRetired events written) per duty cycle at most. */
    public static final int RETIRE_LIMIT_DEFAULT = 1_000;

    private Path dataDir = Path.of("data");
    private long maxSegmentSize = MAX_SEGMENT_SIZE_DEFAULT;
    private boolean fsync = true;
    private io.axiom.journal.JournalFaults journalFaults;
    private Runnable dutyCycleFaults;
    private boolean repair = false;
    private int ringSize = RING_SIZE_DEFAULT;
    private int slotSize = SLOT_SIZE_DEFAULT;
    private int maxSteps = MAX_STEPS_DEFAULT;
    private int maxNameLength = MAX_NAME_LENGTH_DEFAULT;
    private int maxInputBytes = MAX_INPUT_BYTES_DEFAULT;
    private long leaseDurationMs = LEASE_DURATION_MS_DEFAULT;
    private long workerTimeoutMs = WORKER_TIMEOUT_MS_DEFAULT;
    private int batchLimit = BATCH_LIMIT_DEFAULT;
    private long timerTickMs = TIMER_TICK_MS_DEFAULT;
    private int eventFeedCapacity = EventFeed.CAPACITY_DEFAULT;
    private long snapshotIntervalEvents = SNAPSHOT_INTERVAL_EVENTS_DEFAULT;
    private int snapshotRetain = SNAPSHOT_RETAIN_DEFAULT;
    private int snapshotSliceWorkflows = SNAPSHOT_SLICE_WORKFLOWS_DEFAULT;
    private long snapshotIntervalBytes;
    private long snapshotIntervalMs;
    private long historyRetentionMs = HISTORY_RETENTION_MS_DEFAULT;
    private boolean archiveRetired = true;
    private Path archiveDir;
    private int maxReplyBytes = MAX_REPLY_BYTES_DEFAULT;
    private int maxBatchReplyBytes = MAX_BATCH_REPLY_BYTES_DEFAULT;
    private int searchBudget = SEARCH_BUDGET_DEFAULT;
    private long inMemoryRetentionMs = RETENTION_OFF;
    private int retireLimit = RETIRE_LIMIT_DEFAULT;
    private EpochClock epochClock = SystemEpochClock.INSTANCE;
    private IdleStrategy idleStrategy;
    private boolean concluded;
    private HostedLog hostedLog;

    /**
     * Validate and fill defaults. May run once.
     *
     * @return this for a fluent API.
     */
    public EngineContext conclude()
    {
        if (concluded)
        {
            throw new IllegalStateException("EngineContext already concluded");
        }
        concluded = true;
        require(ringSize > 0 && Integer.bitCount(ringSize) == 1, "ring size must be a power of two: " + ringSize);
        require(slotSize >= 256, "slot size must be at least 256 bytes: " + slotSize);
        require(maxSteps >= 1, "max steps must be at least 1: " + maxSteps);
        require(maxNameLength >= 1, "max name length must be at least 1: " + maxNameLength);
        require(maxInputBytes >= 16, "max input bytes must be at least 16: " + maxInputBytes);
        require(leaseDurationMs > 0, "lease duration must be positive: " + leaseDurationMs);
        require(workerTimeoutMs > 0, "worker timeout must be positive: " + workerTimeoutMs);
        require(batchLimit >= 1, "batch limit must be at least 1: " + batchLimit);
        require(timerTickMs >= 1, "timer tick must be at least 1 ms: " + timerTickMs);
        require(dataDir != null, "data dir must be set");
        require(snapshotIntervalEvents >= 0, "snapshot interval must be >= 0 (0 = only at shutdown): " +
            snapshotIntervalEvents);
        require(snapshotIntervalBytes >= 0, "snapshot interval in bytes must be >= 0 (0 = none): " +
            snapshotIntervalBytes);
        require(snapshotIntervalMs >= 0, "snapshot interval in ms must be >= 0 (0 = none): " + snapshotIntervalMs);
        require(snapshotSliceWorkflows >= 1, "workflows per snapshot slice must be >= 1: " +
            snapshotSliceWorkflows);
        require(historyRetentionMs >= 0, "history retention must be >= 0 ms: " + historyRetentionMs);
        require(snapshotRetain >= 0, "snapshots to retain must be >= 0 (0 = no snapshots): " + snapshotRetain);
        final long smallestReply = minReplyBytes();
        require(maxReplyBytes >= smallestReply, "max reply bytes must hold the view of the largest workflow the " +
            "limits allow without its outputs (" + smallestReply + " bytes with max-input-bytes " + maxInputBytes +
            ", max-steps " + maxSteps + ", max-name-length " + maxNameLength + "): " + maxReplyBytes);
        require(maxBatchReplyBytes >= maxReplyBytes, "max batch reply bytes must be >= max reply bytes: " +
            maxBatchReplyBytes);
        require(searchBudget >= 1, "search budget must be at least 1: " + searchBudget);
        require(inMemoryRetentionMs >= 0, "in-memory retention must be >= 0 ms: " + inMemoryRetentionMs);
        require(retireLimit >= 1, "workflows retired per duty cycle must be at least 1: " + retireLimit);
        require(eventFeedCapacity >= 64 * 1024 && Integer.bitCount(eventFeedCapacity) == 1,
            "event feed capacity must be a power of two of at least 64 KiB: " + eventFeedCapacity);
        return this;
    }

    /**
     * @return the smallest reply budget that holds the view of any workflow the limits allow, without its outputs:
     * its WorkflowCreated record (steps, name, key, input), its step states and a reason.
     */
    public long minReplyBytes()
    {
        return 2L * maxInputBytes + (long)maxSteps * (64 + 4L * maxNameLength) + 64 * 1024;
    }

    /**
     * @param workflows most workflows one list query may read on the processor (tested against its filters,
     *                  counted, or passed over for an offset; a name of a merged prefix counts as one too), so that
     *                  no search holds the processor for long: the default reads in about 2 ms at a million
     *                  workflows. Beyond it a total is answered as a lower bound and a page that found nothing is
     *                  refused ({@link WorkflowSearch}).
     * @return this for a fluent API.
     */
    public EngineContext searchBudget(final int workflows)
    {
        this.searchBudget = workflows;
        return this;
    }

    public int searchBudget()
    {
        return searchBudget;
    }

    /**
     * @param bytes largest answer to one read (a list page, an event page, a view with its outputs); pages are cut
     *              to it and say where the next one starts.
     * @return this for a fluent API.
     */
    public EngineContext maxReplyBytes(final int bytes)
    {
        this.maxReplyBytes = bytes;
        return this;
    }

    public int maxReplyBytes()
    {
        return maxReplyBytes;
    }

    /**
     * @param bytes most bytes the replies of one batch may hold before further large reads in it are refused
     *              (answered "retry shortly"), so that many large reads at once cannot exhaust memory.
     * @return this for a fluent API.
     */
    public EngineContext maxBatchReplyBytes(final int bytes)
    {
        this.maxBatchReplyBytes = bytes;
        return this;
    }

    public int maxBatchReplyBytes()
    {
        return maxBatchReplyBytes;
    }

    /**
     * @return true once {@link #conclude()} ran.
     */
    public boolean isConcluded()
    {
        return concluded;
    }

    private static void require(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new IllegalArgumentException(message);
        }
    }

    public EngineContext dataDir(final Path dataDir)
    {
        this.dataDir = dataDir;
        return this;
    }

    public Path dataDir()
    {
        return dataDir;
    }

    public EngineContext maxSegmentSize(final long maxSegmentSize)
    {
        this.maxSegmentSize = maxSegmentSize;
        return this;
    }

    public long maxSegmentSize()
    {
        return maxSegmentSize;
    }

    public EngineContext fsync(final boolean fsync)
    {
        this.fsync = fsync;
        return this;
    }

    public boolean fsync()
    {
        return fsync;
    }

    /**
     * @param journalFaults chaos seam called before each group commit (may sleep); null, the default, for none.
     * @return this for a fluent API.
     */
    public EngineContext journalFaults(final io.axiom.journal.JournalFaults journalFaults)
    {
        this.journalFaults = journalFaults;
        return this;
    }

    public io.axiom.journal.JournalFaults journalFaults()
    {
        return journalFaults;
    }

    /**
     * @param dutyCycleFaults chaos seam run at the start of every processor duty cycle (may sleep); null, the
     *                        default, for none: the processor then pays one null check per cycle.
     * @return this for a fluent API.
     */
    public EngineContext dutyCycleFaults(final Runnable dutyCycleFaults)
    {
        this.dutyCycleFaults = dutyCycleFaults;
        return this;
    }

    public Runnable dutyCycleFaults()
    {
        return dutyCycleFaults;
    }

    public EngineContext repair(final boolean repair)
    {
        this.repair = repair;
        return this;
    }

    public boolean repair()
    {
        return repair;
    }

    public EngineContext ringSize(final int ringSize)
    {
        this.ringSize = ringSize;
        return this;
    }

    public int ringSize()
    {
        return ringSize;
    }

    /**
     * @param slotSize bytes a command may take inside its ring slot; larger commands travel by reference.
     * @return this for a fluent API.
     */
    public EngineContext slotSize(final int slotSize)
    {
        this.slotSize = slotSize;
        return this;
    }

    public int slotSize()
    {
        return slotSize;
    }

    public EngineContext maxSteps(final int maxSteps)
    {
        this.maxSteps = maxSteps;
        return this;
    }

    public int maxSteps()
    {
        return maxSteps;
    }

    public EngineContext maxNameLength(final int maxNameLength)
    {
        this.maxNameLength = maxNameLength;
        return this;
    }

    public int maxNameLength()
    {
        return maxNameLength;
    }

    public EngineContext maxInputBytes(final int maxInputBytes)
    {
        this.maxInputBytes = maxInputBytes;
        return this;
    }

    public int maxInputBytes()
    {
        return maxInputBytes;
    }

    public EngineContext leaseDurationMs(final long leaseDurationMs)
    {
        this.leaseDurationMs = leaseDurationMs;
        return this;
    }

    public long leaseDurationMs()
    {
        return leaseDurationMs;
    }

    public EngineContext workerTimeoutMs(final long workerTimeoutMs)
    {
        this.workerTimeoutMs = workerTimeoutMs;
        return this;
    }

    public long workerTimeoutMs()
    {
        return workerTimeoutMs;
    }

    /**
     * @param batchLimit most commands handled before one group commit.
     * @return this for a fluent API.
     */
    public EngineContext batchLimit(final int batchLimit)
    {
        this.batchLimit = batchLimit;
        return this;
    }

    public int batchLimit()
    {
        return batchLimit;
    }

    /**
     * @param timerTickMs how often the processor looks for due timers.
     * @return this for a fluent API.
     */
    public EngineContext timerTickMs(final long timerTickMs)
    {
        this.timerTickMs = timerTickMs;
        return this;
    }

    public long timerTickMs()
    {
        return timerTickMs;
    }

    /**
     * @param snapshotIntervalEvents events between two snapshots of the state; 0 = only at a clean shutdown.
     * @return this for a fluent API.
     */
    public EngineContext snapshotIntervalEvents(final long snapshotIntervalEvents)
    {
        this.snapshotIntervalEvents = snapshotIntervalEvents;
        return this;
    }

    public long snapshotIntervalEvents()
    {
        return snapshotIntervalEvents;
    }

    /**
     * @param inMemoryRetentionMs how long an ended workflow stays on the heap before it is retired to the cold store
     *                            ({@code retention.in-memory}); {@link #RETENTION_OFF} = for ever (the default here;
     *                            the server's default is 1 h).
     * @return this for a fluent API.
     */
    public EngineContext inMemoryRetentionMs(final long inMemoryRetentionMs)
    {
        this.inMemoryRetentionMs = inMemoryRetentionMs;
        return this;
    }

    public long inMemoryRetentionMs()
    {
        return inMemoryRetentionMs;
    }

    /**
     * @param retireLimit ended workflows retired per duty cycle at most (the rest wait for the next cycles).
     * @return this for a fluent API.
     */
    public EngineContext retireLimit(final int retireLimit)
    {
        this.retireLimit = retireLimit;
        return this;
    }

    public int retireLimit()
    {
        return retireLimit;
    }

    /**
     * @param snapshotRetain snapshots to keep; 0 turns snapshots off (recovery replays the whole log).
     * @return this for a fluent API.
     */
    public EngineContext snapshotRetain(final int snapshotRetain)
    {
        this.snapshotRetain = snapshotRetain;
        return this;
    }

    public int snapshotRetain()
    {
        return snapshotRetain;
    }

    /**
     * @param ms how long history stays in the live log: a segment whose last record is older than this (by the
     *           engine's clock and the records' timestamps), wholly below the oldest kept snapshot, is archived or
     *           deleted ({@link #archiveRetired(boolean)}); and how long a retired workflow (and its idempotency key)
     *           stays readable from the cold store after it left the heap; retention.history ({@link #RETENTION_OFF}
     *           = for ever; default 30 days).
     * @return this for a fluent API.
     */
    public EngineContext historyRetentionMs(final long ms)
    {
        this.historyRetentionMs = ms;
        return this;
    }

    public long historyRetentionMs()
    {
        return historyRetentionMs;
    }

    /**
     * @param archive true (the default) to archive segments past retention, still readable; false to delete their
     *                records (only when no workflow on the heap reads them); retention.policy.
     * @return this for a fluent API.
     */
    public EngineContext archiveRetired(final boolean archive)
    {
        this.archiveRetired = archive;
        return this;
    }

    public boolean archiveRetired()
    {
        return archiveRetired;
    }

    /**
     * @param dir where segments past retention are archived; null (the default) for {@code <data dir>/archive};
     *            retention.archive-dir.
     * @return this for a fluent API.
     */
    public EngineContext archiveDir(final Path dir)
    {
        this.archiveDir = dir;
        return this;
    }

    /**
     * @return the archive directory ({@code <data dir>/archive} unless set).
     */
    public Path archiveDir()
    {
        return null != archiveDir ? archiveDir : dataDir.resolve(io.axiom.journal.JournalContext.ARCHIVE_DIRECTORY);
    }

    /**
     * @param snapshotIntervalBytes journal bytes written after which a snapshot is taken, whatever the event count;
     *                              0 = no such trigger.
     * @return this for a fluent API.
     */
    public EngineContext snapshotIntervalBytes(final long snapshotIntervalBytes)
    {
        this.snapshotIntervalBytes = snapshotIntervalBytes;
        return this;
    }

    public long snapshotIntervalBytes()
    {
        return snapshotIntervalBytes;
    }

    /**
     * @param snapshotIntervalMs time after the last snapshot (by the engine's clock) after which one is taken if any
     *                           event was written since; 0 = no such trigger.
     * @return this for a fluent API.
     */
    public EngineContext snapshotIntervalMs(final long snapshotIntervalMs)
    {
        this.snapshotIntervalMs = snapshotIntervalMs;
        return this;
    }

    public long snapshotIntervalMs()
    {
        return snapshotIntervalMs;
    }

    /**
     * @param snapshotSliceWorkflows workflows a snapshot encodes per duty cycle while it is captured (the longest
     *                               pause a snapshot adds to the processor is one slice).
     * @return this for a fluent API.
     */
    public EngineContext snapshotSliceWorkflows(final int snapshotSliceWorkflows)
    {
        this.snapshotSliceWorkflows = snapshotSliceWorkflows;
        return this;
    }

    public int snapshotSliceWorkflows()
    {
        return snapshotSliceWorkflows;
    }

    /**
     * @param eventFeedCapacity bytes of the broadcast buffer that carries released events to subscribers.
     * @return this for a fluent API.
     */
    public EngineContext eventFeedCapacity(final int eventFeedCapacity)
    {
        this.eventFeedCapacity = eventFeedCapacity;
        return this;
    }

    public int eventFeedCapacity()
    {
        return eventFeedCapacity;
    }

    /**
     * @param epochClock the processor's only source of time; tests drive it by hand.
     * @return this for a fluent API.
     */
    public EngineContext epochClock(final EpochClock epochClock)
    {
        this.epochClock = epochClock;
        return this;
    }

    public EpochClock epochClock()
    {
        return epochClock;
    }

    /**
     * @param idleStrategy how the processor waits when the ring is empty; null (the default) backs off to sleeping
     *                     until a producer publishes or the timer tick passes, which costs an idle server nothing.
     * @return this for a fluent API.
     */
    public EngineContext idleStrategy(final IdleStrategy idleStrategy)
    {
        this.idleStrategy = idleStrategy;
        return this;
    }

    public IdleStrategy idleStrategy()
    {
        return idleStrategy;
    }

    /**
     * @param hostedLog the replicated log the processor is hosted on ({@link HostedLog}), or null for a single node
     *                  (the default).
     * @return this for a fluent API.
     */
    public EngineContext hostedLog(final HostedLog hostedLog)
    {
        this.hostedLog = hostedLog;
        return this;
    }

    public HostedLog hostedLog()
    {
        return hostedLog;
    }
}
