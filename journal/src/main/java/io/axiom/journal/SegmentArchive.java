package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

import org.agrona.IoUtil;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A segment that left the log by retention: its records compressed in an archive file ({@code %020d.wal.z}, the
 * segment's base position), or only its summary when the policy deleted them ({@code %020d.wal.deleted}).
 * <p>
 * Layout, little-endian: a 128-byte header (magic {@code "AXIOMARC"}, archive format 1, kind 1 archived or 2 deleted,
 * segment index, segment format, base position, segment size, generation, limit (end of the segment's records),
 * block count, first and last sequence, last record timestamp, record count, CRC32C of the segment's record bytes
 * [64, limit), block size target, CRC32C of the block index, CRC32C of the header at 124), then the block index (24
 * bytes per block: segment offset, length, file offset (int64), compressed length, CRC32C of the block's bytes), then
 * the blocks. A block holds whole records (at least {@link #BLOCK_TARGET} bytes of them, or one larger record),
 * compressed alone with {@link Deflater}, so a read decompresses one block and a record never spans two.
 * <p>
 * Written by {@link #write} (temp file, fsync, rename, directory fsync) off the writer's thread; read through a
 * {@link Reader}, which keeps one decompressed block.
 */
public final class SegmentArchive
{
    /**
     * Suffix of an archive holding a segment's records.
     */
    public static final String SUFFIX = ".wal.z";

    /**
     * Suffix of the summary of a segment whose records the policy deleted.
     */
    public static final String DELETED_SUFFIX = ".wal.deleted";

    static final String TEMP_SUFFIX = ".tmp";
    static final long MAGIC = ByteBuffer.wrap("AXIOMARC".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
        .order(ByteOrder.LITTLE_ENDIAN).getLong();
    static final int FORMAT = 1;
    static final int KIND_ARCHIVED = 1;
    static final int KIND_DELETED = 2;
    static final int HEADER_LENGTH = 128;
    static final int INDEX_ENTRY_LENGTH = 24;
    static final int BLOCK_TARGET = 1024 * 1024;
    private static final int HEADER_CHECKSUM_OFFSET = 124;
    private static final Pattern NAME = Pattern.compile("\\d{20}\\.wal\\.(z|deleted)");
    private static final Pattern TEMP_NAME = Pattern.compile("\\d{20}\\.wal\\.(z|deleted)\\.tmp");

    private SegmentArchive()
    {
    }

    /**
     * A segment of the log that is no longer written to, as the writer's thread describes it for retention.
     *
     * @param file          the segment file.
     * @param index         segment index.
     * @param basePosition  its first position.
     * @param segmentSize   the log's segment size.
     * @param limit         end of its records (file offset).
     * @param generation    the life of the file (salt of its record checksums).
     * @param formatVersion segment format.
     */
    public record Sealed(
        Path file, int index, long basePosition, long segmentSize, int limit, long generation, int formatVersion)
    {
    }

    /**
     * What an archive (or a deleted segment's summary) says of its segment.
     *
     * @param file           the archive file.
     * @param deleted        true when the records were deleted by policy (only the summary is kept).
     * @param index          segment index.
     * @param basePosition   its first position.
     * @param segmentSize    the log's segment size.
     * @param formatVersion  segment format.
     * @param generation     the life of the file the records were framed in.
     * @param limit          end of its records (file offset in the segment).
     * @param firstSequence  first record's sequence, 0 when it held none.
     * @param lastSequence   last record's sequence, 0 when it held none.
     * @param lastTimestamp  last record's timestamp, {@link Long#MIN_VALUE} when it held none.
     * @param recordCount    records.
     * @param recordsCrc     CRC32C of the record bytes [64, limit).
     * @param blockCount     blocks.
     * @param fileLength     bytes of the archive file.
     */
    public record Summary(
        Path file,
        boolean deleted,
        int index,
        long basePosition,
        long segmentSize,
        int formatVersion,
        long generation,
        int limit,
        long firstSequence,
        long lastSequence,
        long lastTimestamp,
        long recordCount,
        int recordsCrc,
        int blockCount,
        long fileLength)
    {
    }

    /**
     * @return the archive file name of the segment at basePosition.
     */
    public static String fileName(final long basePosition, final boolean deleted)
    {
        return Segment.fileName(basePosition) + (deleted ? DELETED_SUFFIX.substring(4) : SUFFIX.substring(4));
    }

    /**
     * Walk a sealed segment's records (length, CRC32C in its generation, sequence continuity) without writing.
     *
     * @param segment the segment.
     * @return its summary (file null).
     * @throws IllegalStateException when a record does not validate, or the walk ends before the segment's limit.
     */
    public static Summary summarize(final Sealed segment)
    {
        final Walk walk = new Walk(segment);
        try
        {
            walk.run(null);
            return walk.summary(null, false, 0, 0);
        }
        finally
        {
            walk.close();
        }
    }

    /**
     * Archive a sealed segment: with keepRecords its records compressed in blocks, else only its summary (the policy
     * deletes them); temp file, fsync, rename to {@link #fileName}, directory fsync (fsync on). The segment file is
     * read, never changed; the caller retires it afterwards.
     *
     * @param segment     the segment, no longer written to.
     * @param archiveDir  where archives go (created if absent).
     * @param keepRecords true to keep the records, false for a summary only.
     * @param fsync       false skips every force (tests).
     * @return what was written.
     * @throws IllegalStateException when a record of the segment does not validate (nothing is written).
     * @throws UncheckedIOException  when the archive cannot be written (its temp file is removed).
     */
    public static Summary write(
        final Sealed segment, final Path archiveDir, final boolean keepRecords, final boolean fsync)
    {
        final Walk walk = new Walk(segment);
        final Path file = archiveDir.resolve(fileName(segment.basePosition(), !keepRecords));
        final Path temp = file.resolveSibling(file.getFileName() + TEMP_SUFFIX);
        try
        {
            final List<int[]> blocks = new ArrayList<>();
            walk.run(keepRecords ? blocks : null);
            Files.createDirectories(archiveDir);
            long length;
            try (FileChannel out = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING))
            {
                final int indexLength = blocks.size() * INDEX_ENTRY_LENGTH;
                final ByteBuffer index = ByteBuffer.allocate(indexLength).order(ByteOrder.LITTLE_ENDIAN);
                long fileOffset = HEADER_LENGTH + indexLength;
                final Deflater deflater = new Deflater(Deflater.BEST_SPEED);
                final ByteBuffer chunk = ByteBuffer.allocateDirect(256 * 1024);
                try
                {
                    for (final int[] block : blocks)
                    {
                        deflater.reset();
                        deflater.setInput(walk.mapped.duplicate().limit(block[0] + block[1]).position(block[0]));
                        deflater.finish();
                        long compressed = 0;
                        while (!deflater.finished())
                        {
                            chunk.clear();
                            deflater.deflate(chunk);
                            chunk.flip();
                            compressed += chunk.remaining();
                            writeFully(out, chunk, fileOffset + compressed - chunk.remaining());
                        }
                        index.putInt(block[0]).putInt(block[1]).putLong(fileOffset).putInt((int)compressed)
                            .putInt(block[2]);
                        fileOffset += compressed;
                    }
                }
                finally
                {
                    deflater.end();
                }
                index.flip();
                final CRC32C indexCrc = new CRC32C();
                indexCrc.update(index.duplicate());
                final ByteBuffer header = walk.header(keepRecords ? KIND_ARCHIVED : KIND_DELETED, blocks.size(),
                    (int)indexCrc.getValue());
                writeFully(out, header, 0);
                writeFully(out, index, HEADER_LENGTH);
                if (fsync)
                {
                    out.force(true);
                }
                length = fileOffset;
            }
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (fsync)
            {
                SegmentFiles.forceDirectory(archiveDir);
            }
            return walk.summary(file, !keepRecords, length, blocks.size());
        }
        catch (final IOException ex)
        {
            SegmentFiles.delete(temp);
            throw new UncheckedIOException("cannot archive segment " + segment.file() + " to " + file, ex);
        }
        catch (final RuntimeException ex)
        {
            try
            {
                Files.deleteIfExists(temp);
            }
            catch (final IOException suppressed)
            {
                ex.addSuppressed(suppressed);
            }
            throw ex;
        }
        finally
        {
            walk.close();
        }
    }

    /**
     * Read an archive's header and block index, checking their CRC32Cs (not the blocks: see {@link Reader#verify}).
     *
     * @param file an archive or deleted segment's summary.
     * @return its summary.
     * @throws IllegalStateException when the header or index is damaged, with what is wrong in words.
     */
    public static Summary readSummary(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return parse(file, channel, null);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read archive " + file, ex);
        }
    }

    /**
     * @return archives and deleted segments' summaries in archiveDir, ordered by base position (empty when the
     * directory does not exist).
     */
    public static List<Path> list(final Path archiveDir)
    {
        return Files.isDirectory(archiveDir) ? SegmentFiles.listMatching(archiveDir, NAME) : List.of();
    }

    /**
     * @return archive temp files an interrupted archiving left behind.
     */
    static List<Path> listTemp(final Path archiveDir)
    {
        return Files.isDirectory(archiveDir) ? SegmentFiles.listMatching(archiveDir, TEMP_NAME) : List.of();
    }

    /**
     * @return base position named by an archive file.
     */
    static long basePosition(final Path file)
    {
        final String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, 20));
    }

    static boolean isDeleted(final Path file)
    {
        return file.getFileName().toString().endsWith(DELETED_SUFFIX);
    }

    private static Summary parse(final Path file, final FileChannel channel, final ByteBuffer indexOut)
        throws IOException
    {
        final long fileLength = channel.size();
        final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, header, 0);
        header.flip();
        if (header.limit() < HEADER_LENGTH)
        {
            throw new IllegalStateException("archive " + file + " is " + fileLength + " bytes, shorter than its " +
                HEADER_LENGTH + "-byte header");
        }
        final CRC32C crc = new CRC32C();
        crc.update(header.array(), 0, HEADER_CHECKSUM_OFFSET);
        if (header.getInt(HEADER_CHECKSUM_OFFSET) != (int)crc.getValue())
        {
            throw new IllegalStateException("archive " + file + " header checksum mismatch: expected CRC32C 0x" +
                SegmentHeader.hex(header.getInt(HEADER_CHECKSUM_OFFSET)) + " (stored), actual 0x" +
                SegmentHeader.hex((int)crc.getValue()) + " (computed)");
        }
        if (header.getLong(0) != MAGIC || header.getInt(8) != FORMAT)
        {
            throw new IllegalStateException("archive " + file + " is not an Axiom segment archive of format " +
                FORMAT + " (magic 0x" + Long.toHexString(header.getLong(0)) + ", format " + header.getInt(8) + ")");
        }
        final int kind = header.getInt(12);
        final int blockCount = header.getInt(52);
        final long basePosition = header.getLong(24);
        if ((kind != KIND_ARCHIVED && kind != KIND_DELETED) || blockCount < 0 ||
            (kind == KIND_DELETED && blockCount != 0) || basePosition != basePosition(file) ||
            (kind == KIND_DELETED) != isDeleted(file))
        {
            throw new IllegalStateException("archive " + file + " header does not fit its name: kind " + kind +
                ", " + blockCount + " blocks, base position " + basePosition);
        }
        final int indexLength = blockCount * INDEX_ENTRY_LENGTH;
        final ByteBuffer index = null != indexOut && indexOut.capacity() >= indexLength ? indexOut.clear() :
            ByteBuffer.allocate(indexLength);
        index.order(ByteOrder.LITTLE_ENDIAN).limit(indexLength);
        readFully(channel, index, HEADER_LENGTH);
        index.flip();
        crc.reset();
        crc.update(index.duplicate());
        if (index.limit() != indexLength || header.getInt(100) != (int)crc.getValue())
        {
            throw new IllegalStateException("archive " + file + " block index is damaged (CRC32C 0x" +
                SegmentHeader.hex(header.getInt(100)) + " stored, 0x" + SegmentHeader.hex((int)crc.getValue()) +
                " computed over " + index.limit() + " of " + indexLength + " bytes)");
        }
        return new Summary(file, kind == KIND_DELETED, header.getInt(16), basePosition, header.getLong(32),
            header.getInt(20), header.getLong(40), header.getInt(48), header.getLong(56), header.getLong(64),
            header.getLong(72), header.getLong(80), header.getInt(88), blockCount, fileLength);
    }

    private static void writeFully(final FileChannel out, final ByteBuffer src, final long position)
        throws IOException
    {
        long at = position;
        while (src.hasRemaining())
        {
            at += out.write(src, at);
        }
    }

    private static void readFully(final FileChannel in, final ByteBuffer dst, final long position) throws IOException
    {
        long at = position;
        int read;
        while (dst.hasRemaining() && (read = in.read(dst, at)) > 0)
        {
            at += read;
        }
    }

    /**
     * One walk over a sealed segment's records, mapped read-only: validates each and cuts blocks.
     */
    private static final class Walk
    {
        private final Sealed segment;
        private final MappedByteBuffer mapped;
        private final UnsafeBuffer buffer;
        private final CRC32C crc = new CRC32C();
        private final CRC32C whole = new CRC32C();
        private long firstSequence;
        private long lastSequence;
        private long lastTimestamp = Long.MIN_VALUE;
        private long recordCount;

        Walk(final Sealed segment)
        {
            this.segment = segment;
            if (segment.limit() < SegmentHeader.LENGTH || segment.limit() > segment.segmentSize())
            {
                throw new IllegalArgumentException("segment " + segment.file() + " limit " + segment.limit() +
                    " outside [" + SegmentHeader.LENGTH + ", " + segment.segmentSize() + "]");
            }
            try (FileChannel channel = FileChannel.open(segment.file(), StandardOpenOption.READ))
            {
                mapped = channel.map(FileChannel.MapMode.READ_ONLY, 0, segment.limit());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read segment " + segment.file(), ex);
            }
            buffer = new UnsafeBuffer(mapped);
        }

        void run(final List<int[]> blocks)
        {
            final int salt = SegmentHeader.salt(segment.generation());
            final int limit = segment.limit();
            int offset = SegmentHeader.LENGTH;
            int blockStart = offset;
            final CRC32C blockCrc = new CRC32C();
            while (offset < limit)
            {
                final int frameLength = buffer.getInt(offset, ByteOrder.LITTLE_ENDIAN);
                if (frameLength < RecordFrame.HEADER_LENGTH || offset + frameLength > limit)
                {
                    throw new IllegalStateException("segment " + segment.file() + ": no record at file offset " +
                        offset + " (frame length " + frameLength + ") before its end at " + limit);
                }
                crc.reset();
                crc.update(mapped.duplicate().limit(offset + frameLength)
                    .position(offset + RecordFrame.CHECKSUMMED_FROM));
                final long sequence = RecordFrame.sequence(buffer, offset);
                if (((int)crc.getValue() ^ salt) != RecordFrame.checksum(buffer, offset) ||
                    (0 != lastSequence && sequence != lastSequence + 1))
                {
                    throw new IllegalStateException("segment " + segment.file() + ": the record at file offset " +
                        offset + " (sequence " + sequence + ") does not validate; not archived");
                }
                if (0 == firstSequence)
                {
                    firstSequence = sequence;
                }
                lastSequence = sequence;
                lastTimestamp = RecordFrame.timestamp(buffer, offset);
                recordCount++;
                offset += RecordFrame.align(frameLength);
                if (null != blocks && (offset - blockStart >= BLOCK_TARGET || offset >= limit))
                {
                    blockCrc.reset();
                    blockCrc.update(mapped.duplicate().limit(offset).position(blockStart));
                    blocks.add(new int[] {blockStart, offset - blockStart, (int)blockCrc.getValue()});
                    blockStart = offset;
                }
            }
            if (offset != limit)
            {
                throw new IllegalStateException("segment " + segment.file() + ": records end at " + offset +
                    ", not at its limit " + limit);
            }
            whole.update(mapped.duplicate().limit(limit).position(SegmentHeader.LENGTH));
        }

        ByteBuffer header(final int kind, final int blockCount, final int indexCrc)
        {
            final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(0, MAGIC).putInt(8, FORMAT).putInt(12, kind).putInt(16, segment.index())
                .putInt(20, segment.formatVersion()).putLong(24, segment.basePosition())
                .putLong(32, segment.segmentSize()).putLong(40, segment.generation()).putInt(48, segment.limit())
                .putInt(52, blockCount).putLong(56, firstSequence).putLong(64, lastSequence)
                .putLong(72, lastTimestamp).putLong(80, recordCount).putInt(88, (int)whole.getValue())
                .putInt(92, BLOCK_TARGET).putInt(100, indexCrc);
            final CRC32C headerCrc = new CRC32C();
            headerCrc.update(header.array(), 0, HEADER_CHECKSUM_OFFSET);
            header.putInt(HEADER_CHECKSUM_OFFSET, (int)headerCrc.getValue());
            return header;
        }

        Summary summary(final Path file, final boolean deleted, final long length, final int blockCount)
        {
            return new Summary(file, deleted, segment.index(), segment.basePosition(), segment.segmentSize(),
                segment.formatVersion(), segment.generation(), segment.limit(), firstSequence, lastSequence,
                lastTimestamp, recordCount, (int)whole.getValue(), blockCount, length);
        }

        void close()
        {
            IoUtil.unmap(mapped);
        }
    }

    /**
     * Random access by position to one archive: finds a record's block in the index, decompresses that block alone
     * into a buffer kept for the next read (memory: the largest block read, at least 1 MiB), and delivers the record
     * zero-copy from it. One thread at a time; {@link #close()} releases the file.
     */
    public static final class Reader implements AutoCloseable
    {
        private final Summary summary;
        private final FileChannel channel;
        private final ByteBuffer index;
        private final Inflater inflater = new Inflater();
        private final CRC32C crc = new CRC32C();
        private final int salt;
        private ByteBuffer compressed;
        private ByteBuffer block;
        private final UnsafeBuffer blockBuffer = new UnsafeBuffer(0, 0);
        private int cachedBlock = -1;
        private int blockOffset;

        /**
         * Open an archive; its header and block index are checked.
         *
         * @param file the archive ({@link #SUFFIX}).
         * @throws IllegalStateException when it is damaged or holds no records (a deleted segment's summary).
         */
        public Reader(final Path file)
        {
            try
            {
                channel = FileChannel.open(file, StandardOpenOption.READ);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot open archive " + file, ex);
            }
            try
            {
                summary = parseOpen(file);
                if (summary.deleted())
                {
                    throw new IllegalStateException("archive " + file + " holds no records: the retention policy " +
                        "deleted them");
                }
                index = readIndex();
                salt = SegmentHeader.salt(summary.generation());
            }
            catch (final RuntimeException ex)
            {
                closeQuietly(ex);
                throw ex;
            }
        }

        private Summary parseOpen(final Path file)
        {
            try
            {
                return parse(file, channel, null);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read archive " + file, ex);
            }
        }

        private ByteBuffer readIndex()
        {
            final ByteBuffer buffer = ByteBuffer.allocate(summary.blockCount() * INDEX_ENTRY_LENGTH)
                .order(ByteOrder.LITTLE_ENDIAN);
            try
            {
                readFully(channel, buffer, HEADER_LENGTH);
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read archive " + summary.file(), ex);
            }
            return buffer.flip();
        }

        /**
         * @return what the archive's header says.
         */
        public Summary summary()
        {
            return summary;
        }

        /**
         * Deliver the record starting at position.
         *
         * @param position a position in this archive's segment.
         * @param handler  receives the record (the buffer is valid during the call only).
         * @param verify   true to check the record's CRC32C (positions from outside).
         * @return false when no record starts there.
         */
        public boolean read(final long position, final RecordHandler handler, final boolean verify)
        {
            final int at = find(position, verify);
            if (at < 0)
            {
                return false;
            }
            deliver(at, position, handler);
            return true;
        }

        /**
         * Load the block holding position (reading and decompressing it unless it is the one kept).
         *
         * @return offset of the record in the loaded block, -1 when no record starts at position.
         * @throws IllegalStateException when the block is damaged.
         */
        int find(final long position, final boolean verify)
        {
            final long offset = position - summary.basePosition();
            if (offset < SegmentHeader.LENGTH || offset >= summary.limit() ||
                (offset & (RecordFrame.ALIGNMENT - 1)) != 0)
            {
                return -1;
            }
            load(blockOf((int)offset));
            final int at = (int)offset - blockOffset;
            final int frameLength = blockBuffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
            if (frameLength < RecordFrame.HEADER_LENGTH || at + frameLength > blockBuffer.capacity() ||
                (verify && !valid(at, frameLength)))
            {
                return -1;
            }
            return at;
        }

        /**
         * Deliver the record {@link #find} found.
         */
        void deliver(final int at, final long position, final RecordHandler handler)
        {
            RecordFrame.deliver(blockBuffer, at, blockBuffer.getInt(at, ByteOrder.LITTLE_ENDIAN), position, handler);
        }

        /**
         * Deliver every record at or after fromPosition, oldest first.
         *
         * @return records delivered.
         */
        public long replay(final long fromPosition, final RecordHandler handler)
        {
            return replay(fromPosition, Long.MAX_VALUE, Long.MAX_VALUE, handler);
        }

        /**
         * Deliver the records in [fromPosition, endPosition), oldest first, at most limit of them.
         *
         * @return records delivered.
         */
        public long replay(
            final long fromPosition, final long limit, final long endPosition, final RecordHandler handler)
        {
            long count = 0;
            for (int b = 0; b < summary.blockCount() && count < limit; b++)
            {
                final int start = index.getInt(b * INDEX_ENTRY_LENGTH);
                final int length = index.getInt(b * INDEX_ENTRY_LENGTH + 4);
                if (summary.basePosition() + start + length <= fromPosition)
                {
                    continue;
                }
                load(b);
                int at = 0;
                while (at < length && count < limit)
                {
                    final int frameLength = blockBuffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
                    final long position = summary.basePosition() + blockOffset + at;
                    if (position >= endPosition)
                    {
                        return count;
                    }
                    if (position >= fromPosition)
                    {
                        RecordFrame.deliver(blockBuffer, at, frameLength, position, handler);
                        count++;
                    }
                    at += RecordFrame.align(frameLength);
                }
            }
            return count;
        }

        /**
         * Check every block (its CRC32C and the summary's CRC32C of all record bytes) and every record (length,
         * CRC32C in its generation, sequence continuity, count, first and last sequence).
         *
         * @return null when sound, else the first fault in words.
         */
        public String verify()
        {
            final CRC32C whole = new CRC32C();
            long expected = summary.firstSequence();
            long records = 0;
            int end = SegmentHeader.LENGTH;
            for (int b = 0; b < summary.blockCount(); b++)
            {
                final int start = index.getInt(b * INDEX_ENTRY_LENGTH);
                if (start != end)
                {
                    return "block " + b + " starts at segment offset " + start + ", expected " + end;
                }
                try
                {
                    load(b);
                }
                catch (final IllegalStateException ex)
                {
                    return ex.getMessage();
                }
                final int length = index.getInt(b * INDEX_ENTRY_LENGTH + 4);
                whole.update(block.duplicate().limit(length).position(0));
                int at = 0;
                while (at < length)
                {
                    final int frameLength = blockBuffer.getInt(at, ByteOrder.LITTLE_ENDIAN);
                    final long position = summary.basePosition() + start + at;
                    if (frameLength < RecordFrame.HEADER_LENGTH || at + frameLength > length ||
                        !valid(at, frameLength))
                    {
                        return "record at position " + position + " does not validate (frame length " +
                            frameLength + ")";
                    }
                    final long sequence = RecordFrame.sequence(blockBuffer, at);
                    if (sequence != expected)
                    {
                        return "record at position " + position + " has sequence " + sequence + ", expected " +
                            expected;
                    }
                    expected++;
                    records++;
                    at += RecordFrame.align(frameLength);
                }
                end = start + length;
            }
            if (end != summary.limit() && summary.blockCount() > 0)
            {
                return "blocks end at segment offset " + end + ", the header says " + summary.limit();
            }
            if (records != summary.recordCount() || (records > 0 && expected - 1 != summary.lastSequence()))
            {
                return records + " records up to sequence " + (expected - 1) + ", the header says " +
                    summary.recordCount() + " up to " + summary.lastSequence();
            }
            if ((int)whole.getValue() != summary.recordsCrc())
            {
                return "CRC32C of all record bytes is 0x" + SegmentHeader.hex((int)whole.getValue()) + ", the header " +
                    "says 0x" + SegmentHeader.hex(summary.recordsCrc());
            }
            return null;
        }

        private boolean valid(final int at, final int frameLength)
        {
            crc.reset();
            crc.update(block.duplicate().limit(at + frameLength).position(at + RecordFrame.CHECKSUMMED_FROM));
            return ((int)crc.getValue() ^ salt) == RecordFrame.checksum(blockBuffer, at);
        }

        private int blockOf(final int offset)
        {
            int low = 0;
            int high = summary.blockCount() - 1;
            while (low < high)
            {
                final int mid = (low + high + 1) >>> 1;
                if (index.getInt(mid * INDEX_ENTRY_LENGTH) <= offset)
                {
                    low = mid;
                }
                else
                {
                    high = mid - 1;
                }
            }
            return low;
        }

        private void load(final int b)
        {
            if (b == cachedBlock)
            {
                return;
            }
            cachedBlock = -1;
            final int entry = b * INDEX_ENTRY_LENGTH;
            final int start = index.getInt(entry);
            final int length = index.getInt(entry + 4);
            final long fileOffset = index.getLong(entry + 8);
            final int compressedLength = index.getInt(entry + 16);
            final int storedCrc = index.getInt(entry + 20);
            if (length <= 0 || compressedLength < 0 || fileOffset + compressedLength > summary.fileLength())
            {
                throw new IllegalStateException("archive " + summary.file() + " block " + b + " index entry is " +
                    "impossible (length " + length + ", " + compressedLength + " compressed bytes at " + fileOffset +
                    ")");
            }
            if (null == compressed || compressed.capacity() < compressedLength)
            {
                compressed = ByteBuffer.allocateDirect(Math.max(compressedLength, BLOCK_TARGET));
            }
            if (null == block || block.capacity() < length)
            {
                block = ByteBuffer.allocateDirect(Math.max(length, BLOCK_TARGET + 64 * 1024));
            }
            try
            {
                compressed.clear().limit(compressedLength);
                readFully(channel, compressed, fileOffset);
                compressed.flip();
                inflater.reset();
                inflater.setInput(compressed);
                block.clear().limit(length);
                while (block.hasRemaining() && !inflater.finished())
                {
                    if (0 == inflater.inflate(block) && (inflater.needsInput() || inflater.needsDictionary()))
                    {
                        break;
                    }
                }
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot read archive " + summary.file(), ex);
            }
            catch (final DataFormatException ex)
            {
                throw new IllegalStateException("archive " + summary.file() + " block " + b + " does not " +
                    "decompress: " + ex.getMessage());
            }
            crc.reset();
            crc.update(block.duplicate().flip());
            if (block.position() != length || !inflater.finished() || (int)crc.getValue() != storedCrc)
            {
                throw new IllegalStateException("archive " + summary.file() + " block " + b + " is damaged: " +
                    block.position() + " of " + length + " bytes decompressed, CRC32C 0x" +
                    SegmentHeader.hex((int)crc.getValue()) + " computed, 0x" + SegmentHeader.hex(storedCrc) +
                    " stored");
            }
            blockBuffer.wrap(block, 0, length);
            blockOffset = start;
            cachedBlock = b;
        }

        public void close()
        {
            closeQuietly(null);
        }

        private void closeQuietly(final RuntimeException cause)
        {
            inflater.end();
            try
            {
                channel.close();
            }
            catch (final IOException ex)
            {
                if (null != cause)
                {
                    cause.addSuppressed(ex);
                }
            }
            if (null != compressed)
            {
                org.agrona.BufferUtil.free(compressed);
            }
            if (null != block)
            {
                org.agrona.BufferUtil.free(block);
            }
        }
    }
}
