package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;

/**
 * An engine on a temp dir with a clock the test moves by hand.
 */
final class EngineFixture implements AutoCloseable
{
    static final Duration TIMEOUT = Duration.ofSeconds(10);
    static final long START_MS = 1_767_225_600_000L;

    final Path dir;
    final AtomicLong clock;
    final java.util.function.Consumer<EngineContext> settings;
    Engine engine;

    EngineFixture(final Path dir)
    {
        this(dir, new AtomicLong(START_MS));
    }

    EngineFixture(final Path dir, final AtomicLong clock)
    {
        this(dir, clock, ctx -> {});
    }

    /**
     * @param settings applied to the context after the fixture's own, on every start.
     */
    EngineFixture(final Path dir, final java.util.function.Consumer<EngineContext> settings)
    {
        this(dir, new AtomicLong(START_MS), settings);
    }

    EngineFixture(final Path dir, final AtomicLong clock, final java.util.function.Consumer<EngineContext> settings)
    {
        this.dir = dir;
        this.clock = clock;
        this.settings = settings;
        start();
    }

    void start()
    {
        final EngineContext ctx = new EngineContext()
            .dataDir(dir)
            .maxSegmentSize(1024 * 1024)
            .ringSize(1024)
            .maxSteps(16)
            .maxInputBytes(64 * 1024)
            .timerTickMs(1)
            .epochClock(clock::get);
        settings.accept(ctx);
        engine = Engine.launch(ctx);
        await("engine ready", () -> engine.isReady() || null != engine.failure());
        if (null != engine.failure())
        {
            throw new AssertionError("the engine failed to start: " + engine.failure(), engine.failure());
        }
    }

    void restart()
    {
        engine.close();
        start();
    }

    /**
     * Move the clock and wait until the processor has fired every timer now due: the processor polls timers after
     * the ring in each duty cycle and releases replies last, so the reply to a query sent after the move is the
     * barrier.
     *
     * @param millis to move the clock by.
     */
    void advanceClock(final long millis)
    {
        clock.addAndGet(millis);
        client().list(0, 0, null, TIMEOUT);
    }

    EngineClient client()
    {
        return engine.client();
    }

    WorkflowView create(final String name, final StepSpec... steps)
    {
        return created(client().create(
            new CreateWorkflow(name, List.of(steps), "{\"order\":1}".getBytes(StandardCharsets.UTF_8), null), TIMEOUT));
    }

    static WorkflowView created(final EngineReply reply)
    {
        if (reply instanceof EngineReply.Workflow workflow)
        {
            return workflow.workflow();
        }
        throw new AssertionError("expected a workflow, got " + reply);
    }

    WorkflowView get(final long id)
    {
        return created(client().get(id, TIMEOUT));
    }

    /**
     * Wait for a condition the engine makes true on its own thread (bounded).
     */
    static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out waiting for " + what);
            }
            java.util.concurrent.locks.LockSupport.parkNanos(1_000_000);
        }
    }

    public void close()
    {
        engine.close();
    }
}
