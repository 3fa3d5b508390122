package io.axiom.gateway.openapi;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.metrics.RouteTemplates;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The OpenAPI document: served from the jar, valid OpenAPI 3.1 for an independent parser, lists every route, and
 * every real answer of a running server (success and problem) matches the schema of its documented status.
 */
public class OpenApiTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String TOKEN = "openapi-test-token";
    private static final String BEARER = "Bearer " + TOKEN;
    private static final Set<String> METHODS = Set.of("get", "post", "put", "patch", "delete", "head", "options");

    @TempDir
    Path dir;

    @Test
    void documentIsValidOpenApi31()
    {
        final String yaml = new String(OpenApiModule.load(), StandardCharsets.UTF_8);
        final ParseOptions options = new ParseOptions();
        options.setResolve(true);
        final SwaggerParseResult result = new OpenAPIV3Parser().readContents(yaml, null, options);
        assertTrue(result.getMessages().isEmpty(), "swagger-parser: " + result.getMessages());
        assertEquals("3.1.0", result.getOpenAPI().getOpenapi());
        assertTrue(result.getOpenAPI().getComponents().getSecuritySchemes().containsKey("bearerAuth"));
        assertEquals("bearer", result.getOpenAPI().getComponents().getSecuritySchemes().get("bearerAuth")
            .getScheme());

        final JsonNode doc = document();
        final Set<String> documented = new TreeSet<>();
        doc.get("paths").fieldNames().forEachRemaining(documented::add);
        final Set<String> routes = new TreeSet<>(RouteTemplates.TEMPLATES);
        routes.removeIf(r -> r.startsWith("/graphiql"));
        assertEquals(routes, documented, "every route, and nothing else, is documented");
        assertTrue(doc.at("/components/schemas/Problem/required").toString().contains("\"code\""));
        assertEquals("[]", doc.at("/paths/~1health/get/security").toString());
        assertEquals("[]", doc.at("/paths/~1ready/get/security").toString());
        assertEquals("[]", doc.at("/paths/~1api~1v1~1openapi.yaml/get/security").toString());
        assertEquals("Idempotency-Key", doc.at("/components/parameters/IdempotencyKey/name").asText());
    }

    @Test
    void servedFromTheJarAsYaml()
    {
        try (TestServer server = TestServer.start(dir, "--gateway.api-token", TOKEN))
        {
            final TestServer.Response res = server.get(OpenApiModule.PATH);
            assertEquals(200, res.status());
            assertEquals("application/yaml", res.contentType());
            assertArrayEquals(OpenApiModule.load(), res.body().getBytes(StandardCharsets.UTF_8));
        }
    }

    @Test
    void realAnswersMatchTheDocument()
    {
        final JsonNode doc = document();
        final List<String> failures = new ArrayList<>();
        final List<String> checked = new ArrayList<>();
        try (TestServer server = TestServer.start(dir, "--gateway.api-token", TOKEN,
            "--gateway.max-body-bytes", "2048"))
        {
            final Checker check = (method, path, contentType, body, extra) ->
            {
                final String[] headers = new String[2 + extra.length];
                headers[0] = "Authorization";
                headers[1] = BEARER;
                System.arraycopy(extra, 0, headers, 2, extra.length);
                final TestServer.Response res = send(server, method, path, contentType, body, headers);
                checked.add(method + " " + path + " -> " + res.status());
                failures.addAll(validate(doc, method, path, res));
                return res;
            };
            final String create = "{\"name\":\"doc\",\"steps\":[\"A\",{\"name\":\"B\",\"type\":\"task\"," +
                "\"timeout_ms\":5000,\"retry\":{\"max_attempts\":3}},{\"name\":\"P\",\"type\":\"approval\"}]," +
                "\"input\":{\"order\":1}}";
            check.run("GET", "/health", null, null);
            check.run("GET", "/ready", null, null);
            check.run("GET", "/", null, null);
            check.run("POST", "/", "application/json", "{}");
            check.run("POST", "/api/v1/workflows", "application/json", create, "Idempotency-Key", "doc-1");
            check.run("POST", "/api/v1/workflows", "application/json", create, "Idempotency-Key", "doc-1");
            check.run("POST", "/api/v1/workflows", "application/json",
                "{\"name\":\"timed\",\"steps\":[{\"name\":\"T\",\"type\":\"timer\",\"duration_ms\":3600000}]}");
            check.run("POST", "/api/v1/workflows", "application/json", "{\"name\":");
            check.run("POST", "/api/v1/workflows", "application/json", "{\"name\":\"x\",\"steps\":[],\"z\":1}");
            check.run("POST", "/api/v1/workflows", "application/json", null);
            check.run("POST", "/api/v1/workflows", "text/plain", "hello");
            check.run("POST", "/api/v1/workflows", "application/json", "{\"name\":\"" + "x".repeat(3000) + "\"}");
            check.run("POST", "/api/v1/workflows", "application/json", create, "Idempotency-Key", " ");
            check.run("GET", "/api/v1/workflows", null, null);
            check.run("GET", "/api/v1/workflows?state=waiting&limit=10&offset=0", null, null);
            check.run("GET", "/api/v1/workflows?limit=many", null, null);
            check.run("GET", "/api/v1/workflows/1", null, null);
            check.run("GET", "/api/v1/workflows/2", null, null);
            check.run("GET", "/api/v1/workflows/999", null, null);
            check.run("GET", "/api/v1/workflows/abc", null, null);
            check.run("GET", "/api/v1/workflows/1/events", null, null);
            check.run("GET", "/api/v1/workflows/999/events", null, null);
            check.run("GET", "/api/v1/workflows/1/replay", null, null);
            check.run("GET", "/api/v1/workflows/999/replay", null, null);
            check.run("POST", "/api/v1/workflows/1/advance", "application/json", "{\"expected_step\":\"B\"}");
            check.run("POST", "/api/v1/workflows/1/advance", "application/json",
                "{\"expected_step\":\"A\",\"output\":{\"done\":true}}");
            check.run("POST", "/api/v1/workflows/1/advance", "application/json", "{\"bogus\":1}");
            check.run("POST", "/api/v1/workflows/1/advance", "text/csv", "a,b");
            check.run("POST", "/api/v1/workflows/999/advance", null, null);
            check.run("GET", "/api/v1/tasks", null, null);
            check.run("POST", "/api/v1/workflows/1/cancel", "application/json", "{\"reason\":\"enough\"}");
            check.run("POST", "/api/v1/workflows/1/cancel", null, null);
            check.run("POST", "/api/v1/workflows/1/cancel", "application/json", "{\"reason\":7}");
            check.run("POST", "/api/v1/workflows/1/advance", null, null);
            // The worker API: a long poll that gets nothing, one that gets a task, its completion (accepted, then
            // ALREADY_COMMITTED with committed_output), a stale token, a failure, a heartbeat, refusals.
            final String tasks = "/api/v1/tasks";
            check.run("POST", tasks + "/fetch", "application/json", "{\"steps\":[\"NONE\"],\"wait_ms\":0}");
            check.run("POST", "/api/v1/workflows", "application/json",
                "{\"name\":\"work\",\"steps\":[{\"name\":\"W\",\"type\":\"task\",\"retry\":" +
                "{\"max_attempts\":3,\"backoff_ms\":0}},\"V\"],\"input\":{\"n\":1}}");
            String found = null;
            for (final JsonNode w : check.run("GET", "/api/v1/workflows?limit=1000", null, null).json()
                .get("workflows"))
            {
                found = "work".equals(w.get("name").asText()) ? w.get("id").asText() : found;
            }
            final String work = found;
            final JsonNode first = check.run("POST", tasks + "/fetch", "application/json",
                "{\"steps\":[\"W\"],\"max_tasks\":5,\"wait_ms\":5000,\"worker_id\":\"doc\"}").json()
                .get("tasks").get(0);
            check.run("POST", tasks + "/" + work + "/heartbeat", "application/json",
                "{\"fencing_token\":" + first.get("fencing_token") + "}");
            check.run("POST", tasks + "/" + work + "/fail", "application/json",
                "{\"fencing_token\":" + first.get("fencing_token") + ",\"retryable\":true,\"error\":\"x\"}");
            final JsonNode second = check.run("POST", tasks + "/fetch", "application/json",
                "{\"steps\":[\"W\"],\"wait_ms\":5000}").json().get("tasks").get(0);
            check.run("POST", tasks + "/" + work + "/complete", "application/json",
                "{\"fencing_token\":" + first.get("fencing_token") + "}");
            check.run("POST", tasks + "/" + work + "/complete", "application/json",
                "{\"fencing_token\":" + second.get("fencing_token") + ",\"output\":{\"ok\":true}}");
            check.run("POST", tasks + "/" + work + "/complete", "application/json",
                "{\"fencing_token\":" + second.get("fencing_token") + ",\"output\":{\"ok\":true}}");
            check.run("POST", tasks + "/999/complete", "application/json", "{\"fencing_token\":1}");
            check.run("POST", tasks + "/x/fail", "application/json", "{\"fencing_token\":1}");
            check.run("POST", tasks + "/fetch", "application/json", "{\"steps\":[],\"wait_ms\":0}");
            check.run("POST", tasks + "/fetch", "text/plain", "steps");
            check.run("POST", tasks + "/" + work + "/heartbeat", "application/json", "{\"fencing_token\":\"1\"}");
            check.run("GET", tasks + "/fetch", null, null);
            check.run("PUT", tasks + "/1/complete", "application/json", "{}");
            check.run("GET", "/api/v1/metrics", null, null);
            check.run("GET", "/api/v1/metrics/prometheus", null, null);
            check.run("GET", "/api/v1/openapi.yaml", null, null);
            check.run("PUT", "/api/v1/tasks", "application/json", "{}");
            check.run("DELETE", "/api/v1/workflows/1", null, null);
            check.run("POST", "/api/v1/metrics", null, null);
            check.run("GET", "/api/v2/nothing", null, null);
            check.run("POST", "/api/v1/verify", null, null);
            check.run("GET", "/api/v1/verify", null, null);
            check.run("POST", "/api/v1/snapshots", null, null);
            check.run("POST", "/api/v1/snapshots", "application/json", "{\"now\":1}");
            check.run("GET", "/api/v1/snapshots", null, null);
            check.run("DELETE", "/api/v1/snapshots", null, null);
            check.run("GET", "/api/v1/cluster", null, null);
            check.run("POST", "/api/v1/cluster/snapshot", null, null);

            final TestServer.Response graphql = send(server, "POST", "/graphql", "application/json",
                "{\"query\":\"{ __typename }\"}", "Authorization", BEARER);
            if (graphql.status() == 404 && graphql.body().contains("ROUTE_NOT_FOUND"))
            {
                checked.add("POST /graphql -> 404: no GraphQL module installed, GraphQL answers not checked");
            }
            else
            {
                checked.add("POST /graphql -> " + graphql.status());
                failures.addAll(validate(doc, "POST", "/graphql", graphql));
                check.run("POST", "/graphql", "application/json", "{\"query\":\"{ \"}");
                check.run("POST", "/graphql", "application/graphql", "{ health { ready } }");
                check.run("GET", "/graphql?query=%7B%20health%20%7B%20ready%20%7D%20%7D", null, null);
                check.run("GET", "/graphql?query=%7B%20nope%20%7D", null, null,
                    "Accept", "application/graphql-response+json");
                check.run("GET", "/graphql?query=mutation%20%7B%20verify%20%7D", null, null);
                check.run("GET", "/graphql?bogus=1", null, null);
            }

            for (final String path : List.of("/api/v1/workflows", "/api/v1/metrics", "/api/v1/tasks"))
            {
                final TestServer.Response res = send(server, "GET", path, null, null);
                checked.add("GET " + path + " (no token) -> " + res.status());
                assertEquals(401, res.status(), res.toString());
                failures.addAll(validate(doc, "GET", path, res));
            }
            for (final String path : List.of("/api/v1/tasks/fetch", "/api/v1/tasks/1/complete", "/api/v1/verify"))
            {
                final TestServer.Response res = send(server, "POST", path, "application/json",
                    "{\"steps\":[\"W\"],\"wait_ms\":0}");
                checked.add("POST " + path + " (no token) -> " + res.status());
                assertEquals(401, res.status(), res.toString());
                failures.addAll(validate(doc, "POST", path, res));
            }
            final TestServer.Response res = send(server, "POST", "/graphql", "application/json", "{}");
            assertEquals(401, res.status(), res.toString());
            failures.addAll(validate(doc, "POST", "/graphql", res));
        }
        assertTrue(failures.isEmpty(), "answers that do not match the document:\n" + String.join("\n", failures) +
            "\n\nchecked:\n" + String.join("\n", checked));
    }

    @Test
    void schemaValidationBites()
    {
        final JsonNode doc = document();
        final JsonNode ref = MAPPER.createObjectNode().put("$ref", "#/components/schemas/Workflow");
        assertTrue(!schema(doc, ref).validate(MAPPER.createObjectNode().put("id", 1)).isEmpty());
        final JsonNode problem = MAPPER.createObjectNode().put("$ref", "#/components/schemas/Problem");
        assertTrue(!schema(doc, problem).validate(MAPPER.createObjectNode().put("type", "urn:axiom:problem:x")
            .put("title", "t").put("status", 400).put("detail", "d")).isEmpty(), "code is required");
    }

    @FunctionalInterface
    private interface Checker
    {
        TestServer.Response run(String method, String path, String contentType, String body, String... headers);
    }

    private static TestServer.Response send(
        final TestServer server,
        final String method,
        final String path,
        final String contentType,
        final String body,
        final String... headers)
    {
        final java.net.http.HttpRequest.Builder builder = server.request(path).method(method, null == body ?
            java.net.http.HttpRequest.BodyPublishers.noBody() :
            java.net.http.HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        if (null != contentType)
        {
            builder.header("Content-Type", contentType);
        }
        for (int i = 0; i < headers.length; i += 2)
        {
            builder.header(headers[i], headers[i + 1]);
        }
        return server.send(builder.build());
    }

    /**
     * @return what is wrong with one answer, empty when it matches the document.
     */
    public static List<String> validate(
        final JsonNode doc, final String method, final String rawPath, final TestServer.Response res)
    {
        final List<String> failures = new ArrayList<>();
        final String where = method + " " + rawPath + " -> " + res.status() + ": ";
        final String path = rawPath.contains("?") ? rawPath.substring(0, rawPath.indexOf('?')) : rawPath;
        final String template = RouteTemplates.route(path);
        final JsonNode pathItem = doc.get("paths").get(template);
        final JsonNode operation = null == pathItem ? null : pathItem.get(method.toLowerCase(Locale.ROOT));

        final JsonNode response;
        if (null == pathItem)
        {
            if (res.status() != 404)
            {
                failures.add(where + "an undocumented path must be answered 404");
            }
            response = problemResponse(doc);
        }
        else if (null == operation)
        {
            if (res.status() != 405 || null == res.header("Allow"))
            {
                failures.add(where + "an undocumented method must be answered 405 with Allow");
            }
            else if (!allowed(pathItem).equals(new TreeSet<>(List.of(res.header("Allow").split(",\\s*")))))
            {
                failures.add(where + "Allow '" + res.header("Allow") + "' differs from the document's " +
                    allowed(pathItem));
            }
            response = problemResponse(doc);
        }
        else
        {
            final JsonNode documented = operation.get("responses").get(Integer.toString(res.status()));
            if (null == documented)
            {
                failures.add(where + "status not documented for the operation");
                return failures;
            }
            response = resolve(doc, documented);
        }

        final String contentType = res.contentType();
        if (null == contentType)
        {
            failures.add(where + "no Content-Type");
            return failures;
        }
        JsonNode media = response.get("content").get(contentType);
        if (null == media)
        {
            final String base = contentType.split(";")[0].trim();
            media = response.get("content").get(base);
        }
        if (null == media)
        {
            final List<String> documented = new ArrayList<>();
            response.get("content").fieldNames().forEachRemaining(documented::add);
            failures.add(where + "Content-Type " + contentType + " not documented; documented: " + documented);
            return failures;
        }
        if (res.status() == 401 && !"Bearer realm=\"axiom\"".equals(res.header("WWW-Authenticate")))
        {
            failures.add(where + "401 without WWW-Authenticate: Bearer realm=\"axiom\"");
        }
        if (!contentType.contains("json"))
        {
            return failures;
        }
        final JsonNode body;
        try
        {
            body = MAPPER.readTree(res.body());
        }
        catch (final Exception ex)
        {
            failures.add(where + "body is not JSON: " + res.body());
            return failures;
        }
        for (final ValidationMessage message : schema(doc, media.get("schema")).validate(body))
        {
            failures.add(where + message.getMessage() + "\n    body: " + clip(res.body()));
        }
        return failures;
    }

    private static JsonSchema schema(final JsonNode doc, final JsonNode schema)
    {
        final ObjectNode root = schema.deepCopy();
        root.put("$schema", "https://json-schema.org/draft/2020-12/schema");
        root.set("components", doc.get("components"));
        return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(root);
    }

    private static JsonNode problemResponse(final JsonNode doc)
    {
        return doc.at("/components/responses/BadRequest");
    }

    private static Set<String> allowed(final JsonNode pathItem)
    {
        final Set<String> methods = new TreeSet<>();
        final Iterator<String> names = pathItem.fieldNames();
        while (names.hasNext())
        {
            final String name = names.next();
            if (METHODS.contains(name))
            {
                methods.add(name.toUpperCase(Locale.ROOT));
            }
        }
        return methods;
    }

    private static JsonNode resolve(final JsonNode doc, final JsonNode node)
    {
        final JsonNode ref = node.get("$ref");
        return null == ref ? node : doc.at(ref.asText().substring(1));
    }

    public static JsonNode document()
    {
        final Map<String, Object> yaml = new Yaml().load(new String(OpenApiModule.load(), StandardCharsets.UTF_8));
        return MAPPER.valueToTree(yaml);
    }

    private static String clip(final String text)
    {
        return text.length() <= 300 ? text : text.substring(0, 300) + "...";
    }
}
