package io.axiom.core;

import java.nio.ByteOrder;

import io.axiom.codecs.AdvanceWorkflowDecoder;
import io.axiom.codecs.CancelWorkflowDecoder;
import io.axiom.codecs.CreateWorkflowDecoder;
import io.axiom.codecs.GetConsistentPointDecoder;
import io.axiom.codecs.GetTaskQueuesDecoder;
import io.axiom.codecs.GetWorkflowDecoder;
import io.axiom.codecs.GetWorkflowEventsDecoder;
import io.axiom.codecs.ListWorkflowsDecoder;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.ReplayWorkflowDecoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.TakeSnapshotDecoder;
import io.axiom.codecs.WorkflowState;
import io.axiom.journal.Journal;
import io.axiom.journal.RecordHandler;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;

/**
 * Axiom's workflow logic behind one small face: {@link #onCommand} for what arrives on the ring, {@link #onRecord}
 * for replay, {@link #pollTimers} for time. It owns no thread, reads no clock (time arrives as an argument) and does
 * no I/O except through the {@link Journal}, so the single-threaded processor here or a replicated service later can
 * host it.
 * <p>
 * Inside, one idea a class: the {@link EngineState} and the {@link Applier}, the only code that changes it (live and
 * in replay); the deciders, one per command ({@link CreateDecider}, {@link AdvanceDecider}, {@link CancelDecider},
 * {@link TimerDecider}), which validate and emit events through the {@link EventWriter} and {@link StepFlow}; the
 * {@link Queries} and {@link WorkflowViews}, which read; the {@link SnapshotCodec}; the {@link Timers}.
 * <p>
 * <b>Failure containment.</b> A command that fails before writing an event changed nothing: it is answered with a
 * problem and the processor goes on (a read that fails or runs out of memory included). A command that fails after
 * writing part of its events cannot be undone in memory, so the failure is fatal: the processor stops, and the
 * unfinished command never becomes durable (its unit in the journal has no commit mark).
 */
final class WorkflowStateMachine implements RecordHandler
{
    static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;

    private final EngineState state;
    private final Applier applier;
    private final EventWriter events;
    private final ReplyArena arena;
    private final Replies replies;
    private final WorkflowViews views;
    private final CreateDecider create;
    private final AdvanceDecider advance;
    private final CancelDecider cancel;
    private final TimerDecider timers;
    private final WorkerDecider workers;
    private final Dealer dealer;
    private final Queries queries;
    private final StepFlow flow;
    private final SnapshotCodec snapshots;
    private static final System.Logger LOG = System.getLogger(WorkflowStateMachine.class.getName());

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final long inMemoryRetentionMs;
    private final boolean hosted;
    private Journal journal;
    private SnapshotRequests snapshotRequests;
    private RouteResolver routeResolver;
    private long readFailures;
    /** The oldest workflow on the heap (index): where {@link #oldestReferencedPosition} looks from next time. */
    private int oldestLiveIndex;

    WorkflowStateMachine(final EngineContext ctx, final ReplyArena arena, final long startTimeMs)
    {
        this.arena = arena;
        this.state = new EngineState(startTimeMs);
        this.applier = new Applier(state);
        this.events = new EventWriter(applier);
        this.views = new WorkflowViews(ctx.maxReplyBytes());
        this.replies = new Replies(arena, views);
        final StepFlow flow = new StepFlow(events);
        this.flow = flow;
        this.create = new CreateDecider(ctx, state, events, flow, replies);
        this.advance = new AdvanceDecider(ctx, state, events, flow, replies);
        this.cancel = new CancelDecider(ctx, state, events, replies);
        this.timers = new TimerDecider(state, events, flow);
        this.dealer = new Dealer(ctx, state, events, arena);
        this.workers = new WorkerDecider(ctx, state, events, flow, dealer, replies);
        this.queries = new Queries(ctx, state, replies);
        this.snapshots = new SnapshotCodec(state, dealer);
        this.inMemoryRetentionMs = ctx.inMemoryRetentionMs();
        this.hosted = null != ctx.hostedLog();
    }

    /**
     * The processor's state keeps retired workflows here; ended workflows leave the heap once retention.in-memory
     * has passed, when it is not {@link EngineContext#RETENTION_OFF} (with it off, workflows retired by an earlier
     * run stay readable from the store).
     *
     * @param cold the data directory's cold store.
     */
    void coldStore(final ColdStore cold)
    {
        state.cold = cold;
        state.retiring = inMemoryRetentionMs != EngineContext.RETENTION_OFF;
    }

    /**
     * @param journal to append to and read from; replay must go through {@link #onRecord} before commands arrive.
     */
    void journal(final Journal journal)
    {
        this.journal = journal;
        events.journal(journal);
        views.journal(journal);
        queries.journal(journal);
    }

    /**
     * @return positions of the events written since the last {@link LongArrayList#clear()}; the processor drains it
     * after each group commit to feed released events to readers.
     */
    LongArrayList appended()
    {
        return events.appended();
    }

    // ------------------------------------------------------------------------------------------------ commands

    /**
     * Handle one command from the ring.
     *
     * @param buffer  holding the command, message header included.
     * @param offset  of the command.
     * @param length  of the command.
     * @param nowMs   the time, read once for this command and stamped into its events.
     * @param sink    where the reply goes, or null when nobody waits for one.
     * @param replyTo the producer's token for the sink.
     */
    void onCommand(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long nowMs,
        final ReplySink sink,
        final Object replyTo)
    {
        onCommand(buffer, offset, length, nowMs, sink, replyTo, 0);
    }

    /**
     * Handle one command, from a connection with a route key: a worker that says hello on it gets a session a snapshot
     * holds and {@link #routeResolver(RouteResolver)} gives back on load.
     *
     * @param buffer   holding the command, message header included.
     * @param offset   of the command.
     * @param length   of the command.
     * @param nowMs    the time, read once for this command and stamped into its events.
     * @param sink     where the reply goes, or null when nobody waits for one.
     * @param replyTo  the producer's token for the sink.
     * @param routeKey a cluster-wide key of the connection, 0 when it is not routable.
     */
    void onCommand(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long nowMs,
        final ReplySink sink,
        final Object replyTo,
        final long routeKey)
    {
        events.now(nowMs);
        dealer.commandRouteKey(routeKey);
        if (length < HEADER_LENGTH + 8)
        {
            replies.problem(sink, replyTo, 0, ReplyStatus.INVALID, "MALFORMED",
                "command of " + length + " bytes is too short");
            return;
        }
        headerDecoder.wrap(buffer, offset);
        final long correlationId = buffer.getLong(offset + HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN);
        if (headerDecoder.schemaId() == io.axiom.wire.MessageHeaderDecoder.SCHEMA_ID)
        {
            worker(buffer, offset, length, sink, replyTo);
            return;
        }
        if (headerDecoder.schemaId() != SCHEMA_ID)
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "command has schema id " + headerDecoder.schemaId() + ", expected " + SCHEMA_ID);
            return;
        }
        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int body = offset + HEADER_LENGTH;
        final int end = offset + length;
        switch (templateId)
        {
            case CreateWorkflowDecoder.TEMPLATE_ID, AdvanceWorkflowDecoder.TEMPLATE_ID,
                CancelWorkflowDecoder.TEMPLATE_ID ->
                write(buffer, offset, length, templateId, blockLength, version, correlationId, sink, replyTo);
            case GetWorkflowDecoder.TEMPLATE_ID, ListWorkflowsDecoder.TEMPLATE_ID,
                GetWorkflowEventsDecoder.TEMPLATE_ID, ReplayWorkflowDecoder.TEMPLATE_ID,
                GetTaskQueuesDecoder.TEMPLATE_ID, GetConsistentPointDecoder.TEMPLATE_ID ->
                read(buffer, body, templateId, blockLength, version, correlationId, sink, replyTo);
            case TakeSnapshotDecoder.TEMPLATE_ID -> takeSnapshot(correlationId, sink, replyTo);
            default -> replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "unknown command template " + templateId + " (of " + length + " bytes, ending at " + end + ")");
        }
    }

    /**
     * @param buffer holding a command, message header included.
     * @param offset of the command.
     * @param length of the command.
     * @return true when the command may write events (a create, advance or cancel, or any frame of the worker
     * protocol): hosted on a replicated log, such a command must reach the processor through the log.
     */
    static boolean changesState(final DirectBuffer buffer, final int offset, final int length)
    {
        if (length < HEADER_LENGTH)
        {
            return false;
        }
        final int schemaId = buffer.getShort(offset + 4, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        if (schemaId == io.axiom.wire.MessageHeaderDecoder.SCHEMA_ID)
        {
            return true;
        }
        final int templateId = buffer.getShort(offset + 2, ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
        return schemaId == SCHEMA_ID && (templateId == CreateWorkflowDecoder.TEMPLATE_ID ||
            templateId == AdvanceWorkflowDecoder.TEMPLATE_ID || templateId == CancelWorkflowDecoder.TEMPLATE_ID);
    }

    /**
     * Hosted on a replicated log, a write that came from this machine rather than through the log: refused, nothing
     * written (a wiring fault of the host, never a client's).
     */
    void refuseUnlogged(
        final DirectBuffer buffer, final int offset, final int length, final ReplySink sink, final Object replyTo)
    {
        final long correlationId = length >= HEADER_LENGTH + 8 ?
            buffer.getLong(offset + HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN) : 0;
        replies.problem(sink, replyTo, correlationId, ReplyStatus.UNAVAILABLE, "NOT_REPLICATED",
            "this engine is hosted on a replicated log: a write must reach it through the log, not from this " +
            "machine directly");
    }

    private void write(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int templateId,
        final int blockLength,
        final int version,
        final long correlationId,
        final ReplySink sink,
        final Object replyTo)
    {
        final int written = events.appended().size();
        final int body = offset + HEADER_LENGTH;
        try
        {
            switch (templateId)
            {
                case CreateWorkflowDecoder.TEMPLATE_ID ->
                {
                    // Creation times never decrease in id order, even when the clock steps back: a creation range is
                    // then an id range (see WorkflowSearch).
                    events.now(Math.max(events.now(), state.lastCreatedAt));
                    create.onCreate(buffer, offset, length, blockLength, version, sink, replyTo);
                }
                case AdvanceWorkflowDecoder.TEMPLATE_ID ->
                    advance.onAdvance(buffer, body, offset + length, blockLength, version, sink, replyTo);
                default -> cancel.onCancel(buffer, body, offset + length, blockLength, version, sink, replyTo);
            }
        }
        catch (final RuntimeException ex)
        {
            if (events.appended().size() != written)
            {
                throw new IllegalStateException("command template " + templateId + " failed after writing " +
                    (events.appended().size() - written) + " events; the processor stops so that none of them " +
                    "is acknowledged", ex);
            }
            // Validation runs before any event is written, so a command that fails before writing changes nothing.
            arena.abort();
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "command template " + templateId + " does not decode: " + ex.getMessage());
        }
    }

    /**
     * A frame of the worker protocol: refused as malformed when it does not decode or is of a newer version; a
     * failure after an event was written is fatal, as for any write.
     */
    private void worker(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplySink sink,
        final Object replyTo)
    {
        final int version = headerDecoder.version();
        if (version > io.axiom.wire.MessageHeaderDecoder.SCHEMA_VERSION || version < 1)
        {
            workers.refuse(sink, replyTo, headerDecoder.templateId(), "worker protocol version " + version +
                " is not spoken here (this engine speaks 1.." + io.axiom.wire.MessageHeaderDecoder.SCHEMA_VERSION +
                ")");
            return;
        }
        final int written = events.appended().size();
        try
        {
            workers.onFrame(buffer, offset, length, sink, replyTo);
        }
        catch (final RuntimeException ex)
        {
            if (events.appended().size() != written)
            {
                throw new IllegalStateException("worker frame template " + headerDecoder.templateId() +
                    " failed after writing events; the processor stops so that none of them is acknowledged", ex);
            }
            arena.abort();
            workers.refuse(sink, replyTo, headerDecoder.templateId(),
                "worker frame template " + headerDecoder.templateId() + " does not decode");
        }
    }

    /**
     * A client session of the replicated log closed (hosted mode): the workers it carried leave the dealer.
     *
     * @param clientSessionId the closed session.
     * @param nowMs           the log's time.
     * @return how many workers left.
     */
    int leaveRoutesOf(final long clientSessionId, final long nowMs)
    {
        events.now(nowMs);
        return dealer.leaveRoutesOf(clientSessionId);
    }

    /**
     * Deal ready tasks to workers with spare capacity.
     *
     * @param nowMs the time, read once.
     * @return tasks dispatched.
     */
    int dispatch(final long nowMs)
    {
        events.now(nowMs);
        return dealer.dispatch(nowMs);
    }

    /**
     * After a single-node recovery: every lease in flight gets a fresh lease period from now (heartbeats were never
     * logged, and the workers could not send any while the engine was down); attempt deadlines stay as the log says.
     * A replicated host never calls this: its leases expire as the snapshot and the log say.
     *
     * @param nowMs the time.
     */
    void refreshLeases(final long nowMs)
    {
        for (int i = 0, size = state.workflows.size(); i < size; i++)
        {
            final Workflow w = state.workflows.get(i);
            if (null != w && null != w.lease)
            {
                w.lease.expiresAt = nowMs + dealer.leaseDurationMs();
                state.timers.arm(w, w.lease);
            }
        }
    }

    private void takeSnapshot(final long correlationId, final ReplySink sink, final Object replyTo)
    {
        if (null == snapshotRequests && hosted)
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.CONFLICT, "SNAPSHOTS_DISABLED",
                "this server is a member of a cluster: its snapshots are the cluster's, taken through the leader " +
                "(POST /api/v1/cluster/snapshot, bin/axiom cluster snapshot)");
            return;
        }
        if (null == snapshotRequests)
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.CONFLICT, "SNAPSHOTS_DISABLED",
                "snapshots are off (wal.snapshot-retain=0): start-up replays the whole log; set " +
                "wal.snapshot-retain to 1 or more to take snapshots");
            return;
        }
        snapshotRequests.onTake(correlationId, sink, replyTo, journal.lastSequence());
    }

    private void read(
        final DirectBuffer buffer,
        final int body,
        final int templateId,
        final int blockLength,
        final int version,
        final long correlationId,
        final ReplySink sink,
        final Object replyTo)
    {
        try
        {
            switch (templateId)
            {
                case GetWorkflowDecoder.TEMPLATE_ID -> queries.onGet(buffer, body, blockLength, version, sink, replyTo);
                case ListWorkflowsDecoder.TEMPLATE_ID ->
                    queries.onList(buffer, body, blockLength, version, sink, replyTo);
                case GetWorkflowEventsDecoder.TEMPLATE_ID ->
                    queries.onEvents(buffer, body, blockLength, version, sink, replyTo);
                case ReplayWorkflowDecoder.TEMPLATE_ID ->
                    queries.onReplay(buffer, body, blockLength, version, sink, replyTo);
                case GetConsistentPointDecoder.TEMPLATE_ID ->
                    queries.onConsistentPoint(buffer, body, blockLength, version, sink, replyTo);
                default -> queries.onTaskQueues(buffer, body, blockLength, version, sink, replyTo);
            }
        }
        catch (final IndexOutOfBoundsException ex)
        {
            arena.abort();
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "query template " + templateId + " does not decode: " + ex.getMessage());
        }
        catch (final RuntimeException | OutOfMemoryError | StackOverflowError ex)
        {
            // A read changes nothing: whatever went wrong, only this answer is lost.
            arena.abort();
            readFailures++;
            LOG.log(System.Logger.Level.WARNING, "read failure #" + readFailures + " (query template " + templateId +
                "); the engine goes on", ex);
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INTERNAL, "READ_FAILED",
                "the engine could not answer this read (read failure #" + readFailures + " in the server's log); " +
                "nothing changed and it goes on serving");
        }
    }

    // ------------------------------------------------------------------------------------------------ timers

    /**
     * Turn due timers into events.
     *
     * @param nowMs the time, read once.
     * @return timers that fired.
     */
    int pollTimers(final long nowMs)
    {
        events.now(nowMs);
        return state.timers.poll(nowMs, timers);
    }

    // ------------------------------------------------------------------------------------------------ retention

    /**
     * Retire ended workflows whose retention.in-memory has passed, oldest ended first: a WorkflowRetired event each,
     * applied like any other (their records go to the cold store and they leave the heap).
     *
     * @param nowMs the time, read once and stamped into the events.
     * @param limit workflows to retire at most.
     * @return workflows retired.
     */
    int pollRetirements(final long nowMs, final int limit)
    {
        if (!state.retiring)
        {
            return 0;
        }
        events.now(nowMs);
        final org.agrona.collections.LongArrayQueue ended = state.ended;
        int retired = 0;
        int looked = 0;
        while (retired < limit && looked < 4 * limit && !ended.isEmpty())
        {
            looked++;
            final Workflow w = state.workflow(ended.peekLong());
            if (null == w || !w.isTerminal())
            {
                ended.pollLong(); // retired already (an event replayed after the snapshot that listed it)
                continue;
            }
            if (nowMs - w.updatedAt < inMemoryRetentionMs || !events.ensureRoom(EventWriter.SMALL_EVENT_BOUND))
            {
                break;
            }
            ended.pollLong();
            events.workflowRetired(w);
            retired++;
        }
        return retired;
    }

    /**
     * Delete cold store files past retention.history (live only: the clock decides, the log does not say).
     *
     * @param nowMs the time.
     * @return files deleted.
     */
    int expireHistory(final long nowMs)
    {
        return null == state.cold ? 0 : state.cold.expire(nowMs);
    }

    long workflowsOnHeap()
    {
        return state.workflowsOnHeap();
    }

    long workflowsRetired()
    {
        return state.retired;
    }

    long coldStoreBytes()
    {
        return null == state.cold ? 0 : state.cold.bytes();
    }

    // ------------------------------------------------------------------------------------------------ replay

    /**
     * Apply one record of the log: replay at recovery.
     */
    public void onRecord(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final long sequence,
        final long timestamp)
    {
        applier.apply(buffer, offset, length, type, position, timestamp);
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    /**
     * @param writer the writer the snapshots stream to.
     * @return a capture of this state's snapshots, installed so that the applier keeps the snapshot's pre-images.
     */
    SnapshotCapture snapshotCapture(final SnapshotWriter writer)
    {
        final SnapshotCapture capture = new SnapshotCapture(state, dealer, writer);
        state.capture = capture;
        return capture;
    }

    /**
     * @param requests where operators' snapshot requests go; null while snapshots are off.
     */
    void snapshotRequests(final SnapshotRequests requests)
    {
        this.snapshotRequests = requests;
    }

    /**
     * @return the replies of this state machine's batches.
     */
    Replies replies()
    {
        return replies;
    }

    /**
     * @return workflows in the table (the count a snapshot taken now holds).
     */
    int tableSize()
    {
        return state.workflows.size();
    }

    /**
     * @return the lowest journal position a workflow in the table still reads (the created record of the oldest
     * one), {@link Long#MAX_VALUE} when the table is empty: the delete policy deletes no segment at or past it.
     */
    long oldestReferencedPosition()
    {
        // workflows leave the table (holes) and join it at the end only, so the oldest on the heap only moves up
        final WorkflowTable table = state.workflows;
        oldestLiveIndex = table.nextLive(oldestLiveIndex);
        return oldestLiveIndex >= table.size() ? Long.MAX_VALUE : table.get(oldestLiveIndex).createdPosition;
    }

    /**
     * @param resolver gives back worker connections by route key when a snapshot loads (a replicated host's); null
     *                 (single node) leaves the snapshot's workers out: they say hello again.
     */
    void routeResolver(final RouteResolver resolver)
    {
        this.routeResolver = resolver;
    }

    /**
     * Replace the (empty) state with a snapshot's, as {@link #encodeSnapshot} or a {@link SnapshotCapture} wrote it.
     *
     * @param in     holding the snapshot.
     * @param length of the snapshot.
     */
    void loadSnapshot(final DirectBuffer in, final int length)
    {
        snapshots.load(in, length, routeResolver);
        state.names.indexFromLog(state, journal);
    }

    /**
     * Encode the whole state at once, for a replicated host's snapshot: the same bytes a {@link SnapshotCapture}
     * writes for this state.
     *
     * @param out buffer to write into from offset 0: expandable (an {@link org.agrona.ExpandableArrayBuffer} or
     *            {@link org.agrona.ExpandableDirectByteBuffer}) or long enough.
     * @return bytes written.
     */
    int encodeSnapshot(final MutableDirectBuffer out)
    {
        final int length = snapshots.length();
        out.checkLimit(length);
        final int written = snapshots.write(out);
        if (written != length)
        {
            throw new IllegalStateException("snapshot wrote " + written + " bytes, expected " + length);
        }
        return written;
    }

    // ------------------------------------------------------------------------------------------------ figures

    /**
     * @return the state, for checks in this package (tests read leases and workflows from it, never change it).
     */
    EngineState state()
    {
        return state;
    }

    long digest()
    {
        return state.digest();
    }

    long workflowCount()
    {
        return state.workflowCount();
    }

    long stateCount(final WorkflowState workflowState)
    {
        return state.stateCount(workflowState);
    }

    long eventsApplied()
    {
        return state.eventsApplied;
    }

    int definitionCount()
    {
        return state.definitions.size();
    }

    long timerCount()
    {
        return state.timers.count();
    }

    /**
     * @return reads that failed (and were answered READ_FAILED) since start.
     */
    long readFailures()
    {
        return readFailures;
    }

    /**
     * @return replies dropped because there was no memory even for a problem.
     */
    long lostReplies()
    {
        return replies.lostReplies();
    }

    long tasksLeased()
    {
        return state.taskQueues.leased();
    }

    int workersConnected()
    {
        return dealer.sessionCount();
    }

    long tasksDispatched()
    {
        return dealer.dispatched();
    }

    long completionsAccepted()
    {
        return workers.completionsAccepted();
    }

    long failuresAccepted()
    {
        return workers.failuresAccepted();
    }

    long rejections(final io.axiom.wire.RejectReason reason)
    {
        return workers.rejections(reason);
    }

    long retries()
    {
        return flow.retries();
    }

    long leaseExpiries()
    {
        return timers.leaseExpiries();
    }

    long attemptTimeouts()
    {
        return timers.attemptTimeouts();
    }

    long tasksQueued()
    {
        return state.taskQueues.queued();
    }

    Journal journal()
    {
        return journal;
    }
}
