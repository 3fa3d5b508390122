package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.math.BigDecimal;
import java.math.MathContext;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Renders the REST API's JSON documents as text for people: tables with aligned columns, every time as ISO-8601 UTC
 * with milliseconds (as the server sends created and updated times; event fields such as {@code lease_expires_at},
 * {@code attempt_deadline} and {@code deadline}, which the API gives in epoch milliseconds, are converted),
 * {@code -} for nothing. {@code --json} bypasses all of this.
 */
final class Views
{
    private static final Set<String> EVENT_HEADER = Set.of("position", "sequence", "type", "timestamp");
    private static final int MAX_VALUE = 60;
    private static final MathContext SIX_DIGITS = new MathContext(6);
    private static final DateTimeFormatter ISO =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private Views()
    {
    }

    /**
     * @param out      where to print.
     * @param workflow a workflow document.
     */
    static void workflow(final PrintWriter out, final JsonNode workflow)
    {
        final Table fields = new Table("FIELD", "VALUE");
        fields.row("id", text(workflow.get("id")));
        fields.row("name", text(workflow.get("name")));
        fields.row("state", text(workflow.get("state")));
        final JsonNode index = workflow.get("current_step_index");
        fields.row("current step", text(workflow.get("current_step")) +
            (null == index || index.isNull() ? "" : " (index " + index.asText() + ")"));
        fields.row("created at", time(workflow.get("created_at")));
        fields.row("updated at", time(workflow.get("updated_at")));
        if (workflow.hasNonNull("wake_at"))
        {
            fields.row("wake at", time(workflow.get("wake_at")));
        }
        fields.row("events", text(workflow.get("event_count")));
        fields.row("idempotency key", text(workflow.get("idempotency_key")));
        fields.row("reason", text(workflow.get("reason")));
        fields.row("input", clip(text(workflow.get("input"))));
        fields.print(out);

        final JsonNode steps = workflow.path("steps");
        if (steps.isArray() && !steps.isEmpty())
        {
            out.println();
            final Table table = new Table("#", "STEP", "TYPE", "STATUS", "ATTEMPTS", "COMPLETED AT", "OUTPUT");
            for (final JsonNode step : steps)
            {
                table.row(text(step.get("index")), text(step.get("name")), text(step.get("type")),
                    text(step.get("status")), text(step.get("attempts")), time(step.get("completed_at")),
                    clip(text(step.get("output"))));
            }
            table.print(out);
        }
    }

    /**
     * @param out  where to print.
     * @param page {@code {"workflows":[...],"total","offset","limit"}}.
     */
    static void workflowList(final PrintWriter out, final JsonNode page)
    {
        final JsonNode workflows = page.path("workflows");
        final Table table = new Table("ID", "NAME", "STATE", "CURRENT STEP", "EVENTS", "UPDATED AT");
        for (final JsonNode w : workflows)
        {
            table.row(text(w.get("id")), text(w.get("name")), text(w.get("state")), text(w.get("current_step")),
                text(w.get("event_count")), time(w.get("updated_at")));
        }
        table.print(out);
        final long offset = page.path("offset").asLong();
        final String total = page.path("total").asLong() + (page.path("total_exact").asBoolean(true) ? "" : "+");
        out.println(table.size() == 0 ? "no workflows (total " + total + ", offset " + offset + ")" :
            "workflows " + (offset + 1) + "-" + (offset + table.size()) + " of " + total);
        final JsonNode next = page.path("next_offset");
        if (next.isNumber())
        {
            out.println("more: --offset " + next.asLong());
        }
    }

    /**
     * @param out    where to print.
     * @param events {@code {"workflow_id","total","events":[...]}}.
     */
    static void events(final PrintWriter out, final JsonNode events)
    {
        final Table table = new Table("POSITION", "SEQ", "TIME", "EVENT", "FIELDS");
        for (final JsonNode e : events.path("events"))
        {
            table.row(text(e.get("position")), text(e.get("sequence")), time(e.get("timestamp")),
                text(e.get("type")), eventFields(e));
        }
        table.print(out);
        out.println(table.size() + " events of workflow " + text(events.get("workflow_id")) + " (" +
            text(events.get("total")) + " in all)");
        final JsonNode next = events.path("next_after");
        if (next.isNumber())
        {
            out.println("more: --after " + next.asLong());
        }
    }

    /**
     * @param out    where to print.
     * @param replay {@code {"workflow_id","matches_live","steps":[{"event","state"}],"live"}}.
     * @return true when the replayed state equals the live state.
     */
    static boolean replay(final PrintWriter out, final JsonNode replay)
    {
        final Table table = new Table("#", "POSITION", "EVENT", "STEP", "STATE AFTER", "CURRENT STEP");
        int n = 0;
        JsonNode last = null;
        for (final JsonNode step : replay.path("steps"))
        {
            final JsonNode event = step.path("event");
            final JsonNode state = step.path("state");
            table.row(++n, text(event.get("position")), text(event.get("type")), text(event.get("step")),
                text(state.get("state")), text(state.get("current_step")));
            last = state;
        }
        table.print(out);

        final boolean matches = replay.path("matches_live").asBoolean(false);
        final JsonNode live = replay.path("live");
        if (matches)
        {
            out.println("replay of " + n + " events matches the live state: " + text(live.get("state")) +
                ", current step " + text(live.get("current_step")));
        }
        else
        {
            out.println("replay of " + n + " events does NOT match the live state:");
            for (final String difference : differences(last, live))
            {
                out.println("  " + difference);
            }
        }
        return matches;
    }

    /**
     * @param out   where to print.
     * @param tasks {@code {"queues":[{"step","queued","leased","workers","oldest_queued_age_ms"}],"queued","leased"}}.
     */
    static void tasks(final PrintWriter out, final JsonNode tasks)
    {
        final Table table = new Table("STEP", "QUEUED", "LEASED", "WORKERS", "OLDEST QUEUED");
        for (final JsonNode q : tasks.path("queues"))
        {
            final JsonNode age = q.get("oldest_queued_age_ms");
            table.row(text(q.get("step")), text(q.get("queued")), text(q.get("leased")), text(q.get("workers")),
                null == age || age.isNull() ? "-" : age.asLong() + " ms");
        }
        table.print(out);
        out.println("total: " + text(tasks.get("queued")) + " queued, " + text(tasks.get("leased")) + " leased");
    }

    /**
     * Print any JSON document as one {@code path value} line per leaf, objects flattened with dots and arrays of
     * scalars inline; for documents whose shape the CLI does not know (metrics, chaos, verify).
     *
     * @param out  where to print.
     * @param node the document.
     */
    static void flat(final PrintWriter out, final JsonNode node)
    {
        final Table table = new Table("KEY", "VALUE");
        flatten("", node, table);
        table.print(out);
    }

    private static void flatten(final String path, final JsonNode node, final Table table)
    {
        if (node.isObject() && !node.isEmpty())
        {
            final Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext())
            {
                final Map.Entry<String, JsonNode> f = fields.next();
                flatten(path.isEmpty() ? f.getKey() : path + "." + f.getKey(), f.getValue(), table);
            }
        }
        else if (node.isArray() && !node.isEmpty() && !allScalars(node))
        {
            int i = 0;
            for (final JsonNode item : node)
            {
                flatten(path + "[" + i++ + "]", item, table);
            }
        }
        else
        {
            table.row(path.isEmpty() ? "." : path, node.isFloatingPointNumber() ? decimal(node) : text(node));
        }
    }

    private static String decimal(final JsonNode number)
    {
        final BigDecimal value = number.decimalValue().round(SIX_DIGITS).stripTrailingZeros();
        return value.scale() <= 0 ? value.setScale(1).toPlainString() : value.toPlainString();
    }

    private static boolean allScalars(final JsonNode array)
    {
        for (final JsonNode item : array)
        {
            if (item.isContainerNode())
            {
                return false;
            }
        }
        return true;
    }

    private static String eventFields(final JsonNode event)
    {
        final List<String> parts = new ArrayList<>();
        final Iterator<Map.Entry<String, JsonNode>> fields = event.fields();
        while (fields.hasNext())
        {
            final Map.Entry<String, JsonNode> f = fields.next();
            if (!EVENT_HEADER.contains(f.getKey()))
            {
                parts.add(f.getKey() + "=" + (isTime(f.getKey()) ? time(f.getValue()) : clip(text(f.getValue()))));
            }
        }
        return String.join(" ", parts);
    }

    private static List<String> differences(final JsonNode replayed, final JsonNode live)
    {
        final List<String> differences = new ArrayList<>();
        if (null == replayed)
        {
            differences.add("no events were replayed; live state " + text(live.get("state")));
            return differences;
        }
        final Iterator<String> names = live.fieldNames();
        while (names.hasNext())
        {
            final String name = names.next();
            final JsonNode a = replayed.get(name);
            if (null == a || !a.equals(live.get(name)))
            {
                differences.add(name + ": replay " + clip(text(a)) + ", live " + clip(text(live.get(name))));
            }
        }
        if (differences.isEmpty())
        {
            differences.add("the server reports a difference the JSON views do not show (compare with --json)");
        }
        return differences;
    }

    /**
     * @param name a field name.
     * @return true for the fields that hold a point in time.
     */
    static boolean isTime(final String name)
    {
        return name.endsWith("_at") || name.endsWith("deadline") || "timestamp".equals(name);
    }

    /**
     * @param node a point in time: epoch milliseconds (0 for none), or a string the server already rendered, or null.
     * @return ISO-8601 UTC with milliseconds, e.g. {@code 2026-01-02T03:04:05.678Z}; {@code -} for none.
     */
    static String time(final JsonNode node)
    {
        if (null != node && node.isIntegralNumber())
        {
            return node.asLong() <= 0 ? "-" : ISO.format(Instant.ofEpochMilli(node.asLong()));
        }
        return text(node);
    }

    /**
     * @param node a JSON value, or null.
     * @return a string as is, null as {@code -}, anything else as compact JSON.
     */
    static String text(final JsonNode node)
    {
        if (null == node || node.isNull() || node.isMissingNode())
        {
            return "-";
        }
        return node.isTextual() ? node.asText() : node.toString();
    }

    private static String clip(final String text)
    {
        return text.length() <= MAX_VALUE ? text : text.substring(0, MAX_VALUE - 3) + "...";
    }
}
