package io.axiom.gateway.auth;

import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.config.AxiomConfig;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The API token: refused without it or with a wrong one, accepted with it, for REST and GraphQL over HTTP; the
 * open endpoints stay open; the start-up settings never show the token; without one the server says so.
 */
class AuthTest
{
    private static final String TOKEN = "s3cret-token-for-tests";
    private static final String CREATE = "{\"name\":\"guarded\",\"steps\":[\"A\"]}";

    @TempDir
    Path dir;

    @Test
    void restAndGraphqlNeedTheToken()
    {
        try (TestServer server = TestServer.start(dir, "--gateway.api-token", TOKEN))
        {
            for (final String path : List.of("/api/v1/workflows", "/api/v1/workflows/1", "/api/v1/tasks",
                "/api/v1/metrics", "/api/v1/metrics/prometheus", "/api/v1/nothing-here"))
            {
                assertUnauthenticated(server.get(path), "no token on GET " + path);
                assertUnauthenticated(server.send(server.request(path).header("Authorization", "Bearer wrong")
                    .GET().build()), "wrong token on GET " + path);
            }
            assertUnauthenticated(server.postJson("/api/v1/workflows", CREATE), "no token on create");
            assertUnauthenticated(server.postJson("/api/v1/workflows", CREATE, "Authorization", "Bearer " + TOKEN +
                "x"), "longer token");
            assertUnauthenticated(server.postJson("/api/v1/workflows", CREATE, "Authorization", TOKEN),
                "token without the Bearer scheme");
            assertUnauthenticated(server.postJson("/graphql", "{\"query\":\"{ __typename }\"}"),
                "no token on /graphql");
            assertUnauthenticated(server.postJson("/graphql", "{\"query\":\"{ __typename }\"}", "Authorization",
                "Bearer nope"), "wrong token on /graphql");
            assertEquals(0, server.engine().counters().workflowCount(), "a refused create must not reach the engine");

            final String bearer = "Bearer " + TOKEN;
            assertEquals(201, server.postJson("/api/v1/workflows", CREATE, "Authorization", bearer).status());
            assertEquals(201, server.postJson("/api/v1/workflows", CREATE, "Authorization", "bearer " + TOKEN)
                .status(), "the scheme is case-insensitive");
            assertEquals(200, get(server, "/api/v1/workflows/1", bearer).status());
            assertEquals(200, get(server, "/api/v1/metrics", bearer).status());
            assertEquals(404, get(server, "/api/v1/nothing-here", bearer).status());
            assertNotEquals(401, server.postJson("/graphql", "{\"query\":\"{ __typename }\"}", "Authorization",
                bearer).status());

            final String prometheus = get(server, "/api/v1/metrics/prometheus", bearer).body();
            assertTrue(prometheus.contains("axiom_rejections_total{code=\"UNAUTHENTICATED\",status=\"401\"} 17.0"),
                prometheus);
        }
    }

    @Test
    void openEndpointsStayOpen() throws Exception
    {
        try (TestServer server = TestServer.start(dir, "--gateway.api-token", TOKEN))
        {
            assertEquals(200, server.get("/health").status());
            assertEquals(200, server.get("/ready").status());
            assertEquals(200, server.get("/api/v1/openapi.yaml").status());
            assertNotEquals(401, server.get("/graphiql").status());
            assertNotEquals(401, server.get("/graphiql/graphiql.min.js").status());

            for (final String sneaky : List.of("/health/../api/v1/workflows", "/graphiql/../api/v1/workflows",
                "/graphiql/%2e%2e/api/v1/workflows", "//api/v1/workflows", "/ready/../api/v1/tasks"))
            {
                final String status = rawStatusLine(server.port(), sneaky);
                assertFalse(status.contains(" 200 "), sneaky + " answered " + status);
            }
        }
    }

    @Test
    void withoutATokenEverythingIsOpen()
    {
        try (TestServer server = TestServer.start(dir))
        {
            assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
            assertEquals(200, server.get("/api/v1/metrics").status());
            assertNotEquals(401, server.postJson("/graphql", "{\"query\":\"{ __typename }\"}").status());
        }
    }

    @Test
    void tokenIsComparedExactly()
    {
        final ApiToken token = ApiToken.of(TOKEN);
        assertTrue(token.required());
        assertTrue(token.accepts("Bearer " + TOKEN));
        assertTrue(token.accepts("BEARER " + TOKEN));
        assertFalse(token.accepts(null));
        assertFalse(token.accepts(""));
        assertFalse(token.accepts("Bearer"));
        assertFalse(token.accepts("Bearer " + TOKEN.substring(1)));
        assertFalse(token.accepts("Basic " + TOKEN));
        assertFalse(ApiToken.of("").required());
        assertFalse(ApiToken.of("   ").required());
        assertTrue(ApiToken.of(null).accepts(null));
    }

    @Test
    void openPathsAreExact()
    {
        assertTrue(AuthModule.isOpen("/health"));
        assertTrue(AuthModule.isOpen("/graphiql/app.js"));
        assertFalse(AuthModule.isOpen("/health/"));
        assertFalse(AuthModule.isOpen("/graphiql/"));
        assertFalse(AuthModule.isOpen("/graphiql/../api/v1/workflows"));
        assertFalse(AuthModule.isOpen("/graphql"));
        assertFalse(AuthModule.isOpen("/api/v1/workflows"));
        assertFalse(AuthModule.isOpen("/api/v1/metrics"));
    }

    @Test
    void webSocketUpgradeIsNotStoppedByTheFilter() throws Exception
    {
        final AxiomConfig config = AxiomConfig.load(null, Map.of("AXIOM_API_TOKEN", TOKEN), Map.of());
        final AtomicInteger opened = new AtomicInteger();
        final WebServer web = WebServer.builder()
            .host("127.0.0.1")
            .port(0)
            .shutdownHook(false)
            .routing(routing ->
            {
                new AuthModule(config, (m, p, s, c, n) -> { }).filters(routing);
                routing.post("/graphql", (req, res) -> res.send("reached"));
                routing.get("/graphql", (req, res) -> res.send("reached"));
            })
            .addRouting(WsRouting.builder().endpoint("/graphql", new WsListener()
            {
                @Override
                public void onOpen(final WsSession session)
                {
                    opened.incrementAndGet();
                }
            }))
            .build()
            .start();
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build())
        {
            final WebSocket ws = http.newWebSocketBuilder()
                .subprotocols("graphql-transport-ws")
                .buildAsync(URI.create("ws://127.0.0.1:" + web.port() + "/graphql"), new WebSocket.Listener()
                {
                })
                .get(30, TimeUnit.SECONDS);
            TestServer.await("WebSocket opened on the server", () -> opened.get() == 1);
            final CompletableFuture<WebSocket> closed = ws.sendClose(WebSocket.NORMAL_CLOSURE, "done");
            closed.get(30, TimeUnit.SECONDS);

            final String plain = rawStatusLine(web.port(), "/graphql");
            assertTrue(plain.contains(" 401 "), "a plain HTTP request to /graphql still needs the token: " + plain);
            final String fake = rawStatusLine(web.port(), "/graphql", "Upgrade: websocket", "Connection: Upgrade");
            assertFalse(fake.contains(" 200 "), "an upgrade header alone must not open /graphql: " + fake);
            final String bogus = rawStatusLine(web.port(), "/graphql", "Upgrade: websocket", "Connection: Upgrade",
                "Sec-WebSocket-Key: not-a-key", "Sec-WebSocket-Version: 7");
            assertFalse(bogus.contains(" 200 "), "a failed upgrade must not reach the HTTP route: " + bogus);
        }
        finally
        {
            web.stop();
        }
    }

    @Test
    void startupSaysWhenTheApiIsOpenAndNeverPrintsTheToken() throws Exception
    {
        final String open = runServer(Map.of());
        assertTrue(open.contains("no API token configured: /api and /graphql are open to anyone who can reach " +
            "127.0.0.1:"), open);
        assertTrue(open.contains("; set gateway.api-token or AXIOM_API_TOKEN"), open);
        assertTrue(open.contains("gateway.api-token            = (none)"), open);

        final String guarded = runServer(Map.of("AXIOM_API_TOKEN", TOKEN));
        assertFalse(guarded.contains("no API token configured"), guarded);
        assertFalse(guarded.contains(TOKEN), "the token must never be printed:\n" + guarded);
        assertTrue(guarded.contains("gateway.api-token            = (set)"), guarded);
    }

    private String runServer(final Map<String, String> env) throws Exception
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger code = new AtomicInteger(-1);
        final Path data = dir.resolve("cli-" + env.size());
        final Thread thread = new Thread(() -> code.set(AxiomMain.execute(env, new PrintWriter(out),
            new PrintWriter(err), "server", "--port", "0", "--data-dir", data.toString(), "--ingress",
            TestServer.freeIngress())));
        thread.start();
        try
        {
            TestServer.await("listening line", () -> out.toString().contains("Axiom listening on ") ||
                code.get() >= 0);
            TestServer.await("ready line", () -> out.toString().contains("Axiom ready") || code.get() >= 0);
            return out + "\n" + err;
        }
        finally
        {
            thread.interrupt();
            thread.join(Duration.ofSeconds(30));
            assertFalse(thread.isAlive(), "server command did not stop");
            assertEquals(0, code.get(), out + "\n" + err);
        }
    }

    private static TestServer.Response get(final TestServer server, final String path, final String authorization)
    {
        return server.send(server.request(path).header("Authorization", authorization).GET().build());
    }

    private static void assertUnauthenticated(final TestServer.Response res, final String what)
    {
        assertEquals(401, res.status(), what + ": " + res);
        assertEquals("application/problem+json", res.contentType(), what);
        assertEquals("Bearer realm=\"axiom\"", res.header("WWW-Authenticate"), what);
        assertEquals("UNAUTHENTICATED", res.json().get("code").asText(), what);
        assertEquals(401, res.json().get("status").asInt(), what);
    }

    private static String rawStatusLine(final int port, final String rawPath, final String... headers)
        throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 10_000);
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            final StringBuilder request = new StringBuilder("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (final String header : headers)
            {
                request.append(header).append("\r\n");
            }
            if (headers.length == 0)
            {
                request.append("Connection: close\r\n");
            }
            out.write(request.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final InputStream in = socket.getInputStream();
            final StringBuilder line = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n')
            {
                line.append((char)c);
            }
            return line.toString().trim();
        }
    }
}
