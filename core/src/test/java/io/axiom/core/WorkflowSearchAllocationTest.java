package io.axiom.core;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import io.axiom.codecs.ListSort;
import io.axiom.codecs.ListWorkflowsDecoder;
import io.axiom.codecs.ListWorkflowsEncoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.NameMatch;
import io.axiom.codecs.SortOrder;
import io.axiom.codecs.StateFilter;
import io.axiom.core.api.StepSpec;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalContext;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A search allocates nothing on the processor thread, within its budget or past it (lower bounds, refusals):
 * planning, counting and walking every kind of driver (all, state, step, a state and a step ANDed, exact name,
 * prefix merged or tested on each workflow, creation range, both orders) over a state rebuilt from a real log.
 */
class WorkflowSearchAllocationTest
{
    @TempDir
    Path dir;

    @Test
    void searchesAllocateNothing()
    {
        try (EngineFixture f = new EngineFixture(dir))
        {
            for (int i = 0; i < 300; i++)
            {
                f.create((i % 3 == 0 ? "pay-" : "refund-") + (i % 17), StepSpec.approval("REVIEW"),
                    StepSpec.approval("SIGN"));
                f.clock.addAndGet(1);
                if (i % 4 == 0)
                {
                    f.client().advance(i + 1, null, null, EngineFixture.TIMEOUT);
                }
            }
        }
        final EngineState state = new EngineState(0);
        try (Journal journal = Journal.open(new JournalContext().dataDir(dir).maxSegmentSize(1024 * 1024)))
        {
            journal.replay(0, new Applier(state));
        }
        assertEquals(300, state.workflowCount());

        final List<UnsafeBuffer> queries = new ArrayList<>();
        final long from = EngineFixture.START_MS + 50;
        queries.add(query(StateFilter.ANY, NameMatch.ANY, "", "", Long.MIN_VALUE, Long.MAX_VALUE, SortOrder.ASC));
        queries.add(query(StateFilter.WAITING, NameMatch.ANY, "", "", Long.MIN_VALUE, Long.MAX_VALUE, SortOrder.DESC));
        queries.add(query(StateFilter.ANY, NameMatch.ANY, "", "SIGN", Long.MIN_VALUE, Long.MAX_VALUE, SortOrder.ASC));
        queries.add(query(StateFilter.ANY, NameMatch.EXACT, "pay-3", "", from, Long.MAX_VALUE, SortOrder.DESC));
        queries.add(query(StateFilter.WAITING, NameMatch.PREFIX, "pay", "REVIEW", from, from + 100, SortOrder.ASC));
        queries.add(query(StateFilter.ANY, NameMatch.PREFIX, "re", "", Long.MIN_VALUE, Long.MAX_VALUE,
            SortOrder.DESC));
        queries.add(query(StateFilter.WAITING, NameMatch.ANY, "", "SIGN", Long.MIN_VALUE, Long.MAX_VALUE,
            SortOrder.DESC));
        queries.add(query(StateFilter.WAITING, NameMatch.PREFIX, "refund-", "", from, Long.MAX_VALUE,
            SortOrder.ASC));
        final WorkflowSearch roomy = new WorkflowSearch(state, EngineContext.SEARCH_BUDGET_DEFAULT);
        // a budget of 3 workflows: lower bounds, pages cut short and refusals allocate nothing either
        final WorkflowSearch tight = new WorkflowSearch(state, 3);
        final ListWorkflowsDecoder decoder = new ListWorkflowsDecoder();
        long found = 0;
        for (int i = 0; i < 20_000; i++)
        {
            found += run(0 == ((i / queries.size()) & 1) ? roomy : tight, decoder, queries.get(i % queries.size()));
        }
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        // Five rounds of 20,000 searches: an allocation per search would show in every round; the JVM's own rare
        // allocations on this thread (a few hundred bytes now and then) cannot spoil all five.
        long least = Long.MAX_VALUE;
        for (int round = 0; round < 5; round++)
        {
            final long start = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < 20_000; i++)
            {
                found += run(0 == ((i / queries.size()) & 1) ? roomy : tight, decoder, queries.get(i % queries.size()));
            }
            least = Math.min(least, threads.getCurrentThreadAllocatedBytes() - start);
        }
        assertTrue(found > 0);
        assertEquals(0, least, "bytes allocated by 20,000 searches, in the quietest of five rounds");
    }

    private static long run(final WorkflowSearch search, final ListWorkflowsDecoder decoder, final UnsafeBuffer query)
    {
        decoder.wrap(query, MessageHeaderEncoder.ENCODED_LENGTH, ListWorkflowsEncoder.BLOCK_LENGTH,
            ListWorkflowsEncoder.SCHEMA_VERSION);
        assertTrue(search.prepare(decoder, ListWorkflowsEncoder.SCHEMA_VERSION));
        long sum = search.run(1, 20) + search.total() + (search.totalExact() ? 1 : 0);
        for (int i = 0; i < search.pageCount(); i++)
        {
            sum += search.pageIndex(i);
        }
        return sum;
    }

    private static UnsafeBuffer query(
        final StateFilter state,
        final NameMatch match,
        final String name,
        final String step,
        final long from,
        final long until,
        final SortOrder order)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        final byte[] stepBytes = step.getBytes(StandardCharsets.UTF_8);
        new ListWorkflowsEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1).skip(0).maxCount(20).state(state).createdFrom(from).createdUntil(until)
            .nameMatch(match).sort(ListSort.ID).order(order)
            .putName(nameBytes, 0, nameBytes.length).putStep(stepBytes, 0, stepBytes.length);
        return buffer;
    }
}
