package io.axiom.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.StepSpec;
import io.axiom.journal.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots captured while commands keep changing the workflows they are capturing (one workflow encoded per duty
 * cycle, so a capture spans many batches and most changes land on workflows not yet encoded): recovery from each of
 * them plus the log after it gives the same state digest as the engine had, which is the digest of the whole log.
 */
class SnapshotWhileCommandsFlowTest
{
    private static final int THREADS = 3;

    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(EngineFixture.START_MS);

    private Engine launch(final Path dataDir)
    {
        final Engine engine = Engine.launch(new EngineContext()
            .dataDir(dataDir)
            .maxSegmentSize(1024 * 1024)
            .snapshotIntervalEvents(30)
            .snapshotRetain(1000)
            .snapshotSliceWorkflows(1)
            .epochClock(clock::get));
        EngineFixture.await("ready", engine::isReady);
        return engine;
    }

    @Test
    void recoveryFromEverySnapshotTakenWhileCommandsFlowEqualsTheWholeLog() throws Exception
    {
        final long seed = System.nanoTime();
        System.out.println("SnapshotWhileCommandsFlowTest seed " + seed);
        final Path data = dir.resolve("data");
        final Engine first = launch(data);
        final Random setup = new Random(seed);
        for (int i = 0; i < 150; i++)
        {
            first.client().create(definition("w" + i, setup, i % 7 == 0 ? "key" + i : null), TIMEOUT);
        }
        final List<Thread> threads = new ArrayList<>();
        final List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        for (int t = 0; t < THREADS; t++)
        {
            final Random random = new Random(seed + t + 1);
            final Thread thread = new Thread(() ->
            {
                try
                {
                    for (int i = 0; i < 150; i++)
                    {
                        final int op = random.nextInt(10);
                        final long id = 1 + random.nextInt(150);
                        if (op < 6)
                        {
                            first.client().advance(id, null, "{\"ok\":1}".getBytes(StandardCharsets.UTF_8), TIMEOUT);
                        }
                        else if (op < 7)
                        {
                            first.client().cancel(id, "seed " + seed, TIMEOUT);
                        }
                        else
                        {
                            first.client().create(definition("n" + i, random, null), TIMEOUT);
                        }
                    }
                }
                catch (final Throwable ex)
                {
                    failures.add(ex);
                }
            });
            threads.add(thread);
            thread.start();
        }
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertEquals(List.of(), failures, "seed " + seed);
        first.close();
        final long digest = first.digestAfterClose();
        assertTrue(first.counters().snapshotCount() > 5, "snapshots taken, seed " + seed);
        assertEquals(0, first.counters().snapshotFailures(), "seed " + seed);
        System.out.println("SnapshotWhileCommandsFlowTest: " + first.counters().snapshotCount() + " snapshots, " +
            first.counters().snapshotPreImages() + " pre-images");

        final List<Path> snapshots = new SnapshotStore(data, 1000).list();
        int checked = 0;
        for (int s = 0; s < snapshots.size(); s += Math.max(1, snapshots.size() / 6))
        {
            final Path copy = dir.resolve("from-" + s);
            copyWithOnly(data, copy, snapshots.get(s));
            final long position = Long.parseLong(snapshots.get(s).getFileName().toString().substring(9, 29));
            final Engine recovered = launch(copy);
            assertEquals(position, recovered.counters().recoveredFromPosition(), "seed " + seed);
            recovered.close();
            assertEquals(digest, recovered.digestAfterClose(), "from " + snapshots.get(s) + ", seed " + seed);
            checked++;
        }
        assertTrue(checked >= 5, "snapshots checked: " + checked);

        final Path none = dir.resolve("whole-log");
        copyWithOnly(data, none, null);
        final Engine whole = launch(none);
        assertEquals(0, whole.counters().recoveredFromPosition());
        whole.close();
        assertEquals(digest, whole.digestAfterClose(), "whole log, seed " + seed);
        assertTrue(first.counters().snapshotPreImages() > 0,
            "workflows changed while a snapshot held them, seed " + seed);
    }

    private static CreateWorkflow definition(final String name, final Random random, final String key)
    {
        final List<StepSpec> steps = new ArrayList<>();
        for (int i = 0, n = 1 + random.nextInt(4); i < n; i++)
        {
            steps.add(StepSpec.approval("S" + i));
        }
        return new CreateWorkflow(name, steps, "{}".getBytes(StandardCharsets.UTF_8), key);
    }

    private static void copyWithOnly(final Path from, final Path to, final Path snapshot) throws IOException
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
                else if (!file.getParent().getFileName().toString().equals(SnapshotStore.DIRECTORY) ||
                    file.equals(snapshot))
                {
                    Files.copy(file, target);
                }
            }
        }
    }
}
