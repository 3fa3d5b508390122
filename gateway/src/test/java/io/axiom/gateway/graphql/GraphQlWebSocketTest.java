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
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code graphql-transport-ws} protocol at {@code /graphql} with a raw Java WebSocket client: handshake, ping,
 * the close codes of every violation, operations over the socket, and a subscription that follows a workflow to
 * its end.
 */
class GraphQlWebSocketTest
{
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
    void initIsAcknowledgedAndPingIsAnsweredWithPong()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.send("{\"type\":\"ping\"}");
            assertEquals("pong", ws.next().get("type").asText());
            ws.send("{\"type\":\"pong\"}");
            ws.send("{\"type\":\"ping\",\"payload\":{\"k\":1}}");
            assertEquals("pong", ws.next().get("type").asText(), "a pong from the client is ignored");
        }
    }

    @Test
    void subscribeBeforeInitIsClosedWith4401()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.subscribe("1", "{ health { status } }", null);
            assertEquals(GraphQlWsConnection.UNAUTHORIZED, ws.awaitClose().code());
        }
    }

    @Test
    void unknownMessageTypeIsClosedWith4400()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.send("{\"type\":\"start\",\"id\":\"1\"}");
            final WsTestClient.Closed closed = ws.awaitClose();
            assertEquals(GraphQlWsConnection.INVALID_MESSAGE, closed.code());
            assertTrue(closed.reason().contains("start"), closed::toString);
        }
    }

    @Test
    void messagesThatAreNotProtocolMessagesAreClosedWith4400()
    {
        for (final String message : List.of("not json", "[1]", "{\"id\":\"1\"}", "{\"type\":7}",
            "{\"type\":\"subscribe\",\"id\":\"1\",\"payload\":{}}", "{\"type\":\"subscribe\",\"payload\":" +
            "{\"query\":\"{ health { status } }\"}}"))
        {
            try (WsTestClient ws = WsTestClient.connect(server.port()))
            {
                ws.init(null);
                ws.send(message);
                assertEquals(GraphQlWsConnection.INVALID_MESSAGE, ws.awaitClose().code(), message);
            }
        }
    }

    @Test
    void secondInitIsClosedWith4429()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.send("{\"type\":\"connection_init\"}");
            assertEquals(GraphQlWsConnection.TOO_MANY_INITIALISATION_REQUESTS, ws.awaitClose().code());
        }
    }

    @Test
    void anIdAlreadyInUseIsClosedWith4409()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.subscribe("same", "subscription { taskUpdates { queued } }", null);
            assertEquals("next", ws.next().get("type").asText());
            ws.subscribe("same", "subscription { taskUpdates { queued } }", null);
            assertEquals(GraphQlWsConnection.SUBSCRIBER_EXISTS, ws.awaitClose().code());
        }
    }

    @Test
    void queriesAndMutationsRunOverTheSocketAsOneNextAndComplete()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.subscribe("q", "{ health { status } }", null);
            final JsonNode next = ws.next();
            assertEquals("next", next.get("type").asText());
            assertEquals("q", next.get("id").asText());
            assertEquals("UP", next.get("payload").get("data").get("health").get("status").asText());
            assertEquals("complete", ws.next().get("type").asText());

            ws.subscribe("m", "mutation { createWorkflow(name: \"ws\", steps: [\"A\"]) { state } }", null);
            assertEquals("RUNNING", ws.next().get("payload").get("data").get("createWorkflow").get("state").asText());
            assertEquals("complete", ws.next().get("type").asText());

            ws.subscribe("bad", "{ nope }", null);
            final JsonNode error = ws.next();
            assertEquals("error", error.get("type").asText());
            assertEquals("bad", error.get("id").asText());
            assertEquals(AxiomGraphQl.VALIDATION_FAILED,
                error.get("payload").get(0).get("extensions").get("code").asText());
        }
    }

    @Test
    void followingAnUnknownWorkflowIsAnErrorNotFound()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.subscribe("1", "subscription { workflowEvents(workflow_id: \"424242\") { type } }", null);
            final JsonNode error = ws.next();
            assertEquals("error", error.get("type").asText(), error::toString);
            assertEquals("NOT_FOUND", error.get("payload").get(0).get("extensions").get("code").asText());

            ws.send("{\"type\":\"ping\"}");
            assertEquals("pong", ws.next().get("type").asText(), "the connection goes on");
        }
    }

    @Test
    void subscriptionFollowsAWorkflowToItsEndInLogOrderWithoutGaps()
    {
        final String id = graphQl.data("mutation { createWorkflow(name: \"followed\", steps: [\"A\", \"B\", " +
            "\"C\"]) { id } }").get("createWorkflow").get("id").asText();
        graphQl.data("mutation { advanceWorkflow(id: \"" + id + "\") { state } }");

        final List<JsonNode> received = new ArrayList<>();
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.subscribe("follow", "subscription($id: ID!) { workflowEvents(workflow_id: $id) { workflow_id type " +
                "position sequence timestamp step step_index data } }", "{\"id\":\"" + id + "\"}");
            JsonNode message = ws.next();
            assertEquals("next", message.get("type").asText(), message::toString);
            received.add(message.get("payload").get("data").get("workflowEvents"));

            graphQl.data("mutation { advanceWorkflow(id: \"" + id + "\") { state } }");
            graphQl.data("mutation { advanceWorkflow(id: \"" + id + "\", output: {last: true}) { state } }");

            while (!"complete".equals((message = ws.next()).get("type").asText()))
            {
                assertEquals("next", message.get("type").asText(), message::toString);
                assertEquals("follow", message.get("id").asText());
                received.add(message.get("payload").get("data").get("workflowEvents"));
            }
        }

        final JsonNode rest = server.get("/api/v1/workflows/" + id + "/events").json().get("events");
        assertEquals(rest.size(), received.size(), "received " + received + "\nlog " + rest);
        for (int i = 0; i < rest.size(); i++)
        {
            final JsonNode expected = rest.get(i);
            final JsonNode actual = received.get(i);
            assertEquals(expected.get("position").asLong(), actual.get("position").asLong(), "event " + i);
            assertEquals(expected.get("sequence").asLong(), actual.get("sequence").asLong(), "event " + i);
            assertEquals(expected.get("type").asText(), actual.get("type").asText(), "event " + i);
            assertEquals(expected.get("timestamp").asText(), actual.get("timestamp").asText(), "event " + i);
            assertEquals(expected.path("step").asText(null), actual.get("step").asText(null), "event " + i);
            assertEquals(id, actual.get("workflow_id").asText());
        }
        assertEquals("WorkflowCompleted", received.getLast().get("type").asText());
        assertEquals(true, received.get(received.size() - 2).get("data").get("output").get("last").asBoolean(),
            "the step's output arrives in data");
    }

    @Test
    void taskUpdatesPushTheQueuesWhenTheyChange()
    {
        try (WsTestClient ws = WsTestClient.connect(server.port()))
        {
            ws.init(null);
            ws.subscribe("tasks", "subscription { taskUpdates { queues { step queued } queued } }", null);
            final JsonNode first = ws.next();
            assertEquals("next", first.get("type").asText(), first::toString);

            graphQl.data("mutation { createWorkflow(name: \"t\", steps: [\"TASK_UPDATES_STEP\"]) { id } }");

            JsonNode update;
            do
            {
                update = ws.next();
                assertEquals("next", update.get("type").asText(), update::toString);
            }
            while (!update.toString().contains("TASK_UPDATES_STEP"));
            assertNotEquals(first.get("payload"), update.get("payload"));

            ws.send("{\"type\":\"complete\",\"id\":\"tasks\"}");
            ws.send("{\"type\":\"ping\"}");
            JsonNode after;
            while (!"pong".equals((after = ws.next()).get("type").asText()))
            {
                assertEquals("next", after.get("type").asText(), "no complete after the client's: " + after);
            }
        }
    }
}
