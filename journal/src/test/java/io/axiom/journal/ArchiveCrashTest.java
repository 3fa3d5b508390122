package io.axiom.journal;

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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a real process that appends and archives with SIGKILL, half the rounds just after it starts archiving a
 * segment (while the archive is written, renamed, or the segment retired into the pool, or a pool file is being made
 * the next segment), and checks after each: every acknowledged record is read back byte-exact through the archives
 * and the live log, sequences continuous from 1; each segment is exactly once live or archived (no archive of a live
 * segment, no temp left); the pool stays bounded; wal verify is clean. Reproduce a failure with {@code
 * -Daxiom.test.seed=<seed printed in the failure>}.
 */
class ArchiveCrashTest
{
    private static final int ROUNDS = 40;
    private static final long SEGMENT = 1024 * 1024;

    @TempDir
    Path dir;

    @RegisterExtension
    final CrashRounds crash = new CrashRounds();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void everySegmentIsOnceLiveOrArchivedAfterSigkillWhileArchiving() throws Exception
    {
        final long seed = CrashRounds.seed("ArchiveCrashTest");
        final Random random = new Random(seed);
        final long contentSeed = random.nextLong();
        final Path dataDir = dir.resolve("wal");
        final Path childErr = dir.resolve("child.err");
        long maxAcked = 0;
        int killedWhileArchiving = 0;
        int retiredSeen = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final String context = "seed=" + seed + " round=" + round;
            final boolean duringArchiving = round % 2 == 1 && round > 4;
            final int acksWanted = 1 + random.nextInt(30);
            long ackedPosition = 0;
            long ackedSequence = 0;
            int acks = 0;
            boolean archiving = false;
            try (ChildJvm child = crash.start(childErr, ArchivingAppender.class, dataDir.toString(),
                Long.toString(SEGMENT), Long.toString(contentSeed), Long.toString(random.nextLong())))
            {
                String line;
                while (null != (line = child.readLine()))
                {
                    if (line.startsWith("ACK "))
                    {
                        final String[] parts = line.split(" ");
                        ackedPosition = Long.parseLong(parts[1]);
                        ackedSequence = Long.parseLong(parts[2]);
                        acks++;
                        archiving = false;
                        if (!duringArchiving && acks >= acksWanted)
                        {
                            break;
                        }
                    }
                    else if (line.startsWith("ARCHIVING "))
                    {
                        archiving = true;
                        if (duringArchiving && acks >= acksWanted)
                        {
                            break;
                        }
                    }
                    else if (line.startsWith("RETIRED "))
                    {
                        archiving = false;
                        retiredSeen++;
                    }
                }
                if (null == line)
                {
                    fail("child exited, " + context + ": " + Files.readString(childErr));
                }
                LockSupport.parkNanos(random.nextInt(duringArchiving ? 4_000_000 : 3_000_000));
            }
            killedWhileArchiving += archiving ? 1 : 0;
            maxAcked = Math.max(maxAcked, ackedSequence);
            verifyAndAppend(dataDir, contentSeed, ackedPosition, ackedSequence, maxAcked, context);
        }
        final int archives = SegmentArchive.list(dataDir.resolve("archive")).size();
        System.out.println("ArchiveCrashTest rounds=" + ROUNDS + " acknowledged=" + maxAcked + " archives=" +
            archives + " retirements seen=" + retiredSeen + " kills after ARCHIVING before RETIRED=" +
            killedWhileArchiving + " live segments=" + SegmentFiles.list(dataDir).size() + " seed=" + seed);
        assertTrue(archives > 5, "segments were archived: " + archives);
    }

    private static void verifyAndAppend(
        final Path dataDir,
        final long contentSeed,
        final long ackedPosition,
        final long ackedSequence,
        final long maxAcked,
        final String context)
    {
        try (Journal journal = Journal.open(new JournalContext().dataDir(dataDir).maxSegmentSize(SEGMENT)))
        {
            final String where = context + " " + journal.recoveryReport();
            assertTrue(journal.lastSequence() >= maxAcked, "acknowledged records lost: " + where);
            final long firstLive = (long)journal.firstSegmentIndex() * SEGMENT;
            assertEquals(firstLive, journal.archivedUpTo(), where);
            for (final Path archive : SegmentArchive.list(journal.archiveDir()))
            {
                assertTrue(SegmentArchive.basePosition(archive) < firstLive, "an archive of a live segment: " +
                    archive + " " + where);
            }
            assertTrue(SegmentArchive.listTemp(journal.archiveDir()).isEmpty(), where);
            // a retirement caps the pool; recovery may add back a prepared .wal.next and a segment after a torn tail
            assertTrue(SegmentFiles.listFree(dataDir).size() <= JournalContext.POOL_LIMIT_DEFAULT + 2, where);

            final long[] expected = {1};
            final long[] previousPosition = {-1};
            final long count = journal.replay(0,
                (buffer, offset, length, type, version, position, sequence, timestamp) ->
                {
                    assertEquals(expected[0], sequence, where);
                    assertTrue(position > previousPosition[0], where);
                    assertEquals(CrashAppender.length(contentSeed, sequence), length, where + " seq " + sequence);
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
            assertEquals(journal.lastSequence(), count, where);
            final long[] seen = {0};
            assertTrue(journal.read(ackedPosition, (b, o, l, t, v, position, sequence, ts) -> seen[0] = sequence),
                where);
            assertEquals(ackedSequence, seen[0], where);
            CrashAppender.appendUnit(journal, contentSeed, new JournalClaim());
            assertTrue(journal.flush() > 0, where);
        }
        final VerifyReport verify = JournalInspector.verify(dataDir);
        assertTrue(verify.ok(), context + " " + verify.faults());
    }
}
