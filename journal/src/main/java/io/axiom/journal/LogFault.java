package io.axiom.journal;

import java.nio.file.Path;

/**
 * One fault found by the recovery scan: where it is and what is wrong, in words an operator can act on. Public so
 * that {@link JournalInspector#read} can hand faults to a {@link LogVisitor} outside this package (verify).
 *
 * @param kind        what kind of fault.
 * @param file        segment file holding it.
 * @param fileOffset  offset in file.
 * @param position    log position.
 * @param description file, offset, position and expected/actual values.
 */
public record LogFault(Kind kind, Path file, long fileOffset, long position, String description)
{
    /**
     * What is wrong at the fault.
     */
    public enum Kind
    {
        /**
         * Stored CRC32C differs from the one computed over the record.
         */
        CHECKSUM,
        /**
         * Frame length outside what fits the segment.
         */
        LENGTH,
        /**
         * Valid checksum but not the next sequence.
         */
        SEQUENCE,
        /**
         * Valid checksum but flag bits this format does not define.
         */
        FLAGS,
        /**
         * Zero frame length where a record must be, since valid records follow.
         */
        HOLE,
        /**
         * Segment header unreadable or inconsistent with its file.
         */
        HEADER,
        /**
         * A segment file between two others is absent.
         */
        MISSING_SEGMENT
    }

    JournalCorruptionException toException(final String evidence)
    {
        return toException(evidence, "Acknowledged records may be damaged. Restore the data dir from backup, or " +
            "start with --repair to truncate the log at position " + position + ", losing the records after it.");
    }

    JournalCorruptionException toException(final String evidence, final String wayOut)
    {
        return new JournalCorruptionException(
            "Journal corruption: " + description + (null == evidence ? "" : "; " + evidence) + ". " + wayOut,
            file,
            fileOffset,
            position);
    }
}
