package io.axiom.gateway.http;

import java.nio.charset.StandardCharsets;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.core.Engine;
import io.axiom.core.LiveVerifier;
import io.axiom.core.api.EngineReply;

/**
 * {@code POST /api/v1/verify}: verify the running server's log against its live state ({@link LiveVerifier}). The
 * processor is held only for one query (the consistent point); reading and replaying the log run on this request's
 * virtual thread while commands go on. The answer is 200 with the report whatever it found ({@code ok},
 * {@code consistent} and {@code violations} say what); a verify already running is 409 {@code VERIFY_IN_PROGRESS}, an
 * engine not ready 503. The request body, if any, is not read: verify takes no arguments and changes nothing.
 */
public final class VerifyModule implements GatewayModule
{
    /** Where verify is served. */
    public static final String PATH = "/api/v1/verify";

    private final Engine engine;
    private final GatewaySettings settings;

    /**
     * @param engine   the engine to verify.
     * @param settings the request timeout (how long to wait for the processor's consistent point).
     */
    public VerifyModule(final Engine engine, final GatewaySettings settings)
    {
        this.engine = engine;
        this.settings = settings;
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        routing
            .post(PATH, this::verify)
            .any(PATH, VerifyModule::onlyPost);
    }

    private void verify(final ServerRequest req, final ServerResponse res)
    {
        final ApiProblem notReady = notReady();
        if (null != notReady)
        {
            Responses.problem(req, res, notReady);
            return;
        }
        final EngineReply reply = engine.verifier().verify(settings.requestTimeout());
        if (reply instanceof EngineReply.Verification verification)
        {
            Responses.json(res, 200, verification.report().toJson().getBytes(StandardCharsets.UTF_8));
        }
        else if (reply instanceof EngineReply.Problem problem)
        {
            Responses.problem(req, res, EngineProblems.toApiProblem(problem, EngineProblems.Operation.READ, null,
                settings.requestTimeout()));
        }
        else
        {
            final String reference = ApiProblem.newReference();
            System.getLogger(VerifyModule.class.getName()).log(System.Logger.Level.ERROR, "verify answered with an " +
                "unexpected " + reply.getClass().getSimpleName() + " (reference " + reference + ")");
            Responses.problem(req, res, new ApiProblem(500, "INTERNAL_ERROR", "Internal server error",
                "an unexpected error occurred on the server (reference " + reference + " in its log)"));
        }
    }

    private ApiProblem notReady()
    {
        if (null != engine.failure())
        {
            return new ApiProblem(503, EngineProblems.ENGINE_FAILED, Responses.title(503),
                EngineProblems.engineFailed());
        }
        if (!engine.isReady())
        {
            return new ApiProblem(503, "NOT_READY", Responses.title(503),
                "the engine is still recovering its journal; retry shortly (GET /ready turns 200 when done)", "1");
        }
        return null;
    }

    private static void onlyPost(final ServerRequest req, final ServerResponse res)
    {
        res.header(HeaderNames.ALLOW, "POST");
        Responses.problem(req, res, new ApiProblem(405, "METHOD_NOT_ALLOWED", Responses.title(405),
            "method " + req.prologue().method().text() + " is not allowed on " + req.path().rawPath() +
            "; allowed: POST"));
    }
}
