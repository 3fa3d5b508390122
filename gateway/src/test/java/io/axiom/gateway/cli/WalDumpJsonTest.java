package io.axiom.gateway.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code axiom wal dump --json} against the text dump of the same log, and the ISO-8601 times of the event view, on
 * a log written by a real server: a task step leased over HTTP and completed, an approval advanced, a cancel.
 */
class WalDumpJsonTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final String ISO = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z";

    @TempDir
    static Path data;

    private static String eventsView;

    record Run(int code, String out, String err)
    {
    }

    @BeforeAll
    static void writeALog()
    {
        try (TestServer server = TestServer.start(data))
        {
            final JsonNode task = server.postJson("/api/v1/workflows", "{\"name\":\"dumped\",\"steps\":[{\"name\":" +
                "\"SEND\",\"type\":\"task\",\"timeout_ms\":60000},{\"name\":\"REVIEW\",\"type\":\"approval\"}]," +
                "\"input\":{\"text\":\"two words\"}}").json();
            final String id = task.get("id").asText();
            final JsonNode fetched = server.postJson("/api/v1/tasks/fetch",
                "{\"steps\":[\"SEND\"],\"wait_ms\":5000,\"worker_id\":\"7\"}").json();
            final long token = fetched.path("tasks").path(0).path("fencing_token").asLong();
            assertTrue(token > 0, fetched.toString());
            server.postJson("/api/v1/tasks/" + id + "/complete", "{\"fencing_token\":" + token +
                ",\"output\":{\"sent\":true}}");
            server.postJson("/api/v1/workflows/" + id + "/advance", "{\"output\":{\"ok\":1}}");
            final String other = server.postJson("/api/v1/workflows", "{\"name\":\"other\",\"steps\":[\"A\"]}")
                .json().get("id").asText();
            server.postJson("/api/v1/workflows/" + other + "/cancel", "{\"reason\":\"by hand\"}");

            final Run events = run(Map.of("AXIOM_SERVER", "http://127.0.0.1:" + server.port()),
                "workflow", "events", id);
            assertEquals(0, events.code(), events.toString());
            eventsView = events.out();
        }
    }

    @Test
    void eachJsonLineIsTheRecordOfTheSameTextLine() throws IOException
    {
        final Run text = run(Map.of(), "wal", "dump", "--data-dir", data.toString());
        final Run json = run(Map.of(), "wal", "dump", "--data-dir", data.toString(), "--json");
        final Run before = run(Map.of(), "--json", "wal", "dump", "--data-dir", data.toString());

        assertEquals(0, text.code(), text.toString());
        assertEquals(0, json.code(), json.toString());
        assertEquals(json.out(), before.out(), "--json before the command is the same");
        assertEquals(text.err(), json.err(), "the record count goes to stderr in both forms");
        final List<String> lines = text.out().lines().toList();
        final List<String> objects = json.out().lines().toList();
        assertEquals(lines.size(), objects.size());
        for (final String type : List.of("WorkflowCreated", "StepLeased", "StepCompleted", "WorkflowWaiting",
            "WorkflowCompleted", "WorkflowCancelled"))
        {
            assertTrue(json.out().contains("\"type\":\"" + type + "\""), type + " missing from\n" + json.out());
        }

        for (int i = 0; i < lines.size(); i++)
        {
            final JsonNode record = MAPPER.readTree(objects.get(i));
            assertTrue(record.isObject(), objects.get(i));
            assertTrue(record.get("timestamp").asText().matches(ISO), objects.get(i));
            final String head = "pos=" + record.get("position").asLong() + " seq=" + record.get("sequence").asLong() +
                " " + record.get("timestamp").asText() + " " + record.get("type").asText() + " workflow_id=" +
                record.get("workflow_id").asText();
            assertTrue(lines.get(i).equals(head) || lines.get(i).startsWith(head + " "),
                lines.get(i) + "\n" + objects.get(i));
            final Iterator<Map.Entry<String, JsonNode>> fields = record.fields();
            while (fields.hasNext())
            {
                final Map.Entry<String, JsonNode> field = fields.next();
                if (field.getValue().isValueNode() && !field.getValue().isTextual() && !field.getValue().isNull())
                {
                    assertTrue(lines.get(i).contains(" " + field.getKey() + "=" + field.getValue()) ||
                        List.of("position", "sequence").contains(field.getKey()),
                        field + " missing from " + lines.get(i));
                }
            }
        }
        assertTrue(json.out().contains("\"type\":\"StepLeased\""), json.out());
        assertTrue(json.out().contains("\"input\":{\"text\":\"two words\"}"), "client JSON stays JSON: " + json.out());
        assertTrue(json.out().contains("\"reason\":\"by hand\""), json.out());
    }

    @Test
    void fromAndLimitSelectTheSameRecordsInBothForms() throws IOException
    {
        final List<String> all = run(Map.of(), "wal", "dump", "--data-dir", data.toString(), "--json").out().lines()
            .toList();
        final long third = MAPPER.readTree(all.get(2)).get("position").asLong();

        final Run page = run(Map.of(), "wal", "dump", "--data-dir", data.toString(), "--json", "--from",
            Long.toString(third), "--limit", "2");
        assertEquals(0, page.code(), page.toString());
        final List<String> paged = page.out().lines().toList();
        assertEquals(2, paged.size(), page.out());
        for (int i = 0; i < 2; i++)
        {
            // from the middle of the log a record has no step name: its workflow's creation was not read
            final JsonNode expected = MAPPER.readTree(all.get(2 + i));
            ((ObjectNode)expected).remove("step");
            assertEquals(expected, MAPPER.readTree(paged.get(i)));
        }

        final Run bad = run(Map.of(), "wal", "dump", "--data-dir", data.toString(), "--json", "--limit", "-1");
        assertEquals(2, bad.code(), bad.toString());
        assertEquals("", bad.out());
        assertTrue(bad.err().contains("must not be negative"), bad.err());

        final Run missing = run(Map.of(), "wal", "dump", "--data-dir", data.resolve("nothing").toString(), "--json");
        assertEquals(1, missing.code(), missing.toString());
        assertEquals("", missing.out());
    }

    @Test
    void theEventViewShowsEveryTimeInIso()
    {
        final String leased = eventsView.lines().filter(l -> l.contains("StepLeased")).findFirst().orElseThrow(
            () -> new AssertionError("no StepLeased in\n" + eventsView));
        assertTrue(leased.matches(".*\\s" + ISO + "\\s+StepLeased\\s.*"), leased);
        assertTrue(leased.matches(".* lease_expires_at=" + ISO + "( .*|$)"), leased);
        assertTrue(leased.matches(".* attempt_deadline=" + ISO + "( .*|$)"), leased);
        assertTrue(leased.contains(" fencing_token=") && !leased.matches(".*=1\\d{12}( .*|$)"),
            "no epoch milliseconds left: " + leased);
    }

    private static Run run(final Map<String, String> env, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(env, new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
