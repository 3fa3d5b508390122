package io.axiom.journal;

import java.util.List;

/**
 * Result of {@link JournalInspector#verify(java.nio.file.Path)}.
 *
 * @param segments     segment files with valid headers, oldest first.
 * @param recordCount  valid records found.
 * @param lastPosition position of the newest valid record, 0 when none.
 * @param lastSequence sequence of the newest valid record, 0 when none.
 * @param faults       corruption found, each naming file, offset and expected/actual checksum or sequence; empty when
 *                     clean.
 * @param tornTail     true when the log ends in a partial write that opening the journal would truncate. Not a
 *                     fault: no acknowledged record can be in it.
 */
public record VerifyReport(
    List<SegmentInfo> segments,
    long recordCount,
    long lastPosition,
    long lastSequence,
    List<String> faults,
    boolean tornTail)
{
    public VerifyReport
    {
        segments = List.copyOf(segments);
        faults = List.copyOf(faults);
    }

    /**
     * @return true when no corruption was found (a torn tail is not corruption).
     */
    public boolean ok()
    {
        return faults.isEmpty();
    }
}
