package io.axiom.gateway.http;

import java.util.function.Function;

import io.helidon.http.HeaderValues;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.core.api.RawJson;
import io.axiom.gateway.http.EngineProblems.Operation;

/**
 * The HTTP worker API, for workers in any language: fetch-and-lock with long polling, then complete, fail or
 * heartbeat each task with its fencing token. The same dealer, leases and fencing as workers over Aeron (see
 * {@link WorkerTasks}); the same gates for bodies as the rest of the REST API ({@link JsonCheck}, then
 * {@link RequestParser}: unknown fields, types, ranges and sizes refused with 400 before anything reaches the
 * engine).
 * <ul>
 *     <li>{@code POST /api/v1/tasks/fetch} {@code {"steps":[...],"max_tasks":N,"wait_ms":W,"worker_id":"..."}}:
 *     200 {@code {"tasks":[...]}}, possibly empty after {@code wait_ms};</li>
 *     <li>{@code POST /api/v1/tasks/{task_id}/complete} {@code {"fencing_token":T,"output":...}},
 *     {@code .../fail} {@code {"fencing_token":T,"retryable":true,"error":"..."}}: 200
 *     {@code {"task_id","fencing_token","status":"ACCEPTED"}}, or 409 STALE_FENCING_TOKEN, 409 ALREADY_COMMITTED
 *     (with {@code committed_output}), 404 UNKNOWN_TASK, 400 MALFORMED, 507 NO_ROOM;</li>
 *     <li>{@code POST /api/v1/tasks/{task_id}/heartbeat} {@code {"fencing_token":T}}: 202
 *     {@code {"task_id","fencing_token","status":"RECEIVED"}}.</li>
 * </ul>
 */
final class WorkerApi
{
    /** Fetch-and-lock. */
    static final String FETCH = Gateway.TASKS + "/fetch";
    /** One task's resource; the task id is its workflow's id. */
    static final String TASK = Gateway.TASKS + "/{task_id}";

    private final WorkerTasks tasks;
    private final RequestParser parser;
    private final GatewaySettings settings;
    private final Function<ServerRequest, byte[]> body;

    /**
     * @param tasks    the way into the engine.
     * @param parser   the body checks.
     * @param settings limits and timeouts.
     * @param body     reads a request body as the rest of the API does (415, 413).
     */
    WorkerApi(
        final WorkerTasks tasks,
        final RequestParser parser,
        final GatewaySettings settings,
        final Function<ServerRequest, byte[]> body)
    {
        this.tasks = tasks;
        this.parser = parser;
        this.settings = settings;
        this.body = body;
    }

    void fetch(final ServerRequest req, final ServerResponse res)
    {
        final RequestParser.Fetch fetch = parser.parseFetch(body.apply(req));
        switch (tasks.fetch(fetch))
        {
            case WorkerTasks.Fetched fetched ->
            {
                if (fetched.cut())
                {
                    // The server stops serving (or its listener is being rebuilt): this connection ends, so that
                    // the worker's next fetch waits for a listener that accepts instead of coming straight back.
                    res.header(HeaderValues.CONNECTION_CLOSE);
                }
                Responses.json(res, 200, JsonViews.fetchedTasks(fetched.tasks()));
            }
            case WorkerTasks.Refused refused -> refuse(req, res, refused, Operation.FETCH);
            default -> throw new IllegalStateException("a fetch is answered Fetched or Refused");
        }
    }

    void complete(final ServerRequest req, final ServerResponse res)
    {
        final long taskId = taskId(req);
        final RequestParser.Completion completion = parser.parseComplete(body.apply(req));
        judged(req, res, tasks.complete(taskId, completion.fencingToken(), completion.output()), Operation.COMPLETE);
    }

    void fail(final ServerRequest req, final ServerResponse res)
    {
        final long taskId = taskId(req);
        final RequestParser.Failure failure = parser.parseFail(body.apply(req));
        judged(req, res, tasks.fail(taskId, failure.fencingToken(), failure.retryable(), failure.error()),
            Operation.FAIL);
    }

    void heartbeat(final ServerRequest req, final ServerResponse res)
    {
        final long taskId = taskId(req);
        final long token = parser.parseHeartbeat(body.apply(req));
        switch (tasks.heartbeat(taskId, token))
        {
            case WorkerTasks.Received received -> Responses.json(res, 202,
                JsonViews.taskOutcome(received.taskId(), received.fencingToken(), "RECEIVED"));
            case WorkerTasks.Refused refused -> refuse(req, res, refused, Operation.READ);
            default -> throw new IllegalStateException("a heartbeat is answered Received or Refused");
        }
    }

    private void judged(
        final ServerRequest req, final ServerResponse res, final WorkerTasks.Outcome outcome, final Operation op)
    {
        switch (outcome)
        {
            case WorkerTasks.Accepted accepted -> Responses.json(res, 200,
                JsonViews.taskOutcome(accepted.taskId(), accepted.fencingToken(), "ACCEPTED"));
            case WorkerTasks.Refused refused -> refuse(req, res, refused, op);
            default -> throw new IllegalStateException("a completion is answered Accepted or Refused");
        }
    }

    private void refuse(
        final ServerRequest req, final ServerResponse res, final WorkerTasks.Refused refused, final Operation op)
    {
        ApiProblem problem = EngineProblems.toApiProblem(refused.problem(), op, null, settings.requestTimeout());
        if ("ALREADY_COMMITTED".equals(refused.problem().code()))
        {
            problem = problem.with("committed_output", new RawJson(refused.committedOutput()));
        }
        Responses.problem(req, res, problem);
    }

    private static long taskId(final ServerRequest req)
    {
        final String raw = req.path().pathParameters().get("task_id");
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
        throw new ApiProblem(404, "UNKNOWN_TASK", Responses.title(404), "no task with id '" +
            JsonCheck.excerpt(raw) + "': task ids are the ids of workflows, non-negative decimal numbers");
    }
}
