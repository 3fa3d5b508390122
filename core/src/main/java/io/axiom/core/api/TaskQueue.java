package io.axiom.core.api;

/**
 * Task steps of one step name.
 *
 * @param stepName the step name workers register for.
 * @param queued   tasks waiting for a worker with credit.
 * @param leased   tasks leased to a worker now.
 */
public record TaskQueue(String stepName, long queued, long leased)
{
}
