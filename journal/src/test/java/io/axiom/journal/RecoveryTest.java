package io.axiom.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.append;
import static io.axiom.journal.TestRecord.open;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoveryTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final long SEED = 7;

    @TempDir
    Path dir;

    private List<TestRecord> write(final int count, final int length)
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < count; i++)
            {
                written.add(append(journal, SEED, length, 1, i));
            }
        }
        return written;
    }

    private Path fileOf(final TestRecord record)
    {
        return TestRecord.segmentFile(dir, record.position(), SEGMENT);
    }

    @Test
    void shouldTruncateTornTailAndContinue()
    {
        final List<TestRecord> written = write(10, 100);
        final TestRecord last = written.get(9);
        final int offset = (int)(last.position() % SEGMENT);
        TestRecord.writeBytes(fileOf(last), offset + 60, new byte[] {1, 2, 3});

        try (Journal journal = open(dir, SEGMENT))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(last.position(), report.truncatedAtPosition());
            assertEquals(136, report.truncatedBytes());
            assertEquals(9, report.recordCount());
            assertEquals(last.position(), report.nextPosition());
            assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("Torn tail")), report.notes().toString());
            assertEquals(written.subList(0, 9), replayAll(journal));
            final TestRecord next = append(journal, SEED, 5, 2, 99);
            assertEquals(10, next.sequence());
            assertEquals(last.position(), next.position());
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
            assertEquals(10, journal.recordCount());
        }
    }

    @Test
    void shouldTruncatePartialWriteWhoseLengthWasNeverWritten()
    {
        final List<TestRecord> written = write(3, 40);
        final long end = written.get(2).position() + 72;
        TestRecord.writeBytes(dir.resolve("00000000000000000000.wal"), end + 4, new byte[] {9, 9, 9, 9, 9, 9, 9, 9});
        assertTrue(JournalInspector.verify(dir).tornTail());
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(end, journal.recoveryReport().truncatedAtPosition());
            assertEquals(written, replayAll(journal));
        }
        assertFalse(JournalInspector.verify(dir).tornTail());
    }

    @Test
    void shouldRefuseFlippedBitInMiddleRecordNamingFileOffsetAndChecksums()
    {
        final List<TestRecord> written = write(20, 64);
        final TestRecord victim = written.get(7);
        final Path file = fileOf(victim);
        final int offset = (int)(victim.position() % SEGMENT);
        final byte[] frame = TestRecord.readBytes(file, offset, 96);
        final int stored = java.nio.ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(4);
        frame[50] ^= 0x10;
        TestRecord.writeBytes(file, offset, frame);
        final int actual = TestRecord.crc32c(frame, 8, 96);

        final byte[] before = TestRecord.readBytes(file, 0, (int)SEGMENT);
        final VerifyReport verify = JournalInspector.verify(dir);
        assertFalse(verify.ok());
        assertFalse(verify.tornTail());
        assertEquals(1, verify.faults().size(), verify.faults().toString());
        assertEquals(19, verify.recordCount(), "verify resynchronises after the fault");
        assertArrayEquals(before, TestRecord.readBytes(file, 0, (int)SEGMENT), "verify must not modify");

        final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, () -> open(dir, SEGMENT));
        final String message = ex.getMessage();
        assertEquals(file, ex.file());
        assertEquals(offset, ex.fileOffset());
        assertEquals(victim.position(), ex.position());
        assertTrue(message.contains(file.toString()), message);
        assertTrue(message.contains("file offset " + offset), message);
        assertTrue(message.contains(TestRecord.hex(stored)), message);
        assertTrue(message.contains(TestRecord.hex(actual)), message);
        assertTrue(message.contains("--repair"), message);
        assertTrue(message.contains("Restore the data dir from backup"), message);
        assertArrayEquals(before, TestRecord.readBytes(file, 0, (int)SEGMENT), "refusal must not modify");

        try (Journal journal = Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false).repair(true)))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(victim.position(), report.truncatedAtPosition());
            assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("REPAIR")), report.notes().toString());
            assertEquals(written.subList(0, 7), replayAll(journal));
            assertEquals(8, append(journal, SEED, 1, 1, 1).sequence());
        }
        assertTrue(JournalInspector.verify(dir).ok());
    }

    @Test
    void shouldRefuseZeroedMiddleRecordAsHole()
    {
        final List<TestRecord> written = write(20, 64);
        final TestRecord victim = written.get(3);
        TestRecord.writeBytes(fileOf(victim), victim.position() % SEGMENT, new byte[96]);
        final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, () -> open(dir, SEGMENT));
        assertEquals(victim.position(), ex.position());
        assertTrue(ex.getMessage().contains("zero frame length"), ex.getMessage());
    }

    @Test
    void shouldRefuseCorruptionInEarlierSegment()
    {
        final List<TestRecord> written = write(300, 1000);
        final TestRecord victim = written.get(10);
        final Path file = fileOf(victim);
        final long at = victim.position() % SEGMENT + 40;
        TestRecord.writeBytes(file, at, new byte[] {(byte)(TestRecord.readBytes(file, at, 1)[0] ^ 0xFF)});
        final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, () -> open(dir, SEGMENT));
        assertEquals(file, ex.file());

        try (Journal journal = Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false).repair(true)))
        {
            assertEquals(1, journal.segmentCount());
            assertEquals(written.subList(0, 10), replayAll(journal));
        }
    }

    @Test
    void shouldRefuseBadSegmentHeader()
    {
        write(300, 1000);
        final Path second = dir.resolve(String.format("%020d.wal", SEGMENT));
        TestRecord.writeBytes(second, 9, new byte[] {5});
        final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, () -> open(dir, SEGMENT));
        assertEquals(second, ex.file());
        assertEquals(0, ex.fileOffset());
        assertTrue(ex.getMessage().contains("segment header"), ex.getMessage());
        assertFalse(JournalInspector.verify(dir).ok());
    }

    @Test
    void shouldRefuseMissingSegment() throws Exception
    {
        write(300, 1000);
        Files.delete(dir.resolve(String.format("%020d.wal", SEGMENT)));
        final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class, () -> open(dir, SEGMENT));
        assertTrue(ex.getMessage().contains("missing"), ex.getMessage());
    }

    @Test
    void shouldRemoveDebrisOfInterruptedSegmentCreation() throws Exception
    {
        final List<TestRecord> written = write(5, 10);
        Files.write(dir.resolve(String.format("%020d.wal", SEGMENT)), new byte[4096]);
        Files.write(dir.resolve(String.format("%020d.wal.tmp", 2 * SEGMENT)), new byte[] {1, 2});
        final VerifyReport verify = JournalInspector.verify(dir);
        assertTrue(verify.ok(), verify.faults().toString());
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
            assertEquals(1, journal.segmentCount());
            assertEquals(2, journal.recoveryReport().notes().stream().filter(n -> n.startsWith("Removed")).count());
        }
        assertFalse(Files.exists(dir.resolve(String.format("%020d.wal", SEGMENT))));
        assertFalse(Files.exists(dir.resolve(String.format("%020d.wal.tmp", 2 * SEGMENT))));
    }

    @Test
    void shouldRemoveEmptyTrailingSegmentAndPartialWriteInIt()
    {
        final List<TestRecord> written = write(300, 1000);
        final TestRecord last = written.get(299);
        final long nextSegmentBase = (last.position() / SEGMENT + 1) * SEGMENT;
        SegmentFiles.listFree(dir).forEach(SegmentFiles::delete); // a zero-filled next segment (see SegmentRecycleTest)
        try (Journal journal = open(dir, SEGMENT))
        {
            final JournalClaim claim = new JournalClaim();
            journal.claim((int)SEGMENT - 200, 1, 1, 1, claim);
            assertEquals(nextSegmentBase + 64, claim.position());
            claim.buffer().setMemory(claim.offset(), 100, (byte)1);
            // crash: the process dies with the claim open; simulate by copying the files before close
            TestRecord.copyDir(dir, dir.resolveSibling(dir.getFileName() + "-crash"));
        }
        final Path crashed = dir.resolveSibling(dir.getFileName() + "-crash");
        try
        {
            try (Journal journal = open(crashed, SEGMENT))
            {
                final RecoveryReport report = journal.recoveryReport();
                assertEquals(written, replayAll(journal));
                assertEquals(last.position() + 1032, report.nextPosition());
                assertTrue(report.truncatedBytes() >= 100, report.toString());
                assertEquals(written.get(0).position(), report.firstPosition());
            }
        }
        finally
        {
            TestRecord.deleteRecursively(crashed);
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition(), journal.recoveryReport().toString());
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void shouldDumpRecords()
    {
        final List<TestRecord> written = write(50, 300);
        final List<TestRecord> dumped = new ArrayList<>();
        JournalInspector.dump(dir, written.get(10).position(), 5, TestRecord.collector(dumped));
        assertEquals(written.subList(10, 15), dumped);
        final VerifyReport report = JournalInspector.verify(dir);
        assertTrue(report.ok());
        assertEquals(50, report.recordCount());
        assertEquals(50, report.lastSequence());
        assertEquals(written.get(49).position(), report.lastPosition());
        assertEquals(50, report.segments().stream().mapToLong(SegmentInfo::records).sum());
    }
}
