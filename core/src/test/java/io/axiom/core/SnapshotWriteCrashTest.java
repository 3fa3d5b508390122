package io.axiom.core;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import io.axiom.core.api.WorkflowView;
import io.axiom.journal.SnapshotStore;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A crash at every step of writing a snapshot: a real engine process under load ({@link SnapshotCrashChild}) stops its
 * second snapshot at one step (the journal's test-only crash point) and is SIGKILLed there. Then the data directory is
 * opened again: the temp file left behind is removed with a recovery note and start-up falls back to the first
 * snapshot; a snapshot renamed but whose directory was not fsynced is used (it is whole: its bytes were fsynced before
 * the rename). Either way the state equals a replay of the whole log (same digest) and every acknowledged command is
 * there. Reproduce with {@code -Daxiom.test.seed=<seed printed>}.
 */
class SnapshotWriteCrashTest
{
    @TempDir
    Path dir;

    @RegisterExtension
    final CrashRounds crash = new CrashRounds();

    @ParameterizedTest
    @ValueSource(strings = {"PAGE_WRITTEN", "BEFORE_FSYNC", "BEFORE_RENAME", "AFTER_RENAME_BEFORE_DIR_FSYNC"})
    @Timeout(value = 120, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void recoversCorrectlyFromACrashAt(final String step) throws Exception
    {
        CrashRounds.seeded("SnapshotWriteCrashTest " + step, step + ", ", seed -> crashAt(step, seed));
    }

    private void crashAt(final String step, final long seed) throws Exception
    {
        final Path data = dir.resolve("data");
        final Map<Long, Long> acknowledgedSteps = new HashMap<>();
        final Process child = crash.start(ChildJvmCommand.of(SnapshotCrashChild.class, data.toString(),
            Long.toString(seed), step, "2"), dir.resolve("child.err"));
        String crashedFile = null;
        try (BufferedReader out = new BufferedReader(
            new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = out.readLine()))
            {
                final String[] f = line.split(" ");
                if ("SNAPSHOT-CRASH-AT".equals(f[0]))
                {
                    assertEquals(step, f[1]);
                    crashedFile = f[2];
                    // SIGKILL while the writer is stopped at the step; by kill(1), not destroyForcibly, which would
                    // close this end of the pipe before the acknowledgements already printed are read
                    assertEquals(0, new ProcessBuilder("kill", "-9", Long.toString(child.pid())).start().waitFor());
                    assertTrue(child.waitFor(10, TimeUnit.SECONDS), "the child died");
                }
                else if ("ACK".equals(f[0]))
                {
                    acknowledgedSteps.merge(Long.parseLong(f[2]), "create".equals(f[1]) ? 0 : Long.parseLong(f[3]),
                        Math::max);
                }
            }
        }
        assertNotNull(crashedFile, "the child never reached " + step + ": " +
            Files.readString(dir.resolve("child.err")));
        final Path snapshots = data.resolve(SnapshotStore.DIRECTORY);
        final Path temp = snapshots.resolve(crashedFile + ".tmp");
        final boolean renamed = "AFTER_RENAME_BEFORE_DIR_FSYNC".equals(step);
        assertEquals(!renamed, Files.exists(temp), "temp file left by the crash");
        assertEquals(renamed, Files.exists(snapshots.resolve(crashedFile)), "snapshot in place after the crash");
        final List<Path> before = new SnapshotStore(data, 5).list();
        assertFalse(before.isEmpty(), "the first snapshot was written before the crash");
        final long first = position(before.get(0).getFileName().toString());

        final Path whole = dir.resolve("whole-log");
        copyWithoutSnapshots(data, whole);

        final Engine recovered = launch(data);
        final String notes = String.join("\n", recovered.counters().snapshotNotes());
        final long from = recovered.counters().recoveredFromPosition();
        checkAcknowledged(recovered, acknowledgedSteps, step);
        recovered.close();
        assertNull(recovered.failure());
        assertFalse(Files.exists(temp), "the temp file was removed");
        if (renamed)
        {
            assertEquals(position(crashedFile), from, "the renamed snapshot is whole and used");
            assertEquals("", notes);
        }
        else
        {
            assertTrue(notes.contains("Removed snapshots/" + crashedFile + ".tmp"), notes);
            assertEquals(first, from, "start-up fell back to the first snapshot");
        }

        final Engine replayed = launch(whole);
        assertEquals(0, replayed.counters().recoveredFromPosition());
        replayed.close();
        assertEquals(replayed.digestAfterClose(), recovered.digestAfterClose(),
            "recovery from the snapshot and the tail equals a replay of the whole log");
        System.out.println("SnapshotWriteCrashTest " + step + ": " + acknowledgedSteps.size() +
            " acknowledged workflows, recovered from position " + from + (notes.isEmpty() ? "" : "; " + notes));
    }

    private static Engine launch(final Path data)
    {
        final Engine engine = Engine.launch(SnapshotCrashChild.context(data));
        EngineFixture.await("recovery", () -> engine.isReady() || null != engine.failure());
        assertNull(engine.failure(), "recovery failed");
        return engine;
    }

    private static void checkAcknowledged(final Engine engine, final Map<Long, Long> acknowledged, final String step)
    {
        assertFalse(acknowledged.isEmpty());
        for (final Map.Entry<Long, Long> acked : acknowledged.entrySet())
        {
            final WorkflowView w = EngineFixture.created(engine.client().get(acked.getKey(), TIMEOUT));
            final long completed = w.steps().stream().filter(s -> "COMPLETED".equals(s.status())).count();
            assertTrue(completed >= acked.getValue(), step + ": workflow " + w.id() + " has " + completed +
                " completed steps, " + acked.getValue() + " were acknowledged");
        }
    }

    private static long position(final String file)
    {
        return Long.parseLong(file.substring("snapshot-".length(), "snapshot-".length() + 20));
    }

    private static void copyWithoutSnapshots(final Path from, final Path to) throws IOException
    {
        try (Stream<Path> files = Files.walk(from))
        {
            for (final Path file : files.toList())
            {
                final Path target = to.resolve(from.relativize(file).toString());
                if (Files.isDirectory(file))
                {
                    Files.createDirectories(target);
                }
                else if (!from.relativize(file).toString().startsWith(SnapshotStore.DIRECTORY) &&
                    !file.getFileName().toString().endsWith(".lock"))
                {
                    Files.copy(file, target);
                }
            }
        }
    }
}
