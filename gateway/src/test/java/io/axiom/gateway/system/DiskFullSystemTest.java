package io.axiom.gateway.system;

import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static io.axiom.gateway.system.SystemHttp.WORKFLOWS;
import static io.axiom.gateway.system.SystemHttp.await;
import static io.axiom.gateway.system.SystemHttp.readTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * A full disk is an outage of writes, not of the server: the real {@code bin/axiom server} on a 1 MiB tmpfs, almost
 * filled by a file the test wrote first, takes creates until the journal cannot get its next segment; then a create
 * answers 507 {@code DISK_FULL} and writes nothing (the journal position and the list stay where they were), reads
 * and probes go on ({@code /ready} 200 {@code DEGRADED}, {@code axiom_storage_status 2}, an ERROR line in the log), and
 * once the file is deleted writes resume by themselves. A restart on the same tmpfs finds every acknowledged
 * workflow.
 * <p>
 * Mounting needs root (CI runs as root); elsewhere the test is skipped, saying why.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DiskFullSystemTest
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RESUME_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final int TMPFS_KIB = 1024;
    private static final int SEGMENT_BYTES = 64 * 1024;
    /** Left free by the filler: the lock file, the first segment and about two more. */
    private static final int ROOM_BYTES = 200 * 1024;
    private static final int INPUT_CHARS = 6000;
    private static final int MAX_CREATES = 200;
    private static final int EXTRA_REFUSALS = 3;
    private static final Pattern STORAGE_FULL = Pattern.compile("(?m)^axiom_storage_status 2(\\.0)?$");
    private static final Pattern STORAGE_OK = Pattern.compile("(?m)^axiom_storage_status 0(\\.0)?$");
    /** The log line (level ERROR, source storage) said once when writes start being refused. */
    private static final String FULL_WARNING = " ERROR storage  writes are refused (507 DISK_FULL), reads go on: ";
    private static final String ROOM_AGAIN = " INFO  storage  room for the journal again, writes accepted";

    @TempDir
    Path dir;

    private final List<ServerProcess> servers = new ArrayList<>();
    private final SystemHttp http = new SystemHttp(REQUEST_TIMEOUT);
    /** Workflow id to the body of its acknowledged create. */
    private final Map<String, JsonNode> acked = new LinkedHashMap<>();
    private Path mountPoint;

    @AfterEach
    void stopServersAndUnmount() throws Exception
    {
        try
        {
            servers.forEach(ServerProcess::close);
            http.close();
        }
        finally
        {
            if (null != mountPoint)
            {
                if (0 != run("umount", mountPoint.toString()).status())
                {
                    final CommandResult lazy = run("umount", "-l", mountPoint.toString());
                    assertEquals(0, lazy.status(), "cannot unmount " + mountPoint + ": " + lazy.output());
                }
            }
        }
    }

    @Test
    void writesAreRefusedWhileTheDiskIsFullReadsGoOnAndWritesResumeOnceSpaceIsFreed() throws Exception
    {
        mountTmpfs();
        final Path filler = mountPoint.resolve("filler");
        final long fillerBytes = Files.getFileStore(mountPoint).getUsableSpace() - ROOM_BYTES;
        writeZeros(filler, fillerBytes);
        final Path dataDir = mountPoint.resolve("data");

        // ---- 1. creates until the journal cannot get its next segment ----
        final ServerProcess server = start("server-1", dataDir);
        HttpResponse<String> refused = null;
        long positionBefore = -1;
        long recordsBefore = -1;
        for (int n = 0; n < MAX_CREATES && null == refused; n++)
        {
            final JsonNode metrics = http.getOk(server, "/api/v1/metrics");
            positionBefore = metrics.at("/events/journal_position_bytes").asLong();
            recordsBefore = metrics.at("/events/journal_records").asLong();
            final HttpResponse<String> answer = http.post(server, WORKFLOWS, body("fill-" + n, n));
            if (201 == answer.statusCode())
            {
                final JsonNode workflow = readTree(answer.body());
                acked.put(workflow.get("id").asText(), workflow);
            }
            else if (507 == answer.statusCode())
            {
                refused = answer;
            }
            else
            {
                throw server.failure("create " + n + " answered " + answer.statusCode() + " " + answer.body(), null);
            }
        }
        if (null == refused)
        {
            throw server.failure(MAX_CREATES + " creates of " + INPUT_CHARS + " characters on a " + TMPFS_KIB +
                " KiB tmpfs were all acknowledged: the full disk was never noticed", null);
        }
        System.out.println("DiskFullSystemTest: " + acked.size() + " creates acknowledged, then 507 at journal " +
            "position " + positionBefore + " with " + filler.getFileName() + " of " + fillerBytes + " bytes on a " +
            TMPFS_KIB + " KiB tmpfs: " + refused.body());
        assertTrue(acked.size() >= 5, "the disk was full too early to prove anything: " + acked.size() + " creates");
        assertDiskFull(refused);
        assertNothingWritten(server, positionBefore, recordsBefore);

        // ---- 2. the server says so, once, and goes on refusing writes without writing ----
        await(server, COMMAND_TIMEOUT, "an ERROR line that writes are refused",
            () -> server.output().contains(FULL_WARNING));
        for (int i = 0; i < EXTRA_REFUSALS; i++)
        {
            assertDiskFull(http.post(server, WORKFLOWS, body("refused-" + i, i)));
            assertNothingWritten(server, positionBefore, recordsBefore);
        }
        assertEquals(1, server.output().lines().filter(l -> l.contains(FULL_WARNING)).count(),
            "the ERROR line is logged when the status changes, not per refusal:\n" + server.output());

        // ---- 3. reads and probes go on ----
        checkEveryAcknowledgedWorkflow(server);
        final JsonNode first = acked.values().iterator().next();
        final JsonNode events = http.getOk(server, WORKFLOWS + "/" + first.get("id").asText() + "/events");
        assertEquals(first.get("event_count").asInt(), events.get("total").asInt(), events.toString());
        assertEquals("WorkflowCreated", events.at("/events/0/type").asText(), events.toString());
        assertEquals("UP", http.getOk(server, "/health").get("status").asText());
        final JsonNode storage = http.getOk(server, "/api/v1/metrics").get("storage");
        assertEquals("FULL", storage.get("status").asText(), storage.toString());
        final String prometheus = prometheus(server);
        assertTrue(STORAGE_FULL.matcher(prometheus).find(), prometheus);
        final JsonNode degraded = http.getOk(server, "/ready");
        assertEquals("DEGRADED", degraded.get("status").asText(), degraded.toString());
        assertTrue(degraded.path("detail").asText().contains("writes are refused (507 DISK_FULL)"),
            degraded.toString());
        System.out.println("DiskFullSystemTest: /ready while full: " + degraded);

        // ---- 4. space is freed: writes resume by themselves ----
        Files.delete(filler);
        final long freedAt = System.nanoTime();
        final int[] attempts = {0};
        await(server, RESUME_TIMEOUT, "a create answering 201 after space was freed", () ->
        {
            attempts[0]++;
            final HttpResponse<String> answer = post(server, body("after-free-" + attempts[0], attempts[0]));
            if (201 == answer.statusCode())
            {
                final JsonNode workflow = readTree(answer.body());
                acked.put(workflow.get("id").asText(), workflow);
                return true;
            }
            assertDiskFull(answer);
            return false;
        });
        System.out.println("DiskFullSystemTest: writes resumed " +
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - freedAt) + " ms after the filler was deleted, at " +
            "attempt " + attempts[0]);
        await(server, RESUME_TIMEOUT, "/ready READY again", () -> "READY".equals(ready(server)));
        await(server, RESUME_TIMEOUT, "axiom_storage_status 0 again",
            () -> STORAGE_OK.matcher(prometheus(server)).find());
        await(server, RESUME_TIMEOUT, "the log line saying writes are accepted again",
            () -> server.output().contains(ROOM_AGAIN));
        // more than a segment's worth: writes go on across rotations
        for (int n = 0; n < 15; n++)
        {
            final HttpResponse<String> answer = http.post(server, WORKFLOWS, body("resumed-" + n, n));
            assertEquals(201, answer.statusCode(), answer.body());
            final JsonNode workflow = readTree(answer.body());
            acked.put(workflow.get("id").asText(), workflow);
        }
        checkEveryAcknowledgedWorkflow(server);

        // ---- 5. nothing acknowledged is lost: SIGKILL, restart on the same tmpfs ----
        server.kill();
        final ServerProcess restarted = start("server-2", dataDir);
        checkEveryAcknowledgedWorkflow(restarted);
        final ServerProcess verify = ServerProcess.launch("wal-verify",
            List.of("wal", "verify", "--data-dir", dataDir.toString()));
        servers.add(verify);
        if (0 != verify.awaitExit(COMMAND_TIMEOUT) || !verify.output().matches("(?sm).*^OK$.*"))
        {
            throw verify.failure("wal verify after the full disk", null);
        }
        System.out.println("DiskFullSystemTest: " + acked.size() + " workflows acknowledged in all, every one " +
            "recovered");
    }

    // ---------------------------------------------------------------------------------------------------------------

    private static String body(final String name, final int n)
    {
        final String blob = (name + ":").repeat(INPUT_CHARS / (name.length() + 1) + 1).substring(0, INPUT_CHARS);
        return "{\"name\":\"" + name + "\",\"steps\":[\"RESERVE\",\"SHIP\"],\"input\":{\"n\":" + n +
            ",\"blob\":\"" + blob + "\"}}";
    }

    private static void assertDiskFull(final HttpResponse<String> answer)
    {
        assertEquals(507, answer.statusCode(), answer.body());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
            answer.headers().map().toString());
        final JsonNode problem = readTree(answer.body());
        assertEquals("DISK_FULL", problem.get("code").asText(), answer.body());
        assertTrue(problem.get("detail").asText().contains("nothing was written"), answer.body());
    }

    /**
     * The journal and the list are where they were before the refused create.
     */
    private void assertNothingWritten(final ServerProcess server, final long position, final long records)
        throws IOException
    {
        final JsonNode metrics = http.getOk(server, "/api/v1/metrics");
        assertEquals(position, metrics.at("/events/journal_position_bytes").asLong(),
            "a refused create moved the journal position: " + metrics.get("events"));
        assertEquals(records, metrics.at("/events/journal_records").asLong(), metrics.get("events").toString());
        assertEquals(acked.size(), http.getOk(server, WORKFLOWS + "?limit=1").get("total").asInt(),
            "a refused create changed the list");
    }

    /**
     * Every acknowledged workflow reads as acknowledged, and the list holds exactly them, in order.
     */
    private void checkEveryAcknowledgedWorkflow(final ServerProcess server) throws IOException
    {
        for (final Map.Entry<String, JsonNode> ack : acked.entrySet())
        {
            assertEquals(ack.getValue(), http.getOk(server, WORKFLOWS + "/" + ack.getKey()),
                "workflow " + ack.getKey());
        }
        final JsonNode page = http.getOk(server, WORKFLOWS + "?limit=1000");
        assertEquals(acked.size(), page.get("total").asInt(), "list total");
        final List<String> ids = new ArrayList<>();
        page.get("workflows").forEach(w -> ids.add(w.get("id").asText()));
        assertEquals(List.copyOf(acked.keySet()), ids, "the list holds exactly the acknowledged workflows");
    }

    private HttpResponse<String> post(final ServerProcess server, final String body)
    {
        try
        {
            return http.post(server, WORKFLOWS, body);
        }
        catch (final IOException ex)
        {
            throw server.failure("create failed: " + ex, ex);
        }
    }

    private String ready(final ServerProcess server)
    {
        try
        {
            return http.getOk(server, "/ready").get("status").asText();
        }
        catch (final IOException ex)
        {
            throw server.failure("GET /ready failed: " + ex, ex);
        }
    }

    private String prometheus(final ServerProcess server)
    {
        try
        {
            final HttpResponse<String> answer = http.get(server, "/api/v1/metrics/prometheus");
            assertEquals(200, answer.statusCode(), answer.body());
            return answer.body();
        }
        catch (final IOException ex)
        {
            throw server.failure("GET /api/v1/metrics/prometheus failed: " + ex, ex);
        }
    }

    private ServerProcess start(final String name, final Path dataDir)
    {
        final ServerProcess server = ServerProcess.startServer(name, dataDir, START_TIMEOUT,
            "--wal.max-segment-size=" + SEGMENT_BYTES / 1024 + "KiB", "--wal.snapshot-retain=0");
        servers.add(server);
        return server;
    }

    private void mountTmpfs() throws Exception
    {
        final Path target = Files.createDirectory(dir.resolve("tmpfs"));
        final CommandResult mount = run("mount", "-t", "tmpfs", "-o", "size=" + TMPFS_KIB + "k", "tmpfs",
            target.toString());
        assumeTrue(0 == mount.status(), "cannot mount a tmpfs here (root is needed; CI runs as root), so the " +
            "full disk cannot be played: mount answered " + mount.status() + " " + mount.output());
        mountPoint = target;
        final long size = Files.getFileStore(target).getTotalSpace();
        assertEquals(TMPFS_KIB * 1024L, size, "the tmpfs mounted at " + target);
    }

    private static void writeZeros(final Path file, final long bytes) throws IOException
    {
        final byte[] chunk = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file))
        {
            for (long left = bytes; left > 0; left -= chunk.length)
            {
                out.write(chunk, 0, (int)Math.min(chunk.length, left));
            }
        }
    }

    record CommandResult(int status, String output)
    {
    }

    private static CommandResult run(final String... command) throws Exception
    {
        final Process process;
        try
        {
            process = new ProcessBuilder(command).redirectErrorStream(true).start();
        }
        catch (final IOException ex)
        {
            return new CommandResult(-1, ex.toString());
        }
        try
        {
            if (!process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.destroyForcibly();
                process.waitFor(COMMAND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                return new CommandResult(-1, String.join(" ", command) + " did not end within " + COMMAND_TIMEOUT);
            }
            return new CommandResult(process.exitValue(),
                new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim());
        }
        finally
        {
            process.destroyForcibly();
        }
    }
}
