package io.axiom.gateway.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * A worker in another language: a plain Node script ({@code node-worker/http-worker.mjs} in the test resources; Node
 * 20+, its global {@code fetch}, no npm package) creates a workflow and drives it to COMPLETED through the HTTP worker
 * API against a real server, while the log confirms what it did: each step leased with the token the script got and
 * completed by WORKER with that token, and a repeated completion that wrote nothing.
 */
class HttpWorkerNodeClientTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final long RUN_TIMEOUT_SECONDS = 90;

    @TempDir
    Path dataDir;
    @TempDir
    Path scriptDir;

    @Test
    void aNodeWorkerDrivesAWorkflowToCompletedOverHttp() throws Exception
    {
        final Path script = scriptDir.resolve("http-worker.mjs");
        try (InputStream in = getClass().getClassLoader()
            .getResourceAsStream("io/axiom/gateway/http/node-worker/http-worker.mjs"))
        {
            assertNotNull(in, "the script is a test resource");
            Files.write(script, in.readAllBytes());
        }

        final List<JsonNode> printed = new ArrayList<>();
        try (TestServer server = TestServer.start(dataDir, "--wal.max-segment-size", "1MiB", "--core.ring-size",
            "1024"))
        {
            final Process node;
            try
            {
                node = new ProcessBuilder("node", script.toString(), "http://127.0.0.1:" + server.port())
                    .directory(scriptDir.toFile())
                    .redirectErrorStream(true)
                    .start();
            }
            catch (final IOException ex)
            {
                throw new AssertionError("cannot start node (Node.js 20+ must be on the PATH): " + ex, ex);
            }
            final CompletableFuture<String> output = CompletableFuture.supplyAsync(() ->
            {
                try (InputStream in = node.getInputStream())
                {
                    return new String(in.readAllBytes(), StandardCharsets.UTF_8);
                }
                catch (final IOException ex)
                {
                    return "[cannot read the output: " + ex + "]";
                }
            });
            try
            {
                if (!node.waitFor(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS))
                {
                    fail("the node worker did not finish within " + RUN_TIMEOUT_SECONDS + " s; it printed:\n" +
                        output.getNow(""));
                }
                final String text = output.get(RUN_TIMEOUT_SECONDS, TimeUnit.SECONDS);
                assertEquals(0, node.exitValue(), "the node worker failed; it printed:\n" + text);
                for (final String line : text.lines().toList())
                {
                    printed.add(MAPPER.readTree(line));
                }
            }
            finally
            {
                node.descendants().forEach(ProcessHandle::destroyForcibly);
                node.destroyForcibly();
            }

            final String id = printed.getFirst().get("workflow_id").asText();
            final List<Long> fetchedTokens = new ArrayList<>();
            final List<String> steps = new ArrayList<>();
            for (final JsonNode record : printed)
            {
                if ("fetched".equals(record.get("event").asText()))
                {
                    fetchedTokens.add(record.get("fencing_token").asLong());
                    steps.add(record.get("step").asText());
                    assertEquals(1, record.get("attempt").asInt(), record::toString);
                }
            }
            assertEquals(List.of("NODE_RESERVE", "NODE_CHARGE", "NODE_SHIP"), steps);
            assertEquals(1, printed.stream().filter(r -> "repeat_refused".equals(r.get("event").asText()) &&
                "ALREADY_COMMITTED".equals(r.get("code").asText())).count(), "the repeat was refused: " + printed);
            assertEquals("COMPLETED", printed.getLast().get("state").asText());

            final JsonNode events = server.get("/api/v1/workflows/" + id + "/events").json().get("events");
            final List<Long> leasedTokens = new ArrayList<>();
            final List<Long> completedTokens = new ArrayList<>();
            int completedEvents = 0;
            for (final JsonNode event : events)
            {
                switch (event.get("type").asText())
                {
                    case "StepLeased" ->
                    {
                        leasedTokens.add(event.get("fencing_token").asLong());
                        assertEquals(WorkerTasks.workerId("node-worker-1"), event.get("worker_id").asLong());
                    }
                    case "StepCompleted" ->
                    {
                        completedEvents++;
                        completedTokens.add(event.get("fencing_token").asLong());
                        assertEquals("WORKER", event.get("completed_by").asText(), event::toString);
                        assertEquals("node", event.get("output").get("by").asText(), event::toString);
                    }
                    default ->
                    {
                    }
                }
            }
            assertEquals(fetchedTokens, leasedTokens, "the tokens the script got are the StepLeased positions");
            assertEquals(fetchedTokens, completedTokens, "each step committed once, with its lease's token");
            assertEquals(3, completedEvents, "the repeated completion wrote nothing");
            assertEquals("WorkflowCompleted", events.get(events.size() - 1).get("type").asText());
        }
    }
}
