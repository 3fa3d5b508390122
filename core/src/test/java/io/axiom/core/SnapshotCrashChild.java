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
 * The process {@link SnapshotWriteCrashTest} kills: an engine taking a snapshot every {@link #INTERVAL} events under a
 * steady stream of creates (some with an Idempotency-Key) and advances, printing an ACK line per reply; the journal's
 * test-only crash point ({@code axiom.test.snapshot-crash-at}, set here before the journal's classes load) stops its
 * n-th snapshot at one step of writing and says so on standard output.
 */
public final class SnapshotCrashChild
{
    static final long SEGMENT = 256 * 1024;
    static final long INTERVAL = 120;

    private SnapshotCrashChild()
    {
    }

    /**
     * @param args data dir, seed, crash step, which snapshot (1-based).
     */
    public static void main(final String[] args)
    {
        System.setProperty("axiom.test.snapshot-crash-at", args[2]);
        System.setProperty("axiom.test.snapshot-crash-nth", args[3]);
        final Path dir = Path.of(args[0]);
        final Random random = new Random(Long.parseLong(args[1]));
        final Duration timeout = Duration.ofSeconds(30);
        final Engine engine = Engine.launch(context(dir).snapshotIntervalEvents(INTERVAL).snapshotSliceWorkflows(3));
        EngineFixture.await("ready", engine::isReady);
        final EngineClient client = engine.client();
        long created = 0;
        while (true)
        {
            final String key = random.nextInt(4) == 0 ? "k" + random.nextInt(1_000_000) : null;
            final EngineReply reply = client.create(new CreateWorkflow("w" + random.nextInt(50),
                List.of(StepSpec.approval("A"), StepSpec.approval("B"), StepSpec.approval("C")),
                ("{\"n\":" + random.nextInt() + "}").getBytes(StandardCharsets.UTF_8), key), timeout);
            if (reply.status() != Status.CREATED && reply.status() != Status.EXISTING)
            {
                throw new IllegalStateException("create: " + reply);
            }
            created = Math.max(created, ((EngineReply.Workflow)reply).workflow().id());
            System.out.println("ACK create " + ((EngineReply.Workflow)reply).workflow().id());
            // advance an earlier workflow, so that workflows a snapshot is capturing change under it
            final long id = 1 + random.nextInt((int)created);
            final EngineReply advanced = client.advance(id, null, "{}".getBytes(StandardCharsets.UTF_8), timeout);
            if (advanced.status() == Status.OK)
            {
                final long steps = ((EngineReply.Workflow)advanced).workflow().steps().stream()
                    .filter(s -> "COMPLETED".equals(s.status())).count();
                System.out.println("ACK advance " + id + " " + steps);
            }
        }
    }

    static EngineContext context(final Path dir)
    {
        return new EngineContext().dataDir(dir).maxSegmentSize(SEGMENT).snapshotRetain(5);
    }
}
