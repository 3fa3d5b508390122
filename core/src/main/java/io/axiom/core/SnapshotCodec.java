package io.axiom.core;

import java.nio.charset.StandardCharsets;

import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.StepType;
import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.codecs.WorkflowCreatedEncoder;
import io.axiom.codecs.WorkflowState;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The {@link EngineState} as snapshot bytes, and back. Stored: the definitions, the workflows (with their step and
 * event positions) and both idempotency key maps. Derived on load: the state index, the task queues and the timers.
 * <p>
 * Layout (native order, as Agrona buffers write it): magic "AXXSNAP4", then definitions (count; per definition its
 * steps-group bytes), task queue names (count; names, so that queue order survives), workflows (count; per workflow
 * a fixed 58-byte record with its flags and whether a lease follows, its create's Idempotency-Key (UTF-8 length,
 * 0 for none, then the bytes: the key map of the workflows on the heap is derived from them), the lease (token,
 * worker, step, attempt,
 * attempt deadline), its step completion positions, its event positions; a workflow that left the heap for the
 * {@link ColdStore} is in a run of such: the int {@link #RETIRED} in place of a definition index, then the run's
 * length), then the operation keys (count;
 * per key its UTF-8 text and a long, in the order they were put). A lease's expiry is not stored: after a restart
 * every lease in flight gets a fresh lease period.
 * <p>
 * What a snapshot holds, and how it is captured at one position while the processor goes on
 * ({@link SnapshotCapture}): definitions and task queue names are small and encoded at the mark; the workflows are
 * encoded a slice at a time, with a copy-on-write pre-image of each one changed before its slice (its create key
 * with it); the operation keys are encoded a slice at a time from their {@link KeyLog}, whose entries before the
 * mark never change. Not stored, so
 * nothing to capture: the state index, name and step indexes, task queues and timers (derived on load), the
 * dealer's workers and credits and the leases' expiries (soft state), the completion and fencing ledgers (the
 * verifier's own, built from the log).
 */
final class SnapshotCodec
{
    private static final long MAGIC = 0x3450414E53585841L; // "AXXSNAP4"
    /** Where a workflow's record has its create key (length, then the UTF-8 bytes). */
    static final int WORKFLOW_FIXED = 58;
    private static final int LEASE_LENGTH = 8 + 8 + 4 + 4 + 8;
    /**
     * In place of a workflow's definition index: a run of workflows that left the heap (holes in the table); the
     * run's length (int) follows.
     */
    static final int RETIRED = -1;
    static final int HOLES_LENGTH = 8;

    private final EngineState state;

    SnapshotCodec(final EngineState state)
    {
        this.state = state;
    }

    /**
     * @return exactly the bytes {@link #write(MutableDirectBuffer)} will write now.
     */
    int length()
    {
        long length = 8 + 4;
        for (int i = 0, size = state.definitions.size(); i < size; i++)
        {
            length += 4 + state.definitions.get(i).encoding.length;
        }
        length += 4;
        for (int i = 0, size = state.taskQueues.size(); i < size; i++)
        {
            length += 4 + utf8Length(state.taskQueues.get(i).stepName);
        }
        length += 4;
        int run = 0;
        for (int i = 0, size = state.workflows.size(); i < size; i++)
        {
            final Workflow w = state.workflows.get(i);
            if (null == w)
            {
                run++;
                continue;
            }
            length += (run > 0 ? HOLES_LENGTH : 0) + workflowLength(w);
            run = 0;
        }
        length += run > 0 ? HOLES_LENGTH : 0;
        length += keysLength(state.operationKeyLog);
        if (length > Integer.MAX_VALUE - 64)
        {
            throw new IllegalStateException("state of " + length + " bytes is too large for one snapshot");
        }
        return (int)length;
    }

    private static long keysLength(final KeyLog keys)
    {
        long length = 4;
        for (int i = 0, size = keys.size(); i < size; i++)
        {
            length += 4 + utf8Length(keys.key(i)) + 8;
        }
        return length;
    }

    private static int utf8Length(final String value)
    {
        return value.getBytes(StandardCharsets.UTF_8).length;
    }

    /**
     * @param w a workflow.
     * @return the bytes {@link #writeWorkflow(MutableDirectBuffer, int, Workflow)} writes for it now.
     */
    static int workflowLength(final Workflow w)
    {
        return WORKFLOW_FIXED + 4 + (null == w.createKey ? 0 : utf8LengthOf(w.createKey)) +
            (null == w.lease ? 0 : LEASE_LENGTH) + 8 * w.definition.stepCount() + 4 + 8 * w.eventCount();
    }

    /**
     * @param value a string.
     * @return its UTF-8 length, counted without allocating (an unpaired surrogate counts as '?', as Java encodes it).
     */
    static int utf8LengthOf(final String value)
    {
        int length = 0;
        for (int i = 0, size = value.length(); i < size; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                length++;
            }
            else if (c < 0x800)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < size && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                length += 4;
                i++;
            }
            else
            {
                length += Character.isSurrogate(c) ? 1 : 3;
            }
        }
        return length;
    }

    /**
     * Write a string's UTF-8 bytes (as {@link String#getBytes} with UTF-8 makes them) without allocating.
     *
     * @param out    buffer to write into, long enough for {@link #utf8LengthOf(String)} bytes.
     * @param offset where to write.
     * @param value  the string.
     * @return bytes written.
     */
    static int putUtf8(final MutableDirectBuffer out, final int offset, final String value)
    {
        int p = offset;
        for (int i = 0, size = value.length(); i < size; i++)
        {
            final char c = value.charAt(i);
            if (c < 0x80)
            {
                out.putByte(p++, (byte)c);
            }
            else if (c < 0x800)
            {
                out.putByte(p++, (byte)(0xC0 | c >> 6));
                out.putByte(p++, (byte)(0x80 | c & 0x3F));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < size && Character.isLowSurrogate(value.charAt(i + 1)))
            {
                final int cp = Character.toCodePoint(c, value.charAt(++i));
                out.putByte(p++, (byte)(0xF0 | cp >> 18));
                out.putByte(p++, (byte)(0x80 | cp >> 12 & 0x3F));
                out.putByte(p++, (byte)(0x80 | cp >> 6 & 0x3F));
                out.putByte(p++, (byte)(0x80 | cp & 0x3F));
            }
            else if (Character.isSurrogate(c))
            {
                out.putByte(p++, (byte)'?');
            }
            else
            {
                out.putByte(p++, (byte)(0xE0 | c >> 12));
                out.putByte(p++, (byte)(0x80 | c >> 6 & 0x3F));
                out.putByte(p++, (byte)(0x80 | c & 0x3F));
            }
        }
        return p - offset;
    }

    /**
     * @param out buffer to write into from offset 0, at least {@link #length()} bytes.
     * @return bytes written.
     */
    int write(final MutableDirectBuffer out)
    {
        int p = writeHead(out, 0, state.workflows.size());
        int run = 0;
        for (int i = 0, size = state.workflows.size(); i < size; i++)
        {
            final Workflow w = state.workflows.get(i);
            if (null == w)
            {
                run++;
                continue;
            }
            p = run > 0 ? writeHoles(out, p, run) : p;
            run = 0;
            p = writeWorkflow(out, p, w);
        }
        p = run > 0 ? writeHoles(out, p, run) : p;
        return writeKeys(out, p);
    }

    /**
     * The part before the workflows: magic, definitions, task queue names and the workflow count.
     *
     * @param out           buffer to write into, expandable or long enough.
     * @param offset        where to write.
     * @param workflowCount workflows the snapshot holds (the table's size when it was taken).
     * @return the offset after what was written.
     */
    int writeHead(final MutableDirectBuffer out, final int offset, final int workflowCount)
    {
        int p = offset;
        out.putLong(p, MAGIC);
        p += 8;
        out.putInt(p, state.definitions.size());
        p += 4;
        for (int i = 0, size = state.definitions.size(); i < size; i++)
        {
            final byte[] encoding = state.definitions.get(i).encoding;
            out.putInt(p, encoding.length);
            out.putBytes(p + 4, encoding);
            p += 4 + encoding.length;
        }
        out.putInt(p, state.taskQueues.size());
        p += 4;
        for (int i = 0, size = state.taskQueues.size(); i < size; i++)
        {
            p += out.putStringUtf8(p, state.taskQueues.get(i).stepName);
        }
        out.putInt(p, workflowCount);
        return p + 4;
    }

    /**
     * One workflow's record, {@link #workflowLength(Workflow)} bytes.
     *
     * @param out    buffer to write into, expandable or long enough.
     * @param offset where to write.
     * @param w      the workflow.
     * @return the offset after what was written.
     */
    static int writeWorkflow(final MutableDirectBuffer out, final int offset, final Workflow w)
    {
        int p = offset;
        out.putInt(p, w.definition.index);
        out.putLong(p + 4, w.createdPosition);
        out.putLong(p + 12, w.createdAt);
        out.putByte(p + 20, (byte)w.state.value());
        out.putInt(p + 21, w.currentStep);
        out.putInt(p + 25, w.attempt);
        out.putLong(p + 29, w.updatedAt);
        out.putLong(p + 37, w.wakeAt);
        out.putLong(p + 45, w.terminalPosition);
        out.putInt(p + 53, w.flags);
        final Lease lease = w.lease;
        out.putByte(p + 57, (byte)(null == lease ? 0 : 1));
        p += WORKFLOW_FIXED;
        final int keyLength = null == w.createKey ? 0 : putUtf8(out, p + 4, w.createKey);
        out.putInt(p, keyLength);
        p += 4 + keyLength;
        if (null != lease)
        {
            out.putLong(p, lease.token);
            out.putLong(p + 8, lease.workerId);
            out.putInt(p + 16, lease.stepIndex);
            out.putInt(p + 20, lease.attempt);
            out.putLong(p + 24, lease.attemptDeadline);
            p += LEASE_LENGTH;
        }
        for (int s = 0, steps = w.definition.stepCount(); s < steps; s++)
        {
            out.putLong(p, w.completedPosition(s));
            p += 8;
        }
        final int events = w.eventCount();
        out.putInt(p, events);
        p += 4;
        for (int e = 0; e < events; e++)
        {
            out.putLong(p, w.eventPosition(e));
            p += 8;
        }
        return p;
    }

    /**
     * The record of a run of workflows that left the heap, {@link #HOLES_LENGTH} bytes.
     *
     * @param out    buffer to write into, expandable or long enough.
     * @param offset where to write.
     * @param count  workflows in the run, in id order.
     * @return the offset after what was written.
     */
    static int writeHoles(final MutableDirectBuffer out, final int offset, final int count)
    {
        out.putInt(offset, RETIRED);
        out.putInt(offset + 4, count);
        return offset + HOLES_LENGTH;
    }

    /**
     * Decode one workflow's record (as {@link #writeWorkflow} wrote it) into a new workflow, its lease (if any) on
     * {@link Workflow#lease} and its timer's deadline on {@link Workflow#wakeAt}, neither of them armed; it takes
     * {@link #workflowLength(Workflow)} bytes.
     *
     * @param in          holding the record.
     * @param offset      of the record.
     * @param id          the workflow's id.
     * @param definitions the definitions the record's index refers to.
     * @return the workflow.
     */
    static Workflow readWorkflow(
        final DirectBuffer in, final int offset, final long id, final WorkflowDefinitions definitions)
    {
        int p = offset;
        final WorkflowDefinition definition = definitions.get(in.getInt(p));
        final Workflow w = new Workflow(id, definition, in.getLong(p + 4), in.getLong(p + 12));
        w.state = WorkflowState.get(in.getByte(p + 20));
        w.currentStep = in.getInt(p + 21);
        w.attempt = in.getInt(p + 25);
        w.updatedAt = in.getLong(p + 29);
        w.wakeAt = in.getLong(p + 37);
        w.terminalPosition = in.getLong(p + 45);
        w.flags = in.getInt(p + 53);
        final boolean leased = 0 != in.getByte(p + 57);
        p += WORKFLOW_FIXED;
        final int keyLength = in.getInt(p);
        if (keyLength > 0)
        {
            w.createKey = in.getStringWithoutLengthUtf8(p + 4, keyLength);
        }
        p += 4 + keyLength;
        if (leased)
        {
            w.lease = new Lease(in.getLong(p), in.getLong(p + 8), in.getInt(p + 16), in.getInt(p + 20),
                in.getLong(p + 24));
            p += LEASE_LENGTH;
        }
        for (int s = 0, steps = definition.stepCount(); s < steps; s++)
        {
            w.completedPosition(s, in.getLong(p));
            p += 8;
        }
        final int events = in.getInt(p);
        p += 4;
        w.reserveEvents(events);
        for (int e = 0; e < events; e++)
        {
            w.addEvent(in.getLong(p));
            p += 8;
        }
        return w;
    }

    /**
     * The part after the workflows: the operation keys, as their count then the entries in the order they were put
     * (create keys are in their workflows' records).
     *
     * @param out    buffer to write into, expandable or long enough.
     * @param offset where to write.
     * @return the offset after what was written.
     */
    int writeKeys(final MutableDirectBuffer out, final int offset)
    {
        final KeyLog operations = state.operationKeyLog;
        out.putInt(offset, operations.size());
        return writeKeyEntries(out, offset + 4, operations, 0, operations.size());
    }

    /**
     * Entries [from, to) of a key log (a section's count is written apart, before its first entry).
     *
     * @param out    buffer to write into, expandable or long enough.
     * @param offset where to write.
     * @param keys   the log.
     * @param from   first entry.
     * @param to     end of the entries.
     * @return the offset after what was written.
     */
    static int writeKeyEntries(
        final MutableDirectBuffer out, final int offset, final KeyLog keys, final int from, final int to)
    {
        int p = offset;
        for (int i = from; i < to; i++)
        {
            final int length = out.putStringUtf8(p, keys.key(i));
            out.putLong(p + length, keys.value(i));
            p += length + 8;
        }
        return p;
    }

    /**
     * @param payload a snapshot's payload.
     * @return true when it is a state of this format (its magic), so {@link #load} can read it.
     */
    static boolean readable(final byte[] payload)
    {
        return payload.length >= 12 && new UnsafeBuffer(payload).getLong(0) == MAGIC;
    }

    /**
     * @param payload a snapshot's payload, or null for this version's.
     * @return its format's name as its magic spells it (e.g. AXXSNAP4), or "unknown" when it has none.
     */
    static String formatOf(final byte[] payload)
    {
        final long magic = null == payload ? MAGIC : payload.length >= 8 ? new UnsafeBuffer(payload).getLong(0) : 0;
        final StringBuilder name = new StringBuilder(8);
        for (int i = 0; i < 8; i++)
        {
            final char c = (char)((magic >>> (8 * i)) & 0xFF);
            if (c < 0x21 || c > 0x7E)
            {
                return "unknown";
            }
            name.append(c);
        }
        return name.toString();
    }

    /**
     * Replace the (empty) state with a snapshot's; the log after the snapshot's position is replayed next.
     *
     * @param in     holding the snapshot.
     * @param length of the snapshot.
     * @throws IllegalStateException when the bytes are not a snapshot of this format or the state is not empty.
     */
    void load(final DirectBuffer in, final int length)
    {
        if (!state.workflows.isEmpty() || length < 12 || in.getLong(0) != MAGIC)
        {
            throw new IllegalStateException("not a state snapshot of this version, or state already loaded");
        }
        int p = 8;
        final int definitionCount = in.getInt(p);
        p += 4;
        final ExpandableArrayBuffer scratch = new ExpandableArrayBuffer(1024);
        final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
        final WorkflowCreatedEncoder encoder = new WorkflowCreatedEncoder();
        final WorkflowCreatedDecoder decoder = new WorkflowCreatedDecoder();
        final int stepsOffset = MessageHeaderEncoder.ENCODED_LENGTH + WorkflowCreatedEncoder.BLOCK_LENGTH;
        for (int i = 0; i < definitionCount; i++)
        {
            final int encodingLength = in.getInt(p);
            // Rebuild a WorkflowCreated message around the steps bytes so the one decoding path is used.
            encoder.wrapAndApplyHeader(scratch, 0, headerEncoder).workflowId(0);
            scratch.putBytes(stepsOffset, in, p + 4, encodingLength);
            scratch.putInt(stepsOffset + encodingLength, 0);
            scratch.putInt(stepsOffset + encodingLength + 4, 0);
            scratch.putInt(stepsOffset + encodingLength + 8, 0);
            decoder.wrap(scratch, MessageHeaderEncoder.ENCODED_LENGTH, WorkflowCreatedEncoder.BLOCK_LENGTH,
                MessageHeaderEncoder.SCHEMA_VERSION);
            state.definitions.add(scratch, stepsOffset, encodingLength, decoder);
            p += 4 + encodingLength;
        }
        final int queueCount = in.getInt(p);
        p += 4;
        for (int i = 0; i < queueCount; i++)
        {
            final int nameLength = in.getInt(p);
            state.taskQueues.queue(in.getStringWithoutLengthUtf8(p + 4, nameLength)).used = true;
            p += 4 + nameLength;
        }
        final int workflowCount = in.getInt(p);
        p += 4;
        for (int i = 0; i < workflowCount; i++)
        {
            if (in.getInt(p) == RETIRED)
            {
                final int run = in.getInt(p + 4);
                if (run < 1 || run > workflowCount - i)
                {
                    throw new IllegalStateException("snapshot has a run of " + run + " retired workflows at " +
                        "workflow " + (i + 1) + " of " + workflowCount);
                }
                for (int h = 0; h < run; h++)
                {
                    state.workflows.addHole();
                }
                i += run - 1;
                p += HOLES_LENGTH;
                continue;
            }
            final Workflow w = readWorkflow(in, p, i + 1, state.definitions);
            final WorkflowDefinition definition = w.definition;
            p += workflowLength(w);
            final long wakeAt = w.wakeAt;
            w.wakeAt = 0;
            final Lease lease = w.lease;
            w.lease = null;
            state.workflows.add(w);
            if (null != w.createKey)
            {
                state.putCreateKey(w.createKey, w);
            }
            state.states.add(i, w.state);
            state.created(w.createdAt);
            if (w.isTerminal())
            {
                if (state.retiring)
                {
                    state.ended.offerLong(w.id); // id order: each leaves no earlier than its window allows
                }
            }
            else
            {
                state.steps.enter(i, definition.stepNames[w.currentStep]);
                if (wakeAt != 0)
                {
                    state.timers.schedule(w, wakeAt);
                }
                if (null != lease)
                {
                    w.lease = lease;
                    state.leases++;
                    state.taskQueues.queue(definition.stepNames[lease.stepIndex]).leased++;
                    // a fresh lease period is given after recovery (Processor); the attempt's deadline is the log's
                    lease.expiresAt = lease.attemptDeadline;
                    state.timers.arm(w, lease);
                }
                else if (w.state == WorkflowState.RUNNING && definition.stepTypes[w.currentStep] == StepType.TASK &&
                    !w.isCompleted(w.currentStep) && !w.attemptFailed())
                {
                    state.taskQueues.enqueue(w, w.updatedAt);
                }
            }
        }
        p = readOperationKeys(in, p);
        if (p != length)
        {
            throw new IllegalStateException("snapshot has " + (length - p) + " bytes left over after decoding");
        }
        state.nextWorkflowId = workflowCount + 1;
    }

    private int readOperationKeys(final DirectBuffer in, final int offset)
    {
        int p = offset;
        final int count = in.getInt(p);
        p += 4;
        for (int i = 0; i < count; i++)
        {
            final int keyLength = in.getInt(p);
            final String key = in.getStringWithoutLengthUtf8(p + 4, keyLength);
            p += 4 + keyLength;
            state.putOperationKey(key, in.getLong(p));
            p += 8;
        }
        return p;
    }
}
