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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.CRC32C;

import org.agrona.DirectBuffer;

/**
 * Snapshot files: a whole state, opaque bytes, with the journal position it covers.
 * <p>
 * A snapshot says "every record before {@code position} is folded into these bytes". Start-up loads the newest valid
 * snapshot and replays the log from its position, so start-up time stops growing with the age of the log.
 * <p>
 * Files live in {@code data_dir/snapshots}, named {@code snapshot-%020d.snap} by position. Writing is crash-safe:
 * the bytes go to a {@code .tmp} file which is fsynced, renamed into place, and the directory fsynced; a crash
 * leaves either the old set of snapshots or the new one, never a half-written file under a real name. Each file
 * carries a 40-byte header, little-endian:
 * <pre>
 *   0  int64 magic "AXIOMSNP"
 *   8  int32 format version (1)
 *  12  int32 reserved
 *  16  int64 position covered
 *  24  int64 payload length
 *  32  int32 CRC32C of the payload
 *  36  int32 CRC32C of bytes [0, 36)
 * </pre>
 * A snapshot that fails its checks is skipped (and reported), falling back to an older one or to a full replay:
 * a snapshot is an optimisation, the log stays the judge. Only the newest {@code retain} snapshots are kept.
 */
public final class SnapshotStore
{
    /** Directory under the data dir. */
    public static final String DIRECTORY = "snapshots";
    static final long MAGIC = 0x504E534D4F495841L; // "AXIOMSNP" little-endian
    static final int VERSION = 1;
    static final int HEADER_LENGTH = 40;
    private static final Pattern NAME = Pattern.compile("snapshot-(\\d{20})\\.snap");

    private final Path dir;
    private final int retain;
    private final List<String> notes = new ArrayList<>();

    /**
     * @param dataDir the journal's data dir.
     * @param retain  how many snapshots to keep, at least 1.
     */
    public SnapshotStore(final Path dataDir, final int retain)
    {
        if (retain < 1)
        {
            throw new IllegalArgumentException("retain must be at least 1: " + retain);
        }
        this.dir = dataDir.resolve(DIRECTORY);
        this.retain = retain;
    }

    /**
     * A snapshot read back.
     *
     * @param file     where it was read from.
     * @param position journal position it covers: replay from here.
     * @param payload  the state's bytes.
     */
    public record Snapshot(Path file, long position, byte[] payload)
    {
    }

    /**
     * Write a snapshot durably, then drop the ones beyond {@code retain}.
     *
     * @param position journal position the state covers (every record before it is folded in).
     * @param payload  holding the state.
     * @param offset   of the state in payload.
     * @param length   of the state.
     * @return the file written.
     */
    public Path write(final long position, final DirectBuffer payload, final int offset, final int length)
    {
        try
        {
            Files.createDirectories(dir);
            final Path file = dir.resolve(String.format("snapshot-%020d.snap", position));
            final Path tmp = dir.resolve(file.getFileName() + ".tmp");

            final ByteBuffer body = ByteBuffer.allocateDirect(length);
            payload.getBytes(offset, body, length);
            body.flip();
            final CRC32C crc = new CRC32C();
            crc.update(body.duplicate());

            final ByteBuffer header = ByteBuffer.allocate(HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
            header.putLong(0, MAGIC).putInt(8, VERSION).putInt(12, 0).putLong(16, position).putLong(24, length)
                .putInt(32, (int)crc.getValue());
            final CRC32C headerCrc = new CRC32C();
            headerCrc.update(header.array(), 0, 36);
            header.putInt(36, (int)headerCrc.getValue());

            try (FileChannel channel = FileChannel.open(
                tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE))
            {
                while (header.hasRemaining())
                {
                    channel.write(header);
                }
                while (body.hasRemaining())
                {
                    channel.write(body);
                }
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            SegmentFiles.forceDirectory(dir);

            final List<Path> all = list();
            for (int i = 0; i < all.size() - retain; i++)
            {
                Files.deleteIfExists(all.get(i));
            }
            if (all.size() > retain)
            {
                SegmentFiles.forceDirectory(dir);
            }
            return file;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot write snapshot at position " + position + " in " + dir, ex);
        }
    }

    /**
     * @param maxPosition the end of the log: a snapshot beyond it cannot be trusted and is skipped.
     * @return the newest snapshot that passes its checks and covers no more than the log holds, or null.
     */
    public Snapshot latest(final long maxPosition)
    {
        final List<Path> all = list();
        for (int i = all.size() - 1; i >= 0; i--)
        {
            final Path file = all.get(i);
            final String problem;
            final Snapshot snapshot;
            try
            {
                snapshot = read(file);
            }
            catch (final IOException ex)
            {
                notes.add("snapshot " + file + " unreadable, skipped: " + ex.getMessage());
                continue;
            }
            if (null == snapshot)
            {
                problem = "fails its checksum";
            }
            else if (snapshot.position() > maxPosition)
            {
                problem = "covers position " + snapshot.position() + " beyond the end of the log " + maxPosition;
            }
            else
            {
                return snapshot;
            }
            notes.add("snapshot " + file + " " + problem + ", skipped");
        }
        return null;
    }

    /**
     * @return what {@link #latest(long)} skipped and why.
     */
    public List<String> notes()
    {
        return List.copyOf(notes);
    }

    /**
     * @return snapshot files, oldest first.
     */
    public List<Path> list()
    {
        final List<Path> files = new ArrayList<>();
        if (!Files.isDirectory(dir))
        {
            return files;
        }
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir))
        {
            for (final Path file : stream)
            {
                final Matcher matcher = NAME.matcher(file.getFileName().toString());
                if (matcher.matches() && Files.isRegularFile(file))
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

    private static Snapshot read(final Path file) throws IOException
    {
        final byte[] bytes = Files.readAllBytes(file);
        if (bytes.length < HEADER_LENGTH)
        {
            return null;
        }
        final ByteBuffer header = ByteBuffer.wrap(bytes, 0, HEADER_LENGTH).order(ByteOrder.LITTLE_ENDIAN);
        final CRC32C headerCrc = new CRC32C();
        headerCrc.update(bytes, 0, 36);
        if (header.getLong(0) != MAGIC || header.getInt(8) != VERSION ||
            header.getInt(36) != (int)headerCrc.getValue())
        {
            return null;
        }
        final long length = header.getLong(24);
        if (length != bytes.length - HEADER_LENGTH)
        {
            return null;
        }
        final CRC32C crc = new CRC32C();
        crc.update(bytes, HEADER_LENGTH, (int)length);
        if (header.getInt(32) != (int)crc.getValue())
        {
            return null;
        }
        final byte[] payload = new byte[(int)length];
        System.arraycopy(bytes, HEADER_LENGTH, payload, 0, payload.length);
        return new Snapshot(file, header.getLong(16), payload);
    }
}
