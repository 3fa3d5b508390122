package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.append;
import static io.axiom.journal.TestRecord.appendUnit;
import static io.axiom.journal.TestRecord.open;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The unit API: commit joins the open unit, endUnit marks its last record, flush refuses an open unit, and the mark
 * can be set wherever the last record is (staging buffer, mapped segment after a direct claim, a write-out by an
 * aborted claim, the previous segment after an aborted rotation).
 */
class JournalUnitTest
{
    private static final long SEGMENT = 64 * 1024; // staging buffer 16 KiB
    private static final long SEED = 5;

    @TempDir
    Path dir;

    private Path segment(final long position)
    {
        return TestRecord.segmentFile(dir, position, SEGMENT);
    }

    @Test
    void flushRefusesAnOpenUnitAndEndUnitMarksOnlyTheLastRecord()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            final JournalClaim claim = new JournalClaim();
            final long first = journal.claim(4, 1, 1, 1, claim);
            claim.buffer().putInt(claim.offset(), 7);
            claim.commit();
            assertEquals(1, journal.openUnitRecords());
            final IllegalStateException ex = assertThrows(IllegalStateException.class, journal::flush);
            assertTrue(ex.getMessage().contains("open unit"), ex.getMessage());

            journal.claim(4, 1, 1, 2, claim);
            assertThrows(IllegalStateException.class, journal::endUnit, "a claim is open");
            claim.commit();
            final int before = journal.lastChecksum();
            journal.endUnit();
            assertNotEquals(before, journal.lastChecksum(), "the mark is covered by the checksum");
            final int marked = journal.lastChecksum();
            journal.endUnit();
            assertEquals(marked, journal.lastChecksum(), "a second endUnit is a no-op");
            assertEquals(0, journal.openUnitRecords());
            assertTrue(journal.flush() > 0);
            written.addAll(replayAll(journal));
            assertEquals(0, TestRecord.flagsAt(segment(first), first % SEGMENT));
            assertEquals(RecordFrame.COMMIT, TestRecord.flagsAt(segment(first), (first + 40) % SEGMENT));
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
        }
    }

    @Test
    void aRecordThatDoesNotEndItsUnitIsChecksummedBeforeAnythingLetsItOut()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            final JournalClaim claim = new JournalClaim();
            final long first = journal.claim(4, 1, 1, 1, claim);
            claim.buffer().putInt(claim.offset(), 7);
            claim.commit(); // its checksum waits for endUnit or whatever comes first
            final List<TestRecord> read = new ArrayList<>();
            assertTrue(journal.read(first, TestRecord.collector(read)), "a checked read of it settles its checksum");
            assertEquals(1, read.size());
            journal.claim(4, 1, 1, 2, claim);
            claim.buffer().putInt(claim.offset(), 8);
            claim.commit();
            journal.claim(20 * 1024, 1, 1, 3, claim); // larger than the staging buffer: the others are written out
            claim.buffer().setMemory(claim.offset(), 20 * 1024, (byte)9);
            claim.commit();
            journal.endUnit();
            assertTrue(journal.flush() > 0);
            written.addAll(replayAll(journal));
            assertEquals(3, written.size());
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal), "every record of the unit passes its CRC32C at recovery");
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
        }
        assertTrue(JournalInspector.verify(dir).ok());
    }

    @Test
    void appendEndsTheOpenUnit()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            final JournalClaim claim = new JournalClaim();
            journal.claim(8, 1, 1, 1, claim);
            claim.commit();
            append(journal, SEED, 10, 2, 2);
            assertEquals(0, journal.openUnitRecords());
            journal.flush();
            written.addAll(replayAll(journal));
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void closeWithAnOpenUnitKeepsTheCompleteUnitsAndDropsTheOpenOne()
    {
        final List<TestRecord> complete = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            complete.addAll(appendUnit(journal, SEED, 10, 20));
            journal.flush();
            complete.addAll(appendUnit(journal, SEED, 30)); // complete, not yet flushed
            final JournalClaim claim = new JournalClaim();
            journal.claim(100, 1, 1, 1, claim);
            claim.commit();
            journal.claim(20_000, 1, 1, 1, claim); // a direct claim: in the mapped file before its unit ends
            claim.commit();
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(complete, replayAll(journal));
            assertEquals(2, report.truncatedRecords(), report.toString());
            assertTrue(report.notes().get(0).contains("incomplete unit"), report.notes().toString());
        }
    }

    @Test
    void endUnitMarksARecordAnAbortedClaimWroteOut()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            written.addAll(appendUnit(journal, SEED, 100));
            final JournalClaim claim = new JournalClaim();
            journal.claim(12_000, 1, 1, 1, claim);
            claim.buffer().setMemory(claim.offset(), 12_000, (byte)3);
            claim.commit();
            journal.claim(8_000, 1, 1, 1, claim); // the staging buffer is full: the record above is written out
            claim.abort();
            journal.endUnit();
            journal.flush();
            written.clear();
            written.addAll(replayAll(journal));
            assertEquals(2, written.size());
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
        }
    }

    @Test
    void endUnitMarksARecordLeftInThePreviousSegmentByAnAbortedRotation()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            final JournalClaim claim = new JournalClaim();
            for (int i = 0; i < 6; i++)
            {
                journal.claim(10_000, 1, 1, i, claim);
                claim.commit();
            }
            journal.claim(10_000, 1, 1, 9, claim); // rotates to segment 1
            assertEquals(SEGMENT + Journal.SEGMENT_HEADER_LENGTH, claim.position());
            claim.abort();
            journal.endUnit();
            assertEquals(SEGMENT + Journal.SEGMENT_HEADER_LENGTH, journal.nextPosition());
            assertTrue(journal.endPosition() < SEGMENT, "the log ends in segment 0");
            journal.flush();
            written.addAll(replayAll(journal));
            assertEquals(6, written.size());
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
            assertEquals(6, journal.recoveryReport().recordCount());
        }
    }

    @Test
    void directClaimIsMarkedInTheMapping()
    {
        final List<TestRecord> written;
        try (Journal journal = open(dir, SEGMENT))
        {
            written = appendUnit(journal, SEED, 10, 30_000);
            journal.flush();
            assertEquals(written, replayAll(journal));
            final List<TestRecord> one = new ArrayList<>();
            assertTrue(journal.read(written.get(1).position(), TestRecord.collector(one)), "checksum holds");
        }
        assertEquals(RecordFrame.COMMIT,
            TestRecord.flagsAt(segment(written.get(1).position()), written.get(1).position() % SEGMENT));
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void repairCutInsideAUnitMovesBackToTheUnitsStart()
    {
        final List<List<TestRecord>> units = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < 6; i++)
            {
                units.add(appendUnit(journal, SEED + i, 40, 50, 60));
            }
        }
        final TestRecord victim = units.get(3).get(1);
        final Path file = segment(victim.position());
        final long at = victim.position() % SEGMENT + Journal.HEADER_LENGTH + 3;
        TestRecord.writeBytes(file, at, new byte[] {(byte)(TestRecord.readBytes(file, at, 1)[0] ^ 1)});
        assertThrows(JournalCorruptionException.class, () -> open(dir, SEGMENT));

        try (Journal journal = Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false).repair(true)))
        {
            final RecoveryReport report = journal.recoveryReport();
            final long unitStart = units.get(3).get(0).position();
            assertEquals(unitStart, report.truncatedAtPosition(), report.toString());
            assertEquals(1, report.truncatedRecords(), "the unit's record before the bad one");
            assertTrue(report.repairCut());
            assertTrue(report.notes().get(0).startsWith("REPAIR: record checksum mismatch") &&
                report.notes().get(0).contains("Truncated the log at position " + unitStart + ", the start of the " +
                "unit the bad record belongs to (1 valid record(s) of that unit before it dropped too)"),
                report.notes().toString());
            final List<TestRecord> kept = new ArrayList<>();
            units.subList(0, 3).forEach(kept::addAll);
            assertEquals(kept, replayAll(journal));
        }
    }

    @Test
    void unknownFlagBitsAreCorruption()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < 5; i++)
            {
                written.add(append(journal, SEED, 50, 1, i));
            }
        }
        final TestRecord victim = written.get(2);
        TestRecord.rewriteFlags(segment(victim.position()), (int)(victim.position() % SEGMENT), 1 | 4);
        final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, () -> open(dir, SEGMENT));
        assertTrue(ex.getMessage().contains("unknown flags 0x00000005"), ex.getMessage());
        assertEquals(victim.position(), ex.position());
        assertTrue(JournalInspector.verify(dir).corrupt());
    }

    @Test
    void formatOneSegmentIsReadWithEveryRecordAUnitAndNeverAppendedTo()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < 5; i++)
            {
                written.add(append(journal, SEED, 50 + i, 1, i));
            }
        }
        final Path file = segment(0);
        for (final TestRecord record : written)
        {
            TestRecord.rewriteFlags(file, (int)(record.position() % SEGMENT), 0);
        }
        final ByteBuffer header = ByteBuffer.wrap(TestRecord.readBytes(file, 0, 64)).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(8, 1);
        header.putInt(60, TestRecord.crc32c(header.array(), 0, 60));
        TestRecord.writeBytes(file, 0, header.array());
        assertTrue(JournalInspector.verify(dir).ok(), JournalInspector.verify(dir).toString());

        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
            final TestRecord next = append(journal, SEED, 10, 1, 9);
            assertEquals(SEGMENT + Journal.SEGMENT_HEADER_LENGTH, next.position(), "a new format-2 segment");
            written.add(next);
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
            assertEquals(2, journal.segmentCount());
        }
        TestRecord.rewriteFlags(file, (int)(written.get(1).position() % SEGMENT), RecordFrame.COMMIT);
        final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, () -> open(dir, SEGMENT));
        assertTrue(ex.getMessage().contains("unknown flags 0x00000001") && ex.getMessage().contains("format 1"),
            ex.getMessage());
    }
}
