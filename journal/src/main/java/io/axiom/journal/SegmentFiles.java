package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The data directory as a list of segment files: naming, listing, reading headers, directory fsync.
 */
final class SegmentFiles
{
    static final String SUFFIX = ".wal";
    static final String TEMP_SUFFIX = ".tmp";
    static final String PREPARED_SUFFIX = ".next";
    static final String FREE_SUFFIX = ".free";
    private static final Pattern SEGMENT_NAME = Pattern.compile("\\d{20}\\.wal");
    private static final Pattern TEMP_NAME = Pattern.compile("\\d{20}\\.wal\\.tmp");
    private static final Pattern PREPARED_NAME = Pattern.compile("\\d{20}\\.wal\\.next");
    private static final Pattern FREE_NAME = Pattern.compile("\\d{20}\\.wal\\.free");

    private SegmentFiles()
    {
    }

    /**
     * @return segment files (named {@code %020d.wal}) ordered by base position.
     */
    static List<Path> list(final Path dir)
    {
        return listMatching(dir, SEGMENT_NAME);
    }

    /**
     * @return leftovers of segment creation interrupted by a crash.
     */
    static List<Path> listTemp(final Path dir)
    {
        return listMatching(dir, TEMP_NAME);
    }

    /**
     * @return segments prepared ahead of need ({@code %020d.wal.next}) that a crash left unused.
     */
    static List<Path> listPrepared(final Path dir)
    {
        return listMatching(dir, PREPARED_NAME);
    }

    /**
     * @return retired segment files ({@code %020d.wal.free}, the old name) that may be recycled as new segments,
     * oldest first; never part of the log.
     */
    static List<Path> listFree(final Path dir)
    {
        return listMatching(dir, FREE_NAME);
    }

    static long basePosition(final Path file)
    {
        final String name = file.getFileName().toString();
        return Long.parseLong(name.substring(0, name.length() - SUFFIX.length()));
    }

    /**
     * @return the first 64 bytes of a file (fewer if the file is shorter), positioned at 0.
     */
    static ByteBuffer readHeader(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer header = ByteBuffer.allocate(SegmentHeader.LENGTH);
            while (header.hasRemaining() && channel.read(header, header.position()) > 0)
            {
                // read until full or end of file
            }
            return header.flip();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read segment header of " + file, ex);
        }
    }

    /**
     * @return true when every byte of the file is zero (a segment whose creation never finished).
     */
    static boolean isAllZero(final Path file)
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
            long position = 0;
            int read;
            while ((read = channel.read(chunk.clear(), position)) > 0)
            {
                for (int i = 0; i < read; i++)
                {
                    if (chunk.get(i) != 0)
                    {
                        return false;
                    }
                }
                position += read;
            }
            return true;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot read " + file, ex);
        }
    }

    static long size(final Path file)
    {
        try
        {
            return Files.size(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Take a file that is not part of the log ({@code .wal.tmp}, {@code .wal.next}) out of the way: into the pool as
     * {@code %020d.wal.free} when it holds a valid segment header for a file of its length (a finished preparation,
     * zero-filled or recycled, whatever its index), else deleted. Never read as records either way.
     *
     * @return words for a note: ", kept as X for reuse" or "" when deleted.
     */
    static String deleteOrPool(final Path file)
    {
        final ByteBuffer header = readHeader(file);
        final String name = file.getFileName().toString();
        final Path free = file.resolveSibling(name.substring(0, name.indexOf(SUFFIX) + SUFFIX.length()) + FREE_SUFFIX);
        if (header.limit() >= SegmentHeader.LENGTH && !Files.exists(free) && null == SegmentHeader.validate(
            header, header.duplicate().order(ByteOrder.LITTLE_ENDIAN).getInt(SegmentHeader.SEGMENT_INDEX_OFFSET),
            size(file)))
        {
            try
            {
                Files.move(file, free, StandardCopyOption.ATOMIC_MOVE);
                return ", kept as " + free.getFileName() + " for reuse";
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException("cannot move " + file + " to " + free, ex);
            }
        }
        delete(file);
        return "";
    }

    static void delete(final Path file)
    {
        try
        {
            Files.deleteIfExists(file);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot delete " + file, ex);
        }
    }

    /**
     * fsync a directory so that file creation, renames and deletions in it survive a crash.
     */
    static void forceDirectory(final Path dir)
    {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ))
        {
            channel.force(true);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot fsync directory " + dir, ex);
        }
    }

    static List<Path> listMatching(final Path dir, final Pattern pattern)
    {
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            for (final Path file : stream)
            {
                if (pattern.matcher(file.getFileName().toString()).matches() && Files.isRegularFile(file))
                {
                    files.add(file);
                }
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot list " + dir, ex);
        }
        files.sort(Comparator.comparing(file -> file.getFileName().toString()));
        return files;
    }
}
