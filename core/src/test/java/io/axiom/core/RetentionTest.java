package io.axiom.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.StepSpec;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalContext;
import io.axiom.journal.SegmentArchive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.START_MS;
import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Retention in the engine, with a driven clock: what it keeps and why, the delete policy, a start-up that would
 * need deleted records, and bad settings. (Archiving under timers and restarts: {@code LongTimersTest}.)
 */
class RetentionTest
{
    private static final long DAY_MS = 86_400_000L;
    private static final long SEGMENT = 64 * 1024;

    @TempDir
    Path dir;

    @Test
    void nothingYoungerThanTheHistoryNorAboveTheOldestSnapshotLeaves()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = new EngineFixture(dir.resolve("data"), clock, settings(true)))
        {
            fillers(f, 200);
            snapshotsAfterFillers(f);
            f.advanceClock(DAY_MS - 1);
            f.advanceClock(0);
            assertEquals(0, f.engine.counters().segmentsRecycled(), "a day old at most: kept");
            f.advanceClock(Retention.RECHECK_MS); // looked at again once a minute of clock
            EngineFixture.await("archived", () -> f.engine.counters().segmentsArchived() > 0);
            f.advanceClock(0);
            f.advanceClock(0);
            final long archived = f.engine.counters().segmentsArchived();
            assertTrue(f.engine.counters().archiveBytes() > 0 && archived > 0);
            final long lastSnapshot = f.engine.counters().lastSnapshotPosition();
            assertTrue(archived * SEGMENT <= lastSnapshot, archived + " segments archived, all below the " +
                "snapshot at " + lastSnapshot);
            final int files = SegmentArchive.list(dir.resolve("data").resolve("archive")).size();
            // the retention thread may have written the next archive that the processor has not retired yet
            assertTrue(files == archived || files == archived + 1, files + " archives, " + archived + " retired");
        }
    }

    @Test
    void theDeletePolicyDeletesNoSegmentAWorkflowOnTheHeapStillReads()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = new EngineFixture(dir.resolve("data"), clock, settings(false)))
        {
            final long first = f.create("first", StepSpec.approval("A")).id();
            fillers(f, 200);
            f.advanceClock(2 * DAY_MS);
            f.advanceClock(0);
            f.advanceClock(0);
            assertEquals(0, f.engine.counters().segmentsDeleted(), "every workflow is on the heap and reads its " +
                "created record");
            assertEquals("WAITING", f.get(first).state());
            assertTrue(SegmentArchive.list(dir.resolve("data").resolve("archive")).isEmpty());
        }
    }

    @Test
    void aStartUpThatNeedsRecordsTheDeletePolicyRemovedRefuses() throws IOException
    {
        final Path data = dir.resolve("data");
        try (EngineFixture f = new EngineFixture(data, new AtomicLong(START_MS), settings(false)))
        {
            fillers(f, 100);
        }
        try (Journal journal = Journal.open(new JournalContext().dataDir(data).maxSegmentSize(SEGMENT).fsync(false)))
        {
            SegmentArchive.write(journal.sealed(0), journal.archiveDir(), false, false);
            journal.retire(0);
        }
        try (Stream<Path> snapshots = Files.list(data.resolve("snapshots")))
        {
            for (final Path snapshot : snapshots.filter(Files::isRegularFile).toList())
            {
                Files.delete(snapshot);
            }
        }
        final AssertionError refused = assertThrows(AssertionError.class,
            () -> new EngineFixture(data, new AtomicLong(START_MS), settings(false)).close());
        assertTrue(refused.getMessage().contains("retention.policy=delete deleted the records below position " +
            SEGMENT), refused.getMessage());
    }

    @Test
    void badRetentionSettingsAreRefused()
    {
        final IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
            () -> new EngineContext().historyRetentionMs(-1).conclude());
        assertTrue(refused.getMessage().contains("history retention"), refused.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new JournalContext().dataDir(dir).poolLimit(-1).conclude());
        assertThrows(IllegalArgumentException.class, () -> new JournalContext().dataDir(dir).poolLimit(65).conclude());
    }

    private static Consumer<EngineContext> settings(final boolean archive)
    {
        return ctx -> ctx.fsync(false).maxSegmentSize(SEGMENT).snapshotIntervalEvents(50).historyRetentionMs(DAY_MS)
            .archiveRetired(archive);
    }

    /**
     * Two more snapshots written (the writer takes one at a time, so under load the last fillers can lie past the
     * kept ones): small workflows until they are, so that the oldest kept snapshot lies after the fillers.
     */
    private static void snapshotsAfterFillers(final EngineFixture f)
    {
        final long wanted = f.engine.counters().snapshotCount() + 2;
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int i = 0;
        while (f.engine.counters().snapshotCount() < wanted)
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting for two snapshots after the fillers");
            }
            f.create("settle-" + i++, StepSpec.approval("A"));
        }
    }

    private static void fillers(final EngineFixture f, final int count)
    {
        final byte[] input = ("{\"pad\":\"" + "x".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < count; i++)
        {
            EngineFixture.created(f.client().create(
                new CreateWorkflow("filler-" + i, List.of(StepSpec.approval("A")), input, null), TIMEOUT));
        }
    }
}
