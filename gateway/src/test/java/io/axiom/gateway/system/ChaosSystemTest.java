package io.axiom.gateway.system;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;

import static io.axiom.gateway.system.SystemHttp.WORKFLOWS;
import static io.axiom.gateway.system.SystemHttp.readTree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The three chaos scenarios against the real server ({@code bin/axiom server --chaos-enabled}, a 2 s lease) with two
 * real demo workers over UDP loopback under load: each scenario runs for 8 s through {@code bin/axiom chaos run} while
 * workflows are created; afterwards every workflow completes, and at the end the log (read offline with
 * {@code bin/axiom wal dump}) holds exactly one StepCompleted per (workflow, step), each by a worker under a lease's
 * token that did not expire, and {@code bin/axiom verify --data-dir} finds no violation. After each run the report's
 * live verify holds. Seeded: the report carries the seed, the same seed injects the same schedule.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ChaosSystemTest
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration COMPLETE_TIMEOUT = Duration.ofSeconds(90);
    private static final String[] STEPS = {"VALIDATE", "RESERVE", "CHARGE", "SHIP"};
    private static final long SEED = 20261130L;
    private static final long RUN_MS = 8_000;
    private static final int PER_SCENARIO = 120;

    @TempDir
    Path dataDir;

    private final List<ServerProcess> processes = new ArrayList<>();
    private final SystemHttp http = new SystemHttp(Duration.ofSeconds(30));

    @AfterEach
    void stopProcesses()
    {
        processes.forEach(ServerProcess::close);
        http.close();
    }

    @Test
    void everyScenarioLeavesEveryWorkflowCompletedAndEveryStepCommittedOnce() throws Exception
    {
        System.out.println("ChaosSystemTest seed " + SEED);
        final String ingress = TestServer.freeIngress();
        final ServerProcess server = ServerProcess.startServer("server", dataDir, START_TIMEOUT, "--ingress", ingress,
            "--lease-duration-ms", "2000", "--chaos-enabled");
        processes.add(server);
        for (final int id : new int[] {201, 202})
        {
            final ServerProcess worker = ServerProcess.launch("worker-" + id, List.of("worker", "--demo",
                "--steps", String.join(",", STEPS), "--ingress", ingress, "--worker-id", Integer.toString(id),
                "--capacity", "8", "--delay-ms", "10"));
            processes.add(worker);
            worker.awaitOutput("welcomed by the engine", START_TIMEOUT);
        }

        final Set<Long> steps = new HashSet<>();
        int created = 0;
        for (final String scenario : List.of("process_kill", "delay_injection", "message_drop"))
        {
            final ServerProcess run = ServerProcess.launch("chaos-" + scenario, List.of("chaos", "run", scenario,
                "--duration", Long.toString(RUN_MS), "--seed", Long.toString(SEED), "--json",
                "--server", "http://127.0.0.1:" + server.port()));
            processes.add(run);
            // load while the run lasts: creates spread over it (each answered only once durable)
            final long endNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(RUN_MS);
            for (int i = 0; i < PER_SCENARIO; i++)
            {
                steps.addAll(create(server, ++created));
                final long remaining = endNs - System.nanoTime();
                if (remaining > 0)
                {
                    Thread.sleep(Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining) / (PER_SCENARIO - i)));
                }
            }
            assertEquals(0, run.awaitExit(Duration.ofMillis(RUN_MS).plusSeconds(60)), run.output());
            final JsonNode report = readTree(run.output().substring(run.output().indexOf('{')));
            System.out.println("ChaosSystemTest " + scenario + ": " + report);
            assertEquals(scenario, report.get("scenario").asText());
            assertEquals(SEED, report.get("seed").asLong());
            assertTrue(report.get("faults_total").asLong() > 0, "faults were injected: " + report);
            assertTrue(report.get("engine_ready").asBoolean(), report.toString());
            assertTrue(report.get("verify").get("ok").asBoolean() && report.get("verify").get("consistent")
                .asBoolean(), "a live verify after the run found the log and the state sound: " + report);
            awaitAllCompleted(server, created);
        }

        server.process().toHandle().destroy();
        server.awaitExit(Duration.ofSeconds(60));
        final ServerProcess verify = ServerProcess.launch("verify",
            List.of("verify", "--data-dir", dataDir.toString()));
        processes.add(verify);
        assertEquals(0, verify.awaitExit(Duration.ofSeconds(120)), "offline verify of the log:\n" + verify.output());
        final WalDump log = WalDump.read(dataDir, processes);
        final String wrong = log.exactlyOnce(steps);
        assertNull(wrong, () -> wrong + "dump tail:\n" + log.tail());
        assertEquals(steps.size(), log.completions.size(), "no other step committed");
        System.out.println("ChaosSystemTest: " + created + " workflows, " + log.completions.size() +
            " steps committed once each, " + log.leaseWorker.size() + " leases, " + log.attemptFailures +
            " failed attempts, " + log.expiredLeases.size() + " lease expiries");
    }

    private List<Long> create(final ServerProcess server, final int n) throws IOException
    {
        final StringBuilder body = new StringBuilder("{\"name\":\"chaos-" + n + "\",\"steps\":[");
        for (int s = 0; s < STEPS.length; s++)
        {
            body.append(s == 0 ? "" : ",").append("{\"name\":\"").append(STEPS[s])
                .append("\",\"type\":\"task\",\"retry\":{\"max_attempts\":50,\"backoff_ms\":20,\"max_backoff_ms\":500}}");
        }
        body.append("],\"input\":{\"n\":").append(n).append("}}");
        // HTTP connections are closed under process_kill: a create whose answer was cut is sent again with its key
        final String key = "chaos-create-" + n;
        for (int attempt = 1; ; attempt++)
        {
            try
            {
                final HttpResponse<String> response = http.send(java.net.http.HttpRequest.newBuilder(
                        server.uri(WORKFLOWS))
                    .timeout(Duration.ofSeconds(30))
                    .header("Content-Type", "application/json")
                    .header("Idempotency-Key", key)
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body.toString()))
                    .build());
                if (201 != response.statusCode() && 200 != response.statusCode())
                {
                    throw server.failure("create answered " + response.statusCode() + " " + response.body(), null);
                }
                final long id = readTree(response.body()).get("id").asLong();
                final List<Long> keys = new ArrayList<>();
                for (int s = 0; s < STEPS.length; s++)
                {
                    keys.add(WalDump.key(id, s));
                }
                return keys;
            }
            catch (final IOException ex)
            {
                if (attempt >= 5)
                {
                    throw ex;
                }
            }
        }
    }

    private void awaitAllCompleted(final ServerProcess server, final int created)
    {
        SystemHttp.await(server, COMPLETE_TIMEOUT, "all " + created + " workflows COMPLETED", () ->
        {
            try
            {
                final long failed = http.getOk(server, WORKFLOWS + "?state=FAILED&limit=1").get("total").asLong();
                if (failed > 0)
                {
                    throw server.failure(failed + " workflows FAILED", null);
                }
                return created == http.getOk(server, WORKFLOWS + "?state=COMPLETED&limit=1").get("total").asLong();
            }
            catch (final IOException ex)
            {
                return false; // a connection closed by process_kill: ask again
            }
        });
    }
}
