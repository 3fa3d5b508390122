package io.axiom.gateway.graphql;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static io.axiom.gateway.graphql.GraphQlHttp.onlyErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * GraphQL over HTTP as common clients send it: {@code GET /graphql?query=...} for queries (with variables and an
 * operation name, URL-encoded; a mutation is 405), {@code POST} bodies of type {@code application/graphql}, and the
 * {@code application/graphql-response+json} answer when asked for. Bad input of each new path gets a clear error and
 * writes nothing.
 */
class GraphQlHttpFormsTest
{
    private static final int MAX_BODY_BYTES = 4096;

    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static GraphQlHttp graphQl;
    private static String workflowId;

    @BeforeAll
    static void start()
    {
        server = SmallServer.start(dataDir, "--gateway.max-body-bytes", Integer.toString(MAX_BODY_BYTES));
        graphQl = new GraphQlHttp(server);
        workflowId = graphQl.data("mutation { createWorkflow(name: \"forms\", typedSteps: [{name: \"OK\", " +
            "type: APPROVAL}]) { id } }").get("createWorkflow").get("id").asText();
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
            server = null;
        }
        graphQl = null;
    }

    @Test
    void getRunsAQuery()
    {
        final TestServer.Response res = get("query=" + encode("{ health { status engine ready } }"));

        assertEquals(200, res.status(), res::toString);
        assertTrue(res.contentType().startsWith("application/json"), res::toString);
        assertEquals("no-store", res.header("Cache-Control"));
        assertEquals("READY", res.json().get("data").get("health").get("engine").asText(), res::toString);
    }

    @Test
    void getTakesUrlEncodedVariablesAndAnOperationName()
    {
        final String document = "query Other { health { ready } }\n" +
            "query One($id: ID!) { workflow(id: $id) { name state step_details { type status } } }";
        final TestServer.Response res = get("query=" + encode(document) + "&operationName=One&variables=" +
            encode("{\"id\": \"" + workflowId + "\"}"));

        assertEquals(200, res.status(), res::toString);
        final JsonNode workflow = res.json().get("data").get("workflow");
        assertEquals("forms", workflow.get("name").asText(), res::toString);
        assertEquals("WAITING", workflow.get("state").asText());
        assertEquals("APPROVAL", workflow.get("step_details").get(0).get("type").asText());
        assertEquals("ACTIVE", workflow.get("step_details").get(0).get("status").asText());

        final TestServer.Response percent = get("query=" + encode(document).replace("+", "%20") +
            "&operationName=Other&variables=");
        assertEquals(200, percent.status(), percent::toString);
        assertTrue(percent.json().get("data").get("health").get("ready").asBoolean(), percent::toString);

        final TestServer.Response enumVariable = get("query=" + encode("query($s: WorkflowState) { workflows(" +
            "state: $s) { items { name state } } }") + "&variables=" + encode("{\"s\": \"WAITING\"}"));
        assertEquals(200, enumVariable.status(), enumVariable::toString);
        assertTrue(enumVariable.body().contains("\"name\":\"forms\""), enumVariable::toString);
    }

    @Test
    void aMutationOverGetIs405AndWritesNothing()
    {
        final long position = server.engine().journalPosition();

        for (final String params : List.of(
            "query=" + encode("mutation { createWorkflow(name: \"by-get\", steps: [\"A\"]) { id } }"),
            "query=" + encode("mutation M { cancelWorkflow(id: \"" + workflowId + "\") { id } } " +
                "query Q { health { ready } }") + "&operationName=M",
            "query=" + encode("mutation { advanceWorkflow(id: \"" + workflowId + "\") { id } }") +
                "&variables=" + encode("{}")))
        {
            final TestServer.Response res = get(params);
            assertEquals(405, res.status(), res::toString);
            assertEquals("POST", res.header("Allow"), res::toString);
            assertEquals("METHOD_NOT_ALLOWED", onlyErrorCode(res.json()));
            assertFalse(res.json().has("data"), res::toString);
        }
        final TestServer.Response head = server.send(server.request("/graphql?query=" + encode("mutation { " +
            "createWorkflow(name: \"by-head\", steps: [\"A\"]) { id } }")).method("HEAD",
            HttpRequest.BodyPublishers.noBody()).build());
        assertEquals(405, head.status(), head::toString);
        final TestServer.Response query = get("query=" + encode("mutation M { cancelWorkflow(id: \"" + workflowId +
            "\") { id } } query Q { health { ready } }") + "&operationName=Q");
        assertEquals(200, query.status(), "the query of a document that also holds a mutation runs: " + query);

        assertEquals(position, server.engine().journalPosition(), "nothing was written");
        assertEquals("WAITING", graphQl.data("{ workflow(id: \"" + workflowId + "\") { state } }").get("workflow")
            .get("state").asText());
    }

    @Test
    void aSubscriptionOverGetIsRefusedAsOverPost()
    {
        final TestServer.Response res = get("query=" + encode("subscription { taskUpdates { queued } }"));
        assertEquals(200, res.status(), res::toString);
        assertEquals(GraphQlProblem.BAD_REQUEST, onlyErrorCode(res.json()));
    }

    @Test
    void badGetRequestsAreRefusedClearly() throws Exception
    {
        final long position = server.engine().journalPosition();
        final String health = encode("{ health { ready } }");

        assertRefused(get(""), 400, "MISSING_PARAMETER");
        assertRefused(get("query="), 400, "MISSING_PARAMETER");
        assertRefused(get("variables=" + encode("{}")), 400, "MISSING_PARAMETER");
        assertRefused(get("query=" + health + "&limit=5"), 400, "UNKNOWN_PARAMETER");
        assertRefused(get("query=" + health + "&query=" + health), 400, "REPEATED_PARAMETER");
        for (final String malformed : List.of("query=%7B%20health%zz", "query=" + health + "%"))
        {
            final String response = rawResponse("/graphql?" + malformed);
            // refused before routing (a request target outside RFC 3986), as a problem with a code
            assertTrue(response.startsWith("HTTP/1.1 400 "), response);
            assertTrue(response.contains("\"code\":\"BAD_REQUEST\"") && response.contains("percent-encoded"),
                response);
        }
        assertRefused(get("query=%C0%AF"), 400, "INVALID_UTF8");
        assertRefused(get("query=" + health + "&variables=" + encode("{\"a\": ")), 400, "MALFORMED_JSON");
        assertRefused(get("query=" + health + "&variables=" + encode("[1, 2]")), 400, "WRONG_TYPE");
        assertRefused(get("query=" + health + "&variables=" + encode("{\"a\": 1e300000}")), 400,
            "NUMBER_OUT_OF_RANGE");
        assertRefused(get("query=" + health + "&variables=" + encode("{\"a\": \"\\ud800\"}")), 400,
            "UNPAIRED_SURROGATE");
        assertRefused(get("query=" + health + "&extensions=" + encode("{\"a\"")), 400, "MALFORMED_JSON");

        final TestServer.Response number = get("query=" + encode("{ workflows(limit: 1e300000) { total } }"));
        assertEquals(200, number.status(), number::toString);
        assertEquals(AxiomGraphQl.PARSE_FAILED, onlyErrorCode(number.json()));

        final TestServer.Response syntax = get("query=" + encode("{ health { "));
        assertEquals(200, syntax.status(), syntax::toString);
        assertEquals(AxiomGraphQl.PARSE_FAILED, onlyErrorCode(syntax.json()));

        final StringBuilder wide = new StringBuilder("{");
        for (int i = 0; i < 101; i++)
        {
            wide.append("h").append(i).append(":health{ready}");
        }
        final TestServer.Response complex = get("query=" + encode(wide.append("}").toString()));
        assertEquals(200, complex.status(), complex::toString);
        assertEquals(QueryLimits.QUERY_TOO_COMPLEX, onlyErrorCode(complex.json()));
        final TestServer.Response deep = get("query=" + encode("{health{ready} __schema{types{fields{type{ofType{" +
            "ofType{ofType{ofType{ofType{ofType{name}}}}}}}}}}}"));
        assertEquals(200, deep.status(), deep::toString);
        assertEquals(QueryLimits.QUERY_TOO_DEEP, onlyErrorCode(deep.json()));

        final TestServer.Response tooLong = get("query=" + "%7B".repeat(2000));
        assertEquals(414, tooLong.status(), tooLong::toString);

        assertEquals(position, server.engine().journalPosition(), "refused requests wrote nothing");
    }

    @Test
    void applicationGraphQlBodiesAreTheDocument()
    {
        final TestServer.Response query = server.post("/graphql", "application/graphql", "{ health { engine } }");
        assertEquals(200, query.status(), query::toString);
        assertEquals("READY", query.json().get("data").get("health").get("engine").asText());

        final TestServer.Response charset = server.post("/graphql", "application/graphql; charset=utf-8",
            "query Named { workflow(id: \"" + workflowId + "\") { name } }");
        assertEquals("forms", charset.json().get("data").get("workflow").get("name").asText(), charset::toString);

        final TestServer.Response mutation = server.post("/graphql", "application/graphql",
            "mutation { createWorkflow(name: \"from-document\", typedSteps: [{name: \"T\", type: TIMER, " +
                "duration_ms: 3600000}]) { state step_details { type } } }");
        assertEquals(200, mutation.status(), mutation::toString);
        final JsonNode created = mutation.json().get("data").get("createWorkflow");
        assertEquals("WAITING", created.get("state").asText(), mutation::toString);
        assertEquals("TIMER", created.get("step_details").get(0).get("type").asText());
    }

    @Test
    void badApplicationGraphQlBodiesAreRefusedAndWriteNothing()
    {
        final long position = server.engine().journalPosition();

        assertRefused(server.post("/graphql", "application/graphql", null), 400, null);
        assertRefused(server.post("/graphql", "application/graphql", " \n\t "), 400, null);
        assertRefused(server.send(server.request("/graphql").header("Content-Type", "application/graphql")
            .POST(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', ' ', (byte)0xC0, (byte)0xAF, '}'}))
            .build()), 400, "INVALID_UTF8");
        final TestServer.Response large = server.post("/graphql", "application/graphql",
            "mutation { createWorkflow(name: \"" + "x".repeat(MAX_BODY_BYTES) + "\", steps: [\"A\"]) { id } }");
        assertEquals(413, large.status(), large::toString);
        assertEquals("BODY_TOO_LARGE", onlyErrorCode(large.json()));

        final TestServer.Response number = server.post("/graphql", "application/graphql",
            "mutation { createWorkflow(name: \"n\", steps: [\"A\"], input: {x: 1e300000}) { id } }");
        assertEquals(AxiomGraphQl.PARSE_FAILED, onlyErrorCode(number.json()), number::toString);
        final TestServer.Response json = server.post("/graphql", "application/graphql",
            "{\"query\": \"{ health { ready } }\"}");
        assertEquals(AxiomGraphQl.PARSE_FAILED, onlyErrorCode(json.json()), "a JSON request sent as a document " +
            "does not parse: " + json);
        final TestServer.Response typed = server.post("/graphql", "application/graphql",
            "mutation { createWorkflow(name: \"t\", typedSteps: [{name: \"T\", type: TIMER}]) { id } }");
        assertEquals("MISSING_FIELD", typed.json().get("errors").get(0).get("extensions").get("reason").asText(),
            typed::toString);

        final TestServer.Response text = server.post("/graphql", "text/plain", "{ health { ready } }");
        assertEquals(415, text.status(), text::toString);
        assertTrue(text.json().get("errors").get(0).get("message").asText().contains("application/graphql"),
            text::toString);

        assertEquals(position, server.engine().journalPosition(), "refused requests wrote nothing");
    }

    @Test
    void graphQlResponseJsonWhenTheClientAsksForIt()
    {
        final String accept = "application/graphql-response+json, application/json;q=0.9";
        final TestServer.Response ok = server.send(server.request("/graphql?query=" +
            encode("{ health { ready } }")).header("Accept", accept).GET().build());
        assertEquals(200, ok.status(), ok::toString);
        assertEquals("application/graphql-response+json", ok.contentType());

        final TestServer.Response invalid = graphQl.post("{ nope }", null, "Accept", accept);
        assertEquals(400, invalid.status(), "a document that does not validate never executed: " + invalid);
        assertEquals("application/graphql-response+json", invalid.contentType());
        assertEquals(AxiomGraphQl.VALIDATION_FAILED, onlyErrorCode(invalid.json()));
        assertFalse(invalid.json().has("data"), invalid::toString);

        final TestServer.Response fieldError = graphQl.post("{ workflow(id: \"424242\") { id } }", null,
            "Accept", accept);
        assertEquals(200, fieldError.status(), "an executed document is 200, errors or not: " + fieldError);
        assertEquals("NOT_FOUND", onlyErrorCode(fieldError.json()));

        final TestServer.Response legacy = graphQl.post("{ nope }", null, "Accept", "application/json");
        assertEquals(200, legacy.status(), legacy::toString);
        assertTrue(legacy.contentType().startsWith("application/json"), legacy::toString);

        final TestServer.Response preferJson = graphQl.post("{ nope }", null, "Accept",
            "application/json, application/graphql-response+json;q=0.5");
        assertTrue(preferJson.contentType().startsWith("application/json"), preferJson::toString);

        final TestServer.Response refused = server.send(server.request("/graphql?bogus=1").header("Accept", accept)
            .GET().build());
        assertEquals(400, refused.status(), refused::toString);
        assertEquals("application/graphql-response+json", refused.contentType());
    }

    @Test
    void anUpgradeTheWebSocketEndpointDidNotTakeNeverRunsAQuery() throws Exception
    {
        final String line = rawStatusLine("/graphql?query=" + encode("{ health { ready } }"),
            "Upgrade: websocket", "Connection: Upgrade");
        assertFalse(line.contains(" 200 "), line);
    }

    private static void assertRefused(final TestServer.Response res, final int status, final String reason)
    {
        assertEquals(status, res.status(), res::toString);
        assertTrue(res.contentType().startsWith("application/json"), res::toString);
        final JsonNode error = res.json().get("errors").get(0);
        assertEquals(GraphQlProblem.BAD_REQUEST, error.get("extensions").get("code").asText(), res::toString);
        if (null != reason)
        {
            assertEquals(reason, error.get("extensions").get("reason").asText(), res::toString);
        }
        assertTrue(error.get("message").asText().length() > 10, res::toString);
        assertFalse(res.json().has("data"), res::toString);
    }

    private static TestServer.Response get(final String params)
    {
        return server.get("/graphql" + (params.isEmpty() ? "" : "?" + params));
    }

    private static String encode(final String text)
    {
        return URLEncoder.encode(text, StandardCharsets.UTF_8);
    }

    private static String rawResponse(final String rawPath) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            out.write(("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static String rawStatusLine(final String rawPath, final String... headers) throws Exception
    {
        try (Socket socket = new Socket())
        {
            socket.connect(new InetSocketAddress("127.0.0.1", server.port()), 10_000);
            socket.setSoTimeout(30_000);
            final OutputStream out = socket.getOutputStream();
            final StringBuilder request = new StringBuilder("GET " + rawPath + " HTTP/1.1\r\nHost: 127.0.0.1\r\n");
            for (final String header : headers)
            {
                request.append(header).append("\r\n");
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
            return line.toString();
        }
    }
}
