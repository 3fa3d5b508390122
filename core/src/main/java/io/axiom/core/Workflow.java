package io.axiom.core;

import io.axiom.codecs.WorkflowState;
import org.agrona.collections.LongArrayList;

/**
 * The live state of one workflow, owned by the processor thread and changed only by applying events.
 * <p>
 * What can be read back from the log is not kept here: input, outputs and reasons stay in the journal and are
 * fetched by position when a view is asked for.
 */
final class Workflow
{
    static final long NO_TIMER = -1;

    final long id;
    final WorkflowDefinition definition;
    final long createdPosition;
    final long createdAt;
    final long[] completedPositions;
    final LongArrayList eventPositions = new LongArrayList(12, Long.MIN_VALUE);

    WorkflowState state = WorkflowState.CREATED;
    int currentStep;
    int attempt;
    long updatedAt;
    long wakeAt;
    long timerId = NO_TIMER;
    long terminalPosition;
    WorkflowStateMachine.TaskQueue taskQueue;

    Workflow(final long id, final WorkflowDefinition definition, final long createdPosition, final long createdAt)
    {
        this.id = id;
        this.definition = definition;
        this.createdPosition = createdPosition;
        this.createdAt = createdAt;
        this.updatedAt = createdAt;
        this.completedPositions = new long[definition.stepCount()];
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
