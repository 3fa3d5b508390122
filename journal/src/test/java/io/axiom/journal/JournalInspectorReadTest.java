package io.axiom.journal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.agrona.DirectBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.appendUnit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link JournalInspector#read}, the walk verify replays: every record of a complete unit in log order, a fault where
 * it is with delivery resuming after it, a torn tail with its records, and nothing past a given end position.
 */
class JournalInspectorReadTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final long SEED = 7;

    @TempDir
    Path dir;

    /** What a walk delivered. */
    private static final class Seen implements LogVisitor
    {
        final List<TestRecord> records = new ArrayList<>();
        final List<TestRecord> torn = new ArrayList<>();
        final List<LogFault> faults = new ArrayList<>();
        final List<long[]> tornTails = new ArrayList<>();
        private final RecordHandler recordCollector = TestRecord.collector(records);
        private final RecordHandler tornCollector = TestRecord.collector(torn);

        public void onRecord(
            final DirectBuffer buffer, final int offset, final int length, final int type, final int version,
            final long position, final long sequence, final long timestamp)
        {
            recordCollector.onRecord(buffer, offset, length, type, version, position, sequence, timestamp);
        }

        public void onTornRecord(
            final DirectBuffer buffer, final int offset, final int length, final int type, final int version,
            final long position, final long sequence, final long timestamp)
        {
            tornCollector.onRecord(buffer, offset, length, type, version, position, sequence, timestamp);
        }

        public void onFault(final LogFault fault)
        {
            faults.add(fault);
        }

        public void onTornTail(final long position, final long records, final long bytes)
        {
            tornTails.add(new long[] {position, records, bytes});
        }
    }

    private List<List<TestRecord>> write()
    {
        final List<List<TestRecord>> units = new ArrayList<>();
        try (Journal journal = TestRecord.open(dir, SEGMENT))
        {
            for (int i = 0; i < 30; i++)
            {
                units.add(appendUnit(journal, SEED, 900 + i, 40, 3000)); // 30 units of ~4 KiB: two segments
            }
            journal.flush();
        }
        return units;
    }

    private Seen read(final long endPosition)
    {
        final Seen seen = new Seen();
        final long delivered = JournalInspector.read(dir, endPosition, seen);
        assertEquals(seen.records.size(), delivered);
        return seen;
    }

    @Test
    void aSoundLogIsDeliveredWholeAndInOrder()
    {
        final List<List<TestRecord>> units = write();
        final Seen seen = read(Long.MAX_VALUE);
        assertEquals(units.stream().flatMap(List::stream).toList(), seen.records);
        assertTrue(seen.faults.isEmpty() && seen.tornTails.isEmpty() && seen.torn.isEmpty());
        assertTrue(units.get(29).get(0).position() > SEGMENT, "the log spans two segments");
    }

    @Test
    void nothingPastTheEndPositionIsDeliveredOrJudged()
    {
        final List<List<TestRecord>> units = write();
        final TestRecord last = units.get(29).get(2);
        // the last unit loses its commit mark: a torn tail, past the end position below
        TestRecord.rewriteFlags(TestRecord.segmentFile(dir, last.position(), SEGMENT),
            (int)(last.position() % SEGMENT), 0);
        final long end = units.get(29).get(0).position();

        final Seen bounded = read(end);
        assertEquals(units.subList(0, 29).stream().flatMap(List::stream).toList(), bounded.records);
        assertTrue(bounded.faults.isEmpty() && bounded.tornTails.isEmpty(), "the tail past the end is not judged");

        final Seen whole = read(Long.MAX_VALUE);
        assertEquals(bounded.records, whole.records);
        assertEquals(units.get(29), whole.torn, "the incomplete unit's records, each handed over as torn");
        assertEquals(1, whole.tornTails.size());
        assertEquals(end, whole.tornTails.get(0)[0]);
        assertEquals(3, whole.tornTails.get(0)[1]);
    }

    @Test
    void aBrokenChecksumIsAFaultAndTheRecordsAfterItsUnitAreStillDelivered()
    {
        final List<List<TestRecord>> units = write();
        final TestRecord broken = units.get(10).get(1);
        final Path file = TestRecord.segmentFile(dir, broken.position(), SEGMENT);
        final long offset = broken.position() % SEGMENT + Journal.HEADER_LENGTH + 3;
        final byte[] b = TestRecord.readBytes(file, offset, 1);
        b[0] ^= 0x20;
        TestRecord.writeBytes(file, offset, b);

        final Seen seen = read(Long.MAX_VALUE);
        assertEquals(1, seen.faults.size(), seen.faults.toString());
        final LogFault fault = seen.faults.get(0);
        assertEquals(LogFault.Kind.CHECKSUM, fault.kind());
        assertEquals(broken.position(), fault.position());
        assertTrue(fault.description().contains("a valid record follows it"), fault.description());
        final List<TestRecord> expected = new ArrayList<>();
        units.subList(0, 10).forEach(expected::addAll);
        expected.add(units.get(10).get(2)); // resumed at the next valid record, the rest of the broken unit
        units.subList(11, 30).forEach(expected::addAll);
        assertEquals(expected, seen.records);
        assertTrue(seen.tornTails.isEmpty());
    }
}
