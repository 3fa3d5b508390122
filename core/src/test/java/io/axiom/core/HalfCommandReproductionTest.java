package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static io.axiom.core.EngineFixture.created;
import static io.axiom.core.EngineTest.assertProblem;
import static io.axiom.core.EngineTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The two reproductions of "a command is not atomic in the log", as they were reported: a log cut just after the
 * first record of a command used to replay half of it as if it were whole. (Snapshots are off: a crash leaves no
 * shutdown snapshot, and one past the cut would rightly be refused.)
 */
class HalfCommandReproductionTest
{
    @TempDir
    Path dir;

    @Test
    void anAdvanceCutAfterItsStepCompletedIsDroppedWhole() throws Exception
    {
        final long cut;
        try (EngineFixture f = new EngineFixture(dir, ctx -> ctx.snapshotRetain(0)))
        {
            f.create("two-approvals", StepSpec.approval("A"), StepSpec.approval("B"));
            f.client().advance(1, "A", null, TIMEOUT);
            final EventView completed = events(f.client().events(1, TIMEOUT)).stream()
                .filter(e -> "StepCompleted".equals(e.type())).findFirst().orElseThrow();
            cut = completed.position() + 32 + 40; // inside the next record of the same command, past StepCompleted
        }
        CutTheLogTest.cutLog(dir, cut);

        try (EngineFixture f = new EngineFixture(dir, ctx -> ctx.snapshotRetain(0)))
        {
            final WorkflowView w = f.get(1);
            assertEquals("A", w.currentStepName());
            assertEquals("ACTIVE", w.steps().get(0).status(), "half an advance must not complete step A");
            assertEquals(Status.OK, f.client().advance(1, "A", null, TIMEOUT).status());
            assertProblem(f.client().advance(1, null, 0, null, null, TIMEOUT), Status.CONFLICT, "ALREADY_COMMITTED");
            assertEquals(1, events(f.client().events(1, TIMEOUT)).stream()
                .filter(e -> "StepCompleted".equals(e.type()) && Integer.valueOf(0).equals(e.fields().get("step_index")))
                .count(), "the log holds one StepCompleted for step 0");
        }
    }

    @Test
    void aCreateCutAfterWorkflowCreatedIsDroppedWholeAndItsKeyCreatesAgain() throws Exception
    {
        final CreateWorkflow create = new CreateWorkflow("keyed", List.of(StepSpec.task("T")),
            "{\"n\":1}".getBytes(StandardCharsets.UTF_8), "create-1");
        final long cut;
        try (EngineFixture f = new EngineFixture(dir, ctx -> ctx.snapshotRetain(0)))
        {
            assertEquals(Status.CREATED, f.client().create(create, TIMEOUT).status());
            final EventView workflowCreated = events(f.client().events(1, TIMEOUT)).get(0);
            final EventView next = events(f.client().events(1, TIMEOUT)).get(1);
            cut = next.position() + 8; // WorkflowCreated whole, StepScheduled torn
            assertEquals("WorkflowCreated", workflowCreated.type());
        }
        CutTheLogTest.cutLog(dir, cut);

        try (EngineFixture f = new EngineFixture(dir, ctx -> ctx.snapshotRetain(0)))
        {
            assertProblem(f.client().get(1, TIMEOUT), Status.NOT_FOUND, "NOT_FOUND");
            final EngineReply again = f.client().create(create, TIMEOUT);
            assertEquals(Status.CREATED, again.status(), "the key of a create that never became durable is free");
            assertEquals("RUNNING", created(again).state());
        }
    }
}
