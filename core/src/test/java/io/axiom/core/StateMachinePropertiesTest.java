package io.axiom.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Combinators;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random command sequences against the real engine: a step commits at most once, refused commands write nothing,
 * the state rebuilt from the log after a restart equals the state before it, and verify finds no violation in the log
 * and the same state, live and after the restart.
 */
class StateMachinePropertiesTest
{
    record Op(int kind, int target, int stepMix, long millis)
    {
    }

    @Provide
    Arbitrary<List<Op>> ops()
    {
        final Arbitrary<Op> op = Combinators.combine(
            Arbitraries.integers().between(0, 7),
            Arbitraries.integers().between(0, 12),
            Arbitraries.integers().between(0, 26),
            Arbitraries.longs().between(1, 3_000))
            .as(Op::new);
        return op.list().ofMinSize(1).ofMaxSize(60);
    }

    @Property(tries = 50)
    void logIsTheJudge(@ForAll("ops") final List<Op> ops) throws IOException
    {
        final Path dir = Files.createTempDirectory("axiom-prop");
        try (EngineFixture f = new EngineFixture(dir, ctx -> ctx.leaseDurationMs(1_500).workerTimeoutMs(4_000)))
        {
            // A worker for task steps T0..T2 whose completions and failures may come late (stale), twice, or never.
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(2, "T0", "T1", "T2");
            final List<TestWorker.Assigned> held = new ArrayList<>();
            for (final Op op : ops)
            {
                for (TestWorker.Frame frame = worker.poll(); null != frame; frame = worker.poll())
                {
                    if (frame instanceof TestWorker.Assigned assigned)
                    {
                        held.add(assigned);
                    }
                }
                if (op.kind() >= 5)
                {
                    if (!held.isEmpty())
                    {
                        final TestWorker.Assigned task = held.get(op.target() % held.size());
                        if (op.kind() == 5 || op.kind() == 6)
                        {
                            worker.complete(task.taskId(), task.token(), "{\"by\":\"worker\"}");
                        }
                        else
                        {
                            worker.fail(task.taskId(), task.token(), op.millis() % 2 == 0, "e" + op.millis());
                        }
                        // The answer to this completion or failure; tasks dealt meanwhile join the held ones.
                        TestWorker.Frame answer = worker.next();
                        while (answer instanceof TestWorker.Assigned assigned)
                        {
                            held.add(assigned);
                            answer = worker.next();
                        }
                        if (op.millis() % 3 != 0)
                        {
                            held.remove(task); // sometimes keep it: a repeated completion must change nothing
                        }
                    }
                    continue;
                }
                final long before = f.engine.journalPosition();
                final EngineReply reply = switch (op.kind())
                {
                    case 0, 1 -> f.client().create(new CreateWorkflow("wf", steps(op.stepMix()),
                        "{}".getBytes(StandardCharsets.UTF_8), op.target() % 4 == 0 ? "k" + op.target() : null),
                        TIMEOUT);
                    case 2 -> f.client().advance(op.target(), null,
                        ("{\"n\":" + op.millis() + "}").getBytes(StandardCharsets.UTF_8), TIMEOUT);
                    case 3 -> f.client().cancel(op.target(), "why " + op.millis(), TIMEOUT);
                    default ->
                    {
                        f.advanceClock(op.millis());
                        yield null;
                    }
                };
                if (reply instanceof EngineReply.Problem || reply instanceof EngineReply.Workflow w &&
                    w.status() == io.axiom.core.api.Status.EXISTING)
                {
                    assertEquals(before, f.engine.journalPosition(), "refused command wrote: " + reply);
                }
            }

            final List<WorkflowView> views = all(f);
            final List<List<EventView>> events = new ArrayList<>();
            for (final WorkflowView view : views)
            {
                final List<EventView> list = EngineTest.events(f.client().events(view.id(), TIMEOUT));
                assertAtMostOneCommitPerStep(list);
                assertEquals(view.eventCount(), list.size());
                events.add(list);
                final EngineReply.Replay replay = (EngineReply.Replay)f.client().replay(view.id(), TIMEOUT);
                assertTrue(replay.matchesLive(), "rebuilt from its events differs from live: " + view);
            }

            verifiedConsistent(f);
            f.restart();
            verifiedConsistent(f);
            assertEquals(views, all(f));
            for (int i = 0; i < views.size(); i++)
            {
                assertEquals(events.get(i), EngineTest.events(f.client().events(views.get(i).id(), TIMEOUT)));
            }
        }
        finally
        {
            try (Stream<Path> files = Files.walk(dir))
            {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static void verifiedConsistent(final EngineFixture f)
    {
        final EngineReply reply = f.engine.verifier().verify(TIMEOUT);
        assertTrue(reply instanceof EngineReply.Verification, String.valueOf(reply));
        final io.axiom.core.api.VerificationReport report = ((EngineReply.Verification)reply).report();
        assertTrue(report.ok() && Boolean.TRUE.equals(report.consistent()), report.toText());
    }

    private static List<StepSpec> steps(final int mix)
    {
        final List<StepSpec> steps = new ArrayList<>();
        int m = mix;
        for (int i = 0; i < 3; i++)
        {
            switch (m % 3)
            {
                case 0 -> steps.add(StepSpec.task("T" + i));
                case 1 -> steps.add(StepSpec.approval("A" + i));
                default -> steps.add(StepSpec.timer("W" + i, 1_000 + i));
            }
            m /= 3;
        }
        return steps;
    }

    private static List<WorkflowView> all(final EngineFixture f)
    {
        final EngineReply reply = f.client().list(0, 1000, null, TIMEOUT);
        return ((EngineReply.WorkflowList)reply).workflows();
    }

    private static void assertAtMostOneCommitPerStep(final List<EventView> events)
    {
        final Set<Object> committed = new HashSet<>();
        for (final EventView event : events)
        {
            if ("StepCompleted".equals(event.type()))
            {
                assertTrue(committed.add(event.fields().get("step_index")), "step committed twice: " + events);
            }
        }
    }
}
