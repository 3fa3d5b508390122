package io.axiom.core;

import java.lang.invoke.VarHandle;
import java.util.concurrent.locks.LockSupport;

import org.agrona.concurrent.IdleStrategy;

/**
 * How the processor waits for commands without burning a core: spin a little, yield a little, park in growing
 * steps, and once idle for a while, sleep until the timer tick. Every park is cut short by the first producer that
 * publishes meanwhile, so a command never waits for a park to run out (on Linux a park lasts at least the timer
 * slack, 50 µs).
 * <p>
 * The price of waking, one {@code unpark} by the first producer to publish into a parked processor, is paid only
 * when the processor is parked; an idle server costs close to nothing. The sleep is bounded,
 * so even a wake-up lost to a race costs at most {@code maxSleepNs} of latency, never a stuck command.
 */
final class ProcessorIdleStrategy implements IdleStrategy
{
    private static final int SPINS = 10;
    private static final int YIELDS = 20;
    private static final long MIN_PARK_NS = 1_000;
    private static final long MAX_PARK_NS = 50_000;
    private static final long PARKS_BEFORE_SLEEP = 40;

    private final CommandRing ring;
    private final long maxSleepNs;
    private int spins;
    private int yields;
    private long parks;
    private long parkNs = MIN_PARK_NS;

    /**
     * @param ring       whose producers wake the processor.
     * @param maxSleepNs longest deep sleep: the timer tick, so that due timers fire on time.
     */
    ProcessorIdleStrategy(final CommandRing ring, final long maxSleepNs)
    {
        this.ring = ring;
        this.maxSleepNs = maxSleepNs;
    }

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

    public void idle()
    {
        if (spins < SPINS)
        {
            spins++;
            Thread.onSpinWait();
        }
        else if (yields < YIELDS)
        {
            yields++;
            Thread.yield();
        }
        else if (parks < PARKS_BEFORE_SLEEP)
        {
            parks++;
            sleep(parkNs);
            parkNs = Math.min(parkNs << 1, MAX_PARK_NS);
        }
        else
        {
            sleep(maxSleepNs);
        }
    }

    /**
     * Park for at most nanos, woken early by the first producer that publishes meanwhile. Registering before the
     * last look at the ring (with a full fence between) means a publish is either seen here or wakes the park.
     */
    private void sleep(final long nanos)
    {
        ring.sleeper(Thread.currentThread());
        VarHandle.fullFence();
        if (!ring.hasUnprocessed())
        {
            LockSupport.parkNanos(nanos);
        }
        ring.sleeper(null);
    }

    public void reset()
    {
        spins = 0;
        yields = 0;
        parks = 0;
        parkNs = MIN_PARK_NS;
    }

    public String alias()
    {
        return "axiom-processor";
    }
}
