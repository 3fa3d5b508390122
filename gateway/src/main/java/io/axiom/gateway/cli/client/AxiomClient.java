package io.axiom.gateway.cli.client;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * A small blocking client of the REST API for the command line: one request per call, JSON in and out, the bearer
 * token on every request when one is given. A non-2xx answer becomes an {@link ApiException}; no answer at all
 * becomes an {@link UnreachableException} naming the URL.
 * <p>
 * It uses {@link HttpURLConnection} rather than {@code java.net.http}: a plain-HTTP request then loads no TLS
 * classes and starts no selector thread, which is most of what a short command spends on the network.
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

    /**
     * @param server base URL, e.g. {@code http://localhost:4000}, without a trailing slash.
     * @param token  API token, or null for none.
     */
    public AxiomClient(final URI server, final String token)
    {
        this.server = server;
        this.token = token;
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
        final HttpURLConnection connection;
        final int status;
        final String text;
        try
        {
            connection = (HttpURLConnection)uri.toURL().openConnection();
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            throw new UnreachableException("request " + method + " " + uri + " failed: " + describe(ex), ex);
        }
        try
        {
            connection.setRequestMethod(method);
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setConnectTimeout((int)CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int)Math.min(Integer.MAX_VALUE, timeout.toMillis()));
            connection.setRequestProperty("Accept", "application/json, application/problem+json");
            if (null != token)
            {
                connection.setRequestProperty("Authorization", "Bearer " + token);
            }
            if (null != idempotencyKey)
            {
                connection.setRequestProperty("Idempotency-Key", idempotencyKey);
            }
            final byte[] content = null == body ? null : body.toString().getBytes(StandardCharsets.UTF_8);
            if (null != content)
            {
                connection.setRequestProperty("Content-Type", "application/json");
            }
            if ("POST".equals(method))
            {
                // a fixed length also stops HttpURLConnection from silently sending a POST twice
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(null == content ? 0 : content.length);
            }
            try
            {
                connection.connect();
            }
            catch (final SocketTimeoutException ex)
            {
                throw new UnreachableException("cannot reach the Axiom server at " + server + ": no connection " +
                    "within " + CONNECT_TIMEOUT.toSeconds() + " s", ex);
            }
            if (connection.getDoOutput())
            {
                try (OutputStream out = connection.getOutputStream())
                {
                    if (null != content)
                    {
                        out.write(content);
                    }
                }
            }
            status = connection.getResponseCode();
            final InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            text = null == in ? "" : readAll(in);
        }
        catch (final SocketTimeoutException ex)
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
        finally
        {
            connection.disconnect();
        }

        final JsonNode json = parse(text);
        if (status < 200 || status > 299)
        {
            throw problem(status, json, text, method, path);
        }
        if (null == json)
        {
            throw new ApiException(status, "NOT_JSON", "the server answered " + status + " with a body that is " +
                "not JSON: " + clip(text), method, path);
        }
        return new Answer(status, json, connection.getHeaderField("Location"));
    }

    private static String readAll(final InputStream in) throws IOException
    {
        try (InputStream stream = in)
        {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        }
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
        // each request opens and closes its own connection
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
