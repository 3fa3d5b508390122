package io.axiom.core;

import java.util.ArrayList;

import org.agrona.collections.Object2ObjectHashMap;

/**
 * Task steps per step name: how many wait for a worker and how many are leased to one. Derived state: rebuilt from
 * the workflows when a snapshot loads, changed only by the {@link Applier}.
 */
final class TaskQueues
{
    private final Object2ObjectHashMap<String, Queue> byStepName = new Object2ObjectHashMap<>();
    private final ArrayList<Queue> inOrder = new ArrayList<>();

    /**
     * Task steps of one step name.
     */
    static final class Queue
    {
        final String stepName;
        long queued;
        long leased;

        Queue(final String stepName)
        {
            this.stepName = stepName;
        }
    }

    /**
     * The workflow's current task step waits for a worker.
     *
     * @param workflow whose current step is a task step.
     */
    void enqueue(final Workflow workflow)
    {
        if (null == workflow.taskQueue)
        {
            final Queue queue = queue(workflow.definition.stepNames[workflow.currentStep]);
            queue.queued++;
            workflow.taskQueue = queue;
        }
    }

    /**
     * The workflow's current task step no longer waits.
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
}
