package io.axiom.gateway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.axiom.core.Engine;
import io.axiom.gateway.config.AxiomConfig;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * An in-process server on an ephemeral port with its own data directory, and an HTTP client pointed at it.
 */
public final class TestServer implements AutoCloseable
{
    public static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private final AxiomServer server;
    private final HttpClient http;

    private TestServer(final AxiomServer server)
    {
        this.server = server;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    }

    /**
     * Start a server and wait (bounded) until its engine has recovered. Its HTTP port is ephemeral and its worker
     * ingress a UDP port free now (unless the flags set the transport), so that servers started in parallel never
     * collide.
     *
     * @param dataDir journal directory.
     * @param flags   extra flags as name, value pairs, e.g. {@code "--limits.max-steps", "5"}.
     * @return the ready server.
     */
    public static TestServer start(final Path dataDir, final String... flags)
    {
        final Map<String, String> flagMap = new LinkedHashMap<>();
        flagMap.put("--data-dir", dataDir.toString());
        flagMap.put("--port", "0");
        boolean transportSet = false;
        for (int i = 0; i < flags.length; i += 2)
        {
            flagMap.put(flags[i], flags[i + 1]);
            transportSet |= flags[i].equals("--ingress") || flags[i].startsWith("--transport.");
        }
        if (!transportSet)
        {
            flagMap.put("--ingress", freeIngress());
        }
        final AxiomServer server = AxiomServer.start(AxiomConfig.load(null, Map.of(), flagMap), false);
        final TestServer testServer = new TestServer(server);
        await("engine ready", () -> server.engine().isReady() || null != server.engine().failure());
        if (null != server.engine().failure())
        {
            testServer.close();
            fail("engine failed at start", server.engine().failure());
        }
        return testServer;
    }

    /**
     * @return a worker ingress on a loopback UDP port free now: an Aeron endpoint the workers must know cannot be
     * ephemeral, so a test picks one.
     */
    public static String freeIngress()
    {
        return "aeron:udp?endpoint=localhost:" + freeUdpPort();
    }

    /**
     * @return a loopback UDP port free now.
     */
    public static int freeUdpPort()
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    public int port()
    {
        return server.port();
    }

    public Engine engine()
    {
        return server.engine();
    }

    public AxiomServer server()
    {
        return server;
    }

    /**
     * Poll a condition until it holds or the bound passes.
     *
     * @param what      what is awaited, for the failure message.
     * @param condition the condition.
     */
    public static void await(final String what, final BooleanSupplier condition)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() > deadline)
            {
                fail("timed out after " + TIMEOUT + " waiting for " + what);
            }
            try
            {
                Thread.sleep(5);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                fail("interrupted waiting for " + what);
            }
        }
    }

    public Response get(final String path)
    {
        return send(request(path).GET().build());
    }

    public Response postJson(final String path, final String body, final String... headers)
    {
        return post(path, "application/json", body, headers);
    }

    public Response post(final String path, final String contentType, final String body, final String... headers)
    {
        final HttpRequest.Builder builder = request(path)
            .POST(null == body ? HttpRequest.BodyPublishers.noBody() :
                HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (null != contentType)
        {
            builder.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2)
        {
            builder.header(headers[i], headers[i + 1]);
        }
        return send(builder.build());
    }

    public Response send(final HttpRequest request)
    {
        try
        {
            final HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return new Response(response);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(ex);
        }
    }

    public HttpRequest.Builder request(final String path)
    {
        return HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port() + path)).timeout(TIMEOUT);
    }

    @Override
    public void close()
    {
        server.close();
        http.close();
    }

    /**
     * A response with its body parsed on demand.
     */
    public static final class Response
    {
        private final HttpResponse<String> response;

        Response(final HttpResponse<String> response)
        {
            this.response = response;
        }

        public int status()
        {
            return response.statusCode();
        }

        public String body()
        {
            return response.body();
        }

        public String header(final String name)
        {
            return response.headers().firstValue(name).orElse(null);
        }

        public String contentType()
        {
            return header("Content-Type");
        }

        public JsonNode json()
        {
            try
            {
                return MAPPER.readTree(response.body());
            }
            catch (final IOException ex)
            {
                throw new AssertionError("response body is not JSON: " + response.body(), ex);
            }
        }

        @Override
        public String toString()
        {
            return response.statusCode() + " " + response.headers().map() + " " + response.body();
        }
    }
}
