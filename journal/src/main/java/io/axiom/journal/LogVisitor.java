package io.axiom.journal;

import org.agrona.DirectBuffer;

/**
 * Receives what {@link JournalInspector#read} finds as it walks a log from its first record, in log order: each
 * record of a complete unit ({@link #onRecord}), each place where the log is not sound ({@link #onFault}), and a torn
 * tail ({@link #onTornRecord}, then {@link #onTornTail}). Buffers are the read-only mapped segments, valid only during
 * the call.
 */
public interface LogVisitor extends RecordHandler
{
    /**
     * A record that fails its checks (length, CRC32C, sequence, flags), a hole with valid records after it, a bad
     * segment header or a missing segment file: what start-up would refuse. The records of its unit before it are not
     * delivered; delivery goes on from the next valid record, when there is one (possibly the rest of that unit).
     *
     * @param fault where (file, offset, position) and what, with expected and actual values.
     */
    void onFault(LogFault fault);

    /**
     * A valid record after the last record that ends a unit: part of a unit whose commit mark never reached the file
     * (a command whose events were not all written). Delivered before {@link #onTornTail}, never as a record.
     *
     * @param buffer    holding the record.
     * @param offset    of the payload.
     * @param length    of the payload.
     * @param type      the record's type.
     * @param version   the record's version.
     * @param position  the record's position.
     * @param sequence  the record's sequence.
     * @param timestamp the record's timestamp.
     */
    default void onTornRecord(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final long sequence,
        final long timestamp)
    {
    }

    /**
     * The log ends in a torn tail: an incomplete unit, a partial write, or both. Start-up truncates it; no
     * acknowledged record can be in it, because no reply leaves before the flush of a whole unit.
     *
     * @param position where the torn tail starts: the end of the last complete unit, where start-up cuts.
     * @param records  valid records of the incomplete unit ({@link #onTornRecord} had each), 0 for a partial write
     *                 alone.
     * @param bytes    non-zero bytes from position on, what start-up would remove.
     */
    void onTornTail(long position, long records, long bytes);
}
