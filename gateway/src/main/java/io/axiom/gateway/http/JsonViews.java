package io.axiom.gateway.http;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;

import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.RawJson;
import io.axiom.core.api.StepKind;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.StepView;
import io.axiom.core.api.WorkflowView;

/**
 * Renders engine views as the JSON documents of the REST contract: snake_case, ids as decimal strings, times as
 * ISO-8601 UTC with milliseconds, client JSON (input, output) embedded as JSON, not quoted.
 */
public final class JsonViews
{
    private static final JsonFactory FACTORY = RequestParser.MAPPER.getFactory();
    private static final DateTimeFormatter ISO =
        DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private JsonViews()
    {
    }

    /**
     * @param epochMs milliseconds since the epoch.
     * @return ISO-8601 UTC, e.g. {@code 2026-01-02T03:04:05.678Z}.
     */
    public static String isoTime(final long epochMs)
    {
        return ISO.format(Instant.ofEpochMilli(epochMs));
    }

    /**
     * @param workflow a workflow.
     * @return its JSON document.
     */
    public static byte[] workflow(final WorkflowView workflow)
    {
        return render(g -> writeWorkflow(g, workflow));
    }

    /**
     * @param list   a page of workflows.
     * @param offset the page's offset.
     * @param limit  the page's size limit.
     * @return {@code {"workflows":[...],"total":N,"total_exact":true,"offset":O,"limit":L,"next_offset":M}},
     * next_offset null on the last page (a page is cut to the engine's reply budget, and to the search's work budget,
     * as well as to the limit); total_exact false when the search's work budget ended before every match was counted,
     * total then being a lower bound.
     */
    public static byte[] list(final EngineReply.WorkflowList list, final int offset, final int limit)
    {
        return render(g ->
        {
            g.writeStartObject();
            g.writeArrayFieldStart("workflows");
            for (final WorkflowView w : list.workflows())
            {
                writeWorkflow(g, w);
            }
            g.writeEndArray();
            g.writeNumberField("total", list.total());
            g.writeBooleanField("total_exact", list.totalExact());
            g.writeNumberField("offset", offset);
            g.writeNumberField("limit", limit);
            if (list.nextOffset() >= 0)
            {
                g.writeNumberField("next_offset", list.nextOffset());
            }
            else
            {
                g.writeNullField("next_offset");
            }
            g.writeEndObject();
        });
    }

    /**
     * @param events a workflow's events.
     * @return {@code {"workflow_id":"1","total":N,"events":[{"position","sequence","type","timestamp",...}],
     * "next_after":P}}: ask for the next page with {@code ?after=P}; null on the last page.
     */
    public static byte[] events(final EngineReply.Events events)
    {
        return render(g ->
        {
            g.writeStartObject();
            g.writeStringField("workflow_id", Long.toString(events.workflowId()));
            g.writeNumberField("total", events.total());
            g.writeArrayFieldStart("events");
            for (final EventView e : events.events())
            {
                writeEvent(g, e);
            }
            g.writeEndArray();
            if (events.nextAfter() >= 0)
            {
                g.writeNumberField("next_after", events.nextAfter());
            }
            else
            {
                g.writeNullField("next_after");
            }
            g.writeEndObject();
        });
    }

    /**
     * @param event one event, of any workflow.
     * @return {@code {"position","sequence","type","timestamp","workflow_id",...fields}}: an event as in the events
     * documents, with its workflow's id (a decimal string) as well.
     */
    public static byte[] event(final EventView event)
    {
        return render(g -> writeEvent(g, event, true));
    }

    /**
     * @param replay a workflow rebuilt from its events.
     * @return {@code {"workflow_id","matches_live","steps":[{"event":{...},"state":{...workflow}}],"live":{...}}}.
     */
    public static byte[] replay(final EngineReply.Replay replay)
    {
        return render(g ->
        {
            g.writeStartObject();
            g.writeStringField("workflow_id", Long.toString(replay.workflowId()));
            g.writeBooleanField("matches_live", replay.matchesLive());
            g.writeArrayFieldStart("steps");
            for (final io.axiom.core.api.ReplayStep step : replay.steps())
            {
                g.writeStartObject();
                g.writeFieldName("event");
                writeEvent(g, step.event());
                g.writeFieldName("state");
                writeWorkflow(g, step.after());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeFieldName("live");
            writeWorkflow(g, replay.live());
            g.writeEndObject();
        });
    }

    /**
     * @param tasks task queues per step name.
     * @return {@code {"queues":[{"step","queued","leased","workers","oldest_queued_age_ms"}],"queued":N,"leased":M}}.
     */
    public static byte[] tasks(final EngineReply.TaskQueues tasks)
    {
        return render(g ->
        {
            long queued = 0;
            long leased = 0;
            g.writeStartObject();
            g.writeArrayFieldStart("queues");
            for (final io.axiom.core.api.TaskQueue queue : tasks.queues())
            {
                g.writeStartObject();
                g.writeStringField("step", queue.stepName());
                g.writeNumberField("queued", queue.queued());
                g.writeNumberField("leased", queue.leased());
                g.writeNumberField("workers", queue.workers());
                final long age = queue.oldestQueuedAgeMs(System.currentTimeMillis());
                if (age >= 0)
                {
                    g.writeNumberField("oldest_queued_age_ms", age);
                }
                else
                {
                    g.writeNullField("oldest_queued_age_ms");
                }
                g.writeEndObject();
                queued += queue.queued();
                leased += queue.leased();
            }
            g.writeEndArray();
            g.writeNumberField("queued", queued);
            g.writeNumberField("leased", leased);
            g.writeEndObject();
        });
    }

    /**
     * @param tasks tasks dealt to a fetch.
     * @return {@code {"tasks":[{"task_id","workflow_id","step_index","step","attempt","fencing_token",
     * "lease_expires_at","attempt_deadline","idempotency_key","input"}]}}: ids as decimal strings, times ISO-8601 UTC,
     * the input embedded as JSON.
     */
    public static byte[] fetchedTasks(final List<WorkerTasks.Task> tasks)
    {
        return render(g ->
        {
            g.writeStartObject();
            g.writeArrayFieldStart("tasks");
            for (final WorkerTasks.Task t : tasks)
            {
                g.writeStartObject();
                g.writeStringField("task_id", Long.toString(t.taskId()));
                g.writeStringField("workflow_id", Long.toString(t.workflowId()));
                g.writeNumberField("step_index", t.stepIndex());
                g.writeStringField("step", t.step());
                g.writeNumberField("attempt", t.attempt());
                g.writeNumberField("fencing_token", t.fencingToken());
                g.writeStringField("lease_expires_at", isoTime(t.leaseExpiresAt()));
                g.writeStringField("attempt_deadline", isoTime(t.attemptDeadline()));
                g.writeStringField("idempotency_key", t.idempotencyKey());
                g.writeFieldName("input");
                writeRaw(g, t.inputJson());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        });
    }

    /**
     * @param taskId       the task.
     * @param fencingToken the token the request carried.
     * @param status       ACCEPTED (a completion or failure the engine recorded) or RECEIVED (a heartbeat).
     * @return {@code {"task_id","fencing_token","status"}}.
     */
    public static byte[] taskOutcome(final long taskId, final long fencingToken, final String status)
    {
        return render(g ->
        {
            g.writeStartObject();
            g.writeStringField("task_id", Long.toString(taskId));
            g.writeNumberField("fencing_token", fencingToken);
            g.writeStringField("status", status);
            g.writeEndObject();
        });
    }

    /**
     * Write one event: position, sequence, type, ISO timestamp, then the event's own fields.
     *
     * @param g generator positioned where a value may go.
     * @param e the event.
     * @throws IOException if the generator fails.
     */
    static void writeEvent(final JsonGenerator g, final EventView e) throws IOException
    {
        writeEvent(g, e, false);
    }

    private static void writeEvent(final JsonGenerator g, final EventView e, final boolean withWorkflowId)
        throws IOException
    {
        g.writeStartObject();
        g.writeNumberField("position", e.position());
        g.writeNumberField("sequence", e.sequence());
        g.writeStringField("type", e.type());
        g.writeStringField("timestamp", isoTime(e.timestamp()));
        if (withWorkflowId && !e.fields().containsKey("workflow_id"))
        {
            g.writeStringField("workflow_id", Long.toString(e.workflowId()));
        }
        for (final Map.Entry<String, Object> f : e.fields().entrySet())
        {
            final String name = f.getKey();
            if ("position".equals(name) || "sequence".equals(name) || "type".equals(name) ||
                "timestamp".equals(name))
            {
                continue;
            }
            g.writeFieldName(name);
            writeValue(g, name, f.getValue());
        }
        g.writeEndObject();
    }

    /**
     * @param problem  the refusal.
     * @param instance the request path it refers to, or null.
     * @return an RFC 9457 problem document with an extra {@code code} member.
     */
    public static byte[] problem(final ApiProblem problem, final String instance)
    {
        RequestLog.rendering(problem);
        return render(g ->
        {
            g.writeStartObject();
            g.writeStringField("type", "urn:axiom:problem:" +
                problem.code().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            g.writeStringField("title", problem.title());
            g.writeNumberField("status", problem.status());
            g.writeStringField("detail", problem.detail());
            if (null != instance)
            {
                g.writeStringField("instance", instance);
            }
            g.writeStringField("code", problem.code());
            for (final Map.Entry<String, Object> member : problem.members().entrySet())
            {
                g.writeFieldName(member.getKey());
                writeValue(g, member.getKey(), member.getValue());
            }
            g.writeEndObject();
        });
    }

    /**
     * @param fields name/value pairs, values being String, numbers or Boolean.
     * @return a flat JSON object.
     */
    public static byte[] object(final Map<String, Object> fields)
    {
        return render(g ->
        {
            g.writeStartObject();
            for (final Map.Entry<String, Object> f : fields.entrySet())
            {
                g.writeFieldName(f.getKey());
                writeValue(g, f.getKey(), f.getValue());
            }
            g.writeEndObject();
        });
    }

    /**
     * @param value an event field value.
     * @return the value for a one-line human listing: a plain word as is, anything else as compact JSON.
     */
    public static String text(final Object value)
    {
        if (value instanceof String s && !s.isEmpty() && s.matches("[A-Za-z0-9_.:/@+-]+"))
        {
            return s;
        }
        return new String(render(g -> writeValue(g, "", value)), java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void writeWorkflow(final JsonGenerator g, final WorkflowView w) throws IOException
    {
        g.writeStartObject();
        g.writeStringField("id", Long.toString(w.id()));
        g.writeStringField("name", w.name());
        g.writeStringField("state", w.state());
        g.writeStringField("current_step", w.currentStepName());
        if (w.currentStep() >= 0)
        {
            g.writeNumberField("current_step_index", w.currentStep());
        }
        else
        {
            g.writeNullField("current_step_index");
        }
        g.writeArrayFieldStart("steps");
        for (final StepView s : w.steps())
        {
            writeStep(g, s);
        }
        g.writeEndArray();
        g.writeFieldName("input");
        writeRaw(g, w.inputJson());
        g.writeStringField("idempotency_key", w.idempotencyKey());
        g.writeStringField("created_at", isoTime(w.createdAt()));
        g.writeStringField("updated_at", isoTime(w.updatedAt()));
        g.writeNumberField("event_count", w.eventCount());
        if (w.wakeAt() != 0)
        {
            g.writeStringField("wake_at", isoTime(w.wakeAt()));
        }
        g.writeStringField("reason", w.reason());
        if (w.outputsOmitted())
        {
            g.writeBooleanField("outputs_omitted", true);
        }
        g.writeEndObject();
    }

    private static void writeStep(final JsonGenerator g, final StepView s) throws IOException
    {
        g.writeStartObject();
        g.writeNumberField("index", s.index());
        g.writeStringField("name", s.name());
        g.writeStringField("type", s.kind().wireName());
        g.writeStringField("status", s.status());
        g.writeNumberField("attempts", s.attempts());
        if (s.completedAt() != 0)
        {
            g.writeStringField("completed_at", isoTime(s.completedAt()));
        }
        else
        {
            g.writeNullField("completed_at");
        }
        g.writeFieldName("output");
        writeRaw(g, s.outputJson());

        final StepSpec spec = s.spec();
        if (null != spec)
        {
            if (s.kind() == StepKind.TIMER)
            {
                g.writeNumberField("duration_ms", spec.durationMs());
            }
            else if (s.kind() == StepKind.TASK)
            {
                if (spec.timeoutMs() != 0)
                {
                    g.writeNumberField("timeout_ms", spec.timeoutMs());
                }
                g.writeObjectFieldStart("retry");
                g.writeNumberField("max_attempts", spec.maxAttempts());
                g.writeNumberField("backoff_ms", spec.backoffMs());
                g.writeNumberField("max_backoff_ms", spec.maxBackoffMs());
                g.writeNumberField("multiplier", spec.multiplier());
                g.writeEndObject();
            }
        }
        g.writeEndObject();
    }

    private static void writeRaw(final JsonGenerator g, final String json) throws IOException
    {
        if (null == json || json.isEmpty())
        {
            g.writeNull();
        }
        else
        {
            g.writeRawValue(json);
        }
    }

    private static void writeValue(final JsonGenerator g, final String name, final Object value) throws IOException
    {
        switch (value)
        {
            case null -> g.writeNull();
            case RawJson raw -> writeRaw(g, raw.json());
            case String s -> g.writeString(s);
            case Long l when "workflow_id".equals(name) -> g.writeString(Long.toString(l));
            case Long l -> g.writeNumber(l);
            case Integer i -> g.writeNumber(i);
            case Double d -> g.writeNumber(d);
            case Float f -> g.writeNumber(f);
            case Boolean b -> g.writeBoolean(b);
            case List<?> list ->
            {
                g.writeStartArray();
                for (final Object item : list)
                {
                    writeValue(g, "", item);
                }
                g.writeEndArray();
            }
            case Map<?, ?> map ->
            {
                g.writeStartObject();
                for (final Map.Entry<?, ?> e : map.entrySet())
                {
                    final String key = String.valueOf(e.getKey());
                    g.writeFieldName(key);
                    writeValue(g, key, e.getValue());
                }
                g.writeEndObject();
            }
            default -> g.writeString(value.toString());
        }
    }

    @FunctionalInterface
    private interface Writer
    {
        void write(JsonGenerator generator) throws IOException;
    }

    private static byte[] render(final Writer writer)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream(512);
        try (JsonGenerator g = FACTORY.createGenerator(out))
        {
            writer.write(g);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        return out.toByteArray();
    }
}
