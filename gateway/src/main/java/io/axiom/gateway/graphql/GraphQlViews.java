package io.axiom.gateway.graphql;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.axiom.core.Engine;
import io.axiom.core.EngineCounters;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.EventView;
import io.axiom.core.api.StepView;
import io.axiom.core.api.TaskQueue;
import io.axiom.core.api.WorkflowView;
import io.axiom.gateway.http.Gateway;
import io.axiom.gateway.http.JsonViews;
import io.axiom.gateway.http.WorkerTasks;

/**
 * Engine views as the maps GraphQL resolves fields from (field name to value), named as the schema names them:
 * snake_case like the REST documents, ids as decimal strings, times as ISO-8601 UTC, client JSON as JSON trees.
 */
final class GraphQlViews
{
    /** Event types after which a workflow has no more events. */
    static final Set<String> TERMINAL_EVENTS = Set.of("WorkflowCompleted", "WorkflowFailed", "WorkflowCancelled");

    private static final Set<String> EVENT_OWN_FIELDS = Set.of("step", "step_index");
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private GraphQlViews()
    {
    }

    static Map<String, Object> workflow(final WorkflowView w)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", Long.toString(w.id()));
        view.put("name", w.name());
        view.put("state", w.state());
        final List<String> stepNames = new ArrayList<>(w.steps().size());
        final List<Map<String, Object>> details = new ArrayList<>(w.steps().size());
        for (final StepView s : w.steps())
        {
            stepNames.add(s.name());
            details.add(step(s));
        }
        view.put("steps", stepNames);
        view.put("current_step", w.currentStepName());
        view.put("current_step_index", w.currentStep() >= 0 ? w.currentStep() : null);
        view.put("step_details", details);
        view.put("input", JsonScalar.ofEngine(w.inputJson()));
        view.put("idempotency_key", w.idempotencyKey());
        view.put("created_at", JsonViews.isoTime(w.createdAt()));
        view.put("updated_at", JsonViews.isoTime(w.updatedAt()));
        view.put("event_count", w.eventCount());
        view.put("wake_at", w.wakeAt() != 0 ? JsonViews.isoTime(w.wakeAt()) : null);
        view.put("reason", w.reason());
        view.put("outputs_omitted", w.outputsOmitted());
        return view;
    }

    /**
     * @param t a task dealt to a fetch.
     * @return its view, named as the schema's Task.
     */
    static Map<String, Object> task(final WorkerTasks.Task t)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("task_id", Long.toString(t.taskId()));
        view.put("workflow_id", Long.toString(t.workflowId()));
        view.put("step_index", t.stepIndex());
        view.put("step", t.step());
        view.put("attempt", t.attempt());
        view.put("fencing_token", t.fencingToken());
        view.put("lease_expires_at", JsonViews.isoTime(t.leaseExpiresAt()));
        view.put("attempt_deadline", JsonViews.isoTime(t.attemptDeadline()));
        view.put("idempotency_key", t.idempotencyKey());
        view.put("input", JsonScalar.ofEngine(t.inputJson()));
        return view;
    }

    /**
     * @param taskId       the task.
     * @param fencingToken the token the request carried.
     * @param status       ACCEPTED or RECEIVED.
     * @return the view of a TaskOutcome.
     */
    static Map<String, Object> taskOutcome(final long taskId, final long fencingToken, final String status)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("task_id", Long.toString(taskId));
        view.put("fencing_token", fencingToken);
        view.put("status", status);
        return view;
    }

    private static Map<String, Object> step(final StepView s)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("index", s.index());
        view.put("name", s.name());
        view.put("type", s.kind().name());
        view.put("status", s.status());
        view.put("attempts", s.attempts());
        view.put("completed_at", s.completedAt() != 0 ? JsonViews.isoTime(s.completedAt()) : null);
        view.put("output", JsonScalar.ofEngine(s.outputJson()));
        return view;
    }

    /**
     * @param e         an event.
     * @param stepNames the workflow's step names, to name the step of an event that carries only its index; or null.
     * @return the event as the schema's {@code WorkflowEvent}.
     */
    static Map<String, Object> event(final EventView e, final String[] stepNames)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("workflow_id", Long.toString(e.workflowId()));
        view.put("position", e.position());
        view.put("sequence", e.sequence());
        view.put("type", e.type());
        view.put("timestamp", JsonViews.isoTime(e.timestamp()));
        final Object index = e.fields().get("step_index");
        Object step = e.fields().get("step");
        if (null == step && index instanceof Integer i && null != stepNames && i >= 0 && i < stepNames.length)
        {
            step = stepNames[i];
        }
        view.put("step", step);
        view.put("step_index", index);
        final ObjectNode data = NODES.objectNode();
        for (final Map.Entry<String, Object> f : e.fields().entrySet())
        {
            if (!EVENT_OWN_FIELDS.contains(f.getKey()))
            {
                final Object value = f.getValue();
                data.set(f.getKey(), "workflow_id".equals(f.getKey()) && value instanceof Long l ?
                    NODES.textNode(Long.toString(l)) : JsonScalar.toTree(value));
            }
        }
        view.put("data", data);
        return view;
    }

    static List<Map<String, Object>> events(final EngineReply.Events events)
    {
        final List<Map<String, Object>> views = new ArrayList<>(events.events().size());
        for (final EventView e : events.events())
        {
            views.add(event(e, null));
        }
        return views;
    }

    static Map<String, Object> tasks(final List<TaskQueue> queues)
    {
        long queued = 0;
        long leased = 0;
        final List<Map<String, Object>> views = new ArrayList<>(queues.size());
        for (final TaskQueue q : queues)
        {
            final Map<String, Object> queue = new LinkedHashMap<>();
            queue.put("step", q.stepName());
            queue.put("queued", q.queued());
            queue.put("leased", q.leased());
            queue.put("workers", q.workers());
            final long age = q.oldestQueuedAgeMs(System.currentTimeMillis());
            queue.put("oldest_queued_age_ms", age >= 0 ? age : null);
            views.add(queue);
            queued += q.queued();
            leased += q.leased();
        }
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("queues", views);
        view.put("queued", queued);
        view.put("leased", leased);
        return view;
    }

    static Map<String, Object> metrics(final Engine engine)
    {
        final EngineCounters c = engine.counters();
        final List<Map<String, Object>> byState = new ArrayList<>();
        for (final String state : Gateway.STATES.stream().sorted().toList())
        {
            byState.add(Map.of("state", state, "count", c.workflowsInState(state)));
        }
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("workflows", c.workflowCount());
        view.put("workflows_by_state", byState);
        view.put("events_appended", c.eventCount());
        view.put("events_released", c.eventsReleased());
        view.put("fsyncs", c.fsyncCount());
        view.put("fsync_max_ms", c.fsyncNanosMax() / 1_000_000.0);
        view.put("ring_occupancy", c.ringOccupancy());
        view.put("ring_size", engine.context().ringSize());
        view.put("tasks_queued", c.tasksQueued());
        view.put("timers", c.timerCount());
        view.put("journal_position", c.journalPosition());
        view.put("batches", c.batchCount());
        view.put("commands", c.commandCount());
        view.put("max_batch_size", c.maxBatchSize());
        view.put("snapshots", c.snapshotCount());
        return view;
    }

    static Map<String, Object> health(final Engine engine)
    {
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("status", "UP");
        final Throwable failure = engine.failure();
        if (null != failure)
        {
            view.put("engine", "FAILED");
            view.put("detail", null == failure.getMessage() ? failure.getClass().getName() : failure.getMessage());
        }
        else if (engine.isReady())
        {
            view.put("engine", "READY");
        }
        else
        {
            view.put("engine", "RECOVERING");
            view.put("detail", "the engine is recovering its journal");
        }
        view.put("ready", engine.isReady());
        return view;
    }
}
