package io.axiom.journal;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Child process of {@link DataDirectoryLockTest}. Arguments: data dir, mode.
 * <ul>
 *     <li>{@code journal}: open a journal on the dir, print {@code LOCKED <pid>}, wait to be killed.</li>
 *     <li>{@code try}: try to lock the dir once, print {@code ACQUIRED} or {@code REFUSED <holder pid>}, exit.</li>
 * </ul>
 */
public final class LockHolder
{
    private LockHolder()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final Path dir = Path.of(args[0]);
        if ("try".equals(args[1]))
        {
            try (DataDirectoryLock lock = DataDirectoryLock.acquire(dir))
            {
                System.out.println("ACQUIRED " + lock.isHeld());
            }
            catch (final DataDirectoryLockedException ex)
            {
                System.out.println("REFUSED " + ex.holderPid() + " " + ex.getMessage());
            }
            System.out.flush();
            return;
        }
        try (Journal journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(64 * 1024)))
        {
            System.out.println("LOCKED " + ProcessHandle.current().pid() + " " + journal.lastSequence());
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // wait to be killed
            }
        }
    }
}
