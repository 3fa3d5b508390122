package io.axiom.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.appendUnit;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots are bound to the record of the log they cover last, and start-up proves the binding before using one:
 * the reproductions of a snapshot used past a repair cut, of a snapshot from another history, and of a deleted
 * segment hidden by skipping the snapshot that proved it.
 */
class SnapshotBindingTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final long SEED = 17;

    @TempDir
    Path dir;

    private SnapshotStore store()
    {
        return new SnapshotStore(dir, 4);
    }

    private static Journal open(final Path dir, final boolean repair)
    {
        return Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false).repair(repair));
    }

    private static List<TestRecord> units(final Journal journal, final int count, final int length)
    {
        final List<TestRecord> written = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            written.addAll(appendUnit(journal, SEED + i, length, length / 2 + 1));
        }
        journal.flush();
        return written;
    }

    private static void corrupt(final Path dir, final TestRecord record)
    {
        final Path file = TestRecord.segmentFile(dir, record.position(), SEGMENT);
        final long at = record.position() % SEGMENT + Journal.HEADER_LENGTH;
        TestRecord.writeBytes(file, at, new byte[] {(byte)(TestRecord.readBytes(file, at, 1)[0] ^ 0x40)});
    }

    @Test
    void snapshotPastARepairCutIsSetAsideAndNeverUsed() throws Exception
    {
        final List<TestRecord> written;
        final Path shutdownSnapshot;
        try (Journal journal = open(dir, false))
        {
            written = units(journal, 20, 100);
            shutdownSnapshot = SnapshotStoreTest.snapshot(store(), journal, new byte[] {42});
        }
        corrupt(dir, written.get(2));
        assertThrows(JournalCorruptionException.class, () -> open(dir, false));

        final List<TestRecord> kept = new ArrayList<>(written.subList(0, 2));
        try (Journal journal = open(dir, true))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertTrue(report.repairCut(), report.toString());
            assertEquals(1, report.snapshotsSetAside(), report.toString());
            assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("Set aside snapshot " +
                shutdownSnapshot.getFileName()) && n.contains("repair cut the log")), report.notes().toString());
            assertEquals(List.of(), store().list());
            assertEquals(1, store().listSetAside().size());
            assertEquals(kept, replayAll(journal));
            kept.addAll(units(journal, 40, 100)); // new work, past the old snapshot's position
            assertTrue(journal.endPosition() > SnapshotStore.parse(store().listSetAside().get(0)).position());
        }
        try (Journal journal = open(dir, false))
        {
            final SnapshotStore.Selection selection = store().select(journal, false);
            assertNull(selection.snapshot(), "full replay: the snapshot from before the cut is never used");
            assertEquals(kept, replayAll(journal));
        }

        // Even brought back, it does not match this history: set aside again, loudly.
        final Path restored = dir.resolve(SnapshotStore.DIRECTORY).resolve(shutdownSnapshot.getFileName());
        Files.copy(store().listSetAside().get(0), restored);
        assertFalse(JournalInspector.verify(dir).ok());
        assertTrue(JournalInspector.verify(dir).faults().get(0).contains("does not match the log"),
            JournalInspector.verify(dir).faults().toString());
        try (Journal journal = open(dir, false))
        {
            final SnapshotStore.Selection selection = store().select(journal, false);
            assertNull(selection.snapshot());
            assertEquals(1, selection.setAside().size());
            assertTrue(selection.notes().get(0).startsWith("SNAPSHOT DOES NOT MATCH THE LOG"),
                selection.notes().toString());
            assertTrue(journal.recoveryReport().withSnapshotSelection(selection).snapshotsSetAside() == 1);
        }
        assertTrue(JournalInspector.verify(dir).ok());
    }

    @Test
    void snapshotFromAnotherHistoryIsSetAsideAndAnOlderBoundOneIsUsed() throws Exception
    {
        final Path early;
        final Path late;
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, false))
        {
            written.addAll(units(journal, 5, 200));
            early = SnapshotStoreTest.snapshot(store(), journal, new byte[] {1});
            written.addAll(units(journal, 10, 200));
            late = SnapshotStoreTest.snapshot(store(), journal, new byte[] {2});
        }
        final Path keep = dir.resolveSibling(dir.getFileName() + "-late.snap");
        Files.copy(late, keep);
        corrupt(dir, written.get(14));
        try (Journal journal = open(dir, true))
        {
            assertEquals(1, journal.recoveryReport().snapshotsSetAside());
            units(journal, 30, 200);
        }
        Files.copy(keep, late, StandardCopyOption.REPLACE_EXISTING);
        try (Journal journal = open(dir, false))
        {
            final SnapshotStore.Selection selection = store().select(journal, false);
            assertEquals(early, selection.snapshot().file());
            assertArrayEquals(new byte[] {1}, selection.snapshot().payload());
            assertEquals(1, selection.notes().size(), selection.notes().toString());
            final String note = selection.notes().get(0);
            assertTrue(note.startsWith("SNAPSHOT DOES NOT MATCH THE LOG: set aside " + late.getFileName()) &&
                note.contains("different history"), note);
        }
        Files.deleteIfExists(keep);
    }

    @Test
    void deletedNewestSegmentIsRefusedNamingTheSnapshotAndTheLogEnd() throws Exception
    {
        final Path snapshot;
        try (Journal journal = open(dir, false))
        {
            units(journal, 100, 1000);
            assertTrue(journal.segmentCount() >= 3, "segments " + journal.segmentCount());
            snapshot = SnapshotStoreTest.snapshot(store(), journal, new byte[] {9});
        }
        final List<Path> segments = SegmentFiles.list(dir);
        Files.delete(segments.get(segments.size() - 1));

        final VerifyReport verify = JournalInspector.verify(dir);
        assertTrue(verify.faults().stream().anyMatch(f -> f.contains(snapshot.toString()) &&
            f.contains("covers the log up to position")), verify.faults().toString());

        try (Journal journal = open(dir, false))
        {
            final long end = journal.endPosition();
            final JournalCorruptionException ex =
                assertThrows(JournalCorruptionException.class, () -> store().select(journal, false));
            assertTrue(ex.getMessage().contains(snapshot.toString()) &&
                ex.getMessage().contains("ends at position " + end) && ex.getMessage().contains("--repair"),
                ex.getMessage());
            assertEquals(snapshot, ex.file());
            assertEquals(List.of(snapshot), store().list(), "a refusal moves nothing");
        }
        try (Journal journal = open(dir, true))
        {
            final SnapshotStore.Selection selection = store().select(journal, true);
            assertNull(selection.snapshot());
            assertEquals(1, selection.setAside().size());
            assertTrue(selection.notes().get(0).startsWith("REPAIR: set aside " + snapshot.getFileName()),
                selection.notes().toString());
        }
        assertTrue(JournalInspector.verify(dir).ok(), JournalInspector.verify(dir).toString());
    }

    @Test
    void deletedFirstSegmentIsRefusedAndRepairNeedsABoundSnapshot() throws Exception
    {
        final List<TestRecord> written;
        final Path snapshot;
        try (Journal journal = open(dir, false))
        {
            written = units(journal, 60, 1000);
            snapshot = SnapshotStoreTest.snapshot(store(), journal, new byte[] {3});
        }
        final Path first = dir.resolve(Segment.fileName(0));
        final Path moved = dir.resolveSibling(dir.getFileName() + "-first.wal");
        Files.move(first, moved);

        final JournalCorruptionException refused = assertThrows(JournalCorruptionException.class,
            () -> open(dir, false));
        assertTrue(refused.getMessage().contains(Segment.fileName(0) + " is missing") &&
            refused.getMessage().contains("Restore"), refused.getMessage());
        final VerifyReport verify = JournalInspector.verify(dir);
        assertFalse(verify.ok());
        assertTrue(verify.faults().get(0).contains(Segment.fileName(0) + " is missing"), verify.faults().toString());

        final Path aside = dir.resolveSibling(dir.getFileName() + "-snap");
        Files.move(snapshot, aside);
        final JournalCorruptionException nothing = assertThrows(JournalCorruptionException.class,
            () -> open(dir, true));
        assertTrue(nothing.getMessage().contains("nothing can be recovered without the missing file"),
            nothing.getMessage());

        Files.move(aside, snapshot);
        try (Journal journal = open(dir, true))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(SEGMENT, report.logStartPosition(), report.toString());
            assertTrue(report.repairCut());
            assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("REPAIR: started without segment file")),
                report.notes().toString());
            final SnapshotStore.Selection selection = store().select(journal, true);
            assertEquals(snapshot, selection.snapshot().file());
            assertEquals(0, journal.replay(selection.snapshot().position(), TestRecord.collector(new ArrayList<>())));
            final List<TestRecord> more = units(journal, 2, 10);
            final List<TestRecord> after = new ArrayList<>();
            journal.replay(selection.snapshot().position(), TestRecord.collector(after));
            assertEquals(more, after);
            assertEquals(written.get(written.size() - 1).sequence() + more.size(), journal.lastSequence());
        }
        Files.deleteIfExists(moved);
    }
}
