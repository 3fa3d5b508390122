package io.axiom.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The write-ahead log: appends CRC32C-framed opaque records to memory-mapped segment files, makes them durable with
 * one {@link #flush()} per batch (group commit), and reads them back zero-copy.
 * <p>
 * Single-threaded: one thread claims, commits, flushes and reads. No allocation on claim, commit, flush, read or
 * replay, except when a claim rotates to a new segment (file creation).
 */
public final class Journal implements AutoCloseable
{
    /**
     * Length of a record header; the payload follows it.
     */
    public static final int HEADER_LENGTH = RecordFrame.HEADER_LENGTH;

    /**
     * Records start at multiples of this within a segment.
     */
    public static final int ALIGNMENT = RecordFrame.ALIGNMENT;

    /**
     * Length of the header opening every segment file; the first record of a segment follows it.
     */
    public static final int SEGMENT_HEADER_LENGTH = SegmentHeader.LENGTH;

    private final Path dataDir;
    private final boolean fsync;
    private final long segmentSize;
    private final int maxPayloadLength;
    private final ArrayList<Segment> segments;
    private final int firstIndex;
    private final RecoveryReport recoveryReport;
    private final CRC32C crc = new CRC32C();
    private final JournalClaim appendClaim = new JournalClaim();

    private Segment current;
    private int tail;
    private int flushedOffset;
    private Segment pendingSegment;
    private int pendingFrom;
    private int pendingTo;
    private long carriedBytes;

    private long lastSequence;
    private long lastPosition;
    private long recordCount;
    private long flushCount;
    private long flushedBytes;
    private JournalClaim openClaim;
    private boolean closed;

    private Journal(final JournalContext ctx, final Recovery recovery)
    {
        dataDir = ctx.dataDir();
        fsync = ctx.fsync();
        segmentSize = recovery.segmentSize();
        maxPayloadLength = (int)(segmentSize - SEGMENT_HEADER_LENGTH - HEADER_LENGTH);
        segments = new ArrayList<>(recovery.segments());
        firstIndex = segments.get(0).index();
        recoveryReport = recovery.report();
        current = segments.get(segments.size() - 1);
        tail = current.limit();
        flushedOffset = tail;
        lastSequence = recoveryReport.lastSequence();
        lastPosition = recoveryReport.lastPosition();
        recordCount = recoveryReport.recordCount();
        if (fsync)
        {
            for (final Segment segment : segments)
            {
                segment.force(0, segment.limit());
            }
        }
    }

    /**
     * Open or create the log in ctx.dataDir() and run the recovery scan: a torn tail is truncated, mid-log
     * corruption refused (or, with {@link JournalContext#repair()}, truncated).
     *
     * @param ctx configuration; concluded here if not yet.
     * @return the journal, positioned after the last valid record.
     * @throws JournalCorruptionException if acknowledged data is damaged and repair is off.
     */
    public static Journal open(final JournalContext ctx)
    {
        if (!ctx.isConcluded())
        {
            ctx.conclude();
        }
        return new Journal(ctx, Recovery.run(ctx));
    }

    /**
     * @return what recovery found and did when this journal was opened.
     */
    public RecoveryReport recoveryReport()
    {
        return recoveryReport;
    }

    /**
     * Claim space for one record and fill claim; the caller writes the payload then calls {@link JournalClaim#commit()}
     * (or {@link JournalClaim#abort()}). Rotates to a new segment when the record does not fit the current one. Only
     * one claim may be open at a time.
     *
     * @param payloadLength payload bytes, 0..{@link #maxPayloadLength()}.
     * @param type          opaque type id, 0..65535.
     * @param version       opaque version, 0..65535.
     * @param timestamp     opaque timestamp stored with the record.
     * @param claim         flyweight to fill.
     * @return position of the record, greater than every earlier one.
     * @throws IllegalArgumentException if the record can never fit a segment or type/version are out of range.
     * @throws IllegalStateException    if a claim is already open or the journal is closed.
     */
    public long claim(
        final int payloadLength, final int type, final int version, final long timestamp, final JournalClaim claim)
    {
        ensureOpen();
        if (null != openClaim)
        {
            throw new IllegalStateException("a claim is already open at position " + openClaim.position());
        }
        if (payloadLength < 0 || payloadLength > maxPayloadLength)
        {
            throw new IllegalArgumentException("record payload of " + payloadLength + " bytes can never fit: a " +
                segmentSize + "-byte segment holds at most " + maxPayloadLength + " payload bytes per record (" +
                SEGMENT_HEADER_LENGTH + "-byte segment header, " + HEADER_LENGTH + "-byte record header); raise " +
                "wal.max-segment-size or pass large payloads by reference");
        }
        if ((type & ~RecordFrame.MAX_TYPE) != 0 || (version & ~RecordFrame.MAX_TYPE) != 0)
        {
            throw new IllegalArgumentException("type and version must be in 0..65535: type=" + type +
                " version=" + version);
        }

        final int alignedLength = RecordFrame.align(HEADER_LENGTH + payloadLength);
        if (tail + alignedLength > current.capacity())
        {
            rotate();
        }
        final int frameOffset = tail;
        final long position = current.basePosition() + frameOffset;
        RecordFrame.writeHeader(current.buffer(), frameOffset, lastSequence + 1, timestamp, type, version);
        claim.wrap(this, current.buffer(), frameOffset, payloadLength, position);
        openClaim = claim;
        return position;
    }

    /**
     * Copy-append one record: claim, copy, commit.
     *
     * @param type      opaque type id, 0..65535.
     * @param version   opaque version, 0..65535.
     * @param timestamp opaque timestamp stored with the record.
     * @param src       payload source.
     * @param srcOffset payload offset in src.
     * @param length    payload length.
     * @return position of the record.
     */
    public long append(
        final int type,
        final int version,
        final long timestamp,
        final DirectBuffer src,
        final int srcOffset,
        final int length)
    {
        final JournalClaim claim = appendClaim;
        final long position = claim(length, type, version, timestamp, claim);
        claim.buffer().putBytes(claim.offset(), src, srcOffset, length);
        claim.commit();
        return position;
    }

    void commit(final JournalClaim claim)
    {
        if (claim != openClaim || closed)
        {
            throw new IllegalStateException("claim is not the journal's open claim");
        }
        final Segment segment = current;
        final UnsafeBuffer buffer = segment.buffer();
        final int frameOffset = claim.frameOffset();
        final int frameLength = HEADER_LENGTH + claim.length();
        final int checksum = segment.checksum(
            crc, frameOffset + RecordFrame.CHECKSUMMED_FROM, frameOffset + frameLength);
        RecordFrame.writeChecksum(buffer, frameOffset, checksum);
        RecordFrame.frameLengthRelease(buffer, frameOffset, frameLength);

        tail = frameOffset + RecordFrame.align(frameLength);
        segment.limit(tail);
        lastSequence++;
        lastPosition = claim.position();
        recordCount++;
        openClaim = null;
        claim.release();
    }

    void abort(final JournalClaim claim)
    {
        if (claim != openClaim || closed)
        {
            throw new IllegalStateException("claim is not the journal's open claim");
        }
        final int frameOffset = claim.frameOffset();
        current.buffer().setMemory(frameOffset, RecordFrame.align(HEADER_LENGTH + claim.length()), (byte)0);
        openClaim = null;
        claim.release();
    }

    /**
     * Group commit: force every byte committed since the last flush to the device with
     * {@code MappedByteBuffer.force(offset, length)}, the tail of the previous segment too after a rotation. With
     * fsync off nothing is forced, but bytes are still counted.
     *
     * @return bytes made durable by this call, 0 when nothing was committed since the last flush.
     */
    public long flush()
    {
        ensureOpen();
        long bytes = carriedBytes;
        carriedBytes = 0;
        if (null != pendingSegment)
        {
            bytes += forcePending();
        }
        final int dirty = tail - flushedOffset;
        if (dirty > 0)
        {
            if (fsync)
            {
                current.force(flushedOffset, dirty);
            }
            flushedOffset = tail;
            bytes += dirty;
        }
        if (bytes > 0)
        {
            flushCount++;
            flushedBytes += bytes;
        }
        return bytes;
    }

    private int forcePending()
    {
        final int length = pendingTo - pendingFrom;
        if (fsync)
        {
            pendingSegment.force(pendingFrom, length);
        }
        pendingSegment = null;
        return length;
    }

    private void rotate()
    {
        final int dirty = tail - flushedOffset;
        if (dirty > 0)
        {
            if (null != pendingSegment)
            {
                carriedBytes += forcePending();
            }
            pendingSegment = current;
            pendingFrom = flushedOffset;
            pendingTo = tail;
        }
        final Segment next = Segment.create(dataDir, current.index() + 1, segmentSize, fsync);
        segments.add(next);
        current = next;
        tail = SEGMENT_HEADER_LENGTH;
        flushedOffset = SEGMENT_HEADER_LENGTH;
    }

    /**
     * @return where the next record goes if it fits the current segment.
     */
    public long nextPosition()
    {
        return current.basePosition() + tail;
    }

    /**
     * @return sequence of the newest committed record, 0 when the log is empty.
     */
    public long lastSequence()
    {
        return lastSequence;
    }

    /**
     * @return position of the newest committed record, 0 when the log is empty.
     */
    public long lastPosition()
    {
        return lastPosition;
    }

    /**
     * @return committed records in the log (recovered plus appended).
     */
    public long recordCount()
    {
        return recordCount;
    }

    /**
     * @return flushes that had bytes to make durable.
     */
    public long flushCount()
    {
        return flushCount;
    }

    /**
     * @return bytes made durable by all flushes so far (counted with fsync off too).
     */
    public long flushedBytes()
    {
        return flushedBytes;
    }

    /**
     * @return largest payload one record can carry.
     */
    public int maxPayloadLength()
    {
        return maxPayloadLength;
    }

    /**
     * @return size of each segment file of this log.
     */
    public long segmentSize()
    {
        return segmentSize;
    }

    /**
     * @return segment files in use.
     */
    public int segmentCount()
    {
        return segments.size();
    }

    /**
     * @return true when flush forces to the device.
     */
    public boolean fsync()
    {
        return fsync;
    }

    /**
     * @return the data directory.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * Zero-copy read of the committed record starting at position. The record's CRC32C is checked, so a position
     * that is not a record start is refused rather than misread.
     *
     * @param position a record's position, as returned by claim or append.
     * @param handler  receives the record.
     * @return false if no committed record starts there.
     */
    public boolean read(final long position, final RecordHandler handler)
    {
        ensureOpen();
        final Segment segment = segmentOf(position);
        if (null == segment)
        {
            return false;
        }
        final int offset = (int)(position - segment.basePosition());
        final int limit = segment.limit();
        if (offset < SEGMENT_HEADER_LENGTH || offset >= limit || (offset & (ALIGNMENT - 1)) != 0)
        {
            return false;
        }
        final UnsafeBuffer buffer = segment.buffer();
        final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
        if (frameLength < HEADER_LENGTH || offset + frameLength > limit ||
            RecordFrame.checksum(buffer, offset) !=
            segment.checksum(crc, offset + RecordFrame.CHECKSUMMED_FROM, offset + frameLength))
        {
            return false;
        }
        RecordFrame.deliver(buffer, offset, frameLength, position, handler);
        return true;
    }

    /**
     * Sequential replay, oldest first, of every record committed before this call with position >= fromPosition.
     *
     * @param fromPosition first position of interest, need not be a record start.
     * @param handler      receives each record.
     * @return records delivered.
     */
    public long replay(final long fromPosition, final RecordHandler handler)
    {
        ensureOpen();
        final long endPosition = current.basePosition() + tail;
        final long fromIndex = Math.max(0, fromPosition) / segmentSize - firstIndex;
        long count = 0;
        for (int i = (int)Math.max(0, Math.min(fromIndex, segments.size())); i < segments.size(); i++)
        {
            final Segment segment = segments.get(i);
            final UnsafeBuffer buffer = segment.buffer();
            final int limit = segment.limit();
            int offset = SEGMENT_HEADER_LENGTH;
            while (offset < limit)
            {
                final long position = segment.basePosition() + offset;
                if (position >= endPosition)
                {
                    return count;
                }
                final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
                if (position >= fromPosition)
                {
                    RecordFrame.deliver(buffer, offset, frameLength, position, handler);
                    count++;
                }
                offset += RecordFrame.align(frameLength);
            }
        }
        return count;
    }

    /**
     * Abort an open claim, flush, unmap and close. Idempotent.
     */
    public void close()
    {
        if (closed)
        {
            return;
        }
        if (null != openClaim)
        {
            abort(openClaim);
        }
        flush();
        closed = true;
        for (final Segment segment : segments)
        {
            segment.unmap();
        }
        segments.clear();
    }

    /**
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    private Segment segmentOf(final long position)
    {
        if (position < 0)
        {
            return null;
        }
        final long i = position / segmentSize - firstIndex;
        return i < 0 || i >= segments.size() ? null : segments.get((int)i);
    }

    private void ensureOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("journal is closed: " + dataDir);
        }
    }

    public String toString()
    {
        return "Journal{dataDir=" + dataDir + ", nextPosition=" + nextPosition() + ", lastSequence=" + lastSequence +
            ", segments=" + segments.size() + '}';
    }
}
