package io.axiom.worker;

/**
 * A {@link TaskHandler} that returns its output as bytes (UTF-8 JSON) rather than text, for handlers that already
 * hold their output encoded.
 */
@FunctionalInterface
public interface BinaryTaskHandler
{
    /**
     * @param task what to run.
     * @return the output as UTF-8 JSON bytes, or null for none.
     * @throws Exception to fail the attempt: retried only for a {@link RetryableTaskException}.
     */
    byte[] handle(Task task) throws Exception;
}
