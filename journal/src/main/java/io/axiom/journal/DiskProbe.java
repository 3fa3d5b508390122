package io.axiom.journal;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the journal asks of the file system besides reading and writing its files: how much space is left for new
 * segments, and, for tests, a point where the errors of a full disk can be injected into segment creation.
 */
interface DiskProbe
{
    /**
     * @return bytes an unprivileged writer can still allocate in the data directory's file system (statvfs).
     * @throws IOException if the file system cannot be asked.
     */
    long usableBytes() throws IOException;

    /**
     * Called before each chunk of a new segment file is written; a test throws here to play a full disk.
     *
     * @param file       the file being created ({@code .tmp} or {@code .next}).
     * @param fileOffset where the chunk goes.
     * @param length     chunk length.
     * @throws IOException to fail the creation.
     */
    default void beforeSegmentWrite(final Path file, final long fileOffset, final int length) throws IOException
    {
    }

    /**
     * @param dir the data directory.
     * @return a probe over the directory's file store, looked up once (the look-up reads the mount table; each
     * {@link #usableBytes()} is then one statvfs).
     */
    static DiskProbe of(final Path dir)
    {
        return new DiskProbe()
        {
            private volatile FileStore store;

            public long usableBytes() throws IOException
            {
                FileStore fileStore = store;
                if (null == fileStore)
                {
                    fileStore = Files.getFileStore(dir);
                    store = fileStore;
                }
                return fileStore.getUsableSpace();
            }
        };
    }
}
