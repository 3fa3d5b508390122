package io.axiom.core.api;

/**
 * One step of a workflow definition as a client states it.
 *
 * @param name         step name; for a task step also the name workers register for.
 * @param kind         what completes the step.
 * @param timeoutMs    cap on one attempt of a task step, 0 = the engine's worker timeout.
 * @param durationMs   how long a timer step waits (timer steps only, else 0).
 * @param maxAttempts  attempts before the workflow fails (task steps), at least 1.
 * @param backoffMs    first retry delay.
 * @param maxBackoffMs cap on the retry delay.
 * @param multiplier   growth of the retry delay per attempt, at least 1.0.
 */
public record StepSpec(
    String name,
    StepKind kind,
    long timeoutMs,
    long durationMs,
    int maxAttempts,
    long backoffMs,
    long maxBackoffMs,
    double multiplier)
{
    public static final int MAX_ATTEMPTS_DEFAULT = 5;
    public static final long BACKOFF_MS_DEFAULT = 1000;
    public static final long MAX_BACKOFF_MS_DEFAULT = 60_000;
    public static final double MULTIPLIER_DEFAULT = 2.0;

    /**
     * @param name step name.
     * @return a task step with the default retry policy.
     */
    public static StepSpec task(final String name)
    {
        return new StepSpec(
            name, StepKind.TASK, 0, 0, MAX_ATTEMPTS_DEFAULT, BACKOFF_MS_DEFAULT, MAX_BACKOFF_MS_DEFAULT, MULTIPLIER_DEFAULT);
    }

    /**
     * @param name step name.
     * @return an approval step, completed by {@code advance}.
     */
    public static StepSpec approval(final String name)
    {
        return new StepSpec(name, StepKind.APPROVAL, 0, 0, 1, 0, 0, 1.0);
    }

    /**
     * @param name       step name.
     * @param durationMs how long to wait.
     * @return a timer step that completes when its timer fires.
     */
    public static StepSpec timer(final String name, final long durationMs)
    {
        return new StepSpec(name, StepKind.TIMER, 0, durationMs, 1, 0, 0, 1.0);
    }
}
