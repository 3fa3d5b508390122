package io.axiom.core;

/**
 * Workflows by dense index (id - 1), in chunks: growing never copies what is there, so a create costs the same with
 * ten workflows or ten million, and no pause grows with the table.
 */
final class WorkflowTable
{
    private static final int CHUNK_SHIFT = 14;
    private static final int CHUNK_SIZE = 1 << CHUNK_SHIFT;
    private static final int CHUNK_MASK = CHUNK_SIZE - 1;

    private Workflow[][] chunks = new Workflow[16][];
    private int size;

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    Workflow get(final int index)
    {
        if (index < 0 || index >= size)
        {
            throw new IndexOutOfBoundsException("index " + index + " of " + size);
        }
        return chunks[index >>> CHUNK_SHIFT][index & CHUNK_MASK];
    }

    void add(final Workflow workflow)
    {
        final int chunk = size >>> CHUNK_SHIFT;
        if (chunk == chunks.length)
        {
            chunks = java.util.Arrays.copyOf(chunks, chunks.length * 2);
        }
        if (null == chunks[chunk])
        {
            chunks[chunk] = new Workflow[CHUNK_SIZE];
        }
        chunks[chunk][size & CHUNK_MASK] = workflow;
        size++;
    }
}
