package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

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
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * No read, however large, stops the engine: pages are cut by bytes as well as count and say where the next one
 * starts, many large reads at once are refused rather than exhausting memory, and a view too large for the budget
 * leaves its outputs out. The reproduction: 250 workflows with ~1000 KiB inputs and 4 parallel list requests of 1000
 * ran the processor out of direct memory (scaled down here: 40 workflows of 60 KiB against a 256 KiB budget).
 */
class BoundedRepliesTest
{
    private static final int BUDGET = 256 * 1024;
    private static final int BATCH = 1024 * 1024;

    @TempDir
    Path dir;

    private EngineFixture fixture()
    {
        return new EngineFixture(dir, ctx -> ctx.maxReplyBytes(BUDGET).maxBatchReplyBytes(BATCH));
    }

    private static byte[] input(final int id, final int bytes)
    {
        final StringBuilder json = new StringBuilder("{\"id\":").append(id).append(",\"pad\":\"");
        while (json.length() < bytes - 2)
        {
            json.append('x');
        }
        return json.append("\"}").toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void createLarge(final EngineFixture f, final int count)
    {
        for (int i = 1; i <= count; i++)
        {
            assertEquals(Status.CREATED, f.client().create(new CreateWorkflow("big-" + i,
                List.of(StepSpec.approval("A")), input(i, 60 * 1024), null), TIMEOUT).status());
        }
    }

    @Test
    void aListIsCutByBytesAndPagesCoverEveryWorkflowOnce()
    {
        try (EngineFixture f = fixture())
        {
            createLarge(f, 40);
            final List<Long> seen = new ArrayList<>();
            long offset = 0;
            int pages = 0;
            while (offset >= 0)
            {
                final EngineReply.WorkflowList page = assertInstanceOf(EngineReply.WorkflowList.class,
                    f.client().list((int)offset, 1000, null, TIMEOUT));
                assertEquals(40, page.total());
                assertTrue(page.workflows().size() >= 1 && page.workflows().size() < 40, "a page holds " +
                    page.workflows().size());
                page.workflows().forEach(w -> seen.add(w.id()));
                offset = page.nextOffset();
                pages++;
            }
            assertTrue(pages >= 10, "pages: " + pages);
            final List<Long> expected = new ArrayList<>();
            for (long id = 1; id <= 40; id++)
            {
                expected.add(id);
            }
            assertEquals(expected, seen);
        }
    }

    @Test
    void manyLargeReadsAtOnceAreRefusedOrAnsweredAndTheEngineGoesOn() throws Exception
    {
        try (EngineFixture f = fixture())
        {
            createLarge(f, 40);
            final int readers = 8;
            final ExecutorService pool = Executors.newFixedThreadPool(readers);
            try
            {
                final CountDownLatch start = new CountDownLatch(1);
                final List<Future<EngineReply>> answers = new ArrayList<>();
                for (int r = 0; r < readers * 4; r++)
                {
                    answers.add(pool.submit(() ->
                    {
                        start.await();
                        return f.client().list(0, 1000, null, TIMEOUT);
                    }));
                }
                start.countDown();
                for (final Future<EngineReply> answer : answers)
                {
                    final EngineReply reply = answer.get();
                    if (reply instanceof EngineReply.Problem problem)
                    {
                        assertEquals(Status.OVERLOADED, problem.status(), problem.toString());
                        assertEquals("REPLIES_FULL", problem.code());
                    }
                    else
                    {
                        final EngineReply.WorkflowList page = assertInstanceOf(EngineReply.WorkflowList.class, reply);
                        assertTrue(page.nextOffset() > 0);
                    }
                }
            }
            finally
            {
                pool.shutdownNow();
            }
            assertTrue(f.engine.isReady());
            assertEquals(Status.CREATED, f.client().create(new CreateWorkflow("after", List.of(StepSpec.task("T")),
                null, null), TIMEOUT).status());
        }
    }

    @Test
    void theReplyArenaGoesBackToItsBaseSizeAndRefusesPastItsBound()
    {
        final ReplyArena arena = new ReplyArena(BATCH);
        final EngineCounters counters = new EngineCounters();
        final List<Integer> lengths = new ArrayList<>();
        final ReplySink sink = (replyTo, buffer, offset, length) -> lengths.add(length);
        final int offset = arena.begin(sink, null);
        assertTrue(arena.fits(offset, BATCH - 64));
        assertTrue(arena.capacity() >= BATCH - 64);
        arena.commit(BATCH - 64);
        final int next = arena.begin(sink, null);
        assertFalse(arena.fits(next, 4096));
        arena.abort();
        assertEquals(1, arena.release(counters));
        assertEquals(List.of(BATCH - 64), lengths);
        assertEquals(ReplyArena.BASE_CAPACITY, arena.capacity());
        assertEquals(1, arena.shrinkCount());
    }

    @Test
    void aViewTooLargeForTheBudgetLeavesItsOutputsOutAndEventsPageThemAll()
    {
        try (EngineFixture f = fixture())
        {
            final StepSpec[] steps = new StepSpec[8];
            Arrays.setAll(steps, i -> StepSpec.approval("A" + i));
            f.create("outputs", steps);
            for (int i = 0; i < 7; i++)
            {
                final WorkflowView after = created(f.client().advance(1, null, i, input(i, 60 * 1024), null, TIMEOUT));
                assertEquals((i + 1) * 60 * 1024 > BUDGET, after.outputsOmitted(), "after " + (i + 1) + " outputs");
            }
            final WorkflowView view = f.get(1);
            assertTrue(view.outputsOmitted());
            assertNull(view.steps().get(0).outputJson());
            assertEquals("COMPLETED", view.steps().get(0).status());

            final List<EventView> all = new ArrayList<>();
            long after = EngineClient.NO_POSITION;
            int pages = 0;
            do
            {
                final EngineReply.Events page = assertInstanceOf(EngineReply.Events.class,
                    f.client().events(1, after, 1000, TIMEOUT));
                assertEquals(view.eventCount(), page.total());
                all.addAll(page.events());
                after = page.nextAfter();
                pages++;
            }
            while (after >= 0);
            assertTrue(pages >= 2, "pages: " + pages);
            assertEquals(view.eventCount(), all.size());
            for (int i = 1; i < all.size(); i++)
            {
                assertTrue(all.get(i).position() > all.get(i - 1).position());
            }
            final long outputs = all.stream().filter(e -> "StepCompleted".equals(e.type()) &&
                null != e.fields().get("output")).count();
            assertEquals(7, outputs);
            assertEquals("A5", all.stream().filter(e -> "StepCompleted".equals(e.type())).toList().get(5).fields()
                .get("step"), "every page names the steps");
        }
    }

    @Test
    void eventPagesFollowTheLimitAndTheAfterPosition()
    {
        try (EngineFixture f = fixture())
        {
            f.create("small", StepSpec.approval("A"), StepSpec.approval("B"), StepSpec.approval("C"));
            for (int i = 0; i < 3; i++)
            {
                f.client().advance(1, null, i, null, null, TIMEOUT);
            }
            final List<EventView> all = EngineTest.events(f.client().events(1, TIMEOUT));
            final EngineReply.Events two = assertInstanceOf(EngineReply.Events.class,
                f.client().events(1, all.get(2).position(), 2, TIMEOUT));
            assertEquals(List.of(all.get(3), all.get(4)), two.events());
            assertEquals(all.get(4).position(), two.nextAfter());
            final EngineReply.Events last = assertInstanceOf(EngineReply.Events.class,
                f.client().events(1, all.get(all.size() - 2).position(), 2, TIMEOUT));
            assertEquals(List.of(all.get(all.size() - 1)), last.events());
            assertEquals(-1, last.nextAfter());
            final EngineReply.Events none = assertInstanceOf(EngineReply.Events.class,
                f.client().events(1, Long.MAX_VALUE, 2, TIMEOUT));
            assertEquals(0, none.events().size());
        }
    }

    @Test
    void aStateFilterWithAHugeOffsetIsAnsweredFromTheIndex()
    {
        try (EngineFixture f = fixture())
        {
            for (int i = 0; i < 30; i++)
            {
                f.create("w" + i, i % 3 == 0 ? StepSpec.approval("A") : StepSpec.task("T"));
            }
            final EngineReply.WorkflowList waiting = assertInstanceOf(EngineReply.WorkflowList.class,
                f.client().list(3, 4, "WAITING", TIMEOUT));
            assertEquals(10, waiting.total());
            assertEquals(List.of(10L, 13L, 16L, 19L), waiting.workflows().stream().map(WorkflowView::id).toList());
            assertEquals(7, waiting.nextOffset());
            final EngineReply.WorkflowList far = assertInstanceOf(EngineReply.WorkflowList.class,
                f.client().list(2_000_000_000, 1000, "COMPLETED", TIMEOUT));
            assertEquals(0, far.total());
            assertEquals(0, far.workflows().size());
            assertEquals(-1, far.nextOffset());
        }
    }
}
