package io.axiom.gateway.system;

import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.gateway.system.SystemHttp.WORKFLOWS;
import static io.axiom.gateway.system.SystemHttp.readTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The server's log, read from a real {@code bin/axiom server} process: one line per event, in JSON
 * ({@code --log-format json}) and in text, with the start, listening, ready and stop lines (the stop line naming the
 * shutdown snapshot), and a refused request at DEBUG only when {@code --log-level debug} asks for it.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ServerLogSystemTest
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern TIMESTAMP = Pattern.compile("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z");
    private static final Pattern TEXT_LINE = Pattern.compile(
        "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z (ERROR|WARN |INFO |DEBUG) [a-zA-Z0-9]+ +\\S.*");
    private static final String CREATE = "{\"name\":\"logged\",\"steps\":[\"A\"]}";

    @TempDir
    Path dir;

    private final List<ServerProcess> servers = new ArrayList<>();
    private final SystemHttp http = new SystemHttp(REQUEST_TIMEOUT);

    @AfterEach
    void stopServers()
    {
        servers.forEach(ServerProcess::close);
        http.close();
    }

    @Test
    void jsonLinesCarryStartListeningReadyRefusalsAndStop() throws Exception
    {
        final ServerProcess server = start("json", "--log-format", "json", "--log-level", "debug");
        assertEquals(201, http.post(server, WORKFLOWS, CREATE).statusCode());
        assertEquals(404, http.get(server, "/api/v1/nothing-here").statusCode());
        final HttpResponse<String> bad = http.post(server, WORKFLOWS, "{\"name\":\"x\",\"steps\":[\"A\"],\"nope\":1}");
        assertEquals(400, bad.statusCode());
        final String badCode = readTree(bad.body()).get("code").asText();
        SystemHttp.await(server, REQUEST_TIMEOUT, "the DEBUG line of the 400",
            () -> server.output().contains("POST " + WORKFLOWS + " 400 " + badCode));

        server.terminate(STOP_TIMEOUT);
        final List<JsonNode> lines = new ArrayList<>();
        for (final String line : server.output().lines().toList())
        {
            final JsonNode node = readTree(line); // every line of the process is one JSON object
            for (final String field : List.of("ts", "level", "logger", "msg"))
            {
                assertTrue(node.hasNonNull(field), "no " + field + " in " + line);
            }
            assertTrue(TIMESTAMP.matcher(node.get("ts").asText()).matches(), line);
            lines.add(node);
        }

        final JsonNode starting = only(server, lines,
            n -> n.get("msg").asText().matches("axiom \\S+ starting \\(pid \\d+\\)"));
        assertEquals("INFO", starting.get("level").asText());
        assertEquals("axiom.server", starting.get("logger").asText());
        final JsonNode listening = only(server, lines, n -> n.get("msg").asText().startsWith("Axiom listening on "));
        assertEquals("Axiom listening on " + server.uri("/").toString().replaceAll("/$", ""),
            listening.get("msg").asText());
        final JsonNode ready = only(server, lines, n -> n.get("msg").asText().startsWith("Axiom ready: "));
        assertEquals("axiom.server", ready.get("logger").asText());
        assertTrue(ready.get("msg").asText().matches("Axiom ready: 0 events recovered, journal position \\d+ " +
            "\\(no snapshot, 0 events replayed in \\d+ ms\\)"), ready.toString());
        only(server, lines, n -> n.get("msg").asText().startsWith("recovery: 1 segment(s), 0 records"));
        final JsonNode stopped = only(server, lines, n -> n.get("msg").asText().startsWith("Axiom stopped: "));
        assertEquals("INFO", stopped.get("level").asText());
        assertTrue(stopped.get("msg").asText().matches("Axiom stopped: shutdown snapshot at position \\d+ " +
            "\\(\\d+ bytes, written in \\d+ ms\\); journal position \\d+, \\d+ events"), stopped.toString());
        // logged by the snapshot writer while the JVM exits: the JDK's LogManager must not have dropped the handler
        final JsonNode snapshot = only(server, lines, n -> n.get("msg").asText().startsWith("snapshot written at "));
        assertEquals("axiom.snapshot", snapshot.get("logger").asText());
        assertTrue(stopped.get("msg").asText().contains(snapshot.get("msg").asText()
            .replaceAll("snapshot written at (position \\d+) .*", "$1")), snapshot + " " + stopped);
        assertTrue(indexOf(lines, starting) < indexOf(lines, listening) &&
            indexOf(lines, listening) < indexOf(lines, ready) && indexOf(lines, ready) < indexOf(lines, stopped),
            "start, listening, ready, stop in that order:\n" + server.output());

        final JsonNode notFound = only(server, lines, n -> n.get("msg").asText()
            .startsWith("GET /api/v1/nothing-here 404 ROUTE_NOT_FOUND: "));
        assertEquals("DEBUG", notFound.get("level").asText());
        assertEquals("axiom.http", notFound.get("logger").asText());
        final JsonNode refused = only(server, lines, n -> n.get("msg").asText()
            .startsWith("POST " + WORKFLOWS + " 400 " + badCode + ": "));
        assertEquals("DEBUG", refused.get("level").asText());
        assertFalse(lines.stream().anyMatch(n -> n.get("msg").asText().startsWith("POST " + WORKFLOWS + " 201")),
            "successful requests are not logged:\n" + server.output());
    }

    @Test
    void textLinesHaveTheShapeAndRefusalsStayOutAtInfo() throws Exception
    {
        final ServerProcess server = start("text");
        assertEquals(201, http.post(server, WORKFLOWS, CREATE).statusCode());
        assertEquals(404, http.get(server, "/api/v1/nothing-here").statusCode());
        server.terminate(STOP_TIMEOUT);

        final String output = server.output();
        output.lines().forEach(line -> assertTrue(TEXT_LINE.matcher(line).matches(), "not a log line: " + line +
            "\n" + output));
        assertOneLine(output, " INFO  server   axiom \\S+ starting \\(pid \\d+\\)");
        assertOneLine(output, " INFO  config   wal\\.fsync +=  ?true +\\(default\\)");
        assertOneLine(output, " INFO  server   Axiom listening on http://127\\.0\\.0\\.1:\\d+");
        assertOneLine(output, " INFO  server   Axiom ready: 0 events recovered, .*");
        assertOneLine(output, " INFO  server   Axiom stopped: shutdown snapshot at position \\d+ .*");
        assertFalse(output.contains("nothing-here"), "a 404 is logged at DEBUG only:\n" + output);
        assertFalse(output.contains(" DEBUG "), output);
    }

    @Test
    void aStopWithNothingNewNamesTheSnapshotStartUpLoaded() throws Exception
    {
        final ServerProcess first = start("again");
        assertEquals(201, http.post(first, WORKFLOWS, CREATE).statusCode());
        first.terminate(STOP_TIMEOUT);
        final java.util.regex.Matcher written = java.util.regex.Pattern
            .compile("Axiom stopped: shutdown snapshot at position (\\d+) ").matcher(first.output());
        assertTrue(written.find(), first.output());

        final ServerProcess second = start("again"); // the same data directory: starts from that snapshot
        second.terminate(STOP_TIMEOUT);
        assertOneLine(second.output(), " INFO  server   Axiom stopped: no shutdown snapshot \\(nothing new since the " +
            "snapshot at position " + written.group(1) + "\\); .*");
    }

    private ServerProcess start(final String name, final String... extraArgs)
    {
        final ServerProcess server = ServerProcess.startServer(name, dir.resolve(name), START_TIMEOUT, extraArgs);
        servers.add(server);
        return server;
    }

    private static void assertOneLine(final String output, final String regex)
    {
        final Pattern pattern = Pattern.compile(TIMESTAMP.pattern() + regex);
        assertEquals(1, output.lines().filter(l -> pattern.matcher(l).matches()).count(),
            "expected one line matching " + pattern + " in\n" + output);
    }

    private static JsonNode only(
        final ServerProcess server, final List<JsonNode> lines, final Predicate<JsonNode> which)
    {
        final List<JsonNode> found = lines.stream().filter(which).toList();
        if (1 != found.size())
        {
            throw server.failure("expected one such line, found " + found.size(), null);
        }
        return found.getFirst();
    }

    private static int indexOf(final List<JsonNode> lines, final JsonNode line)
    {
        for (int i = 0; i < lines.size(); i++)
        {
            if (lines.get(i) == line)
            {
                return i;
            }
        }
        return -1;
    }
}
