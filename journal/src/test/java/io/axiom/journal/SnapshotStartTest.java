package io.axiom.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.appendUnit;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Bounded start-up: with {@link JournalContext#startFromSnapshot(boolean)} recovery checks the log record by record
 * only from the newest snapshot bound to it, falls back (older snapshot, then the whole log) when the bound record is
 * not there, keeps every torn-tail and corruption rule after it, and leaves the older segments to the
 * {@link BackgroundVerifier} and {@code wal verify}.
 */
class SnapshotStartTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final long SEED = 23;
    private static final long AWAIT_MS = 60_000;

    @TempDir
    Path dir;

    private static Journal open(final Path dir, final boolean fromSnapshot, final boolean repair)
    {
        return Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false).repair(repair)
            .startFromSnapshot(fromSnapshot));
    }

    private static List<TestRecord> units(final Journal journal, final long seed, final int count)
    {
        final List<TestRecord> written = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            written.addAll(appendUnit(journal, seed + i, 100 + i % 50, 40 + i % 7));
        }
        journal.flush();
        return written;
    }

    private SnapshotStore store()
    {
        return new SnapshotStore(dir, 4);
    }

    private static void flip(final Path dir, final TestRecord record)
    {
        final Path file = TestRecord.segmentFile(dir, record.position(), SEGMENT);
        final long at = record.position() % SEGMENT + Journal.HEADER_LENGTH;
        TestRecord.writeBytes(file, at, new byte[] {(byte)(TestRecord.readBytes(file, at, 1)[0] ^ 0x40)});
    }

    /**
     * A log of many segments, snapshots near the end: history, snapshot position and the records after it.
     */
    private record History(List<TestRecord> records, Path snapshot, long position, int before)
    {
    }

    private History history()
    {
        try (Journal journal = open(dir, false, false))
        {
            final List<TestRecord> records = new ArrayList<>(units(journal, SEED, 2_500));
            SnapshotStoreTest.snapshot(store(), journal, new byte[] {1});
            records.addAll(units(journal, SEED + 10_000, 400));
            final int before = records.size();
            final long position = journal.endPosition();
            final Path snapshot = SnapshotStoreTest.snapshot(store(), journal, new byte[] {2});
            records.addAll(units(journal, SEED + 20_000, 40));
            assertTrue(SegmentFiles.list(dir).size() >= 8, "many segments: " + SegmentFiles.list(dir).size());
            assertTrue(position / SEGMENT >= 6, "the snapshot lies near the end");
            return new History(records, snapshot, position, before);
        }
    }

    private static BackgroundVerifier awaitVerifier(final Journal journal, final List<LogFault> faults)
        throws InterruptedException
    {
        final BackgroundVerifier verifier = journal.startBackgroundVerify(new BackgroundVerifier.Listener()
        {
            public void onFault(final LogFault fault)
            {
                faults.add(fault);
            }

            public void onEnd(final BackgroundVerifier verifier)
            {
            }
        });
        assertNotNull(verifier);
        assertTrue(verifier.await(AWAIT_MS), verifier.toString());
        return verifier;
    }

    @Test
    void startUpChecksOnlyTheTailAndTheBackgroundCheckCoversTheRest() throws Exception
    {
        final History history = history();
        try (Journal journal = open(dir, true, false))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(history.position(), journal.checkedFromPosition(), report.toString());
            assertEquals(history.records().size(), report.recordCount(), "records in the log, by sequence");
            assertEquals(history.records().getLast().sequence(), journal.lastSequence());
            assertTrue(report.notes().stream().anyMatch(note ->
                note.contains("checks the log record by record from position " + history.position())), report.notes()
                .toString());
            final SnapshotStore.Selection selection = store().select(journal, false);
            assertEquals(history.snapshot(), selection.snapshot().file());
            assertEquals(history.position(), selection.snapshot().position());

            // old segments still read and replay exactly (the records end where this life's records end)
            assertEquals(history.records(), replayAll(journal));
            final TestRecord old = history.records().get(7);
            final List<TestRecord> one = new ArrayList<>();
            assertTrue(journal.read(old.position(), TestRecord.collector(one)));
            assertEquals(List.of(old), one);
            assertFalse(journal.read(old.position() + 8, TestRecord.collector(one)), "not a record start");

            final List<LogFault> faults = new CopyOnWriteArrayList<>();
            final BackgroundVerifier verifier = awaitVerifier(journal, faults);
            assertEquals(BackgroundVerifier.State.VERIFIED, verifier.state(), verifier + " " + faults);
            assertEquals(verifier.segmentsTotal(), verifier.segmentsVerified());
            assertEquals(history.before(), verifier.recordsVerified());
            assertEquals(history.position() / SEGMENT + 1, verifier.segmentsTotal());
            assertTrue(verifier.bytesVerified() > (history.position() / SEGMENT) * (SEGMENT / 2), verifier.toString());

            final TestRecord next = TestRecord.append(journal, SEED, 33, 7, 8);
            assertEquals(history.records().getLast().sequence() + 1, next.sequence());
        }
        assertTrue(JournalInspector.verify(dir).ok());
    }

    @Test
    void anUncheckedSegmentIsSealedForArchivingOnlyOnceTheBackgroundCheckWalkedItWithoutAFault() throws Exception
    {
        final History history = history();
        final TestRecord damaged = history.records().stream()
            .filter(r -> r.position() >= SEGMENT && r.position() < 2 * SEGMENT).toList().get(3);
        flip(dir, damaged);
        try (Journal journal = open(dir, true, false))
        {
            assertNull(journal.sealed(0), "recovery did not walk segment 0: where its records end is not known yet");
            final List<LogFault> faults = new CopyOnWriteArrayList<>();
            final BackgroundVerifier verifier = awaitVerifier(journal, faults);
            assertEquals(BackgroundVerifier.State.CORRUPT, verifier.state(), verifier.toString());

            final SegmentArchive.Sealed sealed = journal.sealed(0);
            assertNotNull(sealed, "walked without a fault");
            final TestRecord last = history.records().stream().filter(r -> r.position() < SEGMENT).toList()
                .getLast();
            assertEquals(last.position() + Journal.alignedFrameLength(last.payload().length), sealed.limit(),
                "the end of this life's records, not the segment's capacity");
            final SegmentArchive.Summary archived = SegmentArchive.write(sealed, dir.resolve("archive"), true, false);
            assertEquals(last.sequence(), archived.lastSequence());
            assertNull(journal.sealed(1), "the damaged segment is never handed to retention");
        }
    }

    @Test
    void corruptionBeforeTheSnapshotDoesNotStopStartUpButTheBackgroundCheckAndVerifyReportIt() throws Exception
    {
        final History history = history();
        final TestRecord damaged = history.records().get(200);
        flip(dir, damaged);
        final Path file = TestRecord.segmentFile(dir, damaged.position(), SEGMENT);

        assertThrows(JournalCorruptionException.class, () -> open(dir, false, false), "a full check refuses");
        try (Journal journal = open(dir, true, false))
        {
            assertEquals(history.position(), journal.checkedFromPosition());
            final List<LogFault> faults = new CopyOnWriteArrayList<>();
            final BackgroundVerifier verifier = awaitVerifier(journal, faults);
            assertEquals(BackgroundVerifier.State.CORRUPT, verifier.state(), verifier.toString());
            assertEquals(1, verifier.faults(), faults.toString());
            final LogFault fault = faults.getFirst();
            assertEquals(LogFault.Kind.CHECKSUM, fault.kind());
            assertEquals(file, fault.file());
            assertEquals(damaged.position(), fault.position());
            assertEquals(damaged.position() % SEGMENT, fault.fileOffset());
            assertTrue(fault.description().contains("expected CRC32C 0x") && fault.description().contains("actual"),
                fault.description());
            assertEquals(fault.description(), verifier.firstFault());
            assertEquals(verifier.segmentsTotal() - 1, verifier.segmentsVerified(), "the damaged segment is not");

            // the engine goes on: appends and a reopen from the snapshot work
            TestRecord.append(journal, SEED, 33, 7, 8);
            journal.flush();
        }
        try (Journal journal = open(dir, true, false))
        {
            assertEquals(history.records().size() + 1, journal.recordCount());
        }
        final VerifyReport verify = JournalInspector.verify(dir);
        assertFalse(verify.ok(), "wal verify still checks everything");
        assertTrue(verify.faults().getFirst().contains(file.toString()), verify.faults().toString());
    }

    @Test
    void corruptionAfterTheSnapshotStillRefusesAndRepairKeepsTheSnapshot()
    {
        final History history = history();
        final TestRecord damaged = history.records().get(history.before() + 5);
        flip(dir, damaged);

        final JournalCorruptionException refused =
            assertThrows(JournalCorruptionException.class, () -> open(dir, true, false));
        assertTrue(refused.getMessage().contains("record checksum mismatch"), refused.getMessage());
        assertEquals(damaged.position(), refused.position());

        try (Journal journal = open(dir, true, true))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertTrue(report.repairCut(), report.toString());
            assertEquals(0, report.snapshotsSetAside(), "the cut lies after the snapshot");
            assertEquals(history.position(), store().select(journal, true).snapshot().position());
            // the unit holding the bad record (records before + 4 and before + 5) is cut whole
            final List<TestRecord> replayed = replayAll(journal);
            assertEquals(history.before() + 4, replayed.size());
            assertEquals(history.records().subList(0, history.before() + 4), replayed);
        }
    }

    @Test
    void tornTailAfterTheSnapshotIsTruncatedAsBefore()
    {
        final History history = history();
        final long end;
        try (Journal journal = open(dir, false, false))
        {
            end = journal.endPosition();
        }
        final Path file = TestRecord.segmentFile(dir, end, SEGMENT);
        TestRecord.writeBytes(file, end % SEGMENT, new byte[] {(byte)200, 0, 0, 0, 1, 2, 3, 4, 9, 9, 9});
        try (Journal journal = open(dir, true, false))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(end, report.truncatedAtPosition(), report.toString());
            assertEquals(history.position(), journal.checkedFromPosition());
            assertEquals(history.records(), replayAll(journal));
            assertEquals(end, journal.endPosition());
        }
    }

    @Test
    void emptyTailAfterTheSnapshotResumesAtItsSequence()
    {
        final List<TestRecord> records;
        final long position;
        try (Journal journal = open(dir, false, false))
        {
            records = new ArrayList<>(units(journal, SEED, 900));
            SnapshotStoreTest.snapshot(store(), journal, new byte[] {3});
            position = journal.endPosition();
        }
        try (Journal journal = open(dir, true, false))
        {
            assertEquals(position, journal.checkedFromPosition());
            assertEquals(position, journal.endPosition());
            assertEquals(records.getLast().sequence(), journal.lastSequence());
            assertEquals(records.getLast().position(), journal.lastPosition());
            records.addAll(units(journal, SEED + 5, 3));
        }
        try (Journal journal = open(dir, false, false))
        {
            assertEquals(records, replayAll(journal));
        }
    }

    @Test
    void aSnapshotWhoseBoundRecordIsNotThereFallsBackToAnOlderOneThenToTheWholeLog()
    {
        final List<TestRecord> records;
        final long older;
        try (Journal journal = open(dir, false, false))
        {
            records = new ArrayList<>(units(journal, SEED, 800));
            SnapshotStoreTest.snapshot(store(), journal, new byte[] {1});
            older = journal.endPosition();
            records.addAll(units(journal, SEED + 1_000, 400));
            journal.flush();
            // bound to the right position with the wrong checksum: another history
            store().write(journal.endPosition(), journal.lastPosition(), journal.lastSequence(),
                journal.lastChecksum() ^ 1, new UnsafeBuffer(new byte[] {2}), 0, 1);
        }
        try (Journal journal = open(dir, true, false))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(older, journal.checkedFromPosition(), report.notes().toString());
            assertTrue(report.notes().stream().anyMatch(note -> note.startsWith("Start-up does not check the log " +
                "from snapshot") && note.contains("trying the next older snapshot")), report.notes().toString());
            final SnapshotStore.Selection selection = store().select(journal, false);
            assertEquals(older, selection.snapshot().position());
            assertEquals(1, selection.setAside().size(), "the mismatched one is set aside, as before");
            assertEquals(records, replayAll(journal));
        }

        // the remaining snapshot's bound record damaged: no snapshot can start the check, the whole log is read
        final TestRecord bound = records.stream().filter(r -> r.position() + 8 < older).reduce((a, b) -> b)
            .orElseThrow();
        flip(dir, bound);
        final JournalCorruptionException refused =
            assertThrows(JournalCorruptionException.class, () -> open(dir, true, false));
        assertEquals(bound.position(), refused.position(), refused.getMessage());
    }

    @Test
    void aDamagedSnapshotFileIsNotAStartAndAnUnusedOneMeansTheWholeLog() throws Exception
    {
        final History history = history();
        TestRecord.writeBytes(history.snapshot(), SnapshotStore.HEADER_LENGTH, new byte[] {77});
        try (Journal journal = open(dir, true, false))
        {
            final long checked = journal.checkedFromPosition();
            assertTrue(checked > 0 && checked < history.position(), "the older snapshot: " + checked);
            assertTrue(journal.recoveryReport().notes().stream().anyMatch(note -> note.contains("fails its checksum")),
                journal.recoveryReport().notes().toString());
        }
        try (Journal journal = open(dir, false, false))
        {
            assertEquals(0, journal.checkedFromPosition(), "off: every record is checked, as before");
            assertNull(journal.startBackgroundVerify(null), "nothing left to verify");
        }
    }

    @Test
    void recycledSegmentsBeforeTheSnapshotReplayOnlyThisLifesRecords() throws Exception
    {
        final Path old = dir.resolve("old");
        try (Journal journal = open(old, false, false))
        {
            units(journal, SEED + 99, 1_400);
        }
        final Path wal = dir.resolve("wal");
        SegmentRecycleTest.pool(old, wal);
        final List<TestRecord> records;
        final long position;
        try (Journal journal = open(wal, false, false))
        {
            records = new ArrayList<>(units(journal, SEED, 700));
            SnapshotStoreTest.snapshot(new SnapshotStore(wal, 2), journal, new byte[] {5});
            position = journal.endPosition();
            records.addAll(units(journal, SEED + 3_000, 5));
        }
        assertTrue(SegmentFiles.list(wal).size() >= 3);
        try (Journal journal = open(wal, true, false))
        {
            assertEquals(position, journal.checkedFromPosition());
            assertEquals(records, replayAll(journal), "no stale record of the earlier life is replayed");
            final List<LogFault> faults = new CopyOnWriteArrayList<>();
            assertEquals(BackgroundVerifier.State.VERIFIED, awaitVerifier(journal, faults).state(), faults.toString());
        }
    }

    @Test
    void closeStopsTheBackgroundCheck() throws Exception
    {
        history();
        final BackgroundVerifier verifier;
        try (Journal journal = open(dir, true, false))
        {
            verifier = journal.startBackgroundVerify(null);
            assertThrows(IllegalStateException.class, () -> journal.startBackgroundVerify(null));
        }
        assertTrue(verifier.await(AWAIT_MS));
        assertTrue(verifier.state() == BackgroundVerifier.State.STOPPED ||
            verifier.state() == BackgroundVerifier.State.VERIFIED, verifier.toString());
        assertTrue(Files.isDirectory(dir));
    }
}
