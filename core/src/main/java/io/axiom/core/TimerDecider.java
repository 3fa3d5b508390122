package io.axiom.core;

import java.util.concurrent.TimeUnit;

import io.axiom.codecs.CompletedBy;
import org.agrona.DeadlineTimerWheel;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns a due timer into events: TimerFired, then the timer step completes (by TIMER) and the workflow moves on.
 * When the journal has no room (disk full) the timer is kept and tried again on a later duty cycle: a timer is
 * late, never lost.
 */
final class TimerDecider implements DeadlineTimerWheel.TimerHandler
{
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final EngineState state;
    private final EventWriter events;
    private final StepFlow flow;

    TimerDecider(final EngineState state, final EventWriter events, final StepFlow flow)
    {
        this.state = state;
        this.events = events;
        this.flow = flow;
    }

    public boolean onTimerExpiry(final TimeUnit timeUnit, final long nowMs, final long timerId)
    {
        final Workflow workflow = state.workflow(state.timers.workflowOf(timerId));
        if (null == workflow || workflow.timerId != timerId || workflow.isTerminal())
        {
            return true;
        }
        if (!events.ensureRoom(2 * EventWriter.SMALL_EVENT_BOUND + StepFlow.SCHEDULE_BOUND))
        {
            return false;
        }
        events.timerFired(workflow);
        flow.completeCurrentStep(workflow, CompletedBy.TIMER, 0, EMPTY, 0, 0, EMPTY, 0, 0);
        return true;
    }
}
