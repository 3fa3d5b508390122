package io.axiom.worker;

/**
 * Runs one task step: registered per step name with {@link AxiomWorker#handler(String, TaskHandler)} and called on
 * one of the worker's task threads (never on its poller thread), at most {@code capacity} at once.
 * <p>
 * Return the step's output, a JSON document (or null for none): it commits only if the engine accepts it, which the
 * {@link WorkerListener} hears. Throw {@link RetryableTaskException} for a failure worth another attempt (the step's
 * retry policy decides when); any other exception fails the attempt for good (a bug is not retried). Use
 * {@link Task#idempotencyKey()} with downstream systems: a step runs at least once, and its key is the same on every
 * attempt.
 */
@FunctionalInterface
public interface TaskHandler
{
    /**
     * @param task what to run: workflow, step, attempt, key and input.
     * @return the output as JSON text, or null for none.
     * @throws Exception to fail the attempt: retried only for a {@link RetryableTaskException}.
     */
    String handle(Task task) throws Exception;
}
