package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.BooleanSupplier;
import java.util.zip.CRC32C;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * One segment file, memory-mapped whole: a 64-byte {@link SegmentHeader} followed by 8-aligned
 * {@link RecordFrame records}. Knows its index, base position and the end of its committed records ({@link #limit()}).
 */
final class Segment
{
    private static final int ZERO_CHUNK = 1024 * 1024;

    private final Path file;
    private final int index;
    private final long basePosition;
    private final int formatVersion;
    private final long generation;
    private final int salt;
    private final int capacity;
    private final MappedByteBuffer mapped;
    private final ByteBuffer checksumView;
    private final UnsafeBuffer buffer;
    private int limit = SegmentHeader.LENGTH;
    private boolean unchecked;
    private Path preparedFile;
    private FileChannel channel;

    private Segment(
        final Path file,
        final int index,
        final long basePosition,
        final int formatVersion,
        final long generation,
        final MappedByteBuffer mapped)
    {
        this.file = file;
        this.index = index;
        this.basePosition = basePosition;
        this.formatVersion = formatVersion;
        this.generation = generation;
        this.salt = SegmentHeader.salt(generation);
        this.capacity = mapped.capacity();
        this.mapped = mapped;
        this.checksumView = mapped.duplicate();
        this.buffer = new UnsafeBuffer(mapped);
    }

    static String fileName(final long basePosition)
    {
        return String.format("%020d.wal", basePosition);
    }

    /**
     * Create segment index in dir: preallocate real zero blocks in a temp file (or {@link #recycle} a retired file
     * from the pool into it), write the header, fsync, rename into place, fsync the directory, then map it. A crash at
     * any point leaves either no segment or a complete one.
     *
     * @throws IOException when the file could not be made (no space, say): the temp file is removed and nothing in
     *                     the log changed.
     * @throws UncheckedIOException when the directory fsync after the rename failed: fatal, the directory's state on
     *                     the device is unknown.
     */
    static Segment create(
        final Path dir, final int index, final long segmentSize, final boolean fsync, final DiskProbe disk)
        throws IOException
    {
        final long basePosition = index * segmentSize;
        final Path file = dir.resolve(fileName(basePosition));
        final Path temp = dir.resolve(fileName(basePosition) + SegmentFiles.TEMP_SUFFIX);
        if (Files.exists(file))
        {
            throw new IllegalStateException("segment file already exists: " + file);
        }
        long generation;
        try
        {
            Files.deleteIfExists(temp);
            generation = recycleFromPool(dir, temp, index, segmentSize, fsync);
            if (generation < 0)
            {
                generation = 0;
                writeZeroedSegment(temp, index, segmentSize, fsync, null, null, disk);
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final IOException ex)
        {
            deleteQuietly(temp, ex);
            throw ex;
        }
        if (fsync)
        {
            SegmentFiles.forceDirectory(dir);
        }
        return map(file, index, basePosition, SegmentHeader.FORMAT_VERSION, generation, false);
    }

    /**
     * Prepare segment index ahead of need, off the writer's thread: a retired file from the pool when there is one
     * ({@link #recycle}), else the same zero blocks, header and fsync as {@link #create}; in {@code name.wal.next},
     * mapped, and not yet part of the log. {@link #install(boolean)} renames it into place; {@link #discard()} puts
     * it in the pool. Recovery does the same with a leftover {@code .wal.next}. Gentle:
     * each chunk of zeros is forced on its own, and while hurry says false the preparer rests as long as the chunk
     * took, so its I/O never queues a long burst in front of the writer's fsyncs.
     *
     * @param cancelled polled between chunks of zeros; when true the file is deleted and null returned.
     * @param hurry     true when the writer may soon need the segment: fill at full speed; null = always full speed.
     * @return the prepared segment, or null when cancelled.
     * @throws IOException when the file could not be made (it is removed).
     */
    static Segment prepare(
        final Path dir,
        final int index,
        final long segmentSize,
        final boolean fsync,
        final BooleanSupplier cancelled,
        final BooleanSupplier hurry,
        final DiskProbe disk) throws IOException
    {
        final long basePosition = index * segmentSize;
        final Path file = dir.resolve(fileName(basePosition));
        final Path next = dir.resolve(fileName(basePosition) + SegmentFiles.PREPARED_SUFFIX);
        try
        {
            Files.deleteIfExists(next);
            long generation = recycleFromPool(dir, next, index, segmentSize, fsync);
            if (generation < 0)
            {
                generation = 0;
                if (!writeZeroedSegment(next, index, segmentSize, fsync, cancelled, hurry, disk))
                {
                    Files.deleteIfExists(next);
                    return null;
                }
            }
            final Segment segment;
            try (FileChannel channel = FileChannel.open(next, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                segment = new Segment(file, index, basePosition, SegmentHeader.FORMAT_VERSION, generation,
                    channel.map(FileChannel.MapMode.READ_WRITE, 0, segmentSize));
            }
            segment.preparedFile = next;
            return segment;
        }
        catch (final IOException | RuntimeException ex)
        {
            deleteQuietly(next, ex);
            throw ex;
        }
    }

    /**
     * {@link #recycle} the oldest usable file of the pool into target.
     *
     * @return the new generation, or -1 when the pool had no usable file.
     */
    private static long recycleFromPool(
        final Path dir, final Path target, final int index, final long segmentSize, final boolean fsync)
        throws IOException
    {
        for (final Path free : SegmentFiles.listFree(dir))
        {
            final long generation = recycle(free, target, index, segmentSize, fsync);
            if (generation >= 0)
            {
                return generation;
            }
        }
        return -1;
    }

    /**
     * Recycle a retired segment file (the pool, {@code *.wal.free}) as segment index: rename it to target (a name that
     * is never part of the log: {@code .wal.next} or {@code .wal.tmp}), then write a new header (this index, generation one more than
     * the file's) and fsync the file. Its stale records stay: their checksums carry the old generation's salt, so
     * none validates in the new life. A file whose header is not a valid segment header (any format) of segmentSize
     * bytes is deleted instead.
     *
     * @return the new generation, or -1 when the file was not usable (it is deleted, or another thread took it).
     * @throws IOException when the header write or fsync failed (the caller removes target).
     */
    static long recycle(
        final Path free, final Path target, final int index, final long segmentSize, final boolean fsync)
        throws IOException
    {
        try
        {
            Files.move(free, target, StandardCopyOption.ATOMIC_MOVE);
        }
        catch (final NoSuchFileException ex)
        {
            return -1; // another thread took it
        }
        final ByteBuffer old = SegmentFiles.readHeader(target);
        final String invalid = old.limit() < SegmentHeader.LENGTH ? "short" : SegmentHeader.validate(
            old, old.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(SegmentHeader.SEGMENT_INDEX_OFFSET),
            SegmentFiles.size(target));
        if (null != invalid || SegmentHeader.maxSegmentSize(old) != segmentSize)
        {
            Files.deleteIfExists(target);
            return -1;
        }
        final long generation = SegmentHeader.generation(old) + 1;
        try (FileChannel channel = FileChannel.open(target, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer header = SegmentHeader.encode(index, segmentSize, generation);
            while (header.hasRemaining())
            {
                channel.write(header, header.position());
            }
            if (fsync)
            {
                channel.force(true);
            }
        }
        return generation;
    }

    private static void deleteQuietly(final Path file, final Exception failure)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException suppressed)
        {
            failure.addSuppressed(suppressed);
        }
    }

    /**
     * Zero-fill a new file of segmentSize bytes with real blocks, write the header, force it when fsync.
     *
     * @return false when cancelled part way.
     */
    private static boolean writeZeroedSegment(
        final Path target,
        final int index,
        final long segmentSize,
        final boolean fsync,
        final BooleanSupplier cancelled,
        final BooleanSupplier hurry,
        final DiskProbe disk) throws IOException
    {
        try (FileChannel channel = FileChannel.open(
            target, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_CHUNK, segmentSize));
            try
            {
                long written = 0;
                while (written < segmentSize)
                {
                    if (null != cancelled && cancelled.getAsBoolean())
                    {
                        return false;
                    }
                    final long chunkStartNs = System.nanoTime();
                    zeros.clear().limit((int)Math.min(zeros.capacity(), segmentSize - written));
                    disk.beforeSegmentWrite(target, written, zeros.remaining());
                    while (zeros.hasRemaining())
                    {
                        written += channel.write(zeros, written);
                    }
                    if (null != hurry)
                    {
                        if (fsync)
                        {
                            channel.force(false);
                        }
                        if (!hurry.getAsBoolean())
                        {
                            java.util.concurrent.locks.LockSupport.parkNanos(System.nanoTime() - chunkStartNs);
                        }
                    }
                }
            }
            finally
            {
                org.agrona.BufferUtil.free(zeros);
            }
            final ByteBuffer header = SegmentHeader.encode(index, segmentSize);
            while (header.hasRemaining())
            {
                channel.write(header, header.position());
            }
            if (fsync)
            {
                channel.force(true);
            }
        }
        return true;
    }

    /**
     * Make a {@link #prepare prepared} segment part of the log: rename {@code name.wal.next} to {@code name.wal}
     * (its content is already durable) and fsync the directory.
     *
     * @throws IOException when the rename failed: the segment is not part of the log (discard it).
     * @throws UncheckedIOException when the directory fsync failed: fatal.
     */
    void install(final boolean fsync) throws IOException
    {
        if (Files.exists(file))
        {
            throw new IllegalStateException("segment file already exists: " + file);
        }
        Files.move(preparedFile, file, StandardCopyOption.ATOMIC_MOVE);
        preparedFile = null;
        if (fsync)
        {
            SegmentFiles.forceDirectory(file.getParent());
        }
    }

    /**
     * Unmap a prepared segment that will not be used and put its file in the pool (or delete it).
     */
    void discard()
    {
        unmap();
        if (null != preparedFile)
        {
            SegmentFiles.deleteOrPool(preparedFile);
            preparedFile = null;
        }
    }

    /**
     * Map an existing segment file whose header has been validated.
     */
    static Segment map(
        final Path file,
        final int index,
        final long basePosition,
        final int formatVersion,
        final long generation,
        final boolean readOnly)
    {
        try (FileChannel channel = readOnly ?
            FileChannel.open(file, StandardOpenOption.READ) :
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = channel.map(
                readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, channel.size());
            return new Segment(file, index, basePosition, formatVersion, generation, mapped);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot map segment " + file, ex);
        }
    }

    Path file()
    {
        return file;
    }

    int index()
    {
        return index;
    }

    long basePosition()
    {
        return basePosition;
    }

    /**
     * @return {@link SegmentHeader#FORMAT_VERSION}, or {@link SegmentHeader#FORMAT_VERSION_UNMARKED} for a segment
     * written before commit marks.
     */
    int formatVersion()
    {
        return formatVersion;
    }

    /**
     * @return 0 for a zero-filled file, more for a recycled one (see {@link SegmentHeader#salt(long)}).
     */
    long generation()
    {
        return generation;
    }

    /**
     * @return true when the file was recycled: bytes past the end of the records may be stale records, not zeros.
     */
    boolean recycled()
    {
        return 0 != generation;
    }

    int capacity()
    {
        return capacity;
    }

    UnsafeBuffer buffer()
    {
        return buffer;
    }

    /**
     * @return offset just past the last committed record (the segment header length when it holds none).
     */
    int limit()
    {
        return limit;
    }

    void limit(final int limit)
    {
        this.limit = limit;
    }

    /**
     * @return true when recovery skipped this segment (it lies wholly before the snapshot start-up checks from): its
     * {@link #limit()} is its capacity, and its records end at the first frame that is not of this life.
     */
    boolean unchecked()
    {
        return unchecked;
    }

    /**
     * Mark this segment skipped by recovery: its limit becomes its capacity.
     */
    void markUnchecked()
    {
        unchecked = true;
        limit = capacity;
    }

    /**
     * The checksum a record framed in this segment stores: CRC32C of bytes [from, to) of the mapped file XOR this
     * generation's salt, without allocation.
     */
    int checksum(final CRC32C crc, final int from, final int to)
    {
        final ByteBuffer view = checksumView;
        view.limit(to).position(from);
        crc.reset();
        crc.update(view);
        return (int)crc.getValue() ^ salt;
    }

    /**
     * @return the salt a record's CRC32C is XORed with in this segment.
     */
    int salt()
    {
        return salt;
    }

    /**
     * @return true when a frame that validates in this segment's life starts at offset: a plausible length and
     * flags, and its stored checksum matches. Stale records of an earlier life never do.
     */
    boolean validFrame(final CRC32C crc, final int offset)
    {
        if (offset > capacity - RecordFrame.HEADER_LENGTH)
        {
            return false;
        }
        final int frameLength = RecordFrame.frameLengthVolatile(buffer, offset);
        return frameLength >= RecordFrame.HEADER_LENGTH && frameLength <= capacity - offset &&
            RecordFrame.plausibleFlags(RecordFrame.flags(buffer, offset), formatVersion) &&
            RecordFrame.checksum(buffer, offset) ==
            checksum(crc, offset + RecordFrame.CHECKSUMMED_FROM, offset + frameLength);
    }

    /**
     * @return offset just past the bytes of this life at or after from, rounded up to 8: for a zero-filled segment the
     * last non-zero byte ({@link #nonZeroEnd}); for a recycled one the end of the last frame that validates in this
     * life (stale bytes of earlier lives are not this life's and never read as records); from if none.
     */
    int lifeEnd(final CRC32C crc, final int from)
    {
        if (!recycled())
        {
            return nonZeroEnd(from);
        }
        int end = from;
        for (int offset = (from + RecordFrame.ALIGNMENT - 1) & -RecordFrame.ALIGNMENT;
            offset <= capacity - RecordFrame.HEADER_LENGTH;
            offset += RecordFrame.ALIGNMENT)
        {
            if (validFrame(crc, offset))
            {
                end = Math.max(end, offset + RecordFrame.align(RecordFrame.frameLengthVolatile(buffer, offset)));
            }
        }
        return end;
    }

    /**
     * Open the read-write channel the writer uses for {@link #write} and {@link #forceData()}; idempotent.
     */
    void openChannel()
    {
        if (null == channel)
        {
            try
            {
                channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot open segment " + file, ex);
            }
        }
    }

    void closeChannel()
    {
        if (null != channel)
        {
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot close segment " + file, ex);
            }
            finally
            {
                channel = null;
            }
        }
    }

    /**
     * pwrite every remaining byte of src at fileOffset (into the page cache; visible through the mapping).
     */
    void write(final ByteBuffer src, final long fileOffset)
    {
        try
        {
            final long start = fileOffset - src.position();
            while (src.hasRemaining())
            {
                channel.write(src, start + src.position());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write segment " + file, ex);
        }
    }

    /**
     * fdatasync the file: everything written to it, through {@link #write} or the mapping, reaches the device.
     */
    void forceData()
    {
        try
        {
            channel.force(false);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot force segment " + file, ex);
        }
    }

    /**
     * msync bytes [offset, offset + length) to the device.
     */
    void force(final int offset, final int length)
    {
        mapped.force(offset, length);
    }

    /**
     * Zero bytes [from, to) and force them.
     */
    void zeroAndForce(final int from, final int to, final boolean fsync)
    {
        if (to > from)
        {
            buffer.setMemory(from, to - from, (byte)0);
            if (fsync)
            {
                force(from, to - from);
            }
        }
    }

    /**
     * @return offset just past the last non-zero byte at or after from, rounded up to 8 bytes; from if none.
     */
    int nonZeroEnd(final int from)
    {
        int offset = capacity - Long.BYTES;
        final int stop = from & -Long.BYTES;
        while (offset >= stop)
        {
            if (buffer.getLong(offset) != 0)
            {
                return Math.max(from, offset + Long.BYTES);
            }
            offset -= Long.BYTES;
        }
        return from;
    }

    void unmap()
    {
        closeChannel();
        IoUtil.unmap(mapped);
    }

    public String toString()
    {
        return file.toString();
    }
}
