package io.axiom.gateway.graphql;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A raw {@code graphql-transport-ws} client on {@link java.net.http.WebSocket}, for the protocol's edges: every text
 * message received is queued as JSON, and the close code and reason are kept.
 */
final class WsTestClient implements WebSocket.Listener, AutoCloseable
{
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    /**
     * How the server closed the socket.
     *
     * @param code   close code.
     * @param reason close reason.
     */
    record Closed(int code, String reason)
    {
    }

    private final BlockingQueue<JsonNode> messages = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final HttpClient http;
    private WebSocket socket;

    private WsTestClient(final HttpClient http)
    {
        this.http = http;
    }

    /**
     * @param port the server's port.
     * @return a client connected to {@code /graphql} with the {@code graphql-transport-ws} sub-protocol.
     */
    static WsTestClient connect(final int port)
    {
        final HttpClient http = HttpClient.newHttpClient();
        final WsTestClient client = new WsTestClient(http);
        try
        {
            client.socket = http.newWebSocketBuilder()
                .subprotocols(GraphQlWsConnection.PROTOCOL)
                .connectTimeout(TIMEOUT)
                .buildAsync(URI.create("ws://127.0.0.1:" + port + "/graphql"), client)
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (final InterruptedException | ExecutionException | TimeoutException ex)
        {
            http.close();
            throw new AssertionError("cannot open the GraphQL WebSocket", ex);
        }
        assertEquals(GraphQlWsConnection.PROTOCOL, client.socket.getSubprotocol());
        return client;
    }

    /**
     * Send {@code connection_init} and expect {@code connection_ack}.
     *
     * @param payload the init payload JSON, or null.
     */
    void init(final String payload)
    {
        send(null == payload ? "{\"type\":\"connection_init\"}" :
            "{\"type\":\"connection_init\",\"payload\":" + payload + "}");
        assertEquals("connection_ack", next().get("type").asText());
    }

    /**
     * @param id        operation id.
     * @param query     the document.
     * @param variables variables as JSON, or null.
     */
    void subscribe(final String id, final String query, final String variables)
    {
        send("{\"id\":" + GraphQlHttp.MAPPER.valueToTree(id) + ",\"type\":\"subscribe\",\"payload\":{\"query\":" +
            GraphQlHttp.MAPPER.valueToTree(query) + (null == variables ? "" : ",\"variables\":" + variables) + "}}");
    }

    /**
     * @param text a message.
     */
    void send(final String text)
    {
        try
        {
            socket.sendText(text, true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (final InterruptedException | ExecutionException | TimeoutException ex)
        {
            throw new AssertionError("cannot send " + text, ex);
        }
    }

    /**
     * @return the next message, waiting up to {@link #TIMEOUT}.
     */
    JsonNode next()
    {
        try
        {
            final JsonNode message = messages.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            if (null == message)
            {
                fail("no message within " + TIMEOUT + (closed.isDone() ? "; socket closed: " + closed.join() : ""));
            }
            return message;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(ex);
        }
    }

    /**
     * @return how the server closed the socket, waiting up to {@link #TIMEOUT}.
     */
    Closed awaitClose()
    {
        try
        {
            return closed.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (final InterruptedException | ExecutionException | TimeoutException ex)
        {
            throw new AssertionError("the server did not close the socket; received " + messages, ex);
        }
    }

    /**
     * @return messages received and not yet taken.
     */
    int pending()
    {
        return messages.size();
    }

    @Override
    public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
    {
        partial.append(data);
        if (last)
        {
            try
            {
                messages.add(GraphQlHttp.MAPPER.readTree(partial.toString()));
            }
            catch (final IOException ex)
            {
                closed.completeExceptionally(new AssertionError("server sent non-JSON: " + partial, ex));
            }
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
    {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(final WebSocket webSocket, final Throwable error)
    {
        closed.completeExceptionally(error);
    }

    @Override
    public void close()
    {
        if (!socket.isOutputClosed())
        {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
        socket.abort();
        http.close();
    }
}
