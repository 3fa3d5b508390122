package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import io.axiom.codecs.ListSort;
import io.axiom.codecs.ListWorkflowsDecoder;
import io.axiom.codecs.ListWorkflowsEncoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.NameMatch;
import io.axiom.codecs.SortOrder;
import io.axiom.codecs.StateFilter;
import io.axiom.codecs.WorkflowState;
import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * How long one search holds the processor, per query shape, at a million workflows of unique names: not a test of
 * behaviour but a probe, run on demand ({@code -Daxiom.probe=true -Dtest=WorkflowSearchProbe}, optionally
 * {@code -Daxiom.probe.workflows=N} and {@code -Daxiom.probe.warmup=N}; give the test JVM a heap of 4g with
 * {@code -Daxiom.test.heap=4g}). The state is built directly (names, states, current steps, creation times one per
 * id). Every query first runs 50 times to warm up, then each runs again as the processor runs it (prepare, then the
 * total and the page), and the worst and median of its rounds are printed as the thread's CPU time (what it holds
 * the processor for, without the preemptions of a shared machine), with the median wall time.
 */
@EnabledIfSystemProperty(named = "axiom.probe", matches = "true")
class WorkflowSearchProbe
{
    private static final long START = 1_700_000_000_000L;
    private static final String[] STEPS = {"REVIEW", "SHIP", "BILL"};

    @Test
    void probe()
    {
        final int n = Integer.getInteger("axiom.probe.workflows", 1_000_000);
        final EngineState state = build(n);
        final WorkflowSearch search = new WorkflowSearch(state, EngineContext.SEARCH_BUDGET_DEFAULT);
        final ListWorkflowsDecoder decoder = new ListWorkflowsDecoder();
        final List<Object[]> shapes = new ArrayList<>();
        final long from = START + n / 4;
        final long until = START + 3L * n / 4;
        final long none = Long.MIN_VALUE;
        final long end = Long.MAX_VALUE;
        for (final int offset : new int[] {0, 10_000, 100_000, 900_000})
        {
            shapes.add(shape("prefix wf- (all names)", StateFilter.ANY, "wf-", "", none, end, offset));
            shapes.add(shape("prefix wf-a (1/16 of names)", StateFilter.ANY, "wf-a", "", none, end, offset));
            shapes.add(shape("prefix wf-ab (1/256 of names)", StateFilter.ANY, "wf-ab", "", none, end, offset));
            shapes.add(shape("prefix wf- + state RUNNING", StateFilter.RUNNING, "wf-", "", none, end, offset));
            shapes.add(shape("prefix wf-a + state FAILED", StateFilter.FAILED, "wf-a", "", none, end, offset));
            shapes.add(shape("prefix wf- + step REVIEW", StateFilter.ANY, "wf-", "REVIEW", none, end, offset));
            shapes.add(shape("prefix wf-ab + step RARE", StateFilter.ANY, "wf-ab", "RARE", none, end, offset));
            shapes.add(shape("step REVIEW + state RUNNING", StateFilter.RUNNING, "", "REVIEW", none, end, offset));
            shapes.add(shape("step RARE + state WAITING", StateFilter.WAITING, "", "RARE", none, end, offset));
            shapes.add(shape("created range + state COMPLETED", StateFilter.COMPLETED, "", "", from, until,
                offset));
            shapes.add(shape("created range + prefix wf-a", StateFilter.ANY, "wf-a", "", from, until, offset));
            shapes.add(shape("state FAILED", StateFilter.FAILED, "", "", none, end, offset));
            shapes.add(shape("no filter", StateFilter.ANY, "", "", none, end, offset));
        }
        System.out.printf("WorkflowSearchProbe: %,d workflows, %,d distinct names, budget %,d%n", n,
            state.names.names().size(), EngineContext.SEARCH_BUDGET_DEFAULT);
        final int warmUp = Integer.getInteger("axiom.probe.warmup", 50);
        for (int w = 0; w < warmUp; w++)
        {
            for (final Object[] shape : shapes)
            {
                final UnsafeBuffer query = (UnsafeBuffer)shape[1];
                query.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ORDER_OFFSET, (byte)(w & 1));
                answer(search, decoder, query, (Integer)shape[2], 50);
            }
        }
        final double[] worstPerShape = new double[shapes.size() / 4];
        final java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        for (int s = 0; s < shapes.size(); s++)
        {
            for (final SortOrder order : new SortOrder[] {SortOrder.ASC, SortOrder.DESC})
            {
                final Object[] shape = shapes.get(s);
                final UnsafeBuffer query = (UnsafeBuffer)shape[1];
                query.putByte(MessageHeaderEncoder.ENCODED_LENGTH + ORDER_OFFSET, (byte)order.value());
                final int rounds = 21;
                final long[] times = new long[rounds];
                final long[] wall = new long[rounds];
                long[] answer = null;
                for (int r = 0; r < rounds + 5; r++)
                {
                    final long cpu = threads.getCurrentThreadCpuTime();
                    final long start = System.nanoTime();
                    answer = answer(search, decoder, query, (Integer)shape[2], 50);
                    final long took = System.nanoTime() - start;
                    final long cpuTook = threads.getCurrentThreadCpuTime() - cpu;
                    if (r >= 5)
                    {
                        times[r - 5] = cpuTook;
                        wall[r - 5] = took;
                    }
                }
                Arrays.sort(times);
                Arrays.sort(wall);
                System.out.printf("  %-34s offset %,7d %-4s cpu worst %7.3f ms, median %7.3f ms (wall median " +
                    "%7.3f ms); total %,d%s, page %d%n", shape[0], shape[2], order, times[rounds - 1] / 1e6,
                    times[rounds / 2] / 1e6, wall[rounds / 2] / 1e6, answer[0],
                    answer[1] == 0 ? "+" : answer[1] < 0 ? " (refused)" : "", answer[2]);
                worstPerShape[s % worstPerShape.length] =
                    Math.max(worstPerShape[s % worstPerShape.length], times[rounds - 1] / 1e6);
            }
        }
        System.out.println("WorkflowSearchProbe: worst CPU time per shape, over offsets and orders:");
        for (int s = 0; s < worstPerShape.length; s++)
        {
            System.out.printf("  %-34s %7.3f ms%n", shapes.get(s)[0], worstPerShape[s]);
        }
    }

    private static final int ORDER_OFFSET = orderOffset();

    private static int orderOffset()
    {
        return ListWorkflowsEncoder.orderEncodingOffset();
    }

    /**
     * @return total, 1 when it is exact (0 a lower bound, -1 refused), and the page's length.
     */
    private static long[] answer(
        final WorkflowSearch search,
        final ListWorkflowsDecoder decoder,
        final UnsafeBuffer query,
        final int skip,
        final int limit)
    {
        decoder.wrap(query, MessageHeaderEncoder.ENCODED_LENGTH, ListWorkflowsEncoder.BLOCK_LENGTH,
            ListWorkflowsEncoder.SCHEMA_VERSION);
        search.prepare(decoder, ListWorkflowsEncoder.SCHEMA_VERSION);
        if (WorkflowSearch.TOO_DEEP == search.run(skip, limit))
        {
            return new long[] {search.total(), -1, 0};
        }
        return new long[] {search.total(), search.totalExact() ? 1 : 0, search.pageCount()};
    }

    private static Object[] shape(
        final String label,
        final StateFilter state,
        final String prefix,
        final String step,
        final long from,
        final long until,
        final int offset)
    {
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[256]);
        final byte[] nameBytes = prefix.getBytes(StandardCharsets.UTF_8);
        final byte[] stepBytes = step.getBytes(StandardCharsets.UTF_8);
        new ListWorkflowsEncoder().wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
            .correlationId(1).skip(offset).maxCount(50).state(state).createdFrom(from).createdUntil(until)
            .nameMatch(prefix.isEmpty() ? NameMatch.ANY : NameMatch.PREFIX).sort(ListSort.ID).order(SortOrder.ASC)
            .putName(nameBytes, 0, nameBytes.length).putStep(stepBytes, 0, stepBytes.length);
        return new Object[] {label, buffer, offset};
    }

    /**
     * A million workflows: unique names "wf-" and 5 hex digits, scattered over ids (a bijection of 2^20); a third
     * running at a step, a tenth waiting, 1% failed, the rest completed or cancelled; one live workflow in a thousand
     * at step RARE; creation time one ms per id.
     */
    private static EngineState build(final int n)
    {
        final EngineState state = new EngineState(START);
        final WorkflowDefinition definition = new WorkflowDefinition(1, new byte[0], 0);
        final UnsafeBuffer name = new UnsafeBuffer(new byte[16]);
        for (int i = 0; i < n; i++)
        {
            final Workflow workflow = new Workflow(i + 1, definition, 0, START + i);
            state.workflows.add(workflow);
            final int scrambled = (int)((i * 0x9E3779B1L) & 0xFFFFF);
            final int length = name.putStringWithoutLengthAscii(0, "wf-" + String.format("%05x", scrambled));
            state.names.add(workflow, i, name, 0, length);
            final int kind = (int)((i * 0x85EBCA6BL >>> 7) % 100);
            final WorkflowState s = kind < 33 ? WorkflowState.RUNNING : kind < 43 ? WorkflowState.WAITING :
                kind < 44 ? WorkflowState.FAILED : kind < 90 ? WorkflowState.COMPLETED : WorkflowState.CANCELLED;
            workflow.state = s;
            state.states.add(i, s);
            if (s == WorkflowState.RUNNING || s == WorkflowState.WAITING)
            {
                state.steps.enter(i, i % 1000 == 7 ? "RARE" : STEPS[i % 3]);
            }
        }
        return state;
    }
}
