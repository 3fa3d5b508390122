package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.RawJson;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepKind;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static io.axiom.core.EngineFixture.created;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EngineTest
{
    @TempDir
    Path dir;

    @Test
    void taskApprovalTimerWorkflowRunsToCompletion()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            final WorkflowView created = f.create("order", StepSpec.task("RESERVE"), StepSpec.approval("APPROVE"),
                StepSpec.timer("COOL_OFF", 5_000));
            assertEquals(1, created.id());
            assertEquals("RUNNING", created.state());
            assertEquals(0, created.currentStep());
            assertEquals("ACTIVE", created.steps().get(0).status());
            assertEquals("PENDING", created.steps().get(1).status());
            assertEquals("{\"order\":1}", created.inputJson());
            assertEquals(EngineFixture.START_MS, created.createdAt());

            f.clock.addAndGet(10);
            final WorkflowView approval = created(f.client().advance(1, "RESERVE",
                "{\"reserved\":true}".getBytes(StandardCharsets.UTF_8), TIMEOUT));
            assertEquals("WAITING", approval.state());
            assertEquals("APPROVE", approval.currentStepName());
            assertEquals("COMPLETED", approval.steps().get(0).status());
            assertEquals("{\"reserved\":true}", approval.steps().get(0).outputJson());
            assertEquals(EngineFixture.START_MS + 10, approval.steps().get(0).completedAt());

            final EngineReply mismatch = f.client().advance(1, "RESERVE", null, TIMEOUT);
            assertProblem(mismatch, Status.CONFLICT, "STEP_MISMATCH");

            final WorkflowView timer = created(f.client().advance(1, null, null, TIMEOUT));
            assertEquals("WAITING", timer.state());
            assertEquals("COOL_OFF", timer.currentStepName());
            assertEquals(EngineFixture.START_MS + 10 + 5_000, timer.wakeAt());
            assertProblem(f.client().advance(1, null, null, TIMEOUT), Status.CONFLICT, "ILLEGAL_TRANSITION");

            f.clock.addAndGet(5_000);
            EngineFixture.await("timer fired", () -> "COMPLETED".equals(f.get(1).state()));
            final WorkflowView done = f.get(1);
            assertEquals(-1, done.currentStep());
            assertEquals(0, done.wakeAt());

            final List<String> types = types(f.client().events(1, TIMEOUT));
            assertEquals(List.of("WorkflowCreated", "StepScheduled", "StepCompleted", "StepScheduled",
                "WorkflowWaiting", "StepCompleted", "StepScheduled", "TimerScheduled", "WorkflowWaiting",
                "TimerFired", "StepCompleted", "WorkflowCompleted"), types);
            assertEquals(done.eventCount(), types.size());
            assertProblem(f.client().advance(1, null, null, TIMEOUT), Status.CONFLICT, "ILLEGAL_TRANSITION");
        }
    }

    @Test
    void eventsCarryStepNamesAndOutputs()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            f.create("pay", StepSpec.task("CHARGE"));
            f.client().advance(1, null, "{\"amount\":5}".getBytes(StandardCharsets.UTF_8), TIMEOUT);
            final EngineReply.Events events = assertInstanceOf(EngineReply.Events.class,
                f.client().events(1, TIMEOUT));
            final EventView completed = events.events().get(2);
            assertEquals("StepCompleted", completed.type());
            assertEquals("CHARGE", completed.fields().get("step"));
            assertEquals(new RawJson("{\"amount\":5}"), completed.fields().get("output"));
            assertTrue(completed.position() > events.events().get(1).position());
            assertEquals(1, events.workflowId());
        }
    }

    @Test
    void restartRecoversIdenticalStateAndTimersStillFire()
    {
        final List<WorkflowView> before = new ArrayList<>();
        final List<List<EventView>> eventsBefore = new ArrayList<>();
        final EngineFixture f = new EngineFixture(dir);
        try
        {
            f.create("a", StepSpec.task("ONE"), StepSpec.task("TWO"));
            f.create("b", StepSpec.timer("WAIT", 60_000), StepSpec.approval("OK"));
            f.create("c", StepSpec.approval("SIGN"));
            f.client().advance(1, null, "{\"x\":1}".getBytes(StandardCharsets.UTF_8), TIMEOUT);
            f.client().cancel(3, "customer changed their mind", TIMEOUT);
            for (long id = 1; id <= 3; id++)
            {
                before.add(f.get(id));
                eventsBefore.add(events(f.client().events(id, TIMEOUT)));
            }
            final long position = f.engine.journalPosition();

            f.restart();
            assertEquals(position, f.engine.journalPosition());
            for (long id = 1; id <= 3; id++)
            {
                assertEquals(before.get((int)id - 1), f.get(id));
                assertEquals(eventsBefore.get((int)id - 1), events(f.client().events(id, TIMEOUT)));
            }
            assertEquals("customer changed their mind", f.get(3).reason());

            f.clock.addAndGet(60_000);
            EngineFixture.await("recovered timer fired", () -> "OK".equals(f.get(2).currentStepName()));
            assertEquals("WAITING", f.get(2).state());
            assertEquals(4, f.create("d", StepSpec.task("NEXT")).id());
        }
        finally
        {
            f.close();
        }
    }

    @Test
    void idempotencyKeyReturnsTheFirstWorkflowAndWritesNothing()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            final CreateWorkflow create = new CreateWorkflow("pay", List.of(StepSpec.task("CHARGE")),
                "{}".getBytes(StandardCharsets.UTF_8), "key-1");
            final EngineReply first = f.client().create(create, TIMEOUT);
            assertEquals(Status.CREATED, first.status());
            final long position = f.engine.journalPosition();

            final EngineReply again = f.client().create(create, TIMEOUT);
            assertEquals(Status.EXISTING, again.status());
            assertEquals(created(first).id(), created(again).id());
            assertEquals("pay", created(again).name());
            assertEquals("key-1", created(again).idempotencyKey());

            final CreateWorkflow other = new CreateWorkflow("other", List.of(StepSpec.task("X")),
                "{}".getBytes(StandardCharsets.UTF_8), "key-1");
            assertProblem(f.client().create(other, TIMEOUT), Status.UNPROCESSABLE, "IDEMPOTENCY_KEY_REUSED");
            assertEquals(position, f.engine.journalPosition());

            f.restart();
            assertEquals(Status.EXISTING, f.client().create(create, TIMEOUT).status());
            assertProblem(f.client().create(other, TIMEOUT), Status.UNPROCESSABLE, "IDEMPOTENCY_KEY_REUSED");
        }
    }

    @Test
    void workflowsWithUniqueNamesShareOneDefinitionPerStepList()
    {
        final EngineFixture f = new EngineFixture(dir);
        for (int i = 0; i < 100; i++)
        {
            f.create("order-" + i, StepSpec.task("RESERVE"), StepSpec.approval("APPROVE"));
        }
        f.create("other", StepSpec.task("RESERVE"));
        assertEquals("order-42", f.get(43).name());
        f.close();
        assertEquals(2, f.engine.stateMachineAfterClose().definitionCount());

        f.start();
        assertEquals("order-42", f.get(43).name());
        f.close();
        assertEquals(2, f.engine.stateMachineAfterClose().definitionCount());
    }

    @Test
    void badCommandsAreRefusedAndWriteNothing()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            f.create("seed", StepSpec.task("A"));
            final long position = f.engine.journalPosition();
            final byte[] input = "{}".getBytes(StandardCharsets.UTF_8);

            assertProblem(f.client().create(new CreateWorkflow("x", List.of(), input, null), TIMEOUT),
                Status.INVALID, "INVALID_STEPS");
            final List<StepSpec> tooMany = new ArrayList<>();
            for (int i = 0; i < 17; i++)
            {
                tooMany.add(StepSpec.task("S" + i));
            }
            assertProblem(f.client().create(new CreateWorkflow("x", tooMany, input, null), TIMEOUT),
                Status.INVALID, "TOO_MANY_STEPS");
            assertProblem(f.client().create(new CreateWorkflow("", List.of(StepSpec.task("A")), input, null),
                TIMEOUT), Status.INVALID, "INVALID_NAME");
            assertProblem(f.client().create(new CreateWorkflow("x", List.of(StepSpec.timer("T", 0)), input, null),
                TIMEOUT), Status.INVALID, "INVALID_STEPS");
            assertProblem(f.client().create(new CreateWorkflow("x",
                List.of(new StepSpec("A", StepKind.TASK, 0, 0, 0, 0, 0, 1.0)), input, null), TIMEOUT),
                Status.INVALID, "INVALID_STEPS");
            assertProblem(f.client().create(new CreateWorkflow("x", List.of(StepSpec.task("")), input, null),
                TIMEOUT), Status.INVALID, "INVALID_STEPS");
            assertProblem(f.client().create(new CreateWorkflow("x", List.of(StepSpec.task("A")),
                new byte[64 * 1024 + 1], null), TIMEOUT), Status.INVALID, "INPUT_TOO_LARGE");
            assertProblem(f.client().advance(99, null, null, TIMEOUT), Status.NOT_FOUND, "NOT_FOUND");
            assertProblem(f.client().advance(-1, null, null, TIMEOUT), Status.NOT_FOUND, "NOT_FOUND");
            assertProblem(f.client().cancel(99, null, TIMEOUT), Status.NOT_FOUND, "NOT_FOUND");
            assertProblem(f.client().get(0, TIMEOUT), Status.NOT_FOUND, "NOT_FOUND");
            assertProblem(f.client().events(7, TIMEOUT), Status.NOT_FOUND, "NOT_FOUND");
            assertProblem(f.client().list(-1, 10, null, TIMEOUT), Status.INVALID, "INVALID_QUERY");
            assertProblem(f.client().list(0, 1001, null, TIMEOUT), Status.INVALID, "INVALID_QUERY");
            assertProblem(f.client().list(0, 10, "SLEEPING", TIMEOUT), Status.INVALID, "INVALID_QUERY");
            assertEquals(position, f.engine.journalPosition());

            f.client().cancel(1, null, TIMEOUT);
            final long afterCancel = f.engine.journalPosition();
            assertProblem(f.client().cancel(1, null, TIMEOUT), Status.CONFLICT, "ILLEGAL_TRANSITION");
            assertProblem(f.client().advance(1, null, null, TIMEOUT), Status.CONFLICT, "ILLEGAL_TRANSITION");
            assertEquals(afterCancel, f.engine.journalPosition());
        }
    }

    @Test
    void commandLargerThanItsSlotTravelsByReference()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            final int slot = f.engine.context().slotSize();
            final StringBuilder json = new StringBuilder("{\"blob\":\"");
            while (json.length() < slot * 3)
            {
                json.append("0123456789abcdef");
            }
            json.append("\"}");
            final CreateWorkflow create = new CreateWorkflow("big", List.of(StepSpec.task("A")),
                json.toString().getBytes(StandardCharsets.UTF_8), null);
            final WorkflowView view = created(f.client().create(create, TIMEOUT));
            assertEquals(json.toString(), view.inputJson());
            f.restart();
            assertEquals(json.toString(), f.get(view.id()).inputJson());
        }
    }

    @Test
    void listPagesAndFiltersInIdOrder()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            for (int i = 0; i < 7; i++)
            {
                f.create("w" + i, i % 2 == 0 ? StepSpec.task("T") : StepSpec.approval("A"));
            }
            final EngineReply.WorkflowList all = assertInstanceOf(EngineReply.WorkflowList.class,
                f.client().list(2, 3, null, TIMEOUT));
            assertEquals(7, all.total());
            assertEquals(List.of(3L, 4L, 5L), all.workflows().stream().map(WorkflowView::id).toList());

            final EngineReply.WorkflowList waiting = assertInstanceOf(EngineReply.WorkflowList.class,
                f.client().list(0, 100, "WAITING", TIMEOUT));
            assertEquals(3, waiting.total());
            assertEquals(List.of(2L, 4L, 6L), waiting.workflows().stream().map(WorkflowView::id).toList());
            assertNull(f.get(2).reason());
        }
    }

    @Test
    void taskQueuesCountTaskStepsWaitingForWorkers()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            final long start = f.clock.get();
            f.create("a", StepSpec.task("CHARGE"), StepSpec.task("SHIP"));
            f.create("b", StepSpec.task("CHARGE"));
            f.create("c", StepSpec.approval("SIGN"), StepSpec.task("SHIP"));
            assertEquals(List.of(new io.axiom.core.api.TaskQueue("CHARGE", 2, 0, 0, start)), queues(f));

            f.clock.addAndGet(500);
            f.client().advance(1, null, null, TIMEOUT);
            f.client().cancel(2, null, TIMEOUT);
            f.client().advance(3, null, null, TIMEOUT);
            final List<io.axiom.core.api.TaskQueue> after = List.of(
                new io.axiom.core.api.TaskQueue("CHARGE", 0, 0, 0, 0),
                new io.axiom.core.api.TaskQueue("SHIP", 2, 0, 0, start + 500));
            assertEquals(after, queues(f));
            assertEquals(2, f.engine.counters().tasksQueued());
            assertEquals(1500, after.get(1).oldestQueuedAgeMs(start + 2000));

            f.restart();
            assertEquals(after, queues(f));
        }
    }

    @Test
    void replayRebuildsAWorkflowFromItsEventsAndMatchesTheLiveState()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            f.create("first", StepSpec.task("X"));
            f.create("pay", StepSpec.task("CHARGE"), StepSpec.approval("OK"), StepSpec.task("SHIP"));
            f.client().advance(2, null, "{\"paid\":1}".getBytes(StandardCharsets.UTF_8), TIMEOUT);
            final EngineReply.Replay replay = assertInstanceOf(EngineReply.Replay.class, f.client().replay(2, TIMEOUT));
            assertTrue(replay.matchesLive());
            assertEquals(f.get(2), replay.live());
            assertEquals(f.get(2).eventCount(), replay.steps().size());
            assertEquals("WorkflowCreated", replay.steps().get(0).event().type());
            assertEquals("CREATED", replay.steps().get(0).after().state());
            assertEquals("RUNNING", replay.steps().get(1).after().state());
            assertEquals("WAITING", replay.steps().get(replay.steps().size() - 1).after().state());
            assertEquals(replay.live(), replay.steps().get(replay.steps().size() - 1).after());
            assertProblem(f.client().replay(3, TIMEOUT), Status.NOT_FOUND, "NOT_FOUND");
        }
    }

    static List<io.axiom.core.api.TaskQueue> queues(final EngineFixture f)
    {
        return assertInstanceOf(EngineReply.TaskQueues.class, f.client().tasks(TIMEOUT)).queues();
    }

    static void assertProblem(final EngineReply reply, final Status status, final String code)
    {
        final EngineReply.Problem problem = assertInstanceOf(EngineReply.Problem.class, reply, reply.toString());
        assertEquals(status, problem.status(), problem.toString());
        assertEquals(code, problem.code(), problem.toString());
        assertTrue(problem.detail().length() > 10, problem.detail());
    }

    static List<EventView> events(final EngineReply reply)
    {
        return assertInstanceOf(EngineReply.Events.class, reply, String.valueOf(reply)).events();
    }

    static List<String> types(final EngineReply reply)
    {
        return events(reply).stream().map(EventView::type).toList();
    }
}
