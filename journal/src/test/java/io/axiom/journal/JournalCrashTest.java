package io.axiom.journal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Kills a real appending process with SIGKILL at random points, many rounds in one data dir, and checks that every
 * acknowledged record survives byte-exact, that sequences stay continuous and that appends go on.
 * Reproduce a failure with {@code -Daxiom.test.seed=<seed printed in the failure>}.
 */
class JournalCrashTest
{
    private static final int ROUNDS = 50;
    private static final long SEGMENT = 1024 * 1024;

    @TempDir
    Path dir;

    private Process child;

    @AfterEach
    void killChild() throws InterruptedException
    {
        if (null != child)
        {
            child.destroyForcibly();
            child.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    @Timeout(value = 180, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void acknowledgedRecordsSurviveSigkill() throws Exception
    {
        final long seed = Long.getLong("axiom.test.seed", System.nanoTime());
        System.out.println("JournalCrashTest seed=" + seed);
        final Random random = new Random(seed);
        final long contentSeed = random.nextLong();
        final Path dataDir = dir.resolve("wal");
        final Path childErr = dir.resolve("child.err");
        long maxAcked = 0;
        int truncations = 0;
        for (int round = 0; round < ROUNDS; round++)
        {
            final String context = "seed=" + seed + " round=" + round;
            final int acksWanted = 1 + random.nextInt(25);
            final List<String> command = new ArrayList<>();
            command.add(System.getProperty("java.home") + "/bin/java");
            for (final String flag : System.getProperty("axiom.jvm.flags", "").split(" "))
            {
                if (!flag.isBlank())
                {
                    command.add(flag);
                }
            }
            command.addAll(List.of("-XX:TieredStopAtLevel=1", "-Xshare:auto", "-Xmx128m",
                "-cp", System.getProperty("java.class.path"), CrashAppender.class.getName(),
                dataDir.toString(), Long.toString(SEGMENT), Long.toString(contentSeed),
                Long.toString(random.nextLong())));

            long ackedPosition = 0;
            long ackedSequence = 0;
            int acks = 0;
            child = new ProcessBuilder(command).redirectError(childErr.toFile()).start();
            try (BufferedReader reader = new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.US_ASCII)))
            {
                String line;
                while (acks < acksWanted && null != (line = reader.readLine()))
                {
                    if (line.startsWith("ACK "))
                    {
                        final String[] parts = line.split(" ");
                        ackedPosition = Long.parseLong(parts[1]);
                        ackedSequence = Long.parseLong(parts[2]);
                        acks++;
                    }
                }
                child.destroyForcibly();
                child.waitFor();
            }
            finally
            {
                child.destroyForcibly();
                child.waitFor();
            }
            if (acks < acksWanted)
            {
                fail("child exited before " + acksWanted + " acks, " + context + ": " + Files.readString(childErr));
            }
            maxAcked = Math.max(maxAcked, ackedSequence);
            truncations += verifyAndAppend(dataDir, contentSeed, ackedPosition, ackedSequence, maxAcked, context);
        }
        System.out.println("JournalCrashTest rounds=" + ROUNDS + " acknowledged=" + maxAcked + " torn tails=" +
            truncations + " segments=" + SegmentFiles.list(dataDir).size() + " seed=" + seed);
    }

    private static int verifyAndAppend(
        final Path dataDir,
        final long contentSeed,
        final long ackedPosition,
        final long ackedSequence,
        final long maxAcked,
        final String context)
    {
        boolean truncated;
        try (Journal journal = Journal.open(new JournalContext().dataDir(dataDir).maxSegmentSize(SEGMENT)))
        {
            final RecoveryReport report = journal.recoveryReport();
            truncated = report.truncated();
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

            final long[] seen = {0};
            assertTrue(journal.read(ackedPosition, (b, o, l, t, v, position, sequence, ts) -> seen[0] = sequence));
            assertEquals(ackedSequence, seen[0], where);

            final long sequence = journal.lastSequence() + 1;
            final int length = CrashAppender.length(contentSeed, sequence);
            final byte[] payload = TestRecord.payload(contentSeed, sequence, length);
            journal.append(CrashAppender.type(sequence), 1, CrashAppender.timestamp(sequence),
                new UnsafeBuffer(payload), 0, length);
            assertTrue(journal.flush() > 0, where);
        }
        final VerifyReport verify = JournalInspector.verify(dataDir);
        assertTrue(verify.ok() && !verify.tornTail(), context + " " + verify.faults());
        return truncated ? 1 : 0;
    }
}
