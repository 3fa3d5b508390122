package io.axiom.core.api;

import java.util.List;

/**
 * A request to create a workflow, validated for shape by the caller and for limits by the engine.
 *
 * @param name           workflow name, 1..maxNameLength characters.
 * @param steps          ordered steps, 1..maxSteps.
 * @param inputJson      the input document as UTF-8 JSON bytes ("null" or "{}" when absent), never null.
 * @param idempotencyKey a key that makes a repeated create return the first workflow, or null.
 */
public record CreateWorkflow(String name, List<StepSpec> steps, byte[] inputJson, String idempotencyKey)
{
}
