package io.axiom.journal;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.append;
import static io.axiom.journal.TestRecord.open;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final long SEED = 42;

    @TempDir
    Path dir;

    @Test
    void shouldRoundTripFraming()
    {
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(0, journal.lastSequence());
            assertEquals(Journal.SEGMENT_HEADER_LENGTH, journal.nextPosition());
            final TestRecord a = append(journal, SEED, 5, 7, 1000);
            final TestRecord b = append(journal, SEED, 0, 65535, -1);
            final TestRecord c = append(journal, SEED, 100, 0, Long.MAX_VALUE);

            assertEquals(64, a.position());
            assertEquals(64 + 40, b.position());
            assertEquals(64 + 40 + 32, c.position());
            assertEquals(c.position() + 136, journal.nextPosition());
            assertEquals(3, journal.lastSequence());
            assertEquals(c.position(), journal.lastPosition());
            assertEquals(List.of(a, b, c), replayAll(journal));

            final List<TestRecord> read = new ArrayList<>();
            assertTrue(journal.read(b.position(), TestRecord.collector(read)));
            assertEquals(List.of(b), read);
        }
    }

    @Test
    void shouldWriteFormatOnDisk()
    {
        try (Journal journal = open(dir, SEGMENT))
        {
            append(journal, SEED, 3, 0x1234, 99);
        }
        final Path file = dir.resolve("00000000000000000000.wal");
        assertEquals(SEGMENT, file.toFile().length());
        final java.nio.ByteBuffer header = java.nio.ByteBuffer.wrap(TestRecord.readBytes(file, 0, 64))
            .order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final byte[] magic = TestRecord.readBytes(file, 0, 8);
        assertEquals("AXIOMWAL", new String(magic, java.nio.charset.StandardCharsets.US_ASCII));
        assertEquals(3, header.getInt(8), "format 3: records carry commit marks, the header a generation");
        assertEquals(0, header.getInt(12));
        assertEquals(0, header.getLong(16));
        assertEquals(SEGMENT, header.getLong(24));
        assertEquals(0, header.getLong(32), "generation 0: a zero-filled file, records unsalted");
        assertEquals(TestRecord.crc32c(header.array(), 0, 60), header.getInt(60));

        final byte[] frame = TestRecord.readBytes(file, 64, 40);
        final java.nio.ByteBuffer record = java.nio.ByteBuffer.wrap(frame).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        assertEquals(35, record.getInt(0));
        assertEquals(TestRecord.crc32c(frame, 8, 35), record.getInt(4));
        assertEquals(1, record.getLong(8));
        assertEquals(99, record.getLong(16));
        assertEquals(0x1234, record.getShort(24));
        assertEquals(0x34, record.getShort(26));
        assertEquals(1, record.getInt(28), "COMMIT: append is a one-record unit");
        assertEquals(0, record.get(35));
    }

    @Test
    void shouldClaimCommitAndAbort()
    {
        try (Journal journal = open(dir, SEGMENT))
        {
            final JournalClaim claim = new JournalClaim();
            final long position = journal.claim(8, 3, 1, 77, claim);
            assertEquals(position, claim.position());
            assertEquals(8, claim.length());
            claim.buffer().putLong(claim.offset(), 0xCAFEL);
            assertFalse(journal.read(position, TestRecord.collector(new ArrayList<>())), "not visible before commit");
            assertEquals(0, journal.replay(0, TestRecord.collector(new ArrayList<>())));
            assertThrows(IllegalStateException.class, () -> journal.claim(1, 1, 1, 1, new JournalClaim()));
            claim.commit();
            assertThrows(IllegalStateException.class, claim::commit);

            final long aborted = journal.claim(100, 3, 1, 78, claim);
            claim.buffer().setMemory(claim.offset(), 100, (byte)0x55);
            claim.abort();
            assertEquals(1, journal.lastSequence());
            assertEquals(aborted, journal.nextPosition());

            final TestRecord next = append(journal, SEED, 4, 9, 79);
            assertEquals(aborted, next.position());
            assertEquals(2, next.sequence());
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
            assertEquals(2, journal.recordCount());
            final List<TestRecord> records = replayAll(journal);
            assertEquals(0xCAFEL, new UnsafeBuffer(records.get(0).payload()).getLong(0));
        }
    }

    @Test
    void shouldRotateSegmentsWithoutSpanningThem()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < 300; i++)
            {
                written.add(append(journal, SEED, 1000 + i, i, i));
            }
            assertTrue(journal.segmentCount() > 4, "segments " + journal.segmentCount());
            for (final TestRecord record : written)
            {
                final long offset = record.position() % SEGMENT;
                assertTrue(offset >= 64 && offset + 32 + record.payload().length <= SEGMENT, record.toString());
                final List<TestRecord> one = new ArrayList<>();
                assertTrue(journal.read(record.position(), TestRecord.collector(one)));
                assertEquals(List.of(record), one);
            }
            assertEquals(written, replayAll(journal));
        }
        final long segments = written.get(written.size() - 1).position() / SEGMENT + 1;
        for (long i = 0; i < segments; i++)
        {
            assertTrue(Files.exists(dir.resolve(String.format("%020d.wal", i * SEGMENT))));
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(segments, journal.recoveryReport().segmentCount());
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void shouldContinueSequenceAndPositionsAfterReopen()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < 100; i++)
            {
                written.add(append(journal, SEED, 700, 1, i));
            }
        }
        final long nextPosition;
        try (Journal journal = open(dir, SEGMENT))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(100, report.recordCount());
            assertEquals(100, report.lastSequence());
            assertEquals(64, report.firstPosition());
            assertEquals(written.get(99).position(), report.lastPosition());
            assertEquals(-1, report.truncatedAtPosition());
            nextPosition = journal.nextPosition();
            assertEquals(report.nextPosition(), nextPosition);
            final TestRecord next = append(journal, SEED, 10, 2, 100);
            assertEquals(101, next.sequence());
            assertEquals(nextPosition, next.position());
            written.add(next);
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void shouldReplayFromMiddleAndRejectNonRecordReads()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < 200; i++)
            {
                written.add(append(journal, SEED, 500 + i * 3, 1, i));
            }
            final TestRecord middle = written.get(117);
            final List<TestRecord> replayed = new ArrayList<>();
            assertEquals(83, journal.replay(middle.position(), TestRecord.collector(replayed)));
            assertEquals(written.subList(117, 200), replayed);

            replayed.clear();
            journal.replay(middle.position() + 1, TestRecord.collector(replayed));
            assertEquals(written.subList(118, 200), replayed);

            replayed.clear();
            assertEquals(0, journal.replay(journal.nextPosition(), TestRecord.collector(replayed)));
            assertEquals(0, journal.replay(Long.MAX_VALUE, TestRecord.collector(replayed)));

            final RecordHandler none = TestRecord.collector(new ArrayList<>());
            assertFalse(journal.read(0, none));
            assertFalse(journal.read(-8, none));
            assertFalse(journal.read(middle.position() + 8, none));
            assertFalse(journal.read(middle.position() + 1, none));
            assertFalse(journal.read(journal.nextPosition(), none));
            assertFalse(journal.read(100 * SEGMENT, none));
        }
    }

    @Test
    void shouldReadRecordsWhetherStagedWrittenOrFlushed()
    {
        final java.util.Random random = new java.util.Random(SEED);
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < 2000; i++)
            {
                final int length = random.nextInt(50) == 0 ? 20_000 + random.nextInt(30_000) : random.nextInt(700);
                written.add(append(journal, random.nextLong(), length, random.nextInt(65536), i));
                if (random.nextInt(10) == 0)
                {
                    journal.flush();
                }
                for (int k = 0; k < 3; k++)
                {
                    final TestRecord record = k == 0 ? written.get(written.size() - 1) :
                        written.get(random.nextInt(written.size()));
                    final List<TestRecord> one = new ArrayList<>();
                    assertTrue(journal.read(record.position(), TestRecord.collector(one)), record.toString());
                    assertTrue(journal.readRecord(record.position(), TestRecord.collector(one)), record.toString());
                    assertEquals(List.of(record, record), one);
                }
            }
            assertTrue(journal.segmentCount() > 10, "segments " + journal.segmentCount());
            assertEquals(written, replayAll(journal));
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void shouldReadRecordWithoutChecksumOnlyWhereARecordCanStart()
    {
        try (Journal journal = open(dir, SEGMENT))
        {
            final TestRecord a = append(journal, SEED, 10, 1, 1);
            final RecordHandler none = TestRecord.collector(new ArrayList<>());
            final JournalClaim claim = new JournalClaim();
            final long open = journal.claim(8, 1, 1, 2, claim);
            assertFalse(journal.readRecord(open, none), "not committed");
            claim.abort();
            assertFalse(journal.readRecord(-8, none));
            assertFalse(journal.readRecord(0, none));
            assertFalse(journal.readRecord(a.position() + 1, none));
            assertFalse(journal.readRecord(journal.nextPosition(), none));
            assertFalse(journal.readRecord(100 * SEGMENT, none));
            final List<TestRecord> one = new ArrayList<>();
            assertTrue(journal.readRecord(a.position(), TestRecord.collector(one)));
            journal.flush();
            assertTrue(journal.readRecord(a.position(), TestRecord.collector(one)));
            assertEquals(List.of(a, a), one);
        }
    }

    @Test
    void shouldReplayOnlyRecordsCommittedBeforeTheCall()
    {
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < 10; i++)
            {
                append(journal, SEED, 10, 1, i);
            }
            final long[] appended = {0};
            final long replayed = journal.replay(0,
                (buffer, offset, length, type, version, position, sequence, timestamp) ->
                {
                    append(journal, SEED, 2000, 2, sequence);
                    appended[0]++;
                });
            assertEquals(10, replayed);
            assertEquals(10, appended[0]);
            assertEquals(20, journal.lastSequence());
        }
    }

    @Test
    void shouldCountFlushedBytesIncludingRotationTail()
    {
        try (Journal journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT)))
        {
            assertTrue(journal.fsync());
            assertEquals(0, journal.flush());
            append(journal, SEED, 8, 1, 1);
            append(journal, SEED, 9, 1, 2);
            assertEquals(40 + 48, journal.flush());
            assertEquals(1, journal.flushCount());
            assertEquals(0, journal.flush());
            assertEquals(1, journal.flushCount());

            final int big = (int)(SEGMENT / 2);
            append(journal, SEED, big, 1, 3);
            append(journal, SEED, big, 1, 4);
            assertEquals(2, journal.segmentCount());
            final long expected = RecordFrame.align(32 + big) * 2L;
            assertEquals(expected, journal.flush());
            assertEquals(2, journal.flushCount());
            assertEquals(88 + expected, journal.flushedBytes());
        }
    }

    @Test
    void shouldRejectRecordThatCanNeverFit()
    {
        try (Journal journal = open(dir, SEGMENT))
        {
            final int max = journal.maxPayloadLength();
            assertEquals(SEGMENT - 64 - 32, max);
            final IllegalArgumentException ex = assertThrows(
                IllegalArgumentException.class, () -> journal.claim(max + 1, 1, 1, 1, new JournalClaim()));
            assertTrue(ex.getMessage().contains("can never fit"), ex.getMessage());
            assertThrows(IllegalArgumentException.class, () -> journal.claim(-1, 1, 1, 1, new JournalClaim()));
            assertThrows(IllegalArgumentException.class, () -> journal.claim(1, 65536, 1, 1, new JournalClaim()));
            assertThrows(IllegalArgumentException.class, () -> journal.claim(1, 1, -1, 1, new JournalClaim()));
            assertEquals(0, journal.lastSequence());

            append(journal, SEED, 1, 1, 1);
            final TestRecord full = append(journal, SEED, max, 1, 2);
            assertEquals(SEGMENT + 64, full.position());
            final TestRecord after = append(journal, SEED, 0, 1, 3);
            assertEquals(2 * SEGMENT + 64, after.position());
            assertEquals(3, replayAll(journal).size());
        }
    }

    @Test
    void shouldWorkWithFsyncDisabled()
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            assertFalse(journal.fsync());
            for (int i = 0; i < 50; i++)
            {
                written.add(append(journal, SEED, 3000, 1, i));
            }
            assertTrue(journal.flush() > 0);
            assertEquals(1, journal.flushCount());
            assertTrue(journal.recoveryReport().notes().stream().anyMatch(n -> n.contains("fsync is DISABLED")));
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            assertEquals(written, replayAll(journal));
        }
    }

    @Test
    void shouldValidateContext()
    {
        assertThrows(IllegalArgumentException.class, () -> new JournalContext().conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new JournalContext().dataDir(dir).maxSegmentSize(64 * 1024 + 1).conclude());
        assertThrows(IllegalArgumentException.class,
            () -> new JournalContext().dataDir(dir).maxSegmentSize(32 * 1024).conclude());
        final JournalContext ctx = new JournalContext().dataDir(dir.resolve("a/b")).conclude();
        assertTrue(Files.isDirectory(dir.resolve("a/b")));
        assertThrows(IllegalStateException.class, ctx::conclude);
        Journal.open(ctx).close();
    }

    @Test
    void shouldKeepExistingSegmentSize()
    {
        try (Journal journal = open(dir, SEGMENT))
        {
            append(journal, SEED, 10, 1, 1);
        }
        try (Journal journal = open(dir, 2 * SEGMENT))
        {
            assertEquals(SEGMENT, journal.segmentSize());
            assertTrue(journal.recoveryReport().notes().stream().anyMatch(n -> n.contains("new logs only")));
        }
    }

    @Test
    void shouldRefuseUseAfterClose()
    {
        final Journal journal = open(dir, SEGMENT);
        journal.close();
        journal.close();
        assertTrue(journal.isClosed());
        assertThrows(IllegalStateException.class, () -> journal.read(64, TestRecord.collector(new ArrayList<>())));
        assertThrows(IllegalStateException.class, () -> journal.claim(1, 1, 1, 1, new JournalClaim()));
    }
}
