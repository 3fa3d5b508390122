package io.axiom.gateway.graphql;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import org.agrona.DirectBuffer;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;
import org.agrona.concurrent.IdleStrategy;

import io.axiom.codecs.StepAttemptFailedDecoder;
import io.axiom.codecs.StepCompletedDecoder;
import io.axiom.codecs.StepLeasedDecoder;
import io.axiom.codecs.StepScheduledDecoder;
import io.axiom.codecs.WorkflowCancelledDecoder;
import io.axiom.codecs.WorkflowCompletedDecoder;
import io.axiom.codecs.WorkflowFailedDecoder;
import io.axiom.core.EventDescriber;
import io.axiom.core.EventFeed;
import io.axiom.core.api.EventView;

/**
 * The one reader of the engine's {@link EventFeed} on the GraphQL side: an agent on its own daemon thread that polls
 * the feed and hands each released (fsynced) event to the subscriptions that want it, without ever waiting for
 * one of them. When idle it backs off to parking, so it costs nothing on a quiet server.
 * <p>
 * A {@code workflowEvents} stream gets its workflow's events; every {@code taskUpdates} stream is told when an event
 * that moves a task passes. When the feed laps this reader, or an event is too large for the feed, every workflow
 * stream is told to resync from the log, and every task stream that the queues may have changed.
 */
final class EventFanOut implements Agent
{
    /** Most events handled per duty cycle. */
    static final int POLL_LIMIT = 256;

    private static final Set<Integer> TASK_EVENTS = Set.of(
        StepScheduledDecoder.TEMPLATE_ID,
        StepLeasedDecoder.TEMPLATE_ID,
        StepCompletedDecoder.TEMPLATE_ID,
        StepAttemptFailedDecoder.TEMPLATE_ID,
        WorkflowCancelledDecoder.TEMPLATE_ID,
        WorkflowFailedDecoder.TEMPLATE_ID,
        WorkflowCompletedDecoder.TEMPLATE_ID);

    private static final System.Logger LOG = System.getLogger(EventFanOut.class.getName());
    private static final long NO_STREAM_SLEEP_NS = TimeUnit.MILLISECONDS.toNanos(100);

    private final EventFeed.Reader reader;
    private final EventFeed.EventHandler handler = this::onEvent;
    private final ConcurrentHashMap<Long, List<WorkflowEventStream>> workflowStreams = new ConcurrentHashMap<>();
    private final List<TaskUpdateStream> taskStreams = new CopyOnWriteArrayList<>();
    private AgentRunner runner;
    private volatile Thread thread;

    /**
     * Start following the feed now: every event released from here on is seen.
     *
     * @param feed the engine's feed.
     */
    EventFanOut(final EventFeed feed)
    {
        this.reader = feed.reader();
    }

    /**
     * Run the agent on a daemon thread that spins briefly, then yields, then parks up to 2 ms when idle; with no
     * stream registered it sleeps until one is (a lapped reader then only resynchronises nobody).
     */
    void start()
    {
        final BackoffIdleStrategy backoff = new BackoffIdleStrategy(
            10, 10, TimeUnit.MICROSECONDS.toNanos(10), TimeUnit.MILLISECONDS.toNanos(2));
        final IdleStrategy idle = new IdleStrategy()
        {
            public void idle(final int workCount)
            {
                if (0 == workCount && workflowStreams.isEmpty() && taskStreams.isEmpty())
                {
                    LockSupport.parkNanos(NO_STREAM_SLEEP_NS);
                }
                else
                {
                    backoff.idle(workCount);
                }
            }

            public void idle()
            {
                backoff.idle();
            }

            public void reset()
            {
                backoff.reset();
            }
        };
        runner = new AgentRunner(idle, error -> LOG.log(System.Logger.Level.ERROR,
            "GraphQL event fan-out failed; it goes on with the next event", error), null, this);
        AgentRunner.startOnThread(runner, r ->
        {
            final Thread thread = new Thread(r, roleName());
            thread.setDaemon(true);
            this.thread = thread;
            return thread;
        });
    }

    private void wake()
    {
        final Thread t = thread;
        if (null != t)
        {
            LockSupport.unpark(t);
        }
    }

    /**
     * @param stream to receive its workflow's events from now on.
     */
    void add(final WorkflowEventStream stream)
    {
        workflowStreams.compute(stream.workflowId(), (id, streams) ->
        {
            final List<WorkflowEventStream> list = null == streams ? new CopyOnWriteArrayList<>() : streams;
            list.add(stream);
            return list;
        });
        wake();
    }

    /**
     * @param stream to receive no more events.
     */
    void remove(final WorkflowEventStream stream)
    {
        workflowStreams.computeIfPresent(stream.workflowId(), (id, streams) ->
        {
            streams.remove(stream);
            return streams.isEmpty() ? null : streams;
        });
    }

    /**
     * @param stream to be told of task changes from now on.
     */
    void add(final TaskUpdateStream stream)
    {
        taskStreams.add(stream);
        wake();
    }

    /**
     * @param stream to be told of nothing more.
     */
    void remove(final TaskUpdateStream stream)
    {
        taskStreams.remove(stream);
    }

    /**
     * @return streams registered now, of both kinds.
     */
    int streamCount()
    {
        int count = taskStreams.size();
        for (final List<WorkflowEventStream> streams : workflowStreams.values())
        {
            count += streams.size();
        }
        return count;
    }

    /**
     * Stop the thread (waits for it) and end every stream.
     */
    void close()
    {
        if (null != runner)
        {
            runner.close();
        }
        final GraphQlProblem stopping = new GraphQlProblem(GraphQlProblem.UNAVAILABLE, "the server is shutting down");
        workflowStreams.values().forEach(streams -> streams.forEach(s -> s.fail(stopping)));
        taskStreams.forEach(s -> s.fail(stopping));
    }

    @Override
    public int doWork()
    {
        final int count = reader.poll(handler, POLL_LIMIT);
        if (count < 0)
        {
            resyncAll();
            return 1;
        }
        return count;
    }

    @Override
    public String roleName()
    {
        return "axiom-graphql-fanout";
    }

    private void onEvent(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final long sequence,
        final long timestamp)
    {
        if (TASK_EVENTS.contains(type))
        {
            taskStreams.forEach(TaskUpdateStream::changed);
        }
        if (workflowStreams.isEmpty())
        {
            return;
        }
        if (length < 0)
        {
            workflowStreams.values().forEach(streams -> streams.forEach(WorkflowEventStream::resync));
            return;
        }
        final EventView event = EventDescriber.describe(buffer, offset, length, type, version, position, sequence,
            timestamp);
        final List<WorkflowEventStream> streams = workflowStreams.get(event.workflowId());
        if (null != streams)
        {
            for (final WorkflowEventStream stream : streams)
            {
                stream.offer(event);
            }
        }
    }

    private void resyncAll()
    {
        workflowStreams.values().forEach(streams -> streams.forEach(WorkflowEventStream::resync));
        taskStreams.forEach(TaskUpdateStream::changed);
    }
}
