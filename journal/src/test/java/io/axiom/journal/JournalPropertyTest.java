package io.axiom.journal;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import static io.axiom.journal.TestRecord.append;
import static io.axiom.journal.TestRecord.open;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Properties of the journal over random logs; jqwik prints the seed of any failing try.
 */
class JournalPropertyTest
{
    private static final long SEGMENT = 64 * 1024;

    private static List<TestRecord> writeRandom(final Path dir, final int count, final Random random)
    {
        final List<TestRecord> written = new ArrayList<>();
        try (Journal journal = open(dir, SEGMENT))
        {
            for (int i = 0; i < count; i++)
            {
                final int length = random.nextInt(16) == 0 ? random.nextInt(journal.maxPayloadLength() + 1) :
                    random.nextInt(3000);
                written.add(append(journal, random.nextLong(), length, random.nextInt(65536), random.nextLong()));
                if (random.nextInt(5) == 0)
                {
                    journal.flush();
                }
            }
        }
        return written;
    }

    @Property(tries = 30)
    void recordsSurviveReopenAcrossRotations(
        @ForAll @IntRange(min = 1, max = 400) final int count, @ForAll final Random random)
    {
        final Path dir = TestRecord.tempDir("reopen");
        try
        {
            final List<TestRecord> written = new ArrayList<>();
            long flushed = 0;
            long bytes = 0;
            try (Journal journal = Journal.open(
                new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(random.nextBoolean())))
            {
                for (int i = 0; i < count; i++)
                {
                    final int length = random.nextInt(16) == 0 ? random.nextInt(journal.maxPayloadLength() + 1) :
                        random.nextInt(3000);
                    final TestRecord record = append(
                        journal, random.nextLong(), length, random.nextInt(65536), random.nextLong());
                    written.add(record);
                    bytes += RecordFrame.align(Journal.HEADER_LENGTH + length);
                    if (random.nextInt(Math.max(1, count / 10)) == 0)
                    {
                        flushed += journal.flush();
                    }
                }
                flushed += journal.flush();
                assertEquals(bytes, flushed, "every committed byte is flushed exactly once");
                assertEquals(written, replayAll(journal));
            }
            try (Journal journal = open(dir, SEGMENT))
            {
                assertEquals(-1, journal.recoveryReport().truncatedAtPosition());
                assertEquals(written, replayAll(journal));
                for (final TestRecord record : written)
                {
                    final List<TestRecord> one = new ArrayList<>();
                    assertTrue(journal.read(record.position(), TestRecord.collector(one)));
                    assertEquals(record, one.get(0));
                }
            }
            assertTrue(JournalInspector.verify(dir).ok());
        }
        finally
        {
            TestRecord.deleteRecursively(dir);
        }
    }

    @Property(tries = 12)
    void tornLastRecordIsTruncatedAtEveryOffset(
        @ForAll @IntRange(min = 1, max = 30) final int count,
        @ForAll @IntRange(min = 0, max = 100) final int lastLength,
        @ForAll final Random random)
    {
        final Path pristine = TestRecord.tempDir("torn");
        try
        {
            final List<TestRecord> written = new ArrayList<>(writeRandom(pristine, count - 1, random));
            try (Journal journal = open(pristine, SEGMENT))
            {
                written.add(append(journal, random.nextLong(), lastLength, 1, 1));
            }
            final TestRecord last = written.get(written.size() - 1);
            final int frameLength = Journal.HEADER_LENGTH + lastLength;
            for (int k = 0; k < frameLength; k++)
            {
                checkTorn(pristine, written, last, k, frameLength, false, random);
                checkTorn(pristine, written, last, k, frameLength, true, random);
            }
            checkTorn(pristine, written, last, 0, 4, false, random);
        }
        finally
        {
            TestRecord.deleteRecursively(pristine);
        }
    }

    private static void checkTorn(
        final Path pristine,
        final List<TestRecord> written,
        final TestRecord last,
        final int from,
        final int to,
        final boolean garble,
        final Random random)
    {
        final Path dir = TestRecord.tempDir("torn-case");
        try
        {
            TestRecord.deleteRecursively(dir);
            TestRecord.copyDir(pristine, dir);
            final Path file = TestRecord.segmentFile(dir, last.position(), SEGMENT);
            final long offset = last.position() % SEGMENT;
            final byte[] frame = TestRecord.readBytes(file, offset, RecordFrame.align(Journal.HEADER_LENGTH +
                last.payload().length));
            final byte[] original = frame.clone();
            for (int i = from; i < to; i++)
            {
                frame[i] = garble ? (byte)(frame[i] ^ (1 + random.nextInt(255))) : 0;
            }
            TestRecord.writeBytes(file, offset, frame);
            final boolean changed = !java.util.Arrays.equals(original, frame);
            boolean anyNonZero = false;
            for (final byte b : frame)
            {
                anyNonZero |= b != 0;
            }
            final String what = (garble ? "garbled" : "zeroed") + " bytes [" + from + ", " + to + ") of " + last;

            final List<TestRecord> expected = changed ? written.subList(0, written.size() - 1) : written;
            final TestRecord next;
            try (Journal journal = open(dir, SEGMENT))
            {
                final RecoveryReport report = journal.recoveryReport();
                assertEquals(expected, replayAll(journal), what);
                assertEquals(changed && anyNonZero ? last.position() : -1, report.truncatedAtPosition(), what);
                assertEquals(expected.size(), report.lastSequence(), what);
                next = append(journal, 5, 17, 2, 3);
                assertEquals(expected.size() + 1, next.sequence(), what);
            }
            try (Journal journal = open(dir, SEGMENT))
            {
                final List<TestRecord> all = new ArrayList<>(expected);
                all.add(next);
                assertEquals(all, replayAll(journal), what);
                assertEquals(-1, journal.recoveryReport().truncatedAtPosition(), what);
            }
        }
        finally
        {
            TestRecord.deleteRecursively(dir);
        }
    }

    @Property(tries = 30)
    void flippedBitInMiddleRecordIsRefusedAndRepairTruncates(
        @ForAll @IntRange(min = 2, max = 150) final int count, @ForAll final Random random)
    {
        final Path dir = TestRecord.tempDir("flip");
        try
        {
            final List<TestRecord> written = writeRandom(dir, count, random);
            final int victim = random.nextInt(count - 1);
            final TestRecord record = written.get(victim);
            final Path file = TestRecord.segmentFile(dir, record.position(), SEGMENT);
            final int offset = (int)(record.position() % SEGMENT);
            final int frameLength = Journal.HEADER_LENGTH + record.payload().length;
            final byte[] frame = TestRecord.readBytes(file, offset, frameLength);
            final int bit = 32 + random.nextInt((frameLength - 4) * 8);
            frame[bit / 8] ^= (byte)(1 << (bit % 8));
            TestRecord.writeBytes(file, offset, frame);
            final String stored = TestRecord.hex(ByteBuffer.wrap(frame).order(ByteOrder.LITTLE_ENDIAN).getInt(4));
            final String actual = TestRecord.hex(TestRecord.crc32c(frame, 8, frameLength));

            final JournalCorruptionException ex = assertThrows(
                JournalCorruptionException.class, () -> open(dir, SEGMENT), "bit " + bit + " of " + record);
            assertEquals(file, ex.file());
            assertEquals(offset, ex.fileOffset());
            assertEquals(record.position(), ex.position());
            final String message = ex.getMessage();
            assertTrue(message.contains(file.toString()) && message.contains("file offset " + offset), message);
            assertTrue(message.contains(stored) && message.contains(actual), message);

            final VerifyReport verify = JournalInspector.verify(dir);
            assertFalse(verify.ok());
            assertTrue(verify.faults().get(0).contains(stored), verify.faults().toString());
            assertEquals(count - 1, verify.recordCount());

            assertRepairTruncates(dir, written, victim);
        }
        finally
        {
            TestRecord.deleteRecursively(dir);
        }
    }

    @Property(tries = 30)
    void sequenceGapIsRefusedAndRepairTruncates(
        @ForAll @IntRange(min = 2, max = 150) final int count, @ForAll final Random random)
    {
        final Path dir = TestRecord.tempDir("gap");
        try
        {
            final List<TestRecord> written = writeRandom(dir, count, random);
            final int victim = random.nextInt(count - 1);
            final TestRecord record = written.get(victim);
            final Path file = TestRecord.segmentFile(dir, record.position(), SEGMENT);
            final int offset = (int)(record.position() % SEGMENT);
            final int delta = random.nextBoolean() ? 1 + random.nextInt(1000) : -1 - random.nextInt(3);
            final long wrongSequence = record.sequence() + delta;
            TestRecord.rewriteSequence(file, offset, wrongSequence);

            final JournalCorruptionException ex = assertThrows(JournalCorruptionException.class,
                () -> open(dir, SEGMENT), "sequence " + wrongSequence + " at " + record);
            assertEquals(file, ex.file());
            assertEquals(offset, ex.fileOffset());
            assertTrue(ex.getMessage().contains(
                "expected sequence " + record.sequence() + ", actual " + wrongSequence), ex.getMessage());

            assertRepairTruncates(dir, written, victim);
        }
        finally
        {
            TestRecord.deleteRecursively(dir);
        }
    }

    private static void assertRepairTruncates(final Path dir, final List<TestRecord> written, final int victim)
    {
        final TestRecord next;
        try (Journal journal = Journal.open(
            new JournalContext().dataDir(dir).maxSegmentSize(SEGMENT).fsync(false).repair(true)))
        {
            final RecoveryReport report = journal.recoveryReport();
            // the end of the last whole unit kept: the victim's position, or the end of the segment before it
            final TestRecord kept = victim == 0 ? null : written.get(victim - 1);
            assertEquals(null == kept ? Journal.SEGMENT_HEADER_LENGTH :
                kept.position() + Journal.alignedFrameLength(kept.payload().length), report.truncatedAtPosition());
            assertTrue(report.repairCut());
            assertTrue(report.notes().stream().anyMatch(n -> n.startsWith("REPAIR")), report.notes().toString());
            assertEquals(written.subList(0, victim), replayAll(journal));
            next = append(journal, 3, 10, 1, 1);
            assertEquals(victim + 1, next.sequence());
        }
        try (Journal journal = open(dir, SEGMENT))
        {
            final List<TestRecord> all = new ArrayList<>(written.subList(0, victim));
            all.add(next);
            assertEquals(all, replayAll(journal));
        }
        assertTrue(JournalInspector.verify(dir).ok());
    }
}
