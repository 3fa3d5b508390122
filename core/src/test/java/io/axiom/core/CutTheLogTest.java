package io.axiom.core;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;
import io.axiom.journal.JournalInspector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineClient.NO_STEP_INDEX;
import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Promise 3 at every point of a crash: a recorded history of every kind of command (creates with and without a key,
 * inputs larger than the journal's staging buffer, advances by index and by key, a retried create, a timer that
 * fires, a cancel, segment rotations) is cut at every record boundary and at sampled byte offsets, as if the process
 * had died with only the bytes before the cut on disk. Each cut must recover to exactly the state after some prefix
 * of whole commands: the state an independent engine reaches by running those commands (same digest), never half a
 * command. The sampled offsets come from a seed printed on failure ({@code -Daxiom.cut.seed=N} replays it).
 */
class CutTheLogTest
{
    private static final int SEGMENT = 64 * 1024;
    private static final int SAMPLED_OFFSETS = 40;

    @TempDir
    Path dir;

    /** One step of the recorded history. */
    private record Step(String what, Consumer<EngineFixture> action)
    {
    }

    private static byte[] input(final int size, final int seed)
    {
        final StringBuilder json = new StringBuilder("{\"seed\":").append(seed).append(",\"pad\":\"");
        while (json.length() < size - 2)
        {
            json.append((char)('a' + (json.length() + seed) % 26));
        }
        return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static EngineReply expect(final Status status, final EngineReply reply)
    {
        assertEquals(status, reply.status(), reply.toString());
        return reply;
    }

    private static List<Step> history()
    {
        final List<Step> steps = new ArrayList<>();
        steps.add(new Step("create two approvals and a task, with a key", f -> expect(Status.CREATED,
            f.client().create(new CreateWorkflow("payout", List.of(StepSpec.approval("APPROVE"),
                StepSpec.approval("APPROVE"), StepSpec.task("PAY")), input(200, 1), "payout-1"), TIMEOUT))));
        steps.add(new Step("create a timer then a task, input larger than the staging buffer", f -> expect(
            Status.CREATED, f.client().create(new CreateWorkflow("cool-off", List.of(StepSpec.timer("COOL", 1000),
                StepSpec.task("SHIP")), input(20 * 1024, 2), null), TIMEOUT))));
        steps.add(new Step("create one task", f -> expect(Status.CREATED, f.client().create(
            new CreateWorkflow("single", List.of(StepSpec.task("T")), null, null), TIMEOUT))));
        steps.add(new Step("advance step 0 with a key", f -> expect(Status.OK,
            f.client().advance(1, "APPROVE", 0, input(100, 3), "approve-0", TIMEOUT))));
        steps.add(new Step("retry the create (writes nothing)", f -> expect(Status.EXISTING,
            f.client().create(new CreateWorkflow("payout", List.of(StepSpec.approval("APPROVE"),
                StepSpec.approval("APPROVE"), StepSpec.task("PAY")), input(200, 1), "payout-1"), TIMEOUT))));
        steps.add(new Step("retry the advance (writes nothing)", f -> expect(Status.EXISTING,
            f.client().advance(1, "APPROVE", 0, input(100, 3), "approve-0", TIMEOUT))));
        steps.add(new Step("the timer fires", f -> f.advanceClock(1000)));
        steps.add(new Step("cancel with a key", f -> expect(Status.OK,
            f.client().cancel(3, "changed their mind", NO_STEP_INDEX, "cancel-3", TIMEOUT))));
        steps.add(new Step("advance step 1 by index", f -> expect(Status.OK,
            f.client().advance(1, null, 1, null, null, TIMEOUT))));
        steps.add(new Step("complete the task by hand, large output", f -> expect(Status.OK,
            f.client().advance(1, null, 2, input(18 * 1024, 4), null, TIMEOUT))));
        steps.add(new Step("complete the shipped task", f -> expect(Status.OK,
            f.client().advance(2, "SHIP", NO_STEP_INDEX, null, null, TIMEOUT))));
        for (int i = 0; i < 5; i++)
        {
            final int n = i;
            steps.add(new Step("create large " + n + " (rotates segments)", f -> expect(Status.CREATED,
                f.client().create(new CreateWorkflow("large-" + n, List.of(StepSpec.approval("A"), StepSpec.task("B")),
                    input(19 * 1024, 10 + n), "large-" + n), TIMEOUT))));
        }
        steps.add(new Step("advance a large one", f -> expect(Status.OK,
            f.client().advance(5, null, 0, input(1024, 20), null, TIMEOUT))));
        return steps;
    }

    private static EngineFixture engine(final Path dataDir, final AtomicLong clock)
    {
        return new EngineFixture(dataDir, clock, ctx -> ctx.maxSegmentSize(SEGMENT).snapshotRetain(0));
    }

    @Test
    void everyCutRecoversToAPrefixOfWholeCommands() throws IOException
    {
        final long seed = Long.getLong("axiom.cut.seed", System.nanoTime());
        try
        {
            cutEverywhere(seed);
        }
        catch (final AssertionError | RuntimeException ex)
        {
            throw new AssertionError("cut-the-log test failed with seed " + seed + " (replay with -Daxiom.cut.seed=" +
                seed + "): " + ex.getMessage(), ex);
        }
    }

    private void cutEverywhere(final long seed) throws IOException
    {
        final List<Step> history = history();

        // The recorded run: the journal position after each command.
        final Path recorded = Files.createDirectories(dir.resolve("recorded"));
        final long[] endAfter = new long[history.size() + 1];
        try (EngineFixture f = engine(recorded, new AtomicLong(EngineFixture.START_MS)))
        {
            endAfter[0] = f.engine.journalPosition();
            for (int k = 0; k < history.size(); k++)
            {
                history.get(k).action().accept(f);
                endAfter[k + 1] = f.engine.journalPosition();
            }
        }
        assertTrue(Files.exists(recorded.resolve(String.format("%020d.wal", SEGMENT))), "the history rotates");

        // The oracle: the digest an independent engine reaches after each prefix of whole commands.
        final long[] digestAfter = new long[history.size() + 1];
        for (int k = 0; k <= history.size(); k++)
        {
            final Path oracle = Files.createDirectories(dir.resolve("oracle-" + k));
            final EngineFixture f = engine(oracle, new AtomicLong(EngineFixture.START_MS));
            for (int i = 0; i < k; i++)
            {
                history.get(i).action().accept(f);
            }
            assertEquals(endAfter[k], f.engine.journalPosition(), "the oracle writes the same log");
            f.close();
            digestAfter[k] = f.engine.digestAfterClose();
            deleteTree(oracle);
        }

        // Every record boundary, a byte after each, and sampled offsets inside records.
        final List<Long> starts = new ArrayList<>();
        final List<Long> ends = new ArrayList<>();
        JournalInspector.dump(recorded, 0, Long.MAX_VALUE, (buffer, offset, length, type, version, position, sequence,
            timestamp) ->
        {
            starts.add(position);
            ends.add(position + 32 + length);
        });
        final TreeSet<Long> cuts = new TreeSet<>(starts);
        cuts.addAll(ends);
        starts.forEach(p -> cuts.add(p + 1));
        final Random random = new Random(seed);
        for (int i = 0; i < SAMPLED_OFFSETS; i++)
        {
            final int r = random.nextInt(starts.size());
            cuts.add(starts.get(r) + 1 + random.nextInt((int)(ends.get(r) - starts.get(r))));
        }

        // The last non-zero byte a command wrote: a cut after it loses nothing of the command (the bytes it zeroes
        // were zero already: padding, or a record whose last fields are zero).
        final long[] lastByteAfter = new long[history.size() + 1];
        for (int k = 0; k <= history.size(); k++)
        {
            long end = endAfter[k];
            for (int r = 0; r < starts.size(); r++)
            {
                if (starts.get(r) < endAfter[k])
                {
                    end = ends.get(r);
                }
            }
            while (end > 0 && 0 == byteAt(recorded, end - 1))
            {
                end--;
            }
            lastByteAfter[k] = end;
        }

        int cutsChecked = 0;
        int partialCommandsDropped = 0;
        for (final long cut : cuts)
        {
            int commands = 0;
            while (commands < history.size() && lastByteAfter[commands + 1] <= cut)
            {
                commands++;
            }
            final int whole = commands;
            final Path copy = dir.resolve("cut-" + cut);
            copyTree(recorded, copy);
            cutLog(copy, cut);
            // The clock stands where the history started, so that no timer of the recovered state comes due.
            final EngineFixture f = engine(copy, new AtomicLong(EngineFixture.START_MS));
            try
            {
                checkInvariants(f, "cut at " + cut);
                final io.axiom.journal.RecoveryReport report = f.engine.counters().recoveryReport();
                final long nextStart = starts.stream().filter(p -> p >= endAfter[whole]).findFirst().orElse(Long.MAX_VALUE);
                if (cut > nextStart)
                {
                    // Bytes of the next command were on disk: recovery must say it dropped them.
                    assertTrue(report.truncated() && !report.notes().isEmpty(), "cut at " + cut + ": recovery " +
                        "dropped part of a command without saying so: " + report);
                    if (report.truncatedRecords() > 0)
                    {
                        partialCommandsDropped++;
                    }
                }
                else
                {
                    assertTrue(!report.truncated(), "cut at " + cut + " is a command boundary: " + report);
                }
            }
            finally
            {
                f.close();
            }
            assertEquals(digestAfter[whole], f.engine.digestAfterClose(), "cut at position " + cut + " (log ends after " +
                "the commands at " + java.util.Arrays.toString(endAfter) + "; recovered " +
                f.engine.counters().workflowCount() + " workflows, recovery said " +
                f.engine.counters().recoveryReport().notes() + ") must recover " +
                "the state after the first " + whole + " commands (up to '" + (whole == 0 ? "nothing" :
                history.get(whole - 1).what()) + "')");
            deleteTree(copy);
            cutsChecked++;
        }
        System.out.println("CutTheLogTest: seed " + seed + ", " + history.size() + " commands, " + starts.size() +
            " records, " + cutsChecked + " cuts recovered to a prefix of whole commands, " + partialCommandsDropped +
            " of them dropped part of a command");
        assertTrue(cutsChecked > 2 * starts.size(), "cuts checked: " + cutsChecked);
        assertNotEquals(0, partialCommandsDropped, "some cuts fall inside a command of several records");
    }

    private static byte byteAt(final Path dataDir, final long position) throws IOException
    {
        final long base = position / SEGMENT * SEGMENT;
        try (RandomAccessFile raf = new RandomAccessFile(dataDir.resolve(String.format("%020d.wal", base)).toFile(),
            "r"))
        {
            raf.seek(position - base);
            return raf.readByte();
        }
    }

    private static void checkInvariants(final EngineFixture f, final String where)
    {
        final EngineReply.WorkflowList all = (EngineReply.WorkflowList)f.client().list(0, 1000, null, TIMEOUT);
        for (final WorkflowView w : all.workflows())
        {
            assertNotEquals("CREATED", w.state(), where + ": workflow " + w.id() + " was created but never started");
            final List<EventView> events = EngineTest.events(f.client().allEvents(w.id(), TIMEOUT));
            final long completions = events.stream().filter(e -> "StepCompleted".equals(e.type())).count();
            final long distinct = events.stream().filter(e -> "StepCompleted".equals(e.type()))
                .map(e -> e.fields().get("step_index")).distinct().count();
            assertEquals(distinct, completions, where + ": a step of workflow " + w.id() + " completed twice");
            final EngineReply.Replay replay = (EngineReply.Replay)f.client().replay(w.id(), TIMEOUT);
            assertTrue(replay.matchesLive(), where + ": replay of workflow " + w.id() + " differs from its state");
        }
    }

    /**
     * Leave only the bytes before the cut: zero the rest of its segment (the file keeps its preallocated length) and
     * remove every later segment.
     */
    static void cutLog(final Path dataDir, final long cut) throws IOException
    {
        try (Stream<Path> files = Files.list(dataDir))
        {
            for (final Path file : files.filter(p -> p.getFileName().toString().endsWith(".wal")).toList())
            {
                final long base = Long.parseLong(file.getFileName().toString().replace(".wal", ""));
                if (base > cut || (base == cut && base > 0))
                {
                    Files.delete(file);
                }
                else if (cut < base + Files.size(file))
                {
                    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
                    {
                        final byte[] zeros = new byte[(int)(raf.length() - (cut - base))];
                        raf.seek(cut - base);
                        raf.write(zeros);
                    }
                }
            }
        }
    }

    static void copyTree(final Path from, final Path to) throws IOException
    {
        Files.createDirectories(to);
        try (Stream<Path> files = Files.list(from))
        {
            for (final Path file : files.filter(Files::isRegularFile).toList())
            {
                if (!file.getFileName().toString().endsWith(".lock"))
                {
                    Files.copy(file, to.resolve(file.getFileName()));
                }
            }
        }
    }

    static void deleteTree(final Path root) throws IOException
    {
        try (Stream<Path> paths = Files.walk(root))
        {
            for (final Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
            {
                Files.deleteIfExists(p);
            }
        }
    }
}
