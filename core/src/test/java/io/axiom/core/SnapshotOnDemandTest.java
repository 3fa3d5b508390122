package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.journal.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Snapshots on demand ({@code TakeSnapshot}): answered once the snapshot is durable, joined when one is in flight,
 * refused clearly when snapshots are off or the log is empty, and listed from disk newest first.
 */
class SnapshotOnDemandTest
{
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(EngineFixture.START_MS);

    private Engine launch(final Path dataDir, final int retain, final int slice)
    {
        final Engine engine = Engine.launch(new EngineContext()
            .dataDir(dataDir)
            .maxSegmentSize(1024 * 1024)
            .snapshotIntervalEvents(0)
            .snapshotRetain(retain)
            .snapshotSliceWorkflows(slice)
            .epochClock(clock::get));
        EngineFixture.await("ready", engine::isReady);
        return engine;
    }

    private static CreateWorkflow approval(final String name)
    {
        return new CreateWorkflow(name, List.of(StepSpec.approval("A")), "{}".getBytes(StandardCharsets.UTF_8), null);
    }

    @Test
    void aSnapshotTakenOnDemandIsDurableWhenAnsweredAndStartUpUsesIt()
    {
        final Path data = dir.resolve("data");
        final Engine engine = launch(data, 3, 8192);
        for (int i = 0; i < 20; i++)
        {
            EngineFixture.created(engine.client().create(approval("w" + i), TIMEOUT));
        }
        final long end = engine.journalPosition();
        final EngineReply reply = engine.client().takeSnapshot(TIMEOUT);
        final EngineReply.SnapshotTaken taken = assertInstanceOf(EngineReply.SnapshotTaken.class, reply);
        assertEquals(Status.CREATED, taken.status());
        assertEquals(end, taken.position());
        assertEquals(engine.eventCount(), taken.lastSequence());
        assertFalse(taken.joined());
        assertTrue(taken.bytes() > 0);
        final Path file = data.resolve(SnapshotStore.DIRECTORY).resolve(taken.file());
        assertTrue(Files.isRegularFile(file), file.toString());

        final List<io.axiom.core.api.SnapshotFile> listed = engine.snapshotFiles();
        assertEquals(1, listed.size());
        assertEquals(taken.file(), listed.get(0).file());
        assertTrue(listed.get(0).startup());
        assertEquals(taken.position(), listed.get(0).position());
        assertEquals(taken.bytes(), listed.get(0).bytes());
        assertNull(listed.get(0).problem());

        // nothing changed since: a second request takes it again, at the same position
        final EngineReply.SnapshotTaken again =
            assertInstanceOf(EngineReply.SnapshotTaken.class, engine.client().takeSnapshot(TIMEOUT));
        assertEquals(taken.position(), again.position());
        EngineFixture.created(engine.client().create(approval("later"), TIMEOUT));
        final EngineReply.SnapshotTaken newer =
            assertInstanceOf(EngineReply.SnapshotTaken.class, engine.client().takeSnapshot(TIMEOUT));
        assertTrue(newer.position() > taken.position());
        assertEquals(List.of(newer.position(), taken.position()),
            engine.snapshotFiles().stream().map(io.axiom.core.api.SnapshotFile::position).toList(), "newest first");
        engine.close();

        final Engine recovered = launch(data, 3, 8192);
        // the clean stop took one more snapshot only if events followed the last one: none did
        assertEquals(newer.position(), recovered.counters().recoveredFromPosition());
        recovered.close();
    }

    @Test
    void requestsArrivingTogetherJoinOneSnapshot() throws Exception
    {
        final AtomicBoolean hold = new AtomicBoolean();
        final AtomicBoolean held = new AtomicBoolean();
        final Engine engine = Engine.launch(new EngineContext()
            .dataDir(dir.resolve("data"))
            .snapshotIntervalEvents(0)
            .snapshotRetain(5)
            .snapshotSliceWorkflows(1)
            .epochClock(clock::get)
            .dutyCycleFaults(() ->
            {
                while (hold.get())
                {
                    held.set(true);
                    LockSupport.parkNanos(100_000);
                }
                held.set(false);
            }));
        EngineFixture.await("ready", engine::isReady);
        for (int i = 0; i < 50; i++)
        {
            EngineFixture.created(engine.client().create(approval("w" + i), TIMEOUT));
        }
        // the processor is held while the requests go on its ring, so they all arrive in one batch
        hold.set(true);
        EngineFixture.await("processor held", held::get);
        final int threads = 8;
        final List<EngineReply> replies = java.util.Collections.synchronizedList(new ArrayList<>());
        final List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++)
        {
            final Thread thread = new Thread(() -> replies.add(engine.client().takeSnapshot(TIMEOUT)));
            thread.start();
            started.add(thread);
        }
        EngineFixture.await("requests on the ring", () -> engine.ring().occupancy() == threads);
        hold.set(false);
        for (final Thread thread : started)
        {
            thread.join();
        }
        assertEquals(threads, replies.size());
        int joined = 0;
        final java.util.Set<Long> positions = new java.util.HashSet<>();
        for (final EngineReply reply : replies)
        {
            final EngineReply.SnapshotTaken taken = assertInstanceOf(EngineReply.SnapshotTaken.class, reply);
            joined += taken.joined() ? 1 : 0;
            positions.add(taken.position());
        }
        assertEquals(threads - 1, joined, replies.toString());
        assertEquals(1, positions.size(), replies.toString());
        assertEquals(1, engine.counters().snapshotCount());
        engine.close();
    }

    @Test
    void refusedWhenSnapshotsAreOffOrTheLogIsEmpty()
    {
        final Engine empty = launch(dir.resolve("empty"), 2, 8192);
        final EngineReply.Problem nothing =
            assertInstanceOf(EngineReply.Problem.class, empty.client().takeSnapshot(TIMEOUT));
        assertEquals(Status.CONFLICT, nothing.status());
        assertEquals("NOTHING_TO_SNAPSHOT", nothing.code());
        assertEquals(List.of(), empty.snapshotFiles());
        empty.close();

        final Engine off = launch(dir.resolve("off"), 0, 8192);
        EngineFixture.created(off.client().create(approval("w"), TIMEOUT));
        final EngineReply.Problem disabled =
            assertInstanceOf(EngineReply.Problem.class, off.client().takeSnapshot(TIMEOUT));
        assertEquals(Status.CONFLICT, disabled.status());
        assertEquals("SNAPSHOTS_DISABLED", disabled.code());
        assertTrue(disabled.detail().contains("wal.snapshot-retain"), disabled.detail());
        assertFalse(off.snapshotsEnabled());
        assertFalse(Files.exists(dir.resolve("off").resolve(SnapshotStore.DIRECTORY)));
        off.close();
    }

    @Test
    void aFileWithABadHeaderIsListedWithItsProblem() throws Exception
    {
        final Path data = dir.resolve("data");
        final Engine engine = launch(data, 3, 8192);
        EngineFixture.created(engine.client().create(approval("w"), TIMEOUT));
        final EngineReply.SnapshotTaken taken =
            assertInstanceOf(EngineReply.SnapshotTaken.class, engine.client().takeSnapshot(TIMEOUT));
        final Path bogus = data.resolve(SnapshotStore.DIRECTORY).resolve(String.format("snapshot-%020d.snap",
            taken.position() + 1000));
        Files.write(bogus, new byte[]{1, 2, 3});
        final List<io.axiom.core.api.SnapshotFile> listed = engine.snapshotFiles();
        assertEquals(2, listed.size());
        assertEquals(bogus.getFileName().toString(), listed.get(0).file());
        assertTrue(listed.get(0).problem().contains("not a snapshot file"), listed.get(0).problem());
        assertFalse(listed.get(0).startup());
        assertNull(listed.get(1).problem());
        assertTrue(listed.get(1).startup(), "the newest sound one is the one start-up would load");
        engine.close();
    }
}
