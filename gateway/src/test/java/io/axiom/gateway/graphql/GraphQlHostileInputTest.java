package io.axiom.gateway.graphql;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static io.axiom.gateway.http.HostileBytes.bytes;
import static io.axiom.gateway.http.HostileBytes.fill;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The GraphQL face gets the same hostile values as the REST one ({@code HostileInputTest}): huge numbers as
 * variables, as literals and inside JSON held in strings; text that is not UTF-8 or holds unpaired surrogates in
 * names, inputs, outputs, reasons and keys. Each is refused with a short error in Axiom's words, the journal does
 * not move, and graphql-java's own messages lose their Java type names.
 */
class GraphQlHostileInputTest
{
    private static final int SHORT_BODY = 700;
    private static final Pattern LIBRARY_WORDS = Pattern.compile(
        "(?i)jackson|fasterxml|java\\.|exception|heap space|unexpected character|\\(code \\d+\\)|" +
        "LinkedHashMap|ArrayList|BigDecimal|BigInteger|FloatValue|IntValue|StringValue|ObjectValue|" +
        "was expecting|Unrecognized token");
    private static final String CREATE =
        "mutation($n: String!, $s: [String!]!, $i: JSON) { createWorkflow(name: $n, steps: $s, input: $i) { id } }";

    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static GraphQlHttp graphQl;
    private static String approvalId;

    private long position;

    @BeforeAll
    static void start()
    {
        server = SmallServer.start(dataDir);
        graphQl = new GraphQlHttp(server);
        final TestServer.Response created = server.postJson("/api/v1/workflows",
            "{\"name\":\"target\",\"steps\":[{\"name\":\"APPROVE\",\"type\":\"approval\"},\"DONE\"]}");
        approvalId = created.json().get("id").asText();
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
    void rememberJournal()
    {
        position = server.engine().journalPosition();
    }

    @AfterEach
    void nothingWasWritten()
    {
        assertEquals(position, server.engine().journalPosition(), "a refused operation moved the journal");
    }

    @Test
    void hugeNumbersInVariablesAreRefusedBeforeGraphQlRuns()
    {
        for (final String number : List.of("1e300000000", "-1e-300000000", "9".repeat(200_000)))
        {
            final String[] bodies = {
                "{\"query\":\"" + escape(CREATE) + "\",\"variables\":{\"n\":\"a\",\"s\":[\"A\"],\"i\":{\"x\":" +
                    number + "}}}",
                "{\"query\":\"" + escape(CREATE) + "\",\"variables\":{\"n\":" + number + ",\"s\":[\"A\"]}}",
                "{\"query\":\"query($l: Int) { workflows(limit: $l) { total } }\",\"variables\":{\"l\":" + number +
                    "}}",
                "{\"query\":\"mutation($o: JSON) { advanceWorkflow(id: \\\"" + approvalId +
                    "\\\", output: $o) { id } }\",\"variables\":{\"o\":[" + number + "]}}"};
            for (final String body : bodies)
            {
                final JsonNode error = refused(post(body.getBytes(StandardCharsets.US_ASCII)), 400);
                assertEquals("NUMBER_OUT_OF_RANGE", error.get("extensions").get("reason").asText(), error::toString);
            }
        }
    }

    @Test
    void hugeNumberLiteralsAreRefusedBeforeGraphQlJavaParsesThem()
    {
        for (final String query : List.of(
            "mutation { createWorkflow(name: \"a\", steps: [\"A\"], input: {x: 1e300000000}) { id } }",
            "mutation { createWorkflow(name: \"a\", steps: [\"A\"], input: [-1E-300000000]) { id } }",
            "{ workflows(limit: " + "7".repeat(500_000) + ") { total } }",
            "mutation { advanceWorkflow(id: \"" + approvalId + "\", output: {o: 0." + "1".repeat(101) + "}) { id } }"))
        {
            final JsonNode error = refused(graphQl.post(query, null), 200);
            assertEquals(AxiomGraphQl.PARSE_FAILED, error.get("extensions").get("code").asText(), error::toString);
            assertEquals("NUMBER_OUT_OF_RANGE", error.get("extensions").get("reason").asText(), error::toString);
        }
        assertEquals(1, graphQl.data("{ workflows(limit: 1, offset: 0) { total } }").get("workflows").get("total")
            .asInt(), "digits inside names and strings are not numbers: field1, \"123\"");
    }

    @Test
    void hugeNumbersInsideJsonHeldInAStringAreRefused()
    {
        final JsonNode error = refused(graphQl.post(
            "mutation { createWorkflow(name: \"a\", steps: [\"A\"], input: \"{\\\"x\\\": 1e300000000}\") { id } }",
            null), 200);
        assertEquals(GraphQlProblem.BAD_USER_INPUT, error.get("extensions").get("code").asText(), error::toString);
        assertTrue(error.get("message").asText().contains("number out of range at line 1, column 7"),
            error::toString);
    }

    @Test
    void textThatIsNotUnicodeIsRefusedInNamesInputsOutputsReasonsAndKeys()
    {
        final List<byte[]> bad = List.of(
            bytes("\"a", 0xC0, 0xAF, "\""),
            bytes("\"", 0xF4, 0x90, 0x80, 0x80, "\""),
            bytes("\"", 0xED, 0xA0, 0x80, "\""),
            bytes("\"\\ud800\""),
            bytes("\"\\udc00\""));
        for (final byte[] value : bad)
        {
            for (final byte[] body : List.of(
                fill("{\"query\":\"" + escape(CREATE) + "\",\"variables\":{\"n\":@,\"s\":[\"A\"]}}", value),
                fill("{\"query\":\"" + escape(CREATE) + "\",\"variables\":{\"n\":\"a\",\"s\":[@]}}", value),
                fill("{\"query\":\"" + escape(CREATE) + "\",\"variables\":{\"n\":\"a\",\"s\":[\"A\"],\"i\":{\"k\":@}}}",
                    value),
                fill("{\"query\":\"" + escape(CREATE) + "\",\"variables\":{\"n\":\"a\",\"s\":[\"A\"],\"i\":{@:1}}}",
                    value),
                fill("{\"query\":\"mutation($o: JSON) { advanceWorkflow(id: \\\"" + approvalId +
                    "\\\", output: $o) { id } }\",\"variables\":{\"o\":[@]}}", value),
                fill("{\"query\":\"mutation($r: String) { cancelWorkflow(id: \\\"" + approvalId +
                    "\\\", reason: $r) { id } }\",\"variables\":{\"r\":@}}", value),
                fill("{\"query\":@}", value)))
            {
                final JsonNode error = refused(post(body), 400);
                final String reason = error.get("extensions").get("reason").asText();
                assertTrue(reason.equals("INVALID_UTF8") || reason.equals("UNPAIRED_SURROGATE"), error::toString);
            }
        }
    }

    @Test
    void unpairedSurrogatesInGraphQlStringsAndJsonStringsAreRefused()
    {
        final JsonNode literal = refused(graphQl.post(
            "mutation { createWorkflow(name: \"\\ud800\", steps: [\"A\"]) { id } }", null), 200);
        assertEquals(AxiomGraphQl.PARSE_FAILED, literal.get("extensions").get("code").asText(), literal::toString);

        final JsonNode inString = refused(graphQl.post(
            "mutation { createWorkflow(name: \"a\", steps: [\"A\"], " +
                "input: \"{\\\"k\\\": \\\"\\\\ud800\\\"}\") { id } }",
            null), 200);
        assertEquals(GraphQlProblem.BAD_USER_INPUT, inString.get("extensions").get("code").asText(),
            inString::toString);
        assertTrue(inString.get("message").asText().contains("high surrogate"), inString::toString);
    }

    @Test
    void graphQlJavaMessagesAreWordedInGraphQlTypes()
    {
        final Map<String, Object> objectForInt = new LinkedHashMap<>();
        objectForInt.put("l", Map.of("a", 1));
        final JsonNode wrongVariable = refused(graphQl.post("query($l: Int) { workflows(limit: $l) { total } }",
            objectForInt), 200);
        assertTrue(wrongVariable.get("message").asText().contains("an object"), wrongVariable::toString);

        final JsonNode wrongLiteral = refused(graphQl.post("{ workflow(id: 1.5) { id } }", null), 200);
        assertTrue(wrongLiteral.get("message").asText().contains("a float"), wrongLiteral::toString);

        final Map<String, Object> long30 = Map.of("l", new java.math.BigInteger("123456789012345678901234567890" +
            "123456789012345678901234567890"));
        final JsonNode longValue = refused(graphQl.post("query($l: Int) { workflows(limit: $l) { total } }",
            long30), 200);
        assertFalse(longValue.get("message").asText().contains("123456789012345678901234567890123456789012"),
            longValue::toString);
    }

    @Test
    void aWebSocketMessageWithAHugeNumberIsRefusedAsAnInvalidMessage()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.send("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"" + escape(CREATE) +
                "\",\"variables\":{\"n\":\"a\",\"s\":[\"A\"],\"i\":{\"x\":1e300000000}}}}");
            final WsTestClient.Closed closed = ws.awaitClose();
            assertEquals(GraphQlWsConnection.INVALID_MESSAGE, closed.code());
            assertTrue(closed.reason().contains("NUMBER_OUT_OF_RANGE"), closed.reason());
        }
    }

    private static TestServer.Response post(final byte[] body)
    {
        return server.send(server.request("/graphql")
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build());
    }

    private static JsonNode refused(final TestServer.Response response, final int status)
    {
        assertEquals(status, response.status(), () -> response.toString().substring(0,
            Math.min(500, response.toString().length())));
        assertTrue(response.body().length() < SHORT_BODY, () -> "long answer (" + response.body().length() +
            " chars): " + response.body().substring(0, 500));
        final JsonNode errors = response.json().get("errors");
        assertTrue(null != errors && errors.size() >= 1, response::toString);
        final JsonNode error = errors.get(0);
        assertFalse(LIBRARY_WORDS.matcher(error.get("message").asText()).find(), error::toString);
        return error;
    }

    private static String escape(final String query)
    {
        return query.replace("\\", "\\\\").replace("\"", "\\\"");
    }
}
