package io.axiom.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.journal.TestRecord.appendUnit;
import static io.axiom.journal.TestRecord.replayAll;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@link JournalContext#cutAfter(long)}: a log of multi-record units over several segments, cut back at every unit
 * end, equals a log built with only the units before it (same files, records, sequences, checksums), continues with
 * the next sequence, and never shows a cut record again, after a crash either; positions that end no unit are
 * refused, positions past the end raise {@link JournalBehindException}, damage after the position is dropped with
 * the cut and damage before it still refused. Reproduce a failure with {@code -Daxiom.test.seed=<seed printed>}.
 */
class JournalCutTest
{
    private static final long SEGMENT = 64 * 1024;
    private static final long SEED = CrashRounds.seed("JournalCutTest");
    private static final long NEW_SEED = SEED + 1;

    private static final List<int[]> UNITS = new ArrayList<>();

    @TempDir
    Path dir;

    @RegisterExtension
    final CrashRounds crash = new CrashRounds();

    private record State(long endPosition, long lastSequence, long lastPosition, int lastChecksum, long recordCount)
    {
        static State of(final Journal journal)
        {
            return new State(journal.endPosition(), journal.lastSequence(), journal.lastPosition(),
                journal.lastChecksum(), journal.recordCount());
        }
    }

    /**
     * Unit shapes from the seed: 1 to 4 records of 0 to 4000 bytes, enough of them to fill 3+ segments.
     */
    @BeforeAll
    static void shapes()
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        long bytes = 0;
        while (bytes < SEGMENT * 5 / 2)
        {
            final int[] lengths = new int[1 + random.nextInt(4)];
            for (int i = 0; i < lengths.length; i++)
            {
                lengths[i] = random.nextInt(4001);
                bytes += Journal.alignedFrameLength(lengths[i]);
            }
            UNITS.add(lengths);
        }
    }

    @Test
    void emptyLogEndsAtTheSegmentHeader()
    {
        try (Journal journal = TestRecord.open(dir.resolve("empty"), SEGMENT))
        {
            assertEquals(Journal.SEGMENT_HEADER_LENGTH, journal.endPosition());
        }
    }

    @Test
    void cutAtEveryUnitEndEqualsTheShorterLog()
    {
        final Path full = dir.resolve("full");
        final List<List<TestRecord>> units = new ArrayList<>();
        final List<State> states = new ArrayList<>();
        build(full, UNITS.size(), units, states);
        final List<TestRecord> all = new ArrayList<>();
        units.forEach(all::addAll);
        assertTrue(SegmentFiles.list(full).size() >= 3, "segments: " + SegmentFiles.list(full));

        for (int k = 0; k < UNITS.size(); k++)
        {
            final State at = states.get(k);
            final String what = "seed=" + SEED + " cut after " + k + " unit(s) at position " + at.endPosition();
            final Path reference = dir.resolve("reference");
            final Path work = dir.resolve("work");
            TestRecord.deleteRecursively(reference);
            TestRecord.deleteRecursively(work);
            build(reference, k, new ArrayList<>(), new ArrayList<>());
            TestRecord.copyDir(full, work);

            final List<TestRecord> expected = new ArrayList<>(all.subList(0, prefixRecords(units, k)));
            try (Journal journal = openCut(work, at.endPosition()))
            {
                final RecoveryReport report = journal.recoveryReport();
                assertEquals(at, State.of(journal), what);
                assertEquals(expected, replayAll(journal), what);
                assertTrue(report.cutBack(), what);
                assertEquals(at.endPosition(), report.cutAtPosition(), what);
                assertEquals(all.size() - expected.size(), report.cutRecords(), what);
                assertTrue(report.cutBytes() > 0, what);
                assertEquals("Cut " + report.cutRecords() + " record(s), " + report.cutBytes() + " bytes after " +
                    "position " + at.endPosition() + " (derived log: they are re-derived from the replicated log).",
                    report.notes().get(0), what);
                assertEquals(at.endPosition(), report.nextPosition(), what);
                assertEquals(at.lastSequence(), report.lastSequence(), what);
                assertEquals(expected.size(), report.recordCount(), what);
                assertFalse(report.truncated(), what);
                assertFalse(report.repairCut(), what);
            }
            assertSameSegments(reference, work, what);

            try (Journal journal = TestRecord.open(work, SEGMENT))
            {
                assertEquals(at, State.of(journal), what);
                assertFalse(journal.recoveryReport().cutBack(), what);
                for (int i = 0; i < 4; i++)
                {
                    expected.addAll(appendUnit(journal, NEW_SEED, 20_000, 7));
                    journal.flush();
                }
                assertEquals(at.lastSequence() + 8, journal.lastSequence(), what);
            }
            try (Journal journal = TestRecord.open(work, SEGMENT))
            {
                assertEquals(expected, replayAll(journal), what);
                assertFalse(journal.recoveryReport().truncated(), what);
            }
            assertTrue(JournalInspector.verify(work).ok(), what);
        }
    }

    /**
     * The state a crash between the cut's two steps leaves: the later segments already in the pool, the tail of the
     * segment holding the position not yet zeroed. Opened without the cut it is a sound log that ends at or after the
     * position (a torn tail at most); opened with it, the cut completes.
     */
    @Test
    void crashBetweenTheCutsStepsLeavesASoundLog()
    {
        final Path full = dir.resolve("full");
        final List<List<TestRecord>> units = new ArrayList<>();
        final List<State> states = new ArrayList<>();
        build(full, UNITS.size(), units, states);
        final int segments = SegmentFiles.list(full).size();
        int checked = 0;
        for (int k = 0; k < UNITS.size(); k++)
        {
            final State at = states.get(k);
            final int holding = (int)((at.endPosition() - 1) / SEGMENT);
            if (holding == segments - 1)
            {
                continue;
            }
            final String what = "seed=" + SEED + " cut after " + k + " unit(s) at position " + at.endPosition();
            final Path work = dir.resolve("work");
            TestRecord.deleteRecursively(work);
            TestRecord.copyDir(full, work);
            for (int s = holding + 1; s < segments; s++)
            {
                final Path file = work.resolve(Segment.fileName(s * SEGMENT));
                try
                {
                    Files.move(file, file.resolveSibling(file.getFileName() + SegmentFiles.FREE_SUFFIX));
                }
                catch (final IOException ex)
                {
                    throw new UncheckedIOException(ex);
                }
            }
            try (Journal journal = TestRecord.open(work, SEGMENT))
            {
                final List<TestRecord> read = replayAll(journal);
                assertTrue(journal.lastSequence() >= at.lastSequence(), what);
                assertEquals(units.stream().flatMap(List::stream).toList().subList(0, read.size()), read, what);
                assertFalse(journal.recoveryReport().repairCut(), what);
            }
            try (Journal journal = openCut(work, at.endPosition()))
            {
                assertEquals(at, State.of(journal), what);
            }
            checked++;
        }
        assertTrue(checked > 3, "cuts checked: " + checked);
    }

    @Test
    void cutAtTheEndCutsNothing()
    {
        final Path log = dir.resolve("log");
        final List<State> states = new ArrayList<>();
        build(log, 6, new ArrayList<>(), states);
        final State end = states.get(6);
        final TreeMap<Path, byte[]> before = files(log);
        try (Journal journal = openCut(log, end.endPosition()))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(end, State.of(journal));
            assertFalse(report.cutBack());
            assertEquals(0, report.cutRecords());
            assertTrue(report.notes().stream().noneMatch((note) -> note.contains("Cut ")), report.notes().toString());
        }
        assertSameFiles(before, files(log), "cut at the end");
    }

    @Test
    void positionThatEndsNoUnitIsRefusedAndChangesNothing()
    {
        final Path log = dir.resolve("log");
        final List<List<TestRecord>> units = new ArrayList<>();
        final List<State> states = new ArrayList<>();
        build(log, UNITS.size(), units, states);
        final TreeMap<Path, byte[]> before = files(log);

        int unit = 0;
        while (units.get(unit).size() < 2)
        {
            unit++;
        }
        final TestRecord first = units.get(unit).get(0);
        final long insideUnit = first.position() + Journal.alignedFrameLength(first.payload().length);
        final long below = states.get(unit).endPosition();
        final long above = states.get(unit + 1).endPosition();
        final IllegalStateException inside = assertThrows(IllegalStateException.class, () -> openCut(log, insideUnit));
        assertFalse(inside instanceof JournalBehindException);
        assertTrue(inside.getMessage().contains("back to position " + insideUnit + ": no unit ends there (a record " +
            "ends there, inside a unit); the nearest unit ends are " + below + " below and " + above + " above"),
            inside.getMessage());

        final long misaligned = below + 3;
        final IllegalStateException between = assertThrows(IllegalStateException.class, () -> openCut(log, misaligned));
        assertTrue(between.getMessage().contains("back to position " + misaligned + ": no unit ends there; the " +
            "nearest unit ends are " + below + " below and "), between.getMessage());

        final IllegalStateException header = assertThrows(IllegalStateException.class, () -> openCut(log, 8));
        assertTrue(header.getMessage().contains("none below and " + Journal.SEGMENT_HEADER_LENGTH + " above"),
            header.getMessage());
        assertSameFiles(before, files(log), "refused cut");
    }

    @Test
    void positionPastTheEndIsBehind()
    {
        final Path log = dir.resolve("log");
        final List<State> states = new ArrayList<>();
        build(log, 5, new ArrayList<>(), states);
        final long end = states.get(5).endPosition();
        final TreeMap<Path, byte[]> before = files(log);
        final JournalBehindException ex = assertThrows(JournalBehindException.class, () -> openCut(log, end + 4096));
        assertEquals(end, ex.logEndPosition());
        assertEquals(end + 4096, ex.requiredEndPosition());
        assertTrue(ex.getMessage().contains("ends at position " + end), ex.getMessage());
        assertSameFiles(before, files(log), "behind");
        try (Journal journal = TestRecord.open(log, SEGMENT))
        {
            assertEquals(states.get(5), State.of(journal));
        }
    }

    @Test
    void tornTailAfterThePositionIsCutWithIt()
    {
        final Path log = dir.resolve("log");
        final List<List<TestRecord>> units = new ArrayList<>();
        final List<State> states = new ArrayList<>();
        build(log, 8, units, states);
        final State end = states.get(8);
        final Path last = SegmentFiles.list(log).get(SegmentFiles.list(log).size() - 1);
        final long offset = end.endPosition() - SegmentFiles.basePosition(last);
        final byte[] garbage = new byte[100];
        new SplittableRandom(SEED).nextBytes(garbage);
        garbage[0] = 0x11; // a frame length no record can have: a torn write, not zeros
        assertTrue(offset + garbage.length <= SEGMENT, "seed=" + SEED + ": the log ends too close to a segment's end");
        TestRecord.writeBytes(last, offset, garbage);

        final State at = states.get(5);
        try (Journal journal = openCut(log, at.endPosition()))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(at, State.of(journal));
            assertEquals(prefixRecords(units, 8) - prefixRecords(units, 5), report.cutRecords());
            assertTrue(report.notes().get(0).contains("; a torn write after the cut was dropped with them: "),
                report.notes().get(0));
            assertFalse(report.truncated());
        }
        try (Journal journal = TestRecord.open(log, SEGMENT))
        {
            assertEquals(at, State.of(journal));
            assertFalse(journal.recoveryReport().truncated());
        }
    }

    @Test
    void damageAfterThePositionIsCutAndDamageBeforeItRefused()
    {
        final Path log = dir.resolve("log");
        final List<List<TestRecord>> units = new ArrayList<>();
        final List<State> states = new ArrayList<>();
        build(log, UNITS.size(), units, states);
        final int damaged = UNITS.size() / 2;
        final TestRecord victim = units.get(damaged).get(0);
        final Path file = log.resolve(Segment.fileName(victim.position() / SEGMENT * SEGMENT));
        final long offset = victim.position() % SEGMENT + Journal.HEADER_LENGTH - 1;
        TestRecord.writeBytes(file, offset, new byte[] {(byte)(TestRecord.readBytes(file, offset, 1)[0] ^ 0x5A)});
        final Path copy = dir.resolve("copy");
        TestRecord.copyDir(log, copy);

        assertThrows(JournalCorruptionException.class, () -> TestRecord.open(log, SEGMENT));
        assertThrows(JournalCorruptionException.class, () -> openCut(log, states.get(damaged + 1).endPosition()));

        final Path lastFile = SegmentFiles.list(copy).get(SegmentFiles.list(copy).size() - 1);
        TestRecord.writeBytes(lastFile, 8, new byte[] {1, 2, 3, 4}); // a bad header in the last segment too
        final State at = states.get(damaged);
        try (Journal journal = openCut(copy, at.endPosition()))
        {
            assertEquals(at, State.of(journal));
            final String note = journal.recoveryReport().notes().get(0);
            assertTrue(note.contains("; damage after the cut was dropped with them: record checksum mismatch"), note);
            assertTrue(note.contains("bad segment header in " + lastFile), note);
        }
        assertFalse(Files.exists(lastFile));
        try (Journal journal = TestRecord.open(copy, SEGMENT))
        {
            assertEquals(at, State.of(journal));
        }
        assertTrue(JournalInspector.verify(copy).ok());
    }

    @Test
    void crashAfterTheCutNeverBringsACutRecordBack()
    {
        final SplittableRandom random = new SplittableRandom(SEED ^ 0x5DEECE66DL);
        final Path full = dir.resolve("full");
        final List<List<TestRecord>> units = new ArrayList<>();
        final List<State> states = new ArrayList<>();
        build(full, UNITS.size(), units, states);
        for (int round = 0; round < 12; round++)
        {
            final int k = random.nextInt(UNITS.size());
            final State at = states.get(k);
            final String what = "seed=" + SEED + " round " + round + " cut after " + k + " unit(s)";
            final Path work = dir.resolve("work");
            TestRecord.deleteRecursively(work);
            TestRecord.copyDir(full, work);

            final List<TestRecord> durable = new ArrayList<>(units.subList(0, k).stream()
                .flatMap(List::stream).toList());
            final List<TestRecord> unflushed = new ArrayList<>();
            final Journal cut = openCut(work, at.endPosition());
            final int newUnits = random.nextInt(5);
            for (int u = 0; u < newUnits; u++)
            {
                final List<TestRecord> unit = appendUnit(cut, NEW_SEED + round, random.nextInt(30_000), 5);
                if (random.nextBoolean())
                {
                    cut.flush();
                    durable.addAll(unflushed);
                    durable.addAll(unit);
                    unflushed.clear();
                }
                else
                {
                    unflushed.addAll(unit);
                }
            }
            cut.abandon(); // a crash: nothing more is written, no flush

            try (Journal journal = TestRecord.open(work, SEGMENT))
            {
                final List<TestRecord> read = replayAll(journal);
                assertTrue(read.size() >= durable.size(), what);
                assertEquals(durable, read.subList(0, durable.size()), what);
                final List<TestRecord> rest = read.subList(durable.size(), read.size());
                assertEquals(unflushed.subList(0, rest.size()), rest, what);
            }
        }
    }

    @Test
    void snapshotsPastThePositionAreSetAsideAndTheCheckStartsBeforeIt()
    {
        final Path log = dir.resolve("log");
        final SnapshotStore store = new SnapshotStore(log, 4);
        final long before;
        final long past;
        final Path pastFile;
        final List<TestRecord> kept = new ArrayList<>();
        final State at;
        try (Journal journal = TestRecord.open(log, SEGMENT))
        {
            for (int i = 0; i < 10; i++)
            {
                kept.addAll(appendUnit(journal, SEED, UNITS.get(i)));
            }
            SnapshotStoreTest.snapshot(store, journal, new byte[] {1});
            before = journal.endPosition();
            for (int i = 10; i < 20; i++)
            {
                kept.addAll(appendUnit(journal, SEED, UNITS.get(i)));
            }
            journal.flush();
            at = State.of(journal);
            for (int i = 20; i < UNITS.size(); i++)
            {
                appendUnit(journal, SEED, UNITS.get(i));
            }
            pastFile = SnapshotStoreTest.snapshot(store, journal, new byte[] {2});
            past = journal.endPosition();
        }
        try (Journal journal = Journal.open(new JournalContext().dataDir(log).maxSegmentSize(SEGMENT).fsync(false)
            .startFromSnapshot(true).cutAfter(at.endPosition())))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertEquals(at, State.of(journal));
            assertEquals(before, journal.checkedFromPosition(), report.notes().toString());
            assertEquals(1, report.snapshotsSetAside(), report.notes().toString());
            assertFalse(Files.exists(pastFile));
            assertTrue(report.notes().stream().anyMatch((note) -> note.contains("it covers the log up to position " +
                past + ", past position " + at.endPosition() + " the log is cut back to")), report.notes().toString());
            assertEquals(kept, replayAll(journal));
        }

        // as if a crash had left it while the log already ends at the position: the no-op cut sets it aside too
        final Path setAside = log.resolve(SnapshotStore.DIRECTORY).resolve(SnapshotStore.SET_ASIDE_DIRECTORY)
            .resolve(pastFile.getFileName());
        try
        {
            Files.copy(setAside, pastFile);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        try (Journal journal = openCut(log, at.endPosition()))
        {
            final RecoveryReport report = journal.recoveryReport();
            assertFalse(report.cutBack(), report.notes().toString());
            assertEquals(1, report.snapshotsSetAside(), report.notes().toString());
            assertFalse(Files.exists(pastFile));
            assertEquals(at, State.of(journal));
        }
    }

    /**
     * A real process opens the log cut back to a unit end, appends units of another content seed and is killed with
     * SIGKILL at a random point: right after the cut, or after some acknowledged batches, anywhere in the next one.
     * Reopened without a cut, the log holds the original records up to the position, then only the new ones, whole
     * units, every acknowledged one.
     */
    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void sigkillAfterTheCutNeverBringsACutRecordBack() throws Exception
    {
        final long segment = 1024 * 1024;
        final SplittableRandom random = new SplittableRandom(SEED ^ 0x2545F4914F6CDD1DL);
        final long original = random.nextLong();
        final Path base = dir.resolve("base");
        final List<long[]> unitEnds = new ArrayList<>(); // {end position, last sequence}
        try (Journal journal = TestRecord.open(base, segment))
        {
            final JournalClaim claim = new JournalClaim();
            unitEnds.add(new long[] {journal.endPosition(), 0});
            while (journal.segmentCount() < 4)
            {
                CrashAppender.appendUnit(journal, original, claim);
                unitEnds.add(new long[] {journal.endPosition(), journal.lastSequence()});
            }
        }
        final Path work = dir.resolve("work");
        final Path childErr = dir.resolve("child.err");
        for (int round = 0; round < 8; round++)
        {
            final long[] at = unitEnds.get(random.nextInt(unitEnds.size()));
            final long derived = random.nextLong();
            final int acksWanted = random.nextInt(5);
            final String what = "seed=" + SEED + " round " + round + " cut at " + at[0] + " (sequence " + at[1] + ")";
            TestRecord.deleteRecursively(work);
            TestRecord.copyDir(base, work);
            long ackedSequence = at[1];
            try (ChildJvm child = crash.start(childErr, CutAppender.class, work.toString(), Long.toString(segment),
                Long.toString(derived), Long.toString(random.nextLong()), Long.toString(at[0])))
            {
                final String opened = child.awaitLine("OPENED ");
                if (null == opened)
                {
                    fail("child exited before opening, " + what + ": " + Files.readString(childErr));
                }
                assertEquals("OPENED " + at[1], opened, what);
                for (int acks = 0; acks < acksWanted; acks++)
                {
                    final String line = child.awaitLine("ACK ");
                    if (null == line)
                    {
                        fail("child exited, " + what + ": " + Files.readString(childErr));
                    }
                    ackedSequence = Long.parseLong(line.split(" ")[2]);
                }
                LockSupport.parkNanos(random.nextInt(3_000_000));
            }
            verifyDerived(work, original, derived, at, ackedSequence, what);
        }
    }

    private static void verifyDerived(
        final Path work,
        final long original,
        final long derived,
        final long[] at,
        final long ackedSequence,
        final String what)
    {
        try (Journal journal = Journal.open(new JournalContext().dataDir(work).maxSegmentSize(1024 * 1024)))
        {
            final String where = what + " " + journal.recoveryReport();
            assertFalse(journal.recoveryReport().cutBack(), where);
            assertTrue(journal.lastSequence() >= ackedSequence, "acknowledged records lost: " + where);
            final long[] expected = {1};
            journal.replay(0, (buffer, offset, length, type, version, position, sequence, timestamp) ->
            {
                final boolean cutBefore = sequence > at[1];
                final long seed = cutBefore ? derived : original;
                assertEquals(expected[0]++, sequence, where);
                assertEquals(cutBefore, position >= at[0], where + " sequence " + sequence + " at " + position);
                assertEquals(CrashAppender.length(seed, sequence), length, where + " sequence " + sequence);
                final byte[] bytes = new byte[length];
                buffer.getBytes(offset, bytes);
                assertArrayEquals(TestRecord.payload(seed, sequence, length), bytes, where + " sequence " + sequence);
            });
            assertEquals(journal.lastSequence() + 1, expected[0], where);
            long unitStart = at[1] + 1;
            while (unitStart <= journal.lastSequence())
            {
                unitStart += CrashAppender.unitSize(derived, unitStart);
            }
            assertEquals(journal.lastSequence() + 1, unitStart, "the log ends inside a unit: " + where);
        }
        assertTrue(JournalInspector.verify(work).ok(), what);
    }

    private static Journal openCut(final Path log, final long endPosition)
    {
        return Journal.open(new JournalContext().dataDir(log).maxSegmentSize(SEGMENT).fsync(false)
            .cutAfter(endPosition));
    }

    /**
     * Append the first count units of {@link #UNITS}, one flush each, noting the state before the first and after
     * each.
     */
    private static void build(
        final Path log, final int count, final List<List<TestRecord>> units, final List<State> states)
    {
        try (Journal journal = TestRecord.open(log, SEGMENT))
        {
            states.add(State.of(journal));
            for (int i = 0; i < count; i++)
            {
                units.add(appendUnit(journal, SEED, UNITS.get(i)));
                journal.flush();
                states.add(State.of(journal));
            }
        }
    }

    private static int prefixRecords(final List<List<TestRecord>> units, final int count)
    {
        int records = 0;
        for (int i = 0; i < count; i++)
        {
            records += units.get(i).size();
        }
        return records;
    }

    private static TreeMap<Path, byte[]> files(final Path log)
    {
        final TreeMap<Path, byte[]> files = new TreeMap<>();
        try (var paths = Files.list(log))
        {
            for (final Path file : paths.filter((p) -> p.getFileName().toString().contains(SegmentFiles.SUFFIX))
                .toList())
            {
                files.put(file.getFileName(), Files.readAllBytes(file));
            }
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return files;
    }

    private static void assertSameSegments(final Path expected, final Path actual, final String what)
    {
        final List<Path> want = SegmentFiles.list(expected);
        final List<Path> have = SegmentFiles.list(actual);
        assertEquals(want.stream().map(Path::getFileName).toList(), have.stream().map(Path::getFileName).toList(),
            what);
        for (int i = 0; i < want.size(); i++)
        {
            try
            {
                assertArrayEquals(Files.readAllBytes(want.get(i)), Files.readAllBytes(have.get(i)),
                    what + ": " + have.get(i).getFileName());
            }
            catch (final IOException ex)
            {
                throw new UncheckedIOException(ex);
            }
        }
    }

    private static void assertSameFiles(
        final TreeMap<Path, byte[]> expected, final TreeMap<Path, byte[]> actual, final String what)
    {
        assertEquals(expected.keySet(), actual.keySet(), what);
        for (final Path name : expected.keySet())
        {
            assertTrue(Arrays.equals(expected.get(name), actual.get(name)), what + ": " + name + " changed");
        }
    }
}
