package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The 64-byte header that opens every segment file, little-endian:
 * <pre>
 *   0  int64  magic           ASCII "AXIOMWAL"
 *   8  int32  formatVersion   2 (1 is read: a segment without commit marks, every record ends a unit)
 *  12  int32  segmentIndex    i, the file holds positions [i * maxSegmentSize, (i + 1) * maxSegmentSize)
 *  16  int64  basePosition    i * maxSegmentSize, also the file name
 *  24  int64  maxSegmentSize  file length
 *  32  ...    reserved        0
 *  60  int32  headerChecksum  CRC32C over bytes [0, 60)
 * </pre>
 */
final class SegmentHeader
{
    static final int LENGTH = 64;
    static final long MAGIC = ByteBuffer.wrap("AXIOMWAL".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .order(ByteOrder.LITTLE_ENDIAN).getLong();
    /**
     * Format written: records carry the COMMIT flag that ends an atomic unit.
     */
    static final int FORMAT_VERSION = 2;

    /**
     * Older format still read: no commit marks, every record counts as the end of a unit.
     */
    static final int FORMAT_VERSION_UNMARKED = 1;

    static final int MAGIC_OFFSET = 0;
    static final int FORMAT_VERSION_OFFSET = 8;
    static final int SEGMENT_INDEX_OFFSET = 12;
    static final int BASE_POSITION_OFFSET = 16;
    static final int MAX_SEGMENT_SIZE_OFFSET = 24;
    static final int CHECKSUM_OFFSET = 60;

    private SegmentHeader()
    {
    }

    /**
     * Encode a header into a fresh 64-byte little-endian buffer, positioned at 0.
     */
    static ByteBuffer encode(final int segmentIndex, final long maxSegmentSize)
    {
        final ByteBuffer header = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        header.putInt(SEGMENT_INDEX_OFFSET, segmentIndex);
        header.putLong(BASE_POSITION_OFFSET, segmentIndex * maxSegmentSize);
        header.putLong(MAX_SEGMENT_SIZE_OFFSET, maxSegmentSize);
        header.putInt(CHECKSUM_OFFSET, checksum(header));
        return header;
    }

    /**
     * Validate a header read from a file.
     *
     * @param header         64 bytes, any position (absolute reads are used).
     * @param segmentIndex   index expected from the file name.
     * @param fileLength     length of the file on disk.
     * @return null when valid, else what is wrong with it.
     */
    static String validate(final ByteBuffer header, final int segmentIndex, final long fileLength)
    {
        final ByteBuffer le = header.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        if (le.limit() < LENGTH)
        {
            return "file is " + fileLength + " bytes, shorter than the " + LENGTH + "-byte segment header";
        }
        final int storedChecksum = le.getInt(CHECKSUM_OFFSET);
        final int actualChecksum = checksum(le);
        if (storedChecksum != actualChecksum)
        {
            return "segment header checksum mismatch: expected CRC32C 0x" + hex(storedChecksum) +
                " (stored), actual 0x" + hex(actualChecksum) + " (computed)";
        }
        if (le.getLong(MAGIC_OFFSET) != MAGIC)
        {
            return "bad magic 0x" + Long.toHexString(le.getLong(MAGIC_OFFSET)) + ", not an Axiom WAL segment";
        }
        final int version = le.getInt(FORMAT_VERSION_OFFSET);
        if (version != FORMAT_VERSION && version != FORMAT_VERSION_UNMARKED)
        {
            return "unsupported format version " + version + ", expected " + FORMAT_VERSION_UNMARKED + " or " +
                FORMAT_VERSION;
        }
        final long maxSegmentSize = le.getLong(MAX_SEGMENT_SIZE_OFFSET);
        if (le.getInt(SEGMENT_INDEX_OFFSET) != segmentIndex ||
            le.getLong(BASE_POSITION_OFFSET) != segmentIndex * maxSegmentSize)
        {
            return "header says segment index " + le.getInt(SEGMENT_INDEX_OFFSET) + " base position " +
                le.getLong(BASE_POSITION_OFFSET) + ", but the file name says index " + segmentIndex;
        }
        if (maxSegmentSize != fileLength)
        {
            return "header says max segment size " + maxSegmentSize + " but the file is " + fileLength + " bytes";
        }
        return null;
    }

    static int formatVersion(final ByteBuffer header)
    {
        return header.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(FORMAT_VERSION_OFFSET);
    }

    static long maxSegmentSize(final ByteBuffer header)
    {
        return header.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(MAX_SEGMENT_SIZE_OFFSET);
    }

    static String hex(final int value)
    {
        final String digits = Integer.toHexString(value);
        return "00000000".substring(digits.length()) + digits;
    }

    private static int checksum(final ByteBuffer header)
    {
        final CRC32C crc = new CRC32C();
        crc.update(header.duplicate().clear().limit(CHECKSUM_OFFSET));
        return (int)crc.getValue();
    }
}
