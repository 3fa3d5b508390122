package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One owner per data directory: an exclusive OS lock ({@code fcntl}, through {@link FileChannel#tryLock()}) on
 * {@code data_dir/axiom.lock}, holding the owner's pid, taken before anything in the directory is read and kept for
 * the life of the journal. The OS drops it when the owner dies, even by SIGKILL, so it never goes stale; the file
 * itself stays (deleting a lock file races with the next owner) and only tells who held it last.
 * <p>
 * Within one JVM a registry of held directories is checked first, before any channel on the lock file is opened:
 * POSIX record locks belong to the process, and closing <em>any</em> descriptor of the file would silently release
 * the holder's lock. A second acquirer, in this JVM or another process, gets a {@link DataDirectoryLockedException}.
 * Read-only tools ({@link JournalInspector}) never lock and work on a live directory.
 */
public final class DataDirectoryLock implements AutoCloseable
{
    /**
     * Name of the lock file in the data directory.
     */
    public static final String FILE_NAME = "axiom.lock";

    private static final Set<Path> HELD = ConcurrentHashMap.newKeySet();

    private final Path dataDir;
    private final Path key;
    private final FileChannel channel;
    private final FileLock lock;
    private boolean closed;

    private DataDirectoryLock(final Path dataDir, final Path key, final FileChannel channel, final FileLock lock)
    {
        this.dataDir = dataDir;
        this.key = key;
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * Lock a data directory (created when missing) for this process, writing its pid into the lock file.
     *
     * @param dataDir the data directory.
     * @return the held lock; {@link #close()} releases it.
     * @throws DataDirectoryLockedException when another process, or another journal of this JVM, holds it.
     * @throws UncheckedIOException         when the directory or the lock file cannot be created or locked.
     */
    public static DataDirectoryLock acquire(final Path dataDir)
    {
        final Path key;
        try
        {
            Files.createDirectories(dataDir);
            key = dataDir.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot create data dir " + dataDir, ex);
        }
        final long pid = ProcessHandle.current().pid();
        if (!HELD.add(key))
        {
            throw new DataDirectoryLockedException(dataDir, pid, true);
        }
        FileChannel channel = null;
        try
        {
            channel = FileChannel.open(key.resolve(FILE_NAME),
                StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
            final FileLock lock;
            try
            {
                lock = channel.tryLock();
            }
            catch (final OverlappingFileLockException ex)
            {
                // Held by this JVM outside the registry. Closing this channel would release that holder's lock
                // (POSIX), so the descriptor is deliberately left open.
                HELD.remove(key);
                throw new DataDirectoryLockedException(dataDir, pid, true);
            }
            if (null == lock)
            {
                final long holder = readPid(channel);
                channel.close();
                HELD.remove(key);
                throw new DataDirectoryLockedException(dataDir, holder, holder == pid);
            }
            final ByteBuffer content = ByteBuffer.wrap((pid + "\n").getBytes(StandardCharsets.US_ASCII));
            channel.truncate(0);
            while (content.hasRemaining())
            {
                channel.write(content, content.position());
            }
            return new DataDirectoryLock(dataDir, key, channel, lock);
        }
        catch (final IOException ex)
        {
            if (null != channel)
            {
                try
                {
                    channel.close();
                }
                catch (final IOException suppressed)
                {
                    ex.addSuppressed(suppressed);
                }
            }
            HELD.remove(key);
            throw new UncheckedIOException("cannot lock data dir " + dataDir + " (" + key.resolve(FILE_NAME) + ")",
                ex);
        }
    }

    /**
     * @param dataDir a data directory.
     * @return pid written in its lock file by the last holder, -1 when there is none or it cannot be read. The
     * holder may be gone: only a refused {@link #acquire} proves it alive.
     */
    public static long lastHolderPid(final Path dataDir)
    {
        final Path file = dataDir.resolve(FILE_NAME);
        if (!Files.isRegularFile(file))
        {
            return -1;
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            return readPid(channel);
        }
        catch (final IOException ex)
        {
            return -1;
        }
    }

    private static long readPid(final FileChannel channel) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.allocate(32);
        while (bytes.hasRemaining() && channel.read(bytes, bytes.position()) > 0)
        {
            // read what is there
        }
        final String text = new String(bytes.array(), 0, bytes.position(), StandardCharsets.US_ASCII).trim();
        try
        {
            return text.isEmpty() ? -1 : Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * @return the data directory locked.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @return true until {@link #close()}.
     */
    public synchronized boolean isHeld()
    {
        return !closed;
    }

    /**
     * @throws IllegalArgumentException when this lock is not held on dir.
     */
    void requireFor(final Path dir)
    {
        final Path real;
        try
        {
            real = dir.toRealPath();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        if (!isHeld() || !key.equals(real))
        {
            throw new IllegalArgumentException("the directory lock given holds " + (isHeld() ? key : "nothing") +
                ", not " + real);
        }
    }

    /**
     * Release the lock. Idempotent.
     */
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            lock.release();
            channel.close();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot release the lock on " + dataDir, ex);
        }
        finally
        {
            HELD.remove(key);
        }
    }

    public String toString()
    {
        return "DataDirectoryLock{" + key.resolve(FILE_NAME) + (closed ? ", released}" : "}");
    }
}
