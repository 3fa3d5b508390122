package io.axiom.gateway.http;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.TestServer.Response;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The happy paths of the REST contract against a real engine on a temporary journal.
 */
class WorkflowApiTest
{
    private static final String WORKFLOWS = "/api/v1/workflows";

    @TempDir
    static Path dataDir;

    private static TestServer server;

    @BeforeAll
    static void start()
    {
        server = TestServer.start(dataDir, "--wal.max-segment-size", "1MiB");
    }

    @AfterAll
    static void stop()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void createAnswers201WithLocationAndTheWorkflow()
    {
        final Response r = server.postJson(WORKFLOWS, """
            {"name": "order_fulfillment_v1",
             "steps": ["RESERVE_INVENTORY", "PROCESS_PAYMENT", "DISPATCH"],
             "input": {"order_id": "ORD-123", "amount": 12.50}}""");

        assertEquals(201, r.status(), r::toString);
        assertEquals("application/json", r.contentType());
        final JsonNode body = r.json();
        final String id = body.get("id").asText();
        assertTrue(body.get("id").isTextual(), "id is a JSON string");
        assertTrue(id.matches("[0-9]+"), id);
        assertEquals(WORKFLOWS + "/" + id, r.header("Location"));
        assertEquals("order_fulfillment_v1", body.get("name").asText());
        assertTrue(List.of("CREATED", "RUNNING").contains(body.get("state").asText()), body.toString());
        assertEquals("RESERVE_INVENTORY", body.get("current_step").asText());
        assertEquals(0, body.get("current_step_index").asInt());
        assertEquals(3, body.get("steps").size());
        assertEquals("PROCESS_PAYMENT", body.get("steps").get(1).get("name").asText());
        assertEquals("task", body.get("steps").get(1).get("type").asText());
        assertEquals("ORD-123", body.get("input").get("order_id").asText());
        assertTrue(r.body().contains("\"amount\":12.50"), "numbers keep their written form: " + r.body());
        assertTrue(body.get("created_at").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"));
        assertTrue(body.get("event_count").asInt() >= 1);
        assertTrue(body.get("idempotency_key").isNull());
    }

    @Test
    void getReturnsTheSameWorkflow()
    {
        final JsonNode created = create("""
            {"name": "get_me", "steps": ["A"]}""");
        final Response r = server.get(WORKFLOWS + "/" + created.get("id").asText());

        assertEquals(200, r.status(), r::toString);
        assertEquals(created.get("id"), r.json().get("id"));
        assertEquals("get_me", r.json().get("name").asText());
        assertEquals(created.get("steps"), r.json().get("steps"));
    }

    @Test
    void eventsListTheWorkflowsLogInOrder()
    {
        final String id = create("""
            {"name": "evented", "steps": ["A", "B"], "input": {"k": [1, 2]}}""").get("id").asText();
        assertEquals(200, server.postJson(WORKFLOWS + "/" + id + "/advance", "").status());

        final Response r = server.get(WORKFLOWS + "/" + id + "/events");

        assertEquals(200, r.status(), r::toString);
        final JsonNode body = r.json();
        assertEquals(id, body.get("workflow_id").asText());
        final JsonNode events = body.get("events");
        assertEquals(body.get("total").asInt(), events.size());
        assertTrue(events.size() >= 3, body.toString());
        final JsonNode first = events.get(0);
        assertEquals("WorkflowCreated", first.get("type").asText());
        assertEquals("evented", first.get("name").asText());
        assertEquals(2, first.get("input").get("k").get(1).asInt(), "input is embedded as JSON");
        assertTrue(first.get("timestamp").asText().endsWith("Z"));
        long previous = 0;
        for (final JsonNode event : events)
        {
            assertTrue(event.get("position").asLong() > previous, "positions grow: " + body);
            previous = event.get("position").asLong();
            assertNotNull(event.get("sequence"));
        }
        assertTrue(events.toString().contains("StepCompleted"), body.toString());
    }

    @Test
    void advanceThroughEveryStepCompletesTheWorkflow()
    {
        final String id = create("""
            {"name": "three", "steps": ["A", {"name": "B", "type": "approval"}, "C"]}""").get("id").asText();

        JsonNode last = null;
        for (final String step : List.of("A", "B", "C"))
        {
            final Response r = server.postJson(WORKFLOWS + "/" + id + "/advance",
                "{\"expected_step\": \"" + step + "\", \"output\": {\"done\": \"" + step + "\"}}");
            assertEquals(200, r.status(), r::toString);
            last = r.json();
        }

        assertEquals("COMPLETED", last.get("state").asText());
        assertTrue(last.get("current_step").isNull());
        assertEquals("COMPLETED", last.get("steps").get(2).get("status").asText());
        assertEquals("B", last.get("steps").get(1).get("output").get("done").asText());
        assertEquals("COMPLETED", server.get(WORKFLOWS + "/" + id).json().get("state").asText());
    }

    @Test
    void advanceWithoutBodyMovesOneStep()
    {
        final String id = create("{\"name\": \"plain\", \"steps\": [\"A\", \"B\"]}").get("id").asText();

        final Response r = server.post(WORKFLOWS + "/" + id + "/advance", null, null);

        assertEquals(200, r.status(), r::toString);
        assertEquals("B", r.json().get("current_step").asText());
    }

    @Test
    void expectedStepMismatchIsAConflictAndWritesNothing()
    {
        final String id = create("{\"name\": \"mismatch\", \"steps\": [\"A\", \"B\"]}").get("id").asText();
        final long position = server.engine().journalPosition();

        final Response r = server.postJson(WORKFLOWS + "/" + id + "/advance", "{\"expected_step\": \"B\"}");

        assertEquals(409, r.status(), r::toString);
        assertEquals("application/problem+json", r.contentType());
        assertTrue(r.json().get("detail").asText().contains("'A'"), r.body());
        assertEquals(position, server.engine().journalPosition());
        assertEquals("A", server.get(WORKFLOWS + "/" + id).json().get("current_step").asText());
    }

    @Test
    void cancelStopsTheWorkflowAndAdvanceAfterwardsIsAConflict()
    {
        final String id = create("{\"name\": \"doomed\", \"steps\": [\"A\", \"B\"]}").get("id").asText();

        final Response cancelled = server.postJson(WORKFLOWS + "/" + id + "/cancel", "{\"reason\": \"customer left\"}");
        assertEquals(200, cancelled.status(), cancelled::toString);
        assertEquals("CANCELLED", cancelled.json().get("state").asText());
        assertEquals("customer left", cancelled.json().get("reason").asText());

        final long position = server.engine().journalPosition();
        final Response advanced = server.postJson(WORKFLOWS + "/" + id + "/advance", "{}");
        assertEquals(409, advanced.status(), advanced::toString);
        assertEquals("application/problem+json", advanced.contentType());
        assertTrue(advanced.json().get("detail").asText().contains("CANCELLED"), advanced.body());

        final Response again = server.postJson(WORKFLOWS + "/" + id + "/cancel", "");
        assertEquals(409, again.status(), again::toString);
        assertEquals(position, server.engine().journalPosition());
    }

    @Test
    void cancelWithoutBody()
    {
        final String id = create("{\"name\": \"quiet\", \"steps\": [\"A\"]}").get("id").asText();

        final Response r = server.post(WORKFLOWS + "/" + id + "/cancel", null, null);

        assertEquals(200, r.status(), r::toString);
        assertEquals("CANCELLED", r.json().get("state").asText());
    }

    @Test
    void idempotencyKeyReturnsTheFirstWorkflowAndWritesNothing()
    {
        final String body = "{\"name\": \"once\", \"steps\": [\"A\"]}";
        final Response first = server.postJson(WORKFLOWS, body, "Idempotency-Key", "order-42");
        assertEquals(201, first.status(), first::toString);
        assertEquals("order-42", first.json().get("idempotency_key").asText());
        final long position = server.engine().journalPosition();
        final long events = server.engine().eventCount();

        final Response second = server.postJson(WORKFLOWS, body, "Idempotency-Key", "order-42");

        assertEquals(200, second.status(), second::toString);
        assertEquals(first.json().get("id"), second.json().get("id"));
        assertEquals(first.header("Location"), second.header("Location"));
        assertEquals(position, server.engine().journalPosition());
        assertEquals(events, server.engine().eventCount());

        final Response other = server.postJson(WORKFLOWS, body, "Idempotency-Key", "order-43");
        assertEquals(201, other.status(), other::toString);
        assertNotEquals(first.json().get("id"), other.json().get("id"));
    }

    @Test
    void timerStepCompletesByItself()
    {
        final String id = create("""
            {"name": "cool_off", "steps": [{"name": "WAIT", "type": "timer", "duration_ms": 20}]}""")
            .get("id").asText();

        TestServer.await("timer workflow " + id + " to complete",
            () -> "COMPLETED".equals(server.get(WORKFLOWS + "/" + id).json().get("state").asText()));

        final JsonNode events = server.get(WORKFLOWS + "/" + id + "/events").json().get("events");
        assertTrue(events.toString().contains("TimerFired"), events.toString());
    }

    @Test
    void stepObjectsCarryTheirPolicies()
    {
        final JsonNode body = create("""
            {"name": "policies", "steps": [
              {"name": "PAY", "type": "task", "timeout_ms": 60000,
               "retry": {"max_attempts": 5, "backoff_ms": 100, "max_backoff_ms": 60000, "multiplier": 2.0}},
              {"name": "APPROVE", "type": "approval"},
              {"name": "COOL_OFF", "type": "timer", "duration_ms": 86400000}]}""");

        final JsonNode pay = body.get("steps").get(0);
        assertEquals(60000, pay.get("timeout_ms").asLong());
        assertEquals(5, pay.get("retry").get("max_attempts").asInt());
        assertEquals("approval", body.get("steps").get(1).get("type").asText());
        assertEquals(86400000L, body.get("steps").get(2).get("duration_ms").asLong());
    }

    @Test
    void healthAndReady()
    {
        final Response health = server.get("/health");
        assertEquals(200, health.status());
        assertEquals("UP", health.json().get("status").asText());

        final Response ready = server.get("/ready");
        assertEquals(200, ready.status());
        assertEquals("READY", ready.json().get("status").asText());
    }

    @Test
    void listPagesAndFiltersByState(@TempDir final Path ownDir)
    {
        try (TestServer own = TestServer.start(ownDir, "--wal.max-segment-size", "1MiB"))
        {
            final List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++)
            {
                final Response r = own.postJson(WORKFLOWS, "{\"name\": \"w" + i + "\", \"steps\": [\"A\"]}");
                assertEquals(201, r.status(), r::toString);
                ids.add(r.json().get("id").asText());
            }
            assertEquals(200, own.postJson(WORKFLOWS + "/" + ids.get(1) + "/cancel", "").status());
            assertEquals(200, own.postJson(WORKFLOWS + "/" + ids.get(3) + "/cancel", "").status());

            final JsonNode all = own.get(WORKFLOWS).json();
            assertEquals(5, all.get("total").asInt());
            assertEquals(5, all.get("workflows").size());

            final JsonNode page = own.get(WORKFLOWS + "?limit=2&offset=1").json();
            assertEquals(5, page.get("total").asInt());
            assertEquals(2, page.get("workflows").size());
            assertEquals(ids.get(1), page.get("workflows").get(0).get("id").asText());
            assertEquals(ids.get(2), page.get("workflows").get(1).get("id").asText());

            final JsonNode cancelled = own.get(WORKFLOWS + "?state=CANCELLED").json();
            assertEquals(2, cancelled.get("total").asInt());
            assertEquals(ids.get(1), cancelled.get("workflows").get(0).get("id").asText());
            assertEquals(ids.get(3), cancelled.get("workflows").get(1).get("id").asText());

            final JsonNode beyond = own.get(WORKFLOWS + "?offset=10").json();
            assertEquals(5, beyond.get("total").asInt());
            assertEquals(0, beyond.get("workflows").size());
        }
    }

    private static JsonNode create(final String body)
    {
        final Response r = server.postJson(WORKFLOWS, body);
        assertEquals(201, r.status(), r::toString);
        return r.json();
    }
}
