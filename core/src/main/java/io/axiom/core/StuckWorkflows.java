package io.axiom.core;

import io.axiom.codecs.WorkflowState;
import io.axiom.core.api.Violation;

/**
 * Verify's last check, on the state the whole log built: no workflow that has not ended may be stuck. Something must
 * be due to move each one, and what can be is known from the log alone:
 * <ul>
 *     <li>a task step: queued for a worker ({@link TaskQueues}), leased (the {@link Lease}'s timer turns a worker that
 *     went away into a failed attempt), or, after a failed attempt, waiting for its retry backoff timer;</li>
 *     <li>a timer step: its timer pending ({@link Timers}, {@code wakeAt});</li>
 *     <li>an approval step: the workflow WAITING, for an operator's advance.</li>
 * </ul>
 * A workflow whose first step was never scheduled, whose current step committed without the next step or the end
 * following, or whose step is none of the above, waits for an event that nothing will ever write. The deciders write
 * each of those follow-ups in the same unit as the event before it ({@link StepFlow}), so a sound log never ends
 * between them.
 */
final class StuckWorkflows
{
    private StuckWorkflows()
    {
    }

    /**
     * @param state      the state the replay built.
     * @param violations where each stuck workflow is reported, at its last event.
     */
    static void check(final EngineState state, final Violations violations)
    {
        for (int i = 0, size = state.workflows.size(); i < size; i++)
        {
            final Workflow w = state.workflows.get(i);
            if (null == w || w.isTerminal()) // a hole: it left the heap, ended
            {
                continue;
            }
            final String why = whyStuck(w);
            if (null != why)
            {
                violations.add(Violation.Kind.STUCK_WORKFLOW, w.id, w.currentStep, w.lastEventPosition(),
                    "workflow " + w.id + " is " + w.state + " at step " + w.currentStep + " (" +
                    w.definition.stepNames[w.currentStep] + ", attempt " + w.attempt + ") and nothing will move it: " +
                    why);
            }
        }
    }

    /**
     * @return why nothing will move the workflow, or null when something will.
     */
    static String whyStuck(final Workflow w)
    {
        if (!w.currentStepScheduled())
        {
            return "its first step was never scheduled";
        }
        final int step = w.currentStep;
        if (w.isCompleted(step))
        {
            return "the step committed at position " + w.completedPosition(step) + " but neither the next step " +
                "was scheduled nor the workflow completed";
        }
        return switch (w.definition.stepTypes[step])
        {
            case TASK -> whyTaskStuck(w);
            case TIMER -> 0 != w.wakeAt ? null : "a timer step without its timer (no TimerScheduled pending)";
            case APPROVAL -> w.state == WorkflowState.WAITING ? null :
                "an approval step, but the workflow is not WAITING for an operator";
            default -> "a step of unknown type";
        };
    }

    private static String whyTaskStuck(final Workflow w)
    {
        if (null != w.lease)
        {
            return null;
        }
        if (w.attemptFailed())
        {
            return 0 != w.wakeAt ? null : "attempt " + w.attempt + " failed, and neither a retry (a StepScheduled or " +
                "a retry backoff timer) nor the workflow's failure followed";
        }
        return null != w.taskQueue ? null : "the task step is neither queued for a worker nor leased";
    }
}
