package io.axiom.core;

import io.axiom.codecs.WorkflowState;

/**
 * Which workflows are in which state, by workflow index (id order), so that a list filtered by state is answered
 * from the index rather than by scanning every workflow: one {@link Bitmap} per state (a bit per workflow and a
 * count per chunk of 4,096 workflows). Finding the k-th workflow in a state reads the chunk counts (n / 4,096 of
 * them) and then one chunk's bits; memory is under one byte per workflow.
 * <p>
 * Changed only by the {@link Applier}; read by the {@link Queries}.
 */
final class StateIndex
{
    static final int STATE_COUNT = WorkflowState.values().length - 1;

    private final Bitmap[] bitmaps = new Bitmap[STATE_COUNT];
    private final Bitmap all = new Bitmap();

    StateIndex()
    {
        for (int i = 0; i < STATE_COUNT; i++)
        {
            bitmaps[i] = new Bitmap();
        }
    }

    /**
     * A workflow leaves the heap (retired to the cold store).
     *
     * @param index of the workflow.
     * @param state its state.
     */
    void remove(final int index, final WorkflowState state)
    {
        bitmaps[state.value()].remove(index);
        all.remove(index);
    }

    /**
     * @return every workflow on the heap, whatever its state.
     */
    Bitmap all()
    {
        return all;
    }

    /**
     * @param state a state.
     * @return workflows in that state.
     */
    long count(final WorkflowState state)
    {
        return bitmaps[state.value()].count();
    }

    /**
     * @param state a state.
     * @return the workflows in that state.
     */
    Bitmap bitmap(final WorkflowState state)
    {
        return bitmaps[state.value()];
    }

    /**
     * A new workflow, always the next index.
     *
     * @param index of the workflow in the table.
     * @param state its first state.
     */
    void add(final int index, final WorkflowState state)
    {
        bitmaps[state.value()].add(index);
        all.add(index);
    }

    /**
     * @param index of the workflow.
     * @param from  its state now.
     * @param to    its new state.
     */
    void move(final int index, final WorkflowState from, final WorkflowState to)
    {
        bitmaps[from.value()].remove(index);
        bitmaps[to.value()].add(index);
    }

    /**
     * @param state a state.
     * @param rank  how many workflows in that state to pass over, from 0.
     * @return index of the workflow with that rank among those in the state (id order), or -1 when there are not
     * that many.
     */
    int nth(final WorkflowState state, final long rank)
    {
        return bitmaps[state.value()].select(rank);
    }

    /**
     * @param state a state.
     * @param from  first index to look at.
     * @return the first index >= from of a workflow in the state, or -1.
     */
    int next(final WorkflowState state, final int from)
    {
        return bitmaps[state.value()].next(from);
    }
}
