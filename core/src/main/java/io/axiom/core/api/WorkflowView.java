package io.axiom.core.api;

import java.util.List;

/**
 * A workflow as of the moment the processor answered, consistent with every write before the query.
 *
 * @param id             assigned by the engine.
 * @param name           workflow name.
 * @param state          CREATED, RUNNING, WAITING, COMPLETED, FAILED or CANCELLED.
 * @param currentStep    index of the step in progress, or -1 once the workflow is terminal.
 * @param steps          every step with its status.
 * @param inputJson      the input document as JSON text.
 * @param idempotencyKey the create's idempotency key, or null.
 * @param createdAt      epoch ms, stamped by the processor.
 * @param updatedAt      epoch ms of the newest event.
 * @param eventCount     events in the log for this workflow.
 * @param lastPosition   journal position of the newest event.
 * @param wakeAt         epoch ms at which a pending timer fires, 0 if none.
 * @param reason         why the workflow failed or was cancelled, or null.
 */
public record WorkflowView(
    long id,
    String name,
    String state,
    int currentStep,
    List<StepView> steps,
    String inputJson,
    String idempotencyKey,
    long createdAt,
    long updatedAt,
    int eventCount,
    long lastPosition,
    long wakeAt,
    String reason,
    boolean outputsOmitted)
{
    /**
     * @return the name of the step in progress, or null once terminal.
     */
    public String currentStepName()
    {
        return currentStep >= 0 && currentStep < steps.size() ? steps.get(currentStep).name() : null;
    }
}
