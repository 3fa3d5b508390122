package io.axiom.core.api;

/**
 * One thing verify found wrong with a log: what kind, which workflow and step, where in the log, and why.
 *
 * @param kind       what promise it breaks.
 * @param workflowId the workflow it concerns, {@link #NONE} when it concerns no single workflow (a damaged record).
 * @param stepIndex  the step it concerns, {@link #NONE} when none.
 * @param position   the log position of the record at fault (for a workflow-level finding, the workflow's last
 *                   event or its WorkflowCompleted).
 * @param detail     what is wrong, with the expected and actual values, in words an operator can act on.
 */
public record Violation(Kind kind, long workflowId, int stepIndex, long position, String detail)
{
    /** {@link #workflowId()} or {@link #stepIndex()} of a violation that names none. */
    public static final int NONE = -1;

    /**
     * What a violation breaks. The first four are about the bytes of the log, the rest about what the events say.
     */
    public enum Kind
    {
        /** A record whose stored CRC32C differs from the one computed over it. */
        CHECKSUM_MISMATCH,
        /** A record with a valid checksum that is not the previous sequence plus one. */
        SEQUENCE_GAP,
        /**
         * Any other damage start-up refuses: an impossible frame length, unknown flags, a hole followed by valid
         * records, a bad segment header, a missing segment file, no journal at all.
         */
        CORRUPT_LOG,
        /**
         * The log ends in a unit without its commit mark (a command whose events were not all written) or a partial
         * record: what a crash leaves and start-up truncates. No acknowledged command is in it.
         */
        HALF_WRITTEN_COMMAND,
        /** An event the strict applier refuses in the state the log built up to it. */
        ILLEGAL_TRANSITION,
        /** A record whose event cannot be decoded at all. */
        UNREADABLE_EVENT,
        /** A second StepCompleted for a (workflow, step) that already has one. */
        DUPLICATE_COMPLETION,
        /** A worker's StepCompleted whose fencing token is not the position of the step's current StepLeased. */
        STALE_FENCING_TOKEN,
        /** A COMPLETED workflow with a step whose result is in the log other than exactly once. */
        STEP_NOT_COMMITTED_ONCE,
        /**
         * A workflow that is not ended and will never move: its current step is neither queued for a worker, leased,
         * waiting on a timer (step timer or retry backoff) nor waiting for an operator's approval.
         */
        STUCK_WORKFLOW,
        /** Live verify: the digest of the replayed log differs from the live state's at the same position. */
        STATE_MISMATCH
    }

    /**
     * @return one line: kind, position, workflow and step when named, and the detail.
     */
    public String line()
    {
        final StringBuilder line = new StringBuilder(96 + detail.length())
            .append(kind).append(" at position ").append(position);
        if (NONE != workflowId)
        {
            line.append(", workflow ").append(workflowId);
        }
        if (NONE != stepIndex)
        {
            line.append(", step ").append(stepIndex);
        }
        return line.append(": ").append(detail).toString();
    }
}
