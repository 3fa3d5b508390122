package io.axiom.gateway.graphql;

import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;

import io.axiom.gateway.TestServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Ended workflows leave the heap (retention.in-memory 0 here: at once) and read the same through REST, GraphQL and
 * events afterwards; commands answer as for an ended workflow; lists leave them out; bad ids answer as before; the
 * metrics count them.
 */
class RetiredWorkflowsApiTest
{
    private static final String FIELDS = "id name state steps current_step current_step_index " +
        "step_details { index name type status attempts output } input idempotency_key created_at event_count";

    @TempDir
    Path dataDir;

    @Test
    void aRetiredWorkflowReadsAndAnswersAsBeforeItLeftTheHeap()
    {
        try (TestServer server = SmallServer.start(dataDir, "--retention.in-memory", "0ms"))
        {
            final GraphQlHttp graphQl = new GraphQlHttp(server);
            final String create = "{\"name\":\"order-1\",\"steps\":[\"APPROVE\",\"SHIP\"],\"input\":{\"n\":1}}";
            final JsonNode created = server.postJson("/api/v1/workflows", create, "Idempotency-Key", "k-1").json();
            final String id = created.get("id").asText();
            final String running = "{\"name\":\"order-2\",\"steps\":[\"APPROVE\"],\"input\":{}}";
            final String runningId = server.postJson("/api/v1/workflows", running).json().get("id").asText();
            assertEquals(200, server.postJson("/api/v1/workflows/" + id + "/cancel", "{\"reason\":\"stop\"}")
                .status());
            final List<String> paths = List.of("/api/v1/workflows/" + id, "/api/v1/workflows/" + id + "/events",
                "/api/v1/workflows/" + id + "/replay", "/api/v1/workflows/0", "/api/v1/workflows/-1",
                "/api/v1/workflows/99", "/api/v1/workflows/abc");
            TestServer.await("retired", () -> server.engine().counters().workflowsOnHeap() == 1);
            assertEquals(1, server.engine().counters().workflowsRetired());
            // retired at once: what the answers were is what they are now, from the cold store
            final JsonNode view = server.get(paths.get(0)).json();
            assertEquals("CANCELLED", view.get("state").asText());
            assertEquals(created.get("name"), view.get("name"));
            assertEquals(created.get("input"), view.get("input"));
            final JsonNode events = server.get(paths.get(1)).json();
            assertTrue(events.toString().contains("WorkflowCancelled"), events.toString());
            assertEquals(200, server.get(paths.get(2)).status());
            final JsonNode viaGraphQl = graphQl.data("{ workflow(id: \"" + id + "\") { " + FIELDS + " } }");
            assertEquals("CANCELLED", viaGraphQl.get("workflow").get("state").asText());
            assertEquals(view.get("event_count").asInt(), viaGraphQl.get("workflow").get("event_count").asInt());

            final TestServer.Response advance = server.postJson("/api/v1/workflows/" + id + "/advance", "{}");
            assertEquals(409, advance.status(), advance.body());
            assertTrue(advance.body().contains("CANCELLED"), advance.body());
            final TestServer.Response again = server.postJson("/api/v1/workflows", create, "Idempotency-Key", "k-1");
            assertEquals(200, again.status(), again.body());
            assertEquals(id, again.json().get("id").asText(), "the key still answers the first workflow");
            for (final String bad : List.of("/api/v1/workflows/0", "/api/v1/workflows/-1", "/api/v1/workflows/99"))
            {
                final TestServer.Response response = server.get(bad);
                assertTrue(response.status() == 404 || response.status() == 400, bad + ": " + response.body());
                assertTrue(!response.body().contains("retention"), response.body());
            }

            final JsonNode list = server.get("/api/v1/workflows").json();
            assertEquals(1, list.get("total").asLong(), "lists cover the heap: " + list);
            assertEquals(runningId, list.get("workflows").get(0).get("id").asText());
            final String metrics = server.get("/api/v1/metrics/prometheus").body();
            assertTrue(metrics.contains("axiom_workflows_on_heap 1.0"), metrics);
            assertTrue(metrics.contains("axiom_workflows_retired_total 1.0"), metrics);
            assertTrue(metrics.contains("axiom_cold_store_bytes "), metrics);
        }
    }
}
