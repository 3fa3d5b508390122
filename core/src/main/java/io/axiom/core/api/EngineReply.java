package io.axiom.core.api;

import java.util.List;

/**
 * What the engine answered. Every reply is released only after the events behind it were fsynced.
 */
public sealed interface EngineReply
{
    /**
     * @return the outcome.
     */
    Status status();

    /**
     * One workflow: after create (CREATED or EXISTING), advance, cancel, or a get (OK).
     *
     * @param status   CREATED, EXISTING or OK.
     * @param workflow the workflow after the command.
     */
    record Workflow(Status status, WorkflowView workflow) implements EngineReply
    {
    }

    /**
     * A page of workflows in id order, cut to the requested count and to the engine's reply budget.
     *
     * @param total      workflows matching the filter, across all pages: exact, or a lower bound when not
     *                   totalExact.
     * @param workflows  this page.
     * @param nextOffset offset of the next page, -1 when this is the last.
     * @param totalExact false when the search's work budget ended before every match was counted.
     */
    record WorkflowList(long total, List<WorkflowView> workflows, long nextOffset, boolean totalExact)
        implements EngineReply
    {
        /**
         * A page whose total is exact.
         *
         * @param total      workflows matching the filter, across all pages.
         * @param workflows  this page.
         * @param nextOffset offset of the next page, -1 when this is the last.
         */
        public WorkflowList(final long total, final List<WorkflowView> workflows, final long nextOffset)
        {
            this(total, workflows, nextOffset, true);
        }

        public Status status()
        {
            return Status.OK;
        }
    }

    /**
     * A page of a workflow's events in log order, cut to the requested count and to the engine's reply budget.
     *
     * @param workflowId the workflow.
     * @param total      events of the workflow in the log.
     * @param events     this page of them.
     * @param nextAfter  the position to ask the next page after, -1 when this is the last.
     */
    record Events(long workflowId, int total, List<EventView> events, long nextAfter) implements EngineReply
    {
        public Status status()
        {
            return Status.OK;
        }
    }

    /**
     * A workflow rebuilt from its events alone, by the same code recovery runs, beside the live state.
     *
     * @param workflowId  the workflow.
     * @param steps       each event with the state after it.
     * @param live        the workflow as the engine holds it now.
     * @param matchesLive true when the rebuilt state equals the live one.
     */
    record Replay(long workflowId, List<ReplayStep> steps, WorkflowView live, boolean matchesLive) implements EngineReply
    {
        public Status status()
        {
            return Status.OK;
        }
    }

    /**
     * Task steps per step name.
     *
     * @param queues one entry per step name ever scheduled as a task.
     */
    record TaskQueues(List<TaskQueue> queues) implements EngineReply
    {
        public Status status()
        {
            return Status.OK;
        }
    }

    /**
     * Where the log ended and the digest of the state it built, read together by the processor between two commands:
     * the point a live verify replays the log up to and compares with.
     *
     * @param endPosition   just past the last record of the last complete unit; the live state is the replay of
     *                      every record before it.
     * @param lastSequence  sequence of the last record before endPosition, 0 when the log is empty.
     * @param digest        digest of the whole live state at endPosition.
     * @param workflows     workflows in the live state.
     * @param eventsApplied events the processor applied since it started (replayed or live).
     * @param heldNanos     how long the processor spent on this query, in nanoseconds: what a live verify costs it.
     */
    record ConsistentPoint(
        long endPosition,
        long lastSequence,
        long digest,
        long workflows,
        long eventsApplied,
        long heldNanos) implements EngineReply
    {
        public Status status()
        {
            return Status.OK;
        }
    }

    /**
     * A snapshot taken on request, durable (fsynced, renamed into place, its directory fsynced).
     *
     * @param position      journal position it covers: start-up replays the log from here.
     * @param lastSequence  sequence of the last record it covers.
     * @param bytes         payload bytes.
     * @param durationNanos from the processor's mark to the directory fsync.
     * @param joined        true when the request joined a snapshot already being taken.
     * @param file          its file name in {@code data_dir/snapshots}.
     */
    record SnapshotTaken(
        long position,
        long lastSequence,
        long bytes,
        long durationNanos,
        boolean joined,
        String file) implements EngineReply
    {
        public Status status()
        {
            return Status.CREATED;
        }
    }

    /**
     * A live verify: the log read from disk and replayed up to a {@link ConsistentPoint}, compared with the live
     * state's digest there.
     *
     * @param report what the verify found; {@code report.consistent()} is the comparison.
     */
    record Verification(VerificationReport report) implements EngineReply
    {
        public Status status()
        {
            return Status.OK;
        }
    }

    /**
     * Refused: nothing was written.
     *
     * @param status one of NOT_FOUND, CONFLICT, INVALID, OVERLOADED, UNAVAILABLE, UNPROCESSABLE,
     *               INSUFFICIENT_STORAGE, TOO_LARGE, INTERNAL.
     * @param code   a stable machine-readable code, e.g. "ILLEGAL_TRANSITION".
     * @param detail a precise human-readable explanation.
     */
    record Problem(Status status, String code, String detail) implements EngineReply
    {
    }
}
