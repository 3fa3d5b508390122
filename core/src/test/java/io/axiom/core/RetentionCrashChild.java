package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.Status;

/**
 * A real engine process for {@link RetentionCrashTest}: 64 KiB segments, a snapshot every 50 events and
 * retention.history of 1 s of the real clock, so segments are archived and their files recycled all the time while
 * it creates workflows with 2 KB inputs, printing {@code ACK <id>} after each acknowledgement. Runs until killed.
 * <p>
 * Arguments: data dir, first workflow number.
 */
public final class RetentionCrashChild
{
    static final byte[] INPUT = ("{\"pad\":\"" + "r".repeat(2000) + "\"}").getBytes(StandardCharsets.UTF_8);

    private RetentionCrashChild()
    {
    }

    static EngineContext context(final Path dir)
    {
        return new EngineContext().dataDir(dir).maxSegmentSize(64 * 1024).snapshotIntervalEvents(50)
            .historyRetentionMs(1_000);
    }

    public static void main(final String[] args)
    {
        final Engine engine = Engine.launch(context(Path.of(args[0])));
        long n = Long.parseLong(args[1]);
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
            final EngineReply created = client.create(new CreateWorkflow("kept-" + n++,
                List.of(StepSpec.approval("A")), INPUT, null), timeout);
            if (created.status() != Status.CREATED)
            {
                throw new IllegalStateException("create: " + created);
            }
            System.out.println("ACK " + ((EngineReply.Workflow)created).workflow().id() + " " +
                ((EngineReply.Workflow)created).workflow().name());
        }
    }
}
