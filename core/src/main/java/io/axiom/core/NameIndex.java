package io.axiom.core;

import java.util.Arrays;

import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.journal.Journal;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Workflows by name: a dictionary of the distinct names ({@link Utf8Keys}, sorted by their UTF-8 bytes), each with
 * the indexes of its workflows in id order, so that an exact name reads one list and a prefix one run of the sorted
 * names, and never a workflow of another name. A workflow's name is also kept on the workflow ({@link
 * Workflow#name}), so that another index can test it without reading the log. Each name's workflow count is its
 * weight in the dictionary's order, so a prefix's workflows are counted in log(names) ({@link
 * Utf8Keys#prefixWeight}).
 * <p>
 * Soft state: built by the {@link Applier} from WorkflowCreated events and, after a snapshot load (snapshots do not
 * hold names), from the WorkflowCreated records the workflows point at ({@link #indexFromLog}). Only a new name
 * allocates; a list grows by half when full. A workflow retired to the cold store leaves its name's list ({@link
 * #remove}), and a name with no workflow left leaves the dictionary: the names of workflows no longer on the heap
 * cost nothing.
 */
final class NameIndex
{
    /**
     * One distinct workflow name and its workflows.
     */
    static final class Name extends Utf8Keys.Key
    {
        /** Members in id order in [head, end): retirement takes the oldest first, so most removals move head. */
        private int[] members = new int[4];
        private int head;
        private int end;

        Name(final byte[] utf8)
        {
            super(utf8);
        }

        /**
         * @return workflows with this name.
         */
        int count()
        {
            return end - head;
        }

        /**
         * @param rank a position in id order, from 0.
         * @return index of the workflow there.
         */
        int member(final int rank)
        {
            return members[head + rank];
        }

        /**
         * @param index a workflow index.
         * @return how many of this name's workflows have an index below it.
         */
        int rank(final int index)
        {
            int low = head;
            int high = end;
            while (low < high)
            {
                final int mid = (low + high) >>> 1;
                if (members[mid] < index)
                {
                    low = mid + 1;
                }
                else
                {
                    high = mid;
                }
            }
            return low - head;
        }

        private void append(final int index)
        {
            if (end == members.length)
            {
                final int count = end - head;
                if (head >= count)
                {
                    System.arraycopy(members, head, members, 0, count); // the retired front is reused
                }
                else
                {
                    final int[] grown = new int[count + Math.max(4, count >> 1)];
                    System.arraycopy(members, head, grown, 0, count);
                    members = grown;
                }
                head = 0;
                end = count;
            }
            members[end++] = index;
        }

        /**
         * Drops a member, moving the shorter side of the list over it (the oldest member: nothing moves).
         */
        private void removeMember(final int index)
        {
            final int at = head + rank(index);
            if (at == end || members[at] != index)
            {
                throw new IllegalStateException("workflow index " + index + " is not a member of its name");
            }
            if (at - head <= end - at - 1)
            {
                System.arraycopy(members, head, members, head + 1, at - head);
                head++;
            }
            else
            {
                System.arraycopy(members, at + 1, members, at, end - at - 1);
                end--;
            }
            if (members.length > 64 && end - head < members.length >> 2)
            {
                members = java.util.Arrays.copyOfRange(members, head, head + Math.max(4, 2 * (end - head)));
                end -= head;
                head = 0;
            }
        }
    }

    private final Utf8Keys<Name> keys = new Utf8Keys<>();
    private final UnsafeBuffer nameView = new UnsafeBuffer(0, 0);
    private final WorkflowCreatedDecoder created = new WorkflowCreatedDecoder();

    /**
     * @return the dictionary of distinct names.
     */
    Utf8Keys<Name> names()
    {
        return keys;
    }

    /**
     * A new workflow, always the next index.
     *
     * @param workflow the workflow.
     * @param index    its index in the table.
     * @param buffer   holding its name's UTF-8 bytes.
     * @param offset   of the bytes.
     * @param length   of the bytes.
     */
    void add(final Workflow workflow, final int index, final DirectBuffer buffer, final int offset, final int length)
    {
        Name name = keys.find(buffer, offset, length);
        if (null == name)
        {
            final byte[] utf8 = new byte[length];
            buffer.getBytes(offset, utf8);
            name = new Name(utf8);
            keys.add(name);
        }
        name.append(index);
        keys.addWeight(name, 1);
        workflow.name = name;
    }

    /**
     * A workflow leaves the heap: out of its name's list, and the name out of the dictionary when it was its last.
     *
     * @param workflow the workflow, indexed.
     * @param index    its index in the table.
     */
    void remove(final Workflow workflow, final int index)
    {
        final Name name = workflow.name;
        if (null == name)
        {
            return;
        }
        name.removeMember(index);
        keys.addWeight(name, -1);
        if (0 == name.count())
        {
            keys.remove(name);
        }
        workflow.name = null;
    }

    /**
     * A WorkflowCreated event's name, as its decoder stands after its steps group: indexes it for the workflow and
     * moves the decoder past it.
     *
     * @param workflow the workflow.
     * @param index    its index in the table.
     * @param decoder  the event's decoder, positioned at the name.
     */
    void add(final Workflow workflow, final int index, final WorkflowCreatedDecoder decoder)
    {
        decoder.wrapName(nameView);
        add(workflow, index, nameView, 0, nameView.capacity());
    }

    /**
     * Indexes the name of every workflow of the state from its WorkflowCreated record: what a snapshot load needs,
     * since snapshots do not hold names. Reads one record per workflow.
     *
     * @param state   a state just loaded from a snapshot, with no name indexed yet.
     * @param journal the log the snapshot is bound to.
     */
    void indexFromLog(final EngineState state, final Journal journal)
    {
        final WorkflowViews.RecordRef record = new WorkflowViews.RecordRef();
        final MessageHeaderDecoder header = new MessageHeaderDecoder();
        for (int i = state.workflows.nextLive(0), size = state.workflows.size(); i < size;
            i = state.workflows.nextLive(i + 1))
        {
            final Workflow workflow = state.workflows.get(i);
            if (!journal.readRecord(workflow.createdPosition, record))
            {
                throw new IllegalStateException("journal has no WorkflowCreated record at position " +
                    workflow.createdPosition + " for workflow " + workflow.id);
            }
            header.wrap(record.buffer, record.offset);
            created.wrap(record.buffer, record.offset + MessageHeaderDecoder.ENCODED_LENGTH, header.blockLength(),
                header.version());
            final WorkflowCreatedDecoder.StepsDecoder steps = created.steps();
            while (steps.hasNext())
            {
                steps.next().skipName();
            }
            add(workflow, i, created);
        }
    }
}
