package io.axiom.gateway.http;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.RawHttp;
import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * HTTP at its edges, on a bare socket: broken chunked framing is a 400 that closes the connection (not a 500, not a
 * hang), HTTP/1.0 is served, and the refusals Helidon makes before routing carry a precise problem.
 */
class HttpEdgeCasesTest
{
    private static final Pattern LIBRARY_WORDS = Pattern.compile("(?i)helidon|exception|java\\.|see server log");
    private static final int READ_TIMEOUT_MS = 10_000;

    @TempDir
    static Path dataDir;

    private static TestServer server;

    @BeforeAll
    static void start()
    {
        server = TestServer.start(dataDir, "--wal.max-segment-size", "1MiB", "--core.ring-size", "1024");
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void malformedChunkSizeIs400AndEndsTheConnection()
    {
        final long position = server.engine().journalPosition();
        for (final String path : List.of("/api/v1/workflows", "/graphql"))
        {
            for (final String size : List.of("zz", "5x", "ffffffff", "-1", "fffffffffffffffff"))
            {
                try (RawHttp client = RawHttp.connect(server.port(), READ_TIMEOUT_MS))
                {
                    final String raw = client.send("POST " + path + " HTTP/1.1\r\nHost: localhost\r\n" +
                        "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n" + size +
                        "\r\n{\"a\":1}\r\n0\r\n\r\n").readToEnd();
                    final RawHttp.Response response = RawHttp.Response.parse(raw);
                    assertEquals(400, response.status(), raw);
                    assertEquals("close", response.headers().get("connection"), raw);
                    assertEquals(Integer.toString(response.body().length()), response.headers().get("content-length"),
                        "one response, sized, and nothing after it: " + raw);
                    assertTrue(response.body().contains("MALFORMED_BODY"), raw);
                    assertTrue(response.body().contains("chunked framing is malformed"), raw);
                }
            }
        }
        assertEquals(position, server.engine().journalPosition());
        assertEquals(200, server.get("/health").status());
    }

    @Test
    void aChunkedBodyCutShortEndsTheConnectionQuietly()
    {
        try (RawHttp client = RawHttp.connect(server.port(), READ_TIMEOUT_MS))
        {
            client.send("POST /api/v1/workflows HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
                "Transfer-Encoding: chunked\r\n\r\n40\r\n{\"name\":");
            client.socket().shutdownOutput();
            client.readToEnd();
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(ex);
        }
        assertEquals(200, server.get("/health").status());
    }

    @Test
    void http10IsServedAndTheConnectionClosedAfterTheAnswer()
    {
        final RawHttp.Response health = exchange("GET /health HTTP/1.0\r\n\r\n");
        assertEquals(200, health.status(), health::toString);
        assertEquals("{\"status\":\"UP\"}", health.body());
        assertEquals(Integer.toString(health.body().length()), health.headers().get("content-length"));
        assertNull(health.headers().get("transfer-encoding"), "an HTTP/1.0 client cannot read chunked");

        final String body = "{\"name\":\"from-1.0\",\"steps\":[\"A\"]}";
        final RawHttp.Response created = exchange("POST /api/v1/workflows HTTP/1.0\r\nHost: localhost\r\n" +
            "Connection: keep-alive\r\nContent-Type: application/json\r\nContent-Length: " + body.length() +
            "\r\n\r\n" + body);
        assertEquals(201, created.status(), created::toString);
        assertNotNull(created.headers().get("location"));
        assertTrue(created.body().contains("\"name\":\"from-1.0\""), created::toString);

        final RawHttp.Response refused = exchange("POST /api/v1/workflows HTTP/1.0\r\n" +
            "Content-Type: application/json\r\nContent-Length: 3\r\n\r\n{x}");
        assertEquals(400, refused.status(), refused::toString);
        assertEquals(Integer.toString(refused.body().length()), refused.headers().get("content-length"));
        assertNull(refused.headers().get("transfer-encoding"), refused::toString);
        assertTrue(refused.body().contains("MALFORMED_JSON"), refused::toString);

        try (RawHttp client = RawHttp.connect(server.port(), READ_TIMEOUT_MS))
        {
            final String unreadBody = "GET /health HTTP/1.1\r\n\r\n";
            final String raw = client.send("POST /health HTTP/1.0\r\nContent-Length: " + unreadBody.length() +
                "\r\n\r\n" + unreadBody).readToEnd();
            assertTrue(raw.startsWith("HTTP/1.1 405 "), raw);
            assertEquals(1, raw.split("HTTP/1\\.1 ", -1).length - 1,
                "a body nobody read was taken for a request: " + raw);
        }
    }

    @Test
    void refusalsBeforeRoutingArePreciseProblems()
    {
        refusedBeforeRouting("GET /health HTTP/1.1\r\n\r\n", 400, "the request has no Host header");
        refusedBeforeRouting("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400, "more than one Host header");
        refusedBeforeRouting("GET /health HTTP/1.1\r\nHost: localhost\r\nX-Big: " + "a".repeat(20_000) + "\r\n\r\n",
            431, "the request headers are larger than 16384 bytes");
        refusedBeforeRouting("POST /api/v1/workflows HTTP/1.1\r\nHost: localhost\r\nContent-Length: ten\r\n\r\n",
            400, "Content-Length header is not a single non-negative number");
        refusedBeforeRouting("POST /api/v1/workflows HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip\r\n\r\n",
            400, "Transfer-Encoding is not supported");
        refusedBeforeRouting("GET /health HTTP/1.1\r\nHost: localhost\r\nNoColonHere\r\n\r\n", 400,
            "a request header is malformed");
        refusedBeforeRouting("HELLO\r\n\r\n", 400, "the request line is malformed");
        refusedBeforeRouting("GET /" + "a".repeat(5000) + " HTTP/1.1\r\nHost: localhost\r\n\r\n", 414,
            "longer than 4096 bytes");
        refusedBeforeRouting("GET /api/v1/workflows?state=%zz HTTP/1.1\r\nHost: localhost\r\n\r\n", 400,
            "must be percent-encoded");
        assertEquals(200, server.get("/health").status());
    }

    private static void refusedBeforeRouting(final String request, final int status, final String detailPart)
    {
        final RawHttp.Response response = exchange(request);
        assertEquals(status, response.status(), response::toString);
        assertEquals("application/problem+json", response.headers().get("content-type"), response::toString);
        final JsonNode problem;
        try
        {
            problem = RequestParser.MAPPER.readTree(response.body());
        }
        catch (final java.io.IOException ex)
        {
            throw new AssertionError(response.toString(), ex);
        }
        final String detail = problem.get("detail").asText();
        assertTrue(detail.contains(detailPart), () -> "'" + detailPart + "' not in " + detail);
        assertFalse(LIBRARY_WORDS.matcher(detail).find(), detail);
        assertEquals(status, problem.get("status").asInt());
    }

    private static RawHttp.Response exchange(final String request)
    {
        try (RawHttp client = RawHttp.connect(server.port(), READ_TIMEOUT_MS))
        {
            return RawHttp.Response.parse(client.send(request).readToEnd());
        }
    }
}
