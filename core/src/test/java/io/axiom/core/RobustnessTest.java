package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.axiom.codecs.GetWorkflowEncoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Input that a journal record cannot hold is refused like any bad input, and a failing reply sink loses only its
 * own reply: in neither case does the engine stop.
 */
class RobustnessTest
{
    @TempDir
    Path dir;

    private Engine launch()
    {
        final AtomicLong clock = new AtomicLong(EngineFixture.START_MS);
        final Engine engine = Engine.launch(new EngineContext()
            .dataDir(dir)
            .maxSegmentSize(64 * 1024)
            .maxInputBytes(1024 * 1024)
            .epochClock(clock::get));
        EngineFixture.await("ready", engine::isReady);
        return engine;
    }

    @Test
    void inputLargerThanASegmentIsRefusedAndTheEngineGoesOn()
    {
        try (Engine engine = launch())
        {
            EngineFixture.created(engine.client().create(new CreateWorkflow("small", List.of(StepSpec.task("A")),
                "{}".getBytes(StandardCharsets.UTF_8), null), TIMEOUT));
            final long position = engine.journalPosition();

            final byte[] big = ("\"" + "x".repeat(100 * 1024) + "\"").getBytes(StandardCharsets.UTF_8);
            EngineTest.assertProblem(engine.client().create(new CreateWorkflow("big", List.of(StepSpec.task("A")),
                big, null), TIMEOUT), Status.INVALID, "INPUT_TOO_LARGE");
            EngineTest.assertProblem(engine.client().advance(1, null, big, TIMEOUT), Status.INVALID,
                "OUTPUT_TOO_LARGE");
            EngineTest.assertProblem(engine.client().cancel(1, "x".repeat(100 * 1024), TIMEOUT), Status.INVALID,
                "REASON_TOO_LARGE");
            assertEquals(position, engine.journalPosition());
            assertNull(engine.failure());
            assertEquals(Status.OK, engine.client().advance(1, null, null, TIMEOUT).status());
        }
    }

    @Test
    void aSnapshotThatCannotBeWrittenIsReportedAndTheEngineGoesOn() throws java.io.IOException
    {
        // A plain file where the snapshots directory should be: every snapshot write fails.
        java.nio.file.Files.writeString(dir.resolve(io.axiom.journal.SnapshotStore.DIRECTORY), "not a directory");
        final AtomicLong clock = new AtomicLong(EngineFixture.START_MS);
        final Engine engine = Engine.launch(new EngineContext()
            .dataDir(dir)
            .maxSegmentSize(64 * 1024)
            .snapshotIntervalEvents(3)
            .epochClock(clock::get));
        try
        {
            EngineFixture.await("ready", engine::isReady);
            for (int i = 0; i < 5; i++)
            {
                EngineFixture.created(engine.client().create(new CreateWorkflow("w", List.of(StepSpec.task("A")),
                    "{}".getBytes(StandardCharsets.UTF_8), null), TIMEOUT));
            }
            EngineFixture.await("snapshot failure counted", () -> engine.counters().snapshotFailures() > 0);
            assertNull(engine.failure());
            assertEquals(Status.CREATED, engine.client().create(new CreateWorkflow("w",
                List.of(StepSpec.task("A")), "{}".getBytes(StandardCharsets.UTF_8), null), TIMEOUT).status());
        }
        finally
        {
            engine.close();
        }
        assertNull(engine.failure());
    }

    @Test
    void aSinkThatThrowsLosesOnlyItsOwnReply()
    {
        try (Engine engine = launch())
        {
            final CommandRing ring = engine.ring();
            final long sequence = ring.tryNext();
            final CommandSlot slot = ring.slot(sequence);
            new GetWorkflowEncoder().wrapAndApplyHeader(slot.buffer(), 0, new MessageHeaderEncoder())
                .correlationId(7).workflowId(1);
            slot.length(MessageHeaderEncoder.ENCODED_LENGTH + GetWorkflowEncoder.BLOCK_LENGTH)
                .replyTo((replyTo, buffer, offset, length) ->
                {
                    throw new IllegalStateException("sink bug");
                }, null);
            ring.publish(sequence);

            EngineFixture.await("sink error counted", () -> engine.counters().sinkErrors() == 1);
            assertTrue(engine.counters().lastSinkError().getMessage().contains("sink bug"));
            assertNull(engine.failure());
            assertEquals(Status.CREATED, engine.client().create(new CreateWorkflow("after", List.of(StepSpec.task("A")),
                "{}".getBytes(StandardCharsets.UTF_8), null), TIMEOUT).status());
        }
    }
}
