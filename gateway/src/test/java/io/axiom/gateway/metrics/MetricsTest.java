package io.axiom.gateway.metrics;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * {@code GET /api/v1/metrics} and {@code GET /api/v1/metrics/prometheus} against a real in-process server: figures
 * move with the traffic, the text format parses, and {@code promtool check metrics} accepts the live body.
 */
class MetricsTest
{
    private static final Pattern SAMPLE = Pattern.compile(
        "([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{((?:[^\"}]|\"(?:[^\"\\\\]|\\\\.)*\")*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");
    private static final String CREATE = "{\"name\":\"metered\",\"steps\":[\"A\",\"B\"]}";

    @TempDir
    Path dir;

    private TestServer server;

    @BeforeEach
    void start()
    {
        server = TestServer.start(dir.resolve("data"));
    }

    @AfterEach
    void stop()
    {
        server.close();
    }

    @Test
    void jsonFiguresMoveAfterCreatesAndAdvances()
    {
        final JsonNode before = metrics();
        assertEquals(0, before.at("/workflows/created").asLong());
        assertTrue(before.at("/ready").asBoolean());
        assertEquals(8192, before.at("/ring/size").asLong());

        for (int i = 0; i < 3; i++)
        {
            assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
        }
        assertEquals(200, server.postJson("/api/v1/workflows/1/advance", "{\"output\":{\"ok\":true}}").status());
        assertEquals(404, server.get("/api/v1/workflows/nope").status());

        final JsonNode after = metrics();
        assertEquals(3, after.at("/workflows/created").asLong());
        assertEquals(3, after.at("/workflows/by_state/RUNNING").asLong());
        assertTrue(after.at("/events/appended").asLong() > before.at("/events/appended").asLong(), after.toString());
        assertTrue(after.at("/fsync/count").asLong() >= 1, after.toString());
        assertTrue(after.at("/fsync/latency_seconds/count").asLong() >= 1, after.toString());
        assertTrue(after.at("/fsync/latency_seconds/p99").asDouble() > 0, after.toString());
        assertTrue(after.at("/commands/latency_seconds/count").asLong() >= 4, after.toString());
        assertTrue(after.at("/batches/commands").asLong() >= 4, after.toString());
        assertEquals(3, after.at("/tasks/queued").asLong(), "step B of workflow 1, steps A of workflows 2 and 3");
        assertEquals(0, after.at("/tasks/leased").asLong());
        assertEquals(0, after.at("/workers/connected").asLong());
        assertEquals(3, requests(after, "POST", "/api/v1/workflows", 201));
        assertEquals(1, requests(after, "POST", "/api/v1/workflows/{id}/advance", 200));
        assertEquals(1, requests(after, "GET", "/api/v1/workflows/{id}", 404));
        assertEquals(1, rejections(after, "WORKFLOW_NOT_FOUND", 404));
        assertTrue(after.at("/jvm/heap_used_bytes").asLong() > 0);
        assertTrue(after.at("/jvm/uptime_seconds").asDouble() > 0);
    }

    @Test
    void prometheusTextIsWellFormedAndNamesFollowTheConventions()
    {
        assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
        assertEquals(200, server.get("/api/v1/workflows/1/events").status());
        assertEquals(415, server.post("/api/v1/workflows", "text/plain", "x").status());
        assertEquals(405, server.send(server.request("/api/v1/tasks").DELETE().build()).status());

        final TestServer.Response res = server.get("/api/v1/metrics/prometheus");
        assertEquals(200, res.status());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", res.contentType());

        final Map<String, String> types = new HashMap<>();
        final Set<String> helped = new HashSet<>();
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : res.body().split("\n"))
        {
            if (line.startsWith("# HELP "))
            {
                assertTrue(helped.add(line.split(" ")[2]), "HELP twice: " + line);
            }
            else if (line.startsWith("# TYPE "))
            {
                final String[] parts = line.split(" ");
                assertNotNull(List.of("counter", "gauge", "summary").contains(parts[3]) ? parts[3] : null, line);
                assertTrue(null == types.put(parts[2], parts[3]), "TYPE twice: " + line);
            }
            else
            {
                final Matcher m = SAMPLE.matcher(line);
                assertTrue(m.matches(), "not a sample line: '" + line + "'");
                final String name = m.group(1);
                final String family = family(name, types);
                assertNotNull(family, "sample without a TYPE: " + line);
                assertTrue(helped.contains(family), "sample without HELP: " + line);
                assertTrue(name.startsWith("axiom_"), line);
                if ("counter".equals(types.get(family)))
                {
                    assertTrue(family.endsWith("_total"), "counter without _total: " + line);
                }
                else
                {
                    assertTrue(!family.endsWith("_total"), "_total on a non-counter: " + line);
                }
                final String labels = null == m.group(3) ? "" : m.group(3);
                final Matcher lm = LABEL.matcher(labels);
                int consumed = 0;
                while (lm.find())
                {
                    consumed += lm.group().length() + 1;
                }
                assertEquals(labels.isEmpty() ? 0 : labels.length() + 1, consumed, "malformed labels: " + line);
                samples.put(name + "{" + labels + "}", Double.parseDouble(m.group(4).replace("+Inf", "Infinity")));
            }
        }

        assertEquals("gauge", types.get("axiom_workflows"));
        assertEquals(1.0, samples.get("axiom_workflows{state=\"RUNNING\"}"));
        assertEquals(1.0, samples.get("axiom_workflows_created_total{}"));
        assertTrue(samples.get("axiom_events_appended_total{}") >= 2);
        assertTrue(samples.get("axiom_fsyncs_total{}") >= 1);
        assertEquals("summary", types.get("axiom_fsync_duration_seconds"));
        assertEquals("summary", types.get("axiom_batch_size"));
        assertEquals("summary", types.get("axiom_command_duration_seconds"));
        for (final String q : List.of("0.5", "0.9", "0.99", "0.999"))
        {
            final Double value = samples.get("axiom_command_duration_seconds{quantile=\"" + q + "\"}");
            assertNotNull(value, "quantile " + q);
            assertTrue(value > 0 && value < 60, "seconds, not nanoseconds: " + value);
        }
        assertEquals(8192.0, samples.get("axiom_ring_size{}"));
        assertNotNull(samples.get("axiom_ring_occupancy{}"));
        assertEquals(1.0, samples.get("axiom_tasks_queued{}"));
        assertEquals(0.0, samples.get("axiom_tasks_leased{}"));
        assertEquals(0.0, samples.get("axiom_workers_connected{}"));
        assertEquals(0.0, samples.get("axiom_lease_expiries_total{}"));
        assertEquals(1.0, samples.get(
            "axiom_http_requests_total{method=\"GET\",route=\"/api/v1/workflows/{id}/events\",status=\"200\"}"));
        assertEquals(1.0, samples.get(
            "axiom_http_requests_total{method=\"POST\",route=\"/api/v1/workflows\",status=\"415\"}"));
        assertEquals(1.0, samples.get("axiom_rejections_total{code=\"UNSUPPORTED_MEDIA_TYPE\",status=\"415\"}"));
        assertEquals(1.0, samples.get("axiom_rejections_total{code=\"METHOD_NOT_ALLOWED\",status=\"405\"}"));
        assertNotNull(samples.get("axiom_http_request_duration_seconds_count{route=\"/api/v1/workflows\"}"));
        assertTrue(samples.get("axiom_jvm_memory_used_bytes{area=\"heap\"}") > 0);
        assertTrue(samples.get("axiom_process_uptime_seconds{}") > 0);
        assertNotNull(types.get("axiom_jvm_gc_collections_total"));
        assertNotNull(samples.get("axiom_jvm_threads{}"));
    }

    @Test
    void promtoolAcceptsTheLiveEndpoint() throws Exception
    {
        assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
        assertEquals(400, server.postJson("/api/v1/workflows", "{").status());
        final String body = server.get("/api/v1/metrics/prometheus").body();

        final Path promtool = promtool();
        final Path input = dir.resolve("metrics.prom");
        Files.writeString(input, body);
        final Process process = new ProcessBuilder(promtool.toString(), "check", "metrics")
            .redirectInput(input.toFile())
            .redirectErrorStream(true)
            .start();
        try (OutputStream ignored = process.getOutputStream(); InputStream out = process.getInputStream())
        {
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                fail("promtool check metrics did not finish in 30 s");
            }
            final String report = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, process.exitValue(), "promtool check metrics refused the body:\n" + report + "\n" + body);
            assertEquals("", report.trim(), "promtool check metrics has lint findings:\n" + report);
        }
    }

    @Test
    void routesAreTemplatesAndMethodsAreBounded()
    {
        assertEquals("/api/v1/workflows/{id}/events", RouteTemplates.route("/api/v1/workflows/42/events"));
        assertEquals("/api/v1/workflows/{id}", RouteTemplates.route("/api/v1/workflows/not-a-number"));
        assertEquals("/api/v1/workflows", RouteTemplates.route("/api/v1/workflows"));
        assertEquals("/api/v1/metrics/prometheus", RouteTemplates.route("/api/v1/metrics/prometheus"));
        assertEquals("/graphiql/{asset}", RouteTemplates.route("/graphiql/graphiql.min.js"));
        assertEquals(RouteTemplates.UNMATCHED, RouteTemplates.route("/api/v1/workflows/"));
        assertEquals(RouteTemplates.UNMATCHED, RouteTemplates.route("/api/v1/workflows//events"));
        assertEquals(RouteTemplates.UNMATCHED, RouteTemplates.route("/wp-admin/login.php"));
        assertEquals(RouteTemplates.UNMATCHED, RouteTemplates.route(""));
        assertEquals("GET", RouteTemplates.method("get"));
        assertEquals("OTHER", RouteTemplates.method("BREW"));
    }

    @Test
    void engineHistogramsHaveOneConsumerPerEngine()
    {
        assertSame(EngineHistograms.of(server.engine().counters()), EngineHistograms.of(server.engine().counters()));
        assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
        final long first = metrics().at("/commands/latency_seconds/count").asLong();
        final long second = metrics().at("/commands/latency_seconds/count").asLong();
        assertTrue(first >= 1 && second == first, "cumulative, not per interval: " + first + ", " + second);
    }

    /**
     * @return promtool on the PATH; fails the test when it is missing, since the format check is part of the
     * contract (Debian/Ubuntu: {@code apt-get install -y prometheus}).
     */
    static Path promtool()
    {
        for (final String entry : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator))
        {
            final Path candidate = Path.of(entry.isEmpty() ? "." : entry, "promtool");
            if (Files.isExecutable(candidate))
            {
                return candidate;
            }
        }
        return fail("promtool is not on the PATH: install it (Debian/Ubuntu: apt-get install -y prometheus) " +
            "so that the Prometheus output can be checked with promtool check metrics");
    }

    private JsonNode metrics()
    {
        final TestServer.Response res = server.get("/api/v1/metrics");
        assertEquals(200, res.status(), res.toString());
        assertEquals("application/json", res.contentType());
        return res.json();
    }

    private static long requests(final JsonNode metrics, final String method, final String route, final int status)
    {
        for (final JsonNode r : metrics.at("/http/requests"))
        {
            if (method.equals(r.get("method").asText()) && route.equals(r.get("route").asText()) &&
                status == r.get("status").asInt())
            {
                return r.get("count").asLong();
            }
        }
        return 0;
    }

    private static long rejections(final JsonNode metrics, final String code, final int status)
    {
        for (final JsonNode r : metrics.at("/http/rejections"))
        {
            if (code.equals(r.get("code").asText()) && status == r.get("status").asInt())
            {
                return r.get("count").asLong();
            }
        }
        return 0;
    }

    private static String family(final String name, final Map<String, String> types)
    {
        if (types.containsKey(name))
        {
            return name;
        }
        for (final String suffix : List.of("_sum", "_count"))
        {
            if (name.endsWith(suffix))
            {
                final String base = name.substring(0, name.length() - suffix.length());
                if ("summary".equals(types.get(base)))
                {
                    return base;
                }
            }
        }
        return null;
    }
}
