package io.axiom.core;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;

import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.TaskAssignedEncoder;
import io.axiom.journal.RecordHandler;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The dealer: hands ready task steps to connected workers with spare capacity, fairly, and sends each its
 * TaskAssigned once the StepLeased behind it is durable.
 * <p>
 * <b>Soft state.</b> Workers ({@link Session}s) and their credits live only here, never in the log: after a
 * single-node restart workers say hello again. A session with a route key (a cluster-wide key for its connection,
 * given by a replicated host; 0 = not routable) is written into snapshots ({@link #writeSection}) and recreated on
 * load through the host's {@link RouteResolver}, so a replica restored from a snapshot deals exactly as one that never
 * stopped. The ready queues are the {@link TaskQueues}, rebuilt from the log. A dispatch is an event
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
    /** Sessions with a route key, by it. */
    private final Long2ObjectHashMap<Session> routable = new Long2ObjectHashMap<>();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final TaskAssignedEncoder assigned = new TaskAssignedEncoder();
    private final InputRef input = new InputRef();
    private final UnsafeBuffer key = new UnsafeBuffer(new byte[48]);
    private int nextQueue;
    private long dispatched;
    /** The route key of the connection the command being handled came on (0: not routable). */
    private long commandRouteKey;

    /**
     * A connected worker: where its frames go, what it runs, how many tasks it holds.
     */
    static final class Session
    {
        final Object replyTo;
        final ReplySink sink;
        /** Cluster-wide key of the worker's connection, 0 when not routable (not in snapshots). */
        final long routeKey;
        long workerId;
        int capacity;
        int inFlight;
        boolean gone;
        final ArrayList<TaskQueues.Queue> queues = new ArrayList<>();

        Session(final ReplySink sink, final Object replyTo, final long routeKey)
        {
            this.sink = sink;
            this.replyTo = replyTo;
            this.routeKey = routeKey;
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
            session = new Session(sink, replyTo, commandRouteKey);
            if (0 != commandRouteKey)
            {
                final Session previous = routable.put(commandRouteKey, session);
                if (null != previous && previous != session)
                {
                    sessions.remove(previous.replyTo);
                    leave(previous);
                }
            }
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
            if (0 != session.routeKey)
            {
                routable.remove(session.routeKey);
            }
            leave(session);
        }
    }

    /**
     * Every worker whose route key belongs to a client session of the replicated log that closed leaves, in route key
     * order (hosted mode: the gateway that held their connections is gone).
     *
     * @param clientSessionId the closed session: the high bits of its workers' route keys.
     * @return how many left.
     */
    int leaveRoutesOf(final long clientSessionId)
    {
        if (routable.isEmpty())
        {
            return 0;
        }
        final long[] keys = routable.keySet().stream()
            .mapToLong(Long::longValue)
            .filter(key -> key >>> HostedLog.ROUTE_CONNECTION_BITS == clientSessionId)
            .sorted()
            .toArray();
        for (final long key : keys)
        {
            disconnect(routable.get(key).replyTo);
        }
        return keys.length;
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

    /**
     * @param routeKey the route key of the connection the next command comes on (0: not routable).
     */
    void commandRouteKey(final long routeKey)
    {
        this.commandRouteKey = routeKey;
    }

    /**
     * @param routeKey a route key.
     * @return the connected session with it, or null.
     */
    Session sessionByRoute(final long routeKey)
    {
        return 0 == routeKey ? null : routable.get(routeKey);
    }

    /**
     * @return bytes {@link #writeSection} writes now.
     */
    int sectionLength()
    {
        int length = 4 + 4;
        for (final Session session : routable.values())
        {
            length += 8 + 8 + 4 + 4 + 4 + 4 * session.queues.size();
        }
        length += 4;
        for (int q = 0, size = state.taskQueues.size(); q < size; q++)
        {
            length += 4 + 4 + 8 * routableCount(state.taskQueues.get(q));
        }
        return length;
    }

    private static int routableCount(final TaskQueues.Queue queue)
    {
        int count = 0;
        for (int i = 0, size = queue.workers.size(); i < size; i++)
        {
            count += 0 != queue.workers.get(i).routeKey ? 1 : 0;
        }
        return count;
    }

    /**
     * The dealer's section of a snapshot, deterministic for a state: the round-robin cursor; the routable sessions in
     * route key order (route key, worker id, capacity, in flight, the indexes of the task queues they offer, in
     * their order); per task queue in the queues' order, its next worker (among the routable ones) and the route
     * keys of its routable workers in their order. Sessions that are not routable are left out (their workers say hello again).
     *
     * @param out    buffer to write into, expandable or long enough.
     * @param offset where to write.
     * @return the offset after what was written.
     */
    int writeSection(final MutableDirectBuffer out, final int offset)
    {
        final Session[] ordered = routable.values().toArray(new Session[0]);
        Arrays.sort(ordered, (a, b) -> Long.compare(a.routeKey, b.routeKey));
        int p = offset;
        out.putInt(p, nextQueue);
        out.putInt(p + 4, ordered.length);
        p += 8;
        for (final Session session : ordered)
        {
            out.putLong(p, session.routeKey);
            out.putLong(p + 8, session.workerId);
            out.putInt(p + 16, session.capacity);
            out.putInt(p + 20, session.inFlight);
            out.putInt(p + 24, session.queues.size());
            p += 28;
            for (final TaskQueues.Queue queue : session.queues)
            {
                out.putInt(p, indexOf(queue));
                p += 4;
            }
        }
        final int queueCount = state.taskQueues.size();
        out.putInt(p, queueCount);
        p += 4;
        for (int q = 0; q < queueCount; q++)
        {
            final TaskQueues.Queue queue = state.taskQueues.get(q);
            out.putInt(p, routableNextWorker(queue));
            out.putInt(p + 4, routableCount(queue));
            p += 8;
            for (int i = 0, size = queue.workers.size(); i < size; i++)
            {
                final long routeKey = queue.workers.get(i).routeKey;
                if (0 != routeKey)
                {
                    out.putLong(p, routeKey);
                    p += 8;
                }
            }
        }
        return p;
    }

    /**
     * @return the queue's next worker as an index among its routable workers: the first routable one at or after
     * {@link TaskQueues.Queue#nextWorker} (all are routable in a replicated host, so it is the same index there).
     */
    private static int routableNextWorker(final TaskQueues.Queue queue)
    {
        final int size = queue.workers.size();
        for (int i = 0; i < size; i++)
        {
            final int w = (queue.nextWorker + i) % size;
            if (0 != queue.workers.get(w).routeKey)
            {
                int before = 0;
                for (int j = 0; j < w; j++)
                {
                    before += 0 != queue.workers.get(j).routeKey ? 1 : 0;
                }
                return before;
            }
        }
        return 0;
    }

    private int indexOf(final TaskQueues.Queue queue)
    {
        for (int q = 0, size = state.taskQueues.size(); q < size; q++)
        {
            if (state.taskQueues.get(q) == queue)
            {
                return q;
            }
        }
        throw new IllegalStateException("a worker offers step name " + queue.stepName + ", which has no task queue");
    }

    /**
     * Read the dealer's section of a snapshot (as {@link #writeSection} wrote it), recreating its sessions through the
     * resolver, or only passing over it when there is none (the workers say hello again).
     *
     * @param in       holding the section.
     * @param offset   of the section.
     * @param resolver the host's, or null.
     * @return the offset after the section.
     */
    int readSection(final DirectBuffer in, final int offset, final RouteResolver resolver)
    {
        int p = offset;
        final int cursor = in.getInt(p);
        final int sessionCount = in.getInt(p + 4);
        p += 8;
        for (int i = 0; i < sessionCount; i++)
        {
            final long routeKey = in.getLong(p);
            final int queueCount = in.getInt(p + 24);
            if (null != resolver)
            {
                final Object replyTo = resolver.replyTo(routeKey);
                final Session session = new Session(resolver.sink(routeKey), replyTo, routeKey);
                session.workerId = in.getLong(p + 8);
                session.capacity = in.getInt(p + 16);
                session.inFlight = in.getInt(p + 20);
                for (int q = 0; q < queueCount; q++)
                {
                    session.queues.add(state.taskQueues.get(in.getInt(p + 28 + 4 * q)));
                }
                sessions.put(replyTo, session);
                routable.put(routeKey, session);
            }
            p += 28 + 4 * queueCount;
        }
        final int queueCount = in.getInt(p);
        p += 4;
        if (null != resolver && queueCount != state.taskQueues.size())
        {
            throw new IllegalStateException("snapshot's dealer section has " + queueCount + " task queues, the state " +
                state.taskQueues.size());
        }
        for (int q = 0; q < queueCount; q++)
        {
            final int next = in.getInt(p);
            final int workers = in.getInt(p + 4);
            p += 8;
            if (null != resolver)
            {
                final TaskQueues.Queue queue = state.taskQueues.get(q);
                for (int i = 0; i < workers; i++)
                {
                    queue.workers.add(routable.get(in.getLong(p + 8 * i)));
                }
                queue.nextWorker = next < queue.workers.size() ? next : 0;
            }
            p += 8 * workers;
        }
        if (null != resolver)
        {
            nextQueue = cursor;
        }
        return p;
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
            if (TaskQueues.headLive(queue, workflow))
            {
                return workflow;
            }
            queue.ready.pollLong();
            queue.readySince.pollLong();
            queue.readySeqs.pollLong();
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
        queue.readySeqs.pollLong();

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
