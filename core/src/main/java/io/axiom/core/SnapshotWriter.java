package io.axiom.core;

import java.nio.ByteBuffer;

import io.axiom.journal.SnapshotStore;
import org.agrona.BufferUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Writes state snapshots to disk off the processor thread.
 * <p>
 * The processor serialises its state into this writer's buffer (memory speed), hands it over, and goes on; a daemon
 * thread writes, fsyncs and renames the file. While a write is in flight the buffer belongs to that thread and a new
 * snapshot is simply skipped until the next interval: snapshots only shorten recovery, the log stays the judge.
 */
final class SnapshotWriter implements AutoCloseable
{
    private static final System.Logger LOG = System.getLogger("axiom.snapshot");

    private final SnapshotStore store;
    private final EngineCounters counters;
    private final Thread thread;
    private final Object lock = new Object();
    private ByteBuffer byteBuffer = ByteBuffer.allocateDirect(0);
    private final UnsafeBuffer buffer = new UnsafeBuffer(byteBuffer);
    private long pendingPosition = -1;
    private long pendingLastPosition;
    private long pendingLastSequence;
    private int pendingLastChecksum;
    private int pendingLength;
    private long pendingStartNs;
    private boolean busy;
    private boolean closed;

    SnapshotWriter(final SnapshotStore store, final EngineCounters counters)
    {
        this.store = store;
        this.counters = counters;
        this.thread = new Thread(this::run, "axiom-snapshot-writer");
        this.thread.setDaemon(true);
        this.thread.start();
    }

    /**
     * @return true when no write is in flight and {@link #buffer(int)} may be filled.
     */
    boolean available()
    {
        synchronized (lock)
        {
            return !busy;
        }
    }

    /**
     * @param capacity bytes the next snapshot needs.
     * @return the buffer to serialise into, from offset 0; only while {@link #available()}.
     */
    UnsafeBuffer buffer(final int capacity)
    {
        if (!available())
        {
            throw new IllegalStateException("the snapshot buffer is being written");
        }
        if (byteBuffer.capacity() < capacity)
        {
            BufferUtil.free(byteBuffer);
            byteBuffer = ByteBuffer.allocateDirect(Math.max(capacity, byteBuffer.capacity() * 2));
            buffer.wrap(byteBuffer);
        }
        return buffer;
    }

    /**
     * Hand the serialised snapshot to the writer thread.
     *
     * @param position     journal position it covers (the end of the last record folded in).
     * @param lastPosition position of that record.
     * @param lastSequence its sequence.
     * @param lastChecksum the CRC32C stored in it: with the two above, what binds the snapshot to this log.
     * @param length       bytes serialised.
     * @param startNs      when serialising started, for the counters.
     */
    void submit(
        final long position,
        final long lastPosition,
        final long lastSequence,
        final int lastChecksum,
        final int length,
        final long startNs)
    {
        synchronized (lock)
        {
            pendingPosition = position;
            pendingLastPosition = lastPosition;
            pendingLastSequence = lastSequence;
            pendingLastChecksum = lastChecksum;
            pendingLength = length;
            pendingStartNs = startNs;
            busy = true;
            lock.notifyAll();
        }
    }

    /**
     * Wait until the write in flight, if any, is done. Not interruptible: the buffer must never be reused or freed
     * under a write (an interrupt is kept for the caller).
     */
    void awaitIdle()
    {
        boolean interrupted = false;
        synchronized (lock)
        {
            while (busy)
            {
                try
                {
                    lock.wait();
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
            final long position;
            final long lastPosition;
            final long lastSequence;
            final int lastChecksum;
            final int length;
            final long startNs;
            synchronized (lock)
            {
                while (!busy && !closed)
                {
                    try
                    {
                        lock.wait();
                    }
                    catch (final InterruptedException ex)
                    {
                        return;
                    }
                }
                if (!busy)
                {
                    return;
                }
                position = pendingPosition;
                lastPosition = pendingLastPosition;
                lastSequence = pendingLastSequence;
                lastChecksum = pendingLastChecksum;
                length = pendingLength;
                startNs = pendingStartNs;
            }
            try
            {
                store.write(position, lastPosition, lastSequence, lastChecksum, buffer, 0, length);
                final long nanos = System.nanoTime() - startNs;
                counters.snapshot(position, length, nanos);
                LOG.log(System.Logger.Level.INFO, "snapshot written at position " + position + " (" + length +
                    " bytes, " + java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nanos) + " ms)");
            }
            catch (final RuntimeException ex)
            {
                // A snapshot only shortens recovery: a failed one is reported and the next interval tries again.
                counters.snapshotFailed(ex);
                LOG.log(System.Logger.Level.WARNING, "snapshot at position " + position + " could not be written " +
                    "(start-up replays more of the log until one is): " + ex.getMessage(), ex);
            }
            synchronized (lock)
            {
                busy = false;
                lock.notifyAll();
            }
        }
    }

    public void close()
    {
        awaitIdle();
        synchronized (lock)
        {
            closed = true;
            lock.notifyAll();
        }
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
        BufferUtil.free(byteBuffer);
    }
}
