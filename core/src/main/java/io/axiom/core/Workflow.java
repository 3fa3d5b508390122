package io.axiom.core;

import io.axiom.codecs.WorkflowState;

/**
 * The live state of one workflow, owned by the processor thread and changed only by applying events.
 * <p>
 * What can be read back from the log is not kept here: input, outputs and reasons stay in the journal and are
 * fetched by position when a view is asked for.
 */
final class Workflow
{
    static final long NO_TIMER = -1;
    /** {@link #flags}: the current attempt of the current step failed and no new attempt was scheduled yet. */
    static final int ATTEMPT_FAILED = 1;

    final long id;
    final WorkflowDefinition definition;
    final long createdPosition;
    final long createdAt;
    /**
     * One array for both position lists, so that reading a workflow touches two objects, not four: entries
     * [0, stepCount) are the positions of each step's StepCompleted (0 = not completed), entries
     * [stepCount, stepCount + eventCount) the positions of the workflow's events in log order.
     */
    private long[] positions;
    private int eventCount;

    WorkflowState state = WorkflowState.CREATED;
    int currentStep;
    int attempt;
    long updatedAt;
    long wakeAt;
    long timerId = NO_TIMER;
    long terminalPosition;
    int flags;
    TaskQueues.Queue taskQueue;
    /**
     * Its place in the order workflows became ready ({@link TaskQueues}) or ended ({@link EngineState#ended}): a
     * number from {@link EngineState#orderSequence}, in snapshots, so a loaded state serves them in the same order.
     */
    long orderSeq;
    /** The lease on the current task step while a worker holds it, else null. */
    Lease lease;
    /** Its name in the {@link NameIndex} (soft state: set when it is indexed). */
    NameIndex.Name name;
    /** The Idempotency-Key it was created with, or null: the same String as the key map's while it is on the heap. */
    String createKey;

    Workflow(final long id, final WorkflowDefinition definition, final long createdPosition, final long createdAt)
    {
        this.id = id;
        this.definition = definition;
        this.createdPosition = createdPosition;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        final int steps = definition.stepCount();
        this.positions = new long[steps + 2 * steps + 3];
    }

    long completedPosition(final int stepIndex)
    {
        return positions[stepIndex];
    }

    void completedPosition(final int stepIndex, final long position)
    {
        positions[stepIndex] = position;
    }

    int eventCount()
    {
        return eventCount;
    }

    long eventPosition(final int index)
    {
        if (index < 0 || index >= eventCount)
        {
            throw new IndexOutOfBoundsException("event " + index + " of " + eventCount);
        }
        return positions[definition.stepCount() + index];
    }

    long lastEventPosition()
    {
        return positions[definition.stepCount() + eventCount - 1];
    }

    /**
     * Make room for count more event positions at once, exactly (a snapshot load knows how many follow).
     */
    void reserveEvents(final int count)
    {
        final int needed = definition.stepCount() + eventCount + count;
        if (needed > positions.length)
        {
            positions = java.util.Arrays.copyOf(positions, needed);
        }
    }

    void addEvent(final long position)
    {
        final int index = definition.stepCount() + eventCount;
        if (index == positions.length)
        {
            positions = java.util.Arrays.copyOf(positions, index + Math.max(4, eventCount >> 1));
        }
        positions[index] = position;
        eventCount++;
    }

    /**
     * @return true once the current step has been scheduled (its first StepScheduled applied).
     */
    boolean currentStepScheduled()
    {
        return attempt > 0;
    }

    /**
     * @param stepIndex a step of this workflow.
     * @return true when that step's result is committed.
     */
    boolean isCompleted(final int stepIndex)
    {
        return 0 != positions[stepIndex];
    }

    boolean attemptFailed()
    {
        return 0 != (flags & ATTEMPT_FAILED);
    }

    boolean isTerminal()
    {
        return state == WorkflowState.COMPLETED || state == WorkflowState.FAILED || state == WorkflowState.CANCELLED;
    }

    String currentStepName()
    {
        return isTerminal() ? null : definition.stepNames[currentStep];
    }
}
