package io.axiom.gateway.graphql;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import com.fasterxml.jackson.databind.JsonNode;
import graphql.introspection.IntrospectionQuery;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static io.axiom.gateway.graphql.GraphQlHttp.onlyErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every query and mutation of the schema over {@code POST /graphql}, against a real engine on a temporary journal:
 * the happy paths, the error codes, the JSON scalar in both spellings, and bad input that writes nothing.
 */
class GraphQlApiTest
{
    private static final String WORKFLOW_FIELDS = "id name state steps current_step current_step_index " +
        "step_details { index name type status attempts output } input idempotency_key created_at event_count";

    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static GraphQlHttp graphQl;

    @BeforeAll
    static void start()
    {
        server = SmallServer.start(dataDir, "--limits.max-steps", "5",
            "--limits.max-name-length", "32");
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
    void introspectionShowsTheReadmeSchema()
    {
        final JsonNode schema = graphQl.data(IntrospectionQuery.INTROSPECTION_QUERY).get("__schema");

        assertEquals(Set.of("workflow", "workflows", "tasks", "metrics", "health", "snapshots", "cluster"),
            fieldNames(schema, "Query"));
        assertEquals(Set.of("createWorkflow", "advanceWorkflow", "cancelWorkflow", "runChaos", "verify",
            "fetchTasks", "completeTask", "failTask", "heartbeatTask", "takeSnapshot", "takeClusterSnapshot"),
            fieldNames(schema, "Mutation"));
        assertEquals(List.of("steps", "maxTasks", "waitMs", "workerId"), argNames(schema, "Mutation", "fetchTasks"));
        assertEquals(List.of("taskId", "fencingToken", "output"), argNames(schema, "Mutation", "completeTask"));
        assertEquals(List.of("taskId", "fencingToken", "retryable", "error"), argNames(schema, "Mutation", "failTask"));
        assertEquals(List.of("taskId", "fencingToken"), argNames(schema, "Mutation", "heartbeatTask"));
        assertEquals(Set.of("workflowEvents", "taskUpdates"), fieldNames(schema, "Subscription"));
        assertEquals(List.of("id"), argNames(schema, "Query", "workflow"));
        assertEquals(List.of("limit", "offset", "state", "name", "namePrefix", "step", "createdAfter", "createdBefore",
            "sort", "order"), argNames(schema, "Query", "workflows"));
        assertEquals(List.of("name", "steps", "typedSteps", "input", "idempotencyKey"),
            argNames(schema, "Mutation", "createWorkflow"));
        assertEquals(List.of("scenario", "duration_ms", "seed"), argNames(schema, "Mutation", "runChaos"));
        assertEquals(List.of("workflow_id"), argNames(schema, "Subscription", "workflowEvents"));
        assertTrue(typeNames(schema).containsAll(Set.of("JSON", "Long", "Workflow", "WorkflowEvent", "TaskQueues",
            "Metrics", "Health", "WorkflowState", "Task", "TaskOutcome", "StepType", "StepStatus", "EngineStatus",
            "StepInput", "RetryInput")), schema::toString);
    }

    @Test
    void createWithTheReadmeExampleTakesInputAsAStringHoldingJson()
    {
        final JsonNode created = graphQl.data("""
            mutation {
              createWorkflow(
                name: "order_fulfillment_v1"
                steps: ["RESERVE_INVENTORY", "PROCESS_PAYMENT", "DISPATCH"]
                input: "{\\"order_id\\": \\"ORD-123\\"}"
              ) {
                id
                state
                steps
                input
              }
            }""").get("createWorkflow");

        assertTrue(created.get("id").asText().matches("[0-9]+"), created::toString);
        assertEquals("RUNNING", created.get("state").asText());
        assertEquals("[\"RESERVE_INVENTORY\",\"PROCESS_PAYMENT\",\"DISPATCH\"]", created.get("steps").toString());
        assertEquals("ORD-123", created.get("input").get("order_id").asText(), "input is JSON, not a string");

        final JsonNode rest = server.get("/api/v1/workflows/" + created.get("id").asText()).json();
        assertEquals("ORD-123", rest.get("input").get("order_id").asText());
    }

    @Test
    void createTakesInputAsAnObjectLiteralAndAsAVariable()
    {
        final JsonNode literal = graphQl.data("""
            mutation { createWorkflow(name: "lit", steps: ["A"], input: {order: {id: "X-1", lines: [1, 2.5, true,
              null]}, note: "plain \\"string\\""}) { input } }""").get("createWorkflow").get("input");
        assertEquals("X-1", literal.get("order").get("id").asText());
        assertEquals("[1,2.5,true,null]", literal.get("order").get("lines").toString());
        assertEquals("plain \"string\"", literal.get("note").asText(), "a nested string is a JSON string");

        final JsonNode variable = graphQl.data("""
            mutation Create($input: JSON) { createWorkflow(name: "var", steps: ["A"], input: $input) { input } }""",
            Map.of("input", Map.of("k", List.of(1, 2)))).get("createWorkflow").get("input");
        assertEquals("{\"k\":[1,2]}", variable.toString());

        final JsonNode nested = graphQl.data("""
            mutation Create($id: String) { createWorkflow(name: "nest", steps: ["A"], input: {id: $id}) { input } }""",
            Map.of("id", "from-variable")).get("createWorkflow").get("input");
        assertEquals("from-variable", nested.get("id").asText());
    }

    @Test
    void idempotencyKeyReturnsTheFirstWorkflowAndWritesNothing()
    {
        final String create = """
            mutation { createWorkflow(name: "once", steps: ["A"], idempotencyKey: "key-42") { id idempotency_key } }""";
        final JsonNode first = graphQl.data(create).get("createWorkflow");
        final long position = server.engine().journalPosition();

        final JsonNode second = graphQl.data(create).get("createWorkflow");

        assertEquals(first.get("id"), second.get("id"));
        assertEquals("key-42", second.get("idempotency_key").asText());
        assertEquals(position, server.engine().journalPosition());
    }

    @Test
    void workflowReadsOneWorkflowWithItsStepsAndEvents()
    {
        final String id = create("reader", "A", "B");

        final JsonNode w = graphQl.data("{ workflow(id: \"" + id + "\") { " + WORKFLOW_FIELDS +
            " events { type position sequence timestamp step step_index data } } }").get("workflow");

        assertEquals(id, w.get("id").asText());
        assertEquals("reader", w.get("name").asText());
        assertEquals("A", w.get("current_step").asText());
        assertEquals(0, w.get("current_step_index").asInt());
        assertEquals("TASK", w.get("step_details").get(1).get("type").asText());
        assertEquals("PENDING", w.get("step_details").get(1).get("status").asText());
        final JsonNode events = w.get("events");
        assertEquals("WorkflowCreated", events.get(0).get("type").asText());
        assertEquals("reader", events.get(0).get("data").get("name").asText());
        assertTrue(events.get(0).get("timestamp").asText().endsWith("Z"));
        assertEquals("A", events.get(1).get("step").asText(), events::toString);
        assertEquals(0, events.get(1).get("step_index").asInt());

        final JsonNode rest = server.get("/api/v1/workflows/" + id + "/events").json().get("events");
        assertEquals(rest.size(), events.size());
        for (int i = 0; i < rest.size(); i++)
        {
            assertEquals(rest.get(i).get("position").asLong(), events.get(i).get("position").asLong());
            assertEquals(rest.get(i).get("type").asText(), events.get(i).get("type").asText());
        }
    }

    @Test
    void unknownWorkflowIsNotFound()
    {
        final JsonNode result = graphQl.execute("{ workflow(id: \"987654321\") { id } }");
        assertEquals("NOT_FOUND", onlyErrorCode(result));
        assertTrue(result.get("data").get("workflow").isNull());

        assertEquals("NOT_FOUND", onlyErrorCode(graphQl.execute("{ workflow(id: \"not-a-number\") { id } }")));
    }

    @Test
    void workflowsPagesAndFiltersByState()
    {
        final String a = create("page-a", "A");
        final String b = create("page-b", "A");
        graphQl.data("mutation { cancelWorkflow(id: \"" + b + "\", reason: \"test\") { state } }");

        final JsonNode all = graphQl.data("{ workflows(limit: 1000) { items { id state } total offset limit } }")
            .get("workflows");
        assertTrue(all.get("total").asLong() >= 2, all::toString);
        assertEquals(all.get("total").asInt(), all.get("items").size());
        assertEquals(1000, all.get("limit").asInt());

        final JsonNode cancelled = graphQl.data("{ workflows(state: CANCELLED, limit: 1000) { items { id state } } }")
            .get("workflows").get("items");
        final List<String> ids = new ArrayList<>();
        cancelled.forEach(w ->
        {
            assertEquals("CANCELLED", w.get("state").asText());
            ids.add(w.get("id").asText());
        });
        assertTrue(ids.contains(b) && !ids.contains(a), cancelled::toString);

        final JsonNode second = graphQl.data("{ workflows(limit: 1, offset: 1) { items { id } offset limit } }")
            .get("workflows");
        assertEquals(1, second.get("items").size());
        assertEquals(1, second.get("offset").asInt());

        final JsonNode defaults = graphQl.data("{ workflows(limit: null, offset: null) { offset limit } }")
            .get("workflows");
        assertEquals(50, defaults.get("limit").asInt());
        assertEquals(0, defaults.get("offset").asInt());
        assertEquals("BAD_USER_INPUT", onlyErrorCode(graphQl.execute("{ workflows(limit: 1001) { total } }")));
        assertEquals("BAD_USER_INPUT", onlyErrorCode(graphQl.execute("{ workflows(offset: -1) { total } }")));
    }

    @Test
    void advanceMovesStepByStepToCompletedThenIsAnIllegalTransition()
    {
        final String id = create("advancer", "A", "B");

        final JsonNode first = graphQl.data("mutation { advanceWorkflow(id: \"" + id +
            "\", output: {done: \"A\"}, expectedStep: \"A\") { state current_step step_details { output } } }")
            .get("advanceWorkflow");
        assertEquals("B", first.get("current_step").asText());
        assertEquals("A", first.get("step_details").get(0).get("output").get("done").asText());

        final JsonNode mismatch = graphQl.execute("mutation { advanceWorkflow(id: \"" + id +
            "\", expectedStep: \"A\") { state } }");
        assertEquals("STEP_MISMATCH", onlyErrorCode(mismatch));

        final JsonNode done = graphQl.data("mutation { advanceWorkflow(id: \"" + id +
            "\", output: \"{\\\"done\\\": \\\"B\\\"}\") { state current_step } }").get("advanceWorkflow");
        assertEquals("COMPLETED", done.get("state").asText());
        assertTrue(done.get("current_step").isNull());

        final long position = server.engine().journalPosition();
        final JsonNode again = graphQl.execute("mutation { advanceWorkflow(id: \"" + id + "\") { state } }");
        assertEquals("ILLEGAL_TRANSITION", onlyErrorCode(again));
        assertEquals("CONFLICT", again.get("errors").get(0).get("extensions").get("reason").asText());
        assertTrue(again.get("data").get("advanceWorkflow").isNull());
        assertEquals(position, server.engine().journalPosition());

        assertEquals("NOT_FOUND", onlyErrorCode(graphQl.execute(
            "mutation { advanceWorkflow(id: \"123456789\") { state } }")));
    }

    @Test
    void cancelStopsAWorkflowOnceAndTwiceIsAnIllegalTransition()
    {
        final String id = create("cancelled", "A");

        final JsonNode cancelled = graphQl.data("mutation { cancelWorkflow(id: \"" + id +
            "\", reason: \"customer left\") { state reason } }").get("cancelWorkflow");
        assertEquals("CANCELLED", cancelled.get("state").asText());
        assertEquals("customer left", cancelled.get("reason").asText());

        assertEquals("ILLEGAL_TRANSITION", onlyErrorCode(graphQl.execute("mutation { cancelWorkflow(id: \"" + id +
            "\") { state } }")));
    }

    @Test
    void badInputIsBadUserInputAndWritesNothing()
    {
        final long position = server.engine().journalPosition();
        final List<String> refused = List.of(
            "mutation { createWorkflow(name: \"\", steps: [\"A\"]) { id } }",
            "mutation { createWorkflow(name: \"x\", steps: []) { id } }",
            "mutation { createWorkflow(name: \"x\", steps: [\"A\", \"B\", \"C\", \"D\", \"E\", \"F\"]) { id } }",
            "mutation { createWorkflow(name: \"" + "n".repeat(33) + "\", steps: [\"A\"]) { id } }",
            "mutation { createWorkflow(name: \"x\", steps: [\"" + "s".repeat(33) + "\"]) { id } }",
            "mutation { createWorkflow(name: \"x\", steps: [\"A\"], input: \"{not json\") { id } }",
            "mutation { createWorkflow(name: \"x\", steps: [\"A\"], input: \"\") { id } }",
            "mutation { createWorkflow(name: \"x\", steps: [\"A\"], idempotencyKey: \"\") { id } }",
            "mutation { createWorkflow(name: \"x\", steps: [\"A\"], idempotencyKey: \"has space\") { id } }",
            "mutation { createWorkflow(name: \"x\", steps: [\"A\"], input: \"{\\\"a\\\": 1, \\\"a\\\": 2}\") { id } }",
            "mutation { cancelWorkflow(id: \"1\", reason: \"" + "r".repeat(1025) + "\") { id } }");
        for (final String mutation : refused)
        {
            final JsonNode result = graphQl.execute(mutation);
            assertEquals("BAD_USER_INPUT", onlyErrorCode(result), mutation + " -> " + result);
        }
        final JsonNode variable = graphQl.execute("mutation C($i: JSON) { createWorkflow(name: \"x\", steps: [\"A\"]," +
            " input: $i) { id } }", Map.of("i", "{broken"));
        assertEquals("BAD_USER_INPUT", onlyErrorCode(variable), variable::toString);

        assertEquals(position, server.engine().journalPosition(), "refused input wrote nothing");
    }

    @Test
    void runChaosIsForbiddenWhileChaosIsOff()
    {
        final JsonNode chaos = graphQl.execute(
            "mutation { runChaos(scenario: \"process_kill\", duration_ms: 30000) }");
        assertEquals("FORBIDDEN", onlyErrorCode(chaos), "chaos is off unless the server runs with --chaos-enabled");
        assertTrue(chaos.get("data").get("runChaos").isNull(), "no fake result");
    }

    @Test
    void tasksMetricsAndHealth()
    {
        create("queued", "WAITS_FOR_A_WORKER");

        final JsonNode data = graphQl.data("""
            { tasks { queues { step queued leased } queued leased }
              metrics { workflows workflows_by_state { state count } events_appended events_released fsyncs
                        fsync_max_ms ring_occupancy ring_size tasks_queued timers journal_position batches commands
                        max_batch_size snapshots }
              health { status engine ready detail } }""");

        final JsonNode tasks = data.get("tasks");
        boolean found = false;
        for (final JsonNode q : tasks.get("queues"))
        {
            found |= "WAITS_FOR_A_WORKER".equals(q.get("step").asText()) && q.get("queued").asLong() >= 1;
        }
        assertTrue(found, tasks::toString);
        assertTrue(tasks.get("queued").asLong() >= 1);

        final JsonNode metrics = data.get("metrics");
        assertTrue(metrics.get("workflows").asLong() >= 1, metrics::toString);
        assertTrue(metrics.get("events_appended").asLong() >= 2, metrics::toString);
        assertTrue(metrics.get("fsyncs").asLong() >= 1, metrics::toString);
        assertTrue(metrics.get("tasks_queued").asLong() >= 1, metrics::toString);
        assertEquals(SmallServer.RING_SIZE, metrics.get("ring_size").asInt());
        assertEquals(6, metrics.get("workflows_by_state").size());

        final JsonNode health = data.get("health");
        assertEquals("UP", health.get("status").asText());
        assertEquals("READY", health.get("engine").asText());
        assertTrue(health.get("ready").asBoolean());
    }

    @Test
    void complexityOverTheDefaultLimitIsRefusedBeforeAnythingRuns()
    {
        final StringBuilder query = new StringBuilder("{");
        for (int i = 0; i < 101; i++)
        {
            query.append(" h").append(i).append(": health { status }");
        }
        final JsonNode result = graphQl.execute(query.append(" }").toString());

        assertEquals(QueryLimits.QUERY_TOO_COMPLEX, onlyErrorCode(result));
        assertTrue(result.get("errors").get(0).get("message").asText().contains("202"), result::toString);
        assertFalse(result.has("data") && !result.get("data").isNull(), result::toString);
    }

    @Test
    void depthOverTheDefaultLimitIsRefusedButPureIntrospectionIsNot()
    {
        final String deep = "__schema { types { fields { type { ofType { ofType { ofType { ofType { ofType " +
            "{ ofType { name } } } } } } } } } }";

        final JsonNode mixed = graphQl.execute("{ health { status } " + deep + " }");
        assertEquals(QueryLimits.QUERY_TOO_DEEP, onlyErrorCode(mixed));
        assertTrue(mixed.get("errors").get(0).get("message").asText().contains("graphql.max-depth"),
            mixed::toString);

        graphQl.data("{ " + deep + " }");
    }

    @Test
    void documentErrorsCarryCodes()
    {
        assertEquals(AxiomGraphQl.PARSE_FAILED, onlyErrorCode(graphQl.execute("{ health { ")));
        assertEquals(AxiomGraphQl.VALIDATION_FAILED, onlyErrorCode(graphQl.execute("{ nope }")));
        assertEquals(GraphQlProblem.BAD_REQUEST, onlyErrorCode(graphQl.execute(
            "subscription { taskUpdates { queued } }")), "subscriptions need the WebSocket");
    }

    @Test
    void requestsThatAreNotGraphQlAreRefusedWithAGraphQlShapedBody()
    {
        final TestServer.Response notJson = server.postJson("/graphql", "{\"query\": ");
        assertEquals(400, notJson.status(), notJson::toString);
        assertEquals(GraphQlProblem.BAD_REQUEST, onlyErrorCode(notJson.json()));

        final TestServer.Response noQuery = server.postJson("/graphql", "{\"variables\": {}}");
        assertEquals(400, noQuery.status(), noQuery::toString);

        final TestServer.Response text = server.post("/graphql", "text/plain", "{ health { status } }");
        assertEquals(415, text.status(), text::toString);

        final TestServer.Response put = server.send(server.request("/graphql")
            .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals(405, put.status(), put::toString);
        assertEquals("GET, POST", put.header("Allow"));
    }

    private static String create(final String name, final String... steps)
    {
        final StringBuilder list = new StringBuilder();
        for (final String step : steps)
        {
            list.append(list.isEmpty() ? "" : ", ").append('"').append(step).append('"');
        }
        final JsonNode created = graphQl.data("mutation { createWorkflow(name: \"" + name + "\", steps: [" + list +
            "]) { id } }").get("createWorkflow");
        assertNotEquals("", created.get("id").asText());
        return created.get("id").asText();
    }

    private static JsonNode type(final JsonNode schema, final String name)
    {
        for (final JsonNode type : schema.get("types"))
        {
            if (name.equals(type.get("name").asText()))
            {
                return type;
            }
        }
        throw new AssertionError("no type " + name);
    }

    private static Set<String> typeNames(final JsonNode schema)
    {
        final Set<String> names = new HashSet<>();
        schema.get("types").forEach(t -> names.add(t.get("name").asText()));
        return names;
    }

    private static Set<String> fieldNames(final JsonNode schema, final String typeName)
    {
        final Set<String> names = new HashSet<>();
        type(schema, typeName).get("fields").forEach(f -> names.add(f.get("name").asText()));
        return names;
    }

    private static List<String> argNames(final JsonNode schema, final String typeName, final String field)
    {
        for (final JsonNode f : type(schema, typeName).get("fields"))
        {
            if (field.equals(f.get("name").asText()))
            {
                final List<String> names = new ArrayList<>();
                f.get("args").forEach(a -> names.add(a.get("name").asText()));
                return names;
            }
        }
        throw new AssertionError("no field " + typeName + "." + field);
    }
}
