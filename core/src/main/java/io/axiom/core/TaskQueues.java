package io.axiom.core;

import java.util.ArrayList;

import org.agrona.collections.LongArrayQueue;
import org.agrona.collections.Object2ObjectHashMap;

/**
 * Task steps per step name: the ready ones, waiting for a worker in the order they became ready, and how many are
 * leased. Derived state: rebuilt from the workflows when a snapshot loads, changed only by the {@link Applier}; the
 * {@link Dealer} takes from the ready queues.
 */
final class TaskQueues
{
    private static final int COMPACT_SLACK = 1024;

    private final Object2ObjectHashMap<String, Queue> byStepName = new Object2ObjectHashMap<>();
    private final ArrayList<Queue> inOrder = new ArrayList<>();
    private final java.util.function.LongFunction<Workflow> workflows;

    /**
     * @param workflows finds a workflow by id.
     */
    TaskQueues(final java.util.function.LongFunction<Workflow> workflows)
    {
        this.workflows = workflows;
    }

    /**
     * Task steps of one step name.
     */
    static final class Queue
    {
        final String stepName;
        /** Workflows whose current step waits for a worker, oldest first; may hold stale ids (checked on take). */
        final LongArrayQueue ready = new LongArrayQueue(64, -1);
        /** When each entry of {@link #ready} became ready (epoch ms). */
        final LongArrayQueue readySince = new LongArrayQueue(64, -1);
        /**
         * The {@link Workflow#orderSeq} of each entry of {@link #ready}: an entry is live only while its workflow
         * still has that number (a workflow queued again gets a new one, so an old entry of it stays stale).
         */
        final LongArrayQueue readySeqs = new LongArrayQueue(64, -1);
        long queued;
        long leased;
        /** Workers offering this step name now, for the dealer (soft). */
        final ArrayList<Dealer.Session> workers = new ArrayList<>();
        int nextWorker;
        /** A workflow ever queued a task here (else the queue exists only because a worker offered the name). */
        boolean used;

        Queue(final String stepName)
        {
            this.stepName = stepName;
        }
    }

    /**
     * The workflow's current task step waits for a worker.
     *
     * @param workflow whose current step is a task step.
     * @param since    when it became ready (the event's timestamp).
     * @param seq      its place in the order workflows became ready ({@link Workflow#orderSeq}).
     */
    void enqueue(final Workflow workflow, final long since, final long seq)
    {
        if (null == workflow.taskQueue)
        {
            final Queue queue = queue(workflow.definition.stepNames[workflow.currentStep]);
            queue.used = true;
            queue.queued++;
            queue.ready.addLong(workflow.id);
            queue.readySince.addLong(since);
            queue.readySeqs.addLong(seq);
            workflow.orderSeq = seq;
            workflow.taskQueue = queue;
        }
    }

    /**
     * @param queue    a queue.
     * @param workflow the workflow of its head entry, or null.
     * @return true when the head entry is live: the workflow still waits in this queue, queued as that entry says.
     */
    static boolean headLive(final Queue queue, final Workflow workflow)
    {
        return null != workflow && workflow.taskQueue == queue && null == workflow.lease &&
            workflow.orderSeq == queue.readySeqs.peekLong();
    }

    /**
     * The workflow's current task step no longer waits (leased, completed by hand, cancelled). Its entry in the ready
     * queue stays until the dealer passes it, which skips it.
     *
     * @param workflow the workflow.
     */
    void dequeue(final Workflow workflow)
    {
        final Queue queue = workflow.taskQueue;
        if (null != queue)
        {
            queue.queued--;
            workflow.taskQueue = null;
            if (queue.ready.size() > 2 * queue.queued + COMPACT_SLACK)
            {
                compact(queue);
            }
        }
    }

    /**
     * Drop the entries of workflows no longer ready, so that a queue nobody takes from (no worker for its step name,
     * tasks completed by hand or cancelled) does not grow with every task ever queued.
     */
    private void compact(final Queue queue)
    {
        for (int i = 0, size = queue.ready.size(); i < size; i++)
        {
            final long id = queue.ready.pollLong();
            final long since = queue.readySince.pollLong();
            final long seq = queue.readySeqs.pollLong();
            final Workflow workflow = workflows.apply(id);
            if (null != workflow && workflow.taskQueue == queue && null == workflow.lease && workflow.orderSeq == seq)
            {
                queue.ready.addLong(id);
                queue.readySince.addLong(since);
                queue.readySeqs.addLong(seq);
            }
        }
    }

    /**
     * @param stepName a step name.
     * @return its queue, made on first use.
     */
    Queue queue(final String stepName)
    {
        Queue queue = byStepName.get(stepName);
        if (null == queue)
        {
            queue = new Queue(stepName);
            byStepName.put(stepName, queue);
            inOrder.add(queue);
        }
        return queue;
    }

    /**
     * Forget a queue no workflow ever used and no worker offers any more, so that workers offering step names nobody
     * runs (or a client saying hello with many names) leave nothing behind.
     *
     * @param queue a queue a worker left.
     */
    void removeIfUnused(final Queue queue)
    {
        if (!queue.used && queue.workers.isEmpty() && 0 == queue.queued && 0 == queue.leased)
        {
            byStepName.remove(queue.stepName);
            inOrder.remove(queue);
        }
    }

    /**
     * @param stepName a step name.
     * @return its queue, or null when none was made.
     */
    Queue find(final String stepName)
    {
        return byStepName.get(stepName);
    }

    int size()
    {
        return inOrder.size();
    }

    Queue get(final int index)
    {
        return inOrder.get(index);
    }

    /**
     * @return task steps waiting for a worker, over all step names.
     */
    long queued()
    {
        long total = 0;
        for (int i = 0, size = inOrder.size(); i < size; i++)
        {
            total += inOrder.get(i).queued;
        }
        return total;
    }

    /**
     * @return task steps leased to a worker, over all step names.
     */
    long leased()
    {
        long total = 0;
        for (int i = 0, size = inOrder.size(); i < size; i++)
        {
            total += inOrder.get(i).leased;
        }
        return total;
    }
}
