package io.axiom.gateway.http;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.RawHttp;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.log.LogFormat;
import io.axiom.gateway.log.LogLevel;
import io.axiom.gateway.log.ServerLog;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each refused request is a DEBUG line (method, path, status, code, detail), each failed one a WARN line with the
 * reference its problem carries; whatever refused it: a route, the parser, the token filter, Helidon before routing.
 */
class RequestLogTest
{
    private static final String TOKEN = "s3cret";

    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static final StringWriter LINES = new StringWriter();
    private static ServerLog log;

    @BeforeAll
    static void start()
    {
        log = ServerLog.install(new PrintWriter(LINES), LogFormat.TEXT, LogLevel.DEBUG);
        server = TestServer.start(dataDir, "--gateway.api-token", TOKEN);
    }

    @AfterAll
    static void stop()
    {
        server.close();
        log.close();
    }

    @Test
    void refusalsAreDebugLinesWithMethodPathStatusAndCode()
    {
        assertEquals(404, server.send(server.request("/api/v1/nowhere").header("Authorization", "Bearer " + TOKEN)
            .GET().build()).status());
        awaitLine(" DEBUG http     GET /api/v1/nowhere 404 ROUTE_NOT_FOUND: no resource at GET /api/v1/nowhere");

        assertEquals(400, server.postJson("/api/v1/workflows", "{\"name\":\"a\",\"steps\":[\"A\"],\"extra\":1}",
            "Authorization", "Bearer " + TOKEN).status());
        awaitLine(" DEBUG http     POST /api/v1/workflows 400 UNKNOWN_FIELD: unknown field 'extra'");

        assertEquals(401, server.get("/api/v1/workflows").status());
        awaitLine(" DEBUG http     GET /api/v1/workflows 401 UNAUTHENTICATED: this server requires an API token");

        try (RawHttp client = RawHttp.connect(server.port(), 10_000))
        {
            final RawHttp.Response response = RawHttp.Response.parse(
                client.send("GET /health HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n").readToEnd());
            assertEquals(400, response.status());
        }
        awaitLine(" DEBUG http     GET /health 400 BAD_REQUEST: the request has more than one Host header");

        assertEquals(201, server.postJson("/api/v1/workflows", "{\"name\":\"a\",\"steps\":[\"A\"]}",
            "Authorization", "Bearer " + TOKEN).status());
        assertEquals(200, server.get("/health").status());
        assertEquals(401, server.get("/api/v1/later").status()); // its line comes after those of the two answers
        awaitLine(" DEBUG http     GET /api/v1/later 401 UNAUTHENTICATED");
        assertFalse(LINES.toString().contains(" 201 ") || LINES.toString().contains("GET /health 200"),
            "answers that are not refusals are not logged:\n" + LINES);
    }

    @Test
    void failuresAreWarningsWithTheirReferenceAndProbesStayAtDebug()
    {
        RequestLog.answered("GET", "/api/v1/workflows/1", 500, new ApiProblem(500, "INTERNAL_ERROR",
            "Internal server error", "an unexpected error occurred on the server (reference k3x9a2 in its log)"));
        awaitLine(" WARN  http     GET /api/v1/workflows/1 500 INTERNAL_ERROR: an unexpected error occurred on the " +
            "server (reference k3x9a2 in its log)");
        RequestLog.answered("GET", "/ready", 503, null);
        awaitLine(" DEBUG http     GET /ready 503 UNAVAILABLE");
        RequestLog.answered("GET", "/api/v1/workflows", 507, new ApiProblem(507, "DISK_FULL", "Insufficient storage",
            "the data directory is full"));
        awaitLine(" WARN  http     GET /api/v1/workflows 507 DISK_FULL: the data directory is full");
        RequestLog.answered("GET", "/api/v1/elsewhere", 404, null);
        awaitLine(" DEBUG http     GET /api/v1/elsewhere 404 NOT_FOUND");
    }

    @Test
    void nothingIsWrittenBelowTheLevel()
    {
        final StringWriter quiet = new StringWriter();
        try (ServerLog info = ServerLog.install(new PrintWriter(quiet), LogFormat.TEXT, LogLevel.INFO))
        {
            RequestLog.answered("GET", "/api/v1/quiet", 404, null);
            RequestLog.answered("GET", "/api/v1/loud", 503, null);
        }
        assertFalse(quiet.toString().contains("/api/v1/quiet"), quiet.toString());
        assertTrue(quiet.toString().contains(" WARN  http     GET /api/v1/loud 503 UNAVAILABLE"), quiet.toString());
    }

    private static void awaitLine(final String text)
    {
        TestServer.await("a log line with '" + text + "' in\n" + LINES, () -> LINES.toString().contains(text));
    }
}
