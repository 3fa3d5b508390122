package io.axiom.core;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * The engine hosted on a replicated log ({@link HostedLog}), with a hand-driven log standing in for the cluster: a
 * host thread carries what producers put on {@link Engine#ring()} onto {@link Engine#logRing()}, writes as
 * {@link CommandSlot#LOGGED} entries stamped with the log's time the test sets, reads as they are.
 */
class HostedEngineTest
{
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final long WALL_CLOCK_FAR_AHEAD = 4_000_000_000_000L;

    @TempDir
    Path dir;

    private final AtomicLong logTime = new AtomicLong(1_000);
    private Engine engine;
    private Thread host;
    private volatile boolean hosting = true;

    @AfterEach
    void close() throws InterruptedException
    {
        hosting = false;
        if (null != host)
        {
            host.join();
        }
        if (null != engine)
        {
            engine.close();
        }
    }

    private Engine launch(final Path dataDir, final HostedLog hosted)
    {
        // The processor's own clock reads far ahead: hosted, nothing it writes may depend on it.
        final Engine engine = Engine.launch(new EngineContext().dataDir(dataDir).maxSegmentSize(1024 * 1024)
            .ringSize(1024).epochClock(() -> WALL_CLOCK_FAR_AHEAD).hostedLog(hosted));
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!engine.isReady())
        {
            if (System.nanoTime() > deadline || null != engine.failure())
            {
                throw new AssertionError("not ready: " + engine.failure());
            }
            LockSupport.parkNanos(1_000_000);
        }
        return engine;
    }

    private void host(final Engine engine)
    {
        host = Thread.ofPlatform().name("test-host").start(() ->
        {
            while (hosting)
            {
                if (0 == engine.ring().drain(slot ->
                {
                    final long sequence = claim(engine.logRing());
                    final CommandSlot entry = engine.logRing().slot(sequence);
                    final int length = slot.length();
                    final UnsafeBuffer copy = new UnsafeBuffer(new byte[length]);
                    copy.putBytes(0, slot.command(), 0, length);
                    entry.overflow(copy, length).replyTo(slot.sink(), slot.replyToken());
                    if (Engine.changesState(copy, 0, length))
                    {
                        entry.logged(CommandSlot.LOGGED, logTime.get(), 0);
                    }
                    engine.logRing().publish(sequence);
                    return true;
                }))
                {
                    LockSupport.parkNanos(100_000);
                }
            }
        });
    }

    private static long claim(final CommandRing ring)
    {
        long sequence;
        while ((sequence = ring.tryNext()) == CommandRing.FULL)
        {
            LockSupport.parkNanos(1_000);
        }
        return sequence;
    }

    private void tick(final Engine engine, final long atMs)
    {
        logTime.set(atMs);
        final long sequence = claim(engine.logRing());
        engine.logRing().slot(sequence).length(0).replyTo(null, null).logged(CommandSlot.TICK, atMs, 0);
        engine.logRing().publish(sequence);
    }

    private static EngineReply.Workflow get(final Engine engine, final long id)
    {
        return assertInstanceOf(EngineReply.Workflow.class, engine.client().get(id, TIMEOUT));
    }

    @Test
    void timersFireAtTheLogsTicksAndEventsCarryTheLogsTime()
    {
        engine = launch(dir, new HostedLog(null, 0, null));
        host(engine);
        final EngineReply created = engine.client().create(new CreateWorkflow("cool", List.of(
            StepSpec.timer("wait", 5_000), StepSpec.approval("approve")), "{}".getBytes(), "k-1"), TIMEOUT);
        final EngineReply.Workflow workflow = assertInstanceOf(EngineReply.Workflow.class, created);
        assertEquals(Status.CREATED, workflow.status());
        assertEquals(1_000, workflow.workflow().createdAt(), "stamped with the log's time, not the wall clock");

        tick(engine, 5_999);
        assertEquals(0, get(engine, 1).workflow().currentStep(), "not due at the log's 5,999 ms");
        tick(engine, 6_000);
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (get(engine, 1).workflow().currentStep() != 1)
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("the timer did not fire at the log's 6,000 ms");
            }
            LockSupport.parkNanos(1_000_000);
        }
    }

    @Test
    void theDataDirectorysOwnSnapshotsAreOffAndTheAnswerPointsAtTheClusters()
    {
        engine = launch(dir, new HostedLog(null, 0, null));
        host(engine);
        final EngineReply.Problem problem =
            assertInstanceOf(EngineReply.Problem.class, engine.client().takeSnapshot(TIMEOUT));
        assertEquals("SNAPSHOTS_DISABLED", problem.code());
        org.junit.jupiter.api.Assertions.assertTrue(problem.detail().contains("cluster snapshot"), problem.detail());
    }

    @Test
    void aWriteThatDidNotComeThroughTheLogIsRefusedAndWritesNothing()
    {
        engine = launch(dir, new HostedLog(null, 0, null));
        // No host: the test puts a create straight on the log ring as a local command.
        final AtomicReference<byte[]> answer = new AtomicReference<>();
        final Engine producer = engine;
        final CreateOnRing create = new CreateOnRing();
        final long sequence = claim(producer.logRing());
        create.encode(producer.logRing().slot(sequence));
        producer.logRing().slot(sequence).replyTo((replyTo, buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            answer.set(copy);
        }, null);
        producer.logRing().publish(sequence);
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (null == answer.get())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no answer");
            }
            LockSupport.parkNanos(1_000_000);
        }
        final EngineReply reply = ReplyReader.read(new UnsafeBuffer(answer.get()), 0, answer.get().length);
        final EngineReply.Problem problem = assertInstanceOf(EngineReply.Problem.class, reply);
        assertEquals("NOT_REPLICATED", problem.code());
        assertEquals(0, engine.eventCount());
    }

    @Test
    void theHostsSnapshotRestartsAnEngineAtTheSameState() throws Exception
    {
        engine = launch(dir, new HostedLog(null, 0, null));
        host(engine);
        for (int i = 0; i < 5; i++)
        {
            logTime.addAndGet(10);
            assertEquals(Status.CREATED, assertInstanceOf(EngineReply.Workflow.class, engine.client().create(
                new CreateWorkflow("w" + i, List.of(StepSpec.timer("wait", 100), StepSpec.approval("ok")),
                "{}".getBytes(), "key-" + i), TIMEOUT)).status());
        }
        final AtomicReference<byte[]> state = new AtomicReference<>();
        final long sequence = claim(engine.logRing());
        engine.logRing().slot(sequence).length(0).replyTo((replyTo, buffer, offset, length) ->
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            state.set(copy);
        }, null).logged(CommandSlot.SNAPSHOT, logTime.get(), 0);
        engine.logRing().publish(sequence);
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (null == state.get())
        {
            if (System.nanoTime() > deadline)
            {
                throw new AssertionError("no snapshot");
            }
            LockSupport.parkNanos(1_000_000);
        }
        // The data directory as it is right after the snapshot, and then with one more entry in it.
        final Path atSnapshot = copyOf(dir, "-at-snapshot");
        logTime.addAndGet(10);
        engine.client().create(new CreateWorkflow("after", List.of(StepSpec.approval("ok")), "{}".getBytes(),
            "key-after"), TIMEOUT);
        stopHost();
        engine.close();
        final HostedLog fromSnapshot = new HostedLog(new UnsafeBuffer(state.get()), state.get().length, null);
        final HostedSnapshot snapshot = HostedSnapshot.read(new UnsafeBuffer(state.get()), state.get().length);

        // Restarted from the snapshot, the entry after it is cut off the journal (the log would replay it).
        engine = launch(dir, fromSnapshot);
        assertEquals(snapshot.endPosition(), engine.journalPosition(), "the journal was cut back to the snapshot");
        hosting = true;
        host(engine);
        assertEquals(Status.OK, get(engine, 5).status());
        assertInstanceOf(EngineReply.Problem.class, engine.client().get(6, TIMEOUT),
            "the workflow created after the snapshot is gone until the log replays it");
        stopHost();
        engine.close();
        final long cutDigest = engine.digestAfterClose();

        engine = launch(atSnapshot, fromSnapshot);
        engine.close();
        assertEquals(engine.digestAfterClose(), cutDigest, "the same snapshot gives the same state");
        engine = null;

        // A journal that lacks what the snapshot covers is refused, with the way out.
        final EngineContext behind = new EngineContext().dataDir(dir.resolveSibling(dir.getFileName() + "-empty"))
            .hostedLog(fromSnapshot);
        final Engine refused = Engine.launch(behind);
        final long deadline2 = System.nanoTime() + TIMEOUT.toNanos();
        while (null == refused.failure() && System.nanoTime() < deadline2)
        {
            LockSupport.parkNanos(1_000_000);
        }
        refused.close();
        assertNotNull(refused.failure());
        org.junit.jupiter.api.Assertions.assertTrue(refused.failure().getMessage().contains("rejoin"),
            refused.failure().getMessage());
    }

    private void stopHost() throws InterruptedException
    {
        hosting = false;
        host.join();
        host = null;
    }

    private static Path copyOf(final Path from, final String suffix) throws java.io.IOException
    {
        final Path copy = from.resolveSibling(from.getFileName() + suffix);
        Files.createDirectories(copy);
        try (var files = Files.list(from))
        {
            for (final Path file : files.filter(f -> f.getFileName().toString().endsWith(".wal")).toList())
            {
                Files.copy(file, copy.resolve(file.getFileName()));
            }
        }
        return copy;
    }

    /**
     * A create encoded straight into a slot, the way a producer would.
     */
    private static final class CreateOnRing
    {
        void encode(final CommandSlot slot)
        {
            final io.axiom.codecs.CreateWorkflowEncoder encoder = new io.axiom.codecs.CreateWorkflowEncoder()
                .wrapAndApplyHeader(slot.buffer(), 0, new io.axiom.codecs.MessageHeaderEncoder())
                .correlationId(7);
            encoder.stepsCount(1).next().type(io.axiom.codecs.StepType.APPROVAL).timeoutMs(0).durationMs(0)
                .maxAttempts(1).backoffMs(0).maxBackoffMs(0).multiplier(1.0).putName(new byte[]{'s'}, 0, 1);
            encoder.putName(new byte[]{'w'}, 0, 1);
            encoder.putIdempotencyKey(new byte[0], 0, 0);
            encoder.putInput(new byte[]{'{', '}'}, 0, 2);
            slot.length(io.axiom.codecs.MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
        }
    }
}
