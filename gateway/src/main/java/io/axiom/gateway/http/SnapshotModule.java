package io.axiom.gateway.http;

import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.core.Engine;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.SnapshotFile;

/**
 * {@code POST /api/v1/snapshots} takes a snapshot now and answers 201 when it is durable (fsynced, renamed into place,
 * directory fsynced); a request while one is being captured or written joins it ({@code joined} true) rather than
 * starting a second. The request goes to the processor as a command on its ring and waits there without holding it;
 * the gateway's request timeout bounds the wait (503 with {@code Retry-After}: the snapshot goes on, a retry joins it).
 * Snapshots off ({@code wal.snapshot-retain=0}) is 409 {@code SNAPSHOTS_DISABLED}, an empty log 409
 * {@code NOTHING_TO_SNAPSHOT}, an engine not ready or stopping 503 with {@code Retry-After}. The body must be empty or
 * {@code {}}.
 * <p>
 * {@code GET /api/v1/snapshots} lists the snapshot files on disk, newest first, read on the request's thread by their
 * headers only (the processor is not involved), and says which one start-up would load.
 */
public final class SnapshotModule implements GatewayModule
{
    /** Where snapshots are served. */
    public static final String PATH = "/api/v1/snapshots";

    private final Engine engine;
    private final GatewaySettings settings;

    /**
     * @param engine   the engine whose snapshots these are.
     * @param settings the request timeout and body limit.
     */
    public SnapshotModule(final Engine engine, final GatewaySettings settings)
    {
        this.engine = engine;
        this.settings = settings;
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        routing
            .post(PATH, this::take)
            .get(PATH, this::list)
            .any(PATH, SnapshotModule::notAllowed);
    }

    private void take(final ServerRequest req, final ServerResponse res)
    {
        try
        {
            final byte[] body = req.content().hasEntity() ?
                RequestBody.read(req, settings.maxBodyBytes(), settings.drainLimit()) : new byte[0];
            if (!isBlank(body))
            {
                RequestParser.readObject(body, Set.of(), "request body");
            }
        }
        catch (final ApiProblem problem)
        {
            Responses.problem(req, res, problem);
            return;
        }
        final ApiProblem notReady = notReady();
        if (null != notReady)
        {
            Responses.problem(req, res, notReady);
            return;
        }
        final EngineReply reply = engine.client().takeSnapshot(settings.requestTimeout());
        if (reply instanceof EngineReply.SnapshotTaken taken)
        {
            final ObjectNode json = RequestParser.MAPPER.createObjectNode();
            json.put("file", taken.file());
            json.put("position", taken.position());
            json.put("sequence", taken.lastSequence());
            json.put("bytes", taken.bytes());
            json.put("duration_ms", TimeUnit.NANOSECONDS.toMillis(taken.durationNanos()));
            json.put("joined", taken.joined());
            Responses.json(res, 201, write(json));
        }
        else if (reply instanceof EngineReply.Problem problem)
        {
            Responses.problem(req, res, EngineProblems.toApiProblem(problem, EngineProblems.Operation.SNAPSHOT, null,
                settings.requestTimeout()));
        }
        else
        {
            final String reference = ApiProblem.newReference();
            System.getLogger(SnapshotModule.class.getName()).log(System.Logger.Level.ERROR, "a snapshot request " +
                "was answered with an unexpected " + reply.getClass().getSimpleName() + " (reference " + reference +
                ")");
            Responses.problem(req, res, new ApiProblem(500, "INTERNAL_ERROR", "Internal server error",
                "an unexpected error occurred on the server (reference " + reference + " in its log)"));
        }
    }

    private void list(final ServerRequest req, final ServerResponse res)
    {
        final List<SnapshotFile> files = engine.snapshotFiles();
        final ObjectNode json = RequestParser.MAPPER.createObjectNode();
        json.put("enabled", engine.snapshotsEnabled());
        final ArrayNode array = json.putArray("snapshots");
        for (final SnapshotFile file : files)
        {
            final ObjectNode one = array.addObject();
            one.put("file", file.file());
            one.put("position", file.position());
            one.put("sequence", file.sequence());
            one.put("bytes", file.bytes());
            one.put("written_at", JsonViews.isoTime(file.writtenAtMs()));
            one.put("startup", file.startup());
            one.put("problem", file.problem());
        }
        Responses.json(res, 200, write(json));
    }

    private ApiProblem notReady()
    {
        if (null != engine.failure())
        {
            return new ApiProblem(503, EngineProblems.ENGINE_FAILED, Responses.title(503),
                EngineProblems.engineFailed());
        }
        if (engine.isClosed())
        {
            return new ApiProblem(503, "ENGINE_STOPPED", Responses.title(503),
                "the engine is shutting down (a clean stop writes a snapshot of its own)", "1");
        }
        if (!engine.isReady())
        {
            return new ApiProblem(503, "NOT_READY", Responses.title(503),
                "the engine is still recovering its journal; retry shortly (GET /ready turns 200 when done)", "1");
        }
        if (!engine.snapshotsEnabled())
        {
            return new ApiProblem(409, "SNAPSHOTS_DISABLED", Responses.title(409),
                "snapshots are off (wal.snapshot-retain=0): start-up replays the whole log; set " +
                "wal.snapshot-retain to 1 or more to take snapshots");
        }
        return null;
    }

    private static boolean isBlank(final byte[] body)
    {
        for (final byte b : body)
        {
            if (b != ' ' && b != '\t' && b != '\r' && b != '\n')
            {
                return false;
            }
        }
        return true;
    }

    private static byte[] write(final ObjectNode json)
    {
        try
        {
            return RequestParser.MAPPER.writeValueAsBytes(json);
        }
        catch (final JsonProcessingException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    private static void notAllowed(final ServerRequest req, final ServerResponse res)
    {
        res.header(HeaderNames.ALLOW, "GET, POST");
        Responses.problem(req, res, new ApiProblem(405, "METHOD_NOT_ALLOWED", Responses.title(405),
            "method " + req.prologue().method().text() + " is not allowed on " + req.path().rawPath() +
            "; allowed: GET, POST"));
    }
}
