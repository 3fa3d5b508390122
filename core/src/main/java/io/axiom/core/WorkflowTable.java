package io.axiom.core;

/**
 * Workflows by dense index (id - 1), in chunks: growing never copies what is there, so a create costs the same with
 * ten workflows or ten million, and no pause grows with the table.
 * <p>
 * <b>Holes.</b> A workflow retired to the cold store leaves a hole ({@link #remove(int)}: {@link #get(int)} answers
 * null there from then on), and a chunk whose workflows have all left is freed, so the heap holds the workflows on
 * it, not every workflow ever created. {@link #size()} stays the next index; {@link #live()} counts the workflows
 * on the heap. Whoever walks the table skips the holes.
 */
final class WorkflowTable
{
    static final int CHUNK_SHIFT = 14;
    static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;

    private Workflow[][] chunks = new Workflow[16][];
    private int[] chunkLive = new int[16];
    private int size;
    private int live;

    /**
     * @return indexes used: the next workflow's index.
     */
    int size()
    {
        return size;
    }

    /**
     * @return workflows on the heap (size less the holes).
     */
    int live()
    {
        return live;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    /**
     * @param index in [0, size).
     * @return the workflow there, or null when it left the heap.
     */
    Workflow get(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("index " + index + " of " + size);
        }
        final Workflow[] chunk = chunks[index >>> CHUNK_SHIFT];
        return null == chunk ? null : chunk[index & CHUNK_MASK];
    }

    void add(final Workflow workflow)
    {
        final int chunk = size >>> CHUNK_SHIFT;
        grow(chunk);
        if (null == chunks[chunk])
        {
            chunks[chunk] = new Workflow[CHUNK_SIZE];
        }
        chunks[chunk][size & CHUNK_MASK] = workflow;
        chunkLive[chunk]++;
        live++;
        size++;
    }

    /**
     * The next index is a hole (a snapshot's retired workflow): no workflow, nothing allocated for it.
     */
    void addHole()
    {
        grow(size >>> CHUNK_SHIFT);
        size++;
    }

    /**
     * The workflow at the index leaves the heap; its chunk is freed when it was the last of a full chunk.
     *
     * @param index of a workflow on the heap.
     */
    void remove(final int index)
    {
        final int chunk = index >>> CHUNK_SHIFT;
        if (null == get(index))
        {
            throw new IllegalStateException("no workflow on the heap at index " + index);
        }
        chunks[chunk][index & CHUNK_MASK] = null;
        live--;
        if (0 == --chunkLive[chunk] && (chunk + 1) << CHUNK_SHIFT <= size)
        {
            chunks[chunk] = null;
        }
    }

    /**
     * @param from an index, >= 0.
     * @return the first index >= from holding a workflow, or {@link #size()} when none does (empty chunks are passed
     * over whole).
     */
    int nextLive(final int from)
    {
        int i = Math.max(0, from);
        while (i < size)
        {
            final Workflow[] chunk = chunks[i >>> CHUNK_SHIFT];
            if (null == chunk || 0 == chunkLive[i >>> CHUNK_SHIFT])
            {
                i = ((i >>> CHUNK_SHIFT) + 1) << CHUNK_SHIFT;
                continue;
            }
            if (null != chunk[i & CHUNK_MASK])
            {
                return i;
            }
            i++;
        }
        return size;
    }

    /**
     * @param chunk a chunk's number (index >>> {@link #CHUNK_SHIFT}).
     * @return true when it is allocated: some of its workflows are on the heap, or it is the last one.
     */
    boolean chunkAllocated(final int chunk)
    {
        return chunk < chunks.length && null != chunks[chunk];
    }

    /**
     * @return chunks allocated now (for tests and figures).
     */
    int chunksAllocated()
    {
        int allocated = 0;
        for (final Workflow[] chunk : chunks)
        {
            allocated += null == chunk ? 0 : 1;
        }
        return allocated;
    }

    private void grow(final int chunk)
    {
        if (chunk >= chunks.length)
        {
            chunks = java.util.Arrays.copyOf(chunks, chunks.length * 2);
            chunkLive = java.util.Arrays.copyOf(chunkLive, chunkLive.length * 2);
        }
    }
}
