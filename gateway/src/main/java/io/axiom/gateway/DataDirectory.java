package io.axiom.gateway;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Checks, before the engine starts, that {@code wal.data-dir} can hold a journal: an existing directory this process
 * may read, write and list, or a path that can be created under such a directory. The engine opens the journal on
 * its own thread, where a failure surfaces only after the server has started listening; this check turns the
 * common mistakes into one clear start-up error instead.
 */
final class DataDirectory
{
    private DataDirectory()
    {
    }

    /**
     * @param dir the configured data directory.
     * @throws StartupException naming the path and what is wrong with it.
     */
    static void check(final Path dir)
    {
        final Path absolute = dir.toAbsolutePath().normalize();
        if (Files.exists(absolute))
        {
            if (!Files.isDirectory(absolute))
            {
                throw new StartupException(2, "wal.data-dir " + dir + " is not a directory (it is a file); point " +
                    "--data-dir or wal.data-dir at a directory, or at a path where one can be created", null);
            }
            if (!Files.isReadable(absolute) || !Files.isWritable(absolute) || !Files.isExecutable(absolute))
            {
                throw new StartupException(2, "cannot use wal.data-dir " + dir + ": permission denied (the server " +
                    "must be able to read, write and list it)", null);
            }
            return;
        }

        Path parent = absolute.getParent();
        while (null != parent && !Files.exists(parent))
        {
            parent = parent.getParent();
        }
        if (null == parent)
        {
            return;
        }
        if (!Files.isDirectory(parent))
        {
            throw new StartupException(2, "wal.data-dir " + dir + " cannot be created: " + parent +
                " is a file, not a directory", null);
        }
        if (!Files.isWritable(parent) || !Files.isExecutable(parent))
        {
            throw new StartupException(2, "wal.data-dir " + dir + " cannot be created: permission denied in " +
                parent, null);
        }
    }
}
