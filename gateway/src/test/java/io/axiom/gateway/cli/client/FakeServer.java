package io.axiom.gateway.cli.client;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.sun.net.httpserver.HttpServer;

/**
 * A tiny local HTTP server that answers every request with one canned response and records what it received: for
 * what a real server cannot be made to do on demand (a replay mismatch, an endpoint of a later capability).
 */
final class FakeServer implements AutoCloseable
{
    /**
     * One request as received.
     *
     * @param method        request method.
     * @param pathAndQuery  path with its query.
     * @param authorization the Authorization header, or null.
     * @param contentType   the Content-Type header, or null.
     * @param body          the body.
     */
    record Request(String method, String pathAndQuery, String authorization, String contentType, String body)
    {
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();

    /**
     * @param status      status of every answer.
     * @param contentType its content type.
     * @param body        its body.
     */
    FakeServer(final int status, final String contentType, final String body)
    {
        try
        {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        server.createContext("/", exchange ->
        {
            final String received = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().toString(),
                exchange.getRequestHeaders().getFirst("Authorization"),
                exchange.getRequestHeaders().getFirst("Content-Type"), received));
            final byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", contentType);
            exchange.sendResponseHeaders(status, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.start();
    }

    /**
     * @return {@code http://127.0.0.1:PORT}.
     */
    String url()
    {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    /**
     * @return every request received so far.
     */
    List<Request> requests()
    {
        return requests;
    }

    @Override
    public void close()
    {
        server.stop(0);
    }
}
