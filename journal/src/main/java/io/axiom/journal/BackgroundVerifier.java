package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32C;

import org.agrona.concurrent.UnsafeBuffer;

import static io.axiom.journal.RecordFrame.HEADER_LENGTH;

/**
 * Checks, after start-up and off the writer's thread, the records recovery did not: every record from the log's first
 * up to the record the start-up snapshot is bound to (header, length, CRC32C, flags, sequence 1, 2, 3... across
 * segments), and that this walk ends exactly at that record, with its sequence and stored checksum, at the snapshot's
 * position. One low-priority daemon thread, a segment at a time (mapped read-only on its own, unmapped when done),
 * resting after each MiB as long as the MiB took, so it never holds the disk for long; {@link #close()} stops it
 * within one MiB. Progress and the result can be read from any thread.
 * <p>
 * A fault found here does not stop anything: those records are folded into the snapshot start-up loaded, and no
 * start-up reads them. It is reported, loudly, through the {@link Listener} and {@link #faults()}; {@code axiom wal
 * verify} checks the whole log. A segment file that is gone, or whose header changed, by the time it is read was
 * retired (retention) after start-up: it is skipped, not a fault.
 */
public final class BackgroundVerifier implements AutoCloseable
{
    /** Bytes walked between two rests. */
    static final int CHUNK = 1024 * 1024;

    /**
     * Where the check is.
     */
    public enum State
    {
        /** Walking. */
        RUNNING,
        /** Done: every record checked, no fault. */
        VERIFIED,
        /** Done: at least one fault ({@link #faults()}). */
        CORRUPT,
        /** Stopped by {@link #close()} before the end. */
        STOPPED,
        /** Ended by an unexpected failure of its own (an I/O error, say): nothing was proved either way. */
        FAILED
    }

    /**
     * Told what the check finds, on its thread.
     */
    public interface Listener
    {
        /**
         * @param fault a fault found: file, offset, position and expected/actual values in its description.
         */
        void onFault(LogFault fault);

        /**
         * @param verifier ended: {@link #state()} is no longer RUNNING.
         */
        void onEnd(BackgroundVerifier verifier);
    }

    /** End of the records (file offset) of each segment walked without a fault, by segment index. */
    private final java.util.concurrent.ConcurrentHashMap<Integer, Integer> verifiedLimits =
        new java.util.concurrent.ConcurrentHashMap<>();
    private final Path dataDir;
    private final long segmentSize;
    private final long endPosition;
    private final long lastPosition;
    private final long lastSequence;
    private final int lastChecksum;
    private final int lastIndex;
    private final Listener listener;
    private final CRC32C crc = new CRC32C();
    private final Thread thread;

    private volatile State state = State.RUNNING;
    private volatile boolean stopping;
    private volatile long segmentsVerified;
    private volatile long segmentsSkipped;
    private volatile long bytesVerified;
    private volatile long recordsVerified;
    private volatile long faults;
    private volatile String firstFault;
    private volatile long nanos;

    /**
     * @param dataDir      the data directory.
     * @param segmentSize  the log's segment size.
     * @param endPosition  the snapshot's position: the end of its bound record.
     * @param lastPosition the bound record's position.
     * @param lastSequence its sequence.
     * @param lastChecksum its stored CRC32C.
     * @param listener     told of faults and the end, may be null.
     */
    BackgroundVerifier(
        final Path dataDir,
        final long segmentSize,
        final long endPosition,
        final long lastPosition,
        final long lastSequence,
        final int lastChecksum,
        final Listener listener)
    {
        this.dataDir = dataDir;
        this.segmentSize = segmentSize;
        this.endPosition = endPosition;
        this.lastPosition = lastPosition;
        this.lastSequence = lastSequence;
        this.lastChecksum = lastChecksum;
        this.lastIndex = (int)(lastPosition / segmentSize);
        this.listener = listener;
        this.thread = new Thread(this::run, "axiom-wal-verify");
        thread.setDaemon(true);
        thread.setPriority(Thread.MIN_PRIORITY);
    }

    void start()
    {
        thread.start();
    }

    /**
     * Stop the check (within one MiB) and wait for its thread. Idempotent.
     */
    public void close()
    {
        stopping = true;
        LockSupport.unpark(thread);
        if (thread.isAlive() && Thread.currentThread() != thread)
        {
            try
            {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * Wait for the end of the check.
     *
     * @param timeoutMs most milliseconds to wait.
     * @return true when it has ended.
     * @throws InterruptedException when interrupted while waiting.
     */
    public boolean await(final long timeoutMs) throws InterruptedException
    {
        thread.join(Math.max(1, timeoutMs));
        return State.RUNNING != state;
    }

    public State state()
    {
        return state;
    }

    /**
     * @return segments whose records were all checked.
     */
    public long segmentsVerified()
    {
        return segmentsVerified;
    }

    /**
     * @return segments to check: every segment up to the one holding the bound record.
     */
    public long segmentsTotal()
    {
        return lastIndex + 1L;
    }

    /**
     * @return segments skipped because retention retired them after start-up.
     */
    public long segmentsSkipped()
    {
        return segmentsSkipped;
    }

    /**
     * @return bytes of records walked so far.
     */
    public long bytesVerified()
    {
        return bytesVerified;
    }

    /**
     * @return records checked so far.
     */
    public long recordsVerified()
    {
        return recordsVerified;
    }

    /**
     * @return faults found so far.
     */
    public long faults()
    {
        return faults;
    }

    /**
     * @return the first fault's description, null when none.
     */
    public String firstFault()
    {
        return firstFault;
    }

    /**
     * @return the position the check ends at: the start-up snapshot's position.
     */
    public long endPosition()
    {
        return endPosition;
    }

    /**
     * @return nanoseconds the check took, 0 while it runs.
     */
    public long nanos()
    {
        return nanos;
    }

    /**
     * Where a segment's records end, once this check walked it without a fault: what retention needs to archive a
     * segment recovery left unchecked. Any thread.
     *
     * @param index a segment's index.
     * @return the file offset where its records end, -1 when it was not (or not yet) walked without a fault.
     */
    public int verifiedLimit(final int index)
    {
        final Integer limit = verifiedLimits.get(index);
        return null == limit ? -1 : limit;
    }

    private void run()
    {
        final long startNs = System.nanoTime();
        State end;
        try
        {
            end = verify() ? (0 == faults ? State.VERIFIED : State.CORRUPT) : State.STOPPED;
        }
        catch (final RuntimeException | Error ex)
        {
            end = State.FAILED;
            firstFault = null == firstFault ? "the background check failed: " + ex : firstFault;
        }
        nanos = System.nanoTime() - startNs;
        state = end;
        if (null != listener)
        {
            listener.onEnd(this);
        }
    }

    /**
     * @return false when stopped before the end.
     */
    private boolean verify()
    {
        long expected = 1;
        long walkedPosition = 0;
        long walkedSequence = 0;
        int walkedChecksum = 0;
        boolean walkedEndsUnit = false;
        for (int index = 0; index <= lastIndex; index++)
        {
            if (stopping)
            {
                return false;
            }
            final long base = index * segmentSize;
            final Path file = dataDir.resolve(Segment.fileName(base));
            if (!Files.exists(file))
            {
                segmentsSkipped++;
                expected = 0;
                continue;
            }
            final ByteBuffer header = SegmentFiles.readHeader(file);
            final String problem = SegmentHeader.validate(header, index, SegmentFiles.size(file));
            if (null != problem)
            {
                fault(file, new LogFault(LogFault.Kind.HEADER, file, 0, base,
                    "bad segment header in " + file + " at file offset 0 (position " + base + "): " + problem), -1);
                expected = 0;
                continue;
            }
            final long generation = SegmentHeader.generation(header);
            final Segment segment = Segment.map(
                file, index, base, SegmentHeader.formatVersion(header), generation, true);
            try
            {
                final UnsafeBuffer buffer = segment.buffer();
                final int end = index == lastIndex ? (int)(endPosition - base) : segment.capacity();
                int offset = SegmentHeader.LENGTH;
                int rested = offset;
                long chunkStartNs = System.nanoTime();
                LogFault fault = null;
                while (offset <= end - HEADER_LENGTH)
                {
                    final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
                    if (RecoveryScan.endOfLife(crc, segment, offset, frameLength))
                    {
                        break;
                    }
                    fault = RecoveryScan.check(crc, segment, offset, frameLength, expected);
                    if (null != fault)
                    {
                        break;
                    }
                    walkedPosition = base + offset;
                    walkedSequence = RecordFrame.sequence(buffer, offset);
                    walkedChecksum = RecordFrame.checksum(buffer, offset);
                    walkedEndsUnit = RecordFrame.endsUnit(RecordFrame.flags(buffer, offset), segment.formatVersion());
                    expected = walkedSequence + 1;
                    recordsVerified++;
                    final int aligned = RecordFrame.align(frameLength);
                    offset += aligned;
                    bytesVerified += aligned;
                    if (offset - rested >= CHUNK)
                    {
                        rested = offset;
                        if (!rest(chunkStartNs))
                        {
                            return false;
                        }
                        chunkStartNs = System.nanoTime();
                    }
                }
                if (null != fault)
                {
                    fault(file, fault, generation);
                    expected = 0;
                    continue;
                }
                if (index == lastIndex && (walkedPosition != lastPosition || walkedSequence != lastSequence ||
                    walkedChecksum != lastChecksum || !walkedEndsUnit || base + offset != endPosition))
                {
                    fault(file, new LogFault(LogFault.Kind.SEQUENCE, file, offset, base + offset,
                        "the log read from its first record ends before the snapshot's bound record in " + file +
                        ": the last valid record before position " + endPosition + " is sequence " +
                        walkedSequence + " at position " + walkedPosition + " with CRC32C 0x" +
                        SegmentHeader.hex(walkedChecksum) + (walkedEndsUnit ? "" : " (not ending a unit)") +
                        ", ending at position " + (base + offset) + "; the snapshot is bound to sequence " +
                        lastSequence + " at position " + lastPosition + " with CRC32C 0x" +
                        SegmentHeader.hex(lastChecksum) + ", ending at " + endPosition), generation);
                    continue;
                }
                segmentsVerified++;
                verifiedLimits.put(index, offset);
            }
            finally
            {
                segment.unmap();
            }
        }
        return true;
    }

    /**
     * Rest as long as the chunk took (at most 100 ms), unless stopping.
     *
     * @return false when stopping.
     */
    private boolean rest(final long chunkStartNs)
    {
        final long deadline = System.nanoTime() + Math.min(TimeUnit.MILLISECONDS.toNanos(100),
            System.nanoTime() - chunkStartNs);
        long left;
        while (!stopping && (left = deadline - System.nanoTime()) > 0)
        {
            LockSupport.parkNanos(left);
        }
        return !stopping;
    }

    /**
     * Report a fault, unless the file was retired (gone, or another header) after it was mapped.
     */
    private void fault(final Path file, final LogFault fault, final long generation)
    {
        if (generation >= 0)
        {
            final ByteBuffer header = Files.exists(file) ? SegmentFiles.readHeader(file) : null;
            if (null == header || header.limit() < SegmentHeader.LENGTH ||
                SegmentHeader.generation(header) != generation)
            {
                segmentsSkipped++;
                return;
            }
        }
        faults++;
        if (null == firstFault)
        {
            firstFault = fault.description();
        }
        if (null != listener)
        {
            listener.onFault(fault);
        }
    }

    public String toString()
    {
        return "BackgroundVerifier{state=" + state + ", segments=" + segmentsVerified + "/" + segmentsTotal() +
            ", bytes=" + bytesVerified + ", records=" + recordsVerified + ", faults=" + faults + '}';
    }
}
