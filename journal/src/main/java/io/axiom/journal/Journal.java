package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The write-ahead log: appends CRC32C-framed opaque records to preallocated segment files in atomic units, makes them
 * durable with one {@link #flush()} per batch (group commit), and reads them back zero-copy.
 * <p>
 * A unit is the records of one engine command: they are claimed and committed one by one, then {@link #endUnit()}
 * marks the last one (the COMMIT flag). Recovery keeps whole units only, so a crash never leaves half a command.
 * <p>
 * Records are claimed in a direct staging buffer and written to the current segment with {@code FileChannel.write}
 * (pwrite) when the staging buffer is full and at {@link #flush()}, which then calls {@code FileChannel.force(false)}
 * (fdatasync). Segments stay memory-mapped for reading; records still in the staging buffer are read from it. A
 * record larger than the staging buffer is claimed straight in the mapped segment. The next segment is prepared ahead
 * of need by a {@link SegmentPreparer} thread.
 * <p>
 * Single-threaded: one thread claims, commits, ends units, flushes and reads; only {@link #storageState()} may be
 * read from other threads. No allocation on claim, commit, endUnit, ensureRoom, flush, read, readRecord or replay,
 * except when a new segment is needed.
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
    private int firstIndex;
    private final CRC32C crc = new CRC32C();
    private final JournalClaim appendClaim = new JournalClaim();
    private final SegmentPreparer preparer;
    private final StorageMonitor storage;
    private final DiskProbe disk;
    private final DataDirectoryLock lock;
    private final ByteBuffer staging;
    private final ByteBuffer stagingWriteView;
    private final ByteBuffer stagingChecksumView;
    private final UnsafeBuffer stagingBuffer;
    private final int stagingCapacity;
    private RecoveryReport recoveryReport;
    private SnapshotStore.Parsed anchor;
    private Path anchorFile;
    private final long checkedFromPosition;
    private final long anchorLastPosition;
    private final long anchorSequence;
    private final int anchorChecksum;
    private BackgroundVerifier backgroundVerifier;

    private Segment current;
    private int tail;
    /** The writer's offset in its segment as of the last flush, for the preparer's pacing (read racily). */
    private volatile int flushedTail;
    private int flushedOffset;
    private int writtenOffset;
    private int stagingBase;
    private boolean directClaim;
    private boolean nextRequested;
    /** The current segment is format 1 (no commit marks): move to a new segment before the first claim. */
    private boolean rotateFirst;
    private Segment pendingSegment;
    private int pendingFrom;
    private int pendingTo;
    private long carriedBytes;

    private long lastSequence;
    private long lastPosition;
    private int lastChecksum;
    /** The newest record does not end its unit and its checksum is not written yet ({@link #settleChecksum()}). */
    private boolean checksumPending;
    private int pendingFrameOffset;
    private int pendingFrameLength;
    private boolean pendingDirect;
    private long endPosition;
    private long unitEndPosition;
    private int unitRecords;
    private long recordCount;
    private long flushCount;
    private long flushedBytes;
    private long preparedRotations;
    private JournalClaim openClaim;
    private boolean closed;
    private final JournalFaults faults;
    private final Path archiveDir;
    private final int poolLimit;
    /** Below this position the log is archived (retired by retention); 0 when it is not. */
    private long archivedUpTo;
    /** Replay cannot start below this position: the retention policy deleted the records before it. */
    private long replayableFrom;
    private SegmentArchive.Reader archiveReader;

    private Journal(
        final JournalContext ctx, final Recovery recovery, final DataDirectoryLock lock, final DiskProbe disk)
    {
        dataDir = ctx.dataDir();
        fsync = ctx.fsync();
        faults = ctx.faults();
        archiveDir = ctx.archiveDir();
        poolLimit = ctx.poolLimit();
        archivedUpTo = recovery.archivedUpTo();
        replayableFrom = recovery.replayableFrom();
        this.lock = lock;
        this.disk = disk;
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
        rotateFirst = current.formatVersion() == SegmentHeader.FORMAT_VERSION_UNMARKED;
        stagingCapacity = stagingCapacity(segmentSize);
        staging = ByteBuffer.allocateDirect(stagingCapacity);
        stagingWriteView = staging.duplicate();
        stagingChecksumView = staging.duplicate();
        stagingBuffer = new UnsafeBuffer(staging);
        storage = new StorageMonitor(dataDir, segmentSize, disk);
        storage.check();
        preparer = new SegmentPreparer(
            dataDir, segmentSize, fsync, () -> flushedTail > segmentSize / 2, disk, storage);
        lastSequence = recoveryReport.lastSequence();
        lastPosition = recoveryReport.lastPosition();
        lastChecksum = recovery.lastChecksum();
        endPosition = current.basePosition() + tail;
        unitEndPosition = endPosition;
        recordCount = recoveryReport.recordCount();
        anchor = recovery.anchor();
        anchorFile = recovery.anchorFile();
        checkedFromPosition = recovery.checkedFromPosition();
        anchorLastPosition = null == anchor ? 0 : anchor.lastPosition();
        anchorSequence = null == anchor ? 0 : anchor.lastSequence();
        anchorChecksum = null == anchor ? 0 : anchor.lastChecksum();
        if (fsync)
        {
            for (final Segment segment : segments)
            {
                // An unchecked segment lies wholly before a snapshot, and a snapshot covers only units a flush made
                // durable: nothing in it can be a killed process's unflushed write.
                if (!segment.unchecked())
                {
                    segment.force(0, segment.limit());
                }
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
     * @param payloadLength payload bytes of one record.
     * @return bytes the record takes in a segment (header, payload, padding): add these up for
     * {@link #ensureRoom(int)}.
     */
    public static int alignedFrameLength(final int payloadLength)
    {
        return RecordFrame.align(HEADER_LENGTH + payloadLength);
    }

    /**
     * Open or create the log in ctx.dataDir() and run the recovery scan: a torn tail or an incomplete last unit is
     * truncated, mid-log corruption refused (or, with {@link JournalContext#repair()}, truncated). The data directory
     * is locked first ({@link JournalContext#directoryLock()}, or a lock acquired here); the journal owns the lock and
     * releases it on close, abandon, or a failed open.
     *
     * @param ctx configuration; concluded here if not yet.
     * @return the journal, positioned after the last complete unit.
     * @throws JournalCorruptionException       if acknowledged data is damaged or missing and repair is off.
     * @throws DataDirectoryLockedException     if another journal or process holds the data directory.
     */
    public static Journal open(final JournalContext ctx)
    {
        try
        {
            if (!ctx.isConcluded())
            {
                ctx.conclude();
            }
        }
        catch (final RuntimeException ex)
        {
            if (null != ctx.directoryLock())
            {
                ctx.directoryLock().close();
            }
            throw ex;
        }
        final DataDirectoryLock lock = null != ctx.directoryLock() ? ctx.directoryLock() :
            DataDirectoryLock.acquire(ctx.dataDir());
        try
        {
            lock.requireFor(ctx.dataDir());
            final DiskProbe disk = null != ctx.diskProbe() ? ctx.diskProbe() : DiskProbe.of(ctx.dataDir());
            final Journal journal = new Journal(ctx, Recovery.run(ctx, disk), lock, disk);
            if (journal.recoveryReport.logStartPosition() > 0)
            {
                journal.requireSnapshotOverMissingStart();
            }
            return journal;
        }
        catch (final RuntimeException | Error ex)
        {
            lock.close();
            throw ex;
        }
    }

    /**
     * Repair started a log whose first segment file is missing: only a snapshot bound to this log (its last record
     * found here with its sequence and checksum) holds the state the missing records built. Without one nothing can
     * be recovered: refuse.
     */
    private void requireSnapshotOverMissingStart()
    {
        final long start = recoveryReport.logStartPosition();
        final SnapshotStore.Snapshot bound = SnapshotStore.newestBound(this);
        if (null == bound)
        {
            abandon();
            throw new JournalCorruptionException("Journal corruption: segment file " + Segment.fileName(0) +
                " is missing: the log in " + dataDir + " starts at position " + start + " (" +
                Segment.fileName(start) + "), and no snapshot bound to this log covers positions [0, " + start +
                "), so nothing can be recovered without the missing file. Restore it from backup.",
                dataDir.resolve(Segment.fileName(0)), 0, 0);
        }
        recoveryReport = recoveryReport.withNote("REPAIR: started without segment file " + Segment.fileName(0) +
            " and the others before position " + start + ": snapshot " + bound.file().getFileName() +
            " (bound to record sequence " + bound.lastSequence() + " at position " + bound.lastPosition() +
            ") holds the state they built, but the records themselves are LOST and cannot be read or replayed.");
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
     * @throws UncheckedIOException     if a new segment was needed and could not be had (nothing changed; see
     *                                  {@link #ensureRoom(int)} to ask first).
     */
    public long claim(
        final int payloadLength, final int type, final int version, final long timestamp, final JournalClaim claim)
    {
        ensureOpen();
        if (null != openClaim)
        {
            throw new IllegalStateException("a claim is already open at position " + openClaim.position());
        }
        settleChecksum();
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
        if ((tail + alignedLength > current.capacity() || rotateFirst) && !rotate())
        {
            throw new UncheckedIOException(new IOException("no new segment for a record of " + alignedLength +
                " bytes at position " + nextPosition() + ": " + storage.state().detail()));
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
     * Copy-append a one-record unit: claim, copy, commit, {@link #endUnit()}. With records of an open unit before it,
     * it ends that unit.
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
        commit(claim, RecordFrame.COMMIT); // claim + commit + endUnit, with one checksum
        return position;
    }

    void commit(final JournalClaim claim, final int flags)
    {
        if (claim != openClaim || closed)
        {
            throw new IllegalStateException("claim is not the journal's open claim");
        }
        final Segment segment = current;
        final int frameOffset = claim.frameOffset();
        final int frameLength = HEADER_LENGTH + claim.length();
        final UnsafeBuffer buffer = directClaim ? segment.buffer() : stagingBuffer;
        if (0 != flags)
        {
            RecordFrame.flags(buffer, frameOffset, flags);
        }
        int checksum = 0;
        if (0 != (flags & RecordFrame.COMMIT))
        {
            checksum = directClaim ?
                segment.checksum(crc, frameOffset + RecordFrame.CHECKSUMMED_FROM, frameOffset + frameLength) :
                stagingChecksum(frameOffset + RecordFrame.CHECKSUMMED_FROM, frameOffset + frameLength);
            RecordFrame.writeChecksum(buffer, frameOffset, checksum);
        }
        else
        {
            // Its checksum waits: endUnit sets the COMMIT flag of the unit's last record and checksums it once, and
            // anything else that could let the record out of this thread's hands settles it first (settleChecksum).
            checksumPending = true;
            pendingFrameOffset = frameOffset;
            pendingFrameLength = frameLength;
            pendingDirect = directClaim;
        }
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
        lastChecksum = checksum;
        endPosition = segment.basePosition() + tail;
        recordCount++;
        if (0 != (flags & RecordFrame.COMMIT))
        {
            unitRecords = 0;
            unitEndPosition = endPosition;
        }
        else
        {
            unitRecords++;
        }
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
     * End the open unit: mark the newest committed record as the last of its unit (its COMMIT flag is set and its
     * CRC32C computed: a committed record's checksum waits until it is known whether it ends its unit, so each record
     * is checksummed once). Recovery keeps a unit only when its last record carries the mark, so every record committed
     * since the previous endUnit survives a crash together or not at all. A no-op when no record was committed since
     * the last endUnit. Allocates nothing.
     * <p>
     * The record is still where it can be changed before anything makes it durable: in the staging buffer, or, for a
     * record claimed straight in the mapping (larger than the staging buffer) or one written out by a later claim that
     * was aborted, in the mapped segment, which shares the page cache with the file; never yet forced, because
     * {@link #flush()} refuses an open unit.
     *
     * @throws IllegalStateException if a claim is open (commit or abort it first) or the journal is closed.
     */
    public void endUnit()
    {
        if (0 == unitRecords)
        {
            return;
        }
        ensureOpen();
        if (null != openClaim)
        {
            throw new IllegalStateException("endUnit() with a claim open at position " + openClaim.position() +
                ": commit or abort it first");
        }
        if (checksumPending)
        {
            // the common case: the unit's last record was committed just now and nothing has let it out since
            final UnsafeBuffer buffer = pendingDirect ? current.buffer() : stagingBuffer;
            final int at = pendingFrameOffset;
            RecordFrame.flags(buffer, at, RecordFrame.COMMIT);
            final int from = at + RecordFrame.CHECKSUMMED_FROM;
            final int checksum = pendingDirect ? current.checksum(crc, from, at + pendingFrameLength) :
                stagingChecksum(from, at + pendingFrameLength);
            RecordFrame.writeChecksum(buffer, at, checksum);
            checksumPending = false;
            lastChecksum = checksum;
            unitRecords = 0;
            unitEndPosition = endPosition;
            return;
        }
        final Segment segment = segmentOf(lastPosition);
        final int offset = (int)(lastPosition - segment.basePosition());
        final boolean staged = segment == current && offset >= stagingBase;
        if (staged ? offset < writtenOffset : (segment == current ? offset < flushedOffset :
            segment != pendingSegment))
        {
            throw new IllegalStateException("journal invariant broken: the last record of the open unit, at " +
                "position " + lastPosition + ", was written out or forced before its unit ended");
        }
        final UnsafeBuffer buffer = staged ? stagingBuffer : segment.buffer();
        final int at = staged ? offset - stagingBase : offset;
        final int frameLength = RecordFrame.frameLengthVolatile(buffer, at);
        RecordFrame.flags(buffer, at, RecordFrame.COMMIT);
        final int from = at + RecordFrame.CHECKSUMMED_FROM;
        final int checksum = staged ? stagingChecksum(from, at + frameLength) :
            segment.checksum(crc, from, at + frameLength);
        RecordFrame.writeChecksum(buffer, at, checksum);
        checksumPending = false;
        lastChecksum = checksum;
        unitRecords = 0;
        unitEndPosition = endPosition;
    }

    /**
     * Checksum the newest record now if its checksum was left for {@link #endUnit()}: before anything else is
     * claimed, written out, read with its checksum checked or asked for its checksum. The record is still in the
     * staging buffer or, claimed straight in the mapping, not yet forced (an open unit is never flushed).
     */
    private void settleChecksum()
    {
        if (!checksumPending)
        {
            return;
        }
        checksumPending = false;
        final int from = pendingFrameOffset + RecordFrame.CHECKSUMMED_FROM;
        final int to = pendingFrameOffset + pendingFrameLength;
        final int checksum = pendingDirect ? current.checksum(crc, from, to) : stagingChecksum(from, to);
        RecordFrame.writeChecksum(pendingDirect ? current.buffer() : stagingBuffer, pendingFrameOffset, checksum);
        lastChecksum = checksum;
    }

    /**
     * @return records committed since the last {@link #endUnit()}: the open unit, 0 when none is open.
     */
    public int openUnitRecords()
    {
        return unitRecords;
    }

    /**
     * Make sure a unit of up to bytes (the sum of {@link #alignedFrameLength(int)} of its records) can be written
     * without a new segment being needed part way: true when it fits the current segment, or when the writer moved to
     * a fresh segment now (one prepared ahead of need, or created here). False when a new segment is needed and
     * cannot be had: usable space below one segment (one statvfs, no attempt), or an I/O error creating it (ENOSPC);
     * then nothing changed (a partial file is removed), the journal stays fully usable, {@link #storageState()} is
     * FULL, and the preparer retries in the background. Allocates nothing unless a new segment is needed.
     *
     * @param bytes upper bound of the unit's record bytes, at most one segment's room
     *              ({@code maxSegmentSize - SEGMENT_HEADER_LENGTH}).
     * @return true when the unit will not need a new segment.
     * @throws IllegalArgumentException if bytes is negative or more than a fresh segment holds.
     * @throws IllegalStateException    if a claim is open or the journal is closed.
     */
    public boolean ensureRoom(final int bytes)
    {
        ensureOpen();
        if (bytes < 0 || bytes > segmentSize - SEGMENT_HEADER_LENGTH)
        {
            throw new IllegalArgumentException("a unit of " + bytes + " bytes can never fit one segment of " +
                segmentSize + " bytes");
        }
        if (null != openClaim)
        {
            throw new IllegalStateException("ensureRoom with a claim open at position " + openClaim.position());
        }
        if (!rotateFirst && tail + bytes <= current.capacity())
        {
            return true;
        }
        return rotate();
    }

    /**
     * @return the storage status (OK, LOW, FULL) with a one-line detail; safe to read from any thread.
     */
    public StorageState storageState()
    {
        return storage.state();
    }

    /**
     * Group commit: write the staged records to the segment file ({@code FileChannel.write}) and force every byte
     * committed since the last flush to the device with {@code FileChannel.force(false)} (fdatasync), the previous
     * segment too after a rotation. Every committed record is durable when this returns. With fsync off records are
     * still written to the file (the page cache) but nothing is forced; bytes are still counted.
     * <p>
     * A failed write or force is fatal and never retried: after a failed fsync the kernel may have dropped the dirty
     * pages (and cleared the error), so a retry could report success for data that never reached the device.
     *
     * @return bytes made durable by this call, 0 when nothing was committed since the last flush.
     * @throws IllegalStateException if a unit is open (records committed since the last {@link #endUnit()}).
     */
    public long flush()
    {
        ensureOpen();
        if (0 != unitRecords)
        {
            throw new IllegalStateException("flush() with an open unit: " + unitRecords + " record(s) committed " +
                "since the last endUnit(), the newest at position " + lastPosition + "; end the unit first");
        }
        return flushTo(tail);
    }

    /**
     * Write out staged records up to writeTo (an offset in the current segment), then force as {@link #flush()}.
     */
    private long flushTo(final int writeTo)
    {
        if (null != faults && (writeTo > flushedOffset || null != pendingSegment))
        {
            faults.beforeFlush();
        }
        long bytes = carriedBytes;
        carriedBytes = 0;
        if (null != pendingSegment)
        {
            bytes += forcePending();
        }
        writeOut(writeTo);
        final int dirty = writeTo - flushedOffset;
        if (dirty > 0)
        {
            if (fsync)
            {
                current.forceData();
            }
            flushedOffset = writeTo;
            flushedTail = writeTo;
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

    private void writeOut()
    {
        writeOut(tail);
    }

    /**
     * pwrite the committed records still only in the staging buffer, [writtenOffset, to), to the current segment.
     * They stay in the staging buffer (reads are served from it) until a claim needs the room.
     */
    private void writeOut(final int to)
    {
        settleChecksum();
        final int from = writtenOffset;
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
        return (int)crc.getValue() ^ current.salt();
    }

    /**
     * Move the writer to the next segment. The segment is had first (prepared ahead of need, else created here);
     * only then are the staged records written out and the writer switched, so a failure changes nothing.
     *
     * @return false when no segment could be had (storage FULL).
     */
    private boolean rotate()
    {
        settleChecksum();
        final int nextIndex = current.index() + 1;
        final Segment next = nextSegment(nextIndex);
        if (null == next)
        {
            return false;
        }
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
        next.openChannel();
        segments.add(next);
        current = next;
        tail = SEGMENT_HEADER_LENGTH;
        flushedTail = tail;
        flushedOffset = SEGMENT_HEADER_LENGTH;
        writtenOffset = SEGMENT_HEADER_LENGTH;
        stagingBase = SEGMENT_HEADER_LENGTH;
        nextRequested = false;
        rotateFirst = false;
        return true;
    }

    /**
     * @return segment index installed in the directory (prepared ahead of need, or created now), or null when it
     * could not be had: storage is then FULL and the preparer asked to retry in the background.
     */
    private Segment nextSegment(final int index)
    {
        Segment next = preparer.take(index);
        if (null != next)
        {
            try
            {
                next.install(fsync);
                preparedRotations++;
            }
            catch (final IOException ex)
            {
                next.discard();
                next = null;
            }
            catch (final RuntimeException ex)
            {
                next.discard();
                throw ex;
            }
        }
        if (null == next)
        {
            final String name = "segment " + Segment.fileName(index * segmentSize);
            final long usable = storage.usableBytes();
            if (!storage.roomForSegment(usable) && SegmentFiles.listFree(dataDir).isEmpty()) // recycling needs no space
            {
                storage.full(name, usable, null);
                preparer.request(index);
                return null;
            }
            try
            {
                next = Segment.create(dataDir, index, segmentSize, fsync, disk);
            }
            catch (final IOException ex)
            {
                storage.full(name, usable, ex);
                preparer.request(index);
                return null;
            }
        }
        storage.segmentHad();
        return next;
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
     * @return CRC32C stored in the newest committed record (0 when the log is empty). With no unit open it is the
     * checksum of a unit's last record, which a snapshot records to bind itself to this log; endUnit changes it.
     */
    public int lastChecksum()
    {
        settleChecksum();
        return lastChecksum;
    }

    /**
     * @return position just past the newest committed record (its aligned end): what a snapshot taken now covers,
     * and where replay after it starts. {@link #nextPosition()} differs only when a claim moved the writer to a new
     * segment and was aborted.
     */
    public long endPosition()
    {
        return endPosition;
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
     * @return index of the oldest segment file in use (0 unless the log was started without its first segments, or
     * segments were {@link #retire retired}).
     */
    public int firstSegmentIndex()
    {
        return firstIndex;
    }

    /**
     * Retire the oldest segment: its file leaves the log (renamed to {@code name.wal.free}, the directory fsynced)
     * and joins the pool from which the preparer recycles files as new segments instead of zero-filling them. Its
     * records can no longer be read. Deciding that a segment may go (wholly below the oldest retained snapshot) is
     * the caller's business: a log without its first segment only opens again with a snapshot over the gap.
     *
     * @param segmentIndex must be {@link #firstSegmentIndex()}, neither the current segment nor the previous one
     *                     while it awaits its force.
     * @throws IllegalArgumentException if the segment is not the oldest or still in use.
     * @throws UncheckedIOException     if the rename or the directory fsync failed.
     */
    public void retire(final int segmentIndex)
    {
        ensureOpen();
        final Segment segment = segments.get(0);
        if (segmentIndex != firstIndex || segment == current || segment == pendingSegment)
        {
            throw new IllegalArgumentException("cannot retire segment " + segmentIndex + ": only the oldest segment (" +
                firstIndex + "), when it is neither the current one (" + current.index() + ") nor awaiting a force");
        }
        segment.unmap();
        segments.remove(0);
        firstIndex++;
        final Path free = segment.file().resolveSibling(segment.file().getFileName() + SegmentFiles.FREE_SUFFIX);
        try
        {
            Files.move(segment.file(), free, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot retire segment " + segment.file(), ex);
        }
        Recovery.capPool(dataDir, poolLimit, null);
        if (fsync)
        {
            SegmentFiles.forceDirectory(dataDir);
        }
        final long base = segment.basePosition();
        if (archivedUpTo == base && (Files.exists(archiveDir.resolve(SegmentArchive.fileName(base, false))) ||
            Files.exists(archiveDir.resolve(SegmentArchive.fileName(base, true)))))
        {
            archivedUpTo = base + segmentSize;
            if (Files.exists(archiveDir.resolve(SegmentArchive.fileName(base, true))))
            {
                replayableFrom = archivedUpTo;
            }
        }
    }

    /**
     * Describe a segment no longer written to, for retention to archive it off this thread.
     *
     * @param segmentIndex a segment in the log, neither the current one nor one awaiting its force.
     * @return what the archiver needs to read the segment file; null while it is a segment recovery left unchecked
     * (before the start-up snapshot) that the background check has not yet walked without a fault.
     * @throws IllegalArgumentException if the segment is not in the log or still written to.
     */
    public SegmentArchive.Sealed sealed(final int segmentIndex)
    {
        ensureOpen();
        final long i = (long)segmentIndex - firstIndex;
        final Segment segment = i >= 0 && i < segments.size() ? segments.get((int)i) : null;
        if (null == segment || segment == current || segment == pendingSegment)
        {
            throw new IllegalArgumentException("segment " + segmentIndex + " is not sealed: the log holds segments " +
                firstIndex + " to " + current.index() + ", the last one written to");
        }
        int limit = segment.limit();
        if (segment.unchecked())
        {
            // recovery did not walk it (it lies before the start-up snapshot): its records end where the background
            // check found their end, and until that check has walked it without a fault it cannot be archived
            limit = null == backgroundVerifier ? -1 : backgroundVerifier.verifiedLimit(segment.index());
            if (limit < 0)
            {
                return null;
            }
        }
        return new SegmentArchive.Sealed(segment.file(), segment.index(), segment.basePosition(), segmentSize,
            limit, segment.generation(), segment.formatVersion());
    }

    /**
     * @return index of the segment being written to.
     */
    public int currentSegmentIndex()
    {
        return current.index();
    }

    /**
     * @return the position below which records are read from archives (0 when nothing was retired by retention).
     */
    public long archivedUpTo()
    {
        return archivedUpTo;
    }

    /**
     * @return the lowest position replay can start from: past the last segment whose records the retention policy
     * deleted (0 when none was).
     */
    public long replayableFrom()
    {
        return replayableFrom;
    }

    /**
     * @return the archive directory.
     */
    public Path archiveDir()
    {
        return archiveDir;
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
        if (verify)
        {
            settleChecksum();
        }
        final Segment segment = segmentOf(position);
        if (null == segment)
        {
            return position >= 0 && position < archivedUpTo && readArchived(position, handler, verify);
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
     * A damaged or unreadable archive answers "no record" here, as a damaged live record does to {@code read}: the
     * caller reports a failed read and the writer goes on; replay and {@code wal verify} name the damage.
     */
    private boolean readArchived(final long position, final RecordHandler handler, final boolean verify)
    {
        final SegmentArchive.Reader reader;
        try
        {
            reader = archiveReader(position);
        }
        catch (final IllegalStateException | UncheckedIOException ex)
        {
            return false;
        }
        if (null == reader)
        {
            return false;
        }
        final int at;
        try
        {
            at = reader.find(position, verify);
        }
        catch (final IllegalStateException | UncheckedIOException ex)
        {
            return false;
        }
        if (at < 0)
        {
            return false;
        }
        reader.deliver(at, position, handler);
        return true;
    }

    /**
     * @return the reader of the archive holding position (the last one is kept open), null when the policy deleted
     * that segment's records.
     */
    private SegmentArchive.Reader archiveReader(final long position)
    {
        final long basePosition = position - position % segmentSize;
        if (null != archiveReader && archiveReader.summary().basePosition() == basePosition)
        {
            return archiveReader;
        }
        final Path file = archiveDir.resolve(SegmentArchive.fileName(basePosition, false));
        if (!Files.exists(file))
        {
            return null;
        }
        if (null != archiveReader)
        {
            archiveReader.close();
            archiveReader = null;
        }
        archiveReader = new SegmentArchive.Reader(file);
        return archiveReader;
    }

    /**
     * Sequential replay, oldest first, of every record committed before this call with position >= fromPosition.
     * Records below {@link #firstSegmentIndex()}'s segment are read from their archives.
     *
     * @param fromPosition first position of interest, need not be a record start.
     * @param handler      receives each record.
     * @return records delivered.
     * @throws IllegalStateException when fromPosition lies below {@link #replayableFrom()}.
     */
    public long replay(final long fromPosition, final RecordHandler handler)
    {
        ensureOpen();
        final long endPosition = current.basePosition() + tail;
        final long fromIndex = Math.max(0, fromPosition) / segmentSize - firstIndex;
        long count = 0;
        if (fromPosition < archivedUpTo)
        {
            if (fromPosition < replayableFrom)
            {
                throw new IllegalStateException("cannot replay from position " + fromPosition + ": the retention " +
                    "policy deleted the records below position " + replayableFrom + " (see " + archiveDir + ")");
            }
            for (long base = Math.max(0, fromPosition) / segmentSize * segmentSize; base < archivedUpTo;
                base += segmentSize)
            {
                final SegmentArchive.Reader reader = archiveReader(base);
                if (null == reader)
                {
                    throw new IllegalStateException("cannot replay from position " + fromPosition + ": the archive " +
                        "of segment " + Segment.fileName(base) + " is missing from " + archiveDir);
                }
                count += reader.replay(fromPosition, handler);
            }
        }
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
                if (segment.unchecked() && (frameLength < HEADER_LENGTH || frameLength > limit - offset ||
                    (segment.recycled() && !segment.validFrame(crc, offset))))
                {
                    break; // the end of this life's records in a segment recovery did not walk
                }
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
     * Abort an open claim, flush, stop the segment preparer (deleting a prepared segment not used), unmap, close and
     * release the directory lock. Idempotent. With a unit open (a programming error or a failure part way through a
     * command) only the complete units before it are flushed; the open unit is dropped.
     */
    public void close()
    {
        close(true);
    }

    /**
     * Close after a failure of the writer: records committed since the last {@link #flush()} that are still only
     * in the staging buffer are dropped, not written. None of them was acknowledged (nothing is before its flush),
     * and they may be half of what one command meant to write. Records a full staging buffer already wrote out stay
     * in the page cache: the next open keeps their complete units and truncates an incomplete last one. Releases
     * the directory lock.
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
                if (0 == unitRecords)
                {
                    flush();
                }
                else
                {
                    flushCompleteUnits();
                }
            }
        }
        finally
        {
            closed = true;
            try
            {
                if (null != archiveReader)
                {
                    archiveReader.close();
                    archiveReader = null;
                }
                preparer.close();
                if (null != backgroundVerifier)
                {
                    backgroundVerifier.close();
                }
                for (final Segment segment : segments)
                {
                    segment.unmap();
                }
                segments.clear();
                // Only the writer's thread ever touches the staging buffer, and it is done: give the memory back
                // now rather than when a collector finds the ByteBuffer unreachable.
                org.agrona.BufferUtil.free(staging);
            }
            finally
            {
                lock.close();
            }
        }
    }

    /**
     * Close with a unit open: make the complete units before it durable, not the open unit, whose records already
     * written out (a full staging buffer, a rotation, a direct claim) the next open truncates as an incomplete unit.
     */
    private void flushCompleteUnits()
    {
        final long base = current.basePosition();
        final int unitEnd = unitEndPosition > base ? (int)(unitEndPosition - base) : SEGMENT_HEADER_LENGTH;
        flushTo(Math.max(writtenOffset, Math.min(unitEnd, tail)));
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

    /**
     * Check that the log holds, at position, the record a snapshot says it covers last.
     *
     * @return null when a committed record starts at position with this sequence and stored checksum, validates,
     * ends its unit and ends (aligned) exactly at end; else what the log holds there instead, in words.
     */
    String bindingMismatch(final long position, final long sequence, final int checksum, final long end)
    {
        ensureOpen();
        final Segment segment = segmentOf(position);
        if (null == segment)
        {
            return "the log holds no segment for position " + position;
        }
        final int offset = (int)(position - segment.basePosition());
        final boolean staged = segment == current && offset >= stagingBase;
        if (!staged)
        {
            return RecoveryScan.bindingMismatch(segment, offset, crc, sequence, checksum, end);
        }
        final int at = offset - stagingBase;
        final int frameLength = RecordFrame.frameLengthVolatile(stagingBuffer, at);
        if (offset >= segment.limit() || frameLength < HEADER_LENGTH || offset + frameLength > segment.limit())
        {
            return "no committed record starts at position " + position;
        }
        return RecoveryScan.describeMismatch(
            position,
            RecordFrame.sequence(stagingBuffer, at),
            RecordFrame.checksum(stagingBuffer, at),
            stagingChecksum(at + RecordFrame.CHECKSUMMED_FROM, at + frameLength),
            RecordFrame.endsUnit(RecordFrame.flags(stagingBuffer, at), segment.formatVersion()),
            position + RecordFrame.align(frameLength),
            sequence, checksum, end);
    }

    /**
     * @return the position from which recovery checked every record at open: 0, or the position of the snapshot it
     * started from ({@link JournalContext#startFromSnapshot()}); the records before it are left to
     * {@link #startBackgroundVerify} and {@code axiom wal verify}.
     */
    public long checkedFromPosition()
    {
        return checkedFromPosition;
    }

    /**
     * Hand over the snapshot recovery read and checked to choose where its check starts, once, so that
     * {@link SnapshotStore#select} need not read it again.
     *
     * @param file the snapshot file select is looking at.
     * @return its parsed content, or null when it is not the one recovery read (or it was handed over already).
     */
    SnapshotStore.Parsed takeAnchor(final Path file)
    {
        final SnapshotStore.Parsed parsed = null != anchorFile && anchorFile.equals(file) ? anchor : null;
        if (null != parsed)
        {
            anchor = null;
            anchorFile = null;
        }
        return parsed;
    }

    /**
     * Start verifying, on one low-priority daemon thread, the records recovery did not check: from the first
     * segment up to {@link #checkedFromPosition()}, a segment at a time, pacing itself, ending with a check that
     * the walk reaches the snapshot's bound record. Does nothing (returns null) when recovery checked every record.
     * {@link #close()} stops it. Any thread may read the verifier's progress.
     *
     * @param listener told of each fault and of the end, on the verifier's thread; may be null.
     * @return the verifier, started; null when there is nothing to verify.
     */
    public BackgroundVerifier startBackgroundVerify(final BackgroundVerifier.Listener listener)
    {
        ensureOpen();
        if (null != backgroundVerifier)
        {
            throw new IllegalStateException("background verification was started already");
        }
        if (0 == checkedFromPosition)
        {
            return null; // recovery checked every record (an archived prefix was checked before it was archived)
        }
        backgroundVerifier = new BackgroundVerifier(
            dataDir, segmentSize, checkedFromPosition, anchorLastPosition, anchorSequence, anchorChecksum, listener);
        backgroundVerifier.start();
        return backgroundVerifier;
    }

    /**
     * @return the background verifier started by {@link #startBackgroundVerify}, null when none.
     */
    public BackgroundVerifier backgroundVerifier()
    {
        return backgroundVerifier;
    }

    /**
     * @return true when the log's first segment file is index 0 (it was not started by a repair without it).
     */
    boolean startsAtZero()
    {
        return 0 == firstIndex;
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
