package io.axiom.gateway.graphql;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

/**
 * An independent client, Node's graphql-ws, follows a workflow over the WebSocket while the test advances it to
 * COMPLETED; what it printed must be exactly the workflow's log ({@code GET /api/v1/workflows/{id}/events}): same
 * positions, sequences and types, same order, nothing missing, nothing twice.
 */
class GraphQlNodeClientTest
{
    @TempDir
    static Path dataDir;

    private static TestServer server;
    private static GraphQlHttp graphQl;
    private static Path clientDir;

    @BeforeAll
    static void start()
    {
        clientDir = NodeClient.install();
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
    void nodeGraphqlWsClientSeesTheWholeLogOfAWorkflowAsItAdvances()
    {
        final String id = graphQl.data("mutation { createWorkflow(name: \"node_followed\", steps: [\"RESERVE\", " +
            "\"PAY\", \"DISPATCH\", \"CONFIRM\"], input: {order_id: \"ORD-1\"}) { id } }")
            .get("createWorkflow").get("id").asText();
        graphQl.data("mutation { advanceWorkflow(id: \"" + id + "\", output: {reserved: true}) { state } }");

        final List<JsonNode> printed = new ArrayList<>();
        try (NodeClient client = NodeClient.follow(clientDir, "ws://127.0.0.1:" + server.port() + "/graphql", id))
        {
            final JsonNode first = client.nextJson();
            assertFalse(first.has("error") || first.has("errors"), first::toString);
            printed.add(first);

            for (final String step : List.of("PAY", "DISPATCH", "CONFIRM"))
            {
                graphQl.data("mutation { advanceWorkflow(id: \"" + id + "\", expectedStep: \"" + step +
                    "\", output: {step: \"" + step + "\"}) { state } }");
            }

            String line;
            while (!"COMPLETE".equals(line = client.nextLine()))
            {
                final JsonNode event = client.parse(line);
                assertFalse(event.has("error") || event.has("errors"), line);
                printed.add(event);
            }
            assertEquals(0, client.awaitExit(), "the node client exits cleanly after complete");
        }

        final JsonNode log = server.get("/api/v1/workflows/" + id + "/events").json().get("events");
        final List<String> expected = new ArrayList<>();
        log.forEach(e -> expected.add(e.get("position").asLong() + " " + e.get("sequence").asLong() + " " +
            e.get("type").asText()));
        final List<String> actual = new ArrayList<>();
        printed.forEach(e -> actual.add(e.get("position").asLong() + " " + e.get("sequence").asLong() + " " +
            e.get("type").asText()));
        assertEquals(expected, actual);
        assertEquals("WorkflowCompleted", printed.getLast().get("type").asText());
        assertEquals("ORD-1", printed.getFirst().get("data").get("input").get("order_id").asText());
        for (final JsonNode event : printed)
        {
            assertEquals(id, event.get("workflow_id").asText());
        }
    }
}
