package io.axiom.worker;

/**
 * Thrown by a handler for a failure worth another attempt (a timeout, a service unavailable): the worker reports
 * TaskFailed with {@code retryable} set, and the engine schedules the next attempt by the step's retry policy. Any
 * other exception a handler throws fails the attempt without a retry.
 */
public class RetryableTaskException extends Exception
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong; the engine records it with the failed attempt.
     */
    public RetryableTaskException(final String message)
    {
        super(message);
    }

    /**
     * @param message what went wrong; the engine records it with the failed attempt.
     * @param cause   the underlying failure.
     */
    public RetryableTaskException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
