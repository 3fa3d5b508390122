package io.axiom.core;

import io.axiom.codecs.WorkflowState;
import io.axiom.core.api.Violation;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;

/**
 * Verify's count of the StepCompleted records of a log per (workflow, step), kept apart from the applier so that it
 * judges the applier too: a step's result commits at most once (promise 2), and a COMPLETED workflow has exactly one
 * StepCompleted for each of its steps. A step's count is its committed StepCompleted (the one the applier accepted)
 * plus every later StepCompleted for it (each one a duplicate, whether the applier accepted it or not); a
 * StepCompleted refused for another reason (a stale token, a step not in progress) is reported as such and not
 * counted.
 * <p>
 * <b>Memory</b>, per workflow: one entry of a {@link Long2LongHashMap} (the workflow id to where its steps start in a
 * flat list, and its step count), and one long per step (the position of its first StepCompleted, 0 for none; the
 * first record of a log is at position 64, so 0 is never a record). A count per (workflow, step) is kept only where a
 * step has more than one, which a sound log never has.
 */
final class CompletionLedger
{
    /** Returned for a workflow this ledger does not know, or a step it does not have. */
    static final long UNKNOWN = -1;
    private static final int STEP_BITS = 16;
    private static final long STEP_MASK = (1L << STEP_BITS) - 1;

    /** workflow id -> (index of its first step in {@link #first}) << 16 | step count. */
    private final Long2LongHashMap stepsOf = new Long2LongHashMap(UNKNOWN);
    private final LongArrayList first = new LongArrayList();
    /** index in {@link #first} -> StepCompleted records beyond the first. */
    private final Long2LongHashMap extra = new Long2LongHashMap(0);

    /**
     * A workflow the applier created.
     *
     * @param workflowId its id.
     * @param steps      its step count (at most 65,535, what the schema can hold).
     */
    void created(final long workflowId, final int steps)
    {
        stepsOf.put(workflowId, ((long)first.size() << STEP_BITS) | steps);
        for (int i = 0; i < steps; i++)
        {
            first.addLong(0);
        }
    }

    /**
     * @param workflowId a workflow.
     * @param step       one of its steps.
     * @return the position of the step's committed StepCompleted, 0 when it has none yet, {@link #UNKNOWN} when the
     * workflow was never created or has no such step (the applier judges that).
     */
    long committedAt(final long workflowId, final int step)
    {
        final long index = index(workflowId, step);
        return UNKNOWN == index ? UNKNOWN : first.getLong((int)index);
    }

    /**
     * The applier accepted a StepCompleted: the step's result is committed.
     *
     * @param workflowId the workflow.
     * @param step       the step.
     * @param position   the StepCompleted's position.
     */
    void committed(final long workflowId, final int step, final long position)
    {
        final long index = index(workflowId, step);
        if (UNKNOWN != index)
        {
            if (0 == first.getLong((int)index))
            {
                first.setLong((int)index, position);
            }
            else
            {
                extra.put(index, extra.get(index) + 1);
            }
        }
    }

    /**
     * Count a StepCompleted for a step whose result was committed before (reported as a duplicate, and refused).
     *
     * @param workflowId the workflow.
     * @param step       the step.
     */
    void duplicate(final long workflowId, final int step)
    {
        final long index = index(workflowId, step);
        if (UNKNOWN != index)
        {
            extra.put(index, extra.get(index) + 1);
        }
    }

    /**
     * @return StepCompleted records counted for the step, 0 for a workflow or step this ledger does not know.
     */
    long count(final long workflowId, final int step)
    {
        final long index = index(workflowId, step);
        if (UNKNOWN == index)
        {
            return 0;
        }
        return (0 == first.getLong((int)index) ? 0 : 1) + extra.get(index);
    }

    /**
     * Every COMPLETED workflow of the replayed state has exactly one StepCompleted per step in the log.
     *
     * @param state      the state the replay built.
     * @param violations where a workflow that does not is reported, at its WorkflowCompleted.
     */
    void checkCompletedWorkflows(final EngineState state, final Violations violations)
    {
        for (int i = 0, size = state.workflows.size(); i < size; i++)
        {
            final Workflow w = state.workflows.get(i);
            if (null == w || w.state != WorkflowState.COMPLETED) // a hole left the heap; checked while it was on it
            {
                continue;
            }
            for (int step = 0, steps = w.definition.stepCount(); step < steps; step++)
            {
                final long count = count(w.id, step);
                if (1 != count)
                {
                    violations.add(Violation.Kind.STEP_NOT_COMMITTED_ONCE, w.id, step, w.terminalPosition,
                        "workflow " + w.id + " is COMPLETED (WorkflowCompleted at position " + w.terminalPosition +
                        ") but its step " + step + " (" + w.definition.stepNames[step] + ") has " + count +
                        " StepCompleted records in the log; each step of a completed workflow commits exactly once");
                }
            }
        }
    }

    private long index(final long workflowId, final int step)
    {
        final long entry = stepsOf.get(workflowId);
        if (UNKNOWN == entry || step < 0 || step >= (entry & STEP_MASK))
        {
            return UNKNOWN;
        }
        return (entry >>> STEP_BITS) + step;
    }
}
