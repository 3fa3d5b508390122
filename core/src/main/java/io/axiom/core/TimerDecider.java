package io.axiom.core;

import java.util.concurrent.TimeUnit;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.FailureKind;
import io.axiom.codecs.StepType;
import io.axiom.codecs.TimerPurpose;
import org.agrona.DeadlineTimerWheel;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Turns a due timer into events, by its purpose:
 * <ul>
 *     <li>a timer step's timer: TimerFired, then the step completes (by TIMER) and the workflow moves on;</li>
 *     <li>a retry backoff: TimerFired, the workflow resumes and the step's next attempt is scheduled;</li>
 *     <li>a lease's timer: the attempt fails TIMED_OUT past its deadline, LEASE_EXPIRED past an expiry no heartbeat
 *     moved on; a lease that heartbeats extended just gets its timer set again;</li>
 * </ul>
 * a failed attempt being retried or failing the workflow by the step's policy ({@link StepFlow#failAttempt}). When
 * the journal has no room (disk full) the timer is kept and tried again on a later duty cycle: a timer is late, never
 * lost.
 */
final class TimerDecider implements DeadlineTimerWheel.TimerHandler
{
    private static final UnsafeBuffer EMPTY = new UnsafeBuffer(new byte[0]);

    private final EngineState state;
    private final EventWriter events;
    private final StepFlow flow;
    private long leaseExpiries;
    private long attemptTimeouts;

    TimerDecider(final EngineState state, final EventWriter events, final StepFlow flow)
    {
        this.state = state;
        this.events = events;
        this.flow = flow;
    }

    public boolean onTimerExpiry(final TimeUnit timeUnit, final long nowMs, final long timerId)
    {
        final int purpose = state.timers.purposeOf(timerId);
        final Workflow workflow = state.workflow(state.timers.workflowOf(timerId));
        if (null == workflow || workflow.isTerminal() || !owns(workflow, purpose, timerId))
        {
            state.timers.expired(timerId);
            return true;
        }
        if (purpose == Timers.LEASE)
        {
            final Lease lease = workflow.lease;
            if (nowMs < lease.attemptDeadline && nowMs < lease.expiresAt)
            {
                state.timers.arm(workflow, lease); // heartbeats moved the expiry on since the timer was set
                return true;
            }
        }
        if (!events.ensureRoom(StepFlow.failAttemptBound(0) + 2 * EventWriter.SMALL_EVENT_BOUND))
        {
            return false;
        }
        switch (purpose)
        {
            case Timers.WAKE ->
            {
                if (workflow.definition.stepTypes[workflow.currentStep] == StepType.TIMER)
                {
                    events.timerFired(workflow, TimerPurpose.STEP_TIMER);
                    flow.completeCurrentStep(workflow, CompletedBy.TIMER, 0, EMPTY, 0, 0, EMPTY, 0, 0);
                }
                else
                {
                    flow.retryAfterBackoff(workflow);
                }
            }
            default ->
            {
                if (nowMs >= workflow.lease.attemptDeadline)
                {
                    attemptTimeouts++;
                    flow.failAttempt(workflow, FailureKind.TIMED_OUT, true, EMPTY, 0, 0);
                }
                else
                {
                    leaseExpiries++;
                    flow.failAttempt(workflow, FailureKind.LEASE_EXPIRED, true, EMPTY, 0, 0);
                }
            }
        }
        return true;
    }

    private static boolean owns(final Workflow workflow, final int purpose, final long timerId)
    {
        return switch (purpose)
        {
            case Timers.WAKE -> workflow.timerId == timerId;
            case Timers.LEASE -> null != workflow.lease && workflow.lease.timerId == timerId;
            default -> false;
        };
    }

    long leaseExpiries()
    {
        return leaseExpiries;
    }

    long attemptTimeouts()
    {
        return attemptTimeouts;
    }
}
