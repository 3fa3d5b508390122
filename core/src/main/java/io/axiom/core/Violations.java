package io.axiom.core;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import io.axiom.core.api.EventView;
import io.axiom.core.api.Violation;
import io.axiom.core.api.VerificationReport;
import org.agrona.DirectBuffer;

/**
 * What a verify found, as it finds it: every violation is counted, the first {@link VerificationReport#MAX_LISTED}
 * are kept, so that a badly damaged log cannot make verify run out of memory. Off the hot path: it allocates per
 * violation.
 */
final class Violations
{
    private final List<Violation> listed = new ArrayList<>();
    private long count;

    /**
     * @param kind       what promise is broken.
     * @param workflowId the workflow, or {@link Violation#NONE}.
     * @param stepIndex  the step, or {@link Violation#NONE}.
     * @param position   where in the log.
     * @param detail     what is wrong.
     */
    void add(
        final Violation.Kind kind, final long workflowId, final int stepIndex, final long position, final String detail)
    {
        count++;
        if (listed.size() < VerificationReport.MAX_LISTED)
        {
            listed.add(new Violation(kind, workflowId, stepIndex, position, detail));
        }
    }

    /**
     * A violation about one event: its workflow and step are read from the event itself, when it decodes.
     */
    void addForEvent(
        final Violation.Kind kind,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final int version,
        final long position,
        final String detail)
    {
        if (listed.size() >= VerificationReport.MAX_LISTED)
        {
            count++; // counted, not listed: no need to decode the event
            return;
        }
        long workflowId = Violation.NONE;
        int stepIndex = Violation.NONE;
        try
        {
            final EventView event = EventDescriber.describe(buffer, offset, length, type, version, position, 0, 0);
            workflowId = event.workflowId() > 0 ? event.workflowId() : Violation.NONE;
            if (event.fields().get("step_index") instanceof Integer step)
            {
                stepIndex = step;
            }
        }
        catch (final RuntimeException ignore)
        {
            // an event that does not decode names no workflow; the detail says what is wrong with it
        }
        add(kind, workflowId, stepIndex, position, detail);
    }

    long count()
    {
        return count;
    }

    /**
     * @return the violations kept, in log order (end-of-log findings at the position they name).
     */
    List<Violation> inLogOrder()
    {
        final List<Violation> sorted = new ArrayList<>(listed);
        sorted.sort(Comparator.comparingLong(Violation::position));
        return sorted;
    }
}
