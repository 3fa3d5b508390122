package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.StepSpec;

/**
 * A real engine process for {@link WorkflowRetirementCrashTest}, its clock stopped at the time it is given and
 * retention.in-memory 0: every workflow it ends leaves the heap a few per duty cycle right after, while snapshots are
 * captured two workflows per cycle. It creates workflows, each with an Idempotency-Key, and ends them (advance or
 * cancel), one acknowledged line each ("ACK id state name key"), until it is killed.
 */
public final class WorkflowRetirementCrashChild
{
    private WorkflowRetirementCrashChild()
    {
    }

    static EngineContext context(final Path dir, final long clockMs, final long inMemoryRetentionMs)
    {
        return new EngineContext().dataDir(dir).maxSegmentSize(64 * 1024).snapshotIntervalEvents(30)
            .snapshotSliceWorkflows(2).retireLimit(2).timerTickMs(1).inMemoryRetentionMs(inMemoryRetentionMs)
            .historyRetentionMs(EngineContext.RETENTION_OFF).epochClock(() -> clockMs);
    }

    /**
     * @return the create the child sends (and the checker repeats) for a workflow of that name number and key.
     */
    static CreateWorkflow create(final int name, final String key)
    {
        return new CreateWorkflow("crash-" + name, List.of(StepSpec.approval("A"), StepSpec.approval("B")),
            "{}".getBytes(StandardCharsets.UTF_8), key);
    }

    public static void main(final String[] args)
    {
        final Engine engine = Engine.launch(context(Path.of(args[0]), Long.parseLong(args[1]), 0));
        final Random random = new Random(Long.parseLong(args[2]));
        final Duration timeout = Duration.ofSeconds(30);
        EngineFixture.await("ready", () -> engine.isReady() || null != engine.failure());
        if (null != engine.failure())
        {
            throw new IllegalStateException(engine.failure());
        }
        System.out.println("READY");
        final EngineClient client = engine.client();
        final byte[] output = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        while (true)
        {
            final int name = random.nextInt(50);
            final String key = "crash-key-" + Long.toHexString(random.nextLong());
            final long id = EngineFixture.created(client.create(create(name, key), timeout)).id();
            final EngineReply ended;
            if (random.nextInt(3) == 0)
            {
                ended = client.cancel(id, "crash test", timeout);
            }
            else
            {
                EngineFixture.created(client.advance(id, "A", output, timeout));
                ended = client.advance(id, "B", output, timeout);
            }
            System.out.println("ACK " + id + " " + EngineFixture.created(ended).state() + " " + name + " " + key);
        }
    }
}
