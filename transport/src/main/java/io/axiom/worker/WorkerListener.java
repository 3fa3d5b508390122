package io.axiom.worker;

/**
 * What a worker tells the application beyond its handlers' return values: connection changes and, for every task, the
 * engine's verdict on its outcome. Called on the worker's poller thread: return quickly, hand slow work elsewhere.
 * Every method has an empty default.
 */
public interface WorkerListener
{
    /**
     * The engine welcomed the worker (first connection and every reconnection).
     *
     * @param worker          the worker.
     * @param leaseDurationMs the engine's lease: the worker heartbeats its tasks well within it.
     */
    default void onConnected(final AxiomWorker worker, final long leaseDurationMs)
    {
    }

    /**
     * The worker lost the engine; it says hello again by itself until welcomed.
     *
     * @param worker the worker.
     * @param reason what was noticed.
     */
    default void onDisconnected(final AxiomWorker worker, final String reason)
    {
    }

    /**
     * The engine recorded the task's outcome: its completion committed (or had already committed with this lease),
     * or its failure was recorded. For a completion, the effect may now be committed.
     *
     * @param task    the task.
     * @param failure true when the outcome reported was a failure.
     */
    default void onAccepted(final Task task, final boolean failure)
    {
    }

    /**
     * The engine refused the task's outcome and wrote nothing for it: the effect must not be committed (another
     * attempt owns the step, or it was completed otherwise). For a failure sent more than once, a rejection may
     * also mean that an earlier copy was recorded.
     *
     * @param task      the task.
     * @param rejection why.
     */
    default void onRejected(final Task task, final TaskRejection rejection)
    {
    }

    /**
     * The worker gave the task up without an answer from the engine (it closed before the handler finished or
     * before the engine answered): the lease expires and the task is dealt again; treat the effect as unconfirmed.
     *
     * @param task   the task.
     * @param reason why.
     */
    default void onAbandoned(final Task task, final String reason)
    {
    }

    /**
     * Something the application should know that is not about one task: a hello refused by the engine (the worker
     * stops trying), a frame the engine refused as malformed, an unexpected error of the worker.
     *
     * @param message what happened.
     * @param cause   the exception, or null.
     */
    default void onError(final String message, final Throwable cause)
    {
    }
}
