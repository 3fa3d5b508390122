package io.axiom.core;

import io.axiom.codecs.ConsistentPointEncoder;
import io.axiom.codecs.EventListHeaderEncoder;
import io.axiom.codecs.GetConsistentPointDecoder;
import io.axiom.codecs.GetTaskQueuesDecoder;
import io.axiom.codecs.GetWorkflowDecoder;
import io.axiom.codecs.GetWorkflowEventsDecoder;
import io.axiom.codecs.ListWorkflowsDecoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.ReplayWorkflowDecoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.TaskQueuesEncoder;
import io.axiom.codecs.WorkflowListHeaderEncoder;
import io.axiom.codecs.WorkflowReplayHeaderEncoder;
import io.axiom.journal.Journal;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;

/**
 * The reads: get, list, events, replay, task queues and the consistent point of a live verify, answered by the
 * processor between writes, so each answer is consistent with every write acknowledged before it. They never change
 * state.
 * <p>
 * <b>Bounded.</b> Every answer is cut to the reply budget ({@code EngineContext.maxReplyBytes}) as well as to its
 * count, and says where the next page starts (a list's {@code nextOffset}, an event page's {@code nextAfter}
 * position). A list's filters are answered from the indexes by the {@link WorkflowSearch}, never by scanning every
 * workflow, and within its work budget (a total past it is a lower bound; a page that finds nothing within it is
 * refused, SEARCH_TOO_DEEP). A read that
 * still cannot be answered (the arena's bound for the batch is reached, or it fails) is refused on its own; the
 * processor goes on.
 */
final class Queries
{
    static final int MAX_PAGE = 1000;
    private static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final long NONE = -1;

    private final EngineContext ctx;
    private final EngineState state;
    private final Replies replies;
    private final WorkflowViews views;
    private final ReplyArena arena;
    private final int budget;
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final GetWorkflowDecoder getDecoder = new GetWorkflowDecoder();
    private final ListWorkflowsDecoder listDecoder = new ListWorkflowsDecoder();
    private final WorkflowSearch search;
    private final GetWorkflowEventsDecoder eventsDecoder = new GetWorkflowEventsDecoder();
    private final ReplayWorkflowDecoder replayDecoder = new ReplayWorkflowDecoder();
    private final GetTaskQueuesDecoder taskQueuesDecoder = new GetTaskQueuesDecoder();
    private final GetConsistentPointDecoder consistentPointDecoder = new GetConsistentPointDecoder();
    private final ConsistentPointEncoder consistentPointEncoder = new ConsistentPointEncoder();
    private final WorkflowListHeaderEncoder listHeaderEncoder = new WorkflowListHeaderEncoder();
    private final EventListHeaderEncoder eventListHeaderEncoder = new EventListHeaderEncoder();
    private final WorkflowReplayHeaderEncoder replayHeaderEncoder = new WorkflowReplayHeaderEncoder();
    private final TaskQueuesEncoder taskQueuesEncoder = new TaskQueuesEncoder();
    private final WorkflowViews.RecordRef record = new WorkflowViews.RecordRef();
    private Journal journal;

    Queries(final EngineContext ctx, final EngineState state, final Replies replies)
    {
        this.ctx = ctx;
        this.state = state;
        this.replies = replies;
        this.views = replies.views();
        this.arena = replies.arena();
        this.budget = ctx.maxReplyBytes();
        this.search = new WorkflowSearch(state, ctx.searchBudget());
    }

    void journal(final Journal journal)
    {
        this.journal = journal;
    }

    void onGet(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final GetWorkflowDecoder d = getDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final Workflow workflow = state.workflowOrRetired(d.workflowId());
        if (null == workflow)
        {
            replies.notFound(sink, replyTo, d.correlationId(), d.workflowId(), state);
            return;
        }
        replies.view(sink, replyTo, d.correlationId(), ReplyStatus.OK, workflow);
    }

    void onList(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final ListWorkflowsDecoder d = listDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long correlationId = d.correlationId();
        final int skip = d.skip();
        final int maxCount = d.maxCount();
        if (skip < 0 || maxCount < 0 || maxCount > MAX_PAGE || !search.prepare(d, version))
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INVALID_QUERY",
                WorkflowSearch.INVALID);
            return;
        }
        if (null == sink)
        {
            return;
        }

        if (WorkflowSearch.TOO_DEEP == search.run(skip, maxCount))
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "SEARCH_TOO_DEEP",
                WorkflowSearch.TOO_DEEP_DETAIL);
            return;
        }
        final long total = search.total();
        final boolean totalExact = search.totalExact();
        final int headerOffset = arena.begin(sink, replyTo);
        int limit = headerOffset + HEADER_LENGTH + WorkflowListHeaderEncoder.BLOCK_LENGTH;
        if (!arena.fits(headerOffset, limit - headerOffset))
        {
            overloaded(sink, replyTo, correlationId);
            return;
        }
        int count = 0;
        for (int found = search.pageCount(); count < found; count++)
        {
            final Workflow workflow = state.workflows.get(search.pageIndex(count));
            final boolean withOutputs = views.fitsWithOutputs(workflow);
            final long length = views.length(workflow, withOutputs);
            if (count > 0 && limit - headerOffset + length > budget)
            {
                break;
            }
            if (!arena.fits(limit, length))
            {
                overloaded(sink, replyTo, correlationId);
                return;
            }
            limit += views.encode(arena.buffer(), limit, correlationId, ReplyStatus.OK, workflow, withOutputs);
        }
        final long nextOffset = (long)skip + count < total || !totalExact ? (long)skip + count : NONE;
        listHeaderEncoder.wrapAndApplyHeader(arena.buffer(), headerOffset, headerEncoder)
            .correlationId(correlationId)
            .total(total)
            .count(count)
            .nextOffset(nextOffset)
            .totalExact(totalExact ? (short)1 : (short)0);
        arena.commit(limit - headerOffset);
    }

    void onEvents(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final GetWorkflowEventsDecoder d = eventsDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long correlationId = d.correlationId();
        final long workflowId = d.workflowId();
        final Workflow workflow = state.workflowOrRetired(workflowId);
        if (null == workflow)
        {
            replies.notFound(sink, replyTo, correlationId, workflowId, state);
            return;
        }
        final int fromIndex = d.fromIndex();
        final int maxCount = d.maxCount();
        final long afterPosition = version >= 2 ? d.afterPosition() : NONE;
        if (fromIndex < 0 || maxCount < 0 || afterPosition < NONE)
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INVALID_QUERY",
                "from index, limit and after position must be >= 0");
            return;
        }
        if (null == sink)
        {
            return;
        }

        final int total = workflow.eventCount();
        final int start = afterPosition == NONE ? Math.min(fromIndex, total) : firstAfter(workflow, afterPosition);
        final String[] stepNames = workflow.definition.stepNames;
        long headerLength = HEADER_LENGTH + EventListHeaderEncoder.BLOCK_LENGTH +
            EventListHeaderEncoder.StepNamesEncoder.HEADER_SIZE;
        for (final String name : stepNames)
        {
            headerLength += EventListHeaderEncoder.StepNamesEncoder.nameHeaderLength() + name.length() * 3L;
        }
        final int headerOffset = arena.begin(sink, replyTo);
        if (!arena.fits(headerOffset, headerLength))
        {
            overloaded(sink, replyTo, correlationId);
            return;
        }
        final EventListHeaderEncoder header = eventListHeaderEncoder
            .wrapAndApplyHeader(arena.buffer(), headerOffset, headerEncoder)
            .correlationId(correlationId)
            .workflowId(workflowId)
            .total(total)
            .count(0)
            .nextAfter(NONE);
        final EventListHeaderEncoder.StepNamesEncoder names = header.stepNamesCount(stepNames.length);
        for (final String name : stepNames)
        {
            names.next().name(name);
        }
        int limit = headerOffset + HEADER_LENGTH + header.encodedLength();
        int count = 0;
        int i = start;
        for (; i < total && count < maxCount; i++)
        {
            read(workflow.eventPosition(i));
            final int length = EventFrames.FRAME_HEADER_LENGTH + record.length;
            if (count > 0 && limit - headerOffset + length > budget)
            {
                break;
            }
            if (!arena.fits(limit, length))
            {
                overloaded(sink, replyTo, correlationId);
                return;
            }
            limit = EventFrames.write(arena.buffer(), limit, record.buffer, record.offset, record.length, record.type,
                record.version, record.position, record.sequence, record.timestamp);
            count++;
        }
        eventListHeaderEncoder.wrap(arena.buffer(), headerOffset + HEADER_LENGTH)
            .count(count)
            .nextAfter(i < total && count > 0 ? workflow.eventPosition(i - 1) : NONE);
        arena.commit(limit - headerOffset);
    }

    /**
     * @return index of the workflow's first event after the position (its positions grow with the index).
     */
    private static int firstAfter(final Workflow workflow, final long position)
    {
        int low = 0;
        int high = workflow.eventCount();
        while (low < high)
        {
            final int mid = (low + high) >>> 1;
            if (workflow.eventPosition(mid) <= position)
            {
                low = mid + 1;
            }
            else
            {
                high = mid;
            }
        }
        return low;
    }

    void onReplay(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final ReplayWorkflowDecoder d = replayDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long correlationId = d.correlationId();
        final long workflowId = d.workflowId();
        final Workflow live = state.workflowOrRetired(workflowId);
        if (null == live)
        {
            replies.notFound(sink, replyTo, correlationId, workflowId, state);
            return;
        }
        if (null == sink)
        {
            return;
        }

        // A fresh state sees only this workflow's records, through the same applier as recovery; the live state is
        // not consulted until the end, to compare.
        final EngineState scratch = new EngineState(0);
        scratch.idBase = EngineState.REPLAY_ANY_ID;
        final Applier applier = new Applier(scratch);
        final int headerOffset = arena.begin(sink, replyTo);
        final int count = live.eventCount();
        int limit = headerOffset + HEADER_LENGTH + WorkflowReplayHeaderEncoder.BLOCK_LENGTH;
        int rebuiltOffset = 0;
        int rebuiltLength = 0;
        for (int i = 0; i < count; i++)
        {
            read(live.eventPosition(i));
            applier.apply(record.buffer, record.offset, record.length, record.type, record.position, record.timestamp);
            final Workflow rebuilt = scratch.workflow(workflowId);
            final long viewLength = views.length(rebuilt, true);
            final long length = EventFrames.FRAME_HEADER_LENGTH + record.length + viewLength;
            if (limit - headerOffset + length > budget || !arena.fits(limit, length))
            {
                tooLarge(sink, replyTo, correlationId, workflowId, count);
                return;
            }
            read(live.eventPosition(i));
            limit = EventFrames.write(arena.buffer(), limit, record.buffer, record.offset, record.length, record.type,
                record.version, record.position, record.sequence, record.timestamp);
            rebuiltOffset = limit;
            rebuiltLength = views.encode(arena.buffer(), limit, correlationId, ReplyStatus.OK, rebuilt, true);
            limit += rebuiltLength;
        }
        final long liveLength = views.length(live, true);
        if (limit - headerOffset + liveLength > budget || !arena.fits(limit, liveLength))
        {
            tooLarge(sink, replyTo, correlationId, workflowId, count);
            return;
        }
        final int liveOffset = limit;
        final MutableDirectBuffer out = arena.buffer();
        limit += views.encode(out, limit, correlationId, ReplyStatus.OK, live, true);
        final boolean matches = limit - liveOffset == rebuiltLength &&
            Deciders.equalBytes(out, liveOffset, out, rebuiltOffset, rebuiltLength);
        replayHeaderEncoder.wrapAndApplyHeader(out, headerOffset, headerEncoder)
            .correlationId(correlationId)
            .workflowId(workflowId)
            .count(count)
            .matchesLive((short)(matches ? 1 : 0));
        arena.commit(limit - headerOffset);
    }

    void onTaskQueues(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final GetTaskQueuesDecoder d = taskQueuesDecoder.wrap(buffer, bodyOffset, blockLength, version);
        if (null == sink)
        {
            return;
        }
        final TaskQueues queues = state.taskQueues;
        final int size = Math.min(0xFFFF, queues.size());
        long length = HEADER_LENGTH + TaskQueuesEncoder.BLOCK_LENGTH + TaskQueuesEncoder.QueuesEncoder.HEADER_SIZE;
        for (int i = 0; i < size; i++)
        {
            length += TaskQueuesEncoder.QueuesEncoder.sbeBlockLength() + TaskQueuesEncoder.QueuesEncoder
                .stepNameHeaderLength() + queues.get(i).stepName.length() * 3L;
        }
        final int offset = arena.begin(sink, replyTo);
        if (!arena.fits(offset, length))
        {
            overloaded(sink, replyTo, d.correlationId());
            return;
        }
        final TaskQueuesEncoder encoder = taskQueuesEncoder.wrapAndApplyHeader(arena.buffer(), offset, headerEncoder)
            .correlationId(d.correlationId());
        final TaskQueuesEncoder.QueuesEncoder group = encoder.queuesCount(size);
        for (int i = 0; i < size; i++)
        {
            final TaskQueues.Queue queue = queues.get(i);
            group.next()
                .queued(queue.queued)
                .leased(queue.leased)
                .workers(queue.workers.size())
                .oldestQueuedAt(oldestQueuedAt(queue))
                .stepName(queue.stepName);
        }
        arena.commit(HEADER_LENGTH + encoder.encodedLength());
    }

    /**
     * The point a live verify checks the log against: where the log ends now and the digest of the state the log
     * built up to there, read together on this thread. Between two commands no unit is open, so the end is a unit
     * end; the reply leaves after this batch's flush, so every record before the end is in the segment files by the
     * time the verifier reads them. The digest walks every workflow and its event positions: this holds the processor
     * for a time that grows with the state (see {@link LiveVerifier} for the figure measured), once per verify.
     */
    void onConsistentPoint(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final long startNs = System.nanoTime();
        final GetConsistentPointDecoder d = consistentPointDecoder.wrap(buffer, bodyOffset, blockLength, version);
        if (null == sink)
        {
            return;
        }
        if (0 != journal.openUnitRecords())
        {
            throw new IllegalStateException("a unit is open between two commands (" + journal.openUnitRecords() +
                " records): no consistent point");
        }
        final long digest = state.digest();
        final int length = HEADER_LENGTH + ConsistentPointEncoder.BLOCK_LENGTH;
        final int offset = arena.begin(sink, replyTo);
        if (!arena.reserve(offset, length))
        {
            arena.abort();
            replies.noRoomForReply(sink, replyTo, d.correlationId());
            return;
        }
        consistentPointEncoder.wrapAndApplyHeader(arena.buffer(), offset, headerEncoder)
            .correlationId(d.correlationId())
            .endPosition(journal.endPosition())
            .lastSequence(journal.lastSequence())
            .digest(digest)
            .workflows(state.workflowCount())
            .eventsApplied(state.eventsApplied)
            .heldNanos(System.nanoTime() - startNs);
        arena.commit(length);
    }

    /**
     * @return when the oldest task still queued became ready, 0 when none is (entries of tasks no longer queued are
     * passed over).
     */
    private long oldestQueuedAt(final TaskQueues.Queue queue)
    {
        if (0 == queue.queued)
        {
            return 0;
        }
        final org.agrona.collections.LongArrayQueue.LongIterator ids = queue.ready.iterator();
        final org.agrona.collections.LongArrayQueue.LongIterator times = queue.readySince.iterator();
        final org.agrona.collections.LongArrayQueue.LongIterator seqs = queue.readySeqs.iterator();
        while (ids.hasNext())
        {
            final long since = times.nextValue();
            final long seq = seqs.nextValue();
            final Workflow workflow = state.workflow(ids.nextValue());
            if (null != workflow && workflow.taskQueue == queue && null == workflow.lease && workflow.orderSeq == seq)
            {
                return since;
            }
        }
        return 0;
    }

    private void read(final long position)
    {
        if (!journal.readRecord(position, record))
        {
            throw new IllegalStateException("journal has no record at position " + position);
        }
    }

    private void overloaded(final ReplySink sink, final Object replyTo, final long correlationId)
    {
        arena.abort();
        replies.problem(sink, replyTo, correlationId, ReplyStatus.OVERLOADED, "REPLIES_FULL",
            "the replies of this batch already hold " + ctx.maxBatchReplyBytes() + " bytes of large answers; " +
            "retry shortly");
    }

    private void tooLarge(
        final ReplySink sink, final Object replyTo, final long correlationId, final long workflowId, final int count)
    {
        arena.abort();
        replies.problem(sink, replyTo, correlationId, ReplyStatus.TOO_LARGE, "REPLY_TOO_LARGE",
            "the replay of workflow " + workflowId + " (" + count + " events, each with the state after it) is " +
            "larger than the reply budget of " + budget + " bytes (core.max-reply-bytes); read its events page by " +
            "page and check it with wal verify");
    }
}
