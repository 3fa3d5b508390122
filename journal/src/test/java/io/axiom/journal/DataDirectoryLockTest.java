package io.axiom.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.append;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One owner per data directory: a second journal, in this JVM or another process, is refused with the holder's pid;
 * the lock is free again after close, abandon, a failed open, and a SIGKILL of its holder; read-only tools ignore it.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class DataDirectoryLockTest
{
    private static final long SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    private Journal open()
    {
        return Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false));
    }

    @Test
    void secondJournalInTheSameJvmIsRefusedAndDoesNotBreakTheHoldersLock() throws Exception
    {
        final long pid = ProcessHandle.current().pid();
        try (Journal journal = open())
        {
            append(journal, 1, 10, 1, 1);
            final DataDirectoryLockedException ex = assertThrows(DataDirectoryLockedException.class, this::open);
            assertTrue(ex.getMessage().contains(dir.toString()) && ex.getMessage().contains("pid " + pid) &&
                ex.getMessage().contains("this process"), ex.getMessage());
            assertEquals(pid, ex.holderPid());
            assertThrows(DataDirectoryLockedException.class, () -> DataDirectoryLock.acquire(dir.resolve(".")));

            // the refusals above must not have dropped the OS lock (POSIX drops it when any descriptor closes)
            try (ChildJvm child = ChildJvm.start(dir.resolveSibling("child.err"), LockHolder.class,
                dir.toString(), "try"))
            {
                final String line = child.awaitLine("");
                assertNotNull(line);
                assertTrue(line.startsWith("REFUSED " + pid), line);
            }
            assertTrue(journal.flush() > 0, "the journal is untouched by the refusals");
        }
        try (Journal journal = open())
        {
            assertEquals(1, journal.lastSequence());
        }
    }

    @Test
    void secondProcessIsRefusedWithThePidAndTheLockIsFreeAfterItsHolderIsKilled() throws Exception
    {
        try (Journal journal = open())
        {
            append(journal, 1, 10, 1, 1);
        }
        try (ChildJvm child = ChildJvm.start(dir.resolveSibling("holder.err"), LockHolder.class,
            dir.toString(), "journal"))
        {
            final String locked = child.awaitLine("LOCKED ");
            assertNotNull(locked, "the child could not open the journal");
            assertEquals("LOCKED " + child.pid() + " 1", locked);

            final DataDirectoryLockedException ex = assertThrows(DataDirectoryLockedException.class, this::open);
            assertEquals(child.pid(), ex.holderPid());
            assertTrue(ex.getMessage().contains("pid " + child.pid()) && ex.getMessage().contains(dir.toString()) &&
                ex.getMessage().contains("stop that server first"), ex.getMessage());
            assertEquals(child.pid(), DataDirectoryLock.lastHolderPid(dir));

            final VerifyReport verify = JournalInspector.verify(dir);
            assertTrue(verify.ok(), "read-only tools work on a live directory: " + verify);
            final List<TestRecord> dumped = new ArrayList<>();
            JournalInspector.dump(dir, 0, 10, TestRecord.collector(dumped));
            assertEquals(1, dumped.size());

            child.kill();
            try (Journal journal = open())
            {
                assertEquals(1, journal.lastSequence(), "the SIGKILLed holder's lock is gone");
            }
        }
    }

    @Test
    void lockIsFreeAfterCloseAbandonAndAFailedOpen()
    {
        open().close();
        final Journal abandoned = open();
        append(abandoned, 1, 10, 1, 1);
        abandoned.abandon();
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dir))
        {
            assertTrue(lock.isHeld());
        }

        try (Journal journal = open())
        {
            for (int i = 0; i < 5; i++)
            {
                append(journal, 1, 10, 1, i);
            }
        }
        TestRecord.writeBytes(dir.resolve(Segment.fileName(0)), 64 + 40, new byte[] {1, 2, 3});
        assertThrows(JournalCorruptionException.class, this::open);
        try (DataDirectoryLock lock = DataDirectoryLock.acquire(dir))
        {
            assertTrue(lock.isHeld(), "a refused open released its lock");
        }
    }

    @Test
    void journalOwnsTheLockItIsGiven()
    {
        final DataDirectoryLock lock = DataDirectoryLock.acquire(dir);
        final Journal journal = Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false).directoryLock(lock));
        assertTrue(lock.isHeld());
        journal.close();
        assertFalse(lock.isHeld(), "released with the journal");

        final DataDirectoryLock other = DataDirectoryLock.acquire(dir.resolve("other"));
        assertThrows(IllegalArgumentException.class, () -> Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).directoryLock(other)));
        assertFalse(other.isHeld(), "a failed open releases the lock it was given");
        open().close();
    }
}
