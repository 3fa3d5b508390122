package io.axiom.gateway.http;

import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;

/**
 * One capability of the gateway (GraphQL, GraphiQL, metrics, OpenAPI, auth...) that plugs its filters, routes and
 * WebSocket endpoints into the server. {@code AxiomServer} lists the modules in one place; filters of every module
 * are registered first, then the REST routes, then every module's routes, then the 404 fallback.
 */
public interface GatewayModule extends AutoCloseable
{
    /**
     * @param routing to add request filters to (run before any route).
     */
    default void filters(final HttpRouting.Builder routing)
    {
    }

    /**
     * @param routing to add routes to.
     */
    default void routes(final HttpRouting.Builder routing)
    {
    }

    /**
     * @param routing to add WebSocket endpoints to.
     */
    default void websocket(final WsRouting.Builder routing)
    {
    }

    /**
     * Release threads or resources; called when the server stops, before the engine closes.
     */
    default void close()
    {
    }
}
