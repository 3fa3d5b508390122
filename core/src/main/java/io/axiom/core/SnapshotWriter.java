package io.axiom.core;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.locks.LockSupport;

import io.axiom.journal.SnapshotStore;
import org.agrona.BufferUtil;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Streams a snapshot to disk off the processor thread, while the processor is still capturing it.
 * <p>
 * The processor appends the snapshot's bytes, in order, into pages of {@link #PAGE_SIZE} bytes ({@link #append}) and
 * publishes how many there are ({@link #publish()}); this writer's thread writes what is published to the snapshot's
 * temp file as it comes, and after {@link #finish()} commits it (header with length and CRC32C, fsync, rename,
 * directory fsync: {@link SnapshotStore.Output}). The processor never waits for the writer and takes no lock: the
 * hand-over is a volatile count of bytes and {@link LockSupport#unpark(Thread)}; the writer parks when it has caught
 * up. Pages are kept for the next snapshot (memory: the size of the largest snapshot, as a whole-state buffer was),
 * and the writer allocates them {@link #PAGES_AHEAD} ahead of what it has written, so that zeroing a new MiB page is
 * not the processor's work inside a capture slice (it was most of the longest slice at 5 million workflows).
 * One snapshot at a time: while one is being written, {@link #available()} is false and the next interval waits.
 */
final class SnapshotWriter implements AutoCloseable
{
    static final int PAGE_SHIFT = 20;
    static final int PAGE_SIZE = 1 << PAGE_SHIFT;
    private static final int PAGE_MASK = PAGE_SIZE - 1;
    private static final int MAX_PAGES = 1 << 11; // 2 GiB: a snapshot is loaded as one array
    private static final System.Logger LOG = System.getLogger("axiom.snapshot");

    private final SnapshotStore store;
    private final EngineCounters counters;
    private final Thread thread;
    private final Object idle = new Object();
    /** Pages the writer allocates ahead of the processor, so that zeroing a new page is never the processor's. */
    static final int PAGES_AHEAD = 16;
    /** Allocated by whichever thread needs the page first (the writer, ahead, as a rule): set once, kept. */
    private final AtomicReferenceArray<ByteBuffer> pages = new AtomicReferenceArray<>(MAX_PAGES);
    /** Processor side: its views of the pages. */
    private final UnsafeBuffer[] pageViews = new UnsafeBuffer[MAX_PAGES];

    /** Processor side: bytes appended to the pages. */
    private long appended;
    private volatile long published;
    private volatile boolean finished;
    private volatile boolean busy;
    private volatile boolean closed;
    private long pendingPosition;
    private long pendingLastPosition;
    private long pendingLastSequence;
    private int pendingLastChecksum;
    private long pendingStartNs;
    /** Processor side: snapshots begun, the generation of the one in flight. */
    private long begun;
    private volatile Result lastResult;
    /** Run on the writer's thread before a snapshot is committed: the cold store's force (or null). */
    private volatile Runnable beforeCommit;

    SnapshotWriter(final SnapshotStore store, final EngineCounters counters)
    {
        this.store = store;
        this.counters = counters;
        this.thread = new Thread(this::run, "axiom-snapshot-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * @param beforeCommit run on the writer's thread before each snapshot is committed: what the snapshot relies on
     *                     being durable (the {@link ColdStore}'s records of the workflows it no longer holds).
     */
    void beforeCommit(final Runnable beforeCommit)
    {
        this.beforeCommit = beforeCommit;
    }

    /**
     * @return true when no snapshot is being captured or written, so {@link #begin} may start one.
     */
    boolean available()
    {
        return !busy;
    }

    /**
     * Start a snapshot bound to the last record it covers; its bytes follow through {@link #append}.
     *
     * @param position     journal position it covers (the end of the last record folded in).
     * @param lastPosition position of that record.
     * @param lastSequence its sequence.
     * @param lastChecksum the CRC32C stored in it.
     * @param startNs      when capturing started, for the counters.
     */
    void begin(
        final long position,
        final long lastPosition,
        final long lastSequence,
        final int lastChecksum,
        final long startNs)
    {
        if (busy)
        {
            throw new IllegalStateException("a snapshot is already being written");
        }
        pendingPosition = position;
        pendingLastPosition = lastPosition;
        pendingLastSequence = lastSequence;
        pendingLastChecksum = lastChecksum;
        pendingStartNs = startNs;
        begun++;
        appended = 0;
        published = 0;
        finished = false;
        busy = true;
        LockSupport.unpark(thread);
    }

    /**
     * @return snapshots begun so far: the generation of the one in flight, or of the last one.
     */
    long begun()
    {
        return begun;
    }

    /**
     * @return how the last snapshot written (or failed) ended, null before the first.
     */
    Result lastResult()
    {
        return lastResult;
    }

    /**
     * How one snapshot ended, published by the writer's thread once it is durable or has failed.
     *
     * @param generation   which snapshot ({@link #begun()} when it was begun).
     * @param position     journal position it covers.
     * @param lastSequence sequence of the last record it covers.
     * @param bytes        payload bytes written.
     * @param nanos        from the mark to the directory fsync.
     * @param file         the file's name in the snapshots directory; null when it failed.
     * @param failure      why it failed, null when it is durable.
     */
    record Result(
        long generation, long position, long lastSequence, long bytes, long nanos, String file,
        RuntimeException failure)
    {
    }

    /**
     * Append bytes of the snapshot being captured; they reach the writer at the next {@link #publish()}.
     *
     * @param src    holding the bytes.
     * @param offset of the bytes.
     * @param length of the bytes.
     */
    void append(final DirectBuffer src, final int offset, final int length)
    {
        int done = 0;
        while (done < length)
        {
            final int page = (int)(appended >>> PAGE_SHIFT);
            if (page == MAX_PAGES)
            {
                throw new IllegalStateException("a snapshot is limited to " + ((long)MAX_PAGES << PAGE_SHIFT) +
                    " bytes");
            }
            if (null == pageViews[page])
            {
                pageViews[page] = new UnsafeBuffer(page(page));
            }
            final int pageOffset = (int)(appended & PAGE_MASK);
            final int chunk = Math.min(length - done, PAGE_SIZE - pageOffset);
            pageViews[page].putBytes(pageOffset, src, offset + done, chunk);
            done += chunk;
            appended += chunk;
        }
    }

    /**
     * @param page a page's number.
     * @return the page, allocated now (and zeroed, about 0.1 ms a MiB) if neither thread did it before.
     */
    private ByteBuffer page(final int page)
    {
        final ByteBuffer existing = pages.get(page);
        if (null != existing)
        {
            return existing;
        }
        final ByteBuffer mine = ByteBuffer.allocateDirect(PAGE_SIZE);
        final ByteBuffer other = pages.compareAndExchange(page, null, mine);
        if (null == other)
        {
            return mine;
        }
        BufferUtil.free(mine);
        return other;
    }

    /**
     * On the writer's thread: allocate the pages the processor will append to next, beyond the one holding byte
     * {@code from}: as many as the snapshot has filled so far, at most {@link #PAGES_AHEAD} (a small state's snapshot
     * allocates nothing it does not use).
     */
    private void allocateAhead(final long from)
    {
        final long ahead = Math.min(PAGES_AHEAD, 1 + (published >>> PAGE_SHIFT));
        final int last = (int)Math.min(MAX_PAGES, (from >>> PAGE_SHIFT) + ahead);
        for (int page = (int)(from >>> PAGE_SHIFT); page < last && !closed; page++)
        {
            page(page);
        }
    }

    /**
     * @return bytes appended to the snapshot being captured.
     */
    long appended()
    {
        return appended;
    }

    /**
     * Hand what was appended to the writer.
     */
    void publish()
    {
        published = appended;
        LockSupport.unpark(thread);
    }

    /**
     * Every byte is appended: publish them, and let the writer commit the snapshot once they are written.
     */
    void finish()
    {
        published = appended;
        finished = true;
        LockSupport.unpark(thread);
    }

    /**
     * Wait until the snapshot in flight, if any, is written. Only for a close, never on the duty cycle; not
     * interruptible (an interrupt is kept for the caller).
     */
    void awaitIdle()
    {
        boolean interrupted = false;
        synchronized (idle)
        {
            while (busy)
            {
                try
                {
                    idle.wait();
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void run()
    {
        while (true)
        {
            if (busy)
            {
                writeOne();
                synchronized (idle)
                {
                    busy = false;
                    idle.notifyAll();
                }
            }
            else if (closed)
            {
                return;
            }
            else
            {
                LockSupport.park(this);
            }
        }
    }

    private void writeOne()
    {
        final long generation = begun;
        final long position = pendingPosition;
        Path file = null;
        SnapshotStore.Output output = null;
        RuntimeException failure = null;
        try
        {
            output = store.begin(pendingPosition, pendingLastPosition, pendingLastSequence, pendingLastChecksum);
        }
        catch (final RuntimeException ex)
        {
            failure = ex;
        }
        long written = 0;
        while (true)
        {
            final boolean last = finished;
            final long available = published;
            while (written < available)
            {
                final int page = (int)(written >>> PAGE_SHIFT);
                final int pageOffset = (int)(written & PAGE_MASK);
                final int chunk = (int)Math.min(available - written, PAGE_SIZE - pageOffset);
                if (null == failure)
                {
                    try
                    {
                        output.append(pages.get(page).duplicate().limit(pageOffset + chunk).position(pageOffset));
                    }
                    catch (final RuntimeException ex)
                    {
                        failure = ex;
                        output.abort(ex);
                    }
                }
                written += chunk;
            }
            if (last && written == published)
            {
                break;
            }
            if (closed)
            {
                // finished is read again: finish() then close() may both have come after it was read above, and
                // then the bytes published by finish() are still to be written (no park: nothing would unpark it)
                if (finished)
                {
                    continue;
                }
                failure = null == failure ? new IllegalStateException("closed before the snapshot was captured") :
                    failure;
                if (null != output)
                {
                    output.abort(failure);
                }
                break;
            }
            allocateAhead(written);
            if (published == written && !finished)
            {
                LockSupport.park(this);
            }
        }
        if (null == failure)
        {
            final Runnable force = beforeCommit;
            if (null != force)
            {
                try
                {
                    force.run();
                }
                catch (final RuntimeException ex)
                {
                    failure = ex;
                    output.abort(ex);
                }
            }
        }
        if (null == failure)
        {
            try
            {
                file = output.commit();
            }
            catch (final RuntimeException ex)
            {
                failure = ex;
            }
        }
        if (null == failure)
        {
            final long nanos = System.nanoTime() - pendingStartNs;
            counters.snapshot(position, (int)written, nanos);
            lastResult = new Result(
                generation, position, pendingLastSequence, written, nanos, file.getFileName().toString(), null);
            LOG.log(System.Logger.Level.INFO, "snapshot written at position " + position + " (" + written +
                " bytes, " + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms)");
        }
        else
        {
            // A snapshot only shortens recovery: a failed one is reported and the next interval tries again.
            counters.snapshotFailed(failure);
            lastResult = new Result(generation, position, pendingLastSequence, written,
                System.nanoTime() - pendingStartNs, null, failure);
            LOG.log(System.Logger.Level.WARNING, "snapshot at position " + position + " could not be written " +
                "(start-up replays more of the log until one is): " + failure.getMessage(), failure);
        }
    }

    /**
     * Stop the writer thread. A snapshot already finished is written first; one still being captured (the processor
     * failed, or stops without finishing it) is abandoned and its temp file removed.
     */
    public void close()
    {
        closed = true;
        LockSupport.unpark(thread);
        awaitIdle();
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
        for (int i = 0; i < MAX_PAGES; i++)
        {
            final ByteBuffer page = pages.getAndSet(i, null);
            if (null == page)
            {
                break;
            }
            BufferUtil.free(page);
        }
    }
}
