package io.axiom.core;

import java.nio.file.Path;
import java.util.concurrent.locks.LockSupport;

import io.axiom.journal.Journal;
import io.axiom.journal.SegmentArchive;
import io.axiom.journal.SnapshotStore;

/**
 * Decides which segments leave the live log and archives them off the processor thread.
 * <p>
 * A segment goes when it is (1) sealed (not the one written to), (2) wholly below the segment holding the last record
 * of the oldest kept snapshot (so every snapshot start-up may load, and the replay after it, lies in the live log),
 * (3) its last record is older than retention.history by the engine's clock, and (4) with the delete policy only, no
 * workflow on the heap reads a record in it (its position is below the created record of the oldest workflow in the
 * table). One segment at a time, the oldest first: the processor checks (1) and (4) and hands the segment's
 * description to this class's thread ({@link #poll}), which checks (2) and (3), writes the archive (or, deleting, the
 * segment's summary: sequences and times, no records) with temp, fsync, rename and directory fsync, and hands the
 * answer back. The processor then retires the segment between batches ({@link Journal#retire}: unmapped, renamed
 * into the pool for reuse), so it is never unmapped while the processor reads it, and reads below the live log go to
 * the archive from then on. The processor never waits: the hand-over is a volatile and an unpark, both ways.
 * <p>
 * Checked again after each snapshot is written, after each retirement, and once a minute of the engine's clock. Every
 * decision is logged ({@code axiom.storage}) and counted.
 */
final class Retention implements AutoCloseable
{
    static final long RECHECK_MS = 60_000;
    private static final System.Logger LOG = System.getLogger("axiom.storage");
    private static final int IDLE = 0;
    private static final int ASKED = 1;
    private static final int ANSWERED = 2;

    private final boolean archive;
    private final long historyMs;
    private final boolean fsync;
    private final Path archiveDir;
    private final SnapshotStore snapshots;
    private final EngineCounters counters;
    private final Thread thread;

    private volatile int state = IDLE;
    private volatile boolean closed;
    private SegmentArchive.Sealed asked;
    private long askedNowMs;
    private SegmentArchive.Summary archived;
    private String refusal;
    private RuntimeException failure;

    /** Processor side: when to look again. */
    private long nextCheckMs = Long.MIN_VALUE;
    private long snapshotsSeen = -1;
    private boolean retiredLast;

    Retention(final EngineContext ctx, final SnapshotStore snapshots, final EngineCounters counters)
    {
        this.archive = ctx.archiveRetired();
        this.historyMs = ctx.historyRetentionMs();
        this.fsync = ctx.fsync();
        this.archiveDir = ctx.archiveDir();
        this.snapshots = snapshots;
        this.counters = counters;
        this.thread = new Thread(this::run, "axiom-retention");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * On the processor, once per duty cycle after the flush: act on an answer (retire the segment), or hand the oldest
     * segment over when a check is due. Allocates only when a check is handed over.
     *
     * @param journal                 the processor's journal.
     * @param nowMs                   the engine's clock.
     * @param oldestReferencedPosition lowest position a workflow on the heap reads, for the delete policy.
     * @return 1 when something was done, else 0.
     */
    int poll(final Journal journal, final long nowMs, final long oldestReferencedPosition)
    {
        final int s = state;
        if (ASKED == s)
        {
            return 0;
        }
        if (ANSWERED == s)
        {
            answered(journal, nowMs);
            state = IDLE;
            return 1;
        }
        final long snapshotCount = counters.snapshotCount();
        if (!retiredLast && snapshotCount == snapshotsSeen && nowMs < nextCheckMs)
        {
            return 0;
        }
        snapshotsSeen = snapshotCount;
        nextCheckMs = nowMs + RECHECK_MS;
        retiredLast = false;
        final int index = journal.firstSegmentIndex();
        if (index >= journal.currentSegmentIndex())
        {
            return 0;
        }
        final long end = ((long)index + 1) * journal.segmentSize();
        if (!archive && end > oldestReferencedPosition)
        {
            LOG.log(System.Logger.Level.DEBUG, "retention keeps segment " + index + ": a workflow on the heap " +
                "reads position " + oldestReferencedPosition + " (the delete policy deletes only what none reads)");
            return 0;
        }
        final SegmentArchive.Sealed sealed = journal.sealed(index);
        if (null == sealed)
        {
            LOG.log(System.Logger.Level.DEBUG, "retention keeps segment " + index + " for now: it lies before the " +
                "start-up snapshot and the background check has not walked it yet");
            return 0;
        }
        asked = sealed;
        askedNowMs = nowMs;
        state = ASKED;
        LockSupport.unpark(thread);
        return 1;
    }

    private void answered(final Journal journal, final long nowMs)
    {
        final SegmentArchive.Sealed segment = asked;
        if (null != failure)
        {
            counters.retentionFailed();
            LOG.log(System.Logger.Level.WARNING, "retention could not " + (archive ? "archive" : "delete") +
                " segment " + segment.file().getFileName() + " (it stays in the live log; tried again in a " +
                "minute): " + failure.getMessage(), failure);
        }
        else if (null != refusal)
        {
            LOG.log(System.Logger.Level.DEBUG, "retention keeps segment " + segment.file().getFileName() + ": " +
                refusal);
        }
        else
        {
            journal.retire(segment.index());
            retiredLast = true;
            counters.segmentRetired(!archived.deleted(), archived.fileLength());
            LOG.log(System.Logger.Level.INFO, (archived.deleted() ?
                "retention deleted segment " + segment.file().getFileName() + " (policy delete; its summary is " +
                archived.file() + ")" :
                "retention archived segment " + segment.file().getFileName() + " to " + archived.file() + " (" +
                archived.fileLength() + " bytes from " + archived.limit() + ")") + ": records " +
                archived.firstSequence() + " to " + archived.lastSequence() + ", the last " +
                (nowMs - archived.lastTimestamp()) + " ms old; the file joined the pool for reuse");
        }
        asked = null;
        archived = null;
        refusal = null;
        failure = null;
    }

    private void run()
    {
        while (!closed)
        {
            if (ASKED == state)
            {
                decide();
                state = ANSWERED;
            }
            else
            {
                LockSupport.park(this);
            }
        }
    }

    /**
     * On this class's thread: the checks that read files, then the archive.
     */
    private void decide()
    {
        final SegmentArchive.Sealed segment = asked;
        try
        {
            final long snapshotLast = snapshots.oldestLastPosition();
            final long snapshotSegment = snapshotLast < 0 ? -1 : snapshotLast / segment.segmentSize();
            if (segment.index() >= snapshotSegment)
            {
                refusal = snapshotLast < 0 ? "no snapshot is kept, so start-up replays the whole log" :
                    "the oldest kept snapshot's last record is at position " + snapshotLast + ", in segment " +
                    snapshotSegment + " (a segment goes only when wholly below it)";
                return;
            }
            final SegmentArchive.Summary summary = SegmentArchive.summarize(segment);
            if (summary.recordCount() > 0 && summary.lastTimestamp() > askedNowMs - historyMs)
            {
                refusal = "its last record (sequence " + summary.lastSequence() + ") is " +
                    (askedNowMs - summary.lastTimestamp()) + " ms old, retention.history is " + historyMs + " ms";
                return;
            }
            archived = SegmentArchive.write(segment, archiveDir, archive, fsync);
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
    }

    /**
     * Stop the thread; an archive being written is finished first (the segment stays live: it is retired only by the
     * processor, and a duplicate archive is removed at the next start).
     */
    public void close()
    {
        closed = true;
        LockSupport.unpark(thread);
        boolean interrupted = false;
        while (thread.isAlive())
        {
            try
            {
                thread.join();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }
}
