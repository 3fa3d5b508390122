package io.axiom.core.api;

import java.util.Map;

/**
 * One event as the log holds it.
 *
 * @param position   journal position (also the fencing token of a StepLeased event).
 * @param sequence   journal sequence, 1-based and gapless.
 * @param type       event name, e.g. "WorkflowCreated".
 * @param timestamp  epoch ms stamped by the processor.
 * @param workflowId the workflow the event belongs to.
 * @param fields     the event's own fields in snake_case, in a stable order; values are String, Long, Integer,
 *                   Double, Boolean, {@link RawJson}, or lists of maps for the step definitions of WorkflowCreated.
 */
public record EventView(long position, long sequence, String type, long timestamp, long workflowId, Map<String, Object> fields)
{
}
