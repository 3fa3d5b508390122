package io.axiom.gateway.chaos;

import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;

import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.Gateway;
import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.GatewaySettings;
import io.axiom.gateway.http.JsonViews;
import io.axiom.gateway.http.RequestBody;
import io.axiom.gateway.http.RequestParser;
import io.axiom.gateway.http.Responses;

/**
 * {@code POST /api/v1/chaos/run} with {@code {"scenario": "...", "duration_ms": N, "seed": N}}: 200 with the run's
 * report once it ends; 403 FORBIDDEN when chaos is off (saying how to enable it), 400 for an unknown scenario, a
 * bad duration or a malformed body, 409 while another run is in progress.
 */
public final class ChaosModule implements GatewayModule
{
    /** The route. */
    public static final String PATH = "/api/v1/chaos/run";

    private static final Set<String> FIELDS = Set.of("scenario", "duration_ms", "seed");

    private final ChaosRunner runner;
    private final GatewaySettings settings;

    /**
     * @param runner   the server's runner (refusing everything when chaos is off).
     * @param settings the gateway's body limits.
     */
    public ChaosModule(final ChaosRunner runner, final GatewaySettings settings)
    {
        this.runner = runner;
        this.settings = settings;
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        routing.post(PATH, this::run);
        routing.any(PATH, Gateway.notAllowed("POST"));
    }

    private void run(final ServerRequest req, final ServerResponse res)
    {
        try
        {
            if (!runner.enabled())
            {
                runner.check(null, null); // throws the 403 that says how to enable chaos
            }
            final Request request = parse(req.content().hasEntity() ?
                RequestBody.read(req, settings.maxBodyBytes(), settings.drainLimit()) : new byte[0]);
            final Map<String, Object> report = runner.run(request.scenario, request.durationMs, request.seed);
            Responses.json(res, 200, JsonViews.object(report));
        }
        catch (final ChaosRefused refused)
        {
            Responses.problem(req, res, new ApiProblem(refused.status(), refused.code(),
                Responses.title(refused.status()), refused.getMessage()));
        }
        catch (final ApiProblem problem)
        {
            Responses.problem(req, res, problem);
        }
    }

    private record Request(String scenario, Long durationMs, Long seed)
    {
    }

    private static Request parse(final byte[] body)
    {
        if (0 == body.length)
        {
            throw bad("the request body is empty; expected a JSON object: {\"scenario\": \"process_kill\", " +
                "\"duration_ms\": 30000, \"seed\": 7}");
        }
        final JsonNode root = RequestParser.readObject(body, FIELDS, "request body");
        final JsonNode scenario = root.get("scenario");
        if (null == scenario || !scenario.isTextual())
        {
            throw bad("\"scenario\" must be a string: one of " + ChaosScenario.names());
        }
        return new Request(scenario.asText(), integer(root, "duration_ms"), integer(root, "seed"));
    }

    private static Long integer(final JsonNode root, final String name)
    {
        final JsonNode node = root.get(name);
        if (null == node || node.isNull())
        {
            return null;
        }
        if (!node.isIntegralNumber() || !node.canConvertToLong())
        {
            throw bad("\"" + name + "\" must be an integer, got " + node);
        }
        return node.asLong();
    }

    private static ApiProblem bad(final String detail)
    {
        return new ApiProblem(400, "BAD_REQUEST", Responses.title(400), detail);
    }
}
