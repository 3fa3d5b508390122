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
    private int kind = LOCAL;
    private long logTimeMs;
    private long routeKey;

    /** A command from a producer on this machine, stamped with the processor's clock: the single-node way in. */
    public static final int LOCAL = 0;
    /** A command from the replicated log (hosted mode), stamped with the log's time. */
    public static final int LOGGED = 1;
    /** The log's timer tick (hosted mode): due timers fire, ended workflows retire, at the log's time. */
    public static final int TICK = 2;
    /** The log asks for the whole state at this point (hosted mode): the reply is the host's snapshot. */
    public static final int SNAPSHOT = 3;
    /** A client session of the log closed (hosted mode): every worker routed through it leaves. */
    public static final int SESSION_CLOSED = 4;

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
     * Copy a command into the slot: into its own buffer when it fits, else into a new buffer carried by reference.
     *
     * @param command holding the command, message header included.
     * @param offset  of the command.
     * @param length  of the command.
     * @return this for a fluent API.
     */
    public CommandSlot copyOf(final DirectBuffer command, final int offset, final int length)
    {
        if (length <= capacity())
        {
            inline.putBytes(0, command, offset, length);
            return length(length);
        }
        final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
        copy.putBytes(0, command, offset, length);
        return overflow(copy, length);
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

    /**
     * Mark the slot as an entry of the replicated log (hosted mode): the processor stamps its events with the
     * log's time, never its own clock, so every replica writes the same events.
     *
     * @param kind      {@link #LOGGED}, {@link #TICK}, {@link #SNAPSHOT} or {@link #SESSION_CLOSED}.
     * @param logTimeMs the log's timestamp of the entry, in milliseconds.
     * @param routeKey  the cluster-wide key of the worker connection a worker frame came from (0 for none), or the
     *                  closed session's id for {@link #SESSION_CLOSED}.
     * @return this for a fluent API.
     */
    public CommandSlot logged(final int kind, final long logTimeMs, final long routeKey)
    {
        this.kind = kind;
        this.logTimeMs = logTimeMs;
        this.routeKey = routeKey;
        return this;
    }

    /**
     * @return {@link #LOCAL} unless {@link #logged} marked the slot.
     */
    public int kind()
    {
        return kind;
    }

    long logTimeMs()
    {
        return logTimeMs;
    }

    long routeKey()
    {
        return routeKey;
    }

    /**
     * @return the buffer holding the command from offset 0 (the slot's own, or the one carried by reference).
     */
    public DirectBuffer command()
    {
        return commandBuffer();
    }

    /**
     * @return length of the command, message header included.
     */
    public int length()
    {
        return length;
    }

    /**
     * @return where the reply goes, or null.
     */
    public ReplySink sink()
    {
        return replySink;
    }

    /**
     * @return the producer's token for the sink.
     */
    public Object replyToken()
    {
        return replyTo;
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
        kind = LOCAL;
        routeKey = 0;
    }
}
