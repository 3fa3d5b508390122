package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.StepSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Besides every N events, a snapshot is taken every M bytes of journal and every T ms of the engine's clock.
 */
class SnapshotTriggersTest
{
    @TempDir
    Path dir;

    private final AtomicLong clock = new AtomicLong(EngineFixture.START_MS);

    private static CreateWorkflow create(final int i)
    {
        return new CreateWorkflow("w" + i, List.of(StepSpec.approval("A")), "{}".getBytes(StandardCharsets.UTF_8),
            null);
    }

    @Test
    void everyMBytesOfJournal()
    {
        try (Engine engine = Engine.launch(new EngineContext()
            .dataDir(dir)
            .snapshotIntervalEvents(0)
            .snapshotIntervalBytes(16 * 1024)
            .epochClock(clock::get)))
        {
            EngineFixture.await("ready", engine::isReady);
            for (int i = 0; i < 50; i++)
            {
                engine.client().create(create(i), TIMEOUT);
            }
            assertEquals(0, engine.counters().snapshotCount(), "under 16 KiB of journal");
            for (int i = 50; engine.counters().lastSnapshotPosition() == 0 && i < 5000; i++)
            {
                engine.client().create(create(i), TIMEOUT);
            }
            EngineFixture.await("a snapshot", () -> engine.counters().snapshotCount() >= 1);
            assertTrue(engine.counters().lastSnapshotPosition() >= 16 * 1024);
        }
    }

    @Test
    void everyTMillisecondsWhenEventsWereWritten()
    {
        try (Engine engine = Engine.launch(new EngineContext()
            .dataDir(dir)
            .snapshotIntervalEvents(0)
            .snapshotIntervalMs(60_000)
            .epochClock(clock::get)))
        {
            EngineFixture.await("ready", engine::isReady);
            engine.client().create(create(0), TIMEOUT);
            engine.client().list(0, 0, null, TIMEOUT);
            assertEquals(0, engine.counters().snapshotCount(), "the interval has not passed");
            clock.addAndGet(60_000);
            engine.client().list(0, 0, null, TIMEOUT);
            EngineFixture.await("a snapshot", () -> engine.counters().snapshotCount() == 1);
            clock.addAndGet(120_000);
            engine.client().list(0, 0, null, TIMEOUT);
            engine.client().create(create(1), TIMEOUT);
            EngineFixture.await("a second snapshot", () -> engine.counters().snapshotCount() == 2);
        }
    }
}
