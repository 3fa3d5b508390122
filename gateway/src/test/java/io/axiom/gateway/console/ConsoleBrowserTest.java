package io.axiom.gateway.console;

import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The web console in real headless Chromium (Debian's, driven by playwright-core; see {@link ConsoleBrowser}), against
 * an in-process server, with every request outside that server aborted (and a failure): it loads with no console
 * errors and under 300 kB, lists and filters workflows, follows one live while this test advances it over REST,
 * counts a timer down, draws its charts, approves and cancels through its confirmation dialog (and shows a refusal's
 * problem detail), follows the task queues, and with an API token asks for it and then works.
 */
class ConsoleBrowserTest
{
    private static final String TOKEN = "console-token";
    private static final String[] SMALL = {"--wal.max-segment-size", "1MiB", "--core.ring-size", "1024"};

    @TempDir
    Path tmp;

    @Test
    void consoleListsFollowsActsAndChartsWithoutAToken() throws Exception
    {
        final Path data = Files.createDirectories(tmp.resolve("data"));
        try (Api api = new Api(TestServer.start(data, SMALL), null, data))
        {
            final List<String> names = new ArrayList<>();
            for (int i = 1; i <= 10; i++)
            {
                api.create("order-" + i, "[\"RESERVE\",\"CHARGE\",\"SHIP\"]");
                names.add("order-" + i);
            }
            final Map<String, Object> config = new LinkedHashMap<>();
            config.put("live", api.create("live-order", "[\"RESERVE\",\"CHARGE\",\"SHIP\"]"));
            config.put("timer", api.create("cool-off", "[{\"name\":\"COOL_OFF\",\"type\":\"timer\"," +
                "\"duration_ms\":3600000}]"));
            config.put("approve", api.create("refund-approve", "[{\"name\":\"MANAGER_APPROVAL\",\"type\":" +
                "\"approval\"},{\"name\":\"PROCESS_REFUND\",\"type\":\"task\"}]"));
            config.put("cancel", api.create("refund-cancel",
                "[{\"name\":\"MANAGER_APPROVAL\",\"type\":\"approval\"}]"));
            config.put("queueStep", "PACK");
            api.create("pack-1", "[\"PACK\"]");
            names.addAll(List.of("live-order", "cool-off", "refund-approve", "refund-cancel", "pack-1"));
            config.put("names", names);

            final ConsoleBrowser.Run run = ConsoleBrowser.run("main", "http://127.0.0.1:" + api.server.port(),
                config, words -> api.act(words));

            for (final String check : List.of("loads", "first_load_bytes", "cache_headers", "lists_workflows",
                "counts_live", "filter_state", "paging", "timeline_live", "events_paged", "reconnects",
                "timer_countdown", "approve_refused_shows_problem", "approve", "cancel", "tasks_live", "charts_draw",
                "links", "no_outside_requests", "no_console_errors"))
            {
                run.passed(check);
            }
            final String bytes = run.passed("first_load_bytes");
            System.out.println("console first load: " + bytes);
            final long total = Long.parseLong(bytes.replaceAll(".*bytes=(\\d+).*", "$1"));
            assertTrue(total < 300_000, "first load " + total + " bytes");

            final JsonNode live = api.get("/api/v1/workflows/" + config.get("live"));
            assertEquals("COMPLETED", live.get("state").asText(), live.toString());
        }
    }

    @Test
    void withATokenTheConsoleAsksForItKeepsItInTheSessionAndWorks() throws Exception
    {
        final List<String> flags = new ArrayList<>(List.of(SMALL));
        flags.addAll(List.of("--gateway.api-token", TOKEN));
        try (TestServer server = TestServer.start(Files.createDirectories(tmp.resolve("data")),
            flags.toArray(String[]::new)))
        {
            final Api api = new Api(server, TOKEN, null);
            final Map<String, Object> config = new LinkedHashMap<>();
            config.put("token", TOKEN);
            config.put("live", api.create("live-order", "[\"RESERVE\",\"CHARGE\"]"));

            final ConsoleBrowser.Run run = ConsoleBrowser.run("token", "http://127.0.0.1:" + server.port(), config,
                words -> api.act(words));

            for (final String check : List.of("static_without_token", "token_prompt",
                "token_kept_in_session_storage_only", "token_live_timeline", "token_survives_reload",
                "no_outside_requests", "no_console_errors"))
            {
                run.passed(check);
            }
        }
    }

    /**
     * Depends on the search API of issue 9, point 2 ({@code name}, {@code name_prefix}, {@code step},
     * {@code created_after}, {@code created_before}, {@code sort}, {@code order} on {@code GET /api/v1/workflows}):
     * skipped, saying so, while the server answers those parameters 400; it runs by itself once they exist. The
     * server's search budget is 2 workflows, so that a prefix and a step together read past it and the table shows
     * the total as a lower bound ("N+").
     */
    @Test
    void searchFiltersOfTheSearchApi() throws Exception
    {
        final List<String> flags = new ArrayList<>(List.of(SMALL));
        flags.addAll(List.of("--core.search-budget", "2"));
        try (TestServer server = TestServer.start(Files.createDirectories(tmp.resolve("data")),
            flags.toArray(String[]::new)))
        {
            final Api api = new Api(server, null, null);
            final Map<String, Object> config = new LinkedHashMap<>();
            config.put("lowerBound", Map.of("prefix", "gamma-", "step", "SHIP"));
            config.put("alpha", List.of("alpha-1", "alpha-2"));
            config.put("prefix", "alpha-");
            config.put("step", "PACK");
            config.put("withStep", List.of("alpha-1", "alpha-2"));
            api.create("alpha-1", "[\"PACK\"]");
            api.create("alpha-2", "[\"PACK\"]");
            final String beta = api.create("beta-1", "[\"SHIP\"]");
            final TestServer.Response probe = server.get("/api/v1/workflows?name_prefix=alpha-");
            Assumptions.assumeTrue(probe.status() == 200 && probe.json().path("total").asLong() == 2,
                "needs the search API of issue 9 point 2 (name_prefix=alpha- of alpha-1, alpha-2, beta-1 answered " +
                probe.status() + " " + probe.body().substring(0, Math.min(120, probe.body().length())) + "...)");
            final long firstSecond = Instant.parse(api.get("/api/v1/workflows/" + beta).get("created_at").asText())
                .getEpochSecond();
            TestServer.await("a later second, well inside it", () ->
            {
                final long now = System.currentTimeMillis();
                return now / 1000 > firstSecond && now % 1000 > 100 && now % 1000 < 800;
            });
            final String gamma = api.create("gamma-1", "[\"SHIP\"]");
            api.create("gamma-2", "[\"SHIP\"]");
            final Instant gammaCreated = Instant.parse(api.get("/api/v1/workflows/" + gamma).get("created_at")
                .asText());
            config.put("secondGroupFrom", Instant.ofEpochSecond(gammaCreated.getEpochSecond()).toString());
            config.put("later", List.of("gamma-1", "gamma-2"));

            final ConsoleBrowser.Run run = ConsoleBrowser.run("search", "http://127.0.0.1:" + server.port(), config,
                words -> api.act(words));
            for (final String check : List.of("search_name_exact", "search_name_prefix", "search_step",
                "search_created_range", "search_sort", "search_total_lower_bound", "no_outside_requests",
                "no_console_errors"))
            {
                run.passed(check);
            }
        }
    }

    /**
     * What the script may ask of the server, over REST.
     */
    private static final class Api implements AutoCloseable
    {
        private final String token;
        private final Path dataDir;
        private TestServer server;

        Api(final TestServer server, final String token, final Path dataDir)
        {
            this.server = server;
            this.token = token;
            this.dataDir = dataDir;
        }

        /**
         * Stop the server and start it again on the same port and data directory: the console's WebSocket is
         * closed (1001, going away) and its metrics poll fails until the new one answers.
         */
        void restart()
        {
            final int port = server.port();
            server.close();
            final List<String> flags = new ArrayList<>(List.of(SMALL));
            flags.addAll(List.of("--port", Integer.toString(port)));
            server = TestServer.start(dataDir, flags.toArray(String[]::new));
        }

        @Override
        public void close()
        {
            server.close();
        }

        String create(final String name, final String steps)
        {
            final TestServer.Response res = post("/api/v1/workflows", "{\"name\":\"" + name + "\",\"steps\":" +
                steps + ",\"input\":{\"from\":\"ConsoleBrowserTest\"}}");
            assertEquals(201, res.status(), res.toString());
            return res.json().get("id").asText();
        }

        JsonNode get(final String path)
        {
            final HttpRequest.Builder request = server.request(path).GET();
            if (null != token)
            {
                request.header("Authorization", "Bearer " + token);
            }
            final TestServer.Response res = server.send(request.build());
            assertEquals(200, res.status(), res.toString());
            return res.json();
        }

        TestServer.Response post(final String path, final String body)
        {
            final HttpRequest.Builder request = server.request(path)
                .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8))
                .header("Content-Type", "application/json");
            if (null != token)
            {
                request.header("Authorization", "Bearer " + token);
            }
            return server.send(request.build());
        }

        Object act(final String[] words)
        {
            switch (words[0])
            {
                case "create" ->
                {
                    return Map.of("id", create(words[1], "[\"RESERVE\"]"));
                }
                case "restart" ->
                {
                    restart();
                    return null;
                }
                case "create-task" ->
                {
                    return Map.of("id", create("task-" + words[1], "[\"" + words[1] + "\"]"));
                }
                case "load" ->
                {
                    for (int i = 0; i < Integer.parseInt(words[1]); i++)
                    {
                        create("load-" + i, "[\"LOAD\"]");
                    }
                    return null;
                }
                case "advance" ->
                {
                    final TestServer.Response res = post("/api/v1/workflows/" + words[1] + "/advance",
                        "{\"expected_step_index\":" + words[2] + ",\"output\":{\"step\":" + words[2] + "}}");
                    assertEquals(200, res.status(), res.toString());
                    return null;
                }
                case "verify-approved" ->
                {
                    final JsonNode w = get("/api/v1/workflows/" + words[1]);
                    final JsonNode step = w.get("steps").get(0);
                    final boolean completed = "COMPLETED".equals(step.get("status").asText()) &&
                        "browser".equals(step.path("output").path("approved_by").asText());
                    boolean byOperator = false;
                    int completions = 0;
                    for (final JsonNode e : get("/api/v1/workflows/" + words[1] + "/events").get("events"))
                    {
                        if ("StepCompleted".equals(e.get("type").asText()))
                        {
                            completions++;
                            byOperator = "OPERATOR".equals(e.path("completed_by").asText());
                        }
                    }
                    return Map.of("ok", completed && byOperator && completions == 1,
                        "detail", "server: step 0 " + step.get("status").asText() + " output " + step.get("output") +
                        ", " + completions + " StepCompleted by " + (byOperator ? "OPERATOR" : "?"));
                }
                case "verify-cancelled" ->
                {
                    final JsonNode w = get("/api/v1/workflows/" + words[1]);
                    return Map.of("ok", "CANCELLED".equals(w.get("state").asText()) &&
                        "cancelled from the browser test".equals(w.path("reason").asText()),
                        "detail", "server: " + w.get("state").asText() + " reason '" + w.path("reason").asText() + "'");
                }
                default -> throw new AssertionError("the browser script asked for an unknown action: " +
                    String.join(" ", words));
            }
        }
    }
}
