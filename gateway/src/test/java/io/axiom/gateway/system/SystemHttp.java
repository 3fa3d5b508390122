package io.axiom.gateway.system;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The HTTP calls the system tests make against a {@link ServerProcess}: plain {@code java.net.http}, HTTP/1.1, every
 * request bounded by a timeout, and JSON read with Jackson. Failures carry the server's output.
 */
final class SystemHttp implements AutoCloseable
{
    static final ObjectMapper JSON = new ObjectMapper();
    static final String WORKFLOWS = "/api/v1/workflows";

    private final HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1)
        .build();
    private final Duration requestTimeout;

    SystemHttp(final Duration requestTimeout)
    {
        this.requestTimeout = requestTimeout;
    }

    HttpResponse<String> get(final ServerProcess server, final String path) throws IOException
    {
        return send(HttpRequest.newBuilder(server.uri(path)).timeout(requestTimeout).GET().build());
    }

    HttpResponse<String> post(final ServerProcess server, final String path, final String body) throws IOException
    {
        return send(HttpRequest.newBuilder(server.uri(path))
            .timeout(requestTimeout)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body))
            .build());
    }

    /**
     * @return the JSON body of a GET that must answer 200.
     */
    JsonNode getOk(final ServerProcess server, final String path) throws IOException
    {
        final HttpResponse<String> response = get(server, path);
        if (200 != response.statusCode())
        {
            throw server.failure("GET " + path + " answered " + response.statusCode() + " " +
                abbreviate(response.body()), null);
        }
        return readTree(response.body());
    }

    HttpResponse<String> send(final HttpRequest request) throws IOException
    {
        try
        {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }

    @Override
    public void close()
    {
        http.close();
    }

    static JsonNode readTree(final String body)
    {
        try
        {
            final JsonNode node = JSON.readTree(body);
            if (null == node)
            {
                throw new AssertionError("empty body");
            }
            return node;
        }
        catch (final IOException ex)
        {
            throw new AssertionError("not JSON: " + abbreviate(body), ex);
        }
    }

    /**
     * @return the text, cut to a few hundred characters for a failure message (bodies here can be megabytes).
     */
    static String abbreviate(final String text)
    {
        return null == text || text.length() <= 600 ? text : text.substring(0, 600) + "... (" + text.length() +
            " characters)";
    }

    /**
     * Poll a condition until it holds.
     *
     * @param server    the server whose output explains a failure.
     * @param timeout   bound on the wait.
     * @param what      what is awaited, for the failure message.
     * @param condition polled every 50 ms.
     */
    static void await(
        final ServerProcess server, final Duration timeout, final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                throw server.failure("not within " + timeout + ": " + what, null);
            }
            ServerProcess.pause(50);
        }
    }
}
