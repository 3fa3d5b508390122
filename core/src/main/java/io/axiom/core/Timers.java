package io.axiom.core;

import java.util.concurrent.TimeUnit;

import org.agrona.DeadlineTimerWheel;
import org.agrona.collections.Long2LongHashMap;

/**
 * The processor's timers: one Agrona {@link DeadlineTimerWheel} (1 ms resolution), and which workflow each timer
 * belongs to. A workflow has at most one timer at a time (its {@code timerId}); scheduling and cancelling happen only
 * in the {@link Applier}, so replay rebuilds exactly the timers the log implies. Due timers are handed to a
 * {@link DeadlineTimerWheel.TimerHandler} (the {@link TimerDecider}) that turns them into events.
 */
final class Timers
{
    static final int MAX_TIMERS_PER_POLL = 1000;
    static final int MAX_TICKS_PER_POLL = 100_000;

    private final DeadlineTimerWheel wheel;
    private final Long2LongHashMap timerToWorkflow = new Long2LongHashMap(-1);

    Timers(final long startTimeMs)
    {
        this.wheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, startTimeMs, 8, 512);
    }

    /**
     * @param workflow to wake.
     * @param deadline epoch ms.
     */
    void schedule(final Workflow workflow, final long deadline)
    {
        cancel(workflow);
        workflow.wakeAt = deadline;
        workflow.timerId = wheel.scheduleTimer(deadline);
        timerToWorkflow.put(workflow.timerId, workflow.id);
    }

    /**
     * @param workflow whose timer, if any, no longer applies.
     */
    void cancel(final Workflow workflow)
    {
        if (workflow.timerId != Workflow.NO_TIMER)
        {
            wheel.cancelTimer(workflow.timerId);
            timerToWorkflow.remove(workflow.timerId);
            workflow.timerId = Workflow.NO_TIMER;
        }
        workflow.wakeAt = 0;
    }

    /**
     * @param timerId a timer the wheel handed out.
     * @return the workflow it wakes, or -1 when it no longer belongs to one.
     */
    long workflowOf(final long timerId)
    {
        return timerToWorkflow.get(timerId);
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
}
