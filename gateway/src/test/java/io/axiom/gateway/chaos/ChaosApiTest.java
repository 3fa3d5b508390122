package io.axiom.gateway.chaos;

import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The chaos entry points as clients see them: refused while chaos is off (and nothing of chaos installed), every
 * bad request refused with its reason and nothing run, one run at a time, and a short run's report.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ChaosApiTest
{
    private static final String RUN = ChaosModule.PATH;

    @TempDir
    Path dataDir;

    @Test
    void whileChaosIsOffEveryEntryPointRefusesAndNoSeamIsSet()
    {
        try (TestServer server = TestServer.start(dataDir))
        {
            final TestServer.Response rest = server.postJson(RUN, "{\"scenario\":\"process_kill\",\"duration_ms\":1000}");
            assertEquals(403, rest.status(), rest.body());
            assertEquals("FORBIDDEN", rest.json().get("code").asText());
            assertTrue(rest.json().get("detail").asText().contains("--chaos-enabled"), rest.body());
            assertEquals(403, server.postJson(RUN, "{\"scenario\":\"nonsense\"}").status(), "off comes first");

            final TestServer.Response graphql = server.postJson("/graphql",
                "{\"query\":\"mutation { runChaos(scenario: \\\"message_drop\\\", duration_ms: 1000) }\"}");
            assertEquals(200, graphql.status(), graphql.body());
            final JsonNode error = graphql.json().get("errors").get(0);
            assertEquals("FORBIDDEN", error.get("extensions").get("code").asText(), graphql.body());
            assertTrue(error.get("message").asText().contains("chaos.enabled"), graphql.body());

            assertNull(server.server().transport().endpoint().context().frameFaults(),
                "no fault seam is installed while chaos is off");
        }
    }

    @Test
    void badRequestsAreRefusedWithTheirReasonAndNothingRuns()
    {
        try (TestServer server = TestServer.start(dataDir, "--chaos-enabled", "true"))
        {
            assertBad(server, "{\"scenario\":\"earthquake\"}", "unknown scenario 'earthquake'");
            assertBad(server, "{\"duration_ms\":1000}", "\"scenario\" must be a string");
            assertBad(server, "{\"scenario\":7}", "\"scenario\" must be a string");
            assertBad(server, "{\"scenario\":\"process_kill\",\"duration_ms\":0}", "duration_ms must be between");
            assertBad(server, "{\"scenario\":\"process_kill\",\"duration_ms\":-5}", "duration_ms must be between");
            assertBad(server, "{\"scenario\":\"process_kill\",\"duration_ms\":600001}", "duration_ms must be between");
            assertBad(server, "{\"scenario\":\"process_kill\",\"duration_ms\":\"long\"}", "must be an integer");
            assertBad(server, "{\"scenario\":\"process_kill\",\"seed\":1.5}", "must be an integer");
            assertBad(server, "{\"scenario\":\"process_kill\",\"hurry\":true}", "unknown field 'hurry'");
            assertBad(server, "{\"scenario\":", "");
            assertBad(server, "[\"process_kill\"]", "JSON object");
            assertBad(server, "", "JSON object");
            assertEquals(405, server.get(RUN).status());

            final TestServer.Response graphql = server.postJson("/graphql",
                "{\"query\":\"mutation { runChaos(scenario: \\\"earthquake\\\") }\"}");
            assertEquals("BAD_USER_INPUT",
                graphql.json().get("errors").get(0).get("extensions").get("code").asText(), graphql.body());
        }
    }

    @Test
    void oneRunAtATimeAndAShortRunReportsWhatItInjected() throws Exception
    {
        try (TestServer server = TestServer.start(dataDir, "--chaos-enabled", "true"))
        {
            final CompletableFuture<TestServer.Response> first = CompletableFuture.supplyAsync(() -> server.postJson(
                RUN, "{\"scenario\":\"process_kill\",\"duration_ms\":3000,\"seed\":42}"));
            TestServer.await("the first run started", () -> server.server().chaos().running());
            final TestServer.Response second = server.postJson(RUN, "{\"scenario\":\"message_drop\",\"duration_ms\":100}");
            assertEquals(409, second.status(), second.body());
            assertEquals("CHAOS_RUN_IN_PROGRESS", second.json().get("code").asText());

            final TestServer.Response report = first.get(30, TimeUnit.SECONDS);
            assertEquals(200, report.status(), report.body());
            final JsonNode json = report.json();
            assertEquals("process_kill", json.get("scenario").asText());
            assertEquals(42, json.get("seed").asLong());
            assertTrue(json.get("duration_ms").asLong() >= 3000, report.body());
            assertTrue(json.get("faults_total").asLong() >= 1, "a fault every 0.5 to 2 s: " + report.body());
            assertTrue(json.get("engine_ready").asBoolean(), report.body());
            assertTrue(json.has("workflows_affected") && json.has("recoveries"), report.body());

            // the same seed, the same choices
            final JsonNode again = server.postJson(RUN, "{\"scenario\":\"process_kill\",\"duration_ms\":3000," +
                "\"seed\":42}").json();
            assertEquals(json.get("schedule"), again.get("schedule"), "seed 42 twice: " + json + " / " + again);
            assertEquals(json.get("faults"), again.get("faults"), "seed 42 twice: " + json + " / " + again);

            // the server still serves after its HTTP connections and worker transport were ended
            assertEquals(201, server.postJson("/api/v1/workflows",
                "{\"name\":\"after-chaos\",\"steps\":[{\"name\":\"A\",\"type\":\"approval\"}],\"input\":{}}").status());
        }
    }

    private static void assertBad(final TestServer server, final String body, final String detail)
    {
        final TestServer.Response response = server.postJson(RUN, body);
        assertEquals(400, response.status(), body + " -> " + response.body());
        assertTrue(response.json().get("detail").asText().contains(detail), body + " -> " + response.body());
        assertFalse(response.body().contains("\"scenario\":\"") && response.body().contains("faults"),
            "nothing ran: " + response.body());
    }
}
