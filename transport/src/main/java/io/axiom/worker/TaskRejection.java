package io.axiom.worker;

import java.nio.charset.StandardCharsets;

/**
 * Why the engine refused a task's outcome: nothing was written for it, and the effect must not be committed.
 *
 * @param reason          the engine's reason.
 * @param detail          the engine's words.
 * @param committedOutput for {@link Reason#ALREADY_COMMITTED}, the output that did commit; else empty.
 */
public record TaskRejection(Reason reason, String detail, byte[] committedOutput)
{
    /**
     * The reasons a completion or failure is refused.
     */
    public enum Reason
    {
        /** The lease is over (it expired, the task was dealt again, or an operator completed the step). */
        STALE_FENCING_TOKEN,
        /** The step already committed with another result. */
        ALREADY_COMMITTED,
        /** The engine knows no such task or token. */
        UNKNOWN_TASK,
        /** The frame did not decode, or the output was refused (not JSON, too large). */
        MALFORMED,
        /** The journal had no room (the worker sends the outcome again by itself; a listener never sees this). */
        NO_ROOM
    }

    /**
     * @return the committed output as text (empty when none).
     */
    public String committedOutputAsString()
    {
        return new String(committedOutput, StandardCharsets.UTF_8);
    }

    @Override
    public String toString()
    {
        return reason + ": " + detail;
    }
}
