package io.axiom.core;

import java.util.ArrayList;
import java.util.List;

import io.axiom.codecs.WorkflowState;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The per-state index against the obvious model (a list of states scanned in order), over random histories of adds
 * and moves, across chunk boundaries.
 */
class StateIndexTest
{
    private static final WorkflowState[] STATES = {
        WorkflowState.CREATED, WorkflowState.RUNNING, WorkflowState.WAITING,
        WorkflowState.COMPLETED, WorkflowState.FAILED, WorkflowState.CANCELLED};

    @Property(tries = 60)
    void nthAndNextAgreeWithAScan(
        @ForAll @IntRange(min = 1, max = 12_000) final int workflows,
        @ForAll @LongRange(min = 0, max = Long.MAX_VALUE) final long seed)
    {
        final java.util.Random random = new java.util.Random(seed);
        final StateIndex index = new StateIndex();
        final List<WorkflowState> model = new ArrayList<>();
        for (int i = 0; i < workflows; i++)
        {
            final WorkflowState state = STATES[random.nextInt(3)];
            index.add(i, state);
            model.add(state);
        }
        for (int m = 0; m < workflows; m++)
        {
            final int i = random.nextInt(workflows);
            final WorkflowState to = STATES[random.nextInt(STATES.length)];
            if (to != model.get(i))
            {
                index.move(i, model.get(i), to);
                model.set(i, to);
            }
        }
        for (final WorkflowState state : STATES)
        {
            final List<Integer> expected = new ArrayList<>();
            for (int i = 0; i < model.size(); i++)
            {
                if (model.get(i) == state)
                {
                    expected.add(i);
                }
            }
            assertEquals(expected.size(), index.count(state), "count of " + state + ", seed " + seed);
            final List<Integer> walked = new ArrayList<>();
            for (int i = index.nth(state, 0); i >= 0; i = index.next(state, i + 1))
            {
                walked.add(i);
            }
            assertEquals(expected, walked, state + ", seed " + seed);
            for (int k = 0; k < expected.size(); k += 1 + random.nextInt(50))
            {
                assertEquals(expected.get(k), index.nth(state, k), "rank " + k + " of " + state + ", seed " + seed);
            }
            assertEquals(-1, index.nth(state, expected.size()));
        }
    }
}
