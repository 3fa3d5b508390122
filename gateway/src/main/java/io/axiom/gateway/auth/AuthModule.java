package io.axiom.gateway.auth;

import java.util.List;
import java.util.Optional;

import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;

import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.config.ConfigKey;
import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.JsonViews;

/**
 * The bearer-token filter: with {@code gateway.api-token} set, every HTTP request except the open ones (health,
 * readiness, the OpenAPI document, the pages and assets of GraphiQL and the web console) must carry
 * {@code Authorization: Bearer <token>}, or is answered 401 {@code UNAUTHENTICATED} before any route runs. Deny by
 * default: a path that is not known to be open needs the token, so an unusual spelling of a path
 * ({@code /health/../api/...}) cannot slip through.
 * <p>
 * A WebSocket upgrade of {@code GET /graphql} passes (browsers cannot set headers on a WebSocket handshake): the
 * GraphQL WebSocket endpoint checks the token in {@code connection_init} itself. Helidon hands an upgrade request
 * to the WebSocket endpoint, never to an HTTP route, so the exemption opens nothing else.
 */
public final class AuthModule implements GatewayModule
{
    /** The value of {@code WWW-Authenticate} on every 401. */
    public static final String CHALLENGE = "Bearer realm=\"axiom\"";
    /** The problem code of a refused request. */
    public static final String UNAUTHENTICATED = "UNAUTHENTICATED";
    /** Paths open to anyone, exactly as written. */
    public static final List<String> OPEN_PATHS = List.of("/health", "/ready", "/api/v1/openapi.yaml", "/graphiql",
        "/");
    private static final HeaderName SEC_WEBSOCKET_KEY = HeaderNames.create("Sec-WebSocket-Key");

    /** Prefixes of the static assets of GraphiQL and the web console, open to anyone. */
    public static final List<String> OPEN_PREFIXES = List.of("/graphiql/", "/console/");

    /**
     * Told of every request the filter refuses, so that refusals are counted although no later filter sees them.
     */
    @FunctionalInterface
    public interface RejectionListener
    {
        /**
         * @param method  the request method.
         * @param rawPath the request path as sent.
         * @param status  the status answered (401).
         * @param code    the problem code answered.
         * @param nanos   time spent on the request.
         */
        void rejected(String method, String rawPath, int status, String code, long nanos);
    }

    private final ApiToken token;
    private final RejectionListener listener;

    /**
     * @param token    the configured token (possibly none).
     * @param listener told of each refusal.
     */
    public AuthModule(final ApiToken token, final RejectionListener listener)
    {
        this.token = token;
        this.listener = listener;
    }

    /**
     * @param config   effective configuration, for {@code gateway.api-token}.
     * @param listener told of each refusal.
     */
    public AuthModule(final AxiomConfig config, final RejectionListener listener)
    {
        this(ApiToken.of(config.apiToken()), listener);
    }

    /**
     * The start-up line that says the API is open, or nothing when a token is configured.
     *
     * @param config effective configuration.
     * @param host   the address bound.
     * @param port   the port bound.
     * @return the notice, when no token is configured.
     */
    public static Optional<String> startupNotice(final AxiomConfig config, final String host, final int port)
    {
        if (ApiToken.of(config.apiToken()).required())
        {
            return Optional.empty();
        }
        final String address = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        return Optional.of("no API token configured: /api and /graphql are open to anyone who can reach " + address +
            "; set " + ConfigKey.GATEWAY_API_TOKEN.key() + " or " + ConfigKey.GATEWAY_API_TOKEN.envName());
    }

    /**
     * @param path a request path, decoded.
     * @return true when the path is served without a token.
     */
    public static boolean isOpen(final String path)
    {
        if (path.contains("..") || path.contains("//") || path.contains("\\"))
        {
            return false;
        }
        if (OPEN_PATHS.contains(path))
        {
            return true;
        }
        for (final String prefix : OPEN_PREFIXES)
        {
            if (path.startsWith(prefix) && path.length() > prefix.length())
            {
                return true;
            }
        }
        return false;
    }

    /**
     * @param req a request.
     * @return true for a WebSocket handshake on {@code GET /graphql}.
     */
    static boolean isWebSocketUpgrade(final RoutingRequest req)
    {
        return "GET".equals(req.prologue().method().text()) &&
            "/graphql".equals(req.path().path()) && "/graphql".equals(req.path().rawPath()) &&
            req.headers().contains(HeaderNames.UPGRADE) &&
            "websocket".equalsIgnoreCase(req.headers().get(HeaderNames.UPGRADE).get().trim()) &&
            req.headers().contains(SEC_WEBSOCKET_KEY);
    }

    @Override
    public void filters(final HttpRouting.Builder routing)
    {
        if (token.required())
        {
            routing.addFilter(this::filter);
        }
    }

    private void filter(final FilterChain chain, final RoutingRequest req, final RoutingResponse res)
    {
        final long startNs = System.nanoTime();
        final String rawPath = req.path().rawPath();
        if ((isOpen(req.path().path()) && isOpen(rawPath)) || isWebSocketUpgrade(req))
        {
            chain.proceed();
            return;
        }
        final List<String> values = req.headers().all(HeaderNames.AUTHORIZATION, List::of);
        if (values.size() == 1 && token.accepts(values.get(0)))
        {
            chain.proceed();
            return;
        }

        final String detail = values.isEmpty() ?
            "this server requires an API token: send the header Authorization: Bearer <token>" :
            values.size() > 1 ? "the Authorization header is given " + values.size() + " times; give it once" :
            "the Authorization header does not carry the API token this server expects (Bearer <token>)";
        final ApiProblem problem = new ApiProblem(401, UNAUTHENTICATED, "Unauthorized", detail);
        res.status(Status.UNAUTHORIZED_401);
        res.header(HeaderNames.WWW_AUTHENTICATE, CHALLENGE);
        res.header(HeaderNames.CONTENT_TYPE, "application/problem+json");
        res.send(JsonViews.problem(problem, rawPath));
        listener.rejected(req.prologue().method().text(), rawPath, 401, UNAUTHENTICATED, System.nanoTime() - startNs);
    }
}
