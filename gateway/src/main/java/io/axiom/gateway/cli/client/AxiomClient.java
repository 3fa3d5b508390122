package io.axiom.gateway.cli.client;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small blocking client of the REST API for the command line: one request per call, JSON in and out, the bearer
 * token on every request when one is given. A non-2xx answer becomes an {@link ApiException}; no answer at all
 * becomes an {@link UnreachableException} naming the URL.
 */
public final class AxiomClient implements AutoCloseable
{
    /** Bound on establishing the connection. */
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** Bound on one request, answer included. */
    public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

    static final ObjectMapper MAPPER = new ObjectMapper();

    private final URI server;
    private final String token;
    private final HttpClient http;

    /**
     * @param server base URL, e.g. {@code http://localhost:4000}, without a trailing slash.
     * @param token  API token, or null for none.
     */
    public AxiomClient(final URI server, final String token)
    {
        this.server = server;
        this.token = token;
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(CONNECT_TIMEOUT)
            .build();
    }

    /**
     * @return the server's base URL.
     */
    public URI server()
    {
        return server;
    }

    /**
     * @param path absolute path with its query, e.g. {@code /api/v1/workflows?limit=5}.
     * @return the answer's JSON.
     */
    public Answer get(final String path)
    {
        return send("GET", path, null, null, REQUEST_TIMEOUT);
    }

    /**
     * @param path           absolute path.
     * @param body           JSON body, or null for none.
     * @param idempotencyKey value of the {@code Idempotency-Key} header, or null.
     * @return the answer's JSON.
     */
    public Answer post(final String path, final JsonNode body, final String idempotencyKey)
    {
        return send("POST", path, body, idempotencyKey, REQUEST_TIMEOUT);
    }

    /**
     * @param path    absolute path.
     * @param body    JSON body, or null for none.
     * @param timeout bound on this request, answer included, for a request that takes as long as the server's work
     *                (a verify reads the whole log).
     * @return the answer's JSON.
     */
    public Answer postWaiting(final String path, final JsonNode body, final Duration timeout)
    {
        return send("POST", path, body, null, timeout);
    }

    private Answer send(
        final String method,
        final String path,
        final JsonNode body,
        final String idempotencyKey,
        final Duration timeout)
    {
        final URI uri = URI.create(server + path);
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri)
            .timeout(timeout)
            .header("Accept", "application/json, application/problem+json");
        if (null != token)
        {
            request.header("Authorization", "Bearer " + token);
        }
        if (null != idempotencyKey)
        {
            request.header("Idempotency-Key", idempotencyKey);
        }
        if (null == body)
        {
            request.method(method, HttpRequest.BodyPublishers.noBody());
        }
        else
        {
            request.header("Content-Type", "application/json");
            request.method(method, HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
        }

        final HttpResponse<String> response;
        try
        {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        }
        catch (final HttpConnectTimeoutException ex)
        {
            throw new UnreachableException("cannot reach the Axiom server at " + server + ": no connection within " +
                CONNECT_TIMEOUT.toSeconds() + " s", ex);
        }
        catch (final HttpTimeoutException ex)
        {
            throw new UnreachableException("the Axiom server at " + server + " did not answer " + method + " " +
                path + " within " + timeout.toSeconds() + " s", ex);
        }
        catch (final ConnectException ex)
        {
            throw new UnreachableException("cannot reach the Axiom server at " + server +
                ": connection refused (is it running? start one with bin/axiom server, or point --server or " +
                ClientOptions.SERVER_ENV + " at it)", ex);
        }
        catch (final IOException ex)
        {
            throw new UnreachableException("request " + method + " " + uri + " failed: " + describe(ex), ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new UnreachableException("interrupted while waiting for " + uri, ex);
        }

        final int status = response.statusCode();
        final JsonNode json = parse(response.body());
        if (status < 200 || status > 299)
        {
            throw problem(status, json, response.body(), method, path);
        }
        if (null == json)
        {
            throw new ApiException(status, "NOT_JSON", "the server answered " + status + " with a body that is " +
                "not JSON: " + clip(response.body()), method, path);
        }
        return new Answer(status, json, response.headers().firstValue("Location").orElse(null));
    }

    private static ApiException problem(
        final int status, final JsonNode json, final String body, final String method, final String path)
    {
        if (null != json && json.isObject() && json.hasNonNull("detail"))
        {
            final String code = json.hasNonNull("code") ? json.get("code").asText() : "HTTP_" + status;
            return new ApiException(status, code, json.get("detail").asText(), method, path);
        }
        final String detail = null == body || body.isBlank() ? "HTTP " + status + " with an empty body" :
            "HTTP " + status + ": " + clip(body);
        return new ApiException(status, "HTTP_" + status, detail, method, path);
    }

    private static JsonNode parse(final String body)
    {
        if (null == body || body.isBlank())
        {
            return null;
        }
        try
        {
            return MAPPER.readTree(body);
        }
        catch (final JsonProcessingException ex)
        {
            return null;
        }
    }

    private static String clip(final String text)
    {
        final String oneLine = text.strip().replaceAll("\\s+", " ");
        return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
    }

    private static String describe(final Throwable t)
    {
        return null == t.getMessage() ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " +
            t.getMessage();
    }

    @Override
    public void close()
    {
        http.close();
    }

    /**
     * A 2xx answer.
     *
     * @param status   HTTP status.
     * @param json     the body.
     * @param location the {@code Location} header, or null.
     */
    public record Answer(int status, JsonNode json, String location)
    {
    }
}
