package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EventView;
import io.axiom.core.api.StepKind;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static io.axiom.core.EngineFixture.created;
import static io.axiom.core.EngineTest.events;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Task steps run by workers, inside the engine: dispatch after the StepLeased is durable, fencing by the lease's
 * token, completion once, retries by the step's policy, expiry and timeouts, all with a clock the test drives.
 */
class WorkersTest
{
    private static final long LEASE_MS = 1_000;
    private static final long WORKER_TIMEOUT_MS = 10_000;

    @TempDir
    Path dir;

    private EngineFixture engine()
    {
        return new EngineFixture(dir, ctx -> ctx.leaseDurationMs(LEASE_MS).workerTimeoutMs(WORKER_TIMEOUT_MS));
    }

    private static StepSpec task(final String name, final int attempts, final long backoffMs)
    {
        return new StepSpec(name, StepKind.TASK, 0, 0, attempts, backoffMs, 60_000, 2.0);
    }

    private static long completions(final EngineFixture f, final long workflowId, final int step)
    {
        return events(f.client().allEvents(workflowId, TIMEOUT)).stream()
            .filter(e -> "StepCompleted".equals(e.type()) && Integer.valueOf(step).equals(e.fields().get("step_index")))
            .count();
    }

    @Test
    void aWorkerRunsEveryStepAndEachCommitsOnceWithItsToken()
    {
        try (EngineFixture f = engine())
        {
            f.create("order", StepSpec.task("RESERVE"), StepSpec.task("CHARGE"));
            final TestWorker worker = new TestWorker(f.engine, 7);
            assertEquals(LEASE_MS, worker.hello(2, "RESERVE", "CHARGE").leaseDurationMs());

            final TestWorker.Assigned first = worker.next(TestWorker.Assigned.class);
            assertEquals(1, first.workflowId());
            assertEquals("RESERVE", first.stepName());
            assertEquals(1, first.attempt());
            assertEquals("1-0", first.idempotencyKey());
            assertEquals("{\"order\":1}", first.input());
            assertEquals(EngineFixture.START_MS + LEASE_MS, first.leaseExpiresAt());
            assertEquals(EngineFixture.START_MS + WORKER_TIMEOUT_MS, first.attemptDeadline());
            final List<EventView> leased = events(f.client().events(1, TIMEOUT));
            assertEquals(first.token(), leased.stream().filter(e -> "StepLeased".equals(e.type())).findFirst()
                .orElseThrow().position(), "the fencing token is the position of the StepLeased event");

            worker.complete(first.taskId(), first.token(), "{\"reserved\":true}");
            assertEquals(new TestWorker.Accepted(1, first.token()), worker.next());
            final TestWorker.Assigned second = worker.next(TestWorker.Assigned.class);
            assertEquals("CHARGE", second.stepName());
            assertTrue(second.token() > first.token(), "tokens only grow");
            worker.complete(second.taskId(), second.token(), "{\"charged\":true}");
            worker.next(TestWorker.Accepted.class);

            final WorkflowView done = f.get(1);
            assertEquals("COMPLETED", done.state());
            assertEquals("{\"reserved\":true}", done.steps().get(0).outputJson());
            final EventView completed = events(f.client().events(1, TIMEOUT)).stream()
                .filter(e -> "StepCompleted".equals(e.type())).findFirst().orElseThrow();
            assertEquals("WORKER", completed.fields().get("completed_by"));
            assertEquals(first.token(), completed.fields().get("fencing_token"));
            assertEquals(1, f.engine.counters().workersConnected());
        }
    }

    @Test
    void aTaskWaitsForAWorkerAndARepeatedCompletionIsAlreadyCommitted()
    {
        try (EngineFixture f = engine())
        {
            f.create("lonely", StepSpec.task("RARE"));
            f.advanceClock(300);
            final io.axiom.core.api.TaskQueue queue = EngineTest.queues(f).get(0);
            assertEquals(1, queue.queued());
            assertEquals(0, queue.workers());
            assertEquals(300, queue.oldestQueuedAgeMs(f.clock.get()));

            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(1, "RARE");
            final TestWorker.Assigned task = worker.next(TestWorker.Assigned.class);
            worker.complete(task.taskId(), task.token(), "{\"n\":1}");
            worker.next(TestWorker.Accepted.class);
            final long position = f.engine.journalPosition();

            worker.complete(task.taskId(), task.token(), "{\"n\":2}");
            final TestWorker.Rejected again = worker.next(TestWorker.Rejected.class);
            assertEquals("ALREADY_COMMITTED", again.reason());
            assertEquals("{\"n\":1}", again.committedOutput());
            worker.fail(task.taskId(), task.token(), true, "late");
            assertEquals("ALREADY_COMMITTED", worker.next(TestWorker.Rejected.class).reason());
            assertEquals(position, f.engine.journalPosition(), "a rejected completion writes nothing");
            assertEquals(1, completions(f, 1, 0));
        }
    }

    @Test
    void anExpiredLeaseIsRetriedElsewhereAndTheLateCompletionIsStale()
    {
        try (EngineFixture f = engine())
        {
            f.create("pay", task("CHARGE", 3, 0));
            final TestWorker slow = new TestWorker(f.engine, 1);
            slow.hello(1, "CHARGE");
            final TestWorker.Assigned first = slow.next(TestWorker.Assigned.class);
            slow.goodbye();

            final TestWorker other = new TestWorker(f.engine, 2);
            other.hello(1, "CHARGE");
            f.advanceClock(LEASE_MS);
            final TestWorker.Assigned second = other.next(TestWorker.Assigned.class);
            assertEquals(2, second.attempt());
            assertTrue(second.token() > first.token());
            final List<EventView> failed = events(f.client().events(1, TIMEOUT)).stream()
                .filter(e -> "StepAttemptFailed".equals(e.type())).toList();
            assertEquals(1, failed.size());
            assertEquals("LEASE_EXPIRED", failed.get(0).fields().get("kind"));

            final long position = f.engine.journalPosition();
            final TestWorker late = new TestWorker(f.engine, 1);
            late.complete(first.taskId(), first.token(), "{\"late\":true}");
            assertEquals("STALE_FENCING_TOKEN", late.next(TestWorker.Rejected.class).reason());
            assertEquals(position, f.engine.journalPosition());

            other.complete(second.taskId(), second.token(), "{\"ok\":true}");
            other.next(TestWorker.Accepted.class);
            assertEquals("COMPLETED", f.get(1).state());
            assertEquals(1, completions(f, 1, 0));
            late.complete(first.taskId(), first.token(), "{\"late\":true}");
            assertEquals("STALE_FENCING_TOKEN", late.next(TestWorker.Rejected.class).reason(),
                "a lease that did not commit stays stale after another one did");
        }
    }

    @Test
    void heartbeatsKeepALeaseAndTheAttemptDeadlineStillEndsIt()
    {
        try (EngineFixture f = engine())
        {
            f.create("long", task("CRUNCH", 1, 0));
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(1, "CRUNCH");
            final TestWorker.Assigned task = worker.next(TestWorker.Assigned.class);
            for (int i = 0; i < 9; i++)
            {
                f.advanceClock(LEASE_MS - 10);
                worker.heartbeat(task.taskId(), task.token());
            }
            assertEquals("RUNNING", f.get(1).state(), "heartbeats kept the lease past " + 9 * (LEASE_MS - 10) + " ms");
            final long deadline = task.attemptDeadline();
            while (f.clock.get() < deadline)
            {
                f.advanceClock(Math.min(LEASE_MS - 10, deadline - f.clock.get()));
                worker.heartbeat(task.taskId(), task.token());
            }
            final WorkflowView failed = f.get(1);
            assertEquals("FAILED", failed.state());
            assertTrue(failed.reason().contains("TIMED_OUT"), failed.reason());
            assertEquals(1, f.engine.counters().attemptTimeouts());
        }
    }

    @Test
    void retriesFollowThePolicyWithBackoffAndExhaustedAttemptsFailTheWorkflow()
    {
        try (EngineFixture f = engine())
        {
            f.create("flaky", task("CALL", 3, 1_000));
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(1, "CALL");

            TestWorker.Assigned task = worker.next(TestWorker.Assigned.class);
            worker.fail(task.taskId(), task.token(), true, "timeout talking to the bank");
            worker.next(TestWorker.Accepted.class);
            WorkflowView w = f.get(1);
            assertEquals("WAITING", w.state());
            assertEquals(f.clock.get() + 1_000, w.wakeAt());
            f.advanceClock(999);
            assertNull(worker.poll(), "no attempt before the backoff ends");
            f.advanceClock(1);
            task = worker.next(TestWorker.Assigned.class);
            assertEquals(2, task.attempt());
            assertEquals("1-0", task.idempotencyKey(), "the same key on every attempt");

            worker.fail(task.taskId(), task.token(), true, "again");
            worker.next(TestWorker.Accepted.class);
            assertEquals(f.clock.get() + 2_000, f.get(1).wakeAt(), "the backoff doubles");
            f.advanceClock(2_000);
            task = worker.next(TestWorker.Assigned.class);
            assertEquals(3, task.attempt());
            worker.fail(task.taskId(), task.token(), true, "still down");
            worker.next(TestWorker.Accepted.class);

            w = f.get(1);
            assertEquals("FAILED", w.state());
            assertEquals("step 0 failed after 3 attempts: ERROR: still down", w.reason());
            assertEquals("FAILED", w.steps().get(0).status());

            f.restart();
            assertEquals("FAILED", f.get(1).state());
            assertEquals(w.reason(), f.get(1).reason());
        }
    }

    @Test
    void aFailureThatIsNotRetryableFailsTheWorkflowAtOnce()
    {
        try (EngineFixture f = engine())
        {
            f.create("strict", task("VALIDATE", 5, 0));
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(1, "VALIDATE");
            final TestWorker.Assigned task = worker.next(TestWorker.Assigned.class);
            worker.fail(task.taskId(), task.token(), false, "card declined");
            worker.next(TestWorker.Accepted.class);
            assertEquals("step 0 failed (not retryable) on attempt 1: ERROR: card declined", f.get(1).reason());
        }
    }

    @Test
    void anOperatorAdvanceFencesOffTheLeaseInFlight()
    {
        try (EngineFixture f = engine())
        {
            f.create("manual", StepSpec.task("SHIP"), StepSpec.approval("DONE"));
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(1, "SHIP");
            final TestWorker.Assigned task = worker.next(TestWorker.Assigned.class);
            assertEquals(io.axiom.core.api.Status.OK, f.client().advance(1, "SHIP", 0, null, null, TIMEOUT).status());
            worker.complete(task.taskId(), task.token(), "{\"shipped\":true}");
            assertEquals("STALE_FENCING_TOKEN", worker.next(TestWorker.Rejected.class).reason());
            assertEquals(1, completions(f, 1, 0));
            assertEquals(0, f.engine.counters().tasksLeased());
        }
    }

    @Test
    void leasesSurviveARestartAndTheirTokensStillCommit()
    {
        try (EngineFixture f = engine())
        {
            f.create("durable", StepSpec.task("A"), StepSpec.task("B"));
            final TestWorker before = new TestWorker(f.engine, 1);
            before.hello(1, "A", "B");
            final TestWorker.Assigned task = before.next(TestWorker.Assigned.class);

            f.restart();
            assertEquals(1, f.engine.counters().tasksLeased());
            final TestWorker after = new TestWorker(f.engine, 1);
            after.complete(task.taskId(), task.token(), "{\"a\":1}");
            after.next(TestWorker.Accepted.class);
            after.hello(1, "A", "B");
            final TestWorker.Assigned next = after.next(TestWorker.Assigned.class);
            assertEquals("B", next.stepName());
        }
    }

    @Test
    void workersTakeTurnsAndNeverHoldMoreThanTheirCapacity()
    {
        try (EngineFixture f = engine())
        {
            final TestWorker a = new TestWorker(f.engine, 1);
            final TestWorker b = new TestWorker(f.engine, 2);
            a.hello(2, "T");
            b.hello(2, "T");
            for (int i = 0; i < 6; i++)
            {
                f.create("w" + i, StepSpec.task("T"));
            }
            final TestWorker.Assigned a1 = a.next(TestWorker.Assigned.class);
            final TestWorker.Assigned a2 = a.next(TestWorker.Assigned.class);
            final TestWorker.Assigned b1 = b.next(TestWorker.Assigned.class);
            final TestWorker.Assigned b2 = b.next(TestWorker.Assigned.class);
            f.advanceClock(0);
            assertNull(a.poll(), "a holds its capacity");
            assertNull(b.poll(), "b holds its capacity");
            assertEquals(2, EngineTest.queues(f).get(0).queued());
            assertEquals(4, java.util.stream.Stream.of(a1, a2, b1, b2).map(TestWorker.Assigned::taskId).distinct()
                .count());
            a.complete(a1.taskId(), a1.token(), "{}");
            a.next(TestWorker.Accepted.class);
            a.next(TestWorker.Assigned.class);
        }
    }

    @Test
    void badFramesAreRejectedWithTheirReasonAndWriteNothing()
    {
        try (EngineFixture f = engine())
        {
            f.create("x", StepSpec.task("T"));
            final long position = f.engine.journalPosition();
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.complete(99, 1234, "{}");
            assertEquals("UNKNOWN_TASK", worker.next(TestWorker.Rejected.class).reason());
            worker.complete(1, 64, "{}");
            assertEquals("UNKNOWN_TASK", worker.next(TestWorker.Rejected.class).reason(), "a token that is no lease");
            worker.complete(1, 7, "{}");
            assertEquals("UNKNOWN_TASK", worker.next(TestWorker.Rejected.class).reason(), "a token that is no record");

            final byte[] unknownTemplate = new byte[32];
            final org.agrona.concurrent.UnsafeBuffer header = new org.agrona.concurrent.UnsafeBuffer(unknownTemplate);
            new io.axiom.wire.MessageHeaderEncoder().wrap(header, 0).blockLength(8).templateId(77)
                .schemaId(io.axiom.wire.MessageHeaderEncoder.SCHEMA_ID).version(1);
            worker.raw(unknownTemplate);
            assertEquals("MALFORMED", worker.next(TestWorker.Rejected.class).reason());

            final TestWorker newer = new TestWorker(f.engine, 3);
            new io.axiom.wire.MessageHeaderEncoder().wrap(header, 0).blockLength(8).templateId(1)
                .schemaId(io.axiom.wire.MessageHeaderEncoder.SCHEMA_ID).version(99);
            newer.raw(unknownTemplate);
            assertTrue(newer.next(TestWorker.HelloRejected.class).reason().contains("version 99"));

            worker.raw(new byte[]{1, 2, 3});
            assertEquals("MALFORMED", worker.next(TestWorker.Problem.class).code());
            worker.raw("garbage that is no frame at all".getBytes(StandardCharsets.US_ASCII));
            assertEquals("MALFORMED", worker.next(TestWorker.Problem.class).code());
            final byte[] truncated = new byte[12];
            new io.axiom.wire.MessageHeaderEncoder().wrap(new org.agrona.concurrent.UnsafeBuffer(truncated), 0)
                .blockLength(24).templateId(3).schemaId(io.axiom.wire.MessageHeaderEncoder.SCHEMA_ID).version(1);
            worker.raw(truncated);
            assertEquals("MALFORMED", worker.next(TestWorker.Problem.class).code(), "a frame shorter than its header");
            assertEquals(position, f.engine.journalPosition(), "bad frames write nothing");

            final TestWorker good = new TestWorker(f.engine, 9);
            good.hello(1, "T");
            final TestWorker.Assigned task = good.next(TestWorker.Assigned.class);
            good.complete(task.taskId(), task.token(), "{}");
            good.next(TestWorker.Accepted.class);
            assertEquals("COMPLETED", f.get(1).state(), "the engine went on");
        }
    }

    @Test
    void aHelloWithBadFieldsIsRejected()
    {
        try (EngineFixture f = engine())
        {
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.send(buffer ->
            {
                final io.axiom.wire.WorkerHelloEncoder e = new io.axiom.wire.WorkerHelloEncoder()
                    .wrapAndApplyHeader(buffer, 0, new io.axiom.wire.MessageHeaderEncoder())
                    .workerId(1).capacity(0).responseStreamId(0);
                e.stepNamesCount(1).next().name("T");
                e.responseChannel("x");
                return io.axiom.wire.MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
            });
            assertTrue(worker.next(TestWorker.HelloRejected.class).reason().contains("capacity"));
            assertEquals(0, f.engine.counters().workersConnected());
        }
    }

    @Test
    void aRepeatedHelloKeepsTheTasksTheWorkerHoldsWithinItsCapacity()
    {
        try (EngineFixture f = engine())
        {
            for (int i = 0; i < 4; i++)
            {
                f.create("w" + i, StepSpec.task("T"));
            }
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(2, "T");
            worker.next(TestWorker.Assigned.class);
            worker.next(TestWorker.Assigned.class);
            worker.hello(2, "T");
            f.advanceClock(0);
            assertNull(worker.poll(), "a second hello does not double what the worker may hold");
            assertEquals(2, f.engine.counters().tasksLeased());
        }
    }

    @Test
    void stepNamesOfferedByWorkersThatLeaveLeaveNoQueueBehind()
    {
        try (EngineFixture f = engine())
        {
            f.create("real", StepSpec.task("USED"));
            final String[] names = new String[1000];
            for (int i = 0; i < names.length; i++)
            {
                names[i] = "NOBODY_RUNS_" + i;
            }
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(1, names);
            assertEquals(1001, EngineTest.queues(f).size());
            worker.goodbye();
            assertEquals(List.of("USED"), EngineTest.queues(f).stream().map(io.axiom.core.api.TaskQueue::stepName)
                .toList(), "only the queue a workflow used is kept");
        }
    }

    @Test
    void aLongErrorIsCutAtACharacterBoundary()
    {
        try (EngineFixture f = engine())
        {
            f.create("utf8", task("T", 1, 0));
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(1, "T");
            final TestWorker.Assigned task = worker.next(TestWorker.Assigned.class);
            worker.fail(task.taskId(), task.token(), false, "x" + "€".repeat(2000));
            worker.next(TestWorker.Accepted.class);
            final String reason = f.get(1).reason();
            assertTrue(reason.endsWith("€"), "no character cut in half: ..." +
                reason.substring(Math.max(0, reason.length() - 5)));
            assertTrue(reason.getBytes(StandardCharsets.UTF_8).length < 4096 + 200, "at most 4 KiB of error kept");
        }
    }

    @Test
    void aWorkflowCreatedWithLargeInputIsDispatchedWithIt()
    {
        try (EngineFixture f = engine())
        {
            final String input = "{\"pad\":\"" + "x".repeat(40_000) + "\"}";
            created(f.client().create(new CreateWorkflow("big", List.of(StepSpec.task("T")),
                input.getBytes(StandardCharsets.UTF_8), null), TIMEOUT));
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(1, "T");
            assertEquals(input, worker.next(TestWorker.Assigned.class).input());
        }
    }
}
