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

/**
 * The {@link EngineState} as snapshot bytes, and back. Stored: the definitions, the workflows (with their step and
 * event positions) and both idempotency key maps. Derived on load: the state index, the task queues and the timers.
 * <p>
 * Layout (native order, as Agrona buffers write it): magic "AXXSNAP3", then definitions (count; per definition its
 * steps-group bytes), task queue names (count; names, so that queue order survives), workflows (count; per workflow
 * a fixed 58-byte record with its flags and whether a lease follows, the lease (token, worker, step, attempt,
 * attempt deadline), its step completion positions, its event positions), create keys and operation keys (count;
 * per key its UTF-8 text and a long, in the order they were put). A lease's expiry is not stored: after a restart
 * every lease in flight gets a fresh lease period.
 * <p>
 * What a snapshot holds, and how it is captured at one position while the processor goes on
 * ({@link SnapshotCapture}): definitions and task queue names are small and encoded at the mark; the workflows are
 * encoded a slice at a time, with a copy-on-write pre-image of each one changed before its slice; the key maps are
 * encoded a slice at a time from their {@link KeyLog}s, whose entries before the mark never change. Not stored, so
 * nothing to capture: the state index, name and step indexes, task queues and timers (derived on load), the
 * dealer's workers and credits and the leases' expiries (soft state), the completion and fencing ledgers (the
 * verifier's own, built from the log).
 */
final class SnapshotCodec
{
    private static final long MAGIC = 0x3350414E53585841L; // "AXXSNAP3"
    private static final int WORKFLOW_FIXED = 58;
    private static final int LEASE_LENGTH = 8 + 8 + 4 + 4 + 8;

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
        for (int i = 0, size = state.workflows.size(); i < size; i++)
        {
            length += workflowLength(state.workflows.get(i));
        }
        length += keysLength(state.createKeyLog) + keysLength(state.operationKeyLog);
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
        return WORKFLOW_FIXED + (null == w.lease ? 0 : LEASE_LENGTH) + 8 * w.definition.stepCount() + 4 +
            8 * w.eventCount();
    }

    /**
     * @param out buffer to write into from offset 0, at least {@link #length()} bytes.
     * @return bytes written.
     */
    int write(final MutableDirectBuffer out)
    {
        int p = writeHead(out, 0, state.workflows.size());
        for (int i = 0, size = state.workflows.size(); i < size; i++)
        {
            p = writeWorkflow(out, p, state.workflows.get(i));
        }
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
     * The part after the workflows: both idempotency key maps, each as its count then its entries in the order they
     * were put.
     *
     * @param out    buffer to write into, expandable or long enough.
     * @param offset where to write.
     * @return the offset after what was written.
     */
    int writeKeys(final MutableDirectBuffer out, final int offset)
    {
        final KeyLog creates = state.createKeyLog;
        out.putInt(offset, creates.size());
        final int p = writeKeyEntries(out, offset + 4, creates, 0, creates.size());
        final KeyLog operations = state.operationKeyLog;
        out.putInt(p, operations.size());
        return writeKeyEntries(out, p + 4, operations, 0, operations.size());
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
            final WorkflowDefinition definition = state.definitions.get(in.getInt(p));
            final Workflow w = new Workflow(i + 1, definition, in.getLong(p + 4), in.getLong(p + 12));
            w.state = WorkflowState.get(in.getByte(p + 20));
            w.currentStep = in.getInt(p + 21);
            w.attempt = in.getInt(p + 25);
            w.updatedAt = in.getLong(p + 29);
            final long wakeAt = in.getLong(p + 37);
            w.terminalPosition = in.getLong(p + 45);
            w.flags = in.getInt(p + 53);
            final boolean leased = 0 != in.getByte(p + 57);
            p += WORKFLOW_FIXED;
            Lease lease = null;
            if (leased)
            {
                lease = new Lease(in.getLong(p), in.getLong(p + 8), in.getInt(p + 16), in.getInt(p + 20),
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
            state.workflows.add(w);
            state.states.add(i, w.state);
            state.created(w.createdAt);
            if (!w.isTerminal())
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
        p = readKeys(in, p, true);
        p = readKeys(in, p, false);
        if (p != length)
        {
            throw new IllegalStateException("snapshot has " + (length - p) + " bytes left over after decoding");
        }
        state.nextWorkflowId = workflowCount + 1;
    }

    private int readKeys(final DirectBuffer in, final int offset, final boolean creates)
    {
        int p = offset;
        final int count = in.getInt(p);
        p += 4;
        for (int i = 0; i < count; i++)
        {
            final int keyLength = in.getInt(p);
            final String key = in.getStringWithoutLengthUtf8(p + 4, keyLength);
            p += 4 + keyLength;
            if (creates)
            {
                state.putCreateKey(key, in.getLong(p));
            }
            else
            {
                state.putOperationKey(key, in.getLong(p));
            }
            p += 8;
        }
        return p;
    }
}
