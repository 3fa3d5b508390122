package io.axiom.journal;

import java.util.List;

/**
 * What the recovery scan found when the journal was opened.
 *
 * @param segmentCount        segment files in use after recovery.
 * @param recordCount         valid records found.
 * @param firstPosition       position of the oldest record, 0 when empty.
 * @param lastPosition        position of the newest record, 0 when empty.
 * @param lastSequence        sequence of the newest record, 0 when empty.
 * @param nextPosition        where the writer resumes.
 * @param truncatedAtPosition where a torn tail (or, with repair, corruption) was cut off, -1 when nothing was.
 * @param truncatedBytes      non-zero bytes removed from the tail.
 * @param notes               everything recovery did or noticed, for the operator's log.
 */
public record RecoveryReport(
    int segmentCount,
    long recordCount,
    long firstPosition,
    long lastPosition,
    long lastSequence,
    long nextPosition,
    long truncatedAtPosition,
    int truncatedBytes,
    List<String> notes)
{
    public RecoveryReport
    {
        notes = List.copyOf(notes);
    }

    /**
     * @return true when a torn tail or corruption was truncated.
     */
    public boolean truncated()
    {
        return truncatedAtPosition >= 0;
    }
}
