package io.axiom.core.api;

/**
 * What completes a step: a worker ({@link #TASK}), a person via {@code advance} ({@link #APPROVAL}),
 * or the passing of time ({@link #TIMER}).
 */
public enum StepKind
{
    TASK("task"),
    APPROVAL("approval"),
    TIMER("timer");

    private final String wireName;

    StepKind(final String wireName)
    {
        this.wireName = wireName;
    }

    /**
     * @return the lower-case name used in JSON ("task", "approval", "timer").
     */
    public String wireName()
    {
        return wireName;
    }

    /**
     * @param name lower-case wire name.
     * @return the kind, or null when the name is not one of the kinds.
     */
    public static StepKind fromWireName(final String name)
    {
        for (final StepKind kind : values())
        {
            if (kind.wireName.equals(name))
            {
                return kind;
            }
        }
        return null;
    }
}
