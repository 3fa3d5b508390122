package io.axiom.journal;

import org.agrona.DirectBuffer;

/**
 * Receives records read from the journal, zero-copy: the buffer is the mapped segment, or the writer's staging
 * buffer for records not yet written out, and is only valid during the call.
 */
@FunctionalInterface
public interface RecordHandler
{
    /**
     * @param buffer    the mapped segment or the staging buffer holding the record.
     * @param offset    where the payload starts in buffer.
     * @param length    payload length in bytes.
     * @param type      type id given at append (0..65535).
     * @param version   version given at append (0..65535).
     * @param position  position of the record in the log.
     * @param sequence  sequence of the record, 1 for the first record of the log, no gaps.
     * @param timestamp timestamp given at append.
     */
    void onRecord(
        DirectBuffer buffer,
        int offset,
        int length,
        int type,
        int version,
        long position,
        long sequence,
        long timestamp);
}
