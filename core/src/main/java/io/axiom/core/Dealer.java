package io.axiom.core;

import java.util.ArrayList;
import java.util.IdentityHashMap;

import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.TaskAssignedEncoder;
import io.axiom.journal.RecordHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The dealer: hands ready task steps to connected workers with spare capacity, fairly, and sends each its
 * TaskAssigned once the StepLeased behind it is durable.
 * <p>
 * <b>Soft state.</b> Workers ({@link Session}s) and their credits live only here, never in the log: after a restart
 * workers say hello again. The ready queues are the {@link TaskQueues}, rebuilt from the log. A dispatch is an event
 * (StepLeased, whose position is the lease's fencing token) followed by a reply to the worker's sink, which the
 * processor releases after the batch's fsync like any reply.
 * <p>
 * <b>Fair.</b> Step names are visited round-robin from where the last cycle stopped, and within a step name the
 * workers offering it are taken in turn; a worker gets tasks while its in-flight count is below its capacity.
 */
final class Dealer
{
    /** Most dispatches in one duty cycle, so that commands keep flowing while a large backlog is dealt out. */
    static final int MAX_PER_CYCLE = 4096;

    private final EngineState state;
    private final EventWriter events;
    private final ReplyArena arena;
    private final long leaseDurationMs;
    private final long workerTimeoutMs;
    private final IdentityHashMap<Object, Session> sessions = new IdentityHashMap<>();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final TaskAssignedEncoder assigned = new TaskAssignedEncoder();
    private final InputRef input = new InputRef();
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[48]);
    private int nextQueue;
    private long dispatched;

    /**
     * A connected worker: where its frames go, what it runs, how many tasks it holds.
     */
    static final class Session
    {
        final Object replyTo;
        final ReplySink sink;
        long workerId;
        int capacity;
        int inFlight;
        boolean gone;
        final ArrayList<TaskQueues.Queue> queues = new ArrayList<>();

        Session(final ReplySink sink, final Object replyTo)
        {
            this.sink = sink;
            this.replyTo = replyTo;
        }

        boolean hasCredit()
        {
            return !gone && inFlight < capacity;
        }
    }

    Dealer(final EngineContext ctx, final EngineState state, final EventWriter events, final ReplyArena arena)
    {
        this.state = state;
        this.events = events;
        this.arena = arena;
        this.leaseDurationMs = ctx.leaseDurationMs();
        this.workerTimeoutMs = ctx.workerTimeoutMs();
    }

    long leaseDurationMs()
    {
        return leaseDurationMs;
    }

    /**
     * @param replyTo the token every frame of a worker's connection carries.
     * @return its session, or null when it never said hello (or left).
     */
    Session session(final Object replyTo)
    {
        return null == replyTo ? null : sessions.get(replyTo);
    }

    /**
     * A worker says hello (again): it runs these step names, this many tasks at once.
     */
    Session connect(
        final ReplySink sink, final Object replyTo, final long workerId, final int capacity, final String[] stepNames)
    {
        Session session = sessions.get(replyTo);
        if (null != session)
        {
            // Hello again on the same connection: the same session, so the tasks it holds still count against its
            // capacity; only what it offers and how much it takes change.
            for (final TaskQueues.Queue queue : session.queues)
            {
                queue.workers.remove(session);
                if (queue.nextWorker >= queue.workers.size())
                {
                    queue.nextWorker = 0;
                }
            }
            session.queues.clear();
        }
        else
        {
            session = new Session(sink, replyTo);
        }
        session.workerId = workerId;
        session.capacity = capacity;
        for (final String stepName : stepNames)
        {
            final TaskQueues.Queue queue = state.taskQueues.queue(stepName);
            if (!session.queues.contains(queue))
            {
                session.queues.add(queue);
                queue.workers.add(session);
            }
        }
        sessions.put(replyTo, session);
        return session;
    }

    /**
     * The worker left (goodbye, or its connection is gone): no more tasks for it. Its leases run until they expire
     * or it completes them (a completion is judged by its fencing token, not by the connection).
     */
    void disconnect(final Object replyTo)
    {
        final Session session = sessions.remove(replyTo);
        if (null != session)
        {
            leave(session);
        }
    }

    private void leave(final Session session)
    {
        session.gone = true;
        for (final TaskQueues.Queue queue : session.queues)
        {
            queue.workers.remove(session);
            if (queue.nextWorker >= queue.workers.size())
            {
                queue.nextWorker = 0;
            }
            state.taskQueues.removeIfUnused(queue);
        }
    }

    int sessionCount()
    {
        return sessions.size();
    }

    long dispatched()
    {
        return dispatched;
    }

    /**
     * Deal ready tasks to workers with credit.
     *
     * @param nowMs the time, read once.
     * @return tasks dispatched.
     */
    int dispatch(final long nowMs)
    {
        final TaskQueues queues = state.taskQueues;
        final int queueCount = queues.size();
        if (sessions.isEmpty() || 0 == queueCount)
        {
            return 0;
        }
        int count = 0;
        for (int visited = 0; visited < queueCount && count < MAX_PER_CYCLE; visited++)
        {
            final int q = (nextQueue + visited) % queueCount;
            final TaskQueues.Queue queue = queues.get(q);
            while (queue.queued > 0 && count < MAX_PER_CYCLE)
            {
                final Session session = nextWithCredit(queue);
                if (null == session)
                {
                    break;
                }
                final Workflow workflow = takeReady(queue);
                if (null == workflow)
                {
                    break;
                }
                if (!lease(workflow, session, nowMs))
                {
                    nextQueue = q;
                    return count; // no room in the journal or for the frame: try again next cycle
                }
                count++;
            }
        }
        nextQueue = (nextQueue + 1) % queueCount;
        dispatched += count;
        return count;
    }

    private static Session nextWithCredit(final TaskQueues.Queue queue)
    {
        final int workers = queue.workers.size();
        for (int i = 0; i < workers; i++)
        {
            final int w = (queue.nextWorker + i) % workers;
            final Session session = queue.workers.get(w);
            if (session.hasCredit())
            {
                queue.nextWorker = (w + 1) % workers;
                return session;
            }
        }
        return null;
    }

    /**
     * @return the oldest ready workflow of the queue, left at the head of it; stale entries (no longer ready) are
     * dropped on the way.
     */
    private Workflow takeReady(final TaskQueues.Queue queue)
    {
        while (!queue.ready.isEmpty())
        {
            final Workflow workflow = state.workflow(queue.ready.peekLong());
            if (null != workflow && workflow.taskQueue == queue && null == workflow.lease)
            {
                return workflow;
            }
            queue.ready.pollLong();
            queue.readySince.pollLong();
        }
        return null;
    }

    private boolean lease(final Workflow workflow, final Session session, final long nowMs)
    {
        final int step = workflow.currentStep;
        readInput(workflow);
        final byte[] stepName = workflow.definition.stepNameBytes[step];
        final int keyLength = idempotencyKey(workflow.id, step);
        final long frameLength = MessageHeaderEncoder.ENCODED_LENGTH + TaskAssignedEncoder.BLOCK_LENGTH +
            TaskAssignedEncoder.stepNameHeaderLength() + stepName.length +
            TaskAssignedEncoder.idempotencyKeyHeaderLength() + keyLength +
            TaskAssignedEncoder.inputHeaderLength() + input.length;
        if (!events.ensureRoom(EventWriter.SMALL_EVENT_BOUND) || !arena.reserve(arena.nextOffset(), frameLength))
        {
            return false;
        }
        final TaskQueues.Queue queue = workflow.taskQueue;
        queue.ready.pollLong();
        queue.readySince.pollLong();

        final long stepTimeout = workflow.definition.timeoutMs[step];
        final long attemptDeadline = nowMs + (stepTimeout > 0 ? Math.min(stepTimeout, workerTimeoutMs) : workerTimeoutMs);
        final long leaseExpiresAt = nowMs + leaseDurationMs;
        final long token = events.stepLeased(workflow, session.workerId, leaseExpiresAt, attemptDeadline);
        workflow.lease.session = session;
        session.inFlight++;

        input.relocate(events.journal(), workflow.createdPosition); // the append may have moved the staged record
        final int offset = arena.begin(session.sink, session.replyTo);
        assigned.wrapAndApplyHeader(arena.buffer(), offset, header)
            .taskId(workflow.id)
            .workflowId(workflow.id)
            .stepIndex(step)
            .attempt(workflow.attempt)
            .fencingToken(token)
            .leaseExpiresAt(leaseExpiresAt)
            .attemptDeadline(attemptDeadline)
            .putStepName(stepName, 0, stepName.length)
            .putIdempotencyKey(key, 0, keyLength)
            .putInput(input.buffer, input.offset, input.length);
        arena.commit(MessageHeaderEncoder.ENCODED_LENGTH + assigned.encodedLength());
        return true;
    }

    /**
     * The step's idempotency key, the same on every attempt: "{workflowId}-{stepIndex}", for downstream systems to
     * deduplicate on.
     */
    private int idempotencyKey(final long workflowId, final int step)
    {
        int length = key.putLongAscii(0, workflowId);
        key.putByte(length++, (byte)'-');
        length += key.putIntAscii(length, step);
        return length;
    }

    private void readInput(final Workflow workflow)
    {
        if (!events.journal().readRecord(workflow.createdPosition, input))
        {
            throw new IllegalStateException("journal has no record at position " + workflow.createdPosition);
        }
    }

    /**
     * Finds the input of a WorkflowCreated record in place; {@link #relocate} finds the same record again (it may have
     * moved from the staging buffer to the segment) without decoding it a second time.
     */
    private static final class InputRef implements RecordHandler
    {
        private final io.axiom.codecs.MessageHeaderDecoder header = new io.axiom.codecs.MessageHeaderDecoder();
        private final WorkflowCreatedDecoder created = new WorkflowCreatedDecoder();
        private boolean relocating;
        private int fromRecordStart;
        DirectBuffer buffer;
        int offset;
        int length;

        void relocate(final io.axiom.journal.Journal journal, final long position)
        {
            relocating = true;
            try
            {
                if (!journal.readRecord(position, this))
                {
                    throw new IllegalStateException("journal has no record at position " + position);
                }
            }
            finally
            {
                relocating = false;
            }
        }

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
            if (relocating)
            {
                this.buffer = buffer;
                this.offset = offset + fromRecordStart;
                return;
            }
            header.wrap(buffer, offset);
            final WorkflowCreatedDecoder d = created.wrap(buffer, offset + io.axiom.codecs.MessageHeaderDecoder
                .ENCODED_LENGTH, header.blockLength(), header.version());
            final WorkflowCreatedDecoder.StepsDecoder steps = d.steps();
            while (steps.hasNext())
            {
                steps.next().skipName();
            }
            d.skipName();
            d.skipIdempotencyKey();
            this.length = d.inputLength();
            this.offset = d.limit() + WorkflowCreatedDecoder.inputHeaderLength();
            this.fromRecordStart = this.offset - offset;
            this.buffer = buffer;
        }
    }
}
