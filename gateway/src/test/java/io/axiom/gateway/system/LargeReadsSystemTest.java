package io.axiom.gateway.system;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.gateway.system.SystemHttp.WORKFLOWS;
import static io.axiom.gateway.system.SystemHttp.abbreviate;
import static io.axiom.gateway.system.SystemHttp.readTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Large reads cannot take the server down. The reproduction was 250 workflows with inputs of about 1000 KiB and 4
 * parallel {@code GET /api/v1/workflows?limit=1000}: the processor ran out of direct memory and the server exited.
 * Scaled here to 120 workflows of 900 KiB, a server with {@code -Xmx256m -XX:MaxDirectMemorySize=96m} and the default
 * reply budgets, and 4, then 8, parallel lists, several times: every answer is a page cut by bytes (200, fewer
 * workflows than asked, {@code next_offset} set) or 503 {@code REPLIES_FULL}, never a 500; the server lives, is ready,
 * pages through every workflow exactly once in id order, and still creates. A state filter with a huge offset answers
 * an empty last page at once.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class LargeReadsSystemTest
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final String JAVA_OPTS = "-Xmx256m -XX:MaxDirectMemorySize=96m";
    private static final int WORKFLOW_COUNT = 120;
    private static final int INPUT_CHARS = 900 * 1024;
    /**
     * Clients per round: 4, then 8. Only the lists the processor takes in one batch share its reply arena, so one
     * round may not press it; 15 rounds of 8 make a miss unlikely (each round of 8 answered a 500 about four times
     * in ten on the implementation whose arena outgrew direct memory).
     */
    private static final int[] PARALLEL_ROUNDS = {4, 4, 4, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8};
    private static final String LIST_ALL = WORKFLOWS + "?limit=1000";
    private static final int COMPLETED_COUNT = 3;
    private static final long HUGE_OFFSET_MILLIS = 3_000;

    @TempDir
    Path dataDir;

    private final List<ServerProcess> servers = new ArrayList<>();
    private final SystemHttp http = new SystemHttp(REQUEST_TIMEOUT);

    @AfterEach
    void stopServers()
    {
        servers.forEach(ServerProcess::close);
        http.close();
    }

    @Test
    void parallelListsOfHugeWorkflowsAreCutOrRefusedAndTheServerLives() throws Exception
    {
        final ServerProcess server = ServerProcess.launch("large-reads", List.of("server", "--port", "0",
            "--data-dir", dataDir.toString(), "--gateway.max-body-bytes=1MiB"), 0, JAVA_OPTS);
        servers.add(server);
        server.awaitListening(START_TIMEOUT);
        server.awaitReady(START_TIMEOUT);

        // ---- 1. 120 workflows of 900 KiB inputs ----
        final long createStart = System.nanoTime();
        final List<String> ids = new ArrayList<>();
        final String filler = "0123456789abcdef".repeat(INPUT_CHARS / 16);
        for (int n = 0; n < WORKFLOW_COUNT; n++)
        {
            final String body = "{\"name\":\"big-" + n + "\",\"steps\":[\"LOAD\"],\"input\":{\"n\":" + n +
                ",\"blob\":\"" + filler + "\"}}";
            final HttpResponse<String> created = http.post(server, WORKFLOWS, body);
            if (201 != created.statusCode())
            {
                throw server.failure("create " + n + " answered " + created.statusCode() + " " +
                    abbreviate(created.body()), null);
            }
            ids.add(readTree(created.body()).get("id").asText());
        }
        System.out.println("LargeReadsSystemTest: " + WORKFLOW_COUNT + " creates of " + INPUT_CHARS +
            " characters in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - createStart) + " ms");

        // ---- 2. parallel lists of everything: cut by bytes or refused, never a 500, and the server lives ----
        final Map<String, Integer> outcomes = new TreeMap<>();
        for (final int parallel : PARALLEL_ROUNDS)
        {
            final Map<String, Integer> round = new TreeMap<>();
            parallelLists(server, parallel, ids.get(0)).forEach(o -> round.merge(o, 1, Integer::sum));
            round.forEach((outcome, count) -> outcomes.merge(parallel + " parallel: " + outcome, count, Integer::sum));
            System.out.println("LargeReadsSystemTest: " + parallel + " parallel lists answered " + round);
            assertTrue(server.process().isAlive(), server.output());
        }
        System.out.println("LargeReadsSystemTest: all parallel lists: " + outcomes);
        assertTrue(server.process().isAlive(), "the server died under parallel large reads:\n" + server.output());
        assertEquals("READY", http.getOk(server, "/ready").get("status").asText());

        // ---- 3. following next_offset returns every workflow exactly once, in id order ----
        final List<String> paged = new ArrayList<>();
        final List<Integer> pageSizes = new ArrayList<>();
        long offset = 0;
        while (offset >= 0)
        {
            final JsonNode page = http.getOk(server, LIST_ALL + "&offset=" + offset);
            assertEquals(WORKFLOW_COUNT, page.get("total").asInt());
            assertEquals(offset, page.get("offset").asLong());
            final JsonNode workflows = page.get("workflows");
            assertTrue(workflows.size() > 0, "an empty page at offset " + offset + " of " + WORKFLOW_COUNT);
            for (final JsonNode workflow : workflows)
            {
                final int n = paged.size();
                paged.add(workflow.get("id").asText());
                assertEquals(n, workflow.at("/input/n").asInt(), "input of workflow " + workflow.get("id"));
                assertEquals(INPUT_CHARS, workflow.at("/input/blob").asText().length(),
                    "input of workflow " + workflow.get("id"));
            }
            pageSizes.add(workflows.size());
            final JsonNode next = page.get("next_offset");
            if (next.isNull())
            {
                offset = -1;
            }
            else
            {
                assertEquals(offset + workflows.size(), next.asLong(), "next_offset of the page at " + offset);
                offset = next.asLong();
            }
            assertTrue(pageSizes.size() <= WORKFLOW_COUNT, "paging does not end: " + pageSizes);
        }
        System.out.println("LargeReadsSystemTest: sequential pages of " + pageSizes);
        assertEquals(ids, paged, "every workflow exactly once, in id order");
        assertTrue(pageSizes.size() > 1, "pages of 900 KiB workflows must be cut by bytes: " + pageSizes);

        // ---- 4. a normal create still works, and a state filter with a huge offset is an empty last page ----
        for (int i = 0; i < COMPLETED_COUNT; i++)
        {
            final HttpResponse<String> created = http.post(server, WORKFLOWS,
                "{\"name\":\"small-" + i + "\",\"steps\":[{\"name\":\"APPROVE\",\"type\":\"approval\"}]}");
            assertEquals(201, created.statusCode(), created.body());
            final String id = readTree(created.body()).get("id").asText();
            final HttpResponse<String> advanced = http.post(server, WORKFLOWS + "/" + id + "/advance", "{}");
            assertEquals(200, advanced.statusCode(), advanced.body());
            assertEquals("COMPLETED", readTree(advanced.body()).get("state").asText(), advanced.body());
        }
        final JsonNode completed = http.getOk(server, WORKFLOWS + "?state=COMPLETED");
        assertEquals(COMPLETED_COUNT, completed.get("total").asInt(), completed.toString());
        assertEquals(COMPLETED_COUNT, completed.get("workflows").size(), completed.toString());
        assertTrue(completed.get("next_offset").isNull(), completed.toString());
        for (final String query : List.of("?state=COMPLETED&offset=2000000000", "?state=COMPLETED&offset=2147483647",
            "?state=RUNNING&offset=2000000000", "?offset=2000000000"))
        {
            final long start = System.nanoTime();
            final HttpResponse<String> answer = http.get(server, WORKFLOWS + query);
            final long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(200, answer.statusCode(), query + ": " + answer.body());
            final JsonNode page = readTree(answer.body());
            assertEquals(0, page.get("workflows").size(), query + ": " + answer.body());
            assertTrue(page.get("next_offset").isNull(), query + ": " + answer.body());
            assertTrue(page.get("total").asInt() > 0, query + ": " + answer.body());
            assertTrue(millis < HUGE_OFFSET_MILLIS, query + " took " + millis + " ms");
            System.out.println("LargeReadsSystemTest: " + query + " answered in " + millis + " ms: " +
                answer.body());
        }
        assertTrue(server.process().isAlive(), server.output());
    }

    /**
     * Send {@code parallel} lists of everything at once.
     *
     * @param firstId the id every page from offset 0 starts with.
     * @return the outcome of each: {@code 200 (N of TOTAL)} or {@code 503 REPLIES_FULL}; anything else fails.
     */
    private List<String> parallelLists(final ServerProcess server, final int parallel, final String firstId)
        throws Exception
    {
        final ExecutorService clients = Executors.newFixedThreadPool(parallel);
        try
        {
            final CountDownLatch start = new CountDownLatch(1);
            final List<Future<String>> answers = new ArrayList<>();
            for (int i = 0; i < parallel; i++)
            {
                answers.add(clients.submit(() ->
                {
                    start.await();
                    return outcome(http.get(server, LIST_ALL), firstId);
                }));
            }
            start.countDown();
            final List<String> outcomes = new ArrayList<>();
            final List<String> wrong = new ArrayList<>();
            for (final Future<String> answer : answers)
            {
                final String outcome = answer.get(REQUEST_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS);
                outcomes.add(outcome);
                if (outcome.startsWith("WRONG "))
                {
                    wrong.add(outcome);
                }
            }
            if (!wrong.isEmpty())
            {
                throw server.failure(parallel + " parallel lists: every answer must be a page cut by bytes or " +
                    "503 REPLIES_FULL, but " + wrong.size() + " were not: " + wrong + "; all: " + outcomes, null);
            }
            return outcomes;
        }
        finally
        {
            clients.shutdownNow();
            if (!clients.awaitTermination(REQUEST_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
            {
                fail("the list clients did not stop");
            }
        }
    }

    private static String outcome(final HttpResponse<String> answer, final String firstId)
    {
        final String body = answer.body();
        if (200 == answer.statusCode())
        {
            final JsonNode page = readTree(body);
            final int count = page.get("workflows").size();
            final int total = page.get("total").asInt();
            final boolean cut = total == WORKFLOW_COUNT && count > 0 && count < total &&
                page.get("next_offset").asLong(-1) == count && firstId.equals(page.at("/workflows/0/id").asText());
            return (cut ? "" : "WRONG ") + "200 (" + count + " of " + total + ", next_offset " +
                page.get("next_offset") + ")";
        }
        if (503 == answer.statusCode())
        {
            final JsonNode problem = readTree(body);
            final boolean refused = "REPLIES_FULL".equals(problem.path("code").asText()) &&
                answer.headers().firstValue("Retry-After").isPresent();
            return (refused ? "" : "WRONG ") + "503 " + problem.path("code").asText() +
                (refused ? "" : " " + abbreviate(body) + " " + answer.headers().map());
        }
        return "WRONG " + answer.statusCode() + " " + abbreviate(body);
    }
}
