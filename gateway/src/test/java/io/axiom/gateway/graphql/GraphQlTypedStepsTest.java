package io.axiom.gateway.graphql;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static io.axiom.gateway.graphql.GraphQlHttp.MAPPER;
import static io.axiom.gateway.graphql.GraphQlHttp.onlyErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code createWorkflow} with typed steps ({@code typedSteps: [StepInput!]}) beside the plain {@code steps} names:
 * each step type with its policy, exactly one of the two forms, the REST API's refusal codes for the same step
 * objects, and the step type and status as enums in answers and as input.
 */
class GraphQlTypedStepsTest
{
    private static final String CREATE = "mutation($name: String!, $steps: [StepInput!]) { createWorkflow(name: " +
        "$name, typedSteps: $steps) { id state current_step step_details { index name type status attempts } } }";

    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static GraphQlHttp graphQl;

    @BeforeAll
    static void start()
    {
        server = SmallServer.start(dataDir, "--limits.max-steps", "5", "--limits.max-name-length", "32");
        graphQl = new GraphQlHttp(server);
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
    void eachStepTypeAsALiteralCarriesItsPolicyLikeRest()
    {
        final JsonNode created = graphQl.data("""
            mutation {
              createWorkflow(
                name: "refund-7"
                typedSteps: [
                  {name: "MANAGER_APPROVAL", type: APPROVAL}
                  {name: "COOL_OFF", type: TIMER, duration_ms: 86400000}
                  {name: "PROCESS_REFUND", type: TASK, timeout_ms: 60000,
                   retry: {max_attempts: 5, backoff_ms: 100, max_backoff_ms: 60000, multiplier: 2.0}}
                  {name: "NOTIFY"}
                ]
                input: {refund_id: 7}
              ) { id state current_step step_details { name type status attempts } }
            }""").get("createWorkflow");

        assertEquals("WAITING", created.get("state").asText(), created::toString);
        assertEquals("MANAGER_APPROVAL", created.get("current_step").asText());
        final JsonNode steps = created.get("step_details");
        assertEquals(List.of("APPROVAL", "TIMER", "TASK", "TASK"), texts(steps, "type"));
        assertEquals(List.of("ACTIVE", "PENDING", "PENDING", "PENDING"), texts(steps, "status"));

        final JsonNode rest = server.get("/api/v1/workflows/" + created.get("id").asText()).json().get("steps");
        assertEquals(List.of("approval", "timer", "task", "task"), texts(rest, "type"));
        assertEquals(86400000L, rest.get(1).get("duration_ms").asLong(), rest::toString);
        assertEquals(60000L, rest.get(2).get("timeout_ms").asLong(), rest::toString);
        assertEquals(5, rest.get(2).get("retry").get("max_attempts").asInt(), rest::toString);
        assertEquals(100, rest.get(2).get("retry").get("backoff_ms").asLong(), rest::toString);
        assertEquals(60000, rest.get(2).get("retry").get("max_backoff_ms").asLong(), rest::toString);
        assertEquals(2.0, rest.get(2).get("retry").get("multiplier").asDouble(), rest::toString);
    }

    @Test
    void aRestStepObjectIsAValidStepInputVariableOnceItsTypeIsInUpperCase()
    {
        final ArrayNode restSteps = (ArrayNode)json("""
            [{"name": "PAY", "type": "task", "timeout_ms": 5000,
              "retry": {"max_attempts": 3, "backoff_ms": 10, "max_backoff_ms": 20, "multiplier": 1.5}},
             {"name": "WAIT", "type": "timer", "duration_ms": 3600000},
             {"name": "OK", "type": "approval"}]""");
        final JsonNode created = create("from-rest", restSteps);

        assertEquals("RUNNING", created.get("state").asText(), created::toString);
        assertEquals(List.of("TASK", "TIMER", "APPROVAL"), texts(created.get("step_details"), "type"));
        final JsonNode rest = server.get("/api/v1/workflows/" + created.get("id").asText()).json().get("steps");
        assertEquals(1.5, rest.get(0).get("retry").get("multiplier").asDouble(), rest::toString);
        assertEquals(3600000L, rest.get(1).get("duration_ms").asLong(), rest::toString);
    }

    @Test
    void aTimerStepRunsOutAndTheWorkflowCompletes()
    {
        final JsonNode created = graphQl.data("""
            mutation { createWorkflow(name: "short-timer", typedSteps: [{name: "NAP", type: TIMER, duration_ms: 20}])
              { id state step_details { type status } } }""").get("createWorkflow");
        assertEquals("WAITING", created.get("state").asText(), created::toString);

        final String query = "{ workflow(id: \"" + created.get("id").asText() + "\") { state step_details { status } } }";
        TestServer.await("the timer step completes the workflow", () ->
            "COMPLETED".equals(graphQl.data(query).get("workflow").get("state").asText()));
        assertEquals("COMPLETED", graphQl.data(query).get("workflow").get("step_details").get(0).get("status")
            .asText());
    }

    @Test
    void stepNamesStillCreateTaskSteps()
    {
        final JsonNode created = graphQl.data("mutation { createWorkflow(name: \"plain\", steps: [\"A\", \"B\"]) " +
            "{ state step_details { type status } } }").get("createWorkflow");

        assertEquals("RUNNING", created.get("state").asText());
        assertEquals(List.of("TASK", "TASK"), texts(created.get("step_details"), "type"));
        assertEquals(List.of("ACTIVE", "PENDING"), texts(created.get("step_details"), "status"));
    }

    @Test
    void exactlyOneOfTheTwoFormsAndNothingIsWritten()
    {
        final long position = server.engine().journalPosition();

        final JsonNode both = graphQl.execute("mutation { createWorkflow(name: \"both\", steps: [\"A\"], " +
            "typedSteps: [{name: \"B\"}]) { id } }");
        assertEquals(GraphQlProblem.BAD_USER_INPUT, onlyErrorCode(both));
        assertEquals(Operations.CONFLICTING_ARGUMENTS, reason(both));
        assertTrue(both.get("data").get("createWorkflow").isNull(), both::toString);

        final JsonNode neither = graphQl.execute("mutation { createWorkflow(name: \"neither\") { id } }");
        assertEquals(GraphQlProblem.BAD_USER_INPUT, onlyErrorCode(neither));
        assertEquals("MISSING_FIELD", reason(neither));

        final JsonNode nulls = graphQl.execute("mutation { createWorkflow(name: \"nulls\", steps: null, " +
            "typedSteps: null) { id } }");
        assertEquals("MISSING_FIELD", reason(nulls), nulls::toString);

        assertEquals(position, server.engine().journalPosition(), "refused creates wrote nothing");
    }

    /**
     * Each step object REST refuses is refused by GraphQL with REST's code as the reason, naming the same field under
     * {@code typedSteps}; nothing is written for either.
     */
    @Test
    void everyRestRefusalOfAStepObjectHasTheSameCodeInGraphQl()
    {
        final Map<String, String> cases = new LinkedHashMap<>();
        cases.put("[]", "EMPTY_STEPS");
        cases.put("[{\"name\":\"A\"},{\"name\":\"B\"},{\"name\":\"C\"},{\"name\":\"D\"},{\"name\":\"E\"}," +
            "{\"name\":\"F\"}]", "TOO_MANY_STEPS");
        cases.put("[{\"name\":\"" + "n".repeat(33) + "\"}]", "NAME_TOO_LONG");
        cases.put("[{\"name\":\" \"}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"a\\u0007b\"}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"T\",\"type\":\"timer\"}]", "MISSING_FIELD");
        cases.put("[{\"name\":\"T\",\"type\":\"timer\",\"duration_ms\":0}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"T\",\"type\":\"timer\",\"duration_ms\":-5}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"T\",\"type\":\"timer\",\"duration_ms\":4000000000000}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"T\",\"type\":\"timer\",\"duration_ms\":10,\"timeout_ms\":10}]", "INVALID_FIELD");
        cases.put("[{\"name\":\"T\",\"type\":\"timer\",\"duration_ms\":10,\"retry\":{}}]", "INVALID_FIELD");
        cases.put("[{\"name\":\"P\",\"type\":\"approval\",\"duration_ms\":10}]", "INVALID_FIELD");
        cases.put("[{\"name\":\"P\",\"type\":\"approval\",\"timeout_ms\":10}]", "INVALID_FIELD");
        cases.put("[{\"name\":\"P\",\"type\":\"approval\",\"retry\":{\"max_attempts\":2}}]", "INVALID_FIELD");
        cases.put("[{\"name\":\"K\",\"duration_ms\":10}]", "INVALID_FIELD");
        cases.put("[{\"name\":\"K\",\"timeout_ms\":0}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"K\",\"retry\":{\"max_attempts\":0}}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"K\",\"retry\":{\"max_attempts\":10001}}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"K\",\"retry\":{\"backoff_ms\":-1}}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"K\",\"retry\":{\"backoff_ms\":100,\"max_backoff_ms\":50}}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"K\",\"retry\":{\"multiplier\":0.5}}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"K\",\"retry\":{\"multiplier\":1000.5}}]", "INVALID_VALUE");
        cases.put("[{\"name\":\"A\"},{\"name\":\"B\",\"type\":\"timer\"}]", "MISSING_FIELD");

        final long position = server.engine().journalPosition();
        for (final Map.Entry<String, String> c : cases.entrySet())
        {
            final JsonNode steps = json(c.getKey());
            final TestServer.Response rest = server.postJson("/api/v1/workflows",
                MAPPER.createObjectNode().put("name", "refused").<ObjectNode>set("steps", steps).toString());
            assertEquals(400, rest.status(), rest::toString);
            assertEquals(c.getValue(), rest.json().get("code").asText(), c.getKey() + " -> " + rest);

            final JsonNode result = graphQl.execute(CREATE, Map.of("name", "refused", "steps", upperCaseTypes(steps)));
            assertEquals(GraphQlProblem.BAD_USER_INPUT, onlyErrorCode(result), c.getKey() + " -> " + result);
            assertEquals(c.getValue(), reason(result), c.getKey() + " -> " + result);
            final String restDetail = rest.json().get("detail").asText();
            final String message = result.get("errors").get(0).get("message").asText();
            assertEquals(restDetail.replaceFirst("^steps", "typedSteps"), message, "the same words, under the " +
                "argument's name");
        }
        assertEquals(position, server.engine().journalPosition(), "refused creates wrote nothing");
    }

    @Test
    void badTypedInputGraphQlItselfRefusesIsBadUserInputAndWritesNothing()
    {
        final long position = server.engine().journalPosition();
        for (final String literal : List.of(
            "{name: \"A\", type: SLEEP}",
            "{name: \"A\", type: \"timer\"}",
            "{name: \"A\", bogus: 1}",
            "{type: TIMER, duration_ms: 5}",
            "{name: \"A\", timeout_ms: 1.5}",
            "{name: \"A\", timeout_ms: 99999999999999999999}",
            "{name: \"A\", retry: {max_attempts: 3000000000}}",
            "{name: \"A\", retry: {multiplier: \"fast\"}}",
            "{name: \"A\", retry: {multiplier: 1e999}}",
            "{name: null}"))
        {
            final JsonNode result = graphQl.execute("mutation { createWorkflow(name: \"x\", typedSteps: [" + literal +
                "]) { id } }");
            final String code = onlyErrorCode(result);
            assertTrue(code.equals(GraphQlProblem.BAD_USER_INPUT) || code.equals(AxiomGraphQl.VALIDATION_FAILED),
                literal + " -> " + result);
        }
        final JsonNode variable = graphQl.execute(CREATE, Map.of("name", "x", "steps",
            List.of(Map.of("name", "A", "type", "SLEEP"))));
        assertEquals(GraphQlProblem.BAD_USER_INPUT, onlyErrorCode(variable), variable::toString);
        final JsonNode lowerCase = graphQl.execute(CREATE, Map.of("name", "x", "steps",
            List.of(Map.of("name", "A", "type", "task"))));
        assertEquals(GraphQlProblem.BAD_USER_INPUT, onlyErrorCode(lowerCase), "enum values are upper case: " +
            lowerCase);
        assertEquals(position, server.engine().journalPosition(), "refused creates wrote nothing");
    }

    @Test
    void enumsInAnswersAndIntrospection()
    {
        assertEquals(List.of("TASK", "APPROVAL", "TIMER"), enumValues("StepType"));
        assertEquals(List.of("PENDING", "ACTIVE", "COMPLETED", "FAILED", "CANCELLED"), enumValues("StepStatus"));
        assertEquals(List.of("READY", "RECOVERING", "FAILED"), enumValues("EngineStatus"));
        final JsonNode badFaith = graphQl.execute("{ a: __type(name: \"StepType\") { name } b: __type(name: " +
            "\"StepStatus\") { name } }");
        assertEquals(QueryLimits.QUERY_TOO_COMPLEX, onlyErrorCode(badFaith), "introspection graphql-java refuses " +
            "as not in good faith is a client's error, not the server's: " + badFaith);
        final JsonNode step = graphQl.data("{ __type(name: \"Step\") { fields { name type { kind ofType { name kind " +
            "} } } } }").get("__type");
        for (final JsonNode field : step.get("fields"))
        {
            if (List.of("type", "status").contains(field.get("name").asText()))
            {
                assertEquals("ENUM", field.get("type").get("ofType").get("kind").asText(), field::toString);
            }
        }

        final String id = graphQl.data("mutation { createWorkflow(name: \"enums\", typedSteps: [{name: \"A\"}, " +
            "{name: \"B\", type: APPROVAL}]) { id } }").get("createWorkflow").get("id").asText();
        graphQl.data("mutation { advanceWorkflow(id: \"" + id + "\") { id } }");
        final JsonNode advanced = graphQl.data("{ workflow(id: \"" + id + "\") { step_details { type status } } " +
            "health { engine } }");
        assertEquals(List.of("TASK", "APPROVAL"), texts(advanced.get("workflow").get("step_details"), "type"));
        assertEquals(List.of("COMPLETED", "ACTIVE"), texts(advanced.get("workflow").get("step_details"), "status"));
        assertEquals("READY", advanced.get("health").get("engine").asText());

        graphQl.data("mutation { cancelWorkflow(id: \"" + id + "\", reason: \"enough\") { id } }");
        final JsonNode cancelled = graphQl.data("{ workflow(id: \"" + id + "\") { step_details { status } } }");
        assertEquals(List.of("COMPLETED", "CANCELLED"),
            texts(cancelled.get("workflow").get("step_details"), "status"));
    }

    @Test
    void enumsAsVariablesOfTheirOwnType()
    {
        final JsonNode created = graphQl.data("""
            mutation($t: StepType!, $ms: Long) { createWorkflow(name: "typed-variable",
              typedSteps: [{name: "W", type: $t, duration_ms: $ms}]) { step_details { type } } }""",
            Map.of("t", "TIMER", "ms", 3_600_000)).get("createWorkflow");
        assertEquals("TIMER", created.get("step_details").get(0).get("type").asText());
    }

    private static List<String> enumValues(final String type)
    {
        final JsonNode found = graphQl.data("{ __type(name: \"" + type + "\") { kind enumValues { name } } }")
            .get("__type");
        assertEquals("ENUM", found.get("kind").asText(), found::toString);
        return texts(found.get("enumValues"), "name");
    }

    private static JsonNode create(final String name, final JsonNode restSteps)
    {
        return graphQl.data(CREATE, Map.of("name", name, "steps", upperCaseTypes(restSteps))).get("createWorkflow");
    }

    /**
     * @param restSteps step objects as the REST API takes them.
     * @return the same as a {@code [StepInput!]} variable value: types in upper case.
     */
    private static Object upperCaseTypes(final JsonNode restSteps)
    {
        final ArrayNode steps = restSteps.deepCopy();
        for (final JsonNode step : steps)
        {
            if (step.has("type"))
            {
                ((ObjectNode)step).put("type", step.get("type").asText().toUpperCase(Locale.ROOT));
            }
        }
        return MAPPER.convertValue(steps, List.class);
    }

    private static String reason(final JsonNode result)
    {
        return result.get("errors").get(0).get("extensions").path("reason").asText();
    }

    private static List<String> texts(final JsonNode array, final String field)
    {
        final List<String> texts = new ArrayList<>();
        array.forEach(node -> texts.add(node.get(field).asText()));
        return texts;
    }

    private static JsonNode json(final String text)
    {
        try
        {
            return MAPPER.readTree(text);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }
}
