package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineClient.NO_STEP_INDEX;
import static io.axiom.core.EngineFixture.TIMEOUT;
import static io.axiom.core.EngineFixture.created;
import static io.axiom.core.EngineTest.assertProblem;
import static io.axiom.core.EngineTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * An operator's advance and cancel: a retry is never a second effect. The reproduction: with steps
 * [APPROVE, APPROVE, PAY] the same advance sent twice must not complete both approvals (one approver satisfying a
 * two-person rule).
 */
class OperatorCommandsTest
{
    private static final byte[] ALICE = "{\"approved_by\":\"alice\"}".getBytes(StandardCharsets.UTF_8);
    private static final byte[] BOB = "{\"approved_by\":\"bob\"}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    @Test
    void aRetriedAdvanceNamingTheStepIndexIsAlreadyCommittedAndWritesNothing()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            twoPersonRule(f);
            assertEquals(Status.OK, f.client().advance(1, "APPROVE", 0, ALICE, null, TIMEOUT).status());
            final long position = f.engine.journalPosition();

            assertProblem(f.client().advance(1, "APPROVE", 0, ALICE, null, TIMEOUT), Status.CONFLICT,
                "ALREADY_COMMITTED");
            assertEquals(position, f.engine.journalPosition());
            assertEquals(1, f.get(1).currentStep());

            f.restart();
            assertProblem(f.client().advance(1, null, 0, ALICE, null, TIMEOUT), Status.CONFLICT,
                "ALREADY_COMMITTED");
            final WorkflowView second = created(f.client().advance(1, "APPROVE", 1, BOB, null, TIMEOUT));
            assertEquals("PAY", second.currentStepName());
            assertEquals(1, stepCompletions(f, 0));
            assertEquals(1, stepCompletions(f, 1));
        }
    }

    @Test
    void anIndexAheadOfTheWorkflowIsAMismatchAndOutOfRangeIsInvalid()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            twoPersonRule(f);
            final long position = f.engine.journalPosition();
            assertProblem(f.client().advance(1, null, 1, ALICE, null, TIMEOUT), Status.CONFLICT, "STEP_MISMATCH");
            assertProblem(f.client().advance(1, null, 3, ALICE, null, TIMEOUT), Status.INVALID, "INVALID_STEP_INDEX");
            assertProblem(f.client().advance(1, "PAY", 0, ALICE, null, TIMEOUT), Status.CONFLICT, "STEP_MISMATCH");
            assertEquals(position, f.engine.journalPosition());
        }
    }

    @Test
    void anIdempotencyKeyAnswersTheRetryFromTheStateAndRefusesADifferentRequest()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            twoPersonRule(f);
            assertEquals(Status.OK,
                f.client().advance(1, "APPROVE", NO_STEP_INDEX, ALICE, "approve-alice", TIMEOUT).status());
            final long position = f.engine.journalPosition();

            final EngineReply retry = f.client().advance(1, "APPROVE", NO_STEP_INDEX, ALICE, "approve-alice", TIMEOUT);
            assertEquals(Status.EXISTING, retry.status());
            assertEquals(1, created(retry).currentStep());
            assertProblem(f.client().advance(1, "APPROVE", NO_STEP_INDEX, BOB, "approve-alice", TIMEOUT),
                Status.UNPROCESSABLE, "IDEMPOTENCY_KEY_REUSED");
            assertProblem(f.client().cancel(1, "no", NO_STEP_INDEX, "approve-alice", TIMEOUT),
                Status.UNPROCESSABLE, "IDEMPOTENCY_KEY_REUSED");
            assertEquals(position, f.engine.journalPosition());

            f.restart();
            assertEquals(Status.EXISTING,
                f.client().advance(1, "APPROVE", NO_STEP_INDEX, ALICE, "approve-alice", TIMEOUT).status());
            assertEquals(position, f.engine.journalPosition());

            final List<EventView> events = events(f.client().events(1, TIMEOUT));
            final EventView completed = events.stream().filter(e -> "StepCompleted".equals(e.type())).findFirst()
                .orElseThrow();
            assertEquals("OPERATOR", completed.fields().get("completed_by"));
            assertEquals("approve-alice", completed.fields().get("idempotency_key"));
        }
    }

    @Test
    void theSameKeyOnAnotherWorkflowIsAnotherRequest()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            twoPersonRule(f);
            twoPersonRule(f);
            assertEquals(Status.OK, f.client().advance(1, null, 0, ALICE, "approve", TIMEOUT).status());
            assertEquals(Status.OK, f.client().advance(2, null, 0, ALICE, "approve", TIMEOUT).status());
        }
    }

    @Test
    void aRetriedCancelWithAKeyIsAnsweredAndAStaleCancelIsRefused()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            twoPersonRule(f);
            twoPersonRule(f);
            assertEquals(Status.OK, f.client().cancel(1, "fraud", NO_STEP_INDEX, "cancel-1", TIMEOUT).status());
            final long position = f.engine.journalPosition();
            assertEquals(Status.EXISTING, f.client().cancel(1, "fraud", NO_STEP_INDEX, "cancel-1", TIMEOUT).status());
            assertProblem(f.client().cancel(1, "other", NO_STEP_INDEX, "cancel-1", TIMEOUT), Status.UNPROCESSABLE,
                "IDEMPOTENCY_KEY_REUSED");
            assertProblem(f.client().cancel(1, "fraud", NO_STEP_INDEX, null, TIMEOUT), Status.CONFLICT,
                "ILLEGAL_TRANSITION");

            assertEquals(position, f.engine.journalPosition());
            assertEquals(Status.OK, f.client().advance(2, null, 0, ALICE, null, TIMEOUT).status());
            final long advanced = f.engine.journalPosition();
            assertProblem(f.client().cancel(2, "late", 0, null, TIMEOUT), Status.CONFLICT, "STEP_MISMATCH");
            assertEquals(advanced, f.engine.journalPosition());

            f.restart();
            assertEquals(Status.EXISTING, f.client().cancel(1, "fraud", NO_STEP_INDEX, "cancel-1", TIMEOUT).status());
            assertEquals("CANCELLED", f.get(1).state());
            assertEquals("WAITING", f.get(2).state());
        }
    }

    private static void twoPersonRule(final EngineFixture f)
    {
        f.create("payout", StepSpec.approval("APPROVE"), StepSpec.approval("APPROVE"), StepSpec.task("PAY"));
    }

    private static long stepCompletions(final EngineFixture f, final int step)
    {
        return events(f.client().events(1, TIMEOUT)).stream()
            .filter(e -> "StepCompleted".equals(e.type()) && Integer.valueOf(step).equals(e.fields().get("step_index")))
            .count();
    }
}
