package io.axiom.core;

import io.axiom.codecs.WorkflowState;

/**
 * Which workflows are in which state, by workflow index (id order), so that a list filtered by state is answered
 * from the index rather than by scanning every workflow: one bit per workflow and state, and a count per chunk of
 * 4,096 workflows and state. Finding the k-th workflow in a state reads the chunk counts (n / 4,096 of them) and then
 * one chunk's bits; memory is under one byte per workflow.
 * <p>
 * Chunks are allocated as the table grows and never copied, like the {@link WorkflowTable}. Changed only by the
 * {@link Applier}; read by the {@link Queries}.
 */
final class StateIndex
{
    static final int STATE_COUNT = WorkflowState.values().length - 1;
    private static final int CHUNK_SHIFT = 12;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int WORDS_PER_CHUNK = CHUNK_SIZE / 64;

    private final long[] counts = new long[STATE_COUNT];
    private long[][][] bits = new long[16][][];
    private int[][] chunkCounts = new int[16][];
    private int chunkCount;

    /**
     * @param state a state.
     * @return workflows in that state.
     */
    long count(final WorkflowState state)
    {
        return counts[state.value()];
    }

    /**
     * A new workflow, always the next index.
     *
     * @param index of the workflow in the table.
     * @param state its first state.
     */
    void add(final int index, final WorkflowState state)
    {
        final int chunk = index >>> CHUNK_SHIFT;
        while (chunk >= chunkCount)
        {
            if (chunkCount == bits.length)
            {
                bits = java.util.Arrays.copyOf(bits, bits.length * 2);
                chunkCounts = java.util.Arrays.copyOf(chunkCounts, chunkCounts.length * 2);
            }
            bits[chunkCount] = new long[STATE_COUNT][WORDS_PER_CHUNK];
            chunkCounts[chunkCount] = new int[STATE_COUNT];
            chunkCount++;
        }
        set(index, state.value());
    }

    /**
     * @param index of the workflow.
     * @param from  its state now.
     * @param to    its new state.
     */
    void move(final int index, final WorkflowState from, final WorkflowState to)
    {
        final int chunk = index >>> CHUNK_SHIFT;
        final int word = (index & (CHUNK_SIZE - 1)) >>> 6;
        bits[chunk][from.value()][word] &= ~(1L << index);
        chunkCounts[chunk][from.value()]--;
        counts[from.value()]--;
        set(index, to.value());
    }

    private void set(final int index, final int state)
    {
        final int chunk = index >>> CHUNK_SHIFT;
        final int word = (index & (CHUNK_SIZE - 1)) >>> 6;
        bits[chunk][state][word] |= 1L << index;
        chunkCounts[chunk][state]++;
        counts[state]++;
    }

    /**
     * @param state a state.
     * @param rank  how many workflows in that state to pass over, from 0.
     * @return index of the workflow with that rank among those in the state (id order), or -1 when there are not
     * that many.
     */
    int nth(final WorkflowState state, final long rank)
    {
        final int s = state.value();
        if (rank < 0 || rank >= counts[s])
        {
            return -1;
        }
        long left = rank;
        for (int chunk = 0; chunk < chunkCount; chunk++)
        {
            final int inChunk = chunkCounts[chunk][s];
            if (left >= inChunk)
            {
                left -= inChunk;
                continue;
            }
            final long[] words = bits[chunk][s];
            for (int w = 0; w < WORDS_PER_CHUNK; w++)
            {
                final int inWord = Long.bitCount(words[w]);
                if (left >= inWord)
                {
                    left -= inWord;
                    continue;
                }
                long word = words[w];
                for (long i = 0; i < left; i++)
                {
                    word &= word - 1;
                }
                return (chunk << CHUNK_SHIFT) + (w << 6) + Long.numberOfTrailingZeros(word);
            }
        }
        return -1;
    }

    /**
     * @param state a state.
     * @param from  first index to look at.
     * @return the first index >= from of a workflow in the state, or -1.
     */
    int next(final WorkflowState state, final int from)
    {
        final int s = state.value();
        int chunk = from >>> CHUNK_SHIFT;
        int w = (from & (CHUNK_SIZE - 1)) >>> 6;
        long mask = -1L << from;
        while (chunk < chunkCount)
        {
            if (chunkCounts[chunk][s] > 0)
            {
                final long[] words = bits[chunk][s];
                for (; w < WORDS_PER_CHUNK; w++)
                {
                    final long word = words[w] & mask;
                    mask = -1L;
                    if (0 != word)
                    {
                        return (chunk << CHUNK_SHIFT) + (w << 6) + Long.numberOfTrailingZeros(word);
                    }
                }
            }
            chunk++;
            w = 0;
            mask = -1L;
        }
        return -1;
    }
}
