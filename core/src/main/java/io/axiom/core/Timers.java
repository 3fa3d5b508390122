package io.axiom.core;

import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.function.LongFunction;

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
 * <p>
 * Order: a {@code wake_at} is an absolute epoch time, fixed when the timer is scheduled. Each poll takes every timer
 * due at its clock reading out of the wheel into a due heap and hands out the first {@link #MAX_TIMERS_PER_POLL} of
 * all pending due timers in {@code (deadline, workflow id, purpose)} order: the same timers in the same order
 * whatever the wheel's history (a wheel loaded from a snapshot, one polled for hours, leftovers of an earlier poll,
 * a wheel more than a turn behind the clock, another start time), which a replicated state machine needs. A taken
 * timer gets an id outside the wheel's ({@link #DUE} set), so a new timer scheduled into its freed slot can never be
 * mistaken for it. A clock that steps back delays every pending timer by the step: none fires before the clock
 * reads its {@code wake_at} again.
 */
final class Timers
{
    static final int WAKE = 0;
    static final int LEASE = 1;
    static final int MAX_TIMERS_PER_POLL = 1000;
    static final int TICK_MS = 8;
    static final int TICKS_PER_WHEEL = 512;
    /**
     * One turn: each tick's slot is checked against the clock, so one turn finds every due timer however far the wheel
     * lags behind the clock (after a pause, or a clock moved by days); more only costs the duty cycle (100,000 ticks
     * took 1.4 ms a poll, up to 9.9 ms, with 10,000 timers pending after a 30-day jump).
     */
    static final int MAX_TICKS_PER_POLL = TICKS_PER_WHEEL;
    /** Set in the id of a timer taken out of the wheel into the due list (wheel ids stay below 2^41). */
    static final long DUE = 1L << 62;
    private static final int INITIAL_DUE = 64;
    private static final int MAX_RETAINED_DUE = 64 * 1024;
    private static final int PURPOSE_BITS = 2;
    private static final int PURPOSE_MASK = (1 << PURPOSE_BITS) - 1;

    private final DeadlineTimerWheel wheel;
    /** timer id -> workflow id << 2 | purpose. */
    private final Long2LongHashMap owners = new Long2LongHashMap(-1);
    private final LongFunction<Workflow> workflows;
    private final DeadlineTimerWheel.TimerHandler collector = this::collect;
    /** The due heap: timers taken out of the wheel, a binary min-heap by (deadline, owner). */
    private long[] dueDeadlines = new long[INITIAL_DUE];
    private long[] dueOwners = new long[INITIAL_DUE];
    private long[] dueIds = new long[INITIAL_DUE];
    private int dueCount;
    private long dueSequence;

    /**
     * @param startTimeMs the clock now.
     * @param workflows   workflow by id.
     */
    Timers(final long startTimeMs, final LongFunction<Workflow> workflows)
    {
        this.wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, startTimeMs, TICK_MS, TICKS_PER_WHEEL);
        this.workflows = workflows;
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
        armAt(workflow, lease, Math.min(lease.expiresAt, lease.attemptDeadline));
    }

    /**
     * Arm the lease's one timer at a deadline (a snapshot's: where the timer was when it was taken).
     *
     * @param workflow holding the lease.
     * @param lease    the lease.
     * @param deadline epoch ms.
     */
    void armAt(final Workflow workflow, final Lease lease, final long deadline)
    {
        lease.timerId = remove(lease.timerId);
        lease.timerDeadline = deadline;
        lease.timerId = add(deadline, workflow.id, LEASE);
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
            if (0 == (timerId & DUE))
            {
                wheel.cancelTimer(timerId);
            }
            owners.remove(timerId); // a due timer stays in the due list, owned by none: handed out, it is dropped
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
        return owner < 0 ? -1 : (int)(owner & PURPOSE_MASK);
    }

    /**
     * @return timers pending: in the wheel, and due but not handed out yet.
     */
    long count()
    {
        return wheel.timerCount() + dueCount;
    }

    /**
     * Hand due timers to the handler: the first {@link #MAX_TIMERS_PER_POLL} of all pending timers whose deadline is
     * at or before {@code nowMs}, in {@code (deadline, workflow id, purpose)} order, whatever the wheel's history
     * (its start time, how far it lags, what an earlier poll left due). Every timer due at {@code nowMs} is first taken
     * out of the wheel into the due heap: the wheel moves at most one turn per poll, and as a tick's slot is checked
     * against {@code nowMs}, one turn finds every due timer, so a wheel days behind the clock costs a duty cycle no
     * more than one turn. A timer that belongs to none any more (cancelled after it was taken out) is dropped without
     * counting. A handler that returns false keeps its timer first and ends this poll (it could not act now).
     *
     * @param nowMs   the time, read once.
     * @param handler turns timers into events.
     * @return timers handled.
     */
    int poll(final long nowMs, final DeadlineTimerWheel.TimerHandler handler)
    {
        if (0 == wheel.timerCount())
        {
            if (0 == dueCount)
            {
                // Keep the idle wheel in step with the clock so that a new timer never waits for the wheel to catch up.
                wheel.resetStartTime(nowMs);
                if (dueIds.length > MAX_RETAINED_DUE)
                {
                    // A backlog (days down, millions due) leaves no big arrays behind.
                    dueDeadlines = new long[INITIAL_DUE];
                    dueOwners = new long[INITIAL_DUE];
                    dueIds = new long[INITIAL_DUE];
                }
                return 0;
            }
        }
        else
        {
            int ticks = 0;
            long tickTime;
            do
            {
                tickTime = wheel.currentTickTime();
                wheel.poll(nowMs, collector, Integer.MAX_VALUE);
            }
            while (wheel.currentTickTime() != tickTime && wheel.timerCount() > 0 && ++ticks < MAX_TICKS_PER_POLL);
        }
        int fired = 0;
        while (dueCount > 0 && fired < MAX_TIMERS_PER_POLL && dueDeadlines[0] <= nowMs)
        {
            final long timerId = dueIds[0];
            final long owner = owners.get(timerId);
            if (owner < 0 || null == workflows.apply(owner >>> PURPOSE_BITS))
            {
                owners.remove(timerId);
                popDue();
                continue;
            }
            if (!handler.onTimerExpiry(TimeUnit.MILLISECONDS, nowMs, timerId))
            {
                break;
            }
            popDue();
            fired++;
        }
        return fired;
    }

    private boolean collect(final TimeUnit timeUnit, final long nowMs, final long timerId)
    {
        final long owner = owners.remove(timerId);
        final Workflow workflow = owner < 0 ? null : workflows.apply(owner >>> PURPOSE_BITS);
        if (null == workflow)
        {
            return true;
        }
        final long dueId = DUE | ++dueSequence;
        final long deadline;
        if ((owner & PURPOSE_MASK) == WAKE && workflow.timerId == timerId)
        {
            workflow.timerId = dueId;
            deadline = workflow.wakeAt;
        }
        else if ((owner & PURPOSE_MASK) == LEASE && null != workflow.lease && workflow.lease.timerId == timerId)
        {
            workflow.lease.timerId = dueId;
            deadline = workflow.lease.timerDeadline;
        }
        else
        {
            return true; // belongs to none any more
        }
        owners.put(dueId, owner);
        if (dueCount == dueIds.length)
        {
            final int capacity = dueCount * 2;
            dueDeadlines = Arrays.copyOf(dueDeadlines, capacity);
            dueOwners = Arrays.copyOf(dueOwners, capacity);
            dueIds = Arrays.copyOf(dueIds, capacity);
        }
        int child = dueCount++;
        dueDeadlines[child] = deadline;
        dueOwners[child] = owner;
        dueIds[child] = dueId;
        while (child > 0)
        {
            final int parent = (child - 1) >>> 1;
            if (!before(child, parent))
            {
                break;
            }
            swap(child, parent);
            child = parent;
        }
        return true;
    }

    /**
     * Take the first timer off the due heap (a binary min-heap by (deadline, owner)): no allocation, log n.
     */
    private void popDue()
    {
        final int last = --dueCount;
        if (last > 0)
        {
            swap(0, last);
            int parent = 0;
            while (true)
            {
                int child = 2 * parent + 1;
                if (child >= last)
                {
                    break;
                }
                if (child + 1 < last && before(child + 1, child))
                {
                    child++;
                }
                if (!before(child, parent))
                {
                    break;
                }
                swap(parent, child);
                parent = child;
            }
        }
    }

    private boolean before(final int a, final int b)
    {
        return dueDeadlines[a] < dueDeadlines[b] || (dueDeadlines[a] == dueDeadlines[b] && dueOwners[a] < dueOwners[b]);
    }

    private void swap(final int a, final int b)
    {
        final long deadline = dueDeadlines[a];
        dueDeadlines[a] = dueDeadlines[b];
        dueDeadlines[b] = deadline;
        final long owner = dueOwners[a];
        dueOwners[a] = dueOwners[b];
        dueOwners[b] = owner;
        final long id = dueIds[a];
        dueIds[a] = dueIds[b];
        dueIds[b] = id;
    }

    /**
     * Forget a timer handed out that belongs to none (it is no longer in the wheel).
     */
    void expired(final long timerId)
    {
        owners.remove(timerId);
    }
}
