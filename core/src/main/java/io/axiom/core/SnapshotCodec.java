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
 * Layout (native order, as Agrona buffers write it): magic "AXXSNAP5", then definitions (count; per definition its
 * steps-group bytes), task queues (count; per queue its name and whether a workflow ever used it, so that queue
 * order survives, and which queues a worker leaving removes), the order sequence
 * ({@link EngineState#orderSequence}) and the latest creation time, workflows (count; per workflow a fixed 58-byte
 * record with its flags and a byte saying whether a lease ({@link #HAS_LEASE}) and an order number
 * ({@link #HAS_ORDER}) follow, its create's Idempotency-Key (UTF-8 length, 0 for none, then the bytes: the key map of
 * the workflows on the heap is derived from them), the lease (token, worker, step, attempt, attempt deadline, expiry,
 * the deadline its timer is armed at, the route key of the session it was dealt to or 0), the order number (its
 * place in the order workflows became ready or ended), its step completion positions, its event positions; a
 * workflow that left the heap for the {@link ColdStore} is in a run of such: the int {@link #RETIRED} in place of a
 * definition index, then the run's length), then the operation keys (count; per key its UTF-8 text and a long, in
 * the order they were put), then the {@link Dealer}'s section ({@link Dealer#writeSection}). A single-node restart
 * still gives every lease in flight a fresh lease period after replay; a replicated host does not, so its timers
 * fire as the snapshot's state says.
 * <p>
 * What a snapshot holds, and how it is captured at one position while the processor goes on
 * ({@link SnapshotCapture}): definitions and task queue names are small and encoded at the mark; the workflows are
 * encoded a slice at a time, with a copy-on-write pre-image of each one changed before its slice (its create key
 * with it); the operation keys are encoded a slice at a time from their {@link KeyLog}, whose entries before the
 * mark never change. Not stored, so
 * nothing to capture: the state index, name and step indexes, task queues and timers (derived on load), the
 * completion and fencing ledgers (the verifier's own, built from the log). The dealer's section is encoded at the
 * mark and written last; a lease's expiry and session, changed without an event (a heartbeat, a goodbye), are read
 * when its workflow's slice is encoded, so a snapshot captured a slice at a time may hold a later expiry than the
 * mark's (harmless: a single-node restart refreshes every lease; a replicated host encodes with
 * {@link #write} at once).
 */
final class SnapshotCodec
{
    private static final long MAGIC = 0x3550414E53585841L; // "AXXSNAP5"
    /** Where a workflow's record has its create key (length, then the UTF-8 bytes). */
    static final int WORKFLOW_FIXED = 58;
    private static final int LEASE_LENGTH = 8 + 8 + 4 + 4 + 8 + 8 + 8 + 8;
    /** Bit of a workflow record's byte 57: a lease follows the create key. */
    static final int HAS_LEASE = 1;
    /** Bit of a workflow record's byte 57: an order number follows the lease ({@link Workflow#orderSeq}). */
    static final int HAS_ORDER = 2;
    /**
     * In place of a workflow's definition index: a run of workflows that left the heap (holes in the table); the
     * run's length (int) follows.
     */
    static final int RETIRED = -1;
    static final int HOLES_LENGTH = 8;

    private final EngineState state;
    private final Dealer dealer;
    private final org.agrona.collections.LongArrayList leaseRoutes = new org.agrona.collections.LongArrayList();

    SnapshotCodec(final EngineState state)
    {
        this(state, null);
    }

    /**
     * @param state  the state.
     * @param dealer whose sessions the snapshot holds, or null for a snapshot without any.
     */
    SnapshotCodec(final EngineState state, final Dealer dealer)
    {
        this.state = state;
        this.dealer = dealer;
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
            length += 4 + utf8Length(state.taskQueues.get(i).stepName) + 1;
        }
        length += 16 + 4;
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
        length += dealerSectionLength();
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
            (null == w.lease ? 0 : LEASE_LENGTH) + (hasOrder(w) ? 8 : 0) + 8 * w.definition.stepCount() + 4 +
            8 * w.eventCount();
    }

    /**
     * @param w a workflow.
     * @return true when its order number matters (it waits in a task queue, or it ended), so its record holds it.
     */
    static boolean hasOrder(final Workflow w)
    {
        return null != w.taskQueue || w.isTerminal();
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
        return writeDealerSection(out, writeKeys(out, p));
    }

    /**
     * @return bytes {@link #writeDealerSection} writes now.
     */
    int dealerSectionLength()
    {
        return null != dealer ? dealer.sectionLength() : 4 + 4 + 4 + 8 * state.taskQueues.size();
    }

    /**
     * The dealer's section ({@link Dealer#writeSection}), or one with no sessions when this codec has no dealer.
     *
     * @param out    buffer to write into, expandable or long enough.
     * @param offset where to write.
     * @return the offset after what was written.
     */
    int writeDealerSection(final MutableDirectBuffer out, final int offset)
    {
        if (null != dealer)
        {
            return dealer.writeSection(out, offset);
        }
        int p = offset;
        out.putInt(p, 0);
        out.putInt(p + 4, 0);
        out.putInt(p + 8, state.taskQueues.size());
        p += 12;
        for (int q = 0, size = state.taskQueues.size(); q < size; q++)
        {
            out.putInt(p, state.taskQueues.get(q).nextWorker);
            out.putInt(p + 4, 0);
            p += 8;
        }
        return p;
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
            final TaskQueues.Queue queue = state.taskQueues.get(i);
            p += out.putStringUtf8(p, queue.stepName);
            out.putByte(p++, (byte)(queue.used ? 1 : 0));
        }
        out.putLong(p, state.orderSequence);
        out.putLong(p + 8, state.lastCreatedAt);
        p += 16;
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
        final boolean hasOrder = hasOrder(w);
        out.putByte(p + 57, (byte)((null == lease ? 0 : HAS_LEASE) | (hasOrder ? HAS_ORDER : 0)));
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
            out.putLong(p + 32, lease.expiresAt);
            out.putLong(p + 40, lease.timerDeadline);
            final Dealer.Session session = lease.session;
            out.putLong(p + 48, null == session || session.gone ? 0 : session.routeKey);
            p += LEASE_LENGTH;
        }
        if (hasOrder)
        {
            out.putLong(p, w.orderSeq);
            p += 8;
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
     * {@link Workflow#lease} (its expiry and armed deadline set, its session's route key on {@link Lease#timerId}
     * until the load links it) and its timer's deadline on {@link Workflow#wakeAt}, neither of them armed; it takes
     * {@link #workflowLength(Workflow)} bytes when the workflow's task queue is set as its record says (see
     * {@link #recordLength}).
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
        final int has = in.getByte(p + 57);
        final boolean leased = 0 != (has & HAS_LEASE);
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
            w.lease.expiresAt = in.getLong(p + 32);
            w.lease.timerDeadline = in.getLong(p + 40);
            w.lease.timerId = in.getLong(p + 48);
            p += LEASE_LENGTH;
        }
        if (0 != (has & HAS_ORDER))
        {
            w.orderSeq = in.getLong(p);
            p += 8;
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
     * @param in     holding a workflow's record.
     * @param offset of the record.
     * @param w      the workflow {@link #readWorkflow} read from it.
     * @return the record's length.
     */
    static int recordLength(final DirectBuffer in, final int offset, final Workflow w)
    {
        final int has = in.getByte(offset + 57);
        return WORKFLOW_FIXED + 4 + in.getInt(offset + WORKFLOW_FIXED) + (0 != (has & HAS_LEASE) ? LEASE_LENGTH : 0) +
            (0 != (has & HAS_ORDER) ? 8 : 0) + 8 * w.definition.stepCount() + 4 + 8 * w.eventCount();
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
     * @param in       holding the snapshot.
     * @param length   of the snapshot.
     * @param resolver the host's, to recreate the dealer's sessions by route key; null to leave them out.
     * @throws IllegalStateException when the bytes are not a snapshot of this format or the state is not empty.
     */
    void load(final DirectBuffer in, final int length, final RouteResolver resolver)
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
            state.taskQueues.queue(in.getStringWithoutLengthUtf8(p + 4, nameLength)).used = 0 != in.getByte(p + 4 +
                nameLength);
            p += 4 + nameLength + 1;
        }
        final long orderSequence = in.getLong(p);
        final long lastCreatedAt = in.getLong(p + 8);
        p += 16;
        final int workflowCount = in.getInt(p);
        p += 4;
        final org.agrona.collections.LongArrayList ready = new org.agrona.collections.LongArrayList();
        final org.agrona.collections.LongArrayList ended = new org.agrona.collections.LongArrayList();
        leaseRoutes.clear();
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
            p += recordLength(in, p, w);
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
                    ended.addLong(w.orderSeq);
                    ended.addLong(w.id);
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
                    // the expiry and timer as they were (a single-node start gives a fresh lease period after replay)
                    final long routeKey = lease.timerId;
                    lease.timerId = Workflow.NO_TIMER;
                    state.timers.armAt(w, lease, lease.timerDeadline);
                    if (0 != routeKey)
                    {
                        leaseRoutes.addLong(w.id);
                        leaseRoutes.addLong(routeKey);
                    }
                }
                else if (w.state == WorkflowState.RUNNING && definition.stepTypes[w.currentStep] == StepType.TASK &&
                    !w.isCompleted(w.currentStep) && !w.attemptFailed())
                {
                    ready.addLong(w.orderSeq);
                    ready.addLong(w.id);
                }
            }
        }
        // ready and ended in the order they became so, as the snapshot's state had them
        sortPairs(ready);
        for (int i = 0, size = ready.size(); i < size; i += 2)
        {
            final Workflow w = state.workflow(ready.getLong(i + 1));
            state.taskQueues.enqueue(w, w.updatedAt, ready.getLong(i));
        }
        sortPairs(ended);
        for (int i = 0, size = ended.size(); i < size; i += 2)
        {
            state.ended.offerLong(ended.getLong(i + 1));
        }
        state.orderSequence = orderSequence;
        state.lastCreatedAt = Math.max(state.lastCreatedAt, lastCreatedAt);
        p = readOperationKeys(in, p);
        p = null == dealer ? skipDealerSection(in, p) : dealer.readSection(in, p, resolver);
        if (null != dealer && null != resolver)
        {
            for (int i = 0, size = leaseRoutes.size(); i < size; i += 2)
            {
                final Workflow w = state.workflow(leaseRoutes.getLong(i));
                w.lease.session = dealer.sessionByRoute(leaseRoutes.getLong(i + 1));
            }
        }
        leaseRoutes.clear();
        if (p != length)
        {
            throw new IllegalStateException("snapshot has " + (length - p) + " bytes left over after decoding");
        }
        state.nextWorkflowId = workflowCount + 1;
    }

    private static void sortPairs(final org.agrona.collections.LongArrayList pairs)
    {
        final int n = pairs.size() / 2;
        final long[][] rows = new long[n][];
        for (int i = 0; i < n; i++)
        {
            rows[i] = new long[]{pairs.getLong(2 * i), pairs.getLong(2 * i + 1)};
        }
        java.util.Arrays.sort(rows, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
        for (int i = 0; i < n; i++)
        {
            pairs.setLong(2 * i, rows[i][0]);
            pairs.setLong(2 * i + 1, rows[i][1]);
        }
    }

    private static int skipDealerSection(final DirectBuffer in, final int offset)
    {
        int p = offset + 4;
        final int sessions = in.getInt(p);
        p += 4;
        for (int i = 0; i < sessions; i++)
        {
            p += 28 + 4 * in.getInt(p + 24);
        }
        final int queues = in.getInt(p);
        p += 4;
        for (int q = 0; q < queues; q++)
        {
            p += 8 + 8 * in.getInt(p + 4);
        }
        return p;
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
