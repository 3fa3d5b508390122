package io.axiom.core;

import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One entry of the command ring: an SBE command encoded in place, and where its reply goes.
 * <p>
 * A command that fits {@link #capacity()} bytes is encoded straight into the slot; a larger one (a big input
 * document) travels by reference with {@link #overflow(DirectBuffer, int)}. Slots are reused: the processor copies
 * what it keeps before the producer may claim the slot again.
 */
public final class CommandSlot
{
    private final UnsafeBuffer inline;
    private DirectBuffer overflow;
    private int length;
    private ReplySink replySink;
    private Object replyTo;
    private long publishedAtNs;

    CommandSlot(final int capacity)
    {
        // On the heap: the ring's memory is then the collector's to manage, and nothing can write into freed
        // native memory after the engine closed while a late producer still holds a slot.
        inline = new UnsafeBuffer(new byte[capacity]);
    }

    /**
     * Let go of the slot's memory and references once the ring is no longer consumed ({@link CommandRing#release()}).
     *
     * @param husk shared by every released slot of the ring, of this slot's capacity.
     */
    void release(final byte[] husk)
    {
        inline.wrap(husk);
        overflow = null;
        replyTo = null;
        replySink = null;
    }

    /**
     * @return the slot's own buffer, to encode a command of at most {@link #capacity()} bytes into.
     */
    public MutableDirectBuffer buffer()
    {
        return inline;
    }

    /**
     * @return bytes a command may take inside the slot.
     */
    public int capacity()
    {
        return inline.capacity();
    }

    /**
     * Command encoded in the slot's own buffer from offset 0.
     *
     * @param length of the encoded command, message header included.
     * @return this for a fluent API.
     */
    public CommandSlot length(final int length)
    {
        this.overflow = null;
        this.length = length;
        return this;
    }

    /**
     * Command too big for the slot, carried by reference; the producer must not touch the buffer afterwards.
     *
     * @param buffer holding the command from offset 0.
     * @param length of the encoded command, message header included.
     * @return this for a fluent API.
     */
    public CommandSlot overflow(final DirectBuffer buffer, final int length)
    {
        this.overflow = buffer;
        this.length = length;
        return this;
    }

    /**
     * @param sink    called with the reply after fsync.
     * @param replyTo passed back to the sink, identifying the waiting party.
     * @return this for a fluent API.
     */
    public CommandSlot replyTo(final ReplySink sink, final Object replyTo)
    {
        this.replySink = sink;
        this.replyTo = replyTo;
        return this;
    }

    void publishedAtNs(final long nanos)
    {
        publishedAtNs = nanos;
    }

    long publishedAtNs()
    {
        return publishedAtNs;
    }

    DirectBuffer commandBuffer()
    {
        return null != overflow ? overflow : inline;
    }

    int commandLength()
    {
        return length;
    }

    ReplySink replySink()
    {
        return replySink;
    }

    Object replyToObject()
    {
        return replyTo;
    }

    void clear()
    {
        overflow = null;
        replySink = null;
        replyTo = null;
        length = 0;
    }
}
