package io.axiom.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.append;
import static io.axiom.journal.TestRecord.open;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The next segment is prepared ahead of need off the writer's thread; rotation only renames it into place.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class SegmentPreparationTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final long SEED = 11;

    @TempDir
    Path dir;

    private static void awaitReady(final Journal journal) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!journal.preparer().hasReady())
        {
            assertTrue(System.nanoTime() < deadline, "no segment prepared in 30 s: " + journal.preparer().failure());
            Thread.sleep(5);
        }
    }

    private List<Path> prepared()
    {
        return SegmentFiles.listPrepared(dir);
    }

    @Test
    void shouldRotateIntoPreparedSegment() throws Exception
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT)))
        {
            written.add(append(journal, SEED, 100, 1, 1));
            awaitReady(journal);
            final Path next = dir.resolve(String.format("%020d.wal.next", SEGMENT));
            assertEquals(List.of(next), prepared());
            assertEquals(SEGMENT, Files.size(next));
            assertFalse(Files.exists(dir.resolve(String.format("%020d.wal", SEGMENT))));

            while (journal.segmentCount() == 1)
            {
                written.add(append(journal, SEED, 3000, 2, written.size()));
            }
            assertEquals(1, journal.preparedRotations());
            assertFalse(Files.exists(next));
            assertTrue(Files.exists(dir.resolve(String.format("%020d.wal", SEGMENT))));
            assertTrue(journal.flush() > 0);

            awaitReady(journal);
            while (journal.segmentCount() == 2)
            {
                written.add(append(journal, SEED, 3000, 2, written.size()));
            }
            assertEquals(2, journal.preparedRotations());
            assertEquals(written, replayAll(journal));
            for (final TestRecord record : written)
            {
                final List<TestRecord> one = new ArrayList<>();
                assertTrue(journal.readRecord(record.position(), TestRecord.collector(one)));
                assertEquals(List.of(record), one);
            }
        }
        assertTrue(prepared().isEmpty(), "close deletes the unused prepared segment: " + prepared());
        final VerifyReport verify = JournalInspector.verify(dir);
        assertTrue(verify.ok(), verify.faults().toString());
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(3, journal.segmentCount());
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
            assertTrue(journal.recoveryReport().notes().stream().noneMatch(n -> n.startsWith("Removed")),
                journal.recoveryReport().notes().toString());
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void shouldRotateWhetherOrNotTheNextSegmentIsReady()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            // one claim of most of a segment, then another: the second rotates right after the first request
            for (int i = 0; i < 6; i++)
            {
                written.add(append(journal, SEED, (int)SEGMENT - 200, 1, i));
            }
            assertEquals(6, journal.segmentCount());
            assertTrue(journal.preparedRotations() <= 5);
            assertEquals(written, replayAll(journal));
        }
        assertTrue(prepared().isEmpty(), prepared().toString());
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void shouldRemovePreparedSegmentLeftByCrash() throws Exception
    {
        final List<TestRecord> written = new ArrayList<>();
        final Path crashed = dir.resolveSibling(dir.getFileName() + "-crash");
        try (Journal journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT)))
        {
            for (int i = 0; i < 5; i++)
            {
                written.add(append(journal, SEED, 500, 1, i));
            }
            journal.flush();
            awaitReady(journal);
            // a SIGKILL now leaves the log plus a complete, forced .wal.next
            TestRecord.copyDir(dir, crashed);
        }
        try
        {
            assertEquals(1, SegmentFiles.listPrepared(crashed).size());
            // and one whose preparation was interrupted part way
            Files.write(crashed.resolve(String.format("%020d.wal.next", 2 * SEGMENT)), new byte[] {1, 2, 3});
            final VerifyReport verify = JournalInspector.verify(crashed);
            assertTrue(verify.ok() && !verify.tornTail(), verify.faults().toString());
            try (Journal journal = open(crashed, SEGMENT))
            {
                final RecoveryReport report = journal.recoveryReport();
                assertEquals(written, replayAll(journal));
                assertEquals(1, journal.segmentCount());
                assertEquals(-1, report.truncatedAtPosition());
                assertEquals(2, report.notes().stream().filter(n -> n.contains("prepared ahead of need")).count(),
                    report.notes().toString());
                assertTrue(SegmentFiles.listPrepared(crashed).isEmpty());
                written.add(append(journal, SEED, 10, 1, 9));
            }
            try (Journal journal = open(crashed, SEGMENT))
            {
                assertEquals(written, replayAll(journal));
            }
        }
        finally
        {
            TestRecord.deleteRecursively(crashed);
        }
    }

    @Test
    void shouldStopPreparerAndDeleteItsFileOnClose() throws Exception
    {
        // a large segment takes a while to prepare: close lands mid-way (or just after), never leaves a file behind
        final long big = 256L * 1024 * 1024;
        final Journal journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(big).fsync(false));
        final TestRecord record = append(journal, SEED, 100, 1, 1);
        final Thread thread = journal.preparer().thread();
        assertNotNull(thread);
        final long waitUntil = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (prepared().isEmpty() && System.nanoTime() < waitUntil)
        {
            Thread.sleep(1);
        }
        journal.close();
        assertFalse(thread.isAlive(), "preparer thread stopped");
        assertTrue(prepared().isEmpty(), prepared().toString());
        try (Stream<Path> files = Files.list(dir))
        {
            assertEquals(List.of(dir.resolve("00000000000000000000.wal")),
                files.filter(f -> !f.getFileName().toString().equals(DataDirectoryLock.FILE_NAME)).toList());
        }
        try (Journal reopened = open(dir, big))
        {
            assertEquals(List.of(record), replayAll(reopened));
        }
    }

    @Test
    void shouldDeleteReadyPreparedSegmentOnClose() throws Exception
    {
        final Journal journal = open(dir, SEGMENT);
        append(journal, SEED, 100, 1, 1);
        awaitReady(journal);
        assertEquals(1, prepared().size());
        final Thread thread = journal.preparer().thread();
        journal.close();
        assertFalse(thread.isAlive());
        assertTrue(prepared().isEmpty(), prepared().toString());
    }

    @Test
    void shouldNotStartPreparerForJournalThatNeverWrites()
    {
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(0, journal.replay(0, TestRecord.collector(new ArrayList<>())));
            assertEquals(null, journal.preparer().thread());
        }
        assertTrue(prepared().isEmpty());
    }
}
