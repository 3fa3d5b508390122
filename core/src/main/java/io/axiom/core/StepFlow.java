package io.axiom.core;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.FailureKind;
import io.axiom.codecs.StepType;
import io.axiom.codecs.TimerPurpose;
import io.axiom.codecs.WaitReason;
import io.axiom.codecs.WorkflowState;
import org.agrona.DirectBuffer;

/**
 * How a workflow moves on: what is written when a step starts and when its result commits. Shared by every decider
 * that completes a step (an operator's advance, a timer; workers later), so the progression rules live once.
 */
final class StepFlow
{
    /** Upper bound of what {@link #schedule} or the end of a workflow writes: resumed, scheduled, timer, waiting. */
    static final int SCHEDULE_BOUND = 4 * EventWriter.SMALL_EVENT_BOUND;
    /** Longest error text kept from a worker (bytes); a longer one is cut. */
    static final int MAX_ERROR_BYTES = 4096;

    private final EventWriter events;
    private long retries;
    private long workflowsFailed;
    private final org.agrona.ExpandableArrayBuffer reason = new org.agrona.ExpandableArrayBuffer(256);

    StepFlow(final EventWriter events)
    {
        this.events = events;
    }

    /**
     * @return upper bound of what {@link #failAttempt} writes for an error of this length.
     */
    static int failAttemptBound(final int errorLength)
    {
        return EventWriter.frameBound(EventWriter.attemptFailedLength(errorLength)) +
            EventWriter.frameBound(EventWriter.workflowFailedLength(errorLength + 256)) + SCHEDULE_BOUND;
    }

    /**
     * The current attempt of the leased task step failed (the worker said so, its lease expired, or it ran out of
     * time): record it, then retry by the step's policy (at once, or after a backoff in which the workflow waits), or
     * fail the workflow when the attempts are exhausted or the failure is not retryable.
     *
     * @param workflow    the workflow, its current task step leased.
     * @param kind        ERROR, LEASE_EXPIRED or TIMED_OUT.
     * @param retryable   false to fail the workflow whatever attempts remain.
     * @param error       what went wrong (UTF-8), possibly empty.
     * @param errorOffset of the error.
     * @param errorLength of the error, at most {@link #MAX_ERROR_BYTES}.
     */
    void failAttempt(
        final Workflow workflow,
        final FailureKind kind,
        final boolean retryable,
        final DirectBuffer error,
        final int errorOffset,
        final int errorLength)
    {
        final int step = workflow.currentStep;
        final int attempt = workflow.attempt;
        final WorkflowDefinition definition = workflow.definition;
        events.stepAttemptFailed(workflow, workflow.lease.token, kind, retryable, error, errorOffset, errorLength);
        if (retryable && attempt < definition.maxAttempts[step])
        {
            retries++;
            final long backoff = backoffMs(definition, step, attempt);
            if (0 == backoff)
            {
                events.stepScheduled(workflow, step, attempt + 1);
            }
            else
            {
                events.timerScheduled(workflow, step, events.now() + backoff, TimerPurpose.RETRY_BACKOFF);
                events.waiting(workflow, step, WaitReason.RETRY_BACKOFF);
            }
        }
        else
        {
            int length = reason.putStringWithoutLengthAscii(0, "step ");
            length += reason.putIntAscii(length, step);
            length += reason.putStringWithoutLengthAscii(length, retryable ? " failed after " : " failed (not retryable) on attempt ");
            length += reason.putIntAscii(length, attempt);
            length += reason.putStringWithoutLengthAscii(length, retryable ? " attempts: " : ": ");
            length += reason.putStringWithoutLengthAscii(length, kind.name());
            if (errorLength > 0)
            {
                length += reason.putStringWithoutLengthAscii(length, ": ");
                reason.putBytes(length, error, errorOffset, errorLength);
                length += errorLength;
            }
            events.workflowFailed(workflow, reason, 0, length);
            workflowsFailed++;
        }
    }

    /**
     * @return failed attempts that were retried, since start.
     */
    long retries()
    {
        return retries;
    }

    /**
     * @return workflows failed because a step's attempts were exhausted or a failure was not retryable, since start.
     */
    long workflowsFailed()
    {
        return workflowsFailed;
    }

    /**
     * After a backoff: the next attempt of the current task step.
     */
    void retryAfterBackoff(final Workflow workflow)
    {
        events.timerFired(workflow, TimerPurpose.RETRY_BACKOFF);
        events.resumed(workflow, workflow.currentStep);
        events.stepScheduled(workflow, workflow.currentStep, workflow.attempt + 1);
    }

    /**
     * @param attempt the attempt that failed, from 1.
     * @return the backoff before the next one: backoff x multiplier^(attempt - 1), at most max backoff.
     */
    static long backoffMs(final WorkflowDefinition definition, final int step, final int attempt)
    {
        final long initial = definition.backoffMs[step];
        final long max = definition.maxBackoffMs[step];
        final double value = initial * Math.pow(definition.multiplier[step], Math.max(0, attempt - 1));
        return value >= max ? max : (long)value;
    }

    /**
     * Start a step: a task step queues for a worker (resuming a waiting workflow first), a timer step schedules its
     * timer and waits, an approval step waits.
     *
     * @param workflow  the workflow.
     * @param stepIndex the step to start: 0, or the one after the completed current step.
     */
    void schedule(final Workflow workflow, final int stepIndex)
    {
        final StepType type = workflow.definition.stepTypes[stepIndex];
        if (type == StepType.TASK && workflow.state == WorkflowState.WAITING)
        {
            events.resumed(workflow, stepIndex);
        }
        events.stepScheduled(workflow, stepIndex, 1);
        if (type == StepType.TIMER)
        {
            events.timerScheduled(workflow, stepIndex, events.now() + workflow.definition.durationMs[stepIndex],
                TimerPurpose.STEP_TIMER);
            events.waiting(workflow, stepIndex, WaitReason.TIMER);
        }
        else if (type == StepType.APPROVAL)
        {
            events.waiting(workflow, stepIndex, WaitReason.APPROVAL);
        }
    }

    /**
     * Commit the current step's result, then start the next step or complete the workflow.
     *
     * @param workflow     the workflow, its current step in progress.
     * @param by           who completed it.
     * @param fencingToken the lease's token for a worker completion, else 0.
     * @param output       the step's output (JSON bytes), possibly empty.
     * @param outputOffset of the output.
     * @param outputLength of the output.
     * @param key          the request's Idempotency-Key (ASCII), possibly empty.
     * @param keyOffset    of the key.
     * @param keyLength    of the key.
     */
    void completeCurrentStep(
        final Workflow workflow,
        final CompletedBy by,
        final long fencingToken,
        final DirectBuffer output,
        final int outputOffset,
        final int outputLength,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength)
    {
        events.stepCompleted(workflow, by, fencingToken, output, outputOffset, outputLength, key, keyOffset, keyLength);
        final int next = workflow.currentStep + 1;
        if (next < workflow.definition.stepCount())
        {
            schedule(workflow, next);
        }
        else
        {
            events.workflowCompleted(workflow);
        }
    }
}
