package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;

import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowQuery;
import io.axiom.core.api.WorkflowView;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.core.EngineFixture.TIMEOUT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workflow search answered from the indexes, against a brute-force filter over every workflow: random workflows
 * (names sharing prefixes, non-ASCII ones, steps advanced, cancelled, completed, a clock that steps back), random
 * queries of every filter, sort, order and page, and the same answers after a restart from a snapshot (names rebuilt
 * from the log) and after a full replay.
 */
class WorkflowSearchTest
{
    private static final String[] NAMES = {"pay", "pay-1", "pay-2", "payment", "pa", "refund-7", "r", "zeta",
        "\u00e9t\u00e9", "\u00e9t\u00e9-2", "\u00e9"};
    private static final String[] PREFIXES = {"pay", "pa", "p", "pay-", "refund", "r", "z", "zz", "\u00e9",
        "\u00e9t", "q", "payment-x"};
    private static final String[] STEPS = {"REVIEW", "SHIP", "BILL", "NOPE"};
    private static final String[] STATES = {null, "CREATED", "RUNNING", "WAITING", "COMPLETED", "FAILED",
        "CANCELLED"};

    @TempDir
    Path dir;

    @Test
    void indexedAnswersEqualABruteForceFilterBeforeAndAfterRecovery()
    {
        final long seed = System.nanoTime();
        System.out.println("WorkflowSearchTest seed " + seed);
        final Random random = new Random(seed);
        final AtomicBoolean snapshots = new AtomicBoolean(true);
        final java.util.concurrent.atomic.AtomicInteger budget =
            new java.util.concurrent.atomic.AtomicInteger(EngineContext.SEARCH_BUDGET_DEFAULT);
        try (EngineFixture f = new EngineFixture(dir, ctx -> ctx.snapshotIntervalEvents(50)
            .snapshotRetain(snapshots.get() ? 2 : 0).searchBudget(budget.get())))
        {
            final int workflows = 300 + random.nextInt(300);
            for (int i = 0; i < workflows; i++)
            {
                final List<StepSpec> steps = new ArrayList<>();
                for (int s = 0, count = 1 + random.nextInt(3); s < count; s++)
                {
                    steps.add(StepSpec.approval(STEPS[random.nextInt(3)] + (s == 0 ? "" : "_" + s)));
                }
                if (random.nextBoolean())
                {
                    steps.add(StepSpec.approval(STEPS[random.nextInt(3)]));
                }
                EngineFixture.created(f.client().create(new CreateWorkflow(NAMES[random.nextInt(NAMES.length)], steps,
                    "{}".getBytes(StandardCharsets.UTF_8), null), TIMEOUT));
                // the clock moves on, stands still, or steps back (creation times stay non-decreasing all the same)
                f.clock.addAndGet(random.nextInt(4) == 0 ? -7 : random.nextInt(3));
                if (i > 10 && random.nextInt(3) == 0)
                {
                    final long id = 1 + random.nextInt(i);
                    if (random.nextInt(4) == 0)
                    {
                        f.client().cancel(id, "seed " + seed, TIMEOUT);
                    }
                    else
                    {
                        f.client().advance(id, null, null, TIMEOUT);
                    }
                }
            }
            final List<WorkflowView> all = all(f);
            for (int i = 1; i < all.size(); i++)
            {
                assertTrue(all.get(i).createdAt() >= all.get(i - 1).createdAt(), "creation times never decrease");
            }
            final List<WorkflowQuery> queries = new ArrayList<>();
            for (int q = 0; q < 400; q++)
            {
                queries.add(randomQuery(random, all));
            }
            final List<EngineReply> answers = new ArrayList<>();
            int nonEmpty = 0;
            for (final WorkflowQuery query : queries)
            {
                final EngineReply reply = f.client().list(query, TIMEOUT);
                assertEquals(bruteForce(all, query), page(reply), query + ", seed " + seed);
                assertTrue(((EngineReply.WorkflowList)reply).totalExact(), "within the budget: " + query);
                answers.add(reply);
                nonEmpty += page(reply).ids().isEmpty() ? 0 : 1;
            }
            System.out.println("WorkflowSearchTest: " + nonEmpty + " of " + queries.size() + " queries found workflows");
            assertTrue(nonEmpty > queries.size() / 5, "the queries find something: " + nonEmpty + ", seed " + seed);

            f.restart();
            assertTrue(f.engine.counters().recoveredFromPosition() > 0, "restarted from a snapshot, seed " + seed);
            assertEquals(all, all(f), "seed " + seed);
            for (int q = 0; q < queries.size(); q++)
            {
                assertEquals(page(answers.get(q)), page(f.client().list(queries.get(q), TIMEOUT)),
                    "after a snapshot load: " + queries.get(q) + ", seed " + seed);
            }

            snapshots.set(false);
            f.restart();
            assertEquals(0, f.engine.counters().recoveredFromPosition(), "full replay, seed " + seed);
            for (int q = 0; q < queries.size(); q++)
            {
                assertEquals(page(answers.get(q)), page(f.client().list(queries.get(q), TIMEOUT)),
                    "after a full replay: " + queries.get(q) + ", seed " + seed);
            }

            // a small budget: every answer is the brute force's, cut short, or a lower bound said so, or refused
            budget.set(5 + random.nextInt(60));
            f.restart();
            int lowerBounds = 0;
            int refused = 0;
            int cut = 0;
            for (final WorkflowQuery query : queries)
            {
                final EngineReply reply = f.client().list(query, TIMEOUT);
                final Page expected = bruteForce(all, query);
                final String context = query + ", budget " + budget.get() + ", seed " + seed;
                if (reply instanceof EngineReply.Problem problem)
                {
                    assertEquals("SEARCH_TOO_DEEP", problem.code(), context);
                    assertEquals(Status.INVALID, problem.status(), context);
                    assertTrue(query.limit() > 0, context);
                    refused++;
                    continue;
                }
                final EngineReply.WorkflowList list = assertInstanceOf(EngineReply.WorkflowList.class, reply);
                final Page got = page(list);
                final int count = got.ids().size();
                assertEquals(expected.ids().subList(0, count), got.ids(), context);
                assertTrue(count > 0 || expected.ids().isEmpty() || query.limit() == 0, context);
                if (list.totalExact())
                {
                    assertEquals(expected.total(), got.total(), context);
                }
                else
                {
                    assertTrue(got.total() <= expected.total() &&
                        got.total() >= (count > 0 ? query.offset() + count : 0), context);
                    lowerBounds++;
                }
                cut += count < expected.ids().size() ? 1 : 0;
                final boolean more = query.offset() + count < got.total() || !list.totalExact();
                assertEquals(more ? query.offset() + count : -1, got.nextOffset(), context);
            }
            System.out.println("WorkflowSearchTest: budget " + budget.get() + ": " + lowerBounds +
                " lower-bound totals, " + refused + " refused, " + cut + " pages cut short");
            assertTrue(lowerBounds + refused > 0, "a small budget bounds some queries, seed " + seed);
        }
    }

    @Test
    void aLogWhoseCreationTimesGoBackIsStillAnsweredRight()
    {
        final long[] offsets = {100, 200, 150, 300, 50, 300, 250};
        try (HandWrittenLog log = new HandWrittenLog(dir))
        {
            for (int i = 0; i < offsets.length; i++)
            {
                log.at(EngineFixture.START_MS + offsets[i]).created(i + 1, io.axiom.codecs.StepType.APPROVAL);
            }
        }
        try (EngineFixture f = new EngineFixture(dir))
        {
            final List<WorkflowView> all = all(f);
            assertEquals(offsets.length, all.size());
            final long[] bounds = {Long.MIN_VALUE, 49, 50, 100, 149, 150, 151, 250, 300, 301, Long.MAX_VALUE};
            for (final long from : bounds)
            {
                for (final long until : bounds)
                {
                    for (final String name : new String[] {null, "hand-1", "hand-"})
                    {
                        final WorkflowQuery query = new WorkflowQuery(0, 1000, null, name, "hand-".equals(name),
                            null, shift(from), shift(until), false, from % 2 == 0);
                        assertEquals(bruteForce(all, query), page(f.client().list(query, TIMEOUT)), query.toString());
                    }
                }
            }
            // a new workflow, with the clock behind the latest creation time, is stamped no earlier than it
            final WorkflowView created = f.create("late", StepSpec.approval("A"));
            assertEquals(EngineFixture.START_MS + 300, created.createdAt());
        }
    }

    private static long shift(final long offset)
    {
        return offset == Long.MIN_VALUE || offset == Long.MAX_VALUE ? offset : EngineFixture.START_MS + offset;
    }

    @Test
    void malformedQueriesAreRefusedAndChangeNothing()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            f.create("pay-1", StepSpec.approval("REVIEW"));
            final long position = f.engine.counters().journalPosition();
            for (final WorkflowQuery bad : List.of(
                new WorkflowQuery(0, 10, null, "", false, null, Long.MIN_VALUE, Long.MAX_VALUE, false, false),
                new WorkflowQuery(0, 10, null, "", true, null, Long.MIN_VALUE, Long.MAX_VALUE, false, false),
                new WorkflowQuery(-1, 10, null, null, false, null, Long.MIN_VALUE, Long.MAX_VALUE, false, false),
                new WorkflowQuery(0, 1001, null, null, false, null, Long.MIN_VALUE, Long.MAX_VALUE, false, false),
                new WorkflowQuery(0, 10, "SLEEPING", null, false, null, Long.MIN_VALUE, Long.MAX_VALUE, false, false)))
            {
                final EngineReply reply = f.client().list(bad, TIMEOUT);
                final EngineReply.Problem problem = assertInstanceOf(EngineReply.Problem.class, reply, bad.toString());
                assertEquals(Status.INVALID, problem.status());
                assertEquals("INVALID_QUERY", problem.code());
            }
            assertEquals(position, f.engine.counters().journalPosition());
            assertEquals(1, page(f.client().list(WorkflowQuery.page(0, 10, null), TIMEOUT)).total());
        }
    }

    /**
     * The part of an answer the test compares: total, ids in order, next offset.
     */
    record Page(long total, List<Long> ids, long nextOffset)
    {
    }

    private static Page page(final EngineReply reply)
    {
        final EngineReply.WorkflowList list = assertInstanceOf(EngineReply.WorkflowList.class, reply);
        return new Page(list.total(), list.workflows().stream().map(WorkflowView::id).toList(), list.nextOffset());
    }

    private static Page bruteForce(final List<WorkflowView> all, final WorkflowQuery query)
    {
        final List<WorkflowView> matches = new ArrayList<>();
        for (final WorkflowView w : all)
        {
            final boolean name = null == query.name() ||
                (query.namePrefix() ? w.name().startsWith(query.name()) : w.name().equals(query.name()));
            final boolean terminal = List.of("COMPLETED", "FAILED", "CANCELLED").contains(w.state());
            final boolean step = null == query.step() || (!terminal && query.step().equals(w.currentStepName()));
            if ((null == query.state() || query.state().equals(w.state())) && name && step &&
                w.createdAt() >= query.createdFrom() && w.createdAt() < query.createdUntil())
            {
                matches.add(w);
            }
        }
        Comparator<WorkflowView> order = query.byCreatedAt() ?
            Comparator.comparingLong(WorkflowView::createdAt).thenComparingLong(WorkflowView::id) :
            Comparator.comparingLong(WorkflowView::id);
        if (query.descending())
        {
            order = order.reversed();
        }
        matches.sort(order);
        final int from = Math.min(query.offset(), matches.size());
        final int to = Math.min(from + query.limit(), matches.size());
        final List<Long> ids = matches.subList(from, to).stream().map(WorkflowView::id).toList();
        return new Page(matches.size(), ids, to < matches.size() ? to : -1);
    }

    private static WorkflowQuery randomQuery(final Random random, final List<WorkflowView> all)
    {
        final String state = random.nextBoolean() ? null : STATES[random.nextInt(STATES.length)];
        String name = null;
        boolean prefix = false;
        switch (random.nextInt(3))
        {
            case 1 -> name = random.nextInt(8) == 0 ? "nobody" : NAMES[random.nextInt(NAMES.length)];
            case 2 ->
            {
                name = PREFIXES[random.nextInt(PREFIXES.length)];
                prefix = true;
            }
            default ->
            {
            }
        }
        final String step = random.nextInt(3) == 0 ? STEPS[random.nextInt(STEPS.length)] +
            (random.nextBoolean() ? "" : "_1") : null;
        long from = Long.MIN_VALUE;
        long until = Long.MAX_VALUE;
        if (random.nextInt(3) == 0)
        {
            from = all.get(random.nextInt(all.size())).createdAt() + random.nextInt(3) - 1;
        }
        if (random.nextInt(3) == 0)
        {
            until = all.get(random.nextInt(all.size())).createdAt() + random.nextInt(3) - 1;
        }
        final int offset = random.nextInt(6) == 0 ? random.nextInt(all.size() + 10) : random.nextInt(3);
        final int limit = random.nextInt(6) == 0 ? 0 : 1 + random.nextInt(random.nextBoolean() ? 5 : 200);
        return new WorkflowQuery(offset, limit, state, name, prefix, step, from, until, random.nextBoolean(),
            random.nextBoolean());
    }

    private static List<WorkflowView> all(final EngineFixture f)
    {
        final List<WorkflowView> all = new ArrayList<>();
        long offset = 0;
        while (offset >= 0)
        {
            final EngineReply.WorkflowList list = assertInstanceOf(EngineReply.WorkflowList.class,
                f.client().list((int)offset, 1000, null, TIMEOUT));
            all.addAll(list.workflows());
            offset = list.nextOffset();
        }
        return all;
    }
}
