package io.axiom.core;

import java.util.Arrays;

import org.agrona.ExpandableDirectByteBuffer;

/**
 * Captures the state as it was at one log position while the processor goes on applying events: the snapshot is
 * encoded a slice at a time, between batches, and a workflow about to change before its slice is reached is encoded
 * first, as it was (copy-on-write, one workflow at a time).
 * <p>
 * <b>At the mark</b> ({@link #mark(int)}, after a group commit, so the position is durable and no unit is open) the
 * small part is encoded at once: definitions, task queue names and the workflow count (the head); the size of the
 * operation key log ({@link KeyLog}) is noted, so the keys put before the mark are encoded after the workflows, a
 * slice at a time too (the log is only ever added to: nothing to copy). A create's key is part of its workflow's
 * record, so it is captured (and copied on write) with it. The workflow table's entries
 * {@code [0, count)} become shared: {@link #beforeWrite(int)}, called by the {@link Applier} before it changes any
 * workflow, copies the record of a shared workflow not yet reached into the pre-image area (once per workflow), so
 * its bytes in the snapshot are those of the mark. Workflows created after the mark are not in the snapshot. A
 * workflow that leaves the heap (WorkflowRetired) is changed like any other: its pre-image is kept first, so a
 * snapshot holds it if it was on the heap at the mark, and a hole if it had left before.
 * <p>
 * <b>Slices</b> ({@link #sweep(int)}, once per duty cycle) encode the next workflows in id order (a pre-image where
 * there is one), then the keys, into the {@link SnapshotWriter}'s pages, which its thread streams to disk. The processor's longest
 * pause is one slice (or one batch's pre-images), whatever the size of the table: never the whole state.
 * <p>
 * Why per-workflow copy-on-write of the encoded record, and not copies of the table's chunks for a writer thread to
 * encode: a workflow is a mutable object, so a chunk copy is a deep copy of 16,384 workflows, and a batch of
 * commands on random workflows would copy every chunk in one batch (the whole state: the stall this removes). A
 * pre-image costs one record's encoding (about 100 bytes), only for workflows that change while a snapshot is taken,
 * and the area holding them and their index (an int per workflow) are reused (allocated once, grown rarely). When no snapshot is being captured the cost on
 * the hot path is two comparisons; nothing is allocated.
 */
final class SnapshotCapture
{
    private final EngineState state;
    private final SnapshotCodec codec;
    private final SnapshotWriter writer;
    private static final int PRE_IMAGE_PAGE_SHIFT = 20;
    private static final int PRE_IMAGE_PAGE = 1 << PRE_IMAGE_PAGE_SHIFT;

    private final ExpandableDirectByteBuffer scratch = new ExpandableDirectByteBuffer(64 * 1024);
    /** The dealer's section, encoded at the mark and written after the keys. */
    private final ExpandableDirectByteBuffer dealerSection = new ExpandableDirectByteBuffer(1024);
    private int dealerSectionLength;
    /**
     * Pre-images, in pages of {@link #PRE_IMAGE_PAGE} bytes, so that the area grows without copying what it holds
     * (a copy of a large area would be one long pause inside a batch). A record starts below the page size and never
     * spans two pages (a record larger than a page expands its own page).
     */
    private ExpandableDirectByteBuffer[] preImagePages = new ExpandableDirectByteBuffer[0];
    private int preImagePage;
    /**
     * Where each workflow's pre-image is ({@code page << 20 | offset} in {@link #preImagePages}), by table index, in
     * pages of one table chunk ({@link WorkflowTable#CHUNK_SIZE} entries); -1 for none. Every entry is -1 between
     * snapshots (the sweep resets the ones it uses), so a mark clears nothing. A page is allocated the first time a
     * workflow of its chunk changes while a snapshot is captured, and dropped at a mark once the table freed its
     * chunk (its workflows all left the heap): the pages follow the workflows on the heap, not every id ever given.
     */
    private int[][] preImageOffsets = new int[0][];
    /** Holes (workflows that left the heap before the mark) met and not yet written: one run of them. */
    private int pendingHoles;
    private int operationKeys;
    /** Next operation key to encode, in [0, operationKeys) (create keys are in their workflows' records). */
    private int keyCursor;
    private boolean operationCountWritten;
    private int preImageLength;
    /** Next workflow index to encode; workflows in [cursor, end) are shared with the snapshot. */
    private int cursor;
    private int end;
    private boolean active;
    private long preImageCount;
    private long longestSliceNs;
    private long lastLongestSliceNs;

    SnapshotCapture(final EngineState state, final SnapshotWriter writer)
    {
        this(state, null, writer);
    }

    /**
     * @param state  the state.
     * @param dealer whose sessions the snapshots hold (their section is encoded at the mark), or null for none.
     * @param writer the writer the snapshots stream to.
     */
    SnapshotCapture(final EngineState state, final Dealer dealer, final SnapshotWriter writer)
    {
        this.state = state;
        this.codec = new SnapshotCodec(state, dealer);
        this.writer = writer;
    }

    /**
     * @return true while a snapshot is being captured.
     */
    boolean active()
    {
        return active;
    }

    /**
     * Start capturing the state as it is now; the writer must have been begun for this snapshot.
     *
     * @param workflowCount the table's size now: the workflows the snapshot holds.
     */
    void mark(final int workflowCount)
    {
        final int headLength = codec.writeHead(scratch, 0, workflowCount);
        writer.append(scratch, 0, headLength);
        dealerSectionLength = codec.writeDealerSection(dealerSection, 0);
        operationKeys = state.operationKeyLog.size();
        keyCursor = 0;
        operationCountWritten = false;
        final int chunks = (workflowCount + WorkflowTable.CHUNK_SIZE - 1) >>> WorkflowTable.CHUNK_SHIFT;
        if (preImageOffsets.length < chunks)
        {
            preImageOffsets = Arrays.copyOf(preImageOffsets, Math.max(chunks, 2 * preImageOffsets.length));
        }
        for (int c = 0; c < preImageOffsets.length; c++)
        {
            if (null != preImageOffsets[c] && !state.workflows.chunkAllocated(c))
            {
                preImageOffsets[c] = null;
            }
        }
        pendingHoles = 0;
        preImageLength = 0;
        preImagePage = 0;
        preImageCount = 0;
        lastLongestSliceNs = 0;
        cursor = 0;
        end = workflowCount;
        active = true;
        writer.publish();
    }

    /**
     * Called before a workflow changes: keeps its record as of the mark when the snapshot still needs it.
     *
     * @param index the workflow's index in the table.
     */
    void beforeWrite(final int index)
    {
        if (index >= cursor && index < end && preImageOffset(index) == -1)
        {
            final Workflow w = state.workflows.get(index);
            if (preImageLength > 0 && preImageLength + 4 + SnapshotCodec.workflowLength(w) > PRE_IMAGE_PAGE)
            {
                preImagePage++;
                preImageLength = 0;
            }
            if (preImagePage == preImagePages.length)
            {
                if (preImagePage == 1 << (31 - PRE_IMAGE_PAGE_SHIFT))
                {
                    throw new IllegalStateException("pre-images of one snapshot are limited to 2 GiB");
                }
                preImagePages = Arrays.copyOf(preImagePages, Math.max(4, 2 * preImagePages.length));
                for (int i = preImagePage; i < preImagePages.length; i++)
                {
                    preImagePages[i] = new ExpandableDirectByteBuffer(PRE_IMAGE_PAGE);
                }
            }
            final ExpandableDirectByteBuffer page = preImagePages[preImagePage];
            final int offset = preImageLength;
            preImageLength = SnapshotCodec.writeWorkflow(page, offset + 4, w);
            page.putInt(offset, preImageLength - offset - 4);
            int[] offsets = preImageOffsets[index >>> WorkflowTable.CHUNK_SHIFT];
            if (null == offsets)
            {
                offsets = new int[WorkflowTable.CHUNK_SIZE];
                Arrays.fill(offsets, -1);
                preImageOffsets[index >>> WorkflowTable.CHUNK_SHIFT] = offsets;
            }
            offsets[index & (WorkflowTable.CHUNK_SIZE - 1)] = preImagePage << PRE_IMAGE_PAGE_SHIFT | offset;
            preImageCount++;
        }
    }

    private int preImageOffset(final int index)
    {
        final int[] offsets = preImageOffsets[index >>> WorkflowTable.CHUNK_SHIFT];
        return null == offsets ? -1 : offsets[index & (WorkflowTable.CHUNK_SIZE - 1)];
    }

    /**
     * Encode the next slice of workflows into the writer.
     *
     * @param limit workflows to encode at most.
     * @return workflows encoded.
     */
    int sweep(final int limit)
    {
        if (!active)
        {
            return 0;
        }
        final long startNs = System.nanoTime();
        final int to = (int)Math.min(end, (long)cursor + limit);
        final int count = to - cursor;
        int p = 0;
        for (int i = cursor; i < to; i++)
        {
            final int preImage = preImageOffset(i);
            final Workflow w = -1 == preImage ? state.workflows.get(i) : null;
            if (-1 == preImage && null == w)
            {
                pendingHoles++; // left the heap before the mark
                continue;
            }
            if (pendingHoles > 0)
            {
                if (p > 0 && p + SnapshotCodec.HOLES_LENGTH > scratch.capacity())
                {
                    writer.append(scratch, 0, p);
                    p = 0;
                }
                p = SnapshotCodec.writeHoles(scratch, p, pendingHoles);
                pendingHoles = 0;
            }
            if (preImage != -1)
            {
                preImageOffsets[i >>> WorkflowTable.CHUNK_SHIFT][i & (WorkflowTable.CHUNK_SIZE - 1)] = -1;
                if (p > 0)
                {
                    writer.append(scratch, 0, p);
                    p = 0;
                }
                final ExpandableDirectByteBuffer page = preImagePages[preImage >>> PRE_IMAGE_PAGE_SHIFT];
                final int offset = preImage & (PRE_IMAGE_PAGE - 1);
                writer.append(page, offset + 4, page.getInt(offset));
            }
            else
            {
                if (p > 0 && p + SnapshotCodec.workflowLength(w) > scratch.capacity())
                {
                    writer.append(scratch, 0, p);
                    p = 0;
                }
                p = SnapshotCodec.writeWorkflow(scratch, p, w);
            }
        }
        if (to == end && pendingHoles > 0)
        {
            if (p > 0 && p + SnapshotCodec.HOLES_LENGTH > scratch.capacity())
            {
                writer.append(scratch, 0, p);
                p = 0;
            }
            p = SnapshotCodec.writeHoles(scratch, p, pendingHoles);
            pendingHoles = 0;
        }
        if (p > 0)
        {
            writer.append(scratch, 0, p);
        }
        cursor = to;
        final int keys = cursor == end ? sweepKeys(limit - count) : 0;
        if (cursor == end && operationCountWritten && keyCursor == operationKeys)
        {
            finish();
        }
        else
        {
            writer.publish();
        }
        final long sliceNs = System.nanoTime() - startNs;
        longestSliceNs = Math.max(longestSliceNs, sliceNs);
        lastLongestSliceNs = Math.max(lastLongestSliceNs, sliceNs);
        return count + keys;
    }

    /**
     * The operation keys, after the workflows: the entries the key log had at the mark (it is only ever added to,
     * so those stay as they were), led by their count.
     */
    private int sweepKeys(final int limit)
    {
        int budget = Math.max(1, limit);
        final int before = keyCursor;
        if (!operationCountWritten)
        {
            scratch.putInt(0, operationKeys);
            writer.append(scratch, 0, 4);
            operationCountWritten = true;
        }
        while (keyCursor < operationKeys && budget > 0)
        {
            final int next = Math.min(operationKeys, keyCursor + Math.min(budget, 256));
            final int p = SnapshotCodec.writeKeyEntries(scratch, 0, state.operationKeyLog, keyCursor, next);
            writer.append(scratch, 0, p);
            budget -= next - keyCursor;
            keyCursor = next;
        }
        return keyCursor - before;
    }

    private void finish()
    {
        writer.append(dealerSection, 0, dealerSectionLength);
        writer.finish();
        cursor = 0;
        end = 0;
        active = false;
    }

    /**
     * @return workflows copied before a change in the snapshot being (or last) captured.
     */
    long preImageCount()
    {
        return preImageCount;
    }

    /**
     * @return the longest slice of the snapshot being (or last) captured, in nanoseconds.
     */
    long lastLongestSliceNs()
    {
        return lastLongestSliceNs;
    }

    /**
     * @return the longest slice so far, in nanoseconds.
     */
    long longestSliceNs()
    {
        return longestSliceNs;
    }
}
