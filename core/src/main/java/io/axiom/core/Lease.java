package io.axiom.core;

/**
 * A worker's lease on a workflow's current task step. What the log says (the StepLeased event: its position is the
 * fencing token, the attempt's deadline) survives restarts; when the lease expires is extended by heartbeats and never
 * logged, but is in snapshots with the deadline its timer was armed at, so a replica restored from a snapshot fires
 * the same timers as one that never stopped (a single-node restart still gives every lease in flight a fresh lease
 * period; fencing keeps a late completion harmless).
 */
final class Lease
{
    final long token;
    final long workerId;
    final int stepIndex;
    final int attempt;
    final long attemptDeadline;
    long expiresAt;
    /** The lease's one timer, at the earlier of {@link #expiresAt} (as it was armed) and {@link #attemptDeadline}. */
    long timerId = Workflow.NO_TIMER;
    /** The deadline {@link #timerId} was armed at. */
    long timerDeadline;
    /** The session the task was dispatched to, or null after a restart (unless restored by route) or once it left. */
    Dealer.Session session;

    Lease(final long token, final long workerId, final int stepIndex, final int attempt, final long attemptDeadline)
    {
        this.token = token;
        this.workerId = workerId;
        this.stepIndex = stepIndex;
        this.attempt = attempt;
        this.attemptDeadline = attemptDeadline;
    }
}
