package io.axiom.core.api;

/**
 * One step of a replay: an event of the log and the workflow as rebuilt from the events up to and including it.
 *
 * @param event the event applied.
 * @param after the workflow after applying it.
 */
public record ReplayStep(EventView event, WorkflowView after)
{
}
