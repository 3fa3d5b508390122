package io.axiom.journal;

import java.util.List;

/**
 * Result of {@link JournalInspector#verify(java.nio.file.Path)}.
 *
 * @param segments         segment files with valid headers, oldest first.
 * @param recordCount      records in complete units.
 * @param lastPosition     position of the newest record of a complete unit, 0 when none.
 * @param lastSequence     sequence of that record, 0 when none.
 * @param faults           what start-up would refuse, or set aside loudly: corruption (naming file, offset and
 *                         expected/actual checksum or sequence), a missing segment file, no journal at all, or a
 *                         snapshot that is damaged, covers more than the log holds, or does not match the log;
 *                         empty when none.
 * @param tornTail         true when the log ends in a partial write or an incomplete unit that start-up would
 *                         truncate. No acknowledged record can be in it, but it is not OK either: it is what a crash
 *                         left, or a writer still at work.
 * @param tornTailPosition where start-up would cut the log, -1 when there is no torn tail.
 * @param tornTailRecords  valid records of an incomplete unit start-up would drop.
 * @param tornTailBytes    non-zero bytes start-up would remove.
 * @param notes            what start-up would tidy away without loss (debris of an interrupted segment or snapshot
 *                         write, a format-1 snapshot), one sentence each.
 * @param archives         the archived prefix: segments retired by retention, oldest first, as their archives (or
 *                         deleted segments' summaries) say; each was checked block by block and record by record.
 */
public record VerifyReport(
    List<SegmentInfo> segments,
    long recordCount,
    long lastPosition,
    long lastSequence,
    List<String> faults,
    boolean tornTail,
    long tornTailPosition,
    long tornTailRecords,
    long tornTailBytes,
    List<String> notes,
    List<SegmentArchive.Summary> archives)
{
    public VerifyReport
    {
        archives = List.copyOf(archives);
        segments = List.copyOf(segments);
        faults = List.copyOf(faults);
        notes = List.copyOf(notes);
    }

    /**
     * @return true when start-up would neither refuse, set anything aside, nor truncate anything.
     */
    public boolean ok()
    {
        return faults.isEmpty() && !tornTail;
    }

    /**
     * @return true when faults were found (a torn tail alone is not corruption).
     */
    public boolean corrupt()
    {
        return !faults.isEmpty();
    }
}
