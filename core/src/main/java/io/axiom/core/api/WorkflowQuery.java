package io.axiom.core.api;

/**
 * A search over the workflows: every filter given must match; a page of it in id order (or creation order, the same
 * order) ascending or descending.
 *
 * @param offset       matches to skip, >= 0.
 * @param limit        most workflows in the page, 0..1000.
 * @param state        only workflows in this state (CREATED, RUNNING, ...), or null for any.
 * @param name         only workflows with this name (or, with {@code namePrefix}, whose name starts with it), or
 *                     null for any.
 * @param namePrefix   {@code name} is a prefix.
 * @param step         only workflows whose current step has this name (ended workflows have none), or null.
 * @param createdFrom  only workflows created at or after this time (epoch ms), or {@link Long#MIN_VALUE}.
 * @param createdUntil only workflows created before this time (epoch ms), or {@link Long#MAX_VALUE}.
 * @param byCreatedAt  sort by creation time rather than by id (the same order: ties by id).
 * @param descending   newest first.
 */
public record WorkflowQuery(
    int offset,
    int limit,
    String state,
    String name,
    boolean namePrefix,
    String step,
    long createdFrom,
    long createdUntil,
    boolean byCreatedAt,
    boolean descending)
{
    /**
     * @param offset matches to skip.
     * @param limit  most workflows in the page.
     * @param state  a state, or null for any.
     * @return a query with only these, in id order.
     */
    public static WorkflowQuery page(final int offset, final int limit, final String state)
    {
        return new WorkflowQuery(offset, limit, state, null, false, null, Long.MIN_VALUE, Long.MAX_VALUE, false, false);
    }
}
