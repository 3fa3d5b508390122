package io.axiom.gateway.graphql;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;

import io.axiom.core.Engine;
import io.axiom.gateway.chaos.ChaosRunner;
import io.axiom.gateway.auth.ApiToken;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.GatewaySettings;

/**
 * GraphQL at {@code /graphql}: queries and mutations by {@code POST} (queries also by {@code GET}), subscriptions
 * over a WebSocket on the same path ({@code graphql-transport-ws}). Owns the feed's fan-out thread and the timer of WebSocket handshakes, and
 * stops both on {@link #close()}.
 */
public final class GraphQlModule implements GatewayModule
{
    /** Where GraphQL is served. */
    public static final String PATH = "/graphql";
    /** How long a WebSocket client may take to send {@code connection_init}. */
    public static final long INIT_TIMEOUT_MS = 10_000;

    private final AxiomGraphQl graphQl;
    private final Operations operations;
    private final EventFanOut fanOut;
    private final ApiToken token;
    private final int maxBodyBytes;
    private final long drainLimit;
    private final long pingIntervalMs;
    private final ScheduledExecutorService timer;
    private final Map<GraphQlWsConnection, Boolean> connections = new ConcurrentHashMap<>();

    /**
     * Start following the engine's event feed at once, so that no event released from now on is missed.
     *
     * @param engine        the engine to serve.
     * @param settings      limits and timeouts of the gateway.
     * @param token         the API token WebSocket clients must present in {@code connection_init} (possibly none;
     *                      HTTP requests are checked by the auth filter).
     * @param maxDepth      deepest query accepted ({@code graphql.max-depth}).
     * @param maxComplexity largest query complexity accepted ({@code graphql.max-complexity}).
     * @param pingIntervalMs how often each WebSocket is pinged, so that a live client's pong keeps it from the idle
     *                       timeout and a vanished one is closed by it.
     */
    public GraphQlModule(
        final Engine engine,
        final GatewaySettings settings,
        final ApiToken token,
        final int maxDepth,
        final int maxComplexity,
        final long pingIntervalMs)
    {
        this(engine, settings, token, maxDepth, maxComplexity, pingIntervalMs, ChaosRunner.of(engine, null));
    }

    /**
     * Like the constructor without a chaos runner, with the server's.
     *
     * @param engine         the engine to serve.
     * @param settings       limits and timeouts of the gateway.
     * @param token          the API token WebSocket clients must present.
     * @param maxDepth       deepest query accepted.
     * @param maxComplexity  largest query complexity accepted.
     * @param pingIntervalMs how often each WebSocket is pinged.
     * @param chaos          the server's chaos runner, for {@code runChaos}.
     */
    public GraphQlModule(
        final Engine engine,
        final GatewaySettings settings,
        final ApiToken token,
        final int maxDepth,
        final int maxComplexity,
        final long pingIntervalMs,
        final ChaosRunner chaos)
    {
        this.fanOut = new EventFanOut(engine.eventFeed());
        this.operations = new Operations(engine, settings, fanOut, chaos);
        this.graphQl = new AxiomGraphQl(operations, maxDepth, maxComplexity);
        this.token = token;
        this.maxBodyBytes = settings.maxBodyBytes();
        this.drainLimit = settings.drainLimit();
        this.pingIntervalMs = pingIntervalMs;
        this.timer = Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "axiom-graphql-ws-timer");
            thread.setDaemon(true);
            return thread;
        });
        fanOut.start();
    }

    /**
     * @param engine   the engine to serve.
     * @param config   effective configuration: {@code gateway.api-token}, {@code graphql.max-depth},
     *                 {@code graphql.max-complexity}.
     * @param settings limits and timeouts of the gateway.
     * @return the module, already following the engine's event feed.
     */
    public static GraphQlModule of(final Engine engine, final AxiomConfig config, final GatewaySettings settings)
    {
        return of(engine, config, settings, ChaosRunner.of(engine, null));
    }

    /**
     * @param engine   the engine to serve.
     * @param config   effective configuration.
     * @param settings limits and timeouts of the gateway.
     * @param chaos    the server's chaos runner, for {@code runChaos}.
     * @return the module, already following the engine's event feed.
     */
    public static GraphQlModule of(
        final Engine engine, final AxiomConfig config, final GatewaySettings settings, final ChaosRunner chaos)
    {
        return new GraphQlModule(engine, settings, ApiToken.of(config.apiToken()), config.graphqlMaxDepth(),
            config.graphqlMaxComplexity(), pingInterval(config.idleTimeoutMs()), chaos);
    }

    /**
     * @param idleTimeoutMs {@code gateway.idle-timeout-ms}.
     * @return the ping interval: a third of the idle timeout, so that two pings may go unanswered by a slow client
     * before the idle timeout closes it.
     */
    static long pingInterval(final long idleTimeoutMs)
    {
        return Math.max(50, idleTimeoutMs / 3);
    }

    @Override
    public void routes(final HttpRouting.Builder routing)
    {
        final GraphQlHttpHandler handler = new GraphQlHttpHandler(graphQl, maxBodyBytes, drainLimit);
        routing
            .post(PATH, handler::post)
            .get(PATH, handler::get)
            .any(PATH, GraphQlHttpHandler::notAllowed);
    }

    @Override
    public void websocket(final WsRouting.Builder routing)
    {
        routing.endpoint(PATH, () ->
            new GraphQlWsConnection(graphQl, token, timer, INIT_TIMEOUT_MS, pingIntervalMs, maxBodyBytes, connections));
    }

    /**
     * Answer {@code cluster} and {@code takeClusterSnapshot} through the server's cluster routes (until then, and on
     * a single node, they answer NOT_FOUND with reason NOT_CLUSTERED). Call before the server serves requests.
     *
     * @param cluster the server's cluster module.
     */
    public void cluster(final io.axiom.gateway.cluster.ClusterModule cluster)
    {
        operations.cluster(cluster);
    }

    /**
     * @return subscriptions registered with the fan-out now (for tests and metrics).
     */
    public int activeSubscriptions()
    {
        return fanOut.streamCount();
    }

    @Override
    public void close()
    {
        for (final GraphQlWsConnection connection : List.copyOf(connections.keySet()))
        {
            connection.shutdown();
        }
        fanOut.close();
        timer.shutdownNow();
    }
}
