package io.axiom.journal;

import java.util.List;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

import static io.axiom.journal.RecordFrame.ALIGNMENT;
import static io.axiom.journal.RecordFrame.CHECKSUMMED_FROM;
import static io.axiom.journal.RecordFrame.HEADER_LENGTH;

/**
 * Walks mapped segments record by record, validating length, CRC32C, flags and sequence continuity, and classifies
 * where the walk stopped: a clean end, a torn tail (nothing valid after it) or corruption (valid records after it).
 * <p>
 * The log ends at the end of the last record that ends a unit (COMMIT flag; every record of a format-1 segment):
 * valid records after it are an incomplete unit, part of the torn tail. Reads only; acting on the outcome is the
 * caller's business ({@link Recovery} truncates or refuses, {@link JournalInspector} reports).
 */
final class RecoveryScan
{
    enum Outcome
    {
        CLEAN, TORN_TAIL, CORRUPT
    }

    private final List<Segment> segments;
    private final long[] segmentRecords;
    private final CRC32C crc = new CRC32C();

    private long recordCount;
    private long firstPosition;
    private long lastPosition;
    private long lastSequence;
    private int lastChecksum;
    private long walkedSequence;
    private long unitRecords;
    private int stopSegment;
    private int stopOffset;
    private int cutSegment;
    private int cutOffset;
    private LogFault fault;

    private Outcome outcome;
    private boolean validFollows;
    private LogFault corruption;
    private String evidence;
    private int tailEnd;
    private long laterGarbageBytes;
    private int nextSegment;
    private int nextOffset;
    private long nextSequence;

    private long markPosition = -1;
    private boolean markFound;
    private boolean markInsideUnit;
    private int markSegment;
    private int markOffset;
    private long markRecordCount;
    private long markFirstPosition;
    private long markLastPosition;
    private long markLastSequence;
    private int markLastChecksum;
    private long unitEndBelowMark = -1;
    private long unitEndAboveMark = -1;
    private boolean startEndsUnit;

    /**
     * @param segments contiguous segments with valid headers, oldest first, at least one.
     */
    RecoveryScan(final List<Segment> segments)
    {
        this.segments = segments;
        this.segmentRecords = new long[segments.size()];
    }

    /**
     * Walk valid records from a unit boundary until a zero length that ends the log, the end of the segments, or a
     * bad record, then classify the stop. Counts add up over calls (the inspector resumes past corruption).
     *
     * @param fromSegment      index into the segment list.
     * @param fromOffset       file offset of the first record to check.
     * @param expectedSequence sequence the first record must have, 0 to accept any.
     * @return the outcome.
     */
    Outcome scan(final int fromSegment, final int fromOffset, final long expectedSequence)
    {
        walk(fromSegment, fromOffset, expectedSequence);
        classify();
        return outcome;
    }

    /**
     * Scan from the end of a record known to end a unit (the record a snapshot is bound to, checked by the caller),
     * as if the walk had reached it: the records before it count as the log's first records and the last record is
     * that one until the walk finds a later unit end.
     *
     * @param fromSegment   index into the segment list of the segment holding the bound record.
     * @param fromOffset    file offset just past the bound record (aligned), may equal the segment's capacity.
     * @param firstPosition position of the log's first record.
     * @param lastPosition  position of the bound record.
     * @param lastSequence  its sequence: the walk expects the next one.
     * @param lastChecksum  its stored CRC32C.
     * @param recordsBefore records up to and including it.
     * @return the outcome.
     */
    Outcome scanAfter(
        final int fromSegment,
        final int fromOffset,
        final long firstPosition,
        final long lastPosition,
        final long lastSequence,
        final int lastChecksum,
        final long recordsBefore)
    {
        this.firstPosition = firstPosition;
        this.lastPosition = lastPosition;
        this.lastSequence = lastSequence;
        this.lastChecksum = lastChecksum;
        this.walkedSequence = lastSequence;
        this.recordCount = recordsBefore;
        this.startEndsUnit = true;
        return scan(fromSegment, fromOffset, lastSequence + 1);
    }

    /**
     * Watch for a unit end at position during the next scan: where the walk passes it, the log's state there (records,
     * last record, its sequence and checksum) is kept for {@link #markFound()} and the accessors after it.
     *
     * @param position an end position as {@link Journal#endPosition()} returns it after a unit, -1 for none.
     */
    void mark(final long position)
    {
        markPosition = position;
    }

    private void walk(final int fromSegment, final int fromOffset, final long expectedSequence)
    {
        long expected = expectedSequence;
        fault = null;
        unitRecords = 0;
        cutSegment = fromSegment;
        cutOffset = fromOffset;
        long unitFirstPosition = 0;
        if (markPosition >= 0)
        {
            final Segment start = segments.get(fromSegment);
            final boolean endsUnit = startEndsUnit ||
                (0 == start.index() && SegmentHeader.LENGTH == fromOffset && 0 == recordCount);
            if (endsUnit)
            {
                markUnitEnd(fromSegment, fromOffset, start.basePosition() + fromOffset);
            }
        }
        for (int s = fromSegment; s < segments.size(); s++)
        {
            final Segment segment = segments.get(s);
            final UnsafeBuffer buffer = segment.buffer();
            final int capacity = segment.capacity();
            int offset = s == fromSegment ? fromOffset : SegmentHeader.LENGTH;
            if (s > fromSegment && endOfLife(segment, offset, RecordFrame.frameLengthVolatile(buffer, offset)))
            {
                stopSegment = s - 1;
                stopOffset = segments.get(s - 1).limit();
                return;
            }

            while (offset <= capacity - HEADER_LENGTH)
            {
                final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
                if (endOfLife(segment, offset, frameLength))
                {
                    break;
                }
                final LogFault recordFault = check(segment, offset, frameLength, expected);
                if (null != recordFault)
                {
                    segment.limit(offset);
                    stopSegment = s;
                    stopOffset = offset;
                    fault = recordFault;
                    return;
                }
                final long sequence = RecordFrame.sequence(buffer, offset);
                final long position = segment.basePosition() + offset;
                if (0 == unitRecords)
                {
                    unitFirstPosition = position;
                }
                unitRecords++;
                segmentRecords[s]++;
                walkedSequence = sequence;
                expected = sequence + 1;
                final boolean endsUnit =
                    RecordFrame.endsUnit(RecordFrame.flags(buffer, offset), segment.formatVersion());
                final int checksum = RecordFrame.checksum(buffer, offset);
                offset += RecordFrame.align(frameLength);
                if (endsUnit)
                {
                    if (0 == recordCount)
                    {
                        firstPosition = unitFirstPosition;
                    }
                    recordCount += unitRecords;
                    unitRecords = 0;
                    lastPosition = position;
                    lastSequence = sequence;
                    lastChecksum = checksum;
                    cutSegment = s;
                    cutOffset = offset;
                    if (markPosition >= 0)
                    {
                        markUnitEnd(s, offset, segment.basePosition() + offset);
                    }
                }
                else if (segment.basePosition() + offset == markPosition)
                {
                    markInsideUnit = true;
                }
            }
            segment.limit(offset);
        }
        stopSegment = segments.size() - 1;
        stopOffset = segments.get(stopSegment).limit();
    }

    private void markUnitEnd(final int segment, final int offset, final long end)
    {
        if (end == markPosition)
        {
            markFound = true;
            markSegment = segment;
            markOffset = offset;
            markRecordCount = recordCount;
            markFirstPosition = firstPosition;
            markLastPosition = lastPosition;
            markLastSequence = lastSequence;
            markLastChecksum = lastChecksum;
        }
        else if (end < markPosition)
        {
            unitEndBelowMark = end;
        }
        else if (unitEndAboveMark < 0)
        {
            unitEndAboveMark = end;
        }
    }

    /**
     * @return true when no record of this segment's life starts at offset: a zero length, or in a recycled segment
     * any frame that does not validate in this life (a stale record of an earlier life, or the middle of one), which
     * ends the log exactly as zeros do in a zero-filled segment.
     */
    private boolean endOfLife(final Segment segment, final int offset, final int frameLength)
    {
        return endOfLife(crc, segment, offset, frameLength);
    }

    static boolean endOfLife(final CRC32C crc, final Segment segment, final int offset, final int frameLength)
    {
        return 0 == frameLength || (segment.recycled() && !segment.validFrame(crc, offset));
    }

    private LogFault check(final Segment segment, final int offset, final int frameLength, final long expected)
    {
        return check(crc, segment, offset, frameLength, expected);
    }

    /**
     * @return what is wrong with the record at offset (length, CRC32C, sequence, flags), null when it is sound.
     */
    static LogFault check(
        final CRC32C crc, final Segment segment, final int offset, final int frameLength, final long expected)
    {
        final UnsafeBuffer buffer = segment.buffer();
        final long position = segment.basePosition() + offset;
        final String where = segment.file() + " at file offset " + offset + " (position " + position + ")";
        final int maxLength = segment.capacity() - offset;
        if (frameLength < HEADER_LENGTH || frameLength > maxLength)
        {
            return new LogFault(LogFault.Kind.LENGTH, segment.file(), offset, position,
                "impossible frame length " + frameLength + " in " + where + ": must be between " + HEADER_LENGTH +
                " and " + maxLength + (0 == expected ? "" : ", expected sequence " + expected) +
                ", stored CRC32C 0x" + SegmentHeader.hex(RecordFrame.checksum(buffer, offset)));
        }
        final int stored = RecordFrame.checksum(buffer, offset);
        final int actual = segment.checksum(crc, offset + CHECKSUMMED_FROM, offset + frameLength);
        if (stored != actual)
        {
            return new LogFault(LogFault.Kind.CHECKSUM, segment.file(), offset, position,
                "record checksum mismatch in " + where + ": expected CRC32C 0x" + SegmentHeader.hex(stored) +
                " (stored in the record), actual 0x" + SegmentHeader.hex(actual) + " (computed over its " +
                frameLength + " bytes)" + (0 == expected ? "" : ", expected sequence " + expected));
        }
        final long sequence = RecordFrame.sequence(buffer, offset);
        if (0 == expected ? sequence < 1 : sequence != expected)
        {
            return new LogFault(LogFault.Kind.SEQUENCE, segment.file(), offset, position,
                "sequence gap in " + where + ": expected sequence " + (0 == expected ? ">= 1" : expected) +
                ", actual " + sequence + " (the record's checksum is valid)");
        }
        final int flags = RecordFrame.flags(buffer, offset);
        if (!RecordFrame.plausibleFlags(flags, segment.formatVersion()))
        {
            return new LogFault(LogFault.Kind.FLAGS, segment.file(), offset, position,
                "unknown flags 0x" + SegmentHeader.hex(flags) + " in " + where + " (format " +
                segment.formatVersion() + " segment; the record's checksum is valid, sequence " + sequence + ")");
        }
        return null;
    }

    private void classify()
    {
        final Segment stop = segments.get(stopSegment);
        final int lookFrom = null == fault ? stopOffset : stopOffset + ALIGNMENT;
        validFollows = findValidFrame(stopSegment, lookFrom);
        final Segment cut = segments.get(cutSegment);
        tailEnd = cut.lifeEnd(crc, cutOffset);
        laterGarbageBytes = 0;
        long afterStopBytes = 0;
        for (int s = cutSegment + 1; s < segments.size(); s++)
        {
            final long bytes = segments.get(s).lifeEnd(crc, SegmentHeader.LENGTH) - SegmentHeader.LENGTH;
            laterGarbageBytes += bytes;
            if (s > stopSegment)
            {
                afterStopBytes += bytes;
            }
        }

        corruption = null;
        evidence = null;
        if (validFollows)
        {
            final Segment next = segments.get(nextSegment);
            evidence = "a valid record follows it in " + next.file() + " at file offset " + nextOffset +
                " (position " + (next.basePosition() + nextOffset) + ", sequence " + nextSequence +
                "), so this is not a torn tail";
            corruption = null != fault ? fault : new LogFault(
                LogFault.Kind.HOLE, stop.file(), stopOffset, stop.basePosition() + stopOffset,
                (stop.recycled() ? "end of this life's records" : "zero frame length") + " in " + stop.file() +
                " at file offset " + stopOffset + " (position " +
                (stop.basePosition() + stopOffset) + ") where sequence " + (walkedSequence + 1) + " was expected");
            outcome = Outcome.CORRUPT;
        }
        else if (null != fault && afterStopBytes > 0)
        {
            evidence = "later segment files hold data after it, so this is not a torn tail";
            corruption = fault;
            outcome = Outcome.CORRUPT;
        }
        else if (tailEnd > cutOffset || laterGarbageBytes > 0)
        {
            outcome = Outcome.TORN_TAIL;
        }
        else
        {
            outcome = Outcome.CLEAN;
        }
    }

    /**
     * Look for a frame that validates (length, CRC32C, flags) with a plausible sequence after the last good one, at
     * every 8-aligned offset from fromOffset in segment fromSegment and in every later segment.
     */
    private boolean findValidFrame(final int fromSegment, final int fromOffset)
    {
        final long stopPosition = segments.get(fromSegment).basePosition() + fromOffset;
        for (int s = fromSegment; s < segments.size(); s++)
        {
            final Segment segment = segments.get(s);
            final UnsafeBuffer buffer = segment.buffer();
            final int capacity = segment.capacity();
            for (int offset = s == fromSegment ? fromOffset : SegmentHeader.LENGTH;
                offset <= capacity - HEADER_LENGTH;
                offset += ALIGNMENT)
            {
                final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
                if (frameLength < HEADER_LENGTH || frameLength > capacity - offset ||
                    !RecordFrame.plausibleFlags(RecordFrame.flags(buffer, offset), segment.formatVersion()))
                {
                    continue;
                }
                final long sequence = RecordFrame.sequence(buffer, offset);
                final long maxSequence = 0 == walkedSequence ? Long.MAX_VALUE :
                    walkedSequence + 1 + (segment.basePosition() + offset - stopPosition) / HEADER_LENGTH;
                if (sequence <= walkedSequence || sequence > maxSequence)
                {
                    continue;
                }
                final int stored = RecordFrame.checksum(buffer, offset);
                if (stored == segment.checksum(crc, offset + CHECKSUMMED_FROM, offset + frameLength))
                {
                    nextSegment = s;
                    nextOffset = offset;
                    nextSequence = sequence;
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Check that a segment holds, at offset, the record a snapshot says it covers last.
     *
     * @return null when a committed record starts there with this sequence and stored checksum, validates, ends its
     * unit and ends (aligned) exactly at end; else what is there instead, in words.
     */
    static String bindingMismatch(
        final Segment segment,
        final int offset,
        final CRC32C crc,
        final long sequence,
        final int checksum,
        final long end)
    {
        return bindingMismatch(segment, offset, crc, sequence, checksum, end, segment.limit());
    }

    /**
     * As {@link #bindingMismatch(Segment, int, CRC32C, long, int, long)}, with the end of the segment's committed
     * records given (its capacity, before a scan has found it).
     */
    static String bindingMismatch(
        final Segment segment,
        final int offset,
        final CRC32C crc,
        final long sequence,
        final int checksum,
        final long end,
        final int limit)
    {
        final long position = segment.basePosition() + offset;
        final UnsafeBuffer buffer = segment.buffer();
        if (offset < SegmentHeader.LENGTH || (offset & (ALIGNMENT - 1)) != 0 || offset >= limit)
        {
            return "no committed record starts at position " + position;
        }
        final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
        if (frameLength < HEADER_LENGTH || offset + frameLength > limit)
        {
            return "no committed record starts at position " + position;
        }
        return describeMismatch(
            position,
            RecordFrame.sequence(buffer, offset),
            RecordFrame.checksum(buffer, offset),
            segment.checksum(crc, offset + CHECKSUMMED_FROM, offset + frameLength),
            RecordFrame.endsUnit(RecordFrame.flags(buffer, offset), segment.formatVersion()),
            position + RecordFrame.align(frameLength),
            sequence, checksum, end);
    }

    static String describeMismatch(
        final long position,
        final long actualSequence,
        final int storedChecksum,
        final int computedChecksum,
        final boolean endsUnit,
        final long actualEnd,
        final long sequence,
        final int checksum,
        final long end)
    {
        if (storedChecksum != computedChecksum)
        {
            return "no valid record starts at position " + position;
        }
        if (actualSequence != sequence || storedChecksum != checksum)
        {
            return "the log holds sequence " + actualSequence + " with CRC32C 0x" + SegmentHeader.hex(storedChecksum) +
                " at position " + position + ", not sequence " + sequence + " with CRC32C 0x" +
                SegmentHeader.hex(checksum);
        }
        if (!endsUnit)
        {
            return "the record at position " + position + " does not end a unit in this log";
        }
        if (actualEnd != end)
        {
            return "the record at position " + position + " ends at " + actualEnd + ", not at " + end;
        }
        return null;
    }

    /**
     * @return true when the last scan passed a unit end at the {@link #mark(long)} position.
     */
    boolean markFound()
    {
        return markFound;
    }

    /**
     * @return true when a record that does not end its unit ends at the mark position.
     */
    boolean markInsideUnit()
    {
        return markInsideUnit;
    }

    /**
     * @return index into the segment list of the segment the mark position ends a record in (or starts, for the
     * empty log).
     */
    int markSegment()
    {
        return markSegment;
    }

    /**
     * @return file offset of the mark position in {@link #markSegment()}, may equal its capacity.
     */
    int markOffset()
    {
        return markOffset;
    }

    /**
     * @return records in complete units up to the mark.
     */
    long markRecordCount()
    {
        return markRecordCount;
    }

    long markFirstPosition()
    {
        return markFirstPosition;
    }

    long markLastPosition()
    {
        return markLastPosition;
    }

    long markLastSequence()
    {
        return markLastSequence;
    }

    int markLastChecksum()
    {
        return markLastChecksum;
    }

    /**
     * @return the greatest unit end walked below the mark, -1 when none.
     */
    long unitEndBelowMark()
    {
        return unitEndBelowMark;
    }

    /**
     * @return the least unit end walked above the mark, -1 when none.
     */
    long unitEndAboveMark()
    {
        return unitEndAboveMark;
    }

    Outcome outcome()
    {
        return outcome;
    }

    /**
     * @return true when a valid record was found after the stop, see {@link #nextSegment()}.
     */
    boolean validFollows()
    {
        return validFollows;
    }

    /**
     * @return records in complete units, over every scan so far.
     */
    long recordCount()
    {
        return recordCount;
    }

    /**
     * @return position of the oldest record in a complete unit, 0 when none.
     */
    long firstPosition()
    {
        return firstPosition;
    }

    /**
     * @return position of the last record that ends a unit, 0 when none.
     */
    long lastPosition()
    {
        return lastPosition;
    }

    long lastSequence()
    {
        return lastSequence;
    }

    /**
     * @return CRC32C stored in the last record that ends a unit, 0 when none.
     */
    int lastChecksum()
    {
        return lastChecksum;
    }

    /**
     * @return valid records walked after the last unit end of the last scan: an incomplete unit (or, at a fault, the
     * part of a unit before it).
     */
    long unitRecords()
    {
        return unitRecords;
    }

    /**
     * @return valid records in a segment, complete units or not.
     */
    long segmentRecords(final int segment)
    {
        return segmentRecords[segment];
    }

    /**
     * @return index into the segment list where the walk stopped (the end of valid records).
     */
    int stopSegment()
    {
        return stopSegment;
    }

    /**
     * @return file offset where the walk stopped: the end of the valid records in the stop segment.
     */
    int stopOffset()
    {
        return stopOffset;
    }

    /**
     * @return index into the segment list of the end of the last complete unit: where the log ends.
     */
    int cutSegment()
    {
        return cutSegment;
    }

    /**
     * @return file offset just past the last complete unit in {@link #cutSegment()}.
     */
    int cutOffset()
    {
        return cutOffset;
    }

    /**
     * @return the corruption when {@link #outcome()} is CORRUPT.
     */
    LogFault corruption()
    {
        return corruption;
    }

    /**
     * @return why the corruption is not a torn tail.
     */
    String evidence()
    {
        return evidence;
    }

    /**
     * @return the bad record at the stop, null when the walk ended at a zero length or the last segment's end.
     */
    LogFault fault()
    {
        return fault;
    }

    /**
     * @return offset just past the last non-zero byte in the cut segment from the cut offset.
     */
    int tailEnd()
    {
        return tailEnd;
    }

    /**
     * @return non-zero bytes in the segments after the cut segment.
     */
    long laterGarbageBytes()
    {
        return laterGarbageBytes;
    }

    /**
     * @return bytes after the end of the last complete unit: what a truncation at the cut removes.
     */
    long bytesAfterCut()
    {
        return (tailEnd - cutOffset) + laterGarbageBytes;
    }

    /**
     * @return index into the segment list of the valid record found after a corruption.
     */
    int nextSegment()
    {
        return nextSegment;
    }

    int nextOffset()
    {
        return nextOffset;
    }

    long nextSequence()
    {
        return nextSequence;
    }
}
