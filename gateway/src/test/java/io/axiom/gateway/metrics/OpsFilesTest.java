package io.axiom.gateway.metrics;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The operator files under {@code ops/}: the Grafana dashboard parses and has the structure Grafana needs, the alert
 * rules pass {@code promtool check rules}, and every metric either names is one a running server exports (scraped
 * after some traffic, sample names with their {@code _total}, {@code _bucket}, {@code _count}, {@code _sum} and, in
 * OpenMetrics, {@code _created} suffixes, and the bare names of histograms, which name the native histogram series
 * when Prometheus ingests native histograms).
 */
class OpsFilesTest
{
    private static final Path DASHBOARD = Path.of("ops", "grafana", "axiom-dashboard.json");
    private static final Path ALERTS = Path.of("ops", "prometheus", "axiom-alerts.yml");
    private static final Pattern METRIC = Pattern.compile("\\b((?:axiom|jvm|process)_[a-zA-Z0-9_]*)");
    private static final Pattern SAMPLE_NAME = Pattern.compile("(?m)^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]");
    private static final Pattern HISTOGRAM = Pattern.compile("(?m)^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) histogram$");

    @TempDir
    static Path dir;

    private static Set<String> exported;

    @BeforeAll
    static void scrape()
    {
        try (TestServer server = TestServer.start(dir.resolve("data")))
        {
            assertEquals(201, server.postJson("/api/v1/workflows", "{\"name\":\"ops\",\"steps\":[\"A\"]}").status());
            assertEquals(404, server.get("/api/v1/workflows/999").status());
            exported = new TreeSet<>();
            for (final String accept : List.of("text/plain", "application/openmetrics-text"))
            {
                final String body = server.send(server.request("/api/v1/metrics/prometheus")
                    .header("Accept", accept).GET().build()).body();
                final Matcher m = SAMPLE_NAME.matcher(body);
                while (m.find())
                {
                    exported.add(m.group(1));
                }
                final Matcher h = HISTOGRAM.matcher(body);
                while (h.find())
                {
                    exported.add(h.group(1));
                }
            }
        }
        assertTrue(exported.contains("axiom_fsync_duration_seconds_bucket"), exported.toString());
    }

    @AfterAll
    static void forget()
    {
        exported = null;
    }

    @Test
    void dashboardHasPanelsWithTargetsOfExportedMetrics() throws Exception
    {
        final JsonNode dashboard = new ObjectMapper().readTree(Files.readString(file(DASHBOARD)));
        assertTrue(dashboard.path("title").isTextual(), "title");
        assertTrue(dashboard.path("uid").isTextual(), "uid");
        assertTrue(dashboard.path("schemaVersion").isInt(), "schemaVersion");
        assertTrue(dashboard.path("panels").isArray() && !dashboard.path("panels").isEmpty(), "panels");

        final List<String> expressions = new ArrayList<>();
        final Set<Integer> ids = new TreeSet<>();
        final Set<String> titles = new TreeSet<>();
        for (final JsonNode panel : dashboard.path("panels"))
        {
            assertTrue(ids.add(panel.path("id").asInt(-1)) && panel.path("id").isInt(), "unique id: " + panel);
            assertTrue(panel.path("type").isTextual() && panel.path("title").isTextual(), panel.toString());
            titles.add(panel.path("title").asText());
            final JsonNode grid = panel.path("gridPos");
            for (final String key : List.of("h", "w", "x", "y"))
            {
                assertTrue(grid.path(key).isInt(), "gridPos." + key + " of " + panel.path("title"));
            }
            assertTrue(grid.path("x").asInt() + grid.path("w").asInt() <= 24, "wider than the grid: " + panel);
            if ("row".equals(panel.path("type").asText()))
            {
                continue;
            }
            assertTrue(panel.path("targets").isArray() && !panel.path("targets").isEmpty(),
                "panel without targets: " + panel.path("title"));
            for (final JsonNode target : panel.path("targets"))
            {
                assertTrue(target.path("expr").isTextual() && !target.path("expr").asText().isBlank(),
                    "target without expr in " + panel.path("title"));
                assertTrue(target.path("refId").isTextual(), "target without refId in " + panel.path("title"));
                expressions.add(target.path("expr").asText());
            }
        }
        for (final String panel : List.of("Commands / s", "Events / s", "Fsyncs / s", "Fsync latency",
            "Command latency (ring to reply after fsync)", "Batch size (commands per group commit)", "Ring occupancy",
            "Tasks", "Lease expiries and timeouts / s", "Rejected / s", "Requests / s by route and status", "Heap",
            "GC time / s", "Data dir free"))
        {
            assertTrue(titles.contains(panel), "no panel " + panel + " in " + titles);
        }
        assertNamesExported("dashboard", expressions);
    }

    @Test
    void alertRulesPassPromtoolAndNameExportedMetrics() throws Exception
    {
        final Path rules = file(ALERTS);
        final String report = MetricsTest.run(MetricsTest.promtool().toString(), "check", "rules", rules.toString());
        assertTrue(report.contains("SUCCESS"), report);

        final Map<String, Object> doc = new Yaml().load(Files.readString(rules));
        final List<String> expressions = new ArrayList<>();
        final Map<String, String> alerts = new HashMap<>();
        for (final Object group : (List<?>)doc.get("groups"))
        {
            for (final Object rule : (List<?>)((Map<?, ?>)group).get("rules"))
            {
                final Map<?, ?> r = (Map<?, ?>)rule;
                expressions.add(String.valueOf(r.get("expr")));
                alerts.put(String.valueOf(r.get("alert")), String.valueOf(r.get("expr")));
            }
        }
        for (final String metric : List.of("axiom_fsync_duration_seconds_bucket", "axiom_ring_occupancy",
            "axiom_lease_expiries_total", "axiom_rejections_total", "axiom_data_dir_free_bytes", "axiom_ready",
            "axiom_engine_failed"))
        {
            assertTrue(alerts.values().stream().anyMatch(expr -> expr.contains(metric)), "no alert on " + metric);
        }
        assertNamesExported("alert rules", expressions);
    }

    private static void assertNamesExported(final String what, final List<String> expressions)
    {
        final Set<String> named = new TreeSet<>();
        for (final String expr : expressions)
        {
            final Matcher m = METRIC.matcher(expr);
            while (m.find())
            {
                named.add(m.group(1));
            }
        }
        assertFalse(named.isEmpty(), what + " names no metric");
        final Set<String> missing = new TreeSet<>(named);
        missing.removeAll(exported);
        assertTrue(missing.isEmpty(), what + " names metrics the server does not export: " + missing +
            "\nexported: " + exported);
    }

    /**
     * @param relative a path from the repository's root.
     * @return it, found from the working directory (the module's when Maven runs the test) upwards.
     */
    private static Path file(final Path relative)
    {
        for (Path at = Path.of("").toAbsolutePath(); null != at; at = at.getParent())
        {
            if (Files.isRegularFile(at.resolve(relative)))
            {
                return at.resolve(relative);
            }
        }
        return fail(relative + " not found from " + Path.of("").toAbsolutePath() + " upwards");
    }
}
