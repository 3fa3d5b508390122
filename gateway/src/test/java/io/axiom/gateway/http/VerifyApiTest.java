package io.axiom.gateway.http;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Live verify on a running server: {@code POST /api/v1/verify} and the GraphQL {@code verify} mutation answer the
 * report of the log replayed up to a consistent point, consistent with the live state, and commands arriving while it
 * runs go on and leave it consistent.
 */
class VerifyApiTest
{
    @TempDir
    Path dir;

    @Test
    void aRunningServerIsConsistentWithItsLogOverRestAndGraphQl()
    {
        try (TestServer server = TestServer.start(dir))
        {
            history(server);

            final TestServer.Response res = server.post("/api/v1/verify", null, null);
            assertEquals(200, res.status(), res.toString());
            assertEquals("application/json", res.contentType());
            final JsonNode report = res.json();
            assertTrue(report.get("ok").asBoolean(), res.body());
            assertEquals("live", report.get("mode").asText());
            assertTrue(report.get("consistent").asBoolean(), res.body());
            assertEquals(0, report.get("violation_count").asLong(), res.body());
            assertEquals(0, report.get("violations").size());
            assertEquals(3, report.get("workflows").asLong(), res.body());
            assertEquals(report.get("digest").asText(), report.at("/live/digest").asText());
            assertEquals(report.get("end_position").asLong(), report.at("/live/position").asLong());
            assertEquals(server.engine().journalPosition(), report.at("/live/position").asLong(),
                "nothing was written since the history");
            assertTrue(report.at("/live/processor_hold_us").asDouble() > 0, res.body());

            final TestServer.Response graphql = server.postJson("/graphql", "{\"query\":\"mutation { verify }\"}");
            assertEquals(200, graphql.status(), graphql.toString());
            final JsonNode viaGraphQl = graphql.json().get("data").get("verify");
            assertNull(graphql.json().get("errors"), graphql.body());
            assertTrue(viaGraphQl.get("ok").asBoolean() && viaGraphQl.get("consistent").asBoolean(), graphql.body());
            assertEquals(report.get("digest"), viaGraphQl.get("digest"));

            final TestServer.Response get = server.get("/api/v1/verify");
            assertEquals(405, get.status(), get.toString());
            assertEquals("POST", get.header("Allow"));
        }
    }

    @Test
    void commandsGoOnWhileVerifyRunsAndEveryReportIsConsistent() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            final AtomicReference<String> failure = new AtomicReference<>();
            final Thread writer = new Thread(() ->
            {
                for (int i = 0; i < 150 && null == failure.get(); i++)
                {
                    final TestServer.Response created = server.postJson("/api/v1/workflows",
                        "{\"name\":\"busy-" + i + "\",\"steps\":[{\"name\":\"OK\",\"type\":\"approval\"}]}");
                    final TestServer.Response advanced = 201 != created.status() ? created : server.postJson(
                        "/api/v1/workflows/" + created.json().get("id").asText() + "/advance", "{}");
                    if (200 != advanced.status())
                    {
                        failure.set(advanced.toString());
                    }
                }
            }, "verify-test-writer");
            writer.start();
            final List<Long> points = new ArrayList<>();
            while (writer.isAlive() || points.size() < 2)
            {
                final TestServer.Response res = server.post("/api/v1/verify", null, null);
                assertEquals(200, res.status(), res.toString());
                assertTrue(res.json().get("ok").asBoolean() && res.json().get("consistent").asBoolean(), res.body());
                points.add(res.json().at("/live/position").asLong());
            }
            writer.join(TestServer.TIMEOUT.toMillis());
            assertNull(failure.get(), "every command was answered while verify ran");
            assertTrue(points.equals(points.stream().sorted().toList()), "points only move on: " + points);
            final JsonNode last = server.post("/api/v1/verify", null, null).json();
            assertEquals(150, last.get("workflows").asLong(), last.toString());
            assertEquals(150, last.at("/workflows_by_state/COMPLETED").asLong(), last.toString());
        }
    }

    /**
     * Workflows of every kind through the public API: an approval advanced, a task run by an HTTP worker, a cancel.
     */
    static void history(final TestServer server)
    {
        final TestServer.Response approval = server.postJson("/api/v1/workflows",
            "{\"name\":\"review\",\"steps\":[{\"name\":\"CHECK\",\"type\":\"approval\"},\"SHIP\"]}");
        assertEquals(201, approval.status(), approval.toString());
        assertEquals(200, server.postJson("/api/v1/workflows/1/advance", "{\"output\":{\"ok\":true}}").status());

        final TestServer.Response task = server.postJson("/api/v1/workflows",
            "{\"name\":\"work\",\"steps\":[\"WORK\"],\"input\":{\"n\":1}}");
        assertEquals(201, task.status(), task.toString());
        final TestServer.Response fetched = server.postJson("/api/v1/tasks/fetch",
            "{\"steps\":[\"WORK\"],\"max_tasks\":1,\"wait_ms\":5000,\"worker_id\":\"verify-test\"}");
        final JsonNode lease = fetched.json().get("tasks").get(0);
        assertEquals(200, server.postJson("/api/v1/tasks/" + lease.get("task_id").asText() + "/complete",
            "{\"fencing_token\":" + lease.get("fencing_token") + ",\"output\":{\"done\":true}}").status());

        assertEquals(201, server.postJson("/api/v1/workflows",
            "{\"name\":\"mistake\",\"steps\":[\"NEVER\"]}").status());
        assertEquals(200, server.postJson("/api/v1/workflows/3/cancel", "{\"reason\":\"by mistake\"}").status());
    }
}
