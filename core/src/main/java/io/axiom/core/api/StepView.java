package io.axiom.core.api;

/**
 * One step of a workflow as the engine sees it now.
 *
 * @param index       position of the step in the workflow, from 0.
 * @param name        step name.
 * @param kind        task, approval or timer.
 * @param status      PENDING, ACTIVE, COMPLETED, FAILED or CANCELLED.
 * @param attempts    attempts started so far.
 * @param completedAt epoch ms of completion, 0 if not completed.
 * @param outputJson  the committed output as JSON text, or null.
 * @param spec        the step's definition (timeouts, retry policy).
 */
public record StepView(
    int index, String name, StepKind kind, String status, int attempts, long completedAt, String outputJson, StepSpec spec)
{
}
