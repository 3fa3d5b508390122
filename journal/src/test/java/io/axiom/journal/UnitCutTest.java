package io.axiom.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.appendUnit;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A log of multi-record units cut at every record boundary and at every byte offset of its last two units (every
 * byte of headers and of small payloads, a stride through large ones): recovery keeps exactly the whole units before
 * the cut, never part of one. A cut leaves the bytes before it and zeros after it, as a crash leaves a log whose tail
 * never reached the file; segments after the cut are either zeroed (created, never written) or gone.
 */
class UnitCutTest
{
    private static final long SEGMENT = 64 * 1024; // staging buffer 16 KiB
    private static final long SEED = 99;

    @TempDir
    Path dir;

    private record Log(List<List<TestRecord>> units, Map<Path, byte[]> files)
    {
        byte at(final long position)
        {
            final byte[] file = files.get(Path.of(String.format("%020d.wal", position / SEGMENT * SEGMENT)));
            return null == file ? 0 : file[(int)(position % SEGMENT)];
        }
    }

    @Test
    void unitsInsideOneSegment()
    {
        final List<int[]> units = new ArrayList<>();
        for (int i = 0; i < 12; i++)
        {
            units.add(i % 3 == 0 ? new int[] {5} : new int[] {17 + i, 0, 40 + i * 3});
        }
        units.add(new int[] {33, 1, 64});
        units.add(new int[] {7, 90, 0, 12});
        final Log log = build("one", units);
        assertEquals(1, log.files().size());
        cutEverywhere(log);
    }

    @Test
    void unitSpanningARotation()
    {
        final List<int[]> units = new ArrayList<>();
        for (int i = 0; i < 19; i++)
        {
            units.add(new int[] {1500, 1500});
        }
        units.add(new int[] {3000, 900, 3000, 400}); // starts in segment 0, ends in segment 1
        units.add(new int[] {20, 300});
        final Log log = build("span", units);
        assertEquals(2, log.files().size());
        final List<TestRecord> spanning = log.units().get(units.size() - 2);
        assertTrue(spanning.get(0).position() < SEGMENT && spanning.get(3).position() > SEGMENT, spanning.toString());
        cutEverywhere(log);
    }

    @Test
    void unitLargerThanTheStagingBuffer()
    {
        assertEquals(16 * 1024, Journal.stagingCapacity(SEGMENT));
        final List<int[]> units = new ArrayList<>();
        units.add(new int[] {100, 200});
        units.add(new int[] {8000, 9000, 300});     // fills the staging buffer: written out before it ends
        units.add(new int[] {50, 20_000, 10});      // a direct claim in the mapped segment in the middle of a unit
        units.add(new int[] {30_000});              // a direct claim, rotating, that ends its unit
        final Log log = build("direct", units);
        cutEverywhere(log);
    }

    private Log build(final String name, final List<int[]> units)
    {
        final Path pristine = dir.resolve(name);
        final List<List<TestRecord>> written = new ArrayList<>();
        try (Journal journal = TestRecord.open(pristine, SEGMENT))
        {
            for (final int[] lengths : units)
            {
                written.add(appendUnit(journal, SEED, lengths));
                journal.flush();
            }
        }
        final Map<Path, byte[]> files = new TreeMap<>();
        for (final Path file : SegmentFiles.list(pristine))
        {
            files.put(file.getFileName(), TestRecord.readBytes(file, 0, (int)SEGMENT));
        }
        return new Log(written, files);
    }

    private void cutEverywhere(final Log log)
    {
        final List<Long> cuts = new ArrayList<>();
        for (final List<TestRecord> unit : log.units())
        {
            for (final TestRecord record : unit)
            {
                final int frame = Journal.HEADER_LENGTH + record.payload().length;
                cuts.add(record.position());
                cuts.add(record.position() + frame);
            }
        }
        cuts.add(SEGMENT);
        final List<List<TestRecord>> units = log.units();
        int checked = 0;
        for (final long cut : cuts)
        {
            check(log, cut, false);
            check(log, cut, true);
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
                    check(log, record.position() + k, (k & 1) == 0);
                    checked++;
                }
            }
        }
        assertTrue(checked > 300, "cuts checked: " + checked);
    }

    private void check(final Log log, final long cut, final boolean deleteLater)
    {
        final String what = "cut at position " + cut + (deleteLater ? ", later segments deleted" : "");
        final Path work = dir.resolve("work");
        TestRecord.deleteRecursively(work);
        try
        {
            Files.createDirectories(work);
            for (final Map.Entry<Path, byte[]> entry : log.files().entrySet())
            {
                final long base = SegmentFiles.basePosition(entry.getKey());
                final byte[] bytes = entry.getValue().clone();
                if (cut <= base + Journal.SEGMENT_HEADER_LENGTH && base > 0)
                {
                    if (deleteLater)
                    {
                        continue;
                    }
                    java.util.Arrays.fill(bytes, Journal.SEGMENT_HEADER_LENGTH, bytes.length, (byte)0);
                }
                else if (cut < base + SEGMENT)
                {
                    java.util.Arrays.fill(bytes, (int)(cut - base), bytes.length, (byte)0);
                }
                Files.write(work.resolve(entry.getKey()), bytes);
            }
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }

        // A record survives the cut when every byte the cut zeroed in it was zero already.
        final List<TestRecord> expected = new ArrayList<>();
        long intact = 0;
        boolean broken = false;
        for (final List<TestRecord> unit : log.units())
        {
            boolean whole = true;
            for (final TestRecord record : unit)
            {
                final long end = record.position() + Journal.HEADER_LENGTH + record.payload().length;
                boolean survives = !broken;
                for (long q = Math.max(cut, record.position()); survives && q < end; q++)
                {
                    survives = 0 == log.at(q);
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
        final boolean truncated;
        try (Journal journal = TestRecord.open(work, SEGMENT))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(expected, replayAll(journal), what);
            assertEquals(expected.size(), report.recordCount(), what);
            assertEquals(expected.size(), report.lastSequence(), what);
            truncated = report.truncated();
            assertEquals(verify.tornTail(), truncated, what + " " + report);
            assertEquals(truncated ? intact - expected.size() : 0, report.truncatedRecords(), what + " " + report);
            if (intact > expected.size())
            {
                assertTrue(report.notes().get(0).startsWith("Torn tail: truncated an incomplete unit at position " +
                    report.truncatedAtPosition() + ": " + (intact - expected.size()) + " valid record(s)"),
                    what + " " + report.notes());
            }
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
}
