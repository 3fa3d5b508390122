package io.axiom.journal;

import java.nio.ByteOrder;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Layout of one record (a frame) inside a segment, little-endian, 8-aligned:
 * <pre>
 *   0  int32  frameLength   header + payload, unaligned; 0 = no record here (end of the log in this segment)
 *   4  int32  checksum      CRC32C over bytes [8, frameLength)
 *   8  int64  sequence      1, 2, 3... with no gaps across segments
 *  16  int64  timestamp     stamped by the caller, opaque to the journal
 *  24  int16  type          opaque to the journal (an SBE template id for core)
 *  26  int16  version       opaque to the journal (an SBE schema version for core)
 *  28  int32  flags         bit 0 COMMIT: this record ends an atomic unit; other bits 0 (reserved, 0 in format 1)
 *  32  payload
 * </pre>
 * The length is written last with a release store, so a frame with a non-zero length is complete. The flags are
 * covered by the checksum: setting COMMIT means recomputing it.
 */
final class RecordFrame
{
    static final int LENGTH_OFFSET = 0;
    static final int CHECKSUM_OFFSET = 4;
    static final int SEQUENCE_OFFSET = 8;
    static final int TIMESTAMP_OFFSET = 16;
    static final int TYPE_OFFSET = 24;
    static final int VERSION_OFFSET = 26;
    static final int FLAGS_OFFSET = 28;
    static final int HEADER_LENGTH = 32;
    static final int ALIGNMENT = 8;
    static final int CHECKSUMMED_FROM = SEQUENCE_OFFSET;
    static final int MAX_TYPE = 0xFFFF;

    /**
     * Flag bit: this record ends an atomic unit (the records of one engine command).
     */
    static final int COMMIT = 1;

    /**
     * Flag bits a valid record may carry; any other bit set makes a frame implausible.
     */
    static final int KNOWN_FLAGS = COMMIT;

    private static final boolean NATIVE_LITTLE_ENDIAN = ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN;

    private RecordFrame()
    {
    }

    static int align(final int frameLength)
    {
        return (frameLength + (ALIGNMENT - 1)) & -ALIGNMENT;
    }

    static int frameLengthVolatile(final UnsafeBuffer buffer, final int frameOffset)
    {
        final int raw = buffer.getIntVolatile(frameOffset + LENGTH_OFFSET);
        return NATIVE_LITTLE_ENDIAN ? raw : Integer.reverseBytes(raw);
    }

    static void frameLengthRelease(final UnsafeBuffer buffer, final int frameOffset, final int frameLength)
    {
        buffer.putIntRelease(
            frameOffset + LENGTH_OFFSET, NATIVE_LITTLE_ENDIAN ? frameLength : Integer.reverseBytes(frameLength));
    }

    static int checksum(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getInt(frameOffset + CHECKSUM_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static long sequence(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getLong(frameOffset + SEQUENCE_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static long timestamp(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getLong(frameOffset + TIMESTAMP_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static int type(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getShort(frameOffset + TYPE_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static int version(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getShort(frameOffset + VERSION_OFFSET, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
    }

    static int flags(final DirectBuffer buffer, final int frameOffset)
    {
        return buffer.getInt(frameOffset + FLAGS_OFFSET, ByteOrder.LITTLE_ENDIAN);
    }

    static void flags(final UnsafeBuffer buffer, final int frameOffset, final int flags)
    {
        buffer.putInt(frameOffset + FLAGS_OFFSET, flags, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * @return true when flags are valid for a segment of formatVersion: 0 or COMMIT in format 2, 0 in format 1.
     */
    static boolean plausibleFlags(final int flags, final int formatVersion)
    {
        return SegmentHeader.FORMAT_VERSION_UNMARKED == formatVersion ? 0 == flags : 0 == (flags & ~KNOWN_FLAGS);
    }

    /**
     * @return true when a valid record with these flags ends a unit: in format 1 every record does.
     */
    static boolean endsUnit(final int flags, final int formatVersion)
    {
        return SegmentHeader.FORMAT_VERSION_UNMARKED == formatVersion || 0 != (flags & COMMIT);
    }

    /**
     * Write every header field but the length and the checksum.
     */
    static void writeHeader(
        final UnsafeBuffer buffer,
        final int frameOffset,
        final long sequence,
        final long timestamp,
        final int type,
        final int version)
    {
        buffer.putInt(frameOffset + CHECKSUM_OFFSET, 0, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(frameOffset + SEQUENCE_OFFSET, sequence, ByteOrder.LITTLE_ENDIAN);
        buffer.putLong(frameOffset + TIMESTAMP_OFFSET, timestamp, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(frameOffset + TYPE_OFFSET, (short)type, ByteOrder.LITTLE_ENDIAN);
        buffer.putShort(frameOffset + VERSION_OFFSET, (short)version, ByteOrder.LITTLE_ENDIAN);
        buffer.putInt(frameOffset + FLAGS_OFFSET, 0, ByteOrder.LITTLE_ENDIAN);
    }

    static void writeChecksum(final UnsafeBuffer buffer, final int frameOffset, final int checksum)
    {
        buffer.putInt(frameOffset + CHECKSUM_OFFSET, checksum, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * Deliver the frame at frameOffset, which must be a committed record, to a handler.
     */
    static void deliver(
        final DirectBuffer buffer,
        final int frameOffset,
        final int frameLength,
        final long position,
        final RecordHandler handler)
    {
        handler.onRecord(
            buffer,
            frameOffset + HEADER_LENGTH,
            frameLength - HEADER_LENGTH,
            type(buffer, frameOffset),
            version(buffer, frameOffset),
            position,
            sequence(buffer, frameOffset),
            timestamp(buffer, frameOffset));
    }
}
