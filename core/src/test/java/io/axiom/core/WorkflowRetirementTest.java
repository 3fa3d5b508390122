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
class WorkflowRetirementTest
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

    /**
     * The documented window of a create's Idempotency-Key, both sides, with the clock the test drives: honoured while
     * its workflow runs, while it is on the heap after it ended, from the cold store's key tables after it left the
     * heap (across restarts, from a snapshot that lacks it on the heap and from the whole log), until its record's
     * file is deleted by retention.history; then the key is unknown and a create with it makes a new workflow.
     */
    @Test
    void anIdempotencyKeyIsHonouredUntilItsWorkflowsHistoryIsDeletedThenItIsNew() throws IOException
    {
        final AtomicLong clock = new AtomicLong(START_MS);
        final Path data = dir.resolve("data");
        try (EngineFixture f = new EngineFixture(data, clock, ctx -> ctx.inMemoryRetentionMs(IN_MEMORY_MS)
            .historyRetentionMs(HISTORY_MS).snapshotIntervalEvents(5)))
        {
            final CreateWorkflow create = new CreateWorkflow("keyed", List.of(StepSpec.approval("A")),
                "{\"n\":1}".getBytes(StandardCharsets.UTF_8), "key-1");
            final CreateWorkflow different = new CreateWorkflow("keyed", List.of(StepSpec.approval("B")),
                "{}".getBytes(StandardCharsets.UTF_8), "key-1");
            final WorkflowView first = EngineFixture.created(f.client().create(create, TIMEOUT));
            final CreateWorkflow other = new CreateWorkflow("other", List.of(StepSpec.approval("A")),
                "{}".getBytes(StandardCharsets.UTF_8), "key-2 \u00e9\ud83d\ude00"); // not ASCII: UTF-8 bytes are hashed
            final WorkflowView second = EngineFixture.created(f.client().create(other, TIMEOUT));
            assertExisting(f, create, first.id(), "while it runs");
            EngineFixture.created(f.client().advance(first.id(), "A", OUTPUT, TIMEOUT));
            EngineFixture.created(f.client().advance(second.id(), "A", OUTPUT, TIMEOUT));
            assertExisting(f, create, first.id(), "on the heap after it ended");

            f.advanceClock(IN_MEMORY_MS); // both leave the heap: the retirement's time t0
            assertEquals(0, f.engine.counters().workflowsOnHeap());
            assertExisting(f, create, first.id(), "from the cold store's key table");
            assertExisting(f, other, second.id(), "a non-ASCII key from the key table");
            assertEquals("IDEMPOTENCY_KEY_REUSED", assertInstanceOf(EngineReply.Problem.class,
                f.client().create(different, TIMEOUT)).code(), "a different request with the key is refused");
            f.advanceClock(1); // a snapshot (every 5 events) was taken after they left the heap
            EngineFixture.await("a snapshot written (by the writer's thread)",
                () -> f.engine.counters().snapshotCount() > 0);
            f.restart();
            assertEquals(0, f.engine.counters().workflowsOnHeap());
            assertTrue(f.engine.counters().recoveredFromPosition() > 0, "from a snapshot");
            assertExisting(f, create, first.id(), "after a restart from a snapshot without it on the heap");
            f.engine.close();
            try (Stream<Path> files = Files.walk(data.resolve(SnapshotStore.DIRECTORY)))
            {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
            f.start();
            assertExisting(f, create, first.id(), "after a restart from the whole log");
            assertExisting(f, other, second.id(), "after a restart from the whole log");
            assertEquals(2, f.engine.counters().workflowCount(), "nothing created twice");

            // the file holding their records rolls retention.history / 16 after it opened (t0), and goes when its
            // successor is retention.history old: the key is honoured for retention.history (+ up to 1/16) after t0
            f.advanceClock(HISTORY_MS / 16 - 1);
            f.advanceClock(HISTORY_MS - 1);
            assertExisting(f, create, first.id(), "retention.history (+1/16) after it left the heap, not yet deleted");
            f.advanceClock(1);
            try (Stream<Path> cold = Files.list(data.resolve(ColdStore.DIRECTORY)))
            {
                assertEquals(List.of(), cold.map(p -> p.getFileName().toString())
                    .filter(n -> n.startsWith("records-0000000001-") || n.equals("keys-0000000001")).toList(),
                    "its records and key table are deleted");
            }
            final WorkflowView renewed = EngineFixture.created(f.client().create(create, TIMEOUT));
            assertEquals(3, renewed.id(), "after history the key is new: a new workflow");
            assertExisting(f, create, renewed.id(), "the key now names the new workflow");
            f.restart();
            assertExisting(f, create, renewed.id(), "the new workflow's key, after a restart");
            final WorkflowView renewedOther = EngineFixture.created(f.client().create(other, TIMEOUT));
            assertEquals(4, renewedOther.id());
        }
    }

    private static void assertExisting(
        final EngineFixture f, final CreateWorkflow create, final long id, final String when)
    {
        final EngineReply reply = f.client().create(create, TIMEOUT);
        final EngineReply.Workflow existing = assertInstanceOf(EngineReply.Workflow.class, reply, when + ": " + reply);
        assertEquals(Status.EXISTING, existing.status(), when);
        assertEquals(id, existing.workflow().id(), when);
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
     * from each, and the whole log replayed: the same digest, every workflow reads the same and every create's
     * Idempotency-Key answers its workflow (from the heap or the key tables).
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
        final Map<Long, CreateWorkflow> keyed = new HashMap<>();
        final List<Long> open = new ArrayList<>();
        final EngineFixture f = new EngineFixture(data, clock, settings);
        try
        {
            for (int i = 0; i < 600; i++)
            {
                final int op = random.nextInt(5);
                if (op <= 1 || open.isEmpty())
                {
                    final CreateWorkflow create = new CreateWorkflow("w" + random.nextInt(20),
                        List.of(StepSpec.approval("A"), StepSpec.approval("B")), "{}".getBytes(StandardCharsets.UTF_8),
                        random.nextBoolean() ? "key-" + i : null);
                    final long id = EngineFixture.created(f.client().create(create, TIMEOUT)).id();
                    open.add(id);
                    if (null != create.idempotencyKey())
                    {
                        keyed.put(id, create);
                    }
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
        for (final Map.Entry<Long, CreateWorkflow> e : keyed.entrySet())
        {
            assertExisting(f, e.getValue(), e.getKey(), "snapshot + tail, seed " + seed);
        }
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
        for (final Map.Entry<Long, CreateWorkflow> e : keyed.entrySet())
        {
            assertExisting(f, e.getValue(), e.getKey(), "whole log, seed " + seed);
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
