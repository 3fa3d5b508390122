package io.axiom.gateway.cli.client;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
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
 * {@code axiom verify --data-dir D}: offline, without a server, read-only. Exit 0 with the report when the log is
 * sound, 1 when it finds a violation (each named with its position, workflow and step) or has nothing to read, 2 for
 * bad usage; {@code --json} prints the same document as the live endpoint.
 */
class VerifyCommandTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    private record Run(int code, String out, String err)
    {
    }

    @Test
    void aSoundLogExitsZeroAndADamagedOneExitsOneNamingThePosition() throws IOException
    {
        final long advanced;
        try (TestServer server = TestServer.start(dir))
        {
            assertEquals(201, server.postJson("/api/v1/workflows",
                "{\"name\":\"a\",\"steps\":[{\"name\":\"CHECK\",\"type\":\"approval\"}]}").status());
            assertEquals(201, server.postJson("/api/v1/workflows",
                "{\"name\":\"b\",\"steps\":[{\"name\":\"CHECK\",\"type\":\"approval\"}]}").status());
            assertEquals(200, server.postJson("/api/v1/workflows/1/advance", "{}").status());
            assertEquals(200, server.postJson("/api/v1/workflows/2/advance", "{}").status());
            advanced = stepCompletedPosition(server.get("/api/v1/workflows/1/events").json());
        }

        final Run sound = axiom("verify", "--data-dir", dir.toString());
        assertEquals(0, sound.code(), sound.toString());
        assertTrue(sound.out().contains("(offline, read-only)") && sound.out().contains("violations: none") &&
            sound.out().endsWith("OK\n"), sound.out());
        assertTrue(sound.out().contains("workflows: 2 (COMPLETED 2)"), sound.out());

        final Run json = axiom("verify", "--data-dir", dir.toString(), "--json");
        assertEquals(0, json.code(), json.toString());
        final JsonNode report = MAPPER.readTree(json.out());
        assertTrue(report.get("ok").asBoolean());
        assertEquals("offline", report.get("mode").asText());
        assertTrue(report.get("consistent").isNull());

        try (RandomAccessFile raf = new RandomAccessFile(dir.resolve("00000000000000000000.wal").toFile(), "rw"))
        {
            raf.seek(advanced + 40);
            final int b = raf.read();
            raf.seek(advanced + 40);
            raf.write(b ^ 0xFF);
        }
        final Run damaged = axiom("verify", "--data-dir", dir.toString());
        assertEquals(1, damaged.code(), damaged.toString());
        assertTrue(damaged.out().lines().anyMatch(l -> l.startsWith("  CHECKSUM_MISMATCH at position " + advanced +
            ": ")), damaged.out());
        assertTrue(damaged.out().endsWith("VIOLATIONS\n"), damaged.out());
        assertTrue(damaged.err().startsWith("axiom: VIOLATIONS: "), damaged.err());

        final Run damagedJson = axiom("verify", "--data-dir", dir.toString(), "--json");
        assertEquals(1, damagedJson.code(), damagedJson.toString());
        final JsonNode first = MAPPER.readTree(damagedJson.out()).get("violations").get(0);
        assertEquals("CHECKSUM_MISMATCH", first.get("kind").asText());
        assertEquals(advanced, first.get("position").asLong());
    }

    @Test
    void usageErrorsExitTwoAndAMissingDirectoryExitsOne()
    {
        final Run both = axiom("verify", "--data-dir", dir.toString(), "--server", "http://127.0.0.1:1");
        assertEquals(2, both.code(), both.toString());
        assertTrue(both.err().contains("not both"), both.err());

        final Run timeout = axiom("verify", "--data-dir", dir.toString(), "--timeout-s", "0");
        assertEquals(2, timeout.code(), timeout.toString());

        final Run unknown = axiom("verify", "--data-dri", dir.toString());
        assertEquals(2, unknown.code(), unknown.toString());

        final Run absent = axiom("verify", "--data-dir", dir.resolve("absent").toString());
        assertEquals(1, absent.code(), absent.toString());
        assertTrue(absent.err().contains("no data directory at"), absent.err());

        final Run empty = axiom("verify", "--data-dir", dir.toString());
        assertEquals(1, empty.code(), empty.toString());
        assertTrue(empty.out().contains("CORRUPT_LOG") && empty.out().contains("no journal"), empty.out());
    }

    @Test
    void aServersReportReadsBackAsTheSameReport()
    {
        try (TestServer server = TestServer.start(dir))
        {
            final TestServer.Response res = server.post("/api/v1/verify", null, null);
            final JsonNode json = res.json();
            final io.axiom.core.api.VerificationReport report = VerifyCommand.report(json);
            assertEquals(res.body(), report.toJson(), "every field of the JSON is read back");
            final Run live = axiom("verify", "--server", "http://127.0.0.1:" + server.port());
            assertEquals(0, live.code(), live.toString());
            assertTrue(live.out().contains("(live, up to the consistent point at position"), live.out());
        }
    }

    private static long stepCompletedPosition(final JsonNode events)
    {
        for (final JsonNode e : events.get("events"))
        {
            if ("StepCompleted".equals(e.get("type").asText()))
            {
                return e.get("position").asLong();
            }
        }
        throw new AssertionError("no StepCompleted in " + events);
    }

    private static Run axiom(final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
