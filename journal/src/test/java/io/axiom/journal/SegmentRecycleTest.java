package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.appendUnit;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Segments recycled from retired files ({@code *.wal.free}) instead of zero-filled: the stale records of a file's
 * previous life are never read as records of the new one, whatever the crash. The sharpest case is an old life with
 * the same content as the new one (same seed, lengths and sequences at the same offsets): its stale records are exact
 * continuations of the new log but for the generation salt in their checksums.
 */
class SegmentRecycleTest
{
    private static final long SEGMENT = 64 * 1024; // staging buffer 16 KiB
    private static final long SEED = 4242;

    @TempDir
    Path dir;

    @Test
    void staleContinuationOfTheSameContentIsNeverReplayed()
    {
        final Path old = dir.resolve("old");
        final List<List<TestRecord>> oldUnits = write(old, SEED, sameUnits(90));
        assertTrue(SegmentFiles.list(old).size() >= 3, "old life spans segments");
        final Path wal = dir.resolve("wal");
        pool(old, wal);

        final List<List<TestRecord>> units = write(wal, SEED, sameUnits(25));
        final List<TestRecord> expected = flat(units);
        assertEquals(flat(oldUnits).subList(0, expected.size()), expected, "same records, same positions");
        for (final Path file : SegmentFiles.list(wal))
        {
            assertEquals(1, generation(file), file + " was recycled");
        }
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertEquals(expected, replayAll(journal));
            assertFalse(journal.recoveryReport().truncated(), journal.recoveryReport().toString());
            assertEquals(1, journal.recoveryReport().notes().size(), "fsync off only: " +
                journal.recoveryReport().notes());
            final TestRecord next = TestRecord.append(journal, SEED + 1, 33, 7, 8);
            assertEquals(expected.get(expected.size() - 1).sequence() + 1, next.sequence());
            expected.add(next);
        }
        final VerifyReport verify = JournalInspector.verify(wal);
        assertTrue(verify.ok() && !verify.tornTail(), verify.toString());
        assertEquals(expected.size(), verify.recordCount());
        final List<TestRecord> dumped = new ArrayList<>();
        JournalInspector.dump(wal, 0, Long.MAX_VALUE, TestRecord.collector(dumped));
        assertEquals(expected, dumped);
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertEquals(expected, replayAll(journal));
        }
    }

    @Test
    void seededRandomStaleContentIsNeverReplayed()
    {
        final long seed = Long.getLong("axiom.test.seed", System.nanoTime());
        System.out.println("SegmentRecycleTest seed=" + seed);
        final SplittableRandom random = new SplittableRandom(seed);
        for (int round = 0; round < 12; round++)
        {
            final String context = "seed=" + seed + " round=" + round;
            final Path old = dir.resolve("old" + round);
            final Path wal = dir.resolve("wal" + round);
            final long oldSeed = 0 == round % 3 ? seed : random.nextLong();
            write(old, oldSeed, randomUnits(random, 30 + random.nextInt(60)));
            pool(old, wal);
            final List<List<TestRecord>> units = write(wal, seed, randomUnits(random, 1 + random.nextInt(60)));
            final List<TestRecord> expected = flat(units);
            try (Journal journal = TestRecord.open(wal, SEGMENT))
            {
                assertEquals(expected, replayAll(journal), context);
                assertFalse(journal.recoveryReport().truncated(), context + " " + journal.recoveryReport());
            }
            final VerifyReport verify = JournalInspector.verify(wal);
            assertTrue(verify.ok() && !verify.tornTail(), context + " " + verify);
            assertEquals(expected.size(), verify.recordCount(), context);
        }
    }

    @Test
    void recycledLogCutAtEveryRecordSameContent()
    {
        cutEverywhere(SEED, SEED);
    }

    @Test
    void recycledLogCutAtEveryRecordOtherContent()
    {
        cutEverywhere(SEED + 99, SEED);
    }

    @Test
    void crashAtEachStepOfRecycling() throws IOException
    {
        final Path old = dir.resolve("old");
        write(old, SEED, sameUnits(90));
        final List<Path> oldFiles = SegmentFiles.list(old);
        final String next = Segment.fileName(SEGMENT);
        // 1: renamed into the never-read .wal.next (or .wal.tmp) name, old header; 2: new header written too
        for (final String suffix : new String[] {SegmentFiles.PREPARED_SUFFIX, SegmentFiles.TEMP_SUFFIX})
        {
            for (final boolean headerWritten : new boolean[] {false, true})
            {
                final String what = suffix + (headerWritten ? " with its new header" : " with its old header");
                final Path wal = dir.resolve("wal" + suffix + headerWritten);
                final List<TestRecord> expected = flat(write(wal, SEED, sameUnits(8)));
                emptyPool(wal);
                assertEquals(1, SegmentFiles.list(wal).size());
                final Path target = wal.resolve(next + suffix);
                Files.copy(oldFiles.get(1), wal.resolve(oldFiles.get(1).getFileName() + SegmentFiles.FREE_SUFFIX));
                Files.copy(oldFiles.get(2), target);
                if (headerWritten)
                {
                    final Path free = wal.resolve("x" + SegmentFiles.FREE_SUFFIX);
                    Files.move(target, free);
                    assertEquals(1, Segment.recycle(free, target, 1, SEGMENT, false));
                }
                reopenAppendAndCheck(wal, expected, what);
                assertFalse(Files.exists(target), what);
            }
        }

        // 3: the rename to .wal.next was lost but the new header reached the file: it is back in the pool
        final Path lostRename = dir.resolve("lostRename");
        final List<TestRecord> expected = flat(write(lostRename, SEED, sameUnits(8)));
        emptyPool(lostRename);
        final Path free = lostRename.resolve(oldFiles.get(1).getFileName() + SegmentFiles.FREE_SUFFIX);
        Files.copy(oldFiles.get(1), free);
        final Path target = lostRename.resolve(next + SegmentFiles.PREPARED_SUFFIX);
        assertEquals(1, Segment.recycle(free, target, 1, SEGMENT, false));
        Files.move(target, free);
        reopenAppendAndCheck(lostRename, expected, "a .free file with a recycled header");
        assertEquals(2, generation(lostRename.resolve(next)), "recycled once more");

        // 4: installed as the next segment, nothing written to it yet: stale records right after its header
        final Path installed = dir.resolve("installed");
        final List<TestRecord> kept = flat(write(installed, SEED, sameUnits(8)));
        emptyPool(installed);
        final Path installedFree = installed.resolve("y" + SegmentFiles.FREE_SUFFIX);
        Files.copy(oldFiles.get(1), installedFree);
        final Path prepared = installed.resolve(next + SegmentFiles.PREPARED_SUFFIX);
        assertEquals(1, Segment.recycle(installedFree, prepared, 1, SEGMENT, false));
        Files.move(prepared, installed.resolve(next), StandardCopyOption.ATOMIC_MOVE);
        try (Journal journal = TestRecord.open(installed, SEGMENT))
        {
            assertEquals(kept, replayAll(journal));
            assertFalse(journal.recoveryReport().truncated(), journal.recoveryReport().toString());
            assertEquals(kept.get(kept.size() - 1).position() + Journal.alignedFrameLength(
                kept.get(kept.size() - 1).payload().length), journal.nextPosition(), "the empty segment left the log");
            assertEquals(List.of(installed.resolve(next + SegmentFiles.FREE_SUFFIX)), SegmentFiles.listFree(installed),
                "and went back to the pool");
        }
        reopenAppendAndCheck(installed, kept, "installed, empty");
    }

    @Test
    void retireMovesTheOldestSegmentToThePoolAndTheNextSegmentsReuseIt()
    {
        final Path wal = dir.resolve("wal");
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            final List<TestRecord> written = new ArrayList<>();
            while (journal.segmentCount() < 3)
            {
                written.addAll(appendUnit(journal, SEED, 3000, 200));
                journal.flush();
            }
            assertThrows(IllegalArgumentException.class, () -> journal.retire(1));
            journal.retire(0);
            assertEquals(1, journal.firstSegmentIndex());
            // Gone from the live log at once; whether it still waits in the pool or the preparer thread already
            // took it for the next segment is a race, settled by the generations below.
            assertFalse(Files.exists(wal.resolve(Segment.fileName(0))));
            assertThrows(IllegalArgumentException.class, () -> journal.retire(2), "the current segment");
            while (journal.segmentCount() + journal.firstSegmentIndex() < 5)
            {
                written.addAll(appendUnit(journal, SEED, 3000, 200));
                journal.flush();
            }
            // segment 3 may have been prepared (zero-filled) before the retirement; then segment 4 reuses 0
            assertEquals(1, generation(wal.resolve(Segment.fileName(3 * SEGMENT))) +
                generation(wal.resolve(Segment.fileName(4 * SEGMENT))), "one of them recycled from segment 0");
            assertTrue(SegmentFiles.listFree(wal).isEmpty());
            final List<TestRecord> readable = new ArrayList<>();
            for (final TestRecord record : written)
            {
                if (record.position() >= SEGMENT)
                {
                    readable.add(record);
                }
            }
            assertEquals(readable, replayAll(journal));
        }
    }

    @Test
    void aFullDiskStillMovesToRecycledSegments()
    {
        final Path old = dir.resolve("old");
        write(old, SEED, sameUnits(90));
        final Path wal = dir.resolve("wal");
        pool(old, wal);
        final DiskFullTest.InjectedDisk disk = new DiskFullTest.InjectedDisk();
        disk.usable = 0;
        disk.failWrites = true; // a zero-fill would fail: only recycling can give segments
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = Journal.open(
            new JournalContext().dataDir(wal).maxSegmentSize(SEGMENT).fsync(false).diskProbe(disk)))
        {
            final int[] unit = {3000, 2000};
            while (journal.segmentCount() < 3)
            {
                assertTrue(journal.ensureRoom(Journal.alignedFrameLength(3000) + Journal.alignedFrameLength(2000)),
                    journal.storageState().detail());
                written.addAll(appendUnit(journal, SEED, unit));
                journal.flush();
            }
            assertEquals(written, replayAll(journal));
        }
        for (final Path file : SegmentFiles.list(wal))
        {
            assertEquals(1, generation(file), file + " was recycled");
        }
    }

    @Test
    void formatTwoSegmentsAreReadAndAppendedToAsGenerationZero()
    {
        final Path wal = dir.resolve("wal");
        final List<TestRecord> expected = flat(write(wal, SEED, sameUnits(6)));
        final Path file = wal.resolve(Segment.fileName(0));
        final ByteBuffer header = ByteBuffer.wrap(TestRecord.readBytes(file, 0, 64)).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(8, 2);
        header.putInt(60, TestRecord.crc32c(header.array(), 0, 60));
        TestRecord.writeBytes(file, 0, header.array());
        assertTrue(JournalInspector.verify(wal).ok(), JournalInspector.verify(wal).toString());
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertEquals(expected, replayAll(journal));
            final List<TestRecord> more = appendUnit(journal, SEED, 10, 20);
            assertTrue(more.get(0).position() < SEGMENT, "appended to the format-2 segment, no rotation");
            expected.addAll(more);
        }
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertEquals(expected, replayAll(journal));
        }
        assertEquals(2, ByteBuffer.wrap(TestRecord.readBytes(file, 0, 64)).order(ByteOrder.LITTLE_ENDIAN).getInt(8));
    }

    private void reopenAppendAndCheck(final Path wal, final List<TestRecord> kept, final String what)
    {
        final List<TestRecord> expected = new ArrayList<>(kept);
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertEquals(expected, replayAll(journal), what);
            assertFalse(journal.recoveryReport().truncated(), what);
            while (journal.segmentCount() < 3)
            {
                expected.addAll(appendUnit(journal, SEED, 2500, 100, 7));
                journal.flush();
            }
        }
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            assertEquals(expected, replayAll(journal), what);
            assertFalse(journal.recoveryReport().truncated(), what);
        }
        assertTrue(JournalInspector.verify(wal).ok(), what);
    }

    /**
     * A recycled log (every segment reused from an old life) cut at every record boundary and at every byte of its
     * last two units: the bytes after the cut are what the file held before (the stale old life), not zeros, and
     * segments after the cut are gone or hold only their new header over stale bytes.
     */
    private void cutEverywhere(final long oldSeed, final long newSeed)
    {
        final Path old = dir.resolve("old");
        write(old, oldSeed, spanningUnits(30));
        final Map<Path, byte[]> stale = files(old);
        final Path pristine = dir.resolve("pristine");
        pool(old, pristine);
        final List<List<TestRecord>> units = write(pristine, newSeed, spanningUnits(22));
        final Map<Path, byte[]> fresh = files(pristine);
        assertTrue(fresh.size() >= 2 && stale.size() >= fresh.size(), fresh.keySet() + " " + stale.keySet());

        final List<Long> cuts = new ArrayList<>();
        for (final List<TestRecord> unit : units)
        {
            for (final TestRecord record : unit)
            {
                cuts.add(record.position());
                cuts.add(record.position() + Journal.HEADER_LENGTH + record.payload().length);
            }
        }
        int checked = 0;
        for (final long cut : cuts)
        {
            check(units, fresh, stale, cut, false);
            check(units, fresh, stale, cut, true);
            checked += 2;
        }
        for (int u = units.size() - 2; u < units.size(); u++)
        {
            for (final TestRecord record : units.get(u))
            {
                final int frame = Journal.HEADER_LENGTH + record.payload().length;
                final int stride = frame > 512 ? 37 : 1;
                for (int k = 0; k <= frame; k += (k < 48 || k >= frame - 48) ? 1 : stride)
                {
                    check(units, fresh, stale, record.position() + k, (k & 1) == 0);
                    checked++;
                }
            }
        }
        assertTrue(checked > 300, "cuts checked: " + checked);
    }

    private void check(
        final List<List<TestRecord>> units,
        final Map<Path, byte[]> fresh,
        final Map<Path, byte[]> stale,
        final long cut,
        final boolean deleteLater)
    {
        final String what = "cut at position " + cut + (deleteLater ? ", later segments deleted" : "");
        final Path work = dir.resolve("work");
        TestRecord.deleteRecursively(work);
        final Map<Path, byte[]> crashed = new TreeMap<>();
        try
        {
            Files.createDirectories(work);
            for (final Map.Entry<Path, byte[]> entry : fresh.entrySet())
            {
                final long base = SegmentFiles.basePosition(entry.getKey());
                final byte[] bytes = entry.getValue().clone();
                final byte[] before = stale.get(entry.getKey()); // the pool hands files out oldest first
                final int from = (int)Math.max(Journal.SEGMENT_HEADER_LENGTH, Math.min(SEGMENT, cut - base));
                if (cut <= base + Journal.SEGMENT_HEADER_LENGTH && base > 0 && deleteLater)
                {
                    continue;
                }
                System.arraycopy(before, from, bytes, from, bytes.length - from);
                Files.write(work.resolve(entry.getKey()), bytes);
                crashed.put(entry.getKey(), bytes);
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }

        // A record survives the cut when every byte of it after the cut was already there before (stale = new).
        final List<TestRecord> expected = new ArrayList<>();
        long intact = 0;
        boolean broken = false;
        for (final List<TestRecord> unit : units)
        {
            boolean whole = true;
            for (final TestRecord record : unit)
            {
                final long end = record.position() + Journal.HEADER_LENGTH + record.payload().length;
                final Path name = Path.of(Segment.fileName(record.position() / SEGMENT * SEGMENT));
                final byte[] now = crashed.get(name);
                final byte[] was = fresh.get(name);
                boolean survives = !broken && null != now;
                for (long q = Math.max(cut, record.position()); survives && q < end; q++)
                {
                    survives = now[(int)(q % SEGMENT)] == was[(int)(q % SEGMENT)];
                }
                broken |= !survives;
                intact += survives ? 1 : 0;
                whole &= survives;
            }
            if (!whole)
            {
                break;
            }
            expected.addAll(unit);
        }

        final VerifyReport verify = JournalInspector.verify(work);
        assertTrue(verify.faults().isEmpty(), what + ": " + verify.faults());
        assertEquals(expected.size(), verify.recordCount(), what);
        try (Journal journal = TestRecord.open(work, SEGMENT))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(expected, replayAll(journal), what);
            assertEquals(expected.size(), report.recordCount(), what);
            assertEquals(verify.tornTail(), report.truncated(), what + " " + report);
            assertEquals(report.truncated() ? intact - expected.size() : 0, report.truncatedRecords(),
                what + " " + report);
            assertFalse(report.repairCut(), what);
            expected.addAll(appendUnit(journal, SEED + 1, 11, 12));
            journal.flush();
        }
        try (Journal journal = TestRecord.open(work, SEGMENT))
        {
            assertEquals(expected, replayAll(journal), what);
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition(), what);
        }
        assertTrue(JournalInspector.verify(work).ok(), what);
    }

    private static List<int[]> sameUnits(final int count)
    {
        final List<int[]> units = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            units.add(i % 4 == 0 ? new int[] {5000} : new int[] {300 + i, 0, 2000 + i * 7});
        }
        return units;
    }

    private static List<int[]> spanningUnits(final int count)
    {
        final List<int[]> units = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            units.add(i % 5 == 4 ? new int[] {3000, 900, 3000, 400} : new int[] {1500 + i, 1500, 7});
        }
        units.add(new int[] {20_000, 10}); // a direct claim in the mapped segment
        return units;
    }

    private static List<int[]> randomUnits(final SplittableRandom random, final int count)
    {
        final List<int[]> units = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final int[] lengths = new int[1 + random.nextInt(4)];
            for (int r = 0; r < lengths.length; r++)
            {
                lengths[r] = random.nextInt(16) == 0 ? 17_000 + random.nextInt(20_000) : random.nextInt(3000);
            }
            units.add(lengths);
        }
        return units;
    }

    private static List<List<TestRecord>> write(final Path wal, final long seed, final List<int[]> units)
    {
        final List<List<TestRecord>> written = new ArrayList<>();
        try (Journal journal = TestRecord.open(wal, SEGMENT))
        {
            for (final int[] lengths : units)
            {
                written.add(appendUnit(journal, seed, lengths));
                journal.flush();
            }
        }
        return written;
    }

    /**
     * Delete the pool of a log just written: whether the preparer's unused next segment went back to the pool at close
     * depends on whether it was ready, and a test placing pool files by name needs the same start every time.
     */
    private static void emptyPool(final Path wal) throws IOException
    {
        for (final Path free : SegmentFiles.listFree(wal))
        {
            Files.delete(free);
        }
    }

    /**
     * Move every segment of from into to's pool, as a retention would have retired them.
     */
    static void pool(final Path from, final Path to)
    {
        try
        {
            Files.createDirectories(to);
            for (final Path file : SegmentFiles.list(from))
            {
                Files.move(file, to.resolve(file.getFileName() + SegmentFiles.FREE_SUFFIX));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    private static Map<Path, byte[]> files(final Path wal)
    {
        final Map<Path, byte[]> files = new TreeMap<>();
        for (final Path file : SegmentFiles.list(wal))
        {
            files.put(file.getFileName(), TestRecord.readBytes(file, 0, (int)SEGMENT));
        }
        return files;
    }

    private static List<TestRecord> flat(final List<List<TestRecord>> units)
    {
        final List<TestRecord> records = new ArrayList<>();
        units.forEach(records::addAll);
        return records;
    }

    static long generation(final Path file)
    {
        return ByteBuffer.wrap(TestRecord.readBytes(file, 0, 64)).order(ByteOrder.LITTLE_ENDIAN).getLong(32);
    }
}
