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
 *     <li>{@link #LEASE_EXPIRY}: when a worker's lease runs out unless heartbeats extend it (soft state);</li>
 *     <li>{@link #ATTEMPT_DEADLINE}: the cap on one attempt, {@code worker-timeout-ms} or the step's timeout, from
 *     the StepLeased event.</li>
 * </ul>
 * Scheduling and cancelling happen only while events are applied (and, for lease expiry, when a heartbeat extends a
 * lease), so replay rebuilds exactly the timers the log implies. Due timers are handed to the {@link TimerDecider},
 * which turns them into events.
 */
final class Timers
{
    static final int WAKE = 0;
    static final int LEASE_EXPIRY = 1;
    static final int ATTEMPT_DEADLINE = 2;
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
     * (Re)arm a lease's expiry.
     *
     * @param workflow  holding the lease.
     * @param lease     the lease.
     * @param expiresAt epoch ms.
     */
    void leaseExpiry(final Workflow workflow, final Lease lease, final long expiresAt)
    {
        lease.expiryTimerId = remove(lease.expiryTimerId);
        lease.expiresAt = expiresAt;
        lease.expiryTimerId = add(expiresAt, workflow.id, LEASE_EXPIRY);
    }

    /**
     * Arm the cap on the lease's attempt.
     */
    void attemptDeadline(final Workflow workflow, final Lease lease)
    {
        lease.deadlineTimerId = remove(lease.deadlineTimerId);
        lease.deadlineTimerId = add(lease.attemptDeadline, workflow.id, ATTEMPT_DEADLINE);
    }

    /**
     * @param lease whose timers no longer apply.
     */
    void cancel(final Lease lease)
    {
        lease.expiryTimerId = remove(lease.expiryTimerId);
        lease.deadlineTimerId = remove(lease.deadlineTimerId);
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
     * @return its purpose ({@link #WAKE}, {@link #LEASE_EXPIRY}, {@link #ATTEMPT_DEADLINE}), or -1.
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
