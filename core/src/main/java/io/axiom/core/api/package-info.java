/**
 * Plain Java records for callers of {@link io.axiom.core.EngineClient}: what a client states
 * ({@link io.axiom.core.api.CreateWorkflow}, {@link io.axiom.core.api.StepSpec}) and what the engine answers
 * ({@link io.axiom.core.api.EngineReply}, {@link io.axiom.core.api.WorkflowView}, {@link io.axiom.core.api.EventView}).
 * <p>
 * They carry no SBE and no processor state: decoding happens on the caller's thread, from the bytes of a reply.
 */
package io.axiom.core.api;
