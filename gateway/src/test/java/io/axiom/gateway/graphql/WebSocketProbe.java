package io.axiom.gateway.graphql;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A GraphQL subscription over the WebSocket for tests outside this package: connect, {@code connection_init},
 * subscribe, then read each event's {@code type}.
 */
public final class WebSocketProbe implements AutoCloseable
{
    private final WsTestClient client;

    private WebSocketProbe(final WsTestClient client)
    {
        this.client = client;
    }

    /**
     * @param port  the server's port.
     * @param query a subscription selecting {@code type} of {@code workflowEvents}.
     * @return the subscribed probe.
     */
    public static WebSocketProbe subscribe(final int port, final String query)
    {
        final WsTestClient client = WsTestClient.connect(port);
        client.init(null);
        client.subscribe("1", query, null);
        return new WebSocketProbe(client);
    }

    /**
     * @return the type of the next event, waiting up to {@link WsTestClient#TIMEOUT}.
     */
    public String nextEventType()
    {
        final JsonNode message = client.next();
        assertEquals("next", message.get("type").asText(), message::toString);
        return message.get("payload").get("data").get("workflowEvents").get("type").asText();
    }

    @Override
    public void close()
    {
        client.close();
    }
}
