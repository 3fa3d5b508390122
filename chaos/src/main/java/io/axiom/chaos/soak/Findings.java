package io.axiom.chaos.soak;

import java.util.ArrayList;
import java.util.List;

/**
 * What the soak found wrong, in the order found: each entry is one broken promise (or one thing that kept the soak
 * from judging), printed on its own line in the report. Thread-safe: the load driver, the process watchers and the
 * final checks all add to it.
 */
final class Findings
{
    private final List<String> violations = new ArrayList<>();

    /**
     * @param text what was broken, naming the workflow, step, token or process it concerns.
     */
    synchronized void violation(final String text)
    {
        violations.add(text);
    }

    /**
     * @return every violation so far.
     */
    synchronized List<String> violations()
    {
        return List.copyOf(violations);
    }

    /**
     * @return how many.
     */
    synchronized int count()
    {
        return violations.size();
    }
}
