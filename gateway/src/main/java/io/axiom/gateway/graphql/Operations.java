package io.axiom.gateway.graphql;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import graphql.schema.DataFetcher;
import graphql.schema.DataFetchingEnvironment;
import org.reactivestreams.Publisher;

import io.axiom.core.Engine;
import io.axiom.gateway.chaos.ChaosRefused;
import io.axiom.gateway.chaos.ChaosRunner;
import io.axiom.core.EngineClient;
import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.WorkflowQuery;
import io.axiom.core.api.RawJson;
import io.axiom.core.api.StepKind;
import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.EngineProblems;
import io.axiom.gateway.http.GatewaySettings;
import io.axiom.gateway.http.RequestParser;
import io.axiom.gateway.http.WorkerTasks;
import io.axiom.gateway.http.WorkflowSearchParams;

/**
 * The root fields of the schema: each one a blocking call through {@link EngineClient} (reads go through the
 * engine's ring like writes, so an answer is consistent with every write acknowledged before it), run on the
 * caller's virtual thread. Arguments are checked by the REST API's own {@link RequestParser}, so both APIs refuse the
 * same input the same way, before anything reaches the engine.
 */
final class Operations
{
    /** GraphQL context key naming the transport an operation arrived on: {@link #HTTP} or {@link #WEBSOCKET}. */
    static final String TRANSPORT = "axiom.transport";
    /** Operation came as an HTTP POST. */
    static final String HTTP = "http";
    /** Operation came over the WebSocket. */
    static final String WEBSOCKET = "websocket";

    /** Reason of a create that gives both {@code steps} and {@code typedSteps}. */
    static final String CONFLICTING_ARGUMENTS = "CONFLICTING_ARGUMENTS";

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final System.Logger LOG = System.getLogger(Operations.class.getName());

    private final Engine engine;
    private final EngineClient client;
    private final GatewaySettings settings;
    private final RequestParser parser;
    private final EventFanOut fanOut;
    private final WorkerTasks workerTasks;
    private final ChaosRunner chaos;
    private volatile io.axiom.gateway.cluster.ClusterModule cluster;

    /**
     * @param engine   the engine to serve.
     * @param settings limits and timeouts.
     * @param fanOut   the feed's reader, for subscriptions.
     * @param chaos    the server's chaos runner (refusing every run unless chaos is enabled).
     */
    Operations(final Engine engine, final GatewaySettings settings, final EventFanOut fanOut, final ChaosRunner chaos)
    {
        this.engine = engine;
        this.client = engine.client();
        this.settings = settings;
        this.parser = new RequestParser(settings.maxSteps(), settings.maxNameLength());
        this.fanOut = fanOut;
        this.workerTasks = new WorkerTasks(engine, settings.requestTimeout(), settings.longPolls());
        this.chaos = chaos;
        this.cluster = new io.axiom.gateway.cluster.ClusterModule(null, settings);
    }

    /**
     * @param cluster the server's cluster operations, for {@code cluster} and {@code takeClusterSnapshot} (a single
     *                node's answer NOT_FOUND, reason NOT_CLUSTERED).
     */
    void cluster(final io.axiom.gateway.cluster.ClusterModule cluster)
    {
        this.cluster = cluster;
    }

    /**
     * {@code cluster} and {@code takeClusterSnapshot}: what the REST routes answer, a problem as a GraphQL error with
     * the REST code as its reason.
     */
    @SuppressWarnings("unchecked")
    private Map<String, Object> clusterCall(final java.util.function.Supplier<JsonNode> call)
    {
        try
        {
            return RequestParser.MAPPER.convertValue(call.get(), Map.class);
        }
        catch (final ApiProblem problem)
        {
            final String code = switch (problem.status())
            {
                case 404 -> GraphQlProblem.NOT_FOUND;
                case 409 -> GraphQlProblem.CONFLICT;
                case 503 -> GraphQlProblem.UNAVAILABLE;
                default -> GraphQlProblem.BAD_USER_INPUT;
            };
            throw new GraphQlProblem(code, problem.code(), problem.detail());
        }
    }

    /**
     * {@code runChaos(scenario, duration_ms, seed)}: the run's report, as {@code POST /api/v1/chaos/run} answers it;
     * FORBIDDEN when chaos is off, BAD_USER_INPUT for a bad scenario or duration, CONFLICT during another run.
     */
    private Object runChaos(final graphql.schema.DataFetchingEnvironment env)
    {
        final String scenario = env.getArgument("scenario");
        final Object duration = env.getArgument("duration_ms");
        final Object seed = env.getArgument("seed");
        try
        {
            if (!chaos.enabled())
            {
                chaos.check(scenario, null);
            }
            return chaos.run(scenario, null == duration ? null : ((Number)duration).longValue(),
                null == seed ? null : ((Number)seed).longValue());
        }
        catch (final ChaosRefused refused)
        {
            final String code = switch (refused.status())
            {
                case 403 -> GraphQlProblem.FORBIDDEN;
                case 409 -> GraphQlProblem.CONFLICT;
                default -> GraphQlProblem.BAD_USER_INPUT;
            };
            throw new GraphQlProblem(code, refused.getMessage());
        }
    }

    /**
     * @return fetchers of the Query type by field name.
     */
    Map<String, DataFetcher<?>> queries()
    {
        final Map<String, DataFetcher<?>> fetchers = new LinkedHashMap<>();
        fetchers.put("workflow", env ->
        {
            requireEngine();
            return GraphQlViews.workflow(workflow(client.get(workflowId(env.getArgument("id")),
                settings.requestTimeout()), EngineProblems.Operation.READ, null));
        });
        fetchers.put("workflows", this::workflows);
        fetchers.put("tasks", env -> GraphQlViews.tasks(tasks().queues()));
        fetchers.put("metrics", env -> GraphQlViews.metrics(engine));
        fetchers.put("health", env -> GraphQlViews.health(engine));
        fetchers.put("snapshots", env -> snapshots());
        fetchers.put("cluster", env -> clusterCall(() -> cluster.status()));
        return fetchers;
    }

    /**
     * @return fetchers of the Mutation type by field name.
     */
    Map<String, DataFetcher<?>> mutations()
    {
        final Map<String, DataFetcher<?>> fetchers = new LinkedHashMap<>();
        fetchers.put("createWorkflow", this::create);
        fetchers.put("advanceWorkflow", this::advance);
        fetchers.put("cancelWorkflow", this::cancel);
        fetchers.put("fetchTasks", this::fetchTasks);
        fetchers.put("completeTask", this::completeTask);
        fetchers.put("failTask", this::failTask);
        fetchers.put("heartbeatTask", this::heartbeatTask);
        fetchers.put("runChaos", this::runChaos);
        fetchers.put("verify", this::verify);
        fetchers.put("takeSnapshot", env -> takeSnapshot());
        fetchers.put("takeClusterSnapshot", env -> clusterCall(() -> cluster.takeSnapshot()));
        return fetchers;
    }

    /**
     * @return fetchers of the Subscription type by field name.
     */
    Map<String, DataFetcher<?>> subscriptions()
    {
        final Map<String, DataFetcher<?>> fetchers = new LinkedHashMap<>();
        fetchers.put("workflowEvents", this::workflowEvents);
        fetchers.put("taskUpdates", this::taskUpdates);
        return fetchers;
    }

    /**
     * @return the fetcher of {@code Workflow.events}: one page.
     */
    DataFetcher<?> workflowEventsField()
    {
        return env -> GraphQlViews.events(eventPage(env));
    }

    /**
     * @return the fetcher of {@code Workflow.eventPage}.
     */
    DataFetcher<?> workflowEventPageField()
    {
        return env ->
        {
            final EngineReply.Events events = eventPage(env);
            final Map<String, Object> page = new LinkedHashMap<>();
            page.put("events", GraphQlViews.events(events));
            page.put("total", events.total());
            page.put("next_after", events.nextAfter() >= 0 ? events.nextAfter() : null);
            return page;
        };
    }

    private EngineReply.Events eventPage(final DataFetchingEnvironment env)
    {
        requireEngine();
        final Map<String, Object> source = env.getSource();
        final Long after = env.getArgument("after");
        final Integer limit = env.getArgument("limit");
        if (null != after && after < 0)
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_USER_INPUT, "INVALID_QUERY",
                "after must be a journal position >= 0, got " + after);
        }
        if (null != limit && (limit < 1 || limit > GatewaySettings.MAX_PAGE_SIZE))
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_USER_INPUT, "INVALID_QUERY",
                "limit must be between 1 and " + GatewaySettings.MAX_PAGE_SIZE + ", got " + limit);
        }
        final EngineReply reply = client.events(workflowId(source.get("id")),
            null == after ? EngineClient.NO_POSITION : after,
            null == limit ? GatewaySettings.MAX_PAGE_SIZE : limit, settings.requestTimeout());
        if (reply instanceof EngineReply.Events events)
        {
            return events;
        }
        throw unexpected(reply);
    }

    private Map<String, Object> workflows(final DataFetchingEnvironment env)
    {
        requireEngine();
        final Integer limitArgument = env.getArgument("limit");
        final Integer offsetArgument = env.getArgument("offset");
        final int limit = null == limitArgument ? GatewaySettings.DEFAULT_PAGE_SIZE : limitArgument;
        final int offset = null == offsetArgument ? 0 : offsetArgument;
        final WorkflowQuery query;
        try
        {
            query = WorkflowSearchParams.of(offset, limit, env.getArgument("state"), env.getArgument("name"),
                env.getArgument("namePrefix"), env.getArgument("step"), env.getArgument("createdAfter"),
                env.getArgument("createdBefore"), env.getArgument("sort"), env.getArgument("order"), "namePrefix",
                "createdAfter", "createdBefore");
        }
        catch (final ApiProblem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        final EngineReply reply = client.list(query, settings.requestTimeout());
        if (!(reply instanceof EngineReply.WorkflowList page))
        {
            throw unexpected(reply);
        }
        final Map<String, Object> view = new LinkedHashMap<>();
        view.put("items", page.workflows().stream().map(GraphQlViews::workflow).toList());
        view.put("total", page.total());
        view.put("totalExact", page.totalExact());
        view.put("offset", offset);
        view.put("limit", limit);
        view.put("next_offset", page.nextOffset() >= 0 ? (int)page.nextOffset() : null);
        return view;
    }

    /**
     * {@code createWorkflow}: the arguments become the REST create body, {@code steps} as step names or
     * {@code typedSteps} as step objects with REST's own field names, and the REST parser checks that body; its
     * refusals name {@code typedSteps[i]} where the objects came from there.
     */
    private Map<String, Object> create(final DataFetchingEnvironment env)
    {
        requireEngine();
        final List<String> names = env.getArgument("steps");
        final List<Map<String, Object>> typed = env.getArgument("typedSteps");
        if (null != names && null != typed)
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_USER_INPUT, CONFLICTING_ARGUMENTS, "give the steps once: " +
                "steps (task step names) or typedSteps (step objects of any type), not both");
        }
        if (null == names && null == typed)
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_USER_INPUT, "MISSING_FIELD", "steps or typedSteps is " +
                "required: task step names in steps, or step objects (task, approval, timer) in typedSteps");
        }
        final String key = idempotencyKey(env.getArgument("idempotencyKey"));
        final ObjectNode body = NODES.objectNode();
        body.put("name", (String)env.getArgument("name"));
        final ArrayNode steps = body.putArray("steps");
        if (null != names)
        {
            names.forEach(steps::add);
        }
        else
        {
            typed.forEach(step -> steps.add(stepObject(step)));
        }
        if (env.containsArgument("input"))
        {
            final JsonNode input = env.getArgument("input");
            body.set("input", null == input ? NODES.nullNode() : input);
        }
        final CreateWorkflow command;
        try
        {
            command = parser.parseCreate(bytes(body), key, null != names ? "steps" : "typedSteps");
        }
        catch (final ApiProblem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        return GraphQlViews.workflow(workflow(client.create(command, settings.requestTimeout()),
            EngineProblems.Operation.CREATE, key));
    }

    /**
     * @param step a {@code StepInput} as graphql-java coerced it: field name to value, the type as its enum name.
     * @return the REST API's step object: the same fields, the type as its lower-case wire name.
     */
    private static ObjectNode stepObject(final Map<String, Object> step)
    {
        final ObjectNode object = NODES.objectNode();
        for (final Map.Entry<String, Object> field : step.entrySet())
        {
            final Object value = field.getValue();
            if ("type".equals(field.getKey()) && value instanceof String type)
            {
                object.put("type", StepKind.valueOf(type).wireName());
            }
            else
            {
                object.set(field.getKey(), JsonScalar.MAPPER.valueToTree(value));
            }
        }
        return object;
    }

    private Map<String, Object> advance(final DataFetchingEnvironment env)
    {
        requireEngine();
        final long id = workflowId(env.getArgument("id"));
        final ObjectNode body = NODES.objectNode();
        if (env.containsArgument("output"))
        {
            final JsonNode output = env.getArgument("output");
            body.set("output", null == output ? NODES.nullNode() : output);
        }
        final String expected = env.getArgument("expectedStep");
        if (null != expected)
        {
            body.put("expected_step", expected);
        }
        final Integer index = env.getArgument("expectedStepIndex");
        if (null != index)
        {
            body.put("expected_step_index", index);
        }
        final String key = idempotencyKey(env.getArgument("idempotencyKey"));
        final RequestParser.Advance advance;
        try
        {
            advance = parser.parseAdvance(bytes(body));
        }
        catch (final ApiProblem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        return GraphQlViews.workflow(workflow(client.advance(id, advance.expectedStep(), advance.expectedStepIndex(),
            advance.output(), key, settings.requestTimeout()), EngineProblems.Operation.ADVANCE, key));
    }

    private Map<String, Object> cancel(final DataFetchingEnvironment env)
    {
        requireEngine();
        final long id = workflowId(env.getArgument("id"));
        final ObjectNode body = NODES.objectNode();
        body.put("reason", (String)env.getArgument("reason"));
        final Integer index = env.getArgument("expectedStepIndex");
        if (null != index)
        {
            body.put("expected_step_index", index);
        }
        final String key = idempotencyKey(env.getArgument("idempotencyKey"));
        final RequestParser.Cancel cancel;
        try
        {
            cancel = parser.parseCancel(bytes(body));
        }
        catch (final ApiProblem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        return GraphQlViews.workflow(workflow(client.cancel(id, cancel.reason(), cancel.expectedStepIndex(), key,
            settings.requestTimeout()), EngineProblems.Operation.CANCEL, key));
    }

    private List<Map<String, Object>> fetchTasks(final DataFetchingEnvironment env)
    {
        requireEngine();
        final ObjectNode body = NODES.objectNode();
        final ArrayNode steps = body.putArray("steps");
        final List<String> names = env.getArgument("steps");
        names.forEach(steps::add);
        final Integer maxTasks = env.getArgument("maxTasks");
        if (null != maxTasks)
        {
            body.put("max_tasks", maxTasks);
        }
        final Integer waitMs = env.getArgument("waitMs");
        if (null != waitMs)
        {
            body.put("wait_ms", waitMs);
        }
        final String workerId = env.getArgument("workerId");
        if (null != workerId)
        {
            body.put("worker_id", workerId);
        }
        final RequestParser.Fetch fetch;
        try
        {
            fetch = parser.parseFetch(bytes(body));
        }
        catch (final ApiProblem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        return switch (workerTasks.fetch(fetch))
        {
            case WorkerTasks.Fetched fetched -> fetched.tasks().stream().map(GraphQlViews::task).toList();
            case WorkerTasks.Refused refused -> throw refusal(refused, EngineProblems.Operation.FETCH);
            default -> throw new IllegalStateException("a fetch is answered Fetched or Refused");
        };
    }

    private Map<String, Object> completeTask(final DataFetchingEnvironment env)
    {
        requireEngine();
        final long taskId = taskId(env.getArgument("taskId"));
        final ObjectNode body = tokenBody(env);
        if (env.containsArgument("output"))
        {
            final JsonNode output = env.getArgument("output");
            body.set("output", null == output ? NODES.nullNode() : output);
        }
        final RequestParser.Completion completion;
        try
        {
            completion = parser.parseComplete(bytes(body));
        }
        catch (final ApiProblem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        return outcome(workerTasks.complete(taskId, completion.fencingToken(), completion.output()),
            EngineProblems.Operation.COMPLETE);
    }

    private Map<String, Object> failTask(final DataFetchingEnvironment env)
    {
        requireEngine();
        final long taskId = taskId(env.getArgument("taskId"));
        final ObjectNode body = tokenBody(env);
        final Boolean retryable = env.getArgument("retryable");
        if (null != retryable)
        {
            body.put("retryable", retryable);
        }
        final String error = env.getArgument("error");
        if (null != error)
        {
            body.put("error", error);
        }
        final RequestParser.Failure failure;
        try
        {
            failure = parser.parseFail(bytes(body));
        }
        catch (final ApiProblem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        return outcome(workerTasks.fail(taskId, failure.fencingToken(), failure.retryable(), failure.error()),
            EngineProblems.Operation.FAIL);
    }

    private Map<String, Object> heartbeatTask(final DataFetchingEnvironment env)
    {
        requireEngine();
        final long taskId = taskId(env.getArgument("taskId"));
        final long token;
        try
        {
            token = parser.parseHeartbeat(bytes(tokenBody(env)));
        }
        catch (final ApiProblem problem)
        {
            throw GraphQlProblem.of(problem);
        }
        return outcome(workerTasks.heartbeat(taskId, token), EngineProblems.Operation.READ);
    }

    private static ObjectNode tokenBody(final DataFetchingEnvironment env)
    {
        final ObjectNode body = NODES.objectNode();
        final Long token = env.getArgument("fencingToken");
        body.put("fencing_token", token);
        return body;
    }

    private Map<String, Object> outcome(final WorkerTasks.Outcome outcome, final EngineProblems.Operation operation)
    {
        return switch (outcome)
        {
            case WorkerTasks.Accepted accepted ->
                GraphQlViews.taskOutcome(accepted.taskId(), accepted.fencingToken(), "ACCEPTED");
            case WorkerTasks.Received received ->
                GraphQlViews.taskOutcome(received.taskId(), received.fencingToken(), "RECEIVED");
            case WorkerTasks.Refused refused -> throw refusal(refused, operation);
            default -> throw new IllegalStateException("a completion is answered Accepted, Received or Refused");
        };
    }

    private GraphQlProblem refusal(final WorkerTasks.Refused refused, final EngineProblems.Operation operation)
    {
        final GraphQlProblem problem = GraphQlProblem.of(refused.problem(), operation, null,
            settings.requestTimeout());
        if ("ALREADY_COMMITTED".equals(refused.problem().code()))
        {
            return problem.with("committed_output", JsonScalar.toTree(new RawJson(refused.committedOutput())));
        }
        return problem;
    }

    /**
     * @param raw an ID argument naming a task.
     * @return the task id (its workflow's id).
     * @throws GraphQlProblem NOT_FOUND (reason UNKNOWN_TASK) when it is not a task id at all.
     */
    private static long taskId(final Object raw)
    {
        final String text = String.valueOf(raw);
        if (!text.isEmpty() && text.length() <= 19 && text.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            try
            {
                return Long.parseLong(text);
            }
            catch (final NumberFormatException ignore)
            {
                // falls through to NOT_FOUND
            }
        }
        throw new GraphQlProblem(GraphQlProblem.NOT_FOUND, "UNKNOWN_TASK", "no task with id '" + clip(text) +
            "': task ids are the ids of workflows, non-negative decimal numbers");
    }

    /**
     * The {@code verify} mutation: the same live verify as {@code POST /api/v1/verify}, its report as JSON.
     */
    private JsonNode verify(final DataFetchingEnvironment env)
    {
        requireEngine();
        final EngineReply reply = engine.verifier().verify(settings.requestTimeout());
        if (reply instanceof EngineReply.Verification verification)
        {
            try
            {
                return JsonScalar.MAPPER.readTree(verification.report().toJson());
            }
            catch (final JsonProcessingException ex)
            {
                throw new IllegalStateException("a verify report always renders as JSON", ex);
            }
        }
        if (reply instanceof EngineReply.Problem problem)
        {
            throw GraphQlProblem.of(problem, EngineProblems.Operation.READ, null, settings.requestTimeout());
        }
        throw unexpected(reply);
    }

    /**
     * The {@code snapshots} query: the snapshot files on disk, newest first, as {@code GET /api/v1/snapshots}.
     */
    private java.util.List<Map<String, Object>> snapshots()
    {
        final java.util.List<Map<String, Object>> list = new java.util.ArrayList<>();
        for (final io.axiom.core.api.SnapshotFile file : engine.snapshotFiles())
        {
            final Map<String, Object> one = new LinkedHashMap<>();
            one.put("file", file.file());
            one.put("position", file.position());
            one.put("sequence", file.sequence());
            one.put("bytes", file.bytes());
            one.put("written_at", io.axiom.gateway.http.JsonViews.isoTime(file.writtenAtMs()));
            one.put("startup", file.startup());
            one.put("problem", file.problem());
            list.add(one);
        }
        return list;
    }

    /**
     * The {@code takeSnapshot} mutation: as {@code POST /api/v1/snapshots}, answered once the snapshot is durable.
     */
    private Map<String, Object> takeSnapshot()
    {
        requireEngine();
        final EngineReply reply = client.takeSnapshot(settings.requestTimeout());
        if (reply instanceof EngineReply.SnapshotTaken taken)
        {
            final Map<String, Object> one = new LinkedHashMap<>();
            one.put("file", taken.file());
            one.put("position", taken.position());
            one.put("sequence", taken.lastSequence());
            one.put("bytes", taken.bytes());
            one.put("duration_ms", java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(taken.durationNanos()));
            one.put("joined", taken.joined());
            return one;
        }
        if (reply instanceof EngineReply.Problem problem)
        {
            throw GraphQlProblem.of(problem, EngineProblems.Operation.SNAPSHOT, null, settings.requestTimeout());
        }
        throw unexpected(reply);
    }

    private Publisher<Map<String, Object>> workflowEvents(final DataFetchingEnvironment env)
    {
        requireWebSocket(env);
        requireEngine();
        final long id = workflowId(env.getArgument("workflow_id"));
        final WorkflowEventStream stream = new WorkflowEventStream(
            id, workflowId -> client.allEvents(workflowId, settings.requestTimeout()), fanOut::remove,
            WorkflowEventStream.INBOX_CAPACITY);
        fanOut.add(stream);
        try
        {
            stream.loadHistory();
        }
        catch (final RuntimeException ex)
        {
            fanOut.remove(stream);
            throw ex;
        }
        return stream;
    }

    private Publisher<Map<String, Object>> taskUpdates(final DataFetchingEnvironment env)
    {
        requireWebSocket(env);
        requireEngine();
        final TaskUpdateStream stream = new TaskUpdateStream(() -> client.tasks(settings.requestTimeout()),
            fanOut::remove);
        fanOut.add(stream);
        try
        {
            stream.loadFirst();
        }
        catch (final RuntimeException ex)
        {
            fanOut.remove(stream);
            throw ex;
        }
        return stream;
    }

    private EngineReply.TaskQueues tasks()
    {
        requireEngine();
        final EngineReply reply = client.tasks(settings.requestTimeout());
        if (reply instanceof EngineReply.TaskQueues queues)
        {
            return queues;
        }
        throw unexpected(reply);
    }

    private io.axiom.core.api.WorkflowView workflow(
        final EngineReply reply, final EngineProblems.Operation operation, final String idempotencyKey)
    {
        if (reply instanceof EngineReply.Workflow w)
        {
            return w.workflow();
        }
        if (reply instanceof EngineReply.Problem problem)
        {
            throw GraphQlProblem.of(problem, operation, idempotencyKey, settings.requestTimeout());
        }
        throw unexpected(reply);
    }

    private static GraphQlProblem unexpected(final EngineReply reply)
    {
        if (reply instanceof EngineReply.Problem problem)
        {
            return GraphQlProblem.of(problem);
        }
        final String reference = GraphQlMessages.reference();
        LOG.log(System.Logger.Level.ERROR, "the engine answered with an unexpected " +
            reply.getClass().getSimpleName() + " (reference " + reference + ")");
        return new GraphQlProblem(GraphQlProblem.INTERNAL_SERVER_ERROR, GraphQlMessages.unexpected(reference));
    }

    private void requireEngine()
    {
        final Throwable failure = engine.failure();
        if (null != failure)
        {
            throw new GraphQlProblem(GraphQlProblem.UNAVAILABLE, EngineProblems.ENGINE_FAILED,
                EngineProblems.engineFailed());
        }
        if (!engine.isReady())
        {
            throw new GraphQlProblem(GraphQlProblem.NOT_READY,
                "the engine is still recovering its journal; retry shortly (health.ready turns true when done)");
        }
    }

    private static void requireWebSocket(final DataFetchingEnvironment env)
    {
        if (!WEBSOCKET.equals(env.getGraphQlContext().get(TRANSPORT)))
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_REQUEST, "subscriptions run over the WebSocket at /graphql " +
                "(protocol graphql-transport-ws), not over HTTP");
        }
    }

    /**
     * @param raw an ID argument.
     * @return the workflow id it names.
     * @throws GraphQlProblem NOT_FOUND when it is not a workflow id at all.
     */
    static long workflowId(final Object raw)
    {
        final String text = String.valueOf(raw);
        if (!text.isEmpty() && text.length() <= 19 && text.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            try
            {
                return Long.parseLong(text);
            }
            catch (final NumberFormatException ignore)
            {
                // falls through to NOT_FOUND
            }
        }
        throw new GraphQlProblem(GraphQlProblem.NOT_FOUND, "no workflow with id '" + clip(text) +
            "': workflow ids are non-negative decimal numbers");
    }

    private static String idempotencyKey(final String key)
    {
        if (null == key)
        {
            return null;
        }
        final String trimmed = key.trim();
        if (trimmed.isEmpty() || trimmed.length() > RequestParser.MAX_IDEMPOTENCY_KEY_LENGTH)
        {
            throw new GraphQlProblem(GraphQlProblem.BAD_USER_INPUT, "INVALID_IDEMPOTENCY_KEY",
                "idempotencyKey must be 1 to " + RequestParser.MAX_IDEMPOTENCY_KEY_LENGTH +
                " characters long, got " + trimmed.length());
        }
        for (int i = 0; i < trimmed.length(); i++)
        {
            final char c = trimmed.charAt(i);
            if (c < 0x21 || c > 0x7e)
            {
                throw new GraphQlProblem(GraphQlProblem.BAD_USER_INPUT, "INVALID_IDEMPOTENCY_KEY",
                    "idempotencyKey may hold only visible ASCII characters; character " + i + " is not");
            }
        }
        return trimmed;
    }

    private static byte[] bytes(final JsonNode node)
    {
        try
        {
            return JsonScalar.MAPPER.writeValueAsBytes(node);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException("cannot serialise a JSON tree", ex);
        }
    }

    private static String clip(final String text)
    {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
