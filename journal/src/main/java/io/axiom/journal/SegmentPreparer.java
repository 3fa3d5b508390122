package io.axiom.journal;

import java.nio.file.Path;
import java.util.function.BooleanSupplier;

/**
 * Prepares the next segment file ahead of need on one daemon thread, so that a rotation on the writer's thread only
 * renames a ready file into place and fsyncs the directory instead of zero-filling and forcing a whole segment.
 * <p>
 * Preparation is gentle while the writer is in the first half of its segment (each 1 MiB of zeros forced on its
 * own, then a rest as long as it took), so that its I/O does not stall the writer's group commits; past half way it
 * runs at full speed.
 * <p>
 * One request at a time, for the segment after the current one. The thread is started by the first request and
 * parks in {@link Object#wait()} while it has nothing to do (it never spins). A prepared segment is a complete,
 * forced, mapped {@code name.wal.next} file that is not part of the log until {@link Segment#install(boolean)};
 * recovery deletes one a crash left behind.
 * <p>
 * Before writing a byte it checks the usable space (one statvfs): with less than a segment it does not try. A
 * preparation that fails (no space, or an I/O error) removes its file, marks the storage LOW, and is tried again
 * while the request stands, after {@link #RETRY_NS}, doubling up to {@link #RETRY_MAX_NS} while it keeps failing (a
 * quota can fail writes that statvfs said had room), so that once space is freed a segment is ready (and the storage
 * leaves FULL) without waiting for the writer. After each preparation it checks the space again (LOW below two
 * segments).
 */
final class SegmentPreparer
{
    private enum State
    {
        IDLE, REQUESTED, RUNNING, READY
    }

    private final Path dir;
    private final long segmentSize;
    private final boolean fsync;
    private final BooleanSupplier hurry;
    private final DiskProbe disk;
    private final StorageMonitor storage;
    private long retryAtNs;
    private boolean retryPending;
    private int failures;

    private Thread thread;
    private State state = State.IDLE;
    private int index = -1;
    private Segment ready;
    private Exception failure;
    private boolean closing;

    /**
     * Pause before a failed preparation is tried again.
     */
    static final long RETRY_NS = 1_000_000_000L;

    /**
     * Longest pause between attempts of a preparation that keeps failing.
     */
    static final long RETRY_MAX_NS = 64_000_000_000L;

    SegmentPreparer(
        final Path dir,
        final long segmentSize,
        final boolean fsync,
        final BooleanSupplier hurry,
        final DiskProbe disk,
        final StorageMonitor storage)
    {
        this.hurry = hurry;
        this.disk = disk;
        this.storage = storage;
        this.dir = dir;
        this.segmentSize = segmentSize;
        this.fsync = fsync;
    }

    /**
     * Ask for segment nextIndex to be prepared; no-op when it is already requested, being prepared or ready.
     */
    synchronized void request(final int nextIndex)
    {
        if (closing || (state != State.IDLE && index == nextIndex))
        {
            return;
        }
        if (state == State.READY)
        {
            ready.discard();
            ready = null;
        }
        else if (state == State.RUNNING)
        {
            return; // a different index is being prepared; take() sorts it out
        }
        if (index != nextIndex)
        {
            retryPending = false;
            failures = 0;
        }
        index = nextIndex;
        state = State.REQUESTED;
        if (null == thread)
        {
            thread = new Thread(this::run, "axiom-journal-preparer");
            thread.setDaemon(true);
            thread.start();
        }
        notifyAll();
    }

    /**
     * Take segment wantedIndex if it is prepared. If its preparation is under way, wait for it: it is ahead of a
     * synchronous creation. If it was requested but not started, the request is withdrawn.
     *
     * @return the prepared (not yet installed) segment, or null: the caller then creates it synchronously.
     */
    synchronized Segment take(final int wantedIndex)
    {
        boolean interrupted = false;
        while (state == State.RUNNING && index == wantedIndex)
        {
            try
            {
                wait();
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
        if (state == State.READY && index == wantedIndex)
        {
            final Segment segment = ready;
            ready = null;
            state = State.IDLE;
            return segment;
        }
        if (state == State.REQUESTED || state == State.READY)
        {
            if (null != ready)
            {
                ready.discard();
                ready = null;
            }
            state = State.IDLE;
        }
        return null;
    }

    /**
     * @return the failure of the last preparation, null if none (the writer then creates segments itself).
     */
    synchronized Exception failure()
    {
        return failure;
    }

    /**
     * @return true when a prepared segment is waiting to be taken.
     */
    synchronized boolean hasReady()
    {
        return state == State.READY;
    }

    /**
     * Stop the thread (a preparation under way stops at its next chunk and deletes its file) and delete an unused
     * prepared segment. Idempotent.
     */
    void close()
    {
        final Thread toJoin;
        synchronized (this)
        {
            closing = true;
            notifyAll();
            toJoin = thread;
        }
        if (null != toJoin)
        {
            boolean interrupted = false;
            while (true)
            {
                try
                {
                    toJoin.join();
                    break;
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
        synchronized (this)
        {
            if (null != ready)
            {
                ready.discard();
                ready = null;
            }
            state = State.IDLE;
        }
    }

    /**
     * @return the preparer thread, null until the first request.
     */
    synchronized Thread thread()
    {
        return thread;
    }

    private synchronized boolean isClosing()
    {
        return closing;
    }

    private void run()
    {
        while (true)
        {
            final int target;
            synchronized (this)
            {
                while (!closing && (state != State.REQUESTED || (retryPending && System.nanoTime() - retryAtNs < 0)))
                {
                    try
                    {
                        if (state == State.REQUESTED && retryPending)
                        {
                            final long waitNs = retryAtNs - System.nanoTime();
                            wait(Math.max(1, waitNs / 1_000_000), 0);
                        }
                        else
                        {
                            wait();
                        }
                    }
                    catch (final InterruptedException ignore)
                    {
                        // only close() stops this thread
                    }
                }
                if (closing)
                {
                    return;
                }
                state = State.RUNNING;
                target = index;
            }

            Segment segment = null;
            Exception error = null;
            final long usable = storage.usableBytes();
            if (storage.roomForSegment(usable) || !SegmentFiles.listFree(dir).isEmpty()) // recycling needs no space
            {
                try
                {
                    segment = Segment.prepare(dir, target, segmentSize, fsync, this::isClosing, hurry, disk);
                }
                catch (final java.io.IOException | RuntimeException ex)
                {
                    error = ex;
                }
            }
            final String what = "segment " + Segment.fileName(target * segmentSize);
            if (null != segment)
            {
                storage.segmentHad();
            }
            else if (!isClosing())
            {
                storage.preparationFailed(what, usable, error);
            }

            synchronized (this)
            {
                if (null != segment && !closing)
                {
                    ready = segment;
                    state = State.READY;
                    retryPending = false;
                    failures = 0;
                    failure = null;
                }
                else
                {
                    if (null != segment)
                    {
                        segment.discard();
                    }
                    failure = null != error ? error : closing ? null : new java.io.IOException(
                        "usable space " + StorageMonitor.bytes(usable) + " is below one segment");
                    if (!closing && state == State.RUNNING && index == target)
                    {
                        // the request stands: try again after a pause (take() withdraws it)
                        state = State.REQUESTED;
                        retryPending = true;
                        retryAtNs = System.nanoTime() + Math.min(RETRY_MAX_NS, RETRY_NS << Math.min(6, failures++));
                    }
                    else if (state == State.RUNNING)
                    {
                        state = State.IDLE;
                    }
                }
                notifyAll();
            }
        }
    }
}
