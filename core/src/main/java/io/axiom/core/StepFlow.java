package io.axiom.core;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.StepType;
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

    private final EventWriter events;

    StepFlow(final EventWriter events)
    {
        this.events = events;
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
            events.timerScheduled(workflow, stepIndex, events.now() + workflow.definition.durationMs[stepIndex]);
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
