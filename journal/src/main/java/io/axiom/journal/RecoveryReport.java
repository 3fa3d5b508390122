package io.axiom.journal;

import java.util.ArrayList;
import java.util.List;

/**
 * What recovery found and did when the journal was opened (and, once merged with
 * {@link #withSnapshotSelection(SnapshotStore.Selection)}, what the choice of a snapshot did). Each note is one
 * self-contained sentence for the operator's log; the other fields are for a dashboard.
 *
 * @param segmentCount        segment files in use after recovery.
 * @param recordCount         records in complete units kept.
 * @param firstPosition       position of the oldest record, 0 when empty.
 * @param lastPosition        position of the newest record (the end of the last complete unit), 0 when empty.
 * @param lastSequence        sequence of the newest record, 0 when empty.
 * @param nextPosition        where the writer resumes.
 * @param truncatedAtPosition where a torn tail, an incomplete last unit or (with repair) corruption was cut off, -1
 *                            when nothing was (a cut back by {@link JournalContext#cutAfter(long)} reports what it
 *                            dropped, a torn tail after its position included, in the cut fields instead).
 * @param truncatedBytes      non-zero bytes removed from the tail (including later segment files removed).
 * @param truncatedRecords    valid records removed: those of an incomplete last unit, or with a repair those of the
 *                            broken unit before the corruption (records after the corruption are not counted).
 * @param cutAtPosition       where {@link JournalContext#cutAfter(long)} cut the log back to, dropping records on
 *                            purpose, -1 when it cut nothing (not asked, or the log already ended there).
 * @param cutRecords          valid records that cut dropped (records after damage it dropped too are not counted).
 * @param cutBytes            bytes of this segment life that cut zeroed or removed with the later segment files.
 * @param repairCut           true when repair removed records or segment files that may have been acknowledged.
 * @param logStartPosition    position the log starts at: 0, or with repair the base of the first segment present
 *                            when the files before it are missing.
 * @param snapshotsSetAside   snapshot files moved to {@code snapshots/set-aside}, never used again.
 * @param notes               everything recovery did or noticed, one sentence each.
 */
public record RecoveryReport(
    int segmentCount,
    long recordCount,
    long firstPosition,
    long lastPosition,
    long lastSequence,
    long nextPosition,
    long truncatedAtPosition,
    long truncatedBytes,
    long truncatedRecords,
    long cutAtPosition,
    long cutRecords,
    long cutBytes,
    boolean repairCut,
    long logStartPosition,
    int snapshotsSetAside,
    List<String> notes)
{
    public RecoveryReport
    {
        notes = List.copyOf(notes);
    }

    /**
     * @return true when a torn tail, an incomplete unit or corruption was truncated.
     */
    public boolean truncated()
    {
        return truncatedAtPosition >= 0;
    }

    /**
     * @return true when {@link JournalContext#cutAfter(long)} dropped records after its position.
     */
    public boolean cutBack()
    {
        return cutAtPosition >= 0;
    }

    /**
     * @param note one more sentence.
     * @return this report with the note added.
     */
    public RecoveryReport withNote(final String note)
    {
        final List<String> all = new ArrayList<>(notes);
        all.add(note);
        return new RecoveryReport(segmentCount, recordCount, firstPosition, lastPosition, lastSequence, nextPosition,
            truncatedAtPosition, truncatedBytes, truncatedRecords, cutAtPosition, cutRecords, cutBytes, repairCut,
            logStartPosition, snapshotsSetAside, all);
    }

    /**
     * @param selection what {@link SnapshotStore#select(Journal, boolean)} did at start-up.
     * @return this report with the selection's notes added and its set-aside snapshots counted.
     */
    public RecoveryReport withSnapshotSelection(final SnapshotStore.Selection selection)
    {
        final List<String> all = new ArrayList<>(notes);
        all.addAll(selection.notes());
        return new RecoveryReport(segmentCount, recordCount, firstPosition, lastPosition, lastSequence, nextPosition,
            truncatedAtPosition, truncatedBytes, truncatedRecords, cutAtPosition, cutRecords, cutBytes, repairCut,
            logStartPosition, snapshotsSetAside + selection.setAside().size(), all);
    }
}
