package io.axiom.core.api;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What verify found: how much of the log it read, the digest of the state the log builds, the live state's digest at
 * the same point when a running server was verified, and every violation (the first {@link #MAX_LISTED} listed,
 * all counted). {@link #toJson()} is the one JSON form (REST, GraphQL, {@code axiom verify --json}) and
 * {@link #toText()} the one form for people.
 *
 * @param dataDir          the data directory read.
 * @param eventsRead       records of complete units read and replayed.
 * @param workflows        workflows the log created.
 * @param workflowsByState workflows per state after the replay, states with none left out, in the order CREATED,
 *                         RUNNING, WAITING, COMPLETED, FAILED, CANCELLED.
 * @param firstPosition    position of the first record read, -1 when none.
 * @param lastPosition     position of the last record read, -1 when none.
 * @param endPosition      where the verified log ends: just past the last record read (live: the consistent point).
 * @param digest           digest of the state the replay built (equal states have equal digests).
 * @param live             the live state at the consistent point, null for an offline verify.
 * @param durationNanos    how long the verify took, reading and replaying included.
 * @param violationCount   violations found, listed or not.
 * @param violations       the first {@link #MAX_LISTED} violations in log order.
 */
public record VerificationReport(
    String dataDir,
    long eventsRead,
    long workflows,
    Map<String, Long> workflowsByState,
    long firstPosition,
    long lastPosition,
    long endPosition,
    long digest,
    Live live,
    long durationNanos,
    long violationCount,
    List<Violation> violations)
{
    /** Most violations a report lists; the rest are counted. */
    public static final int MAX_LISTED = 1000;

    /**
     * The live state a live verify compared with.
     *
     * @param position           the consistent point: the log was replayed up to here.
     * @param digest             the live state's digest at that point.
     * @param processorHoldNanos how long the processor spent reading that point (the only time a live verify holds
     *                           it; reading and replaying the log run on the caller's thread).
     */
    public record Live(long position, long digest, long processorHoldNanos)
    {
    }

    public VerificationReport
    {
        workflowsByState = Map.copyOf(workflowsByState);
        violations = List.copyOf(violations);
    }

    /**
     * @return true when no violation was found (for a live verify this includes a matching digest).
     */
    public boolean ok()
    {
        return 0 == violationCount;
    }

    /**
     * @return for a live verify, whether the replayed state equals the live one; null for an offline verify.
     */
    public Boolean consistent()
    {
        return null == live ? null : live.digest() == digest;
    }

    /**
     * @param digest a state digest.
     * @return how reports print it: 16 hex digits (JSON numbers lose 64-bit precision in many clients).
     */
    public static String hex(final long digest)
    {
        return String.format(Locale.ROOT, "0x%016x", digest);
    }

    /**
     * @return the report as one JSON object, keys in a stable order.
     */
    public String toJson()
    {
        final StringBuilder json = new StringBuilder(512 + violations.size() * 160).append('{');
        field(json, "ok").append(ok());
        field(json, "mode").append(null == live ? "\"offline\"" : "\"live\"");
        field(json, "consistent").append(null == live ? "null" : String.valueOf(consistent()));
        string(field(json, "data_dir"), dataDir);
        field(json, "events_read").append(eventsRead);
        field(json, "workflows").append(workflows);
        field(json, "workflows_by_state").append('{');
        boolean first = true;
        for (final Map.Entry<String, Long> state : orderedStates().entrySet())
        {
            if (!first)
            {
                json.append(',');
            }
            first = false;
            string(json, state.getKey()).append(':').append(state.getValue());
        }
        json.append('}');
        field(json, "first_position").append(firstPosition);
        field(json, "last_position").append(lastPosition);
        field(json, "end_position").append(endPosition);
        string(field(json, "digest"), hex(digest));
        field(json, "live");
        if (null == live)
        {
            json.append("null");
        }
        else
        {
            json.append('{');
            field(json, "position", false).append(live.position());
            string(field(json, "digest"), hex(live.digest()));
            field(json, "processor_hold_us").append(micros(live.processorHoldNanos()));
            json.append('}');
        }
        field(json, "duration_ms").append(millis(durationNanos));
        field(json, "violation_count").append(violationCount);
        field(json, "violations").append('[');
        for (int i = 0; i < violations.size(); i++)
        {
            final Violation v = violations.get(i);
            json.append(i == 0 ? "{" : ",{");
            string(field(json, "kind", false), v.kind().name());
            field(json, "workflow_id").append(Violation.NONE == v.workflowId() ? "null" : v.workflowId());
            field(json, "step_index").append(Violation.NONE == v.stepIndex() ? "null" : v.stepIndex());
            field(json, "position").append(v.position());
            string(field(json, "detail"), v.detail());
            json.append('}');
        }
        return json.append("]}").toString();
    }

    /**
     * @return the report for people: one finding a line, each violation naming its position, workflow and step,
     * and a last line {@code OK} or {@code VIOLATIONS}.
     */
    public String toText()
    {
        final StringBuilder text = new StringBuilder(512 + violations.size() * 160);
        text.append("verify: ").append(dataDir).append(null == live ? " (offline, read-only)" :
            " (live, up to the consistent point at position " + live.position() + ")").append('\n');
        text.append("events read: ").append(eventsRead);
        if (eventsRead > 0)
        {
            text.append(" (positions ").append(firstPosition).append(" to ").append(lastPosition).append(')');
        }
        text.append(", log verified up to position ").append(endPosition).append('\n');
        text.append("workflows: ").append(workflows);
        if (!workflowsByState.isEmpty())
        {
            text.append(" (");
            boolean first = true;
            for (final Map.Entry<String, Long> state : orderedStates().entrySet())
            {
                text.append(first ? "" : ", ").append(state.getKey()).append(' ').append(state.getValue());
                first = false;
            }
            text.append(')');
        }
        text.append('\n');
        text.append("state digest: ").append(hex(digest)).append('\n');
        if (null != live)
        {
            text.append("live state: digest ").append(hex(live.digest()))
                .append(consistent() ? ", consistent with the log" : ", DIFFERENT from the replay of the log")
                .append("; the processor was held ").append(micros(live.processorHoldNanos()))
                .append(" us to read it\n");
        }
        text.append("duration: ").append(millis(durationNanos)).append(" ms\n");
        if (0 == violationCount)
        {
            text.append("violations: none\n");
        }
        else
        {
            text.append("violations: ").append(violationCount);
            if (violationCount > violations.size())
            {
                text.append(" (the first ").append(violations.size()).append(" listed)");
            }
            text.append('\n');
            for (final Violation v : violations)
            {
                text.append("  ").append(v.line()).append('\n');
            }
        }
        return text.append(ok() ? "OK" : "VIOLATIONS").append('\n').toString();
    }

    private Map<String, Long> orderedStates()
    {
        final Map<String, Long> ordered = new LinkedHashMap<>();
        for (final String state : List.of("CREATED", "RUNNING", "WAITING", "COMPLETED", "FAILED", "CANCELLED"))
        {
            final Long count = workflowsByState.get(state);
            if (null != count && count > 0)
            {
                ordered.put(state, count);
            }
        }
        return ordered;
    }

    private static String micros(final long nanos)
    {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e3);
    }

    private static String millis(final long nanos)
    {
        return String.format(Locale.ROOT, "%.1f", nanos / 1e6);
    }

    private static StringBuilder field(final StringBuilder json, final String name)
    {
        return field(json, name, json.charAt(json.length() - 1) != '{');
    }

    private static StringBuilder field(final StringBuilder json, final String name, final boolean comma)
    {
        if (comma)
        {
            json.append(',');
        }
        return string(json, name).append(':');
    }

    private static StringBuilder string(final StringBuilder json, final String value)
    {
        json.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default ->
                {
                    if (c < 0x20)
                    {
                        json.append(String.format(Locale.ROOT, "\\u%04x", (int)c));
                    }
                    else
                    {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"');
    }
}
