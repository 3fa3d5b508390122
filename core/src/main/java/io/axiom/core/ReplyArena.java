package io.axiom.core;

import org.agrona.BufferUtil;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * Replies of the current batch, held back until the batch's events are durable.
 * <p>
 * The processor encodes each reply into one growing buffer as it handles the command; after the group commit,
 * {@link #release(EngineCounters)} hands every reply to its sink in command order and the arena is reused for the
 * next batch.
 * <p>
 * <b>Bounded.</b> A large read asks {@link #fits(int, int)} first: past {@code maxCapacity} the read is refused
 * (retry later) instead of growing the buffer until direct memory runs out. Replies to writes are bounded by
 * construction (a view's size is capped, see {@link WorkflowViews}) and always fit. After a batch that grew the
 * buffer beyond its base size, the memory is given back.
 */
final class ReplyArena
{
    static final int BASE_CAPACITY = 64 * 1024;
    private static final int ALIGNMENT = 8;

    private final int maxCapacity;
    private ExpandableDirectByteBuffer buffer = new ExpandableDirectByteBuffer(BASE_CAPACITY);
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

    /**
     * @param maxCapacity bytes the replies of one batch may take before large reads are refused.
     */
    ReplyArena(final int maxCapacity)
    {
        this.maxCapacity = maxCapacity;
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
     * Make room for a large reply, or say there is none within the arena's bound.
     *
     * @param offset where the reply starts, from {@link #begin(ReplySink, Object)}.
     * @param length bytes it will take.
     * @return true when the buffer now holds [offset, offset + length).
     */
    boolean fits(final int offset, final long length)
    {
        final long end = offset + length;
        if (end > maxCapacity)
        {
            return false;
        }
        buffer.checkLimit((int)end);
        return true;
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
        return buffer.capacity();
    }

    /**
     * @return times the buffer was given back after growing.
     */
    long shrinkCount()
    {
        return shrinkCount;
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
        if (buffer.capacity() > BASE_CAPACITY)
        {
            BufferUtil.free(buffer.byteBuffer());
            buffer = new ExpandableDirectByteBuffer(BASE_CAPACITY);
            shrinkCount++;
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
