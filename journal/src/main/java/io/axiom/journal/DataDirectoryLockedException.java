package io.axiom.journal;

import java.nio.file.Path;

/**
 * Another owner holds the data directory's lock: a second server, or a writing tool, on the same directory. Two
 * writers would interleave records and acknowledge each other's lost writes, so the second one is refused.
 */
public final class DataDirectoryLockedException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    private final transient Path dataDir;
    private final long holderPid;

    /**
     * @param dataDir   the directory.
     * @param holderPid pid in the lock file, -1 when unknown.
     * @param sameProcess true when the holder is this process (another journal or engine of this JVM).
     */
    public DataDirectoryLockedException(final Path dataDir, final long holderPid, final boolean sameProcess)
    {
        super(message(dataDir, holderPid, sameProcess));
        this.dataDir = dataDir;
        this.holderPid = holderPid;
    }

    private static String message(final Path dataDir, final long holderPid, final boolean sameProcess)
    {
        final Path lockFile = dataDir.resolve(DataDirectoryLock.FILE_NAME);
        if (sameProcess)
        {
            return "data dir " + dataDir + " is already in use by this process (pid " + holderPid + "): another " +
                "journal or engine holds " + lockFile + "; close it first, or use another wal.data-dir";
        }
        return "data dir " + dataDir + " is in use by another process (" + (holderPid > 0 ? "pid " + holderPid :
            "pid unknown") + " holds " + lockFile + "): stop that server first, or use another wal.data-dir. " +
            "Read-only tools (axiom wal verify, axiom wal dump) work on a live directory.";
    }

    /**
     * @return the directory that is locked.
     */
    public Path dataDir()
    {
        return dataDir;
    }

    /**
     * @return pid of the holder as written in the lock file, -1 when unknown.
     */
    public long holderPid()
    {
        return holderPid;
    }
}
