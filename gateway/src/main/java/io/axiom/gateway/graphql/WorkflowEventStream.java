package io.axiom.gateway.graphql;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongFunction;

import io.axiom.core.EventDescriber;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;

/**
 * One {@code workflowEvents} subscription: every event of one workflow in log order, without gaps, each only after
 * it was fsynced.
 * <p>
 * How: the stream is registered with the {@link EventFanOut} <em>before</em> the workflow's history is read through
 * the engine, so every event is in the history, or offered live, or both. The pump emits the history, then the live
 * events, skipping any position it has already delivered. When the fan-out was lapped (or an event was too large
 * for the feed) it asks for a resync: the pump reads the history again and goes on after the last position it
 * delivered. After the workflow's terminal event the stream completes. A subscriber that lets more than
 * {@link #INBOX_CAPACITY} live events pile up is dropped with {@code SLOW_SUBSCRIBER}; the fan-out never waits.
 */
final class WorkflowEventStream extends PumpedPublisher<Map<String, Object>>
{
    /** Most live events held for a subscriber that is not keeping up. */
    static final int INBOX_CAPACITY = 4096;

    private final long workflowId;
    private final LongFunction<EngineReply> history;
    private final Consumer<WorkflowEventStream> onRelease;
    private final int capacity;
    private final ArrayDeque<EventView> pending = new ArrayDeque<>();
    private final ArrayDeque<EventView> inbox = new ArrayDeque<>();
    private boolean resync;
    private String[] stepNames;
    private long lastPosition = -1;

    /**
     * @param workflowId the workflow.
     * @param history    reads the workflow's events so far through the engine (Events or a Problem).
     * @param onRelease  run once when the stream ends (unregisters it from the fan-out).
     * @param capacity   most live events held before the subscriber is dropped.
     */
    WorkflowEventStream(
        final long workflowId,
        final LongFunction<EngineReply> history,
        final Consumer<WorkflowEventStream> onRelease,
        final int capacity)
    {
        super("graphql-workflow-events-" + workflowId);
        this.workflowId = workflowId;
        this.history = history;
        this.onRelease = onRelease;
        this.capacity = capacity;
    }

    /**
     * @return the workflow followed.
     */
    long workflowId()
    {
        return workflowId;
    }

    /**
     * Read the history for the first time; call after registering with the fan-out and before subscribing.
     *
     * @throws GraphQlProblem NOT_FOUND for an unknown workflow, or whatever else the engine refused with.
     */
    void loadHistory()
    {
        final List<EventView> events = readHistory();
        lock.lock();
        try
        {
            pending.addAll(events);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * A released event of this workflow, from the fan-out thread. Never blocks on the subscriber.
     *
     * @param event the event.
     */
    void offer(final EventView event)
    {
        lock.lock();
        try
        {
            if (inbox.size() >= capacity)
            {
                inbox.clear();
                fail(new GraphQlProblem(GraphQlProblem.SLOW_SUBSCRIBER, "the subscriber fell more than " + capacity +
                    " events behind workflow " + workflowId + "; subscribe again to catch up from the log"));
                return;
            }
            inbox.add(event);
            wake();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Events may have been missed (the fan-out was lapped, or an event was too large for the feed): read the
     * history again before going on. From the fan-out thread.
     */
    void resync()
    {
        lock.lock();
        try
        {
            resync = true;
            wake();
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    protected void pump() throws InterruptedException
    {
        while (true)
        {
            final EventView next;
            final boolean reread;
            lock.lock();
            try
            {
                while (pending.isEmpty() && inbox.isEmpty() && !resync && !stopping())
                {
                    awaitChange(-1);
                }
                if (stopping())
                {
                    return;
                }
                reread = resync;
                resync = false;
                next = reread ? null : !pending.isEmpty() ? pending.poll() : inbox.poll();
            }
            finally
            {
                lock.unlock();
            }

            if (reread)
            {
                final List<EventView> events = readHistory();
                lock.lock();
                try
                {
                    pending.clear();
                    pending.addAll(events);
                }
                finally
                {
                    lock.unlock();
                }
            }
            else if (next.position() > lastPosition)
            {
                if (!emit(GraphQlViews.event(next, stepNames)))
                {
                    return;
                }
                lastPosition = next.position();
                if (GraphQlViews.TERMINAL_EVENTS.contains(next.type()))
                {
                    complete();
                    return;
                }
            }
        }
    }

    @Override
    protected void release()
    {
        onRelease.accept(this);
    }

    private List<EventView> readHistory()
    {
        final EngineReply reply = history.apply(workflowId);
        if (reply instanceof EngineReply.Problem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        if (!(reply instanceof EngineReply.Events events))
        {
            throw new GraphQlProblem(GraphQlProblem.INTERNAL_SERVER_ERROR,
                "the engine answered an events query with " + reply.getClass().getSimpleName());
        }
        if (null == stepNames)
        {
            for (final EventView e : events.events())
            {
                final String[] names = EventDescriber.stepNames(e);
                if (null != names)
                {
                    stepNames = names;
                    break;
                }
            }
        }
        return events.events();
    }
}
