package io.axiom.core;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Replies of the current batch, held back until the batch's events are durable.
 * <p>
 * The processor encodes each reply into one buffer as it handles the command; after the group commit,
 * {@link #release(EngineCounters)} hands every reply to its sink in command order and the arena is reused for the
 * next batch.
 * <p>
 * <b>Bounded, and never out of memory.</b> Nothing is encoded before room for it was reserved: a large read asks
 * {@link #fits(int, long)} (at most {@code maxCapacity} for the whole batch), a write reserves room for its reply
 * before it writes any event ({@link #reserve(int, long)}), a problem reserves room for its few bytes. Growth is done
 * here, to exactly what is asked or double the capacity (never past the bound for reads), into a fresh direct buffer;
 * the old one is freed at once. When the JVM has no direct memory left for it, the reservation says no and the
 * command is refused on its own, instead of an {@link OutOfMemoryError} reaching the processor. The buffer object
 * handed out by {@link #buffer()} stays the same across growth (it is re-wrapped), so an encoder wrapped on it keeps
 * working. After a batch that grew it, the memory goes back to {@link #BASE_CAPACITY}.
 */
final class ReplyArena
{
    static final int BASE_CAPACITY = 64 * 1024;
    private static final int ALIGNMENT = 8;

    private final int maxCapacity;
    private final UnsafeBuffer buffer;
    private ByteBuffer bytes;
    private int limit;
    private int count;
    private int pendingOffset = -1;
    private int[] offsets = new int[256];
    private int[] lengths = new int[256];
    private ReplySink[] sinks = new ReplySink[256];
    private Object[] replyTos = new Object[256];
    private long[] publishedAtNs = new long[256];
    private long commandPublishedAtNs;
    private long shrinkCount;
    private long refusedGrowths;

    /**
     * @param maxCapacity bytes the replies of one batch may take before large reads are refused.
     */
    ReplyArena(final int maxCapacity)
    {
        this.maxCapacity = maxCapacity;
        this.bytes = ByteBuffer.allocateDirect(BASE_CAPACITY);
        this.buffer = new UnsafeBuffer(bytes);
    }

    /**
     * Start a reply.
     *
     * @param sink    to hand the reply to.
     * @param replyTo the producer's token.
     * @return offset in {@link #buffer()} at which to encode the reply.
     */
    int begin(final ReplySink sink, final Object replyTo)
    {
        if (count == offsets.length)
        {
            grow();
        }
        final int offset = (limit + ALIGNMENT - 1) & -ALIGNMENT;
        sinks[count] = sink;
        replyTos[count] = replyTo;
        offsets[count] = offset;
        publishedAtNs[count] = commandPublishedAtNs;
        pendingOffset = offset;
        return offset;
    }

    /**
     * @return where the next reply will start.
     */
    int nextOffset()
    {
        return (limit + ALIGNMENT - 1) & -ALIGNMENT;
    }

    /**
     * Make room for part of a large read's reply, within the batch's bound.
     *
     * @param offset where the part starts.
     * @param length bytes it will take.
     * @return true when the buffer now holds [offset, offset + length); false when the batch's bound would be passed
     * or there is no memory for it (refuse the read, nothing else is lost).
     */
    boolean fits(final int offset, final long length)
    {
        return ensure(offset + length, maxCapacity);
    }

    /**
     * Make room for a reply that must be sent whatever the batch's bound (a write's reply, a problem); its size is
     * bounded by construction.
     *
     * @param offset where the reply will start.
     * @param length bytes it will take at most.
     * @return true when the buffer now holds [offset, offset + length); false only when there is no memory for it.
     */
    boolean reserve(final int offset, final long length)
    {
        return ensure(offset + length, Integer.MAX_VALUE - 64);
    }

    private boolean ensure(final long end, final int bound)
    {
        if (end <= bytes.capacity())
        {
            return true;
        }
        if (end > bound)
        {
            return false;
        }
        final int target = (int)Math.max(end, Math.min(bound, 2L * bytes.capacity()));
        ByteBuffer grown = allocate(target);
        if (null == grown && target > end)
        {
            grown = allocate((int)end);
        }
        if (null == grown)
        {
            refusedGrowths++;
            return false;
        }
        final ByteBuffer old = bytes;
        grown.put(0, old, 0, Math.min(old.capacity(), grown.capacity()));
        bytes = grown;
        buffer.wrap(grown);
        BufferUtil.free(old);
        return true;
    }

    private static ByteBuffer allocate(final int capacity)
    {
        try
        {
            return ByteBuffer.allocateDirect(capacity);
        }
        catch (final OutOfMemoryError ex)
        {
            return null; // direct memory exhausted: the caller refuses this reply, the engine goes on
        }
    }

    /**
     * Finish the reply started by {@link #begin(ReplySink, Object)}.
     *
     * @param length of the encoded reply.
     */
    void commit(final int length)
    {
        lengths[count] = length;
        limit = pendingOffset + length;
        pendingOffset = -1;
        count++;
    }

    /**
     * Forget the reply started by {@link #begin(ReplySink, Object)}: it will not be sent.
     */
    void abort()
    {
        if (pendingOffset >= 0)
        {
            sinks[count] = null;
            replyTos[count] = null;
            pendingOffset = -1;
        }
    }

    /**
     * @param nanos when the command now being handled was published, for the replies it produces.
     */
    void commandPublishedAtNs(final long nanos)
    {
        commandPublishedAtNs = nanos;
    }

    /**
     * @return the buffer replies are encoded into; the same object for the arena's life (re-wrapped on growth).
     */
    MutableDirectBuffer buffer()
    {
        return buffer;
    }

    int count()
    {
        return count;
    }

    /**
     * @return bytes the buffer holds now (it returns to {@link #BASE_CAPACITY} after a batch that grew it).
     */
    int capacity()
    {
        return bytes.capacity();
    }

    /**
     * @return times the buffer was given back after growing.
     */
    long shrinkCount()
    {
        return shrinkCount;
    }

    /**
     * @return reservations refused because the JVM had no direct memory for them.
     */
    long refusedGrowths()
    {
        return refusedGrowths;
    }

    /**
     * Hand every reply of the batch to its sink, then forget them.
     *
     * @param counters where command-to-reply latency is recorded.
     * @return replies released.
     */
    int release(final EngineCounters counters)
    {
        final int released = count;
        final long nowNs = released > 0 ? System.nanoTime() : 0;
        for (int i = 0; i < released; i++)
        {
            final ReplySink sink = sinks[i];
            final Object replyTo = replyTos[i];
            sinks[i] = null;
            replyTos[i] = null;
            counters.commandLatency(nowNs - publishedAtNs[i]);
            try
            {
                sink.onReply(replyTo, buffer, offsets[i], lengths[i]);
            }
            catch (final RuntimeException ex)
            {
                // The events are durable already; a sink that fails loses its own reply, never the engine.
                counters.sinkError(ex);
            }
        }
        count = 0;
        limit = 0;
        if (bytes.capacity() > BASE_CAPACITY)
        {
            final ByteBuffer smaller = allocate(BASE_CAPACITY);
            if (null != smaller)
            {
                final ByteBuffer old = bytes;
                bytes = smaller;
                buffer.wrap(smaller);
                BufferUtil.free(old);
                shrinkCount++;
            }
        }
        return released;
    }

    private void grow()
    {
        final int newLength = offsets.length * 2;
        offsets = java.util.Arrays.copyOf(offsets, newLength);
        lengths = java.util.Arrays.copyOf(lengths, newLength);
        sinks = java.util.Arrays.copyOf(sinks, newLength);
        replyTos = java.util.Arrays.copyOf(replyTos, newLength);
        publishedAtNs = java.util.Arrays.copyOf(publishedAtNs, newLength);
    }
}
