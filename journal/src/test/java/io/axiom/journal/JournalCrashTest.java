package io.axiom.journal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a real process appending atomic units with SIGKILL at random points, many rounds in one data dir, and checks
 * that every acknowledged unit survives byte-exact, that no part of a unit survives without the rest (units larger
 * than the staging buffer or a segment reach the file before they end), that sequences stay continuous and that
 * appends go on. Reproduce a failure with {@code -Daxiom.test.seed=<seed printed in the failure>}.
 */
class JournalCrashTest
{
    private static final int ROUNDS = 50;
    private static final long SEGMENT = 1024 * 1024;

    @TempDir
    Path dir;

    @RegisterExtension
    final CrashRounds crash = new CrashRounds();

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void acknowledgedUnitsSurviveSigkillAndNoPartialUnitIsRecovered() throws Exception
    {
        run(false);
    }

    /**
     * The same, in a data dir whose segments are recycled from a pool of retired files written earlier with the same
     * content seed: every stale record is byte for byte the record the new life writes at that position, but for
     * the generation salt in its checksum, so a torn tail over them is the hardest case for recovery.
     */
    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void acknowledgedUnitsSurviveSigkillWithRecycledSegments() throws Exception
    {
        run(true);
    }

    private void run(final boolean recycle) throws Exception
    {
        final long seed = Long.getLong("axiom.test.seed", System.nanoTime());
        System.out.println("JournalCrashTest seed=" + seed + (recycle ? " recycle" : ""));
        final Random random = new Random(seed);
        final long contentSeed = random.nextLong();
        final Path dataDir = dir.resolve("wal");
        if (recycle)
        {
            final Path old = dir.resolve("old");
            try (Journal journal = TestRecord.open(old, SEGMENT))
            {
                final JournalClaim claim = new JournalClaim();
                while (journal.segmentCount() < 40)
                {
                    CrashAppender.appendUnit(journal, contentSeed, claim);
                }
            }
            SegmentRecycleTest.pool(old, dataDir);
        }
        final Path childErr = dir.resolve("child.err");
        long maxAcked = 0;
        int truncations = 0;
        long droppedRecords = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final String context = "seed=" + seed + " round=" + round;
            final int acksWanted = 1 + random.nextInt(25);
            long ackedPosition = 0;
            long ackedSequence = 0;
            int acks = 0;
            try (ChildJvm child = crash.start(childErr, CrashAppender.class, dataDir.toString(),
                Long.toString(SEGMENT), Long.toString(contentSeed), Long.toString(random.nextLong())))
            {
                String line;
                while (acks < acksWanted && null != (line = child.awaitLine("ACK ")))
                {
                    final String[] parts = line.split(" ");
                    ackedPosition = Long.parseLong(parts[1]);
                    ackedSequence = Long.parseLong(parts[2]);
                    acks++;
                }
                // land the kill anywhere in the next batch, not just right after an acknowledgement
                LockSupport.parkNanos(random.nextInt(3_000_000));
            }
            if (acks < acksWanted)
            {
                fail("child exited before " + acksWanted + " acks, " + context + ": " + Files.readString(childErr));
            }
            maxAcked = Math.max(maxAcked, ackedSequence);
            final long dropped =
                verifyAndAppend(dataDir, contentSeed, ackedPosition, ackedSequence, maxAcked, context);
            truncations += dropped >= 0 ? 1 : 0;
            droppedRecords += Math.max(0, dropped);
        }
        System.out.println("JournalCrashTest rounds=" + ROUNDS + " acknowledged=" + maxAcked + " torn tails=" +
            truncations + " records of incomplete units dropped=" + droppedRecords + " segments=" +
            SegmentFiles.list(dataDir).size() + " recycled=" + recycled(dataDir) + " seed=" + seed);
        if (recycle)
        {
            assertTrue(recycled(dataDir) > 0, "segments were recycled");
        }
    }

    private static long recycled(final Path dataDir)
    {
        return SegmentFiles.list(dataDir).stream().filter(file -> SegmentRecycleTest.generation(file) > 0).count();
    }

    /**
     * @return records of an incomplete unit truncated, -1 when nothing was truncated.
     */
    private static long verifyAndAppend(
        final Path dataDir,
        final long contentSeed,
        final long ackedPosition,
        final long ackedSequence,
        final long maxAcked,
        final String context)
    {
        final long dropped;
        try (Journal journal = Journal.open(new JournalContext().dataDir(dataDir).maxSegmentSize(SEGMENT)))
        {
            final RecoveryReport report = journal.recoveryReport();
            dropped = report.truncated() ? report.truncatedRecords() : -1;
            final String where = context + " " + report;
            assertTrue(report.lastSequence() >= maxAcked, "acknowledged records lost: " + where);
            assertEquals(report.lastSequence(), report.recordCount(), where);
            assertTrue(report.nextPosition() > report.lastPosition(), where);
            assertEquals(report.lastSequence(), journal.lastSequence(), where);

            final long[] expected = {1};
            final long[] previousPosition = {0};
            final long count = journal.replay(0,
                (buffer, offset, length, type, version, position, sequence, timestamp) ->
                {
                    assertEquals(expected[0], sequence, where);
                    assertTrue(position > previousPosition[0], where);
                    assertEquals(CrashAppender.length(contentSeed, sequence), length, where + " seq " + sequence);
                    assertEquals(CrashAppender.type(sequence), type, where);
                    assertEquals(CrashAppender.timestamp(sequence), timestamp, where);
                    final byte[] bytes = new byte[length];
                    buffer.getBytes(offset, bytes);
                    if (!Arrays.equals(TestRecord.payload(contentSeed, sequence, length), bytes))
                    {
                        fail("payload differs at sequence " + sequence + " position " + position + ", " + where);
                    }
                    previousPosition[0] = position;
                    expected[0]++;
                });
            assertEquals(report.recordCount(), count, where);

            long unitStart = 1;
            while (unitStart <= report.lastSequence())
            {
                unitStart += CrashAppender.unitSize(contentSeed, unitStart);
            }
            assertEquals(report.lastSequence() + 1, unitStart,
                "the log ends inside a unit (a partial unit was recovered): " + where);

            final long[] seen = {0};
            assertTrue(journal.read(ackedPosition, (b, o, l, t, v, position, sequence, ts) -> seen[0] = sequence));
            assertEquals(ackedSequence, seen[0], where);

            CrashAppender.appendUnit(journal, contentSeed, new JournalClaim());
            assertTrue(journal.flush() > 0, where);
        }
        final VerifyReport verify = JournalInspector.verify(dataDir);
        assertTrue(verify.ok() && !verify.tornTail(), context + " " + verify.faults());
        return dropped;
    }
}
