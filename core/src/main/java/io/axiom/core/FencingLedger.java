package io.axiom.core;

import org.agrona.collections.Long2LongHashMap;

/**
 * Verify's record of the lease each workflow's current step holds, kept apart from the applier: the fencing token of
 * a lease is the position of its StepLeased event, so the token a worker's StepCompleted must carry is the position of
 * the last StepLeased of that workflow whose lease has not ended since (by StepAttemptFailed, StepCompleted, or the
 * workflow ending). Updated only from events the applier accepted.
 * <p>
 * <b>Memory:</b> one entry of a {@link Long2LongHashMap} per workflow with a lease in flight; none for the rest.
 */
final class FencingLedger
{
    /** {@link #token} of a workflow whose step holds no lease. */
    static final long NO_LEASE = 0;

    private final Long2LongHashMap tokens = new Long2LongHashMap(NO_LEASE);

    /**
     * @param workflowId a workflow whose current step was leased.
     * @param position   the position of the StepLeased event: the lease's token.
     */
    void leased(final long workflowId, final long position)
    {
        tokens.put(workflowId, position);
    }

    /**
     * @param workflowId a workflow whose lease, if any, ended.
     */
    void ended(final long workflowId)
    {
        tokens.remove(workflowId);
    }

    /**
     * @param workflowId a workflow.
     * @return the token of its current lease, {@link #NO_LEASE} when it holds none.
     */
    long token(final long workflowId)
    {
        return tokens.get(workflowId);
    }

    /**
     * @return leases in flight: the entries held.
     */
    int size()
    {
        return tokens.size();
    }
}
