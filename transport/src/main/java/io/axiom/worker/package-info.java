/**
 * The Java worker SDK: what a team embeds to run Axiom task steps in its own service.
 * <p>
 * {@link io.axiom.worker.AxiomWorker} connects to the engine's ingress over Aeron, registers handlers by step name
 * ({@link io.axiom.worker.TaskHandler}, {@link io.axiom.worker.BinaryTaskHandler}), runs each dealt
 * {@link io.axiom.worker.Task} on a pool of {@code capacity} threads, and reports the outcome: the output, or a
 * failure ({@link io.axiom.worker.RetryableTaskException} asks for another attempt). The engine's verdict on each
 * outcome reaches the {@link io.axiom.worker.WorkerListener}: accepted, or rejected with a
 * {@link io.axiom.worker.TaskRejection} (the lease was over, the step committed otherwise), in which case the effect
 * must not be committed.
 * <p>
 * The SDK keeps the protocol's promises for the application: hello until welcomed and again after a reconnect,
 * heartbeats for every held task (a third of the lease apart), every outcome sent until answered, a graceful goodbye.
 * Given several ingress channels (the members of a replicated engine) it talks to one at a time and moves on to the
 * next, round-robin, when the one it talks to gives no Welcome within the failover timeout.
 * It knows the wire schema only, never the engine.
 */
package io.axiom.worker;
