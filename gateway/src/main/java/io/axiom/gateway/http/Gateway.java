package io.axiom.gateway.http;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.HttpMediaType;
import io.helidon.http.RequestException;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.core.Engine;
import io.axiom.core.EngineClient;
import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.WorkflowQuery;
import io.axiom.core.api.Status;
import io.axiom.gateway.http.EngineProblems.Operation;

/**
 * The routes of the REST API and of the health endpoints. Each request runs on its own Helidon virtual thread and
 * blocks on {@link EngineClient}; reads go through the engine's ring like writes, so an answer is consistent with
 * every write acknowledged before it.
 */
public final class Gateway
{
    /** Root of the workflow resources. */
    public static final String WORKFLOWS = "/api/v1/workflows";
    /** Task queue status. */
    public static final String TASKS = "/api/v1/tasks";
    /** The request header that makes a create idempotent. */
    public static final HeaderName IDEMPOTENCY_KEY = HeaderNames.create("Idempotency-Key");
    /** Set on the answer to a retry that an Idempotency-Key made harmless: nothing was written for it. */
    public static final HeaderName IDEMPOTENT_REPLAYED = HeaderNames.create("Idempotent-Replayed");
    /** States a list may be filtered by. */
    public static final Set<String> STATES =
        Set.of("CREATED", "RUNNING", "WAITING", "COMPLETED", "FAILED", "CANCELLED");

    private static final System.Logger LOG = System.getLogger(Gateway.class.getName());
    private static final byte[] EMPTY = new byte[0];

    private final Engine engine;
    private final EngineClient client;
    private final GatewaySettings settings;
    private final RequestParser parser;
    private final WorkerApi workers;
    private volatile BooleanSupplier accepting = () -> true;
    private volatile ClusterMembership membership;

    /**
     * @param engine   the engine to serve.
     * @param settings limits and timeouts.
     */
    public Gateway(final Engine engine, final GatewaySettings settings)
    {
        this.engine = engine;
        this.client = engine.client();
        this.settings = settings;
        this.parser = new RequestParser(settings.maxSteps(), settings.maxNameLength());
        this.workers = new WorkerApi(new WorkerTasks(engine, settings.requestTimeout(), settings.longPolls()), parser,
            settings, this::readBody);
        // Worker fetches (REST and GraphQL) stop waiting when the listener stops accepting: Helidon waits for the
        // requests in flight when it stops, and a long poll would hold that up for its whole wait_ms.
        settings.longPolls().endWhen(() -> !this.accepting.getAsBoolean());
    }

    /**
     * @param accepting whether the HTTP listener accepts connections; {@code /ready} answers 503 while it does not.
     */
    public void accepting(final BooleanSupplier accepting)
    {
        this.accepting = accepting;
    }

    /**
     * @param membership this server's place in a replicated cluster: {@code /ready} then answers 200 only while its
     *                   gateway has a session with a leader, and names its role and leader.
     */
    public void membership(final ClusterMembership membership)
    {
        this.membership = membership;
    }

    /**
     * @return the handler that renders Helidon's pre-routing errors as problems.
     */
    public ProblemDirectHandler directHandler()
    {
        return new ProblemDirectHandler(settings.maxBodyBytes());
    }

    /**
     * Register every route, the 405/404 fallbacks and the error handler.
     *
     * @param routing the server's routing.
     */
    public void routing(final HttpRouting.Builder routing)
    {
        routes(routing);
        fallbacks(routing);
    }

    /**
     * Register the REST and health routes (no fallbacks), so that other modules can add theirs before the
     * fallbacks.
     *
     * @param routing the server's routing.
     */
    public void routes(final HttpRouting.Builder routing)
    {
        routing
            .get("/health", (req, res) -> Responses.json(res, 200, JsonViews.object(Map.of("status", "UP"))))
            .get("/ready", this::ready)
            .get(WORKFLOWS, api(this::list))
            .post(WORKFLOWS, api(this::create))
            .get(WORKFLOWS + "/{id}", api(this::get))
            .get(WORKFLOWS + "/{id}/events", api(this::events))
            .get(WORKFLOWS + "/{id}/replay", api(this::replay))
            .post(WORKFLOWS + "/{id}/advance", api(this::advance))
            .post(WORKFLOWS + "/{id}/cancel", api(this::cancel))
            .get(TASKS, api(this::tasks))
            .post(WorkerApi.FETCH, api(workers::fetch))
            .post(WorkerApi.TASK + "/complete", api(workers::complete))
            .post(WorkerApi.TASK + "/fail", api(workers::fail))
            .post(WorkerApi.TASK + "/heartbeat", api(workers::heartbeat))
            .any("/health", notAllowed("GET"))
            .any("/ready", notAllowed("GET"))
            .any(WORKFLOWS, notAllowed("GET, POST"))
            .any(WORKFLOWS + "/{id}", notAllowed("GET"))
            .any(WORKFLOWS + "/{id}/events", notAllowed("GET"))
            .any(WORKFLOWS + "/{id}/replay", notAllowed("GET"))
            .any(WORKFLOWS + "/{id}/advance", notAllowed("POST"))
            .any(WORKFLOWS + "/{id}/cancel", notAllowed("POST"))
            .any(TASKS, notAllowed("GET"))
            .any(WorkerApi.FETCH, notAllowed("POST"))
            .any(WorkerApi.TASK + "/complete", notAllowed("POST"))
            .any(WorkerApi.TASK + "/fail", notAllowed("POST"))
            .any(WorkerApi.TASK + "/heartbeat", notAllowed("POST"));
    }

    /**
     * Register the catch-all 404 and the error handler: last.
     *
     * @param routing the server's routing.
     */
    public void fallbacks(final HttpRouting.Builder routing)
    {
        routing
            .any((req, res) -> Responses.problem(req, res, new ApiProblem(404, "ROUTE_NOT_FOUND", "Not found",
                "no resource at " + req.prologue().method().text() + " " + req.path().rawPath() +
                "; the API lives under /api/v1")))
            .error(Throwable.class, this::onError);
    }

    private void ready(final ServerRequest req, final ServerResponse res)
    {
        final ClusterMembership member = membership;
        final Throwable failure = engine.failure();
        if (null != failure)
        {
            res.header(HeaderNames.RETRY_AFTER, "5");
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "FAILED");
            body.put("detail", EngineProblems.engineFailed());
            Responses.json(res, 503, JsonViews.object(body));
        }
        else if (!accepting.getAsBoolean())
        {
            res.header(HeaderNames.RETRY_AFTER, "1");
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "NOT_ACCEPTING");
            body.put("detail", "the HTTP listener is being restarted and accepts no new connections; retry shortly");
            Responses.json(res, 503, JsonViews.object(body));
        }
        else if (engine.isReady() && null != member && !member.connected())
        {
            res.header(HeaderNames.RETRY_AFTER, "1");
            final Map<String, Object> body = new LinkedHashMap<>();
            body.put("status", "NO_LEADER");
            body.put("detail", "this cluster member's gateway has no session with a leader, so writes cannot reach " +
                "the cluster's log (an election, or too few members up for a majority); retry shortly");
            clusterFields(body, member);
            Responses.json(res, 503, JsonViews.object(body));
        }
        else if (engine.isReady())
        {
            final Map<String, Object> body = new LinkedHashMap<>();
            final io.axiom.journal.StorageState storage = engine.counters().storageState();
            if (null != storage && storage.status() == io.axiom.journal.StorageStatus.FULL)
            {
                // Reads go on, so the server stays in rotation; writes answer 507 until space is freed.
                body.put("status", "DEGRADED");
                body.put("detail", "writes are refused (507 DISK_FULL) and reads go on: " + storage.detail());
            }
            else
            {
                body.put("status", "READY");
                if (null != storage && storage.status() == io.axiom.journal.StorageStatus.LOW)
                {
                    body.put("warning", storage.detail());
                }
            }
            final io.axiom.journal.RecoveryReport recovery = engine.counters().recoveryReport();
            if (null != recovery && !recovery.notes().isEmpty())
            {
                body.put("recovery", recovery.notes());
            }
            final io.axiom.journal.BackgroundVerifier walCheck = engine.counters().backgroundVerifier();
            if (null != walCheck && walCheck.faults() > 0)
            {
                // Loud, but the server stays in rotation: those records are folded into the snapshot it loaded.
                body.put("walCorruption", walCheck.faults() + " fault(s) in the log before the start-up snapshot " +
                    "(the engine goes on; run axiom wal verify and restore from backup); the first: " +
                    walCheck.firstFault());
            }
            if (null != member)
            {
                clusterFields(body, member);
            }
            Responses.json(res, 200, JsonViews.object(body));
        }
        else
        {
            res.header(HeaderNames.RETRY_AFTER, "1");
            Responses.json(res, 503, JsonViews.object(Map.of("status", "RECOVERING")));
        }
    }

    private static void clusterFields(final Map<String, Object> body, final ClusterMembership membership)
    {
        body.put("member_id", membership.memberId());
        body.put("role", membership.role());
        final int leader = membership.leaderMemberId();
        body.put("leader_member_id", leader < 0 ? null : leader);
    }

    private void list(final ServerRequest req, final ServerResponse res)
    {
        final WorkflowQuery query = WorkflowSearchParams.fromQuery(req.query());
        final EngineReply reply = client.list(query, settings.requestTimeout());
        if (reply instanceof EngineReply.WorkflowList page)
        {
            Responses.json(res, 200, JsonViews.list(page, query.offset(), query.limit()));
        }
        else
        {
            send(req, res, reply, Operation.READ, null);
        }
    }

    private void create(final ServerRequest req, final ServerResponse res)
    {
        final String key = RequestParser.idempotencyKey(req.headers().all(IDEMPOTENCY_KEY, List::of));
        final byte[] body = readBody(req);
        if (body.length == 0)
        {
            throw ApiProblem.badRequest("EMPTY_BODY",
                "request body is empty; expected a JSON object with name and steps");
        }
        final CreateWorkflow command = parser.parseCreate(body, key);
        send(req, res, client.create(command, settings.requestTimeout()), Operation.CREATE, key);
    }

    private void get(final ServerRequest req, final ServerResponse res)
    {
        send(req, res, client.get(workflowId(req), settings.requestTimeout()), Operation.READ, null);
    }

    private void events(final ServerRequest req, final ServerResponse res)
    {
        final long id = workflowId(req);
        final long after = queryLong(req, "after", EngineClient.NO_POSITION, 0, Long.MAX_VALUE);
        final int limit = queryInt(req, "limit", GatewaySettings.MAX_PAGE_SIZE, 1, GatewaySettings.MAX_PAGE_SIZE);
        send(req, res, client.events(id, after, limit, settings.requestTimeout()), Operation.READ, null);
    }

    private void replay(final ServerRequest req, final ServerResponse res)
    {
        send(req, res, client.replay(workflowId(req), settings.requestTimeout()), Operation.READ, null);
    }

    private void tasks(final ServerRequest req, final ServerResponse res)
    {
        send(req, res, client.tasks(settings.requestTimeout()), Operation.READ, null);
    }

    private void advance(final ServerRequest req, final ServerResponse res)
    {
        final long id = workflowId(req);
        final String key = RequestParser.idempotencyKey(req.headers().all(IDEMPOTENCY_KEY, List::of));
        final RequestParser.Advance advance = parser.parseAdvance(readBody(req));
        send(req, res, client.advance(id, advance.expectedStep(), advance.expectedStepIndex(), advance.output(), key,
            settings.requestTimeout()), Operation.ADVANCE, key);
    }

    private void cancel(final ServerRequest req, final ServerResponse res)
    {
        final long id = workflowId(req);
        final String key = RequestParser.idempotencyKey(req.headers().all(IDEMPOTENCY_KEY, List::of));
        final RequestParser.Cancel cancel = parser.parseCancel(readBody(req));
        send(req, res, client.cancel(id, cancel.reason(), cancel.expectedStepIndex(), key,
            settings.requestTimeout()), Operation.CANCEL, key);
    }

    private void send(
        final ServerRequest req,
        final ServerResponse res,
        final EngineReply reply,
        final Operation operation,
        final String idempotencyKey)
    {
        switch (reply)
        {
            case EngineReply.Workflow w ->
            {
                final boolean create = WORKFLOWS.equals(req.path().path());
                if (create && (w.status() == Status.CREATED || w.status() == Status.EXISTING))
                {
                    res.header(HeaderNames.LOCATION, WORKFLOWS + "/" + w.workflow().id());
                }
                if (w.status() == Status.EXISTING)
                {
                    res.header(IDEMPOTENT_REPLAYED, "true");
                }
                Responses.json(res, w.status() == Status.CREATED ? 201 : 200, JsonViews.workflow(w.workflow()));
            }
            case EngineReply.WorkflowList page ->
                Responses.json(res, 200, JsonViews.list(page, 0, page.workflows().size()));
            case EngineReply.Events events -> Responses.json(res, 200, JsonViews.events(events));
            case EngineReply.Replay replay -> Responses.json(res, 200, JsonViews.replay(replay));
            case EngineReply.TaskQueues tasks -> Responses.json(res, 200, JsonViews.tasks(tasks));
            case EngineReply.Problem p -> Responses.problem(req, res,
                EngineProblems.toApiProblem(p, operation, idempotencyKey, settings.requestTimeout()));
            default ->
            {
                final String reference = ApiProblem.newReference();
                LOG.log(System.Logger.Level.ERROR, "the engine answered with an unexpected " +
                    reply.getClass().getSimpleName() + " (reference " + reference + ")");
                Responses.problem(req, res, new ApiProblem(500, "INTERNAL_ERROR", "Internal server error",
                    "an unexpected error occurred on the server (reference " + reference + " in its log)"));
            }
        }
    }

    private Handler api(final Handler handler)
    {
        return (req, res) ->
        {
            try
            {
                requireEngine();
                handler.handle(req, res);
            }
            catch (final ApiProblem problem)
            {
                Responses.problem(req, res, problem);
            }
        };
    }

    private void requireEngine()
    {
        final Throwable failure = engine.failure();
        if (null != failure)
        {
            throw new ApiProblem(503, EngineProblems.ENGINE_FAILED, Responses.title(503),
                EngineProblems.engineFailed());
        }
        if (!engine.isReady())
        {
            throw new ApiProblem(503, "NOT_READY", Responses.title(503),
                "the engine is still recovering its journal; retry shortly (GET /ready turns 200 when done)", "1");
        }
    }

    /**
     * @param allow the methods the route takes, for the {@code Allow} header.
     * @return a handler answering 405 METHOD_NOT_ALLOWED that names them.
     */
    public static Handler notAllowed(final String allow)
    {
        return (req, res) ->
        {
            res.header(HeaderNames.ALLOW, allow);
            Responses.problem(req, res, new ApiProblem(405, "METHOD_NOT_ALLOWED", Responses.title(405),
                "method " + req.prologue().method().text() + " is not allowed on " + req.path().rawPath() +
                "; allowed: " + allow));
        };
    }

    private void onError(final ServerRequest req, final ServerResponse res, final Throwable error)
    {
        if (error instanceof ApiProblem problem)
        {
            Responses.problem(req, res, problem);
            return;
        }
        final int status = error instanceof HttpException http ? http.status().code() :
            error instanceof RequestException request ? request.status().code() : 500;
        if (status >= 400 && status < 500)
        {
            Responses.problem(req, res, new ApiProblem(status, Responses.code(status), Responses.title(status),
                "the request cannot be served: " + Responses.title(status).toLowerCase(Locale.ROOT) +
                " (" + status + ")", null, error instanceof RequestException));
            return;
        }
        final String reference = ApiProblem.newReference();
        LOG.log(System.Logger.Level.ERROR, "unexpected failure serving " + req.prologue().method().text() + " " +
            req.path().rawPath() + " (reference " + reference + ")", error);
        Responses.problem(req, res, new ApiProblem(500, "INTERNAL_ERROR", "Internal server error",
            "an unexpected error occurred on the server (reference " + reference + " in its log); nothing is " +
            "known about whether the request took effect"));
    }

    /**
     * Read the request body: refuse a non-JSON content type (415) and anything over the limit (413), from the
     * declared length when there is one and by counting otherwise (see {@link RequestBody}).
     */
    private byte[] readBody(final ServerRequest req)
    {
        if (!req.content().hasEntity())
        {
            return EMPTY;
        }
        checkContentType(req);
        return RequestBody.read(req, settings.maxBodyBytes(), settings.drainLimit());
    }

    private static void checkContentType(final ServerRequest req)
    {
        final List<String> declared = req.headers().all(HeaderNames.CONTENT_TYPE, List::of);
        if (declared.isEmpty())
        {
            throw unsupported("request has a body but no Content-Type header; send it as application/json");
        }
        final HttpMediaType type;
        try
        {
            type = HttpMediaType.create(declared.get(0));
        }
        catch (final RuntimeException ex)
        {
            throw unsupported("Content-Type '" + clip(declared.get(0)) + "' cannot be parsed; use application/json");
        }
        final String fullType = type.type().toLowerCase(Locale.ROOT) + "/" + type.subtype().toLowerCase(Locale.ROOT);
        final boolean json = "application/json".equals(fullType) ||
            (fullType.startsWith("application/") && fullType.endsWith("+json"));
        if (!json)
        {
            throw unsupported("Content-Type '" + clip(declared.get(0)) + "' is not supported; use application/json");
        }
        final String charset = type.charset().orElse("utf-8").toLowerCase(Locale.ROOT);
        if (!"utf-8".equals(charset) && !"utf8".equals(charset))
        {
            throw unsupported("charset '" + clip(charset) + "' is not supported; JSON must be UTF-8");
        }
    }

    private static ApiProblem unsupported(final String detail)
    {
        return new ApiProblem(415, "UNSUPPORTED_MEDIA_TYPE", Responses.title(415), detail);
    }

    private static long workflowId(final ServerRequest req)
    {
        final String raw = req.path().pathParameters().get("id");
        if (!raw.isEmpty() && raw.length() <= 19 && raw.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            try
            {
                return Long.parseLong(raw);
            }
            catch (final NumberFormatException ignore)
            {
                // falls through to the 404 below
            }
        }
        throw new ApiProblem(404, "WORKFLOW_NOT_FOUND", Responses.title(404), "no workflow with id '" + clip(raw) +
            "': workflow ids are non-negative decimal numbers");
    }

    private static String queryParam(final ServerRequest req, final String name)
    {
        final List<String> values = req.query().all(name, List::of);
        if (values.size() > 1)
        {
            throw ApiProblem.badRequest("INVALID_QUERY", "query parameter " + name + " is given " + values.size() +
                " times; give it once");
        }
        return values.isEmpty() ? null : values.get(0);
    }

    private static int queryInt(
        final ServerRequest req, final String name, final int absent, final int min, final int max)
    {
        return (int)queryLong(req, name, absent, min, max);
    }

    private static long queryLong(
        final ServerRequest req, final String name, final long absent, final long min, final long max)
    {
        final String raw = queryParam(req, name);
        if (null == raw)
        {
            return absent;
        }
        final Function<String, ApiProblem> bad = why -> ApiProblem.badRequest("INVALID_QUERY",
            "query parameter " + name + " must be an integer between " + min + " and " + max + ", got '" +
            clip(raw) + "'");
        if (raw.isEmpty() || raw.length() > 19 || !raw.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            throw bad.apply(raw);
        }
        final long value;
        try
        {
            value = Long.parseLong(raw);
        }
        catch (final NumberFormatException ex)
        {
            throw bad.apply(raw);
        }
        if (value < min || value > max)
        {
            throw bad.apply(raw);
        }
        return value;
    }

    private static String clip(final String text)
    {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
