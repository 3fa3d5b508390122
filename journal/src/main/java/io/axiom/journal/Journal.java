package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The write-ahead log: appends CRC32C-framed opaque records to preallocated segment files, makes them durable with
 * one {@link #flush()} per batch (group commit), and reads them back zero-copy.
 * <p>
 * Records are claimed in a direct staging buffer and written to the current segment with {@code FileChannel.write}
 * (pwrite) when the staging buffer is full and at {@link #flush()}, which then calls {@code FileChannel.force(false)}
 * (fdatasync). Segments stay memory-mapped for reading; records still in the staging buffer are read from it. A
 * record larger than the staging buffer is claimed straight in the mapped segment. The next segment is prepared ahead
 * of need by a {@link SegmentPreparer} thread.
 * <p>
 * Single-threaded: one thread claims, commits, flushes and reads. No allocation on claim, commit, flush, read,
 * readRecord or replay, except when a claim rotates to a new segment.
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

    /**
     * Largest staging buffer: records are staged up to this many bytes before they are written to the file.
     */
    static final int STAGING_MAX = 4 * 1024 * 1024;

    private final Path dataDir;
    private final boolean fsync;
    private final long segmentSize;
    private final int maxPayloadLength;
    private final ArrayList<Segment> segments;
    private final int firstIndex;
    private final RecoveryReport recoveryReport;
    private final CRC32C crc = new CRC32C();
    private final JournalClaim appendClaim = new JournalClaim();
    private final SegmentPreparer preparer;
    private final ByteBuffer staging;
    private final ByteBuffer stagingWriteView;
    private final ByteBuffer stagingChecksumView;
    private final UnsafeBuffer stagingBuffer;
    private final int stagingCapacity;

    private Segment current;
    private int tail;
    /** The writer's offset in its segment as of the last flush, for the preparer's pacing (read racily). */
    private volatile int flushedTail;
    private int flushedOffset;
    private int writtenOffset;
    private int stagingBase;
    private boolean directClaim;
    private boolean nextRequested;
    private Segment pendingSegment;
    private int pendingFrom;
    private int pendingTo;
    private long carriedBytes;

    private long lastSequence;
    private long lastPosition;
    private long recordCount;
    private long flushCount;
    private long flushedBytes;
    private long preparedRotations;
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
        writtenOffset = tail;
        stagingBase = tail;
        stagingCapacity = stagingCapacity(segmentSize);
        staging = ByteBuffer.allocateDirect(stagingCapacity);
        stagingWriteView = staging.duplicate();
        stagingChecksumView = staging.duplicate();
        stagingBuffer = new UnsafeBuffer(staging);
        preparer = new SegmentPreparer(dataDir, segmentSize, fsync, () -> flushedTail > segmentSize / 2);
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
        current.openChannel();
    }

    /**
     * @return staging buffer length for a segment size: a quarter of a segment, at most {@link #STAGING_MAX}.
     */
    static int stagingCapacity(final long segmentSize)
    {
        return (int)Math.min(STAGING_MAX, segmentSize / 4);
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
        if (!nextRequested)
        {
            nextRequested = true;
            preparer.request(current.index() + 1);
        }
        final long position = current.basePosition() + tail;
        final UnsafeBuffer buffer;
        final int frameOffset;
        if (alignedLength > stagingCapacity)
        {
            writeOut();
            stagingBase = tail;
            directClaim = true;
            buffer = current.buffer();
            frameOffset = tail;
        }
        else
        {
            if (tail - stagingBase + alignedLength > stagingCapacity)
            {
                writeOut();
                stagingBase = tail;
            }
            directClaim = false;
            buffer = stagingBuffer;
            frameOffset = tail - stagingBase;
            if (payloadLength > 0)
            {
                buffer.putLong(frameOffset + alignedLength - Long.BYTES, 0L); // zero padding, as in the file
            }
        }
        RecordFrame.writeHeader(buffer, frameOffset, lastSequence + 1, timestamp, type, version);
        claim.wrap(this, buffer, frameOffset, payloadLength, position);
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
        final int frameOffset = claim.frameOffset();
        final int frameLength = HEADER_LENGTH + claim.length();
        final UnsafeBuffer buffer;
        final int checksum;
        if (directClaim)
        {
            buffer = segment.buffer();
            checksum = segment.checksum(crc, frameOffset + RecordFrame.CHECKSUMMED_FROM, frameOffset + frameLength);
        }
        else
        {
            buffer = stagingBuffer;
            checksum = stagingChecksum(frameOffset + RecordFrame.CHECKSUMMED_FROM, frameOffset + frameLength);
        }
        RecordFrame.writeChecksum(buffer, frameOffset, checksum);
        RecordFrame.frameLengthRelease(buffer, frameOffset, frameLength);

        tail += RecordFrame.align(frameLength);
        if (directClaim)
        {
            writtenOffset = tail;
            stagingBase = tail;
        }
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
        final UnsafeBuffer buffer = directClaim ? current.buffer() : stagingBuffer;
        buffer.setMemory(frameOffset, RecordFrame.align(HEADER_LENGTH + claim.length()), (byte)0);
        openClaim = null;
        claim.release();
    }

    /**
     * Group commit: write the staged records to the segment file ({@code FileChannel.write}) and force every byte
     * committed since the last flush to the device with {@code FileChannel.force(false)} (fdatasync), the previous
     * segment too after a rotation. Every committed record is durable when this returns. With fsync off records are
     * still written to the file (the page cache) but nothing is forced; bytes are still counted.
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
        writeOut();
        final int dirty = tail - flushedOffset;
        if (dirty > 0)
        {
            if (fsync)
            {
                current.forceData();
            }
            flushedOffset = tail;
            flushedTail = tail;
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
        final Segment segment = pendingSegment;
        pendingSegment = null;
        if (fsync)
        {
            segment.forceData();
        }
        segment.closeChannel();
        return length;
    }

    /**
     * pwrite the committed records still only in the staging buffer, [writtenOffset, tail), to the current segment.
     * They stay in the staging buffer (reads are served from it) until a claim needs the room.
     */
    private void writeOut()
    {
        final int from = writtenOffset;
        final int to = tail;
        if (to > from)
        {
            final ByteBuffer view = stagingWriteView;
            view.clear().position(from - stagingBase).limit(to - stagingBase);
            current.write(view, from);
            writtenOffset = to;
        }
    }

    private int stagingChecksum(final int from, final int to)
    {
        final ByteBuffer view = stagingChecksumView;
        view.clear().position(from).limit(to);
        crc.reset();
        crc.update(view);
        return (int)crc.getValue();
    }

    private void rotate()
    {
        writeOut();
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
        else
        {
            current.closeChannel();
        }
        final int nextIndex = current.index() + 1;
        Segment next = preparer.take(nextIndex);
        if (null != next)
        {
            try
            {
                next.install(fsync);
            }
            catch (final RuntimeException ex)
            {
                next.discard();
                throw ex;
            }
            preparedRotations++;
        }
        else
        {
            next = Segment.create(dataDir, nextIndex, segmentSize, fsync);
        }
        next.openChannel();
        segments.add(next);
        current = next;
        tail = SEGMENT_HEADER_LENGTH;
        flushedTail = tail;
        flushedOffset = SEGMENT_HEADER_LENGTH;
        writtenOffset = SEGMENT_HEADER_LENGTH;
        stagingBase = SEGMENT_HEADER_LENGTH;
        nextRequested = false;
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
     * @return rotations that installed a segment prepared ahead of need (the rest created one on the writer's
     * thread).
     */
    public long preparedRotations()
    {
        return preparedRotations;
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
     * that is not a record start is refused rather than misread: use this for positions from outside (a client, a
     * stored index).
     *
     * @param position a record's position, as returned by claim or append.
     * @param handler  receives the record.
     * @return false if no committed record starts there.
     */
    public boolean read(final long position, final RecordHandler handler)
    {
        return read(position, handler, true);
    }

    /**
     * Zero-copy read of the committed record at a position the journal itself handed out: a return value of
     * {@link #claim claim} or {@link #append append} (once committed), or a position delivered by {@link #replay
     * replay} or {@link #read read}. Like {@link #read(long, RecordHandler)} but the CRC32C is not recomputed: the
     * record was checked by recovery or written by this journal, so the checksum is wasted work there. Bounds,
     * alignment and the frame length are still checked, so a position past the end of the log, not yet committed,
     * or outside every segment gives false; but a position inside the log that is not a record start is not
     * detected and may deliver garbage. Never pass positions from an untrusted source here.
     *
     * @param position a record's position as handed out by this journal.
     * @param handler  receives the record.
     * @return false if no committed record can start there.
     */
    public boolean readRecord(final long position, final RecordHandler handler)
    {
        return read(position, handler, false);
    }

    private boolean read(final long position, final RecordHandler handler, final boolean verify)
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
        final boolean staged = segment == current && offset >= stagingBase;
        final UnsafeBuffer buffer = staged ? stagingBuffer : segment.buffer();
        final int at = staged ? offset - stagingBase : offset;
        final int frameLength = RecordFrame.frameLengthVolatile(buffer, at);
        if (frameLength < HEADER_LENGTH || offset + frameLength > limit)
        {
            return false;
        }
        if (verify)
        {
            final int from = at + RecordFrame.CHECKSUMMED_FROM;
            final int actual = staged ? stagingChecksum(from, at + frameLength) :
                segment.checksum(crc, from, at + frameLength);
            if (RecordFrame.checksum(buffer, at) != actual)
            {
                return false;
            }
        }
        RecordFrame.deliver(buffer, at, frameLength, position, handler);
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
            final int limit = segment.limit();
            int offset = SEGMENT_HEADER_LENGTH;
            while (offset < limit)
            {
                final long position = segment.basePosition() + offset;
                if (position >= endPosition)
                {
                    return count;
                }
                // decided per record: a handler that appends may move staged records out to the file
                final boolean staged = segment == current && offset >= stagingBase;
                final UnsafeBuffer buffer = staged ? stagingBuffer : segment.buffer();
                final int at = staged ? offset - stagingBase : offset;
                final int frameLength = RecordFrame.frameLengthVolatile(buffer, at);
                if (position >= fromPosition)
                {
                    RecordFrame.deliver(buffer, at, frameLength, position, handler);
                    count++;
                }
                offset += RecordFrame.align(frameLength);
            }
        }
        return count;
    }

    /**
     * Abort an open claim, flush, stop the segment preparer (deleting a prepared segment not used), unmap and close.
     * Idempotent.
     */
    public void close()
    {
        close(true);
    }

    /**
     * Close after a failure of the writer: records committed since the last {@link #flush()} that are still only
     * in the staging buffer are dropped, not written. None of them was acknowledged (nothing is before its flush),
     * and they may be half of what one command meant to write. Records a full staging buffer already wrote out stay
     * in the page cache and will be recovered.
     */
    public void abandon()
    {
        close(false);
    }

    private void close(final boolean flush)
    {
        if (closed)
        {
            return;
        }
        try
        {
            if (null != openClaim)
            {
                abort(openClaim);
            }
            if (flush)
            {
                flush();
            }
        }
        finally
        {
            closed = true;
            preparer.close();
            for (final Segment segment : segments)
            {
                segment.unmap();
            }
            segments.clear();
            // Only the writer's thread ever touches the staging buffer, and it is done: give the memory back now
            // rather than when a collector finds the ByteBuffer unreachable.
            org.agrona.BufferUtil.free(staging);
        }
    }

    /**
     * @return true once closed.
     */
    public boolean isClosed()
    {
        return closed;
    }

    /**
     * @return the preparer of the next segment, for tests.
     */
    SegmentPreparer preparer()
    {
        return preparer;
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
