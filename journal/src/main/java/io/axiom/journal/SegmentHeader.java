package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * The 64-byte header that opens every segment file, little-endian:
 * <pre>
 *   0  int64  magic           ASCII "AXIOMWAL"
 *   8  int32  formatVersion   3 (2 and 1 are read, see below)
 *  12  int32  segmentIndex    i, the file holds positions [i * maxSegmentSize, (i + 1) * maxSegmentSize)
 *  16  int64  basePosition    i * maxSegmentSize, also the file name
 *  24  int64  maxSegmentSize  file length
 *  32  int64  generation      0 for a zero-filled file, one more than the file's previous life when recycled
 *  40  ...    reserved        0
 *  60  int32  headerChecksum  CRC32C over bytes [0, 60)
 * </pre>
 * Format 3 added the generation: every record's stored checksum is its CRC32C XOR {@link #salt(long)} of the
 * generation, so a record left from an earlier life of a recycled file never validates. Format 2 (the same layout,
 * reserved zeros at 32, hence generation 0 and salt 0) is read as generation 0: its records are identical.
 */
final class SegmentHeader
{
    static final int LENGTH = 64;
    static final long MAGIC = ByteBuffer.wrap("AXIOMWAL".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .order(ByteOrder.LITTLE_ENDIAN).getLong();
    /**
     * Format written: records carry the COMMIT flag that ends an atomic unit.
     */
    static final int FORMAT_VERSION = 3;

    /**
     * Previous format still read: commit marks, no generation (reserved zeros, so generation 0).
     */
    static final int FORMAT_VERSION_MARKED = 2;

    /**
     * Older format still read: no commit marks, every record counts as the end of a unit.
     */
    static final int FORMAT_VERSION_UNMARKED = 1;

    static final int MAGIC_OFFSET = 0;
    static final int FORMAT_VERSION_OFFSET = 8;
    static final int SEGMENT_INDEX_OFFSET = 12;
    static final int BASE_POSITION_OFFSET = 16;
    static final int MAX_SEGMENT_SIZE_OFFSET = 24;
    static final int GENERATION_OFFSET = 32;
    static final int CHECKSUM_OFFSET = 60;

    private SegmentHeader()
    {
    }

    /**
     * Encode a header into a fresh 64-byte little-endian buffer, positioned at 0.
     */
    static ByteBuffer encode(final int segmentIndex, final long maxSegmentSize)
    {
        return encode(segmentIndex, maxSegmentSize, 0);
    }

    /**
     * Encode a header of a segment in its given generation (0 for a zero-filled file), positioned at 0.
     */
    static ByteBuffer encode(final int segmentIndex, final long maxSegmentSize, final long generation)
    {
        final ByteBuffer header = ByteBuffer.allocate(LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        header.putLong(MAGIC_OFFSET, MAGIC);
        header.putInt(FORMAT_VERSION_OFFSET, FORMAT_VERSION);
        header.putInt(SEGMENT_INDEX_OFFSET, segmentIndex);
        header.putLong(BASE_POSITION_OFFSET, segmentIndex * maxSegmentSize);
        header.putLong(MAX_SEGMENT_SIZE_OFFSET, maxSegmentSize);
        header.putLong(GENERATION_OFFSET, generation);
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
        if (version < FORMAT_VERSION_UNMARKED || version > FORMAT_VERSION)
        {
            return "unsupported format version " + version + ", expected " + FORMAT_VERSION_UNMARKED + " to " +
                FORMAT_VERSION;
        }
        if (version < FORMAT_VERSION && 0 != le.getLong(GENERATION_OFFSET))
        {
            return "format " + version + " segment with non-zero reserved bytes at " + GENERATION_OFFSET;
        }
        if (le.getLong(GENERATION_OFFSET) < 0)
        {
            return "negative generation " + le.getLong(GENERATION_OFFSET);
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

    /**
     * @return the generation of a validated header: 0 for formats 1 and 2 and for a zero-filled file.
     */
    static long generation(final ByteBuffer header)
    {
        return header.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(GENERATION_OFFSET);
    }

    /**
     * @return what a record's CRC32C is XORed with in a segment of this generation: 0 for generation 0, and distinct
     * for any two generations below 2^32, so a record framed in one life of a file never validates in another.
     */
    static int salt(final long generation)
    {
        return (int)generation;
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
