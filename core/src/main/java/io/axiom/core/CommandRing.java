package io.axiom.core;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import com.lmax.disruptor.SleepingWaitStrategy;

/**
 * The Disruptor ring that carries commands from many producers to the one processor.
 * <p>
 * Producers call {@link #tryNext()}, fill the {@link CommandSlot}, then {@link #publish(long)}. A full ring is
 * back-pressure: {@link #tryNext()} returns {@link #FULL} and the producer decides to wait or refuse. The processor
 * drains the ring through an {@link EventPoller}, so its loop is an Agrona agent with its own idle strategy and no
 * thread of the Disruptor's.
 */
public final class CommandRing
{
    /** Returned by {@link #tryNext()} when every slot is in use. */
    public static final long FULL = -1;

    private final RingBuffer<CommandSlot> ringBuffer;
    private final EventPoller<CommandSlot> poller;
    private volatile Thread sleeper;
    private SlotHandler drainHandler;
    private int drained;
    private final EventPoller.Handler<CommandSlot> drainAdapter = (slot, sequence, endOfBatch) ->
    {
        drained++;
        final boolean more = drainHandler.onSlot(slot);
        slot.clear();
        return more;
    };
    private static final VarHandle SLEEPER;

    static
    {
        try
        {
            SLEEPER = java.lang.invoke.MethodHandles.lookup().findVarHandle(CommandRing.class, "sleeper", Thread.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    CommandRing(final int size, final int slotCapacity)
    {
        // The wait strategy is never waited on (the processor polls); SleepingWaitStrategy's signal is free,
        // unlike a blocking strategy's, which would take a lock on every publish.
        ringBuffer = RingBuffer.createMultiProducer(() -> new CommandSlot(slotCapacity), size, new SleepingWaitStrategy());
        poller = ringBuffer.newPoller();
        ringBuffer.addGatingSequences(poller.getSequence());
    }

    /**
     * @return a sequence whose slot the caller must fill and publish, or {@link #FULL}.
     */
    public long tryNext()
    {
        try
        {
            return ringBuffer.tryNext();
        }
        catch (final InsufficientCapacityException ex)
        {
            return FULL;
        }
    }

    /**
     * @param sequence from {@link #tryNext()}.
     * @return the slot to fill.
     */
    public CommandSlot slot(final long sequence)
    {
        return ringBuffer.get(sequence);
    }

    /**
     * @param sequence from {@link #tryNext()}, its slot filled.
     */
    public void publish(final long sequence)
    {
        ringBuffer.get(sequence).publishedAtNs(System.nanoTime());
        ringBuffer.publish(sequence);
        VarHandle.fullFence();
        final Thread sleeper = this.sleeper;
        if (null != sleeper && SLEEPER.compareAndSet(this, sleeper, null))
        {
            LockSupport.unpark(sleeper);
        }
    }

    /**
     * @param thread the processor thread about to sleep until a publish, or null once it is awake.
     */
    void sleeper(final Thread thread)
    {
        sleeper = thread;
    }

    /**
     * @return true when a slot was claimed that the processor has not taken yet (published or about to be).
     */
    boolean hasUnprocessed()
    {
        return ringBuffer.getCursor() > poller.getSequence().get();
    }

    /**
     * Take what producers published, in order, on the caller's thread: for a host that carries the producers'
     * commands elsewhere first (hosted mode: the replicated log) and never alongside a processor polling this ring.
     *
     * @param handler called for each slot; returns false to stop after that slot. The slot is the ring's again
     *                once the handler returns: copy what is kept.
     * @return the number of slots taken.
     */
    public int drain(final SlotHandler handler)
    {
        drained = 0;
        drainHandler = handler;
        try
        {
            poller.poll(drainAdapter);
        }
        catch (final RuntimeException | Error ex)
        {
            throw ex;
        }
        catch (final Exception ex)
        {
            throw new IllegalStateException(ex);
        }
        finally
        {
            drainHandler = null;
        }
        return drained;
    }

    /**
     * What {@link #drain} hands each slot to.
     */
    @FunctionalInterface
    public interface SlotHandler
    {
        /**
         * @param slot a published command.
         * @return true to go on with the next slot, false to stop after this one.
         */
        boolean onSlot(CommandSlot slot);
    }

    /**
     * @return slots claimed but not yet processed.
     */
    public long occupancy()
    {
        return ringBuffer.getBufferSize() - ringBuffer.remainingCapacity();
    }

    /**
     * @return number of slots.
     */
    public int size()
    {
        return ringBuffer.getBufferSize();
    }

    /**
     * Once the processor has stopped for good: every slot lets go of its memory (about size x slot capacity on the
     * heap) and of what it referred to, so that a stopped engine still reachable from outside (a web server's
     * timer that was never cancelled, a test holding a client) keeps little. A late producer still encodes into a
     * shared husk of one slot's size, which nobody reads.
     */
    void release()
    {
        final int size = ringBuffer.getBufferSize();
        final byte[] husk = new byte[ringBuffer.get(0).capacity()];
        for (int i = 0; i < size; i++)
        {
            ringBuffer.get(i).release(husk);
        }
    }

    EventPoller<CommandSlot> poller()
    {
        return poller;
    }
}
