package io.axiom.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowView;
import io.axiom.journal.SnapshotStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.START_MS;
import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A bounded heap (issue 10, point 4) with a clock the test drives: ended workflows leave the heap once
 * retention.in-memory has passed (a WorkflowRetired event each) and stay readable by id, events and replay from the
 * cold store, answer commands as ended workflows do, keep their Idempotency-Key, survive restarts and snapshots
 * taken while they retire (same digest as the whole log replayed), and are gone, with a clear 404, once
 * retention.history has passed.
 */
class RetentionTest
{
    private static final long IN_MEMORY_MS = 60_000;
    private static final long HISTORY_MS = 16 * 60_000;
    private static final byte[] OUTPUT = "{\"ok\":1}".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;

    private EngineFixture fixture(final Path data, final AtomicLong clock)
    {
        return new EngineFixture(data, clock, ctx -> ctx.inMemoryRetentionMs(IN_MEMORY_MS)
            .historyRetentionMs(HISTORY_MS));
    }

    @Test
    void endedWorkflowsLeaveTheHeapAfterTheWindowAndReadAsBefore()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = fixture(dir.resolve("data"), clock))
        {
            final WorkflowView completed = f.create("done", StepSpec.approval("A"));
            EngineFixture.created(f.client().advance(completed.id(), "A", OUTPUT, TIMEOUT));
            final WorkflowView cancelled = f.create("cancelled", StepSpec.approval("A"), StepSpec.approval("B"));
            EngineFixture.created(f.client().cancel(cancelled.id(), "no longer needed", TIMEOUT));
            final WorkflowView running = f.create("running", StepSpec.approval("A"));

            final WorkflowView completedBefore = f.get(completed.id());
            final WorkflowView cancelledBefore = f.get(cancelled.id());
            final EngineReply eventsBefore = f.client().allEvents(completed.id(), TIMEOUT);
            final EngineReply advanceBefore = f.client().advance(completed.id(), null, OUTPUT, TIMEOUT);
            final EngineReply cancelBefore = f.client().cancel(cancelled.id(), "again", TIMEOUT);
            final EngineReply replayBefore = f.client().replay(completed.id(), TIMEOUT);
            assertEquals(3, f.engine.counters().workflowsOnHeap());

            f.advanceClock(IN_MEMORY_MS - 1);
            assertEquals(3, f.engine.counters().workflowsOnHeap(), "not before the window");
            f.advanceClock(1);
            assertEquals(1, f.engine.counters().workflowsOnHeap(), "both ended workflows left the heap");
            assertEquals(2, f.engine.counters().workflowsRetired());
            assertTrue(f.engine.counters().coldStoreBytes() > 0);
            assertTrue(Files.isDirectory(dir.resolve("data").resolve(ColdStore.DIRECTORY)));

            assertEquals(completedBefore, f.get(completed.id()), "GET by id reads the cold store");
            assertEquals(cancelledBefore, f.get(cancelled.id()));
            assertEquals(eventsBefore, f.client().allEvents(completed.id(), TIMEOUT), "events by position");
            assertEquals(advanceBefore, f.client().advance(completed.id(), null, OUTPUT, TIMEOUT),
                "an advance answers as for the ended workflow");
            assertEquals(cancelBefore, f.client().cancel(cancelled.id(), "again", TIMEOUT));
            assertEquals(replayBefore, f.client().replay(completed.id(), TIMEOUT), "replay of a retired workflow");
            assertEquals(3, f.engine.counters().workflowCount(), "ids keep counting retired workflows");

            final EngineReply.WorkflowList list = assertInstanceOf(EngineReply.WorkflowList.class,
                f.client().list(0, 10, null, TIMEOUT));
            assertEquals(1, list.total(), "lists cover the heap only");
            assertEquals(running.id(), list.workflows().get(0).id());
            assertEquals(0, ((EngineReply.WorkflowList)f.client().list(0, 10, "COMPLETED", TIMEOUT)).total());

            EngineFixture.created(f.client().advance(running.id(), "A", OUTPUT, TIMEOUT));
            final WorkflowView ended = f.get(running.id());
            f.restart();
            assertEquals(completedBefore, f.get(completed.id()), "after a restart");
            assertEquals(1, f.engine.counters().workflowsOnHeap());
            f.advanceClock(IN_MEMORY_MS);
            assertEquals(0, f.engine.counters().workflowsOnHeap(), "the window counts from the end, across restarts");
            assertEquals(ended, f.get(running.id()));
        }
    }

    @Test
    void goneAfterHistoryWithAClearNotFoundAndBadIdsAnswerAsBefore()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = fixture(dir.resolve("data"), clock))
        {
            final WorkflowView w = f.create("short", StepSpec.approval("A"));
            EngineFixture.created(f.client().advance(w.id(), "A", OUTPUT, TIMEOUT));
            for (final long bad : new long[] {0, -1, w.id() + 1, Long.MAX_VALUE})
            {
                assertNotFound(f.client().get(bad, TIMEOUT), "does not exist");
            }
            f.advanceClock(IN_MEMORY_MS);
            assertEquals(0, f.engine.counters().workflowsOnHeap());
            for (final long bad : new long[] {0, -1, w.id() + 1, Long.MAX_VALUE})
            {
                assertNotFound(f.client().get(bad, TIMEOUT), "does not exist");
                assertNotFound(f.client().allEvents(bad, TIMEOUT), "does not exist");
            }
            assertEquals(w.id(), f.get(w.id()).id());

            f.advanceClock(HISTORY_MS - 1);
            assertEquals(w.id(), f.get(w.id()).id(), "readable until retention.history has passed");
            // the file holding it rolls retention.history / 16 after it opened, and goes when its successor is
            // retention.history old
            f.advanceClock(HISTORY_MS / 16 + 1);
            f.advanceClock(HISTORY_MS);
            assertNotFound(f.client().get(w.id(), TIMEOUT), "ended more than retention.history ago");
            assertNotFound(f.client().allEvents(w.id(), TIMEOUT), "ended more than retention.history ago");
            assertNotFound(f.client().advance(w.id(), null, OUTPUT, TIMEOUT), "ended more than retention.history ago");
            f.restart();
            assertNotFound(f.client().get(w.id(), TIMEOUT), "ended more than retention.history ago");
        }
    }

    @Test
    void anIdempotencyKeyIsHonouredOnBothSidesOfRetirement()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = fixture(dir.resolve("data"), clock))
        {
            final CreateWorkflow create = new CreateWorkflow("keyed", List.of(StepSpec.approval("A")),
                "{\"n\":1}".getBytes(StandardCharsets.UTF_8), "key-1");
            final WorkflowView first = EngineFixture.created(f.client().create(create, TIMEOUT));
            EngineFixture.created(f.client().advance(first.id(), "A", OUTPUT, TIMEOUT));
            final EngineReply.Workflow onHeap = assertInstanceOf(EngineReply.Workflow.class,
                f.client().create(create, TIMEOUT));
            assertEquals(Status.EXISTING, onHeap.status());

            f.advanceClock(IN_MEMORY_MS);
            assertEquals(0, f.engine.counters().workflowsOnHeap());
            final EngineReply.Workflow retired = assertInstanceOf(EngineReply.Workflow.class,
                f.client().create(create, TIMEOUT));
            assertEquals(Status.EXISTING, retired.status(), "the key still answers the first workflow");
            assertEquals(onHeap.workflow(), retired.workflow());
            final EngineReply other = f.client().create(new CreateWorkflow("keyed", List.of(StepSpec.approval("B")),
                "{}".getBytes(StandardCharsets.UTF_8), "key-1"), TIMEOUT);
            assertEquals("IDEMPOTENCY_KEY_REUSED", assertInstanceOf(EngineReply.Problem.class, other).code());
            assertEquals(1, f.engine.counters().workflowCount(), "nothing created twice");

            f.advanceClock(HISTORY_MS); // its file rolls
            f.advanceClock(HISTORY_MS + 1); // and goes
            final EngineReply gone = f.client().create(create, TIMEOUT);
            final EngineReply.Problem problem = assertInstanceOf(EngineReply.Problem.class, gone);
            assertEquals("IDEMPOTENCY_KEY_REUSED", problem.code());
            assertTrue(problem.detail().contains("retention.history"), problem.detail());
            assertEquals(1, f.engine.counters().workflowCount(), "a key outlives its workflow's history");
        }
    }

    @Test
    void aLateWorkerGetsTheAnswerOfAnEndedWorkflowAfterItLeftTheHeap()
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        try (EngineFixture f = fixture(dir.resolve("data"), clock))
        {
            final TestWorker worker = new TestWorker(f.engine, 1);
            worker.hello(2, "PAY");
            final WorkflowView w = f.create("paid", StepSpec.task("PAY"));
            final TestWorker.Assigned task = worker.next(TestWorker.Assigned.class);
            worker.complete(task.taskId(), task.token(), "{\"paid\":true}");
            worker.next(TestWorker.Accepted.class);
            assertEquals("COMPLETED", f.get(w.id()).state());
            worker.complete(task.taskId(), task.token(), "{\"paid\":true}");
            final TestWorker.Rejected onHeap = worker.next(TestWorker.Rejected.class);
            worker.fail(task.taskId(), task.token(), true, "late");
            final TestWorker.Rejected failOnHeap = worker.next(TestWorker.Rejected.class);

            f.advanceClock(IN_MEMORY_MS);
            assertEquals(0, f.engine.counters().workflowsOnHeap());
            worker.complete(task.taskId(), task.token(), "{\"paid\":true}");
            assertEquals(onHeap, worker.next(TestWorker.Rejected.class), "ALREADY_COMMITTED with the output, as before");
            worker.fail(task.taskId(), task.token(), true, "late");
            assertEquals(failOnHeap, worker.next(TestWorker.Rejected.class));
            worker.heartbeat(task.taskId(), task.token()); // soft: nothing to extend, nothing answered
            assertEquals(0, f.engine.counters().workflowsOnHeap());
        }
    }

    /**
     * Snapshots captured a workflow or two per duty cycle while workflows retire (their pre-images kept), restarts
     * from each, and the whole log replayed: the same digest, and every workflow reads the same.
     */
    @Test
    void snapshotsTakenWhileWorkflowsRetireGiveTheStateOfTheWholeLog() throws IOException
    {
        final long seed = Long.getLong("axiom.test.seed", System.nanoTime());
        final Random random = new Random(seed);
        final AtomicLong clock = new AtomicLong(START_MS);
        final Path data = dir.resolve("data");
        final java.util.function.Consumer<EngineContext> settings = ctx -> ctx.inMemoryRetentionMs(IN_MEMORY_MS)
            .historyRetentionMs(EngineContext.RETENTION_OFF)
            .snapshotIntervalEvents(40)
            .snapshotSliceWorkflows(1 + random.nextInt(3))
            .retireLimit(1 + random.nextInt(4));
        final Map<Long, WorkflowView> ended = new HashMap<>();
        final List<Long> open = new ArrayList<>();
        final EngineFixture f = new EngineFixture(data, clock, settings);
        try
        {
            for (int i = 0; i < 600; i++)
            {
                final int op = random.nextInt(5);
                if (op <= 1 || open.isEmpty())
                {
                    open.add(f.create("w" + random.nextInt(20), StepSpec.approval("A"), StepSpec.approval("B")).id());
                }
                else if (op == 2)
                {
                    final long id = open.get(random.nextInt(open.size()));
                    final EngineReply reply = f.client().advance(id, null, OUTPUT, TIMEOUT);
                    if (reply instanceof EngineReply.Workflow w && "COMPLETED".equals(w.workflow().state()))
                    {
                        open.remove(id);
                    }
                }
                else if (op == 3)
                {
                    final long id = open.remove(random.nextInt(open.size()));
                    EngineFixture.created(f.client().cancel(id, "seed " + seed, TIMEOUT));
                }
                else
                {
                    f.advanceClock(random.nextInt(20_000));
                }
            }
            f.advanceClock(IN_MEMORY_MS / 2);
            final long created = f.engine.counters().workflowCount();
            for (long id = 1; id <= created; id++)
            {
                final WorkflowView w = f.get(id);
                if (!open.contains(id))
                {
                    ended.put(id, w);
                }
            }
            assertTrue(f.engine.counters().workflowsRetired() > 0, "seed " + seed);
            assertTrue(f.engine.counters().workflowsOnHeap() > open.size(), "some ended ones still on it, seed " +
                seed);
            assertTrue(f.engine.counters().snapshotCount() > 2, "seed " + seed);
        }
        finally
        {
            f.engine.close();
        }
        final long digest = f.engine.digestAfterClose();
        assertTrue(new SnapshotStore(data, 2).list().size() > 0);

        f.start();
        f.engine.close();
        assertEquals(digest, f.engine.digestAfterClose(), "snapshot + tail, seed " + seed);

        try (Stream<Path> files = Files.walk(data.resolve(SnapshotStore.DIRECTORY)))
        {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        f.start();
        assertEquals(0, f.engine.counters().recoveredFromPosition(), "the whole log, seed " + seed);
        for (final Map.Entry<Long, WorkflowView> e : ended.entrySet())
        {
            assertEquals(e.getValue(), f.get(e.getKey()), "workflow " + e.getKey() + ", seed " + seed);
        }
        f.engine.close();
        assertEquals(digest, f.engine.digestAfterClose(), "whole log replayed, seed " + seed);

        final io.axiom.core.api.VerificationReport report = LogVerifier.verify(data);
        assertTrue(report.ok(), report.toText());
        assertEquals(digest, report.digest(), "verify replays WorkflowRetired too, seed " + seed);
    }

    private static void assertNotFound(final EngineReply reply, final String detail)
    {
        final EngineReply.Problem problem = assertInstanceOf(EngineReply.Problem.class, reply, String.valueOf(reply));
        assertEquals(Status.NOT_FOUND, problem.status(), problem.toString());
        assertTrue(problem.detail().contains(detail), problem.detail());
    }
}
