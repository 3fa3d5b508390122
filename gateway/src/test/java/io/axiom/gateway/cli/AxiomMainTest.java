package io.axiom.gateway.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.RandomAccessFile;
import java.io.StringWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.config.ConfigKey;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The {@code axiom} command line, run in-process with captured output and an injected environment.
 */
class AxiomMainTest
{
    private static final Pattern LISTENING = Pattern.compile("Axiom listening on (http://127\\.0\\.0\\.1:(\\d+))");

    @TempDir
    Path dir;

    /**
     * Output of one command run.
     */
    record Run(int code, String out, String err)
    {
    }

    @Test
    void helpListsCommandsWithDescriptions()
    {
        final Run run = run(Map.of(), "--help");

        assertEquals(0, run.code());
        assertTrue(run.out().contains("server") && run.out().contains("Run the engine and its HTTP gateway"),
            run.out());
        assertTrue(run.out().contains("wal") && run.out().contains("Inspect the write-ahead log"), run.out());
    }

    @Test
    void missingCommandIsAUsageError()
    {
        final Run run = run(Map.of());

        assertEquals(2, run.code());
        assertTrue(run.err().contains("Missing command"), run.err());
    }

    @Test
    void serverHelpListsAFlagForEveryKey()
    {
        final Run run = run(Map.of(), "server", "--help");

        assertEquals(0, run.code());
        for (final ConfigKey key : ConfigKey.values())
        {
            assertTrue(run.out().contains(key.flagName()), key.flagName() + " missing from\n" + run.out());
        }
        assertTrue(run.out().contains("--port") && run.out().contains("--data-dir") && run.out().contains("--config"));
    }

    @Test
    void badFlagValueIsAUsageErrorNamingTheKey()
    {
        final Run run = run(Map.of(), "server", "--port", "abc", "--data-dir", dir.toString());

        assertEquals(2, run.code());
        assertTrue(run.err().contains("gateway.port") && run.err().contains("'abc'"), run.err());

        final Run fsync = run(Map.of(), "server", "--wal.fsync", "maybe", "--data-dir", dir.toString());
        assertEquals(2, fsync.code());
        assertTrue(fsync.err().contains("wal.fsync") && fsync.err().contains("true or false"), fsync.err());
    }

    @Test
    void badEnvironmentValueIsAUsageError()
    {
        final Run run = run(Map.of("AXIOM_WAL_FSYNC", "sometimes"), "server", "--data-dir", dir.toString());

        assertEquals(2, run.code());
        assertTrue(run.err().contains("AXIOM_WAL_FSYNC"), run.err());
    }

    @Test
    void unknownFlagAndMissingConfigFileAreUsageErrors()
    {
        assertEquals(2, run(Map.of(), "server", "--bogus").code());

        final Run missing = run(Map.of(), "server", "--config", dir.resolve("nope.yaml").toString());
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("nope.yaml"), missing.err());
    }

    @Test
    void serverRunsWalToolsInspectAndCorruptionStopsTheNextStart() throws Exception
    {
        final Path data = dir.resolve("data");
        final Path config = dir.resolve("axiom.yaml");
        Files.writeString(config, "wal:\n  max-segment-size: 1MiB\n  fsync: false\n");

        final String url = runServerAndCreate(data, config);
        assertTrue(url.startsWith("http://127.0.0.1:"));

        final Run verify = run(Map.of(), "wal", "verify", "--data-dir", data.toString());
        assertEquals(0, verify.code(), verify.toString());
        assertTrue(verify.out().contains("faults: none") && verify.out().contains("OK"), verify.out());

        final Run dump = run(Map.of(), "wal", "dump", "--data-dir", data.toString());
        assertEquals(0, dump.code(), dump.toString());
        assertTrue(dump.out().lines()
            .anyMatch(l -> l.matches("pos=\\d+ seq=1 \\S+Z WorkflowCreated .*name=cli_made.*")), dump.out());
        assertTrue(dump.out().contains("WorkflowCancelled"), dump.out());

        final Run limited = run(Map.of(), "wal", "dump", "--data-dir", data.toString(), "--limit", "1");
        assertEquals(1, limited.out().lines().count(), limited.out());

        corruptFirstRecord(data);
        final Run corrupt = run(Map.of(), "wal", "verify", "--data-dir", data.toString());
        assertEquals(1, corrupt.code(), corrupt.toString());
        assertTrue(corrupt.out().contains("CORRUPT"), corrupt.out());

        // With snapshots on, start-up checks only the log after the shutdown snapshot, and this record lies before
        // it (the background check reports it: BackgroundCheckTest); with them off every record is checked.
        final Path noSnapshots = dir.resolve("no-snapshots.yaml");
        Files.writeString(noSnapshots, "wal:\n  max-segment-size: 1MiB\n  fsync: false\n  snapshot-retain: 0\n");
        final Run refused = run(Map.of(), "server", "--port", "0", "--data-dir", data.toString(),
            "--config", noSnapshots.toString(), "--ingress", TestServer.freeIngress());
        assertEquals(2, refused.code(), refused.toString());
        assertTrue(refused.err().contains("engine failed"), refused.err());
    }

    @Test
    void workerNeedsDemoAndStepsAndChecksItsNumbers()
    {
        final Run none = run(Map.of(), "worker");
        assertEquals(2, none.code());
        assertTrue(none.err().contains("--demo") && none.err().contains("--steps"), none.err());

        final Run rate = run(Map.of(), "worker", "--demo", "--steps", "A", "--fail-rate", "1.5");
        assertEquals(2, rate.code());
        assertTrue(rate.err().contains("--fail-rate must be between 0 and 1"), rate.err());

        final Run ingress = run(Map.of(), "worker", "--demo", "--steps", "A", "--ingress", "tcp://x");
        assertEquals(2, ingress.code());
        assertTrue(ingress.err().contains("ingress channel 'tcp://x' is not an Aeron channel"), ingress.err());

        // Several members' ingress, repeated or as a comma list (split only before "aeron:"): all read, in order.
        final String mixed = "all IPC or all UDP: [aeron:udp?endpoint=localhost:1|tags=1,2, aeron:ipc]";
        final Run repeated = run(Map.of(), "worker", "--demo", "--steps", "A",
            "--ingress", "aeron:udp?endpoint=localhost:1|tags=1,2", "--ingress", "aeron:ipc");
        assertEquals(2, repeated.code());
        assertTrue(repeated.err().contains(mixed), repeated.err());
        final Run listed = run(Map.of(), "worker", "--demo", "--steps", "A",
            "--ingress", "aeron:udp?endpoint=localhost:1|tags=1,2,aeron:ipc");
        assertEquals(2, listed.code());
        assertTrue(listed.err().contains(mixed), listed.err());

        final Run help = run(Map.of(), "--help");
        assertTrue(help.out().contains("worker") && help.out().contains("demo worker over Aeron"), help.out());
    }

    @Test
    void walToolsOnAMissingDirectoryFail()
    {
        final Run run = run(Map.of(), "wal", "verify", "--data-dir", dir.resolve("absent").toString());

        assertEquals(1, run.code());
        assertTrue(run.err().contains("no journal directory"), run.err());
    }

    private String runServerAndCreate(final Path data, final Path config) throws Exception
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final AtomicInteger code = new AtomicInteger(-1);
        final Thread thread = new Thread(() -> code.set(AxiomMain.execute(Map.of("AXIOM_CONFIG", config.toString()),
            new PrintWriter(out), new PrintWriter(err), "server", "--port", "0", "--data-dir", data.toString(),
            "--ingress", TestServer.freeIngress())));
        thread.start();
        try
        {
            TestServer.await("listening line", () -> LISTENING.matcher(out.toString()).find() || code.get() >= 0);
            final Matcher m = LISTENING.matcher(out.toString());
            assertTrue(m.find(), out + "\n" + err);
            assertTrue(out.toString().contains("(file " + config + ")"), out.toString());
            assertTrue(out.toString().contains("workers over Aeron: ingress aeron:udp?endpoint=localhost:"),
                out.toString());
            assertTrue(out.toString().contains(" WARN  server   wal.fsync is false"), out.toString());
            TestServer.await("ready line", () -> out.toString().contains("Axiom ready"));

            final String url = m.group(1);
            try (HttpClient http = HttpClient.newHttpClient())
            {
                final HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(url +
                    "/api/v1/workflows")).header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"name\":\"cli_made\",\"steps\":[\"A\",\"B\"]}"))
                    .build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(201, created.statusCode(), created.body());
                final HttpResponse<String> cancelled = http.send(HttpRequest.newBuilder(URI.create(url +
                    created.headers().firstValue("Location").orElseThrow() + "/cancel"))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
                assertEquals(200, cancelled.statusCode(), cancelled.body());
            }
            return url;
        }
        finally
        {
            thread.interrupt();
            thread.join(Duration.ofSeconds(30));
            assertFalse(thread.isAlive(), "server command did not stop");
            assertEquals(0, code.get(), out + "\n" + err);
        }
    }

    private static void corruptFirstRecord(final Path data) throws IOException
    {
        final Path segment;
        try (Stream<Path> files = Files.list(data))
        {
            segment = files.filter(p -> p.toString().endsWith(".wal")).sorted().findFirst().orElseThrow();
        }
        try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw"))
        {
            final long offset = 64 + 32 + 8;
            file.seek(offset);
            final int b = file.read();
            file.seek(offset);
            file.write(b ^ 0xFF);
        }
    }

    private static Run run(final Map<String, String> env, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(env, new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
