package io.axiom.worker;

import java.nio.charset.StandardCharsets;

/**
 * One task the engine dealt to this worker: one attempt of one step of one workflow, held under a lease whose fencing
 * token the worker's answers carry. Immutable; safe to keep and to read from any thread.
 */
public final class Task
{
    private final long taskId;
    private final long workflowId;
    private final int stepIndex;
    private final String stepName;
    private final int attempt;
    private final String idempotencyKey;
    private final long fencingToken;
    private final long leaseExpiresAt;
    private final long attemptDeadline;
    private final byte[] input;

    Task(
        final long taskId,
        final long workflowId,
        final int stepIndex,
        final String stepName,
        final int attempt,
        final String idempotencyKey,
        final long fencingToken,
        final long leaseExpiresAt,
        final long attemptDeadline,
        final byte[] input)
    {
        this.taskId = taskId;
        this.workflowId = workflowId;
        this.stepIndex = stepIndex;
        this.stepName = stepName;
        this.attempt = attempt;
        this.idempotencyKey = idempotencyKey;
        this.fencingToken = fencingToken;
        this.leaseExpiresAt = leaseExpiresAt;
        this.attemptDeadline = attemptDeadline;
        this.input = input;
    }

    /**
     * @return the task's id (the workflow's id: a workflow has one task at a time).
     */
    public long taskId()
    {
        return taskId;
    }

    /**
     * @return the workflow the step belongs to.
     */
    public long workflowId()
    {
        return workflowId;
    }

    /**
     * @return the step's index in its workflow, from 0.
     */
    public int stepIndex()
    {
        return stepIndex;
    }

    /**
     * @return the step's name, the one the handler was registered for.
     */
    public String stepName()
    {
        return stepName;
    }

    /**
     * @return which attempt of the step this is, from 1.
     */
    public int attempt()
    {
        return attempt;
    }

    /**
     * @return the step's idempotency key, the same on every attempt: give it to downstream systems (a payment
     * provider) so that a second attempt is never a second effect.
     */
    public String idempotencyKey()
    {
        return idempotencyKey;
    }

    /**
     * @return the lease's fencing token: only an outcome carrying the step's current token commits.
     */
    public long fencingToken()
    {
        return fencingToken;
    }

    /**
     * @return when the lease expires without a heartbeat, epoch milliseconds (the worker heartbeats by itself).
     */
    public long leaseExpiresAt()
    {
        return leaseExpiresAt;
    }

    /**
     * @return when the attempt times out whatever the heartbeats, epoch milliseconds.
     */
    public long attemptDeadline()
    {
        return attemptDeadline;
    }

    /**
     * @return the workflow's input (UTF-8 JSON bytes), a copy.
     */
    public byte[] input()
    {
        return input.clone();
    }

    /**
     * @return the workflow's input as JSON text.
     */
    public String inputAsString()
    {
        return new String(input, StandardCharsets.UTF_8);
    }

    @Override
    public String toString()
    {
        return "task " + taskId + " (workflow " + workflowId + " step " + stepIndex + " " + stepName + " attempt " +
            attempt + ", token " + fencingToken + ")";
    }
}
