package io.axiom.gateway.http;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.TestServer.Response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every kind of bad input gets a precise {@code application/problem+json} answer, the server goes on serving, and
 * the journal does not move.
 */
class BadInputTest
{
    private static final String WORKFLOWS = "/api/v1/workflows";
    private static final int MAX_BODY = 8 * 1024;
    private static final String GOOD = "{\"name\": \"good\", \"steps\": [\"A\"]}";

    @TempDir
    static Path dataDir;

    private static TestServer server;

    private long position;
    private long events;

    @BeforeAll
    static void start()
    {
        server = TestServer.start(dataDir,
            "--wal.max-segment-size", "1MiB",
            "--limits.max-steps", "5",
            "--gateway.max-body-bytes", MAX_BODY + "");
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @BeforeEach
    void snapshot()
    {
        position = server.engine().journalPosition();
        events = server.engine().eventCount();
    }

    @AfterEach
    void nothingWrittenAndStillServing()
    {
        assertEquals(position, server.engine().journalPosition(), "journal position moved");
        assertEquals(events, server.engine().eventCount(), "event count moved");
        assertEquals(200, server.get("/health").status());
        assertEquals(200, server.get(WORKFLOWS + "?limit=1").status());
    }

    @Test
    void malformedJson()
    {
        rejected(create("{\"name\": \"x\", \"steps\": ["), 400, "MALFORMED_JSON", "malformed JSON at line 1");
        rejected(create("{name: \"x\"}"), 400, "MALFORMED_JSON", "malformed JSON");
        rejected(create("{\"name\": \"x\", \"steps\": [\"A\"]} {}"), 400, "MALFORMED_JSON",
            "unexpected content after the end of the JSON document");
        rejected(create("{\"name\": \"x\", \"name\": \"y\", \"steps\": [\"A\"]}"), 400, "MALFORMED_JSON",
            "the key 'name' appears twice in one object");
    }

    @Test
    void invalidUtf8IsMalformed()
    {
        final byte[] body = "{\"name\": \"\u00ff\", \"steps\": [\"A\"]}".getBytes(StandardCharsets.ISO_8859_1);
        final Response r = server.send(server.request(WORKFLOWS)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
        rejected(r, 400, "INVALID_UTF8", "invalid UTF-8 at line 1, column 11: byte 0xFF cannot start a character");
    }

    @Test
    void bodyMustBeAnObject()
    {
        rejected(create("[\"A\"]"), 400, "WRONG_TYPE", "request body must be a JSON object, got an array");
        rejected(create("null"), 400, "WRONG_TYPE", "got null");
    }

    @Test
    void wrongTypes()
    {
        rejected(create("{\"name\": 42, \"steps\": [\"A\"]}"), 400, "WRONG_TYPE",
            "name must be a string, got the number 42");
        rejected(create("{\"name\": null, \"steps\": [\"A\"]}"), 400, "WRONG_TYPE", "name must be a string, got null");
        rejected(create("{\"name\": \"x\", \"steps\": \"A\"}"), 400, "WRONG_TYPE", "steps must be an array");
        rejected(create("{\"name\": \"x\", \"steps\": [\"A\", 7]}"), 400, "WRONG_TYPE", "steps[1] must be a step name");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"timeout_ms\": \"soon\"}]}"), 400,
            "WRONG_TYPE", "steps[0].timeout_ms must be an integer, got a string");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"timeout_ms\": 1.5}]}"), 400,
            "WRONG_TYPE", "steps[0].timeout_ms must be an integer, got the number 1.5");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"retry\": {\"multiplier\": \"2\"}}]}"),
            400, "WRONG_TYPE", "steps[0].retry.multiplier must be a number");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"type\": 3}]}"), 400, "WRONG_TYPE",
            "steps[0].type must be a string");
    }

    @Test
    void missingNameOrSteps()
    {
        rejected(create("{\"steps\": [\"A\"]}"), 400, "MISSING_FIELD", "name is required");
        rejected(create("{\"name\": \"x\"}"), 400, "MISSING_FIELD", "steps is required");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"type\": \"task\"}]}"), 400, "MISSING_FIELD",
            "steps[0].name is required");
        rejected(create("{\"name\": \"   \", \"steps\": [\"A\"]}"), 400, "INVALID_VALUE", "name must not be empty");
    }

    @Test
    void emptySteps()
    {
        rejected(create("{\"name\": \"x\", \"steps\": []}"), 400, "EMPTY_STEPS", "at least one step");
        rejected(create("{\"name\": \"x\", \"steps\": [\"\"]}"), 400, "INVALID_VALUE", "steps[0] must not be empty");
    }

    @Test
    void unknownStepType()
    {
        rejected(create("{\"name\": \"x\", \"steps\": [\"A\", {\"name\": \"B\", \"type\": \"banana\"}]}"), 400,
            "UNKNOWN_STEP_TYPE", "steps[1].type 'banana' is not a step type; expected one of task, approval, timer");
    }

    @Test
    void unknownFields()
    {
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"colour\": \"red\"}]}"), 400,
            "UNKNOWN_FIELD", "unknown field 'colour' in steps[0]");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"retry\": {\"tries\": 3}}]}"), 400,
            "UNKNOWN_FIELD", "unknown field 'tries' in steps[0].retry");
        rejected(create("{\"name\": \"x\", \"steps\": [\"A\"], \"priority\": 1}"), 400, "UNKNOWN_FIELD",
            "unknown field 'priority' in request body");
    }

    @Test
    void badStepValues()
    {
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"T\", \"type\": \"timer\"}]}"), 400,
            "MISSING_FIELD", "steps[0].duration_ms is required for a timer step");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"T\", \"type\": \"timer\", \"duration_ms\": 0}]}"),
            400, "INVALID_VALUE", "steps[0].duration_ms must be between 1 and");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"duration_ms\": 5}]}"), 400,
            "INVALID_FIELD", "steps[0].duration_ms applies only to timer steps");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"retry\": {\"max_attempts\": 0}}]}"), 400,
            "INVALID_VALUE", "steps[0].retry.max_attempts must be between 1 and");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", \"retry\": {\"multiplier\": 0.5}}]}"), 400,
            "INVALID_VALUE", "steps[0].retry.multiplier must be between 1.0");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"A\", " +
            "\"retry\": {\"backoff_ms\": 500, \"max_backoff_ms\": 100}}]}"), 400,
            "INVALID_VALUE", "max_backoff_ms (100) must not be less than backoff_ms (500)");
    }

    @Test
    void tooManySteps()
    {
        rejected(create("{\"name\": \"x\", \"steps\": [\"A\", \"B\", \"C\", \"D\", \"E\", \"F\"]}"), 400,
            "TOO_MANY_STEPS", "steps has 6 entries; the limit is 5 (limits.max-steps)");
    }

    @Test
    void namesOverTheLimit()
    {
        final String long257 = "n".repeat(257);
        rejected(create("{\"name\": \"" + long257 + "\", \"steps\": [\"A\"]}"), 400, "NAME_TOO_LONG",
            "name is 257 characters long; the limit is 256");
        rejected(create("{\"name\": \"x\", \"steps\": [\"" + long257 + "\"]}"), 400, "NAME_TOO_LONG",
            "steps[0] is 257 characters long; the limit is 256");
        rejected(create("{\"name\": \"x\", \"steps\": [{\"name\": \"" + long257 + "\"}]}"), 400, "NAME_TOO_LONG",
            "steps[0].name is 257 characters long");
    }

    @Test
    void nameOfExactlyTheLimitIsAccepted()
    {
        final Response r = create("{\"name\": \"" + "n".repeat(256) + "\", \"steps\": [\"A\"]}");
        assertEquals(201, r.status(), r::toString);
        snapshot();
    }

    @Test
    void bodyOverTheLimitWithContentLength()
    {
        final String padding = "x".repeat(MAX_BODY);
        final Response r = create("{\"name\": \"x\", \"steps\": [\"A\"], \"input\": \"" + padding + "\"}");
        rejected(r, 413, "BODY_TOO_LARGE", "the limit is " + MAX_BODY + " bytes (gateway.max-body-bytes)");
    }

    @Test
    void bodyOverTheLimitChunked()
    {
        final byte[] body = ("{\"name\": \"x\", \"steps\": [\"A\"], \"input\": \"" + "x".repeat(MAX_BODY) + "\"}")
            .getBytes(StandardCharsets.UTF_8);
        final Response r = server.send(server.request(WORKFLOWS)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
        rejected(r, 413, "BODY_TOO_LARGE", "more than " + MAX_BODY + " bytes");
    }

    @Test
    void declaredBodyFarOverTheLimitIsRefusedBeforeRouting() throws Exception
    {
        try (Socket socket = new Socket("127.0.0.1", server.port()))
        {
            socket.setSoTimeout(10_000);
            final OutputStream out = socket.getOutputStream();
            out.write(("POST " + WORKFLOWS + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n" +
                "Content-Length: 1000000000\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            final String response = readResponse(socket.getInputStream());
            assertTrue(response.startsWith("HTTP/1.1 413"), response);
            assertTrue(response.toLowerCase().contains("content-type: application/problem+json"), response);
            assertTrue(response.contains("\"code\":\"BODY_TOO_LARGE\""), response);
        }
    }

    @Test
    void unsupportedMediaType()
    {
        rejected(server.post(WORKFLOWS, "text/plain", GOOD), 415, "UNSUPPORTED_MEDIA_TYPE",
            "Content-Type 'text/plain' is not supported; use application/json");
        rejected(server.post(WORKFLOWS, null, GOOD), 415, "UNSUPPORTED_MEDIA_TYPE", "no Content-Type header");
        rejected(server.post(WORKFLOWS, "application/json; charset=ISO-8859-1", GOOD), 415,
            "UNSUPPORTED_MEDIA_TYPE", "JSON must be UTF-8");
        rejected(server.post(WORKFLOWS + "/1/advance", "text/plain", "{}"), 415, "UNSUPPORTED_MEDIA_TYPE",
            "is not supported");
    }

    @Test
    void jsonMediaTypesWithParametersAreAccepted()
    {
        assertEquals(201, server.post(WORKFLOWS, "application/json; charset=utf-8", GOOD).status());
        assertEquals(201, server.post(WORKFLOWS, "application/vnd.axiom+json", GOOD).status());
        snapshot();
    }

    @Test
    void emptyBody()
    {
        rejected(create(""), 400, "EMPTY_BODY", "request body is empty");
        rejected(server.post(WORKFLOWS, null, null), 400, "EMPTY_BODY", "request body is empty");
    }

    @Test
    void unknownId()
    {
        rejected(server.get(WORKFLOWS + "/999999"), 404, null, "999999");
        rejected(server.get(WORKFLOWS + "/999999/events"), 404, null, "999999");
        rejected(server.postJson(WORKFLOWS + "/999999/advance", "{}"), 404, null, "999999");
        rejected(server.postJson(WORKFLOWS + "/999999/cancel", "{}"), 404, null, "999999");
        rejected(server.get(WORKFLOWS + "/abc"), 404, "WORKFLOW_NOT_FOUND", "no workflow with id 'abc'");
        rejected(server.get(WORKFLOWS + "/-1"), 404, "WORKFLOW_NOT_FOUND", "non-negative decimal numbers");
        rejected(server.get(WORKFLOWS + "/99999999999999999999"), 404, "WORKFLOW_NOT_FOUND", "no workflow");
    }

    @Test
    void illegalTransition()
    {
        final String id = create(GOOD).json().get("id").asText();
        assertEquals(200, server.postJson(WORKFLOWS + "/" + id + "/advance", "").status());
        snapshot();

        rejected(server.postJson(WORKFLOWS + "/" + id + "/advance", ""), 409, "ILLEGAL_TRANSITION", "COMPLETED");
        rejected(server.postJson(WORKFLOWS + "/" + id + "/cancel", "{\"reason\": \"late\"}"), 409,
            "ILLEGAL_TRANSITION", "COMPLETED");
    }

    @Test
    void badAdvanceAndCancelBodies()
    {
        final String id = create(GOOD).json().get("id").asText();
        snapshot();

        rejected(server.postJson(WORKFLOWS + "/" + id + "/advance", "{\"outputs\": 1}"), 400, "UNKNOWN_FIELD",
            "unknown field 'outputs'");
        rejected(server.postJson(WORKFLOWS + "/" + id + "/advance", "{\"expected_step\": 1}"), 400, "WRONG_TYPE",
            "expected_step must be a string");
        rejected(server.postJson(WORKFLOWS + "/" + id + "/advance", "{\"output\": }"), 400, "MALFORMED_JSON",
            "malformed JSON");
        rejected(server.postJson(WORKFLOWS + "/" + id + "/cancel", "{\"reason\": 5}"), 400, "WRONG_TYPE",
            "reason must be a string");
        rejected(server.postJson(WORKFLOWS + "/" + id + "/cancel", "{\"reason\": \"" + "r".repeat(1025) + "\"}"),
            400, "REASON_TOO_LONG", "the limit is 1024");
    }

    @Test
    void badQueryParameters()
    {
        rejected(server.get(WORKFLOWS + "?limit=abc"), 400, "INVALID_QUERY", "limit must be an integer between 0 and");
        rejected(server.get(WORKFLOWS + "?limit=100000"), 400, "INVALID_QUERY", "got '100000'");
        rejected(server.get(WORKFLOWS + "?offset=-1"), 400, "INVALID_QUERY", "offset must be an integer");
        rejected(server.get(WORKFLOWS + "?state=BOGUS"), 400, "INVALID_QUERY", "state must be one of");
        rejected(server.get(WORKFLOWS + "?limit=1&limit=2"), 400, "INVALID_QUERY", "given 2 times");
    }

    @Test
    void badIdempotencyKey()
    {
        rejected(server.postJson(WORKFLOWS, GOOD, "Idempotency-Key", "k".repeat(257)), 400, "INVALID_HEADER",
            "Idempotency-Key header must be 1 to 256 characters");
    }

    @Test
    void unknownRouteAndMethod()
    {
        rejected(server.get("/api/v1/nothing"), 404, "ROUTE_NOT_FOUND", "no resource at GET /api/v1/nothing");
        final Response r = server.send(server.request(WORKFLOWS).DELETE().build());
        rejected(r, 405, "METHOD_NOT_ALLOWED", "method DELETE is not allowed");
        assertEquals("GET, POST", r.header("Allow"));
    }

    private static Response create(final String body)
    {
        return server.postJson(WORKFLOWS, body);
    }

    private static void rejected(final Response r, final int status, final String code, final String detailPart)
    {
        assertEquals(status, r.status(), r::toString);
        assertEquals("application/problem+json", r.contentType(), r::toString);
        final JsonNode problem = r.json();
        assertEquals(status, problem.get("status").asInt(), r::toString);
        assertNotNull(problem.get("type"), r::toString);
        assertNotNull(problem.get("title"), r::toString);
        assertNotNull(problem.get("code"), r::toString);
        if (null != code)
        {
            assertEquals(code, problem.get("code").asText(), r::toString);
        }
        assertTrue(problem.get("detail").asText().contains(detailPart),
            () -> "detail should contain '" + detailPart + "': " + r);
    }

    private static String readResponse(final InputStream in) throws Exception
    {
        final StringBuilder text = new StringBuilder();
        final byte[] buffer = new byte[4096];
        int n;
        while ((n = in.read(buffer)) > 0)
        {
            text.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
            final int headerEnd = text.indexOf("\r\n\r\n");
            if (headerEnd > 0 && text.indexOf("}", headerEnd) > 0)
            {
                break;
            }
        }
        return text.toString();
    }
}
