package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * A record as read back, with value equality, plus helpers shared by the journal tests.
 */
record TestRecord(long position, long sequence, long timestamp, int type, int version, byte[] payload)
{
    public boolean equals(final Object o)
    {
        return o instanceof TestRecord r && position == r.position && sequence == r.sequence &&
            timestamp == r.timestamp && type == r.type && version == r.version && Arrays.equals(payload, r.payload);
    }

    public int hashCode()
    {
        return Long.hashCode(position) * 31 + Arrays.hashCode(payload);
    }

    public String toString()
    {
        return "TestRecord{position=" + position + ", sequence=" + sequence + ", timestamp=" + timestamp +
            ", type=" + type + ", version=" + version + ", length=" + payload.length + '}';
    }

    static RecordHandler collector(final List<TestRecord> into)
    {
        return (buffer, offset, length, type, version, position, sequence, timestamp) ->
        {
            final byte[] bytes = new byte[length];
            buffer.getBytes(offset, bytes);
            into.add(new TestRecord(position, sequence, timestamp, type, version, bytes));
        };
    }

    static List<TestRecord> replayAll(final Journal journal)
    {
        final List<TestRecord> records = new ArrayList<>();
        journal.replay(0, collector(records));
        return records;
    }

    /**
     * Payload bytes derived from seed and sequence only, so that any process can check them.
     */
    static byte[] payload(final long seed, final long sequence, final int length)
    {
        final byte[] bytes = new byte[length];
        new SplittableRandom(seed * 0x9E3779B97F4A7C15L + sequence).nextBytes(bytes);
        return bytes;
    }

    static TestRecord append(
        final Journal journal, final long seed, final int length, final int type, final long timestamp)
    {
        final long sequence = journal.lastSequence() + 1;
        final byte[] bytes = payload(seed, sequence, length);
        final long position = journal.append(type, type & 0xFF, timestamp, new UnsafeBuffer(bytes), 0, length);
        return new TestRecord(position, sequence, timestamp, type, type & 0xFF, bytes);
    }

    /**
     * Append one atomic unit: a record per length (claim, write, commit), then endUnit.
     */
    static List<TestRecord> appendUnit(final Journal journal, final long seed, final int... lengths)
    {
        final List<TestRecord> unit = new ArrayList<>(lengths.length);
        final JournalClaim claim = new JournalClaim();
        for (final int length : lengths)
        {
            final long sequence = journal.lastSequence() + 1;
            final byte[] bytes = payload(seed, sequence, length);
            final int type = (int)(sequence & 0xFFFF);
            final long position = journal.claim(length, type, 1, sequence * 10, claim);
            claim.buffer().putBytes(claim.offset(), bytes);
            claim.commit();
            unit.add(new TestRecord(position, sequence, sequence * 10, type, 1, bytes));
        }
        journal.endUnit();
        return unit;
    }

    static Journal open(final Path dir, final long segmentSize)
    {
        return Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(segmentSize).fsync(false));
    }

    static Path tempDir(final String prefix)
    {
        try
        {
            return Files.createTempDirectory("axiom-journal-" + prefix);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void deleteRecursively(final Path dir)
    {
        if (null == dir || !Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            paths.sorted(Comparator.reverseOrder()).forEach(
                (path) ->
                {
                    try
                    {
                        Files.delete(path);
                    }
                    catch (final IOException ex)
                    {
                        throw new UncheckedIOException(ex);
                    }
                });
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void copyDir(final Path from, final Path to)
    {
        try (Stream<Path> files = Files.list(from))
        {
            Files.createDirectories(to);
            for (final Path file : files.toList())
            {
                Files.copy(file, to.resolve(file.getFileName()));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static byte[] readBytes(final Path file, final long offset, final int length)
    {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(file))
        {
            final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.allocate(length);
            while (buffer.hasRemaining() && channel.read(buffer, offset + buffer.position()) > 0)
            {
                // read fully
            }
            return buffer.array();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    static void writeBytes(final Path file, final long offset, final byte[] bytes)
    {
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(
            file, java.nio.file.StandardOpenOption.WRITE))
        {
            final java.nio.ByteBuffer buffer = java.nio.ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining())
            {
                channel.write(buffer, offset + buffer.position());
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Rewrite the frame at fileOffset with sequence, recomputing a valid CRC32C.
     */
    static void rewriteSequence(final Path file, final int fileOffset, final long sequence)
    {
        final int frameLength = java.nio.ByteBuffer.wrap(readBytes(file, fileOffset, 4))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        final java.nio.ByteBuffer frame = java.nio.ByteBuffer.wrap(readBytes(file, fileOffset, frameLength))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        frame.putLong(8, sequence);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame.array(), 8, frameLength - 8);
        frame.putInt(4, (int)crc.getValue());
        writeBytes(file, fileOffset, frame.array());
    }

    /**
     * Rewrite the flags of the frame at fileOffset, recomputing a valid CRC32C.
     */
    static void rewriteFlags(final Path file, final int fileOffset, final int flags)
    {
        final int frameLength = java.nio.ByteBuffer.wrap(readBytes(file, fileOffset, 4))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
        final java.nio.ByteBuffer frame = java.nio.ByteBuffer.wrap(readBytes(file, fileOffset, frameLength))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        frame.putInt(28, flags);
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(frame.array(), 8, frameLength - 8);
        frame.putInt(4, (int)crc.getValue());
        writeBytes(file, fileOffset, frame.array());
    }

    static int flagsAt(final Path file, final long fileOffset)
    {
        return java.nio.ByteBuffer.wrap(readBytes(file, fileOffset + 28, 4)).order(java.nio.ByteOrder.LITTLE_ENDIAN)
            .getInt();
    }

    static int crc32c(final byte[] bytes, final int from, final int to)
    {
        final java.util.zip.CRC32C crc = new java.util.zip.CRC32C();
        crc.update(bytes, from, to - from);
        return (int)crc.getValue();
    }

    static String hex(final int value)
    {
        return String.format("%08x", value);
    }

    static Path segmentFile(final Path dir, final long position, final long segmentSize)
    {
        return dir.resolve(String.format("%020d.wal", (position / segmentSize) * segmentSize));
    }
}
