package io.axiom.core.api;

/**
 * Task steps of one step name.
 *
 * @param stepName       the step name workers register for.
 * @param queued         tasks waiting for a worker with credit.
 * @param leased         tasks leased to a worker now.
 * @param workers        workers offering this step name now.
 * @param oldestQueuedAt when the oldest queued task became ready (epoch ms), 0 when none is queued.
 */
public record TaskQueue(String stepName, long queued, long leased, int workers, long oldestQueuedAt)
{
    /**
     * @param nowMs the time now.
     * @return how long the oldest queued task has waited, in ms, or -1 when none is queued.
     */
    public long oldestQueuedAgeMs(final long nowMs)
    {
        return 0 == oldestQueuedAt ? -1 : Math.max(0, nowMs - oldestQueuedAt);
    }
}
