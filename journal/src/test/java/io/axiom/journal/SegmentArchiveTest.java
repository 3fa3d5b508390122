package io.axiom.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.appendUnit;
import static io.axiom.journal.TestRecord.collector;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segments retired by retention: archived in compressed blocks (or only summarised, when the policy deletes them),
 * read and replayed through the archive by position, across reopen, and every step of archiving interrupted by a
 * crash recovers with each segment exactly once live or archived.
 */
class SegmentArchiveTest
{
    private static final long SEGMENT = 4 * 1024 * 1024; // 1 MiB staging: records up to 1.5 MiB go straight to the map
    private static final long SEED = 77;

    @TempDir
    Path dir;

    @Test
    void archivedSegmentsAreReadAndReplayedByPositionAcrossReopen()
    {
        final Path wal = dir.resolve("wal");
        final List<TestRecord> all = new ArrayList<>();
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            fill(journal, all, 6);
            final List<SegmentArchive.Summary> archived = archiveOldest(journal, 3, true);
            assertEquals(3, journal.firstSegmentIndex());
            assertEquals(3 * SEGMENT, journal.archivedUpTo());
            assertTrue(archived.get(0).blockCount() > 1, "blocks of about 1 MiB: " + archived.get(0));
            assertTrue(archived.get(0).fileLength() < SEGMENT, "compressed: " + archived.get(0));
            assertTrue(SegmentFiles.listFree(wal).size() <= JournalContext.POOL_LIMIT_DEFAULT, "pool capped");
            assertReadable(journal, all);
        }
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertTrue(journal.recoveryReport().notes().stream().anyMatch(n -> n.contains("retired by retention")),
                journal.recoveryReport().notes().toString());
            assertReadable(journal, all);
            all.addAll(appendUnit(journal, SEED, 100, 200));
            assertEquals(all, replayAll(journal));
            for (final Path archive : SegmentArchive.list(wal.resolve("archive")))
            {
                try (SegmentArchive.Reader reader = new SegmentArchive.Reader(archive))
                {
                    assertNull(reader.verify(), archive.toString());
                }
            }
        }
    }

    @Test
    void walVerifyAndDumpReadThroughTheArchivedPrefix() throws IOException
    {
        final Path wal = dir.resolve("wal");
        final List<TestRecord> all = new ArrayList<>();
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            fill(journal, all, 5);
            archiveOldest(journal, 3, true);
        }
        final VerifyReport report = JournalInspector.verify(wal);
        assertTrue(report.ok(), report.faults().toString());
        assertEquals(3, report.archives().size());
        assertEquals(all.get(all.size() - 1).sequence(), report.lastSequence());
        assertTrue(report.segments().stream().allMatch(s -> s.generation() == 0), report.segments().toString());
        final List<TestRecord> dumped = new ArrayList<>();
        JournalInspector.dump(wal, 0, Long.MAX_VALUE, collector(dumped));
        assertEquals(all, dumped);
        final int from = all.size() / 4;
        dumped.clear();
        JournalInspector.dump(wal, all.get(from).position(), 5, collector(dumped));
        assertEquals(all.subList(from, from + 5), dumped);
        dumped.clear();
        final long read = JournalInspector.read(wal, Long.MAX_VALUE, new LogVisitor()
        {
            public void onRecord(final org.agrona.DirectBuffer buffer, final int offset, final int length,
                final int type, final int version, final long position, final long sequence, final long timestamp)
            {
                collector(dumped).onRecord(buffer, offset, length, type, version, position, sequence, timestamp);
            }

            public void onFault(final LogFault fault)
            {
                throw new AssertionError(fault.description());
            }

            public void onTornTail(final long position, final long records, final long bytes)
            {
                throw new AssertionError("torn tail at " + position);
            }
        });
        assertEquals(all.size(), read);
        assertEquals(all, dumped);

        // an archive missing in the middle, a damaged block: faults, named
        final Path gap = copy(wal, "gap");
        Files.delete(gap.resolve("archive").resolve(SegmentArchive.fileName(SEGMENT, false)));
        final VerifyReport gapReport = JournalInspector.verify(gap);
        assertTrue(gapReport.faults().stream().anyMatch(f -> f.contains(Segment.fileName(SEGMENT) + " is missing")),
            gapReport.faults().toString());
        final Path damaged = copy(wal, "damaged");
        final Path archive = damaged.resolve("archive").resolve(SegmentArchive.fileName(2 * SEGMENT, false));
        final long at = Files.size(archive) - 100;
        TestRecord.writeBytes(archive, at, new byte[] {(byte)(TestRecord.readBytes(archive, at, 1)[0] ^ 1)});
        final VerifyReport damagedReport = JournalInspector.verify(damaged);
        assertTrue(damagedReport.faults().stream().anyMatch(f -> f.contains(archive.toString()) &&
            f.contains("block")), damagedReport.faults().toString());
    }

    @Test
    void theDeletePolicyKeepsASummaryAndRefusesToReplayBelowIt()
    {
        final Path wal = dir.resolve("wal");
        final List<TestRecord> all = new ArrayList<>();
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            fill(journal, all, 4);
            final SegmentArchive.Summary summary = archiveOldest(journal, 1, false).get(0);
            assertTrue(summary.deleted());
            assertEquals(0, summary.blockCount());
            assertEquals(all.get(0).sequence(), summary.firstSequence());
            assertEquals(SEGMENT, journal.replayableFrom());
            assertFalse(journal.read(all.get(0).position(), collector(new ArrayList<>())), "deleted: not found");
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> journal.replay(0, collector(new ArrayList<>())));
            assertTrue(refused.getMessage().contains("deleted the records below position " + SEGMENT),
                refused.getMessage());
        }
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertEquals(SEGMENT, journal.replayableFrom());
            final List<TestRecord> kept = all.stream().filter(r -> r.position() >= SEGMENT).toList();
            final List<TestRecord> replayed = new ArrayList<>();
            journal.replay(SEGMENT, collector(replayed));
            assertEquals(kept, replayed);
        }
    }

    /**
     * Each step of archiving and retiring, interrupted: the states a crash can leave, made by hand from a clean log.
     */
    @Test
    void aCrashAtEveryStepOfArchivingLeavesEachSegmentOnceLiveOrArchived() throws IOException
    {
        final Path clean = dir.resolve("clean");
        final List<TestRecord> all = new ArrayList<>();
        final SegmentArchive.Sealed sealed;
        try (Journal journal = TestRecord.open(clean, SEGMENT))
        {
            fill(journal, all, 4);
            sealed = journal.sealed(0);
        }
        final Path archiveName = Path.of("archive", SegmentArchive.fileName(0, false));

        // 1. the archive's temp file written (whole or not), not renamed
        final Path temp = copy(clean, "temp");
        SegmentArchive.write(relocate(sealed, clean, temp), temp.resolve("archive"), true, false);
        Files.move(temp.resolve(archiveName), temp.resolve(archiveName + ".tmp"));
        TestRecord.writeBytes(temp.resolve(archiveName + ".tmp"), 200, new byte[] {1, 2, 3});
        assertRecovers(temp, all, 0, "an archive whose writing was interrupted");
        assertFalse(Files.exists(temp.resolve(archiveName + ".tmp")));

        // 2. renamed into place, the segment not yet retired: the live one wins, the duplicate archive goes
        final Path renamed = copy(clean, "renamed");
        SegmentArchive.write(relocate(sealed, clean, renamed), renamed.resolve("archive"), true, false);
        assertRecovers(renamed, all, 0, "is still in the log");
        assertFalse(Files.exists(renamed.resolve(archiveName)));

        // 3. retired: renamed into the pool
        final Path retired = copy(clean, "retired");
        SegmentArchive.write(relocate(sealed, clean, retired), retired.resolve("archive"), true, false);
        Files.move(retired.resolve(Segment.fileName(0)), retired.resolve(Segment.fileName(0) + ".free"));
        assertRecovers(retired, all, SEGMENT, "retired by retention");

        // 4. the pool file taken for a new segment, its header being rewritten (a .wal.tmp): back to the pool
        final Path reuse = copy(retired, "reuse");
        Files.move(reuse.resolve(Segment.fileName(0) + ".free"),
            reuse.resolve(Segment.fileName(4 * SEGMENT) + ".tmp"));
        assertRecovers(reuse, all, SEGMENT, "creation was interrupted");

        // 5. the segment retired without its archive (an operator deleted it): refused, naming the missing file
        final Path lost = copy(retired, "lost");
        Files.delete(lost.resolve(archiveName));
        final JournalCorruptionException missing = assertThrows(JournalCorruptionException.class,
            () -> TestRecord.open(lost, SEGMENT).close());
        assertTrue(missing.getMessage().contains(Segment.fileName(0) + " is missing"), missing.getMessage());

        // 6. a damaged block: reading it says which archive and block; verify finds it
        final Path damaged = copy(retired, "damaged");
        final long at = Files.size(damaged.resolve(archiveName)) / 2;
        final byte[] bytes = TestRecord.readBytes(damaged.resolve(archiveName), at, 1);
        TestRecord.writeBytes(damaged.resolve(archiveName), at, new byte[] {(byte)(bytes[0] ^ 0x5A)});
        try (SegmentArchive.Reader reader = new SegmentArchive.Reader(damaged.resolve(archiveName)))
        {
            final String fault = reader.verify();
            assertTrue(null != fault && fault.contains("block"), String.valueOf(fault));
        }
        try (Journal journal = TestRecord.open(damaged, SEGMENT))
        {
            int unreadable = 0;
            for (final TestRecord record : all)
            {
                final List<TestRecord> one = new ArrayList<>();
                final boolean found = journal.readRecord(record.position(), collector(one));
                assertTrue(found ? one.equals(List.of(record)) : record.position() < SEGMENT, record.toString());
                unreadable += found ? 0 : 1;
            }
            assertTrue(unreadable > 0, "a read in the damaged block answers no record, the journal goes on");
            assertThrows(IllegalStateException.class, () -> journal.replay(0, collector(new ArrayList<>())));
        }
    }

    @Test
    void badInputIsRefusedAndChangesNothing() throws IOException
    {
        final Path wal = dir.resolve("wal");
        final List<TestRecord> all = new ArrayList<>();
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            fill(journal, all, 3);
            assertThrows(IllegalArgumentException.class, () -> journal.sealed(journal.currentSegmentIndex()));
            assertThrows(IllegalArgumentException.class, () -> journal.sealed(-1));
            assertThrows(IllegalArgumentException.class, () -> journal.sealed(99));
            assertFalse(journal.read(-8, collector(new ArrayList<>())));
            final SegmentArchive.Sealed sealed = journal.sealed(0);
            final SegmentArchive.Sealed wrongGeneration = new SegmentArchive.Sealed(sealed.file(), 0, 0, SEGMENT,
                sealed.limit(), 5, sealed.formatVersion());
            final IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> SegmentArchive.write(wrongGeneration, wal.resolve("archive"), true, false));
            assertTrue(refused.getMessage().contains("does not validate"), refused.getMessage());
            assertTrue(SegmentArchive.list(wal.resolve("archive")).isEmpty());
            assertTrue(SegmentArchive.listTemp(wal.resolve("archive")).isEmpty());
            assertEquals(all, replayAll(journal));
        }
        final Path notAnArchive = dir.resolve(SegmentArchive.fileName(0, false));
        Files.write(notAnArchive, new byte[200]);
        assertThrows(IllegalStateException.class, () -> new SegmentArchive.Reader(notAnArchive).close());
    }

    private static void assertRecovers(
        final Path wal, final List<TestRecord> all, final long archivedUpTo, final String note)
    {
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertTrue(journal.recoveryReport().notes().stream().anyMatch(n -> n.contains(note)),
                wal + ": " + journal.recoveryReport().notes());
            assertEquals(archivedUpTo, journal.archivedUpTo(), wal.toString());
            assertEquals(all, replayAll(journal), wal.toString());
            assertReadable(journal, all);
        }
    }

    private static SegmentArchive.Sealed relocate(final SegmentArchive.Sealed sealed, final Path from, final Path to)
    {
        return new SegmentArchive.Sealed(to.resolve(from.relativize(sealed.file())), sealed.index(),
            sealed.basePosition(), sealed.segmentSize(), sealed.limit(), sealed.generation(), sealed.formatVersion());
    }

    private Path copy(final Path from, final String name) throws IOException
    {
        final Path to = dir.resolve(name);
        TestRecord.copyDir(from, to);
        final Path archive = from.resolve("archive");
        if (Files.isDirectory(archive))
        {
            TestRecord.copyDir(archive, to.resolve("archive"));
        }
        return to;
    }

    /**
     * Units of one to four records of up to 64 KiB, one in twenty of up to 1.5 MiB (claimed in the mapping), until
     * the log spans segments.
     */
    private static void fill(final Journal journal, final List<TestRecord> all, final int segments)
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        while (journal.currentSegmentIndex() < segments - 1 || journal.nextPosition() % SEGMENT < SEGMENT / 2)
        {
            final int[] lengths = new int[1 + random.nextInt(4)];
            for (int i = 0; i < lengths.length; i++)
            {
                lengths[i] = random.nextInt(20) == 0 ? random.nextInt(1_500_000) : random.nextInt(65_536);
            }
            all.addAll(appendUnit(journal, SEED, lengths));
            if (random.nextInt(8) == 0)
            {
                journal.flush();
            }
        }
        journal.flush();
    }

    private static List<SegmentArchive.Summary> archiveOldest(
        final Journal journal, final int count, final boolean keepRecords)
    {
        final List<SegmentArchive.Summary> summaries = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final int index = journal.firstSegmentIndex();
            summaries.add(SegmentArchive.write(journal.sealed(index), journal.archiveDir(), keepRecords, false));
            journal.retire(index);
        }
        return summaries;
    }

    private static void assertReadable(final Journal journal, final List<TestRecord> all)
    {
        assertEquals(all, replayAll(journal));
        for (final TestRecord record : all)
        {
            final List<TestRecord> one = new ArrayList<>();
            assertTrue(journal.read(record.position(), collector(one)), record.toString());
            assertTrue(journal.readRecord(record.position(), collector(one)), record.toString());
            assertEquals(List.of(record, record), one);
            assertFalse(journal.read(record.position() + 8, collector(one)), "inside a record: " + record);
        }
        final TestRecord middle = all.get(all.size() / 3);
        final List<TestRecord> tail = new ArrayList<>();
        journal.replay(middle.position(), collector(tail));
        assertEquals(all.subList(all.size() / 3, all.size()), tail);
    }
}
