package io.axiom.core;

import java.util.concurrent.TimeUnit;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2LongHashMap;

/**
 * The processor's timers: one Agrona {@link DeadlineTimerWheel} (1 ms resolution), and what each timer is for. One
 * timer per purpose:
 * <ul>
 *     <li>{@link #WAKE}: the workflow's one logged timer, {@code wakeAt}: a timer step's timer, or a task step's
 *     retry backoff (TimerScheduled/TimerFired in the log);</li>
 *     <li>{@link #LEASE}: a worker's lease, one timer at the earlier of its expiry (soft state, moved on by heartbeats
 *     without touching the wheel: a timer that finds the lease extended is set again) and its attempt's deadline
 *     ({@code worker-timeout-ms} or the step's timeout, from the StepLeased event).</li>
 * </ul>
 * Scheduling and cancelling happen only while events are applied (and, for lease expiry, when a heartbeat extends a
 * lease), so replay rebuilds exactly the timers the log implies. Due timers are handed to the {@link TimerDecider},
 * which turns them into events.
 */
final class Timers
{
    static final int WAKE = 0;
    static final int LEASE = 1;
    static final int MAX_TIMERS_PER_POLL = 1000;
    static final int MAX_TICKS_PER_POLL = 100_000;
    private static final int PURPOSE_BITS = 2;

    private final DeadlineTimerWheel wheel;
    /** timer id -> workflow id << 2 | purpose. */
    private final Long2LongHashMap owners = new Long2LongHashMap(-1);

    Timers(final long startTimeMs)
    {
        this.wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, startTimeMs, 8, 512);
    }

    /**
     * Set the workflow's wake-up (a timer step's timer, or a retry backoff), replacing any.
     *
     * @param workflow to wake.
     * @param deadline epoch ms.
     */
    void schedule(final Workflow workflow, final long deadline)
    {
        cancel(workflow);
        workflow.wakeAt = deadline;
        workflow.timerId = add(deadline, workflow.id, WAKE);
    }

    /**
     * @param workflow whose wake-up, if any, no longer applies.
     */
    void cancel(final Workflow workflow)
    {
        workflow.timerId = remove(workflow.timerId);
        workflow.wakeAt = 0;
    }

    /**
     * Arm the lease's one timer at the earlier of its expiry and its attempt's deadline.
     *
     * @param workflow holding the lease.
     * @param lease    the lease, {@code expiresAt} set.
     */
    void arm(final Workflow workflow, final Lease lease)
    {
        lease.timerId = remove(lease.timerId);
        lease.timerId = add(Math.min(lease.expiresAt, lease.attemptDeadline), workflow.id, LEASE);
    }

    /**
     * @param lease whose timer no longer applies.
     */
    void cancel(final Lease lease)
    {
        lease.timerId = remove(lease.timerId);
    }

    private long add(final long deadline, final long workflowId, final int purpose)
    {
        final long timerId = wheel.scheduleTimer(deadline);
        owners.put(timerId, (workflowId << PURPOSE_BITS) | purpose);
        return timerId;
    }

    private long remove(final long timerId)
    {
        if (timerId != Workflow.NO_TIMER)
        {
            wheel.cancelTimer(timerId);
            owners.remove(timerId);
        }
        return Workflow.NO_TIMER;
    }

    /**
     * @param timerId a timer the wheel handed out.
     * @return the workflow it belongs to, or -1 when it belongs to none any more.
     */
    long workflowOf(final long timerId)
    {
        final long owner = owners.get(timerId);
        return owner < 0 ? -1 : owner >>> PURPOSE_BITS;
    }

    /**
     * @param timerId a timer the wheel handed out.
     * @return its purpose ({@link #WAKE}, {@link #LEASE}), or -1.
     */
    int purposeOf(final long timerId)
    {
        final long owner = owners.get(timerId);
        return owner < 0 ? -1 : (int)(owner & ((1 << PURPOSE_BITS) - 1));
    }

    long count()
    {
        return wheel.timerCount();
    }

    /**
     * Hand due timers to the handler. The wheel moves at most one tick per poll, so this catches up after a pause (or
     * a clock moved by hand), bounded so that a long outage cannot stall the duty cycle: the rest is caught up on the
     * next cycles. A handler that returns false keeps its timer and ends this poll (it could not act now).
     *
     * @param nowMs   the time, read once.
     * @param handler turns timers into events.
     * @return timers handled.
     */
    int poll(final long nowMs, final DeadlineTimerWheel.TimerHandler handler)
    {
        if (0 == wheel.timerCount())
        {
            // Keep the idle wheel in step with the clock so that a new timer never waits for the wheel to catch up.
            wheel.resetStartTime(nowMs);
            return 0;
        }
        int fired = 0;
        int ticks = 0;
        long tickTime;
        do
        {
            tickTime = wheel.currentTickTime();
            fired += wheel.poll(nowMs, handler, MAX_TIMERS_PER_POLL - fired);
        }
        while (wheel.currentTickTime() != tickTime && wheel.timerCount() > 0 &&
            fired < MAX_TIMERS_PER_POLL && ++ticks < MAX_TICKS_PER_POLL);
        return fired;
    }

    /**
     * Forget a timer the wheel just expired (it is no longer in the wheel).
     */
    void expired(final long timerId)
    {
        owners.remove(timerId);
    }
}
