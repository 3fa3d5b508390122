package io.axiom.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Start-up = newest valid snapshot + replay of the log after it, and that gives the same state (same digest) as a
 * replay of the whole log.
 */
class SnapshotRecoveryTest
{
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(EngineFixture.START_MS);

    private Engine launch()
    {
        final Engine engine = Engine.launch(new EngineContext()
            .dataDir(dir)
            .maxSegmentSize(1024 * 1024)
            .leaseDurationMs(200)
            .snapshotIntervalEvents(40)
            .timerTickMs(1)
            .epochClock(clock::get));
        EngineFixture.await("ready", engine::isReady);
        return engine;
    }

    @Test
    void snapshotPlusTailEqualsFullReplay() throws IOException
    {
        final long seed = System.nanoTime();
        final Random random = new Random(seed);
        final Engine first = launch();
        final TestWorker worker = new TestWorker(first, 1);
        worker.hello(3, "A");
        final java.util.ArrayDeque<TestWorker.Assigned> held = new java.util.ArrayDeque<>();
        for (int i = 0; i < 80; i++)
        {
            for (TestWorker.Frame frame = worker.poll(); null != frame; frame = worker.poll())
            {
                if (frame instanceof TestWorker.Assigned assigned)
                {
                    held.add(assigned);
                }
            }
            final int op = random.nextInt(6);
            if (op >= 4 && !held.isEmpty())
            {
                // Completions and failures of tasks the worker holds; some of them stale by now (lease expired).
                final TestWorker.Assigned task = held.poll();
                if (op == 4)
                {
                    worker.complete(task.taskId(), task.token(), "{\"done\":" + i + "}");
                }
                else
                {
                    worker.fail(task.taskId(), task.token(), random.nextBoolean(), "seed " + seed);
                }
                first.client().list(0, 0, null, TIMEOUT);
                continue;
            }
            if (op == 0 || i < 10)
            {
                first.client().create(new CreateWorkflow("w" + random.nextInt(3),
                    List.of(StepSpec.task("A"), random.nextBoolean() ? StepSpec.approval("B") : StepSpec.timer("T", 50)),
                    "{}".getBytes(StandardCharsets.UTF_8), random.nextInt(5) == 0 ? "key" + i : null), TIMEOUT);
            }
            else if (op == 1)
            {
                first.client().advance(1 + random.nextInt(10), null, "{\"ok\":1}".getBytes(StandardCharsets.UTF_8),
                    TIMEOUT);
            }
            else if (op == 2)
            {
                first.client().cancel(1 + random.nextInt(10), "seed " + seed, TIMEOUT);
            }
            else
            {
                clock.addAndGet(random.nextInt(300));
                first.client().list(0, 0, null, TIMEOUT);
            }
        }
        first.close();
        assertTrue(first.counters().snapshotCount() > 1, "periodic snapshots taken, seed " + seed);
        assertTrue(first.counters().completionsAccepted() + first.counters().failuresAccepted() > 0 &&
            first.counters().tasksDispatched() > 0, "workers took part, seed " + seed);
        final long digest = first.digestAfterClose();

        final Engine fromSnapshot = launch();
        assertNotEquals(0, fromSnapshot.counters().recoveredFromPosition(), "seed " + seed);
        fromSnapshot.close();
        assertEquals(digest, fromSnapshot.digestAfterClose(), "snapshot + tail, seed " + seed);

        final List<Path> snapshots = new SnapshotStore(dir, 2).list();
        final Path newest = snapshots.get(snapshots.size() - 1);
        final byte[] bytes = Files.readAllBytes(newest);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(newest, bytes);
        final Engine fallback = launch();
        assertTrue(fallback.counters().snapshotNotes().toString().contains("fails its checksum"),
            fallback.counters().snapshotNotes().toString());
        fallback.close();
        assertEquals(digest, fallback.digestAfterClose(), "older snapshot + longer tail, seed " + seed);

        try (Stream<Path> files = Files.walk(dir.resolve(SnapshotStore.DIRECTORY)))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        final Engine fullReplay = Engine.launch(new EngineContext()
            .dataDir(dir)
            .maxSegmentSize(1024 * 1024)
            .snapshotRetain(0)
            .epochClock(clock::get));
        EngineFixture.await("ready", fullReplay::isReady);
        assertEquals(0, fullReplay.counters().recoveredFromPosition());
        fullReplay.close();
        assertEquals(digest, fullReplay.digestAfterClose(), "whole log, seed " + seed);
    }

    @Test
    void aSnapshotInAFormatThisVersionDoesNotReadIsIgnoredAndTheWholeLogReplayed()
    {
        final Path data = dir.resolve("data");
        final long[] ids = new long[3];
        final String[] states = new String[3];
        try (EngineFixture f = new EngineFixture(data))
        {
            for (int i = 0; i < ids.length; i++)
            {
                ids[i] = f.create("older-format-" + i, StepSpec.approval("A")).id();
            }
        } // the shutdown snapshot
        try (io.axiom.journal.Journal journal = io.axiom.journal.Journal.open(new io.axiom.journal.JournalContext()
            .dataDir(data).maxSegmentSize(1024 * 1024).conclude()))
        {
            final SnapshotStore store = new SnapshotStore(data, 2);
            final SnapshotStore.Snapshot snapshot = store.select(journal, false).snapshot();
            assertTrue(null != snapshot, "the shutdown snapshot");
            final byte[] payload = snapshot.payload().clone();
            System.arraycopy("AXXSNAP3".getBytes(StandardCharsets.US_ASCII), 0, payload, 0, 8);
            Files.delete(snapshot.file());
            store.write(snapshot.position(), snapshot.lastPosition(), snapshot.lastSequence(), snapshot.lastChecksum(),
                new org.agrona.concurrent.UnsafeBuffer(payload), 0, payload.length);
        }
        catch (final IOException ex)
        {
            throw new java.io.UncheckedIOException(ex);
        }
        try (EngineFixture f = new EngineFixture(data))
        {
            final List<String> notes = f.engine.counters().snapshotNotes();
            assertTrue(notes.stream().anyMatch((n) -> n.startsWith("Ignored ") && n.contains("(AXXSNAP3, this " +
                "version writes AXXSNAP")), notes.toString());
            for (int i = 0; i < ids.length; i++)
            {
                assertEquals("WAITING", f.get(ids[i]).state(), "workflow " + ids[i] + " from the whole log");
                assertEquals("older-format-" + i, f.get(ids[i]).name());
            }
        }
    }
}
