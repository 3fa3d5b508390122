package io.axiom.gateway.system;

import java.io.IOException;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.fasterxml.jackson.databind.JsonNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.journal.DataDirectoryLock;

import static io.axiom.gateway.system.SystemHttp.WORKFLOWS;
import static io.axiom.gateway.system.SystemHttp.readTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One owner per data directory, with real processes: a second {@code bin/axiom server} on a directory a running
 * server owns is refused at once, in one {@code axiom: } line naming the directory and the owner's pid, and exits 2
 * (a data-directory problem) without ever listening; the owner goes on serving; the read-only {@code wal verify}
 * works on the live directory; and once the owner is SIGKILLed the OS has dropped its lock, so the next server starts
 * on the same directory and holds every workflow the first one acknowledged.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class OneOwnerSystemTest
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration REFUSAL_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final Pattern STACK_TRACE = Pattern.compile("(?m)^\\s+at [\\w.$/]+\\(|Exception|\\.java:\\d+");
    private static final Pattern VERIFY_RECORDS = Pattern.compile("(?m)^records: (\\d+)$");
    private static final int WORKFLOWS_BEFORE = 12;

    @TempDir
    Path dataDir;

    private final List<ServerProcess> processes = new ArrayList<>();
    private final SystemHttp http = new SystemHttp(REQUEST_TIMEOUT);
    /** Workflow id to the body of its acknowledged create. */
    private final Map<String, JsonNode> acked = new LinkedHashMap<>();

    @AfterEach
    void stopProcesses()
    {
        processes.forEach(ServerProcess::close);
        http.close();
    }

    @Test
    void aSecondServerIsRefusedWhileTheOwnerLivesAndStartsOnceItIsKilled() throws Exception
    {
        // ---- 1. server A owns the directory and acknowledges some workflows ----
        final ServerProcess owner = ServerProcess.startServer("owner-a", dataDir, START_TIMEOUT);
        processes.add(owner);
        for (int i = 0; i < WORKFLOWS_BEFORE; i++)
        {
            create(owner, "before-" + i);
        }
        assertEquals(Long.toString(owner.pid()), lockFilePid(), "the lock file names the owner");

        // ---- 2. server B on the same directory: refused at once, in one line, naming the directory and A's pid ----
        final long launchedAt = System.nanoTime();
        final ServerProcess second = launch("second",
            List.of("server", "--port", "0", "--data-dir", dataDir.toString()));
        final int status = second.awaitExit(REFUSAL_TIMEOUT);
        final long refusalMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - launchedAt);
        final String output = second.output();
        System.out.println("OneOwnerSystemTest: the second server exited " + status + " after " + refusalMillis +
            " ms: " + output.lines().filter(l -> l.startsWith("axiom: ")).findFirst().orElse("(no axiom: line)"));
        assertEquals(2, status, "a data directory in use is a data-directory problem (exit 2):\n" + output);
        assertFalse(output.contains("Axiom listening"), output);
        assertFalse(output.contains("Axiom ready"), output);
        assertFalse(STACK_TRACE.matcher(output).find(), "no stack trace without --debug:\n" + output);
        final List<String> reasons = output.lines().filter(l -> l.startsWith("axiom: ")).toList();
        assertEquals(1, reasons.size(), "exactly one axiom: line:\n" + output);
        final String reason = reasons.get(0);
        assertTrue(reason.contains("data dir " + dataDir + " is in use by another process"), reason);
        assertTrue(reason.contains("(pid " + owner.pid() + " holds " + dataDir.resolve(DataDirectoryLock.FILE_NAME)),
            "the line names the owner's pid " + owner.pid() + ": " + reason);
        assertEquals(Long.toString(owner.pid()), lockFilePid(), "the refused server left the lock file alone");

        // ---- 3. A goes on serving, untouched ----
        assertTrue(owner.process().isAlive(), owner.output());
        assertEquals("READY", http.getOk(owner, "/ready").get("status").asText());
        create(owner, "after-refusal");
        assertEquals(acked.size(), http.getOk(owner, WORKFLOWS + "?limit=1").get("total").asInt());

        // ---- 4. the read-only verify works on the live directory, and A still owns it ----
        final long recordsBeforeVerify = http.getOk(owner, "/api/v1/metrics").at("/events/journal_records").asLong();
        final ServerProcess verify = launch("wal-verify",
            List.of("wal", "verify", "--data-dir", dataDir.toString()));
        final int verifyStatus = verify.awaitExit(REFUSAL_TIMEOUT);
        final String report = verify.output();
        if (0 != verifyStatus || !report.matches("(?sm).*^OK$.*") || !report.contains("faults: none"))
        {
            throw verify.failure("wal verify on the live directory answered " + verifyStatus, null);
        }
        final Matcher records = VERIFY_RECORDS.matcher(report);
        assertTrue(records.find(), report);
        System.out.println("OneOwnerSystemTest: wal verify on the live directory: " + records.group(1) +
            " records, the server's metrics say " + recordsBeforeVerify);
        assertEquals(recordsBeforeVerify, Long.parseLong(records.group(1)),
            "wal verify counts the records the server wrote:\n" + report);
        assertEquals(Long.toString(owner.pid()), lockFilePid(), "verify took no lock");
        create(owner, "after-verify");

        // ---- 5. SIGKILL A: the OS drops its lock, B starts on the directory and holds everything A acknowledged ----
        owner.kill();
        final ServerProcess successor = ServerProcess.startServer("owner-b", dataDir, START_TIMEOUT);
        processes.add(successor);
        assertEquals(Long.toString(successor.pid()), lockFilePid(), "the new owner wrote its pid");
        for (final Map.Entry<String, JsonNode> ack : acked.entrySet())
        {
            assertEquals(ack.getValue(), http.getOk(successor, WORKFLOWS + "/" + ack.getKey()),
                "workflow " + ack.getKey() + " after the owner was killed");
        }
        assertEquals(acked.size(), http.getOk(successor, WORKFLOWS + "?limit=1").get("total").asInt(),
            "no workflow was lost or invented");
        create(successor, "on-the-successor");

        // and the refusal works the other way round: A's directory is now B's
        final ServerProcess third = launch("third", List.of("server", "--port", "0", "--data-dir",
            dataDir.toString()));
        assertEquals(2, third.awaitExit(REFUSAL_TIMEOUT), third.output());
        assertTrue(third.output().contains("(pid " + successor.pid() + " holds "), third.output());
    }

    private void create(final ServerProcess server, final String name) throws IOException
    {
        final String body = "{\"name\":\"" + name + "\",\"steps\":[\"RESERVE\",\"SHIP\"]," +
            "\"input\":{\"name\":\"" + name + "\",\"n\":" + acked.size() + "}}";
        final HttpResponse<String> created = http.post(server, WORKFLOWS, body);
        if (201 != created.statusCode())
        {
            throw server.failure("create " + name + " answered " + created.statusCode() + " " + created.body(),
                null);
        }
        final JsonNode workflow = readTree(created.body());
        acked.put(workflow.get("id").asText(), workflow);
    }

    private String lockFilePid() throws IOException
    {
        return Files.readString(dataDir.resolve(DataDirectoryLock.FILE_NAME), StandardCharsets.US_ASCII).trim();
    }

    private ServerProcess launch(final String name, final List<String> args)
    {
        final ServerProcess process = ServerProcess.launch(name, args);
        processes.add(process);
        return process;
    }
}
