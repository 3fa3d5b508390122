package io.axiom.gateway.graphql;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Supplier;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.TaskQueue;

/**
 * One {@code taskUpdates} subscription: the task queues now, then again whenever an event that moves a task passes
 * the feed. Changes are coalesced into a flag, so a burst of events costs one read of the queues, at most one every
 * {@link #MIN_INTERVAL_MS}, and one wake-up of the stream's thread (not one per event); a reading equal to the last
 * one sent is not sent again. A slow subscriber only delays
 * its own next reading: nothing piles up.
 */
final class TaskUpdateStream extends PumpedPublisher<Map<String, Object>>
{
    /** Shortest interval between two readings sent. */
    static final long MIN_INTERVAL_MS = 100;

    private final Supplier<EngineReply> tasks;
    private final Consumer<TaskUpdateStream> onRelease;
    /**
     * A change not read yet: set by the fan-out, cleared by the pump (under the lock) before it reads the queues, so
     * a change seen while it is set is covered by the reading it promises; read without the lock to skip the lock.
     */
    private volatile boolean dirty;
    private List<TaskQueue> last;

    /**
     * @param tasks     reads the task queues through the engine.
     * @param onRelease run once when the stream ends (unregisters it from the fan-out).
     */
    TaskUpdateStream(final Supplier<EngineReply> tasks, final Consumer<TaskUpdateStream> onRelease)
    {
        super("graphql-task-updates");
        this.tasks = tasks;
        this.onRelease = onRelease;
    }

    /**
     * Read the queues for the first time; call after registering with the fan-out and before subscribing.
     */
    void loadFirst()
    {
        last = read();
    }

    /**
     * The queues may have changed; from the fan-out thread.
     */
    void changed()
    {
        if (dirty)
        {
            return; // a reading is due already and will see this change: no lock, no wake-up per event
        }
        lock.lock();
        try
        {
            if (!dirty)
            {
                dirty = true;
                wake();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    @Override
    protected void pump() throws InterruptedException
    {
        if (!emit(GraphQlViews.tasks(last)))
        {
            return;
        }
        long sentAt = System.nanoTime();
        while (true)
        {
            lock.lock();
            try
            {
                while (!dirty && !stopping())
                {
                    awaitChange(-1);
                }
                long wait;
                while ((wait = sentAt + nanos(MIN_INTERVAL_MS) - System.nanoTime()) > 0 && !stopping())
                {
                    awaitChange(wait);
                }
                if (stopping())
                {
                    return;
                }
                dirty = false;
            }
            finally
            {
                lock.unlock();
            }
            final List<TaskQueue> now = read();
            if (!now.equals(last))
            {
                if (!emit(GraphQlViews.tasks(now)))
                {
                    return;
                }
                last = now;
                sentAt = System.nanoTime();
            }
        }
    }

    @Override
    protected void release()
    {
        onRelease.accept(this);
    }

    private List<TaskQueue> read()
    {
        final EngineReply reply = tasks.get();
        if (reply instanceof EngineReply.TaskQueues queues)
        {
            return queues.queues();
        }
        if (reply instanceof EngineReply.Problem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        throw new GraphQlProblem(GraphQlProblem.INTERNAL_SERVER_ERROR,
            "the engine answered a task query with " + reply.getClass().getSimpleName());
    }
}
