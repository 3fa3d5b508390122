package io.axiom.gateway.metrics;

import java.io.ByteArrayInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
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
import io.prometheus.metrics.expositionformats.generated.com_google_protobuf_4_36_2.Metrics;
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
 * move with the traffic, the text format parses, histograms count what the engine counted, {@code promtool check
 * metrics} accepts the live text body and promtool's OpenMetrics parser the OpenMetrics one.
 */
public class MetricsTest
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
    void maxAgeAnswersOneReadingAgainAndWithoutItTheFiguresAreReadNow()
    {
        final JsonNode first = metrics();
        assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());

        final TestServer.Response shared = server.get("/api/v1/metrics?max_age_ms=60000");
        assertEquals(200, shared.status(), shared.toString());
        assertEquals(first.at("/read_at").asText(), shared.json().at("/read_at").asText(),
            "a reading within max_age_ms is answered again");
        assertEquals(0, shared.json().at("/workflows/created").asLong(), "as it was read, before the create");

        final JsonNode now = metrics();
        assertEquals(1, now.at("/workflows/created").asLong(), "no max_age_ms: read now");
        assertTrue(now.at("/read_at").asText().compareTo(first.at("/read_at").asText()) >= 0);
        assertEquals(1, server.get("/api/v1/metrics?max_age_ms=0").json().at("/workflows/created").asLong());

        for (final String bad : new String[]{"max_age_ms=-1", "max_age_ms=60001", "max_age_ms=1e3", "max_age_ms=",
            "max_age_ms=5&max_age_ms=6", "max_age_ms=123456789012345678901"})
        {
            final TestServer.Response res = server.get("/api/v1/metrics?" + bad);
            assertEquals(400, res.status(), bad);
            assertEquals("INVALID_QUERY", res.json().at("/code").asText(), bad);
        }
        final TestServer.Response unknown = server.get("/api/v1/metrics?state=RUNNING");
        assertEquals(400, unknown.status());
        assertEquals("UNKNOWN_PARAMETER", unknown.json().at("/code").asText());
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
        final Map<String, Double> samples = parse(res.body(), types);

        assertEquals("gauge", types.get("axiom_workflows"));
        assertEquals(1.0, samples.get("axiom_workflows{state=\"RUNNING\"}"));
        assertEquals(1.0, samples.get("axiom_workflows_created_total{}"));
        assertTrue(samples.get("axiom_events_appended_total{}") >= 2);
        assertTrue(samples.get("axiom_fsyncs_total{}") >= 1);
        assertEquals("histogram", types.get("axiom_fsync_duration_seconds"));
        assertEquals("histogram", types.get("axiom_batch_size"));
        assertEquals("histogram", types.get("axiom_command_duration_seconds"));
        assertEquals("histogram", types.get("axiom_http_request_duration_seconds"));
        for (final String histogram : List.of("axiom_fsync_duration_seconds", "axiom_batch_size",
            "axiom_command_duration_seconds"))
        {
            assertBucketsCumulative(samples, histogram, "");
        }
        assertBucketsCumulative(samples, "axiom_http_request_duration_seconds", "route=\"/api/v1/workflows\",");
        final double sum = samples.get("axiom_command_duration_seconds_sum{}");
        final double count = samples.get("axiom_command_duration_seconds_count{}");
        assertTrue(count >= 2 && sum / count > 0 && sum / count < 60, "seconds, not nanoseconds: " + sum / count);
        assertNotNull(samples.get("axiom_command_duration_seconds_bucket{le=\"5.0E-5\"}"), "50 us bucket");
        assertNotNull(samples.get("axiom_command_duration_seconds_bucket{le=\"10.0\"}"), "10 s bucket");
        assertEquals(8192.0, samples.get("axiom_ring_size{}"));
        assertNotNull(samples.get("axiom_ring_occupancy{}"));
        assertEquals(1.0, samples.get("axiom_tasks_queued{}"));
        assertEquals(0.0, samples.get("axiom_tasks_leased{}"));
        assertEquals(0.0, samples.get("axiom_workers_connected{}"));
        assertEquals(0.0, samples.get("axiom_lease_expiries_total{}"));
        assertTrue(samples.get("axiom_data_dir_free_bytes{}") > 0, "the data directory's usable bytes");
        assertEquals(1.0, samples.get(
            "axiom_http_requests_total{method=\"GET\",route=\"/api/v1/workflows/{id}/events\",status=\"200\"}"));
        assertEquals(1.0, samples.get(
            "axiom_http_requests_total{method=\"POST\",route=\"/api/v1/workflows\",status=\"415\"}"));
        assertEquals(1.0, samples.get("axiom_rejections_total{code=\"UNSUPPORTED_MEDIA_TYPE\",status=\"415\"}"));
        assertEquals(1.0, samples.get("axiom_rejections_total{code=\"METHOD_NOT_ALLOWED\",status=\"405\"}"));
        assertTrue(samples.get("jvm_memory_used_bytes{area=\"heap\"}") > 0);
        assertTrue(samples.get("process_start_time_seconds{}") > 0);
        assertEquals("summary", types.get("jvm_gc_collection_seconds"));
        assertNotNull(samples.get("jvm_threads_current{}"));
    }

    @Test
    void openMetricsIsAnsweredWhenAskedFor() throws Exception
    {
        assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
        final TestServer.Response res = server.send(server.request("/api/v1/metrics/prometheus")
            .header("Accept", "application/openmetrics-text; version=1.0.0; charset=utf-8").GET().build());
        assertEquals(200, res.status());
        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", res.contentType());
        assertTrue(res.body().endsWith("# EOF\n"), res.body());
        assertTrue(res.body().contains("# TYPE axiom_command_duration_seconds histogram\n"), res.body());
        assertTrue(res.body().contains("\naxiom_workflows_created_total 1.0\n"), res.body());
        openMetricsCheck(res.body());

        assertEquals("application/openmetrics-text; version=1.0.0; charset=utf-8", MetricsModule.writer(
            "application/vnd.google.protobuf;q=0.7,application/openmetrics-text;q=0.5").getContentType(),
            "the protobuf writer is on the class path");
        final TestServer.Response text = server.send(server.request("/api/v1/metrics/prometheus")
            .header("Accept", "text/plain").GET().build());
        assertEquals("text/plain; version=0.0.4; charset=utf-8", text.contentType());
    }

    @Test
    void protobufCarriesNativeAndClassicBucketsWhenAskedFor() throws Exception
    {
        for (int i = 0; i < 3; i++)
        {
            assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
        }
        final String prometheusDefault = "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;" +
            "encoding=delimited;q=0.7,application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.3";
        final HttpResponse<byte[]> res = HttpClient.newHttpClient().send(server.request("/api/v1/metrics/prometheus")
            .header("Accept", prometheusDefault).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, res.statusCode());
        assertEquals("application/vnd.google.protobuf; proto=io.prometheus.client.MetricFamily; encoding=delimited",
            res.headers().firstValue("Content-Type").orElse(""));

        final Map<String, Metrics.MetricFamily> families = new HashMap<>();
        try (InputStream in = new ByteArrayInputStream(res.body()))
        {
            for (Metrics.MetricFamily f = Metrics.MetricFamily.parseDelimitedFrom(in); null != f;
                f = Metrics.MetricFamily.parseDelimitedFrom(in))
            {
                assertTrue(null == families.put(f.getName(), f), "family twice: " + f.getName());
            }
        }
        final Map<String, Double> text = parse(server.get("/api/v1/metrics/prometheus").body(), new HashMap<>());
        for (final String name : List.of("axiom_command_duration_seconds", "axiom_fsync_duration_seconds",
            "axiom_batch_size"))
        {
            final Metrics.MetricFamily family = families.get(name);
            assertNotNull(family, name + " in " + families.keySet());
            assertEquals(Metrics.MetricType.HISTOGRAM, family.getType());
            final Metrics.Histogram h = family.getMetric(0).getHistogram();
            assertEquals(HistogramPoints.NATIVE_SCHEMA, h.getSchema(), name);
            assertTrue(h.getPositiveSpanCount() > 0 && h.getPositiveDeltaCount() > 0, name + " native buckets");
            assertTrue(h.getBucketCount() > 10, name + " classic buckets");
            long nativeCount = h.getZeroCount();
            long bucket = 0;
            for (final long delta : h.getPositiveDeltaList())
            {
                bucket += delta;
                nativeCount += bucket;
            }
            assertEquals(h.getSampleCount(), nativeCount, name + ": native buckets hold every observation");
            assertEquals(text.get(name + "_count{}"), (double)h.getSampleCount(), name + ": as in the text format");
        }
        assertEquals(3.0, families.get("axiom_workflows_created_total").getMetric(0).getCounter().getValue());
        assertNotNull(families.get("jvm_memory_used_bytes"));
    }

    @Test
    void anyAcceptHeaderGetsATextFormatAndOtherMethodsAreRefused()
    {
        for (final String accept : List.of("*/*", "garbage;;;=", "application/json", "application/protobuf",
            "text/html, application/xhtml+xml"))
        {
            final TestServer.Response res = server.send(server.request("/api/v1/metrics/prometheus")
                .header("Accept", accept).GET().build());
            assertEquals(200, res.status(), accept);
            assertEquals("text/plain; version=0.0.4; charset=utf-8", res.contentType(), accept);
            parse(res.body(), new HashMap<>());
        }
        final TestServer.Response post = server.post("/api/v1/metrics/prometheus", "text/plain", "x");
        assertEquals(405, post.status());
        assertEquals("METHOD_NOT_ALLOWED", post.json().get("code").asText());
    }

    @Test
    void eachServerHasItsOwnRegistry()
    {
        assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
        try (TestServer other = TestServer.start(dir.resolve("other")))
        {
            final Map<String, Double> mine = parse(server.get("/api/v1/metrics/prometheus").body(), new HashMap<>());
            final Map<String, Double> its = parse(other.get("/api/v1/metrics/prometheus").body(), new HashMap<>());
            assertEquals(1.0, mine.get("axiom_workflows_created_total{}"));
            assertEquals(0.0, its.get("axiom_workflows_created_total{}"));
            assertNotNull(its.get("jvm_threads_current{}"), "the JVM's figures on every server");
        }
        final Map<String, Double> after = parse(server.get("/api/v1/metrics/prometheus").body(), new HashMap<>());
        assertEquals(1.0, after.get("axiom_workflows_created_total{}"), "still this server's own figures");
    }

    @Test
    void histogramCountsAreWhatTheEngineCounted()
    {
        final long seed = System.nanoTime();
        System.out.println("histogramCountsAreWhatTheEngineCounted seed=" + seed);
        final int creates = 5 + new java.util.Random(seed).nextInt(20);
        final Map<String, Double> before = parse(server.get("/api/v1/metrics/prometheus").body(), new HashMap<>());
        for (int i = 0; i < creates; i++)
        {
            assertEquals(201, server.postJson("/api/v1/workflows", CREATE).status());
        }
        final JsonNode json = metrics();
        final Map<String, Double> after = parse(server.get("/api/v1/metrics/prometheus").body(), new HashMap<>());

        assertEquals(creates, after.get("axiom_command_duration_seconds_count{}") -
            before.get("axiom_command_duration_seconds_count{}"), "one latency per create, seed " + seed);
        assertEquals(after.get("axiom_command_duration_seconds_count{}"),
            after.get("axiom_command_duration_seconds_bucket{le=\"+Inf\"}"));
        assertEquals(json.at("/commands/latency_seconds/count").asDouble(),
            after.get("axiom_command_duration_seconds_count{}"));
        assertEquals(json.at("/batches/count").asDouble(), after.get("axiom_batch_size_count{}"));
        assertEquals(json.at("/batches/commands").asDouble(), after.get("axiom_batch_size_sum{}"),
            "batch sizes are exact in HdrHistogram below 2048");
        assertEquals(after.get("axiom_fsyncs_total{}"), after.get("axiom_fsync_duration_seconds_count{}"));
        assertEquals(creates, after.get("axiom_workflows_created_total{}") -
            before.get("axiom_workflows_created_total{}"));
        assertEquals(creates, after.get(
            "axiom_http_request_duration_seconds_count{route=\"/api/v1/workflows\"}") -
            before.getOrDefault("axiom_http_request_duration_seconds_count{route=\"/api/v1/workflows\"}", 0.0));
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

    /**
     * Checks an OpenMetrics body with promtool's OpenMetrics parser: {@code promtool check metrics} reads only the
     * text format 0.0.4, so the body (each sample given a timestamp, which backfilling needs) is turned into a TSDB
     * block with {@code promtool tsdb create-blocks-from openmetrics}, which refuses any syntax error.
     */
    private void openMetricsCheck(final String body) throws Exception
    {
        final StringBuilder stamped = new StringBuilder();
        for (final String line : body.split("\n"))
        {
            stamped.append(line).append(line.startsWith("#") ? "" : " 1764460800").append('\n');
        }
        final Path input = dir.resolve("metrics.om");
        Files.writeString(input, stamped);
        final String report = run(promtool().toString(), "tsdb", "create-blocks-from", "openmetrics",
            input.toString(), dir.resolve("blocks").toString());
        assertTrue(report.contains("BLOCK ULID"), report);
    }

    /**
     * @return what the command printed (stdout and stderr); fails unless it exits 0 within 30 s.
     */
    static String run(final String... command) throws Exception
    {
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (OutputStream ignored = process.getOutputStream(); InputStream out = process.getInputStream())
        {
            final String report = new String(out.readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                fail(String.join(" ", command) + " did not finish in 30 s");
            }
            assertEquals(0, process.exitValue(), String.join(" ", command) + " failed:\n" + report);
            return report;
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
    public static Path promtool()
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

    /**
     * Parse a text format 0.0.4 body strictly: every family has one HELP and one TYPE, every sample belongs to a
     * declared family, names follow the conventions, label sets are well formed.
     *
     * @param body  the body.
     * @param types filled with each family's type.
     * @return every sample, keyed by name and labels as written.
     */
    static Map<String, Double> parse(final String body, final Map<String, String> types)
    {
        final Set<String> helped = new HashSet<>();
        final Map<String, Double> samples = new HashMap<>();
        for (final String line : body.split("\n"))
        {
            if (line.startsWith("# HELP "))
            {
                assertTrue(helped.add(line.split(" ")[2]), "HELP twice: " + line);
            }
            else if (line.startsWith("# TYPE "))
            {
                final String[] parts = line.split(" ");
                assertTrue(List.of("counter", "gauge", "summary", "histogram").contains(parts[3]), line);
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
                assertTrue(name.startsWith("axiom_") || name.startsWith("jvm_") || name.startsWith("process_"), line);
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
                assertTrue(null == samples.put(name + "{" + labels + "}",
                    Double.parseDouble(m.group(4).replace("+Inf", "Infinity"))), "sample twice: " + line);
            }
        }
        return samples;
    }

    private static void assertBucketsCumulative(
        final Map<String, Double> samples, final String histogram, final String labels)
    {
        double previous = 0;
        int buckets = 0;
        final Pattern le = Pattern.compile(Pattern.quote(histogram + "_bucket{" + labels) + "le=\"([^\"]+)\"}");
        final Map<Double, Double> byBound = new java.util.TreeMap<>();
        samples.forEach((key, value) ->
        {
            final Matcher m = le.matcher(key);
            if (m.matches())
            {
                byBound.put(Double.parseDouble(m.group(1).replace("+Inf", "Infinity")), value);
            }
        });
        for (final Map.Entry<Double, Double> bucket : byBound.entrySet())
        {
            assertTrue(bucket.getValue() >= previous, histogram + " buckets not cumulative: " + byBound);
            previous = bucket.getValue();
            buckets++;
        }
        assertTrue(buckets >= 10, histogram + " has too few buckets: " + byBound);
        assertEquals(Double.POSITIVE_INFINITY, ((java.util.TreeMap<Double, Double>)byBound).lastKey());
        final String count = histogram + "_count" + (labels.isEmpty() ? "{}" : "{" + labels.substring(0,
            labels.length() - 1) + "}");
        assertEquals(samples.get(count), previous, "+Inf bucket is the count: " + count);
    }

    private static String family(final String name, final Map<String, String> types)
    {
        if (types.containsKey(name))
        {
            return name;
        }
        for (final String suffix : List.of("_sum", "_count", "_bucket"))
        {
            if (name.endsWith(suffix))
            {
                final String base = name.substring(0, name.length() - suffix.length());
                if ("summary".equals(types.get(base)) || "histogram".equals(types.get(base)))
                {
                    return base;
                }
            }
        }
        return null;
    }
}
