package io.axiom.core;

import org.agrona.collections.Object2ObjectHashMap;

/**
 * Workflows by the name of their current step: per distinct step name a {@link Bitmap} of the workflows, not yet
 * ended, whose current step has that name. A workflow joins at its first step, moves when a later step is scheduled
 * and leaves when it ends, so the bitmaps hold only live workflows, and a step filter reads only them.
 * <p>
 * Soft state: kept by the {@link Applier} and rebuilt from the workflow table when a snapshot loads. Step names come
 * from the definitions as Strings (found without allocation) and from queries as UTF-8 bytes (found in the
 * {@link Utf8Keys} without allocation); only a new step name allocates.
 */
final class StepIndex
{
    /**
     * One distinct step name and the workflows now at a step of that name.
     */
    static final class Step extends Utf8Keys.Key
    {
        final Bitmap current = new Bitmap();

        Step(final byte[] utf8)
        {
            super(utf8);
        }
    }

    private final Utf8Keys<Step> keys = new Utf8Keys<>();
    private final Object2ObjectHashMap<String, Step> byName = new Object2ObjectHashMap<>();

    /**
     * @return the dictionary of distinct step names.
     */
    Utf8Keys<Step> steps()
    {
        return keys;
    }

    /**
     * @param index    a workflow index.
     * @param stepName the name of the step it is now at.
     */
    void enter(final int index, final String stepName)
    {
        Step step = byName.get(stepName);
        if (null == step)
        {
            step = new Step(stepName.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            byName.put(stepName, step);
            keys.add(step);
        }
        step.current.add(index);
    }

    /**
     * @param index    a workflow index.
     * @param stepName the name of the step it leaves.
     */
    void leave(final int index, final String stepName)
    {
        final Step step = byName.get(stepName);
        if (null != step)
        {
            step.current.remove(index);
        }
    }
}
