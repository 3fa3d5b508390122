package io.axiom.gateway.chaos;

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.axiom.journal.JournalFaults;
import io.axiom.transport.FrameFaults;

/**
 * The switches the seams read: the journal before a flush, the processor at the start of a duty cycle, the worker
 * endpoint for each frame received and sent. Installed only when chaos is enabled, and then inert (one volatile read
 * per call) until a run turns a scenario on.
 * <p>
 * Each seam is called from one thread (the processor's: flush, duty cycle and sends; the endpoint's: receives), so
 * each thread has its own seeded random source and the counts are the only shared state.
 */
public final class ChaosFaults implements JournalFaults, FrameFaults
{
    /** Largest latency added to one flush. */
    static final long MAX_FLUSH_DELAY_US = 20_000;
    /** Share of flushes delayed. */
    static final double FLUSH_DELAY_RATE = 0.2;
    /** Largest pause of the processor at a duty cycle. */
    static final long MAX_DUTY_DELAY_US = 20_000;
    /** The processor pauses once in this many milliseconds on average. */
    static final long DUTY_DELAY_EVERY_MS = 100;
    /** Largest latency added to one frame, either way. */
    static final long MAX_FRAME_DELAY_US = 5_000;
    /** Share of frames delayed, either way. */
    static final double FRAME_DELAY_RATE = 0.05;

    private volatile boolean delays;
    private volatile double dropRate;
    private volatile SplittableRandom processorRandom = new SplittableRandom(0);
    private volatile SplittableRandom endpointRandom = new SplittableRandom(1);
    private long nextDutyDelayNs;

    final AtomicLong flushesDelayed = new AtomicLong();
    final AtomicLong dutyCyclesDelayed = new AtomicLong();
    final AtomicLong framesDelayed = new AtomicLong();
    final AtomicLong framesDroppedReceived = new AtomicLong();
    final AtomicLong framesDroppedSent = new AtomicLong();
    final AtomicLong delayInjectedUs = new AtomicLong();

    /**
     * Turn latency injection on or off.
     *
     * @param on   true to inject.
     * @param seed seeds the random sources of this run.
     */
    void delays(final boolean on, final long seed)
    {
        if (on)
        {
            reseed(seed);
        }
        delays = on;
    }

    /**
     * @param rate share of worker frames dropped in each direction, 0 to stop.
     * @param seed seeds the random sources of this run.
     */
    void drops(final double rate, final long seed)
    {
        if (rate > 0)
        {
            reseed(seed);
        }
        dropRate = rate;
    }

    private void reseed(final long seed)
    {
        processorRandom = new SplittableRandom(seed);
        endpointRandom = new SplittableRandom(seed ^ 0x5DEECE66DL);
    }

    @Override
    public void beforeFlush()
    {
        if (delays)
        {
            final SplittableRandom random = processorRandom;
            if (random.nextDouble() < FLUSH_DELAY_RATE)
            {
                flushesDelayed.incrementAndGet();
                pause(random.nextLong(1, MAX_FLUSH_DELAY_US + 1));
            }
        }
    }

    /**
     * The processor's duty-cycle seam: now and then a pause, as a descheduled thread or a GC would.
     */
    public void onDutyCycle()
    {
        if (delays)
        {
            final long now = System.nanoTime();
            if (0 == nextDutyDelayNs)
            {
                nextDutyDelayNs = now + nextDutyInterval();
            }
            else if (now - nextDutyDelayNs >= 0)
            {
                nextDutyDelayNs = now + nextDutyInterval();
                dutyCyclesDelayed.incrementAndGet();
                pause(processorRandom.nextLong(1, MAX_DUTY_DELAY_US + 1));
            }
        }
    }

    private long nextDutyInterval()
    {
        return TimeUnit.MILLISECONDS.toNanos(processorRandom.nextLong(1, 2 * DUTY_DELAY_EVERY_MS));
    }

    @Override
    public boolean onReceive(final int templateId)
    {
        return pass(endpointRandom, framesDroppedReceived);
    }

    @Override
    public boolean onSend()
    {
        return pass(processorRandom, framesDroppedSent);
    }

    private boolean pass(final SplittableRandom random, final AtomicLong dropped)
    {
        final double drop = dropRate;
        if (drop > 0 && random.nextDouble() < drop)
        {
            dropped.incrementAndGet();
            return false;
        }
        if (delays && random.nextDouble() < FRAME_DELAY_RATE)
        {
            framesDelayed.incrementAndGet();
            pause(random.nextLong(1, MAX_FRAME_DELAY_US + 1));
        }
        return true;
    }

    private void pause(final long micros)
    {
        delayInjectedUs.addAndGet(micros);
        LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
    }
}
