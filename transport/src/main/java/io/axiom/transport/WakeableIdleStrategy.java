package io.axiom.transport;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * The idle strategy of Axiom's agents (the worker endpoint, a worker's poller): spin a little, yield a little, then
 * park for 1 µs doubling up to 1 ms, so an idle agent wakes about a thousand times a second and costs next to nothing,
 * and another thread that hands it work can cut a park short with {@link #wake()}.
 * <p>
 * Work that arrives over the network cannot wake a park (Aeron's receive is a poll), so it waits at most the park in
 * progress; work handed over in memory (the engine's dispatches after a batch's fsync, a handler's outcome) need not
 * wait at all. The wake is one volatile read when the agent is busy and one {@code unpark} when it is parked. A wake
 * that races the agent's decision to park is lost and costs at most that one park: never a stuck frame.
 */
public final class WakeableIdleStrategy implements IdleStrategy
{
    private static final int MAX_SPINS = 10;
    private static final int MAX_YIELDS = 5;
    private static final long MIN_PARK_NS = TimeUnit.MICROSECONDS.toNanos(1);

    private final long minParkNs;
    private final long maxParkNs;
    private volatile Thread sleeper;
    private int spins;
    private int yields;
    private long parkNs;

    /**
     * Parks of up to 1 ms.
     */
    public WakeableIdleStrategy()
    {
        this(TimeUnit.MILLISECONDS.toNanos(1));
    }

    /**
     * @param maxParkNs the longest park, at least 1 µs.
     */
    public WakeableIdleStrategy(final long maxParkNs)
    {
        this(MIN_PARK_NS, maxParkNs);
    }

    WakeableIdleStrategy(final long minParkNs, final long maxParkNs)
    {
        if (minParkNs < 1 || maxParkNs < minParkNs)
        {
            throw new IllegalArgumentException("parks must be at least 1 ns and at most maxParkNs, got " + minParkNs +
                " to " + maxParkNs);
        }
        this.minParkNs = minParkNs;
        this.maxParkNs = maxParkNs;
        this.parkNs = minParkNs;
    }

    /**
     * Cut the park in progress short, if any; from any thread.
     */
    public void wake()
    {
        final Thread thread = sleeper;
        if (null != thread)
        {
            LockSupport.unpark(thread);
        }
    }

    @Override
    public void idle(final int workCount)
    {
        if (workCount > 0)
        {
            reset();
        }
        else
        {
            idle();
        }
    }

    @Override
    public void idle()
    {
        if (spins < MAX_SPINS)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < MAX_YIELDS)
        {
            yields++;
            Thread.yield();
        }
        else
        {
            sleeper = Thread.currentThread();
            LockSupport.parkNanos(parkNs);
            sleeper = null;
            parkNs = Math.min(parkNs << 1, maxParkNs);
        }
    }

    @Override
    public void reset()
    {
        spins = 0;
        yields = 0;
        parkNs = minParkNs;
    }

    @Override
    public String alias()
    {
        return "axiom-wakeable-backoff";
    }
}
