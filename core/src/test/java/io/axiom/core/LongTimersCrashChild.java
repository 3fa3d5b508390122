package io.axiom.core;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;

/**
 * A real engine process for {@link LongTimersCrashTest}, its clock stopped at the time it is given: creates workflows
 * with timer steps of 7 and 30 days (the timers already due fire as it starts: a kill just after READY lands while
 * they fire), one acknowledged line each, until it is killed.
 */
public final class LongTimersCrashChild
{
    static final long DAY_MS = 86_400_000L;
    static final List<List<StepSpec>> SHAPES = List.of(
        List.of(StepSpec.timer("WEEK", 7 * DAY_MS)),
        List.of(StepSpec.timer("MONTH", 30 * DAY_MS)),
        List.of(StepSpec.timer("WEEK", 7 * DAY_MS), StepSpec.timer("MONTH", 30 * DAY_MS)));

    private LongTimersCrashChild()
    {
    }

    static EngineContext context(final Path dir, final long clockMs)
    {
        return new EngineContext().dataDir(dir).maxSegmentSize(64 * 1024).snapshotIntervalEvents(50).timerTickMs(1)
            .epochClock(() -> clockMs);
    }

    public static void main(final String[] args)
    {
        final Engine engine = Engine.launch(context(Path.of(args[0]), Long.parseLong(args[1])));
        final Random random = new Random(Long.parseLong(args[2]));
        final Duration timeout = Duration.ofSeconds(30);
        EngineFixture.await("ready", () -> engine.isReady() || null != engine.failure());
        if (null != engine.failure())
        {
            throw new IllegalStateException(engine.failure());
        }
        System.out.println("READY");
        final EngineClient client = engine.client();
        while (true)
        {
            final EngineReply created = client.create(new CreateWorkflow("timers-" + random.nextInt(1000),
                SHAPES.get(random.nextInt(SHAPES.size())), "{}".getBytes(), null), timeout);
            if (created.status() != Status.CREATED)
            {
                throw new IllegalStateException("create: " + created);
            }
            System.out.println("ACK create " + ((EngineReply.Workflow)created).workflow().id());
        }
    }
}
