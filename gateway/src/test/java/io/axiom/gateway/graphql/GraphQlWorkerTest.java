package io.axiom.gateway.graphql;

import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static io.axiom.gateway.graphql.GraphQlHttp.onlyErrorCode;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The worker mutations (fetchTasks, completeTask, failTask, heartbeatTask): the same dealer, fencing and refusals as
 * the REST worker API, as GraphQL errors with {@code extensions.code}, within the query limits.
 */
class GraphQlWorkerTest
{
    private static final String TASK_FIELDS = "task_id workflow_id step_index step attempt fencing_token " +
        "lease_expires_at attempt_deadline idempotency_key input";

    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static GraphQlHttp graphQl;

    @BeforeAll
    static void start()
    {
        server = SmallServer.start(dataDir);
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
    void fetchCompleteAndARepeatThatIsAlreadyCommitted()
    {
        final String id = create("gq_pack", "[\"GQ_PACK\", \"GQ_SHIP\"]", "{order: 5}");
        final JsonNode tasks = graphQl.data("mutation { fetchTasks(steps: [\"GQ_PACK\"], maxTasks: 2, waitMs: 5000, " +
            "workerId: \"gq-1\") { " + TASK_FIELDS + " } }").get("fetchTasks");
        assertEquals(1, tasks.size(), tasks::toString);
        final JsonNode task = tasks.get(0);
        assertEquals(id, task.get("task_id").asText());
        assertEquals(id, task.get("workflow_id").asText());
        assertEquals("GQ_PACK", task.get("step").asText());
        assertEquals(0, task.get("step_index").asInt());
        assertEquals(1, task.get("attempt").asInt());
        assertEquals(id + "-0", task.get("idempotency_key").asText());
        assertEquals("{\"order\":5}", task.get("input").toString());
        assertTrue(task.get("lease_expires_at").asText().endsWith("Z"));
        final long token = task.get("fencing_token").asLong();

        final String complete = "mutation($id: ID!, $token: Long!, $out: JSON) { completeTask(taskId: $id, " +
            "fencingToken: $token, output: $out) { task_id fencing_token status } }";
        final JsonNode done = graphQl.data(complete, Map.of("id", id, "token", token, "out", Map.of("boxes", 1)))
            .get("completeTask");
        assertEquals(id, done.get("task_id").asText());
        assertEquals(token, done.get("fencing_token").asLong());
        assertEquals("ACCEPTED", done.get("status").asText());
        assertEquals("GQ_SHIP", graphQl.data("{ workflow(id: \"" + id + "\") { current_step } }").get("workflow")
            .get("current_step").asText());

        final long position = server.engine().journalPosition();
        final JsonNode again = graphQl.execute(complete, Map.of("id", id, "token", token, "out", Map.of("boxes", 9)));
        assertEquals("ALREADY_COMMITTED", onlyErrorCode(again));
        final JsonNode extensions = again.get("errors").get(0).get("extensions");
        assertEquals("{\"boxes\":1}", extensions.get("committed_output").toString(), again::toString);
        assertEquals("CONFLICT", extensions.get("reason").asText());
        assertTrue(again.get("data").isNull(), "a non-null field's error nulls the data: " + again);
        assertEquals(position, server.engine().journalPosition(), "nothing was written for the repeat");
    }

    @Test
    void aFailureIsRetriedAndTheOldTokenIsStale()
    {
        final String id = create("gq_flaky", "[\"GQ_FLAKY\"]", "null");
        final JsonNode first = fetchOne("GQ_FLAKY");
        final long oldToken = first.get("fencing_token").asLong();
        final JsonNode beat = graphQl.data("mutation { heartbeatTask(taskId: \"" + id + "\", fencingToken: " +
            oldToken + ") { status fencing_token } }").get("heartbeatTask");
        assertEquals("RECEIVED", beat.get("status").asText());
        final JsonNode failed = graphQl.data("mutation { failTask(taskId: \"" + id + "\", fencingToken: " + oldToken +
            ", retryable: true, error: \"timeout upstream\") { status } }").get("failTask");
        assertEquals("ACCEPTED", failed.get("status").asText());

        // the default policy backs off 1 s before the second attempt
        final JsonNode second = fetchOne("GQ_FLAKY");
        assertEquals(2, second.get("attempt").asInt());
        final long position = server.engine().journalPosition();
        final JsonNode stale = graphQl.execute("mutation { completeTask(taskId: \"" + id + "\", fencingToken: " +
            oldToken + ") { status } }");
        assertEquals("STALE_FENCING_TOKEN", onlyErrorCode(stale));
        assertTrue(stale.get("errors").get(0).get("message").asText().contains("do not commit the effect"),
            stale::toString);
        assertEquals(position, server.engine().journalPosition());

        final JsonNode last = graphQl.data("mutation { failTask(taskId: \"" + id + "\", fencingToken: " +
            second.get("fencing_token").asLong() + ", retryable: false, error: \"gave up\") { status } }");
        assertEquals("ACCEPTED", last.get("failTask").get("status").asText());
        final JsonNode workflow = graphQl.data("{ workflow(id: \"" + id + "\") { state reason } }").get("workflow");
        assertEquals("FAILED", workflow.get("state").asText());
        assertTrue(workflow.get("reason").asText().endsWith("ERROR: gave up"), workflow::toString);
    }

    @Test
    void refusalsCarryCodesAndChangeNothing()
    {
        create("gq_refused", "[\"GQ_REFUSED\"]", "null");
        final long position = server.engine().journalPosition();

        final JsonNode unknown = graphQl.execute("mutation { completeTask(taskId: \"424242\", fencingToken: 1) " +
            "{ status } }");
        assertEquals("NOT_FOUND", onlyErrorCode(unknown));
        assertEquals("UNKNOWN_TASK", unknown.get("errors").get(0).get("extensions").get("reason").asText());
        final JsonNode notAnId = graphQl.execute("mutation { failTask(taskId: \"x1\", fencingToken: 1) { status } }");
        assertEquals("NOT_FOUND", onlyErrorCode(notAnId));

        final JsonNode tooMany = graphQl.execute("mutation { fetchTasks(steps: [\"GQ_REFUSED\"], maxTasks: 101) " +
            "{ task_id } }");
        assertEquals("BAD_USER_INPUT", onlyErrorCode(tooMany));
        assertEquals("INVALID_VALUE", tooMany.get("errors").get(0).get("extensions").get("reason").asText());
        assertTrue(tooMany.get("errors").get(0).get("message").asText().contains("max_tasks must be between 1 and " +
            "100"), tooMany::toString);
        assertEquals("BAD_USER_INPUT", onlyErrorCode(graphQl.execute("mutation { fetchTasks(steps: []) " +
            "{ task_id } }")));
        assertEquals("BAD_USER_INPUT", onlyErrorCode(graphQl.execute("mutation { fetchTasks(steps: " +
            "[\"GQ_REFUSED\"], waitMs: 30001) { task_id } }")));
        assertEquals("BAD_USER_INPUT", onlyErrorCode(graphQl.execute("mutation { completeTask(taskId: \"1\", " +
            "fencingToken: 0) { status } }")));
        assertEquals("BAD_USER_INPUT", onlyErrorCode(graphQl.execute("mutation { failTask(taskId: \"1\", " +
            "fencingToken: 1, error: \"" + "e".repeat(4097) + "\") { status } }")));
        assertEquals(AxiomGraphQl.VALIDATION_FAILED, onlyErrorCode(graphQl.execute("mutation { " +
            "completeTask(taskId: \"1\") { status } }")), "fencingToken is required by the schema");

        assertEquals(position, server.engine().journalPosition(), "refusals write nothing");
        assertEquals("[]", graphQl.data("mutation { fetchTasks(steps: [\"GQ_NOTHING\"], waitMs: 0) { task_id } }")
            .get("fetchTasks").toString());
    }

    @Test
    void theQueryLimitsHoldForTheWorkerMutationsBeforeAnythingIsFetched()
    {
        final String id = create("gq_limits", "[\"GQ_LIMITS\"]", "null");
        final StringBuilder wide = new StringBuilder("mutation {");
        for (int i = 0; i < 25; i++)
        {
            wide.append(" f").append(i).append(": fetchTasks(steps: [\"GQ_LIMITS\"], waitMs: 0) { ")
                .append(TASK_FIELDS).append(" }");
        }
        final JsonNode refused = graphQl.execute(wide.append(" }").toString());
        assertEquals(QueryLimits.QUERY_TOO_COMPLEX, onlyErrorCode(refused));
        for (final JsonNode queue : server.get("/api/v1/tasks").json().get("queues"))
        {
            if ("GQ_LIMITS".equals(queue.get("step").asText()))
            {
                assertEquals(1, queue.get("queued").asLong(), "nothing was fetched: " + queue);
                assertEquals(0, queue.get("workers").asLong(), queue::toString);
            }
        }
        assertEquals("RUNNING", graphQl.data("{ workflow(id: \"" + id + "\") { state } }").get("workflow")
            .get("state").asText());
        fetchOne("GQ_LIMITS");
    }

    @Test
    void aWaitingFetchTasksDoesNotHoldUpTheServersStop(@TempDir final Path ownDir) throws Exception
    {
        final TestServer own = SmallServer.start(ownDir);
        final GraphQlHttp ownGraphQl = new GraphQlHttp(own);
        final java.util.concurrent.CompletableFuture<JsonNode> waiting =
            java.util.concurrent.CompletableFuture.supplyAsync(() -> ownGraphQl.data("mutation { fetchTasks(steps: " +
                "[\"GQ_NEVER\"], waitMs: 30000) { task_id } }"));
        TestServer.await("the fetch waiting as a worker", () ->
            own.get("/api/v1/tasks").json().get("queues").toString().contains("\"workers\":1"));
        final long start = System.nanoTime();
        own.close();
        final long closeMs = (System.nanoTime() - start) / 1_000_000;
        assertEquals("[]", waiting.get(30, java.util.concurrent.TimeUnit.SECONDS).get("fetchTasks").toString());
        assertTrue(closeMs < 15_000, "the stop waited " + closeMs + " ms for a long poll");
    }

    private static String create(final String name, final String steps, final String input)
    {
        return graphQl.data("mutation { createWorkflow(name: \"" + name + "\", steps: " + steps + ", input: " +
            input + ") { id } }").get("createWorkflow").get("id").asText();
    }

    private static JsonNode fetchOne(final String step)
    {
        final JsonNode tasks = graphQl.data("mutation { fetchTasks(steps: [\"" + step + "\"], waitMs: 10000) { " +
            TASK_FIELDS + " } }").get("fetchTasks");
        assertEquals(1, tasks.size(), tasks::toString);
        return tasks.get(0);
    }
}
