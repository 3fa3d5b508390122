package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;

/**
 * The process {@link EngineCrashTest} kills: an engine on a small segment (so a small staging buffer), creating
 * workflows and advancing them with inputs and outputs larger than the staging buffer, printing an ACK line for each
 * reply as it arrives (a reply is only released after its events are durable).
 */
public final class EngineCrashChild
{
    static final long SEGMENT = 256 * 1024;

    private EngineCrashChild()
    {
    }

    /**
     * @param args data dir, seed.
     */
    public static void main(final String[] args)
    {
        final Path dir = Path.of(args[0]);
        final Random random = new Random(Long.parseLong(args[1]));
        final Duration timeout = Duration.ofSeconds(30);
        final Engine engine = Engine.launch(new EngineContext().dataDir(dir).maxSegmentSize(SEGMENT)
            .maxSteps(16).maxInputBytes(200 * 1024).maxReplyBytes(1024 * 1024).snapshotIntervalEvents(40)
            .snapshotSliceWorkflows(2));
        EngineFixture.await("ready", engine::isReady);
        final EngineClient client = engine.client();
        while (true)
        {
            final EngineReply created = client.create(new CreateWorkflow("crash-" + random.nextInt(1000),
                List.of(StepSpec.approval("A"), StepSpec.approval("B"), StepSpec.task("C")),
                payload(random), null), timeout);
            if (created.status() != Status.CREATED)
            {
                throw new IllegalStateException("create: " + created);
            }
            final long id = ((EngineReply.Workflow)created).workflow().id();
            System.out.println("ACK create " + id);
            final int advances = random.nextInt(4);
            for (int step = 0; step < advances; step++)
            {
                final EngineReply advanced = client.advance(id, null, step, payload(random), null, timeout);
                if (advanced.status() != Status.OK)
                {
                    throw new IllegalStateException("advance: " + advanced);
                }
                System.out.println("ACK advance " + id + " " + step);
            }
        }
    }

    private static byte[] payload(final Random random)
    {
        // A quarter of a 256 KiB segment is the staging buffer: most payloads here are larger than it.
        final int size = random.nextInt(4) == 0 ? 100 + random.nextInt(1000) : 66 * 1024 + random.nextInt(60 * 1024);
        final StringBuilder json = new StringBuilder(size + 16).append("{\"pad\":\"");
        while (json.length() < size)
        {
            json.append((char)('a' + random.nextInt(26)));
        }
        return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }
}
