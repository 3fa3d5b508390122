package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code axiom snapshot take} and {@code axiom snapshot list} against a running server: a table for people, the
 * API's JSON with {@code --json}, exit 1 with the server's problem when it refuses, 2 for bad usage.
 */
class SnapshotCommandTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int code, String out, String err)
    {
    }

    @Test
    void takeThenListAsTableAndJson() throws Exception
    {
        try (TestServer server = TestServer.start(dir))
        {
            final String url = "http://127.0.0.1:" + server.port();
            final Run empty = axiom("--server", url, "snapshot", "take");
            assertEquals(1, empty.code(), empty.toString());
            assertTrue(empty.err().contains("NOTHING_TO_SNAPSHOT"), empty.err());

            assertEquals(201, server.postJson("/api/v1/workflows",
                "{\"name\":\"a\",\"steps\":[{\"name\":\"CHECK\",\"type\":\"approval\"}]}").status());
            final Run take = axiom("--server", url, "snapshot", "take");
            assertEquals(0, take.code(), take.toString());
            assertTrue(take.out().startsWith("FILE"), take.out());
            final String file = String.format("snapshot-%020d.snap", server.engine().journalPosition());
            assertTrue(take.out().contains(file), take.out());

            final Run takeJson = axiom("snapshot", "take", "--json", "--server", url);
            assertEquals(0, takeJson.code(), takeJson.toString());
            final JsonNode taken = MAPPER.readTree(takeJson.out());
            assertEquals(file, taken.get("file").asText());
            assertEquals(server.engine().journalPosition(), taken.get("position").asLong());

            final Run list = axiom("--server", url, "snapshot", "list");
            assertEquals(0, list.code(), list.toString());
            assertTrue(list.out().lines().anyMatch(l -> l.startsWith(file) && l.contains("yes")), list.out());
            assertTrue(list.out().endsWith("1 snapshot(s)\n"), list.out());

            final Run listJson = axiom("--json", "--server", url, "snapshot", "list");
            assertEquals(0, listJson.code(), listJson.toString());
            final JsonNode listed = MAPPER.readTree(listJson.out());
            assertEquals(file, listed.at("/snapshots/0/file").asText());
            assertTrue(listed.at("/snapshots/0/startup").asBoolean());
        }
    }

    @Test
    void usageAndRefusals()
    {
        final Run missing = axiom("snapshot");
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("Missing command"), missing.err());
        final Run bad = axiom("snapshot", "take", "--timeout-s", "0");
        assertEquals(2, bad.code(), bad.toString());
        final Run unknown = axiom("snapshot", "delete");
        assertEquals(2, unknown.code(), unknown.toString());
        final Run unreachable = axiom("--server", "http://127.0.0.1:1", "snapshot", "list");
        assertEquals(1, unreachable.code(), unreachable.toString());

        try (TestServer server = TestServer.start(dir, "--wal.snapshot-retain", "0"))
        {
            final Run off = axiom("--server", "http://127.0.0.1:" + server.port(), "snapshot", "take");
            assertEquals(1, off.code(), off.toString());
            assertTrue(off.err().contains("SNAPSHOTS_DISABLED"), off.err());
            final Run list = axiom("--server", "http://127.0.0.1:" + server.port(), "snapshot", "list");
            assertEquals(0, list.code(), list.toString());
            assertTrue(list.out().contains("snapshots are off"), list.out());
        }

        final StringWriter out = new StringWriter();
        AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(new StringWriter()), "completion");
        assertTrue(out.toString().contains("snapshot"), "the completion script knows the snapshot commands");
    }

    private static Run axiom(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
