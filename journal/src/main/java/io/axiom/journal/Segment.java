package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
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
    private final int capacity;
    private final MappedByteBuffer mapped;
    private final ByteBuffer checksumView;
    private final UnsafeBuffer buffer;
    private int limit = SegmentHeader.LENGTH;

    private Segment(final Path file, final int index, final long basePosition, final MappedByteBuffer mapped)
    {
        this.file = file;
        this.index = index;
        this.basePosition = basePosition;
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
     * Create segment index in dir: preallocate real zero blocks in a temp file, write the header, fsync, rename into
     * place, fsync the directory, then map it. A crash at any point leaves either no segment or a complete one.
     */
    static Segment create(final Path dir, final int index, final long segmentSize, final boolean fsync)
    {
        final long basePosition = index * segmentSize;
        final Path file = dir.resolve(fileName(basePosition));
        final Path temp = dir.resolve(fileName(basePosition) + SegmentFiles.TEMP_SUFFIX);
        if (Files.exists(file))
        {
            throw new IllegalStateException("segment file already exists: " + file);
        }
        try
        {
            Files.deleteIfExists(temp);
            try (FileChannel channel = FileChannel.open(
                temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ, StandardOpenOption.WRITE))
            {
                final ByteBuffer zeros = ByteBuffer.allocateDirect((int)Math.min(ZERO_CHUNK, segmentSize));
                long written = 0;
                while (written < segmentSize)
                {
                    zeros.clear().limit((int)Math.min(zeros.capacity(), segmentSize - written));
                    while (zeros.hasRemaining())
                    {
                        written += channel.write(zeros, written);
                    }
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
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
            if (fsync)
            {
                SegmentFiles.forceDirectory(dir);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create segment " + file, ex);
        }
        return map(file, index, basePosition, false);
    }

    /**
     * Map an existing segment file whose header has been validated.
     */
    static Segment map(final Path file, final int index, final long basePosition, final boolean readOnly)
    {
        try (FileChannel channel = readOnly ?
            FileChannel.open(file, StandardOpenOption.READ) :
            FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            final MappedByteBuffer mapped = channel.map(
                readOnly ? FileChannel.MapMode.READ_ONLY : FileChannel.MapMode.READ_WRITE, 0, channel.size());
            return new Segment(file, index, basePosition, mapped);
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
     * CRC32C of bytes [from, to) of the mapped file, without allocation.
     */
    int checksum(final CRC32C crc, final int from, final int to)
    {
        final ByteBuffer view = checksumView;
        view.limit(to).position(from);
        crc.reset();
        crc.update(view);
        return (int)crc.getValue();
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
        IoUtil.unmap(mapped);
    }

    public String toString()
    {
        return file.toString();
    }
}
