package io.axiom.gateway.system;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
 * Workers' promise with real processes on UDP loopback: the server ({@code bin/axiom server}, a 2 s lease) and three
 * demo workers ({@code bin/axiom worker --demo}, each its own JVM and embedded media driver, a seeded share of
 * attempts failing retryably) run 1,000 four-step workflows to COMPLETED while, in turn:
 * <ol>
 *     <li>worker 101 is SIGKILLed holding tasks: they come back after their leases expire and other workers finish
 *     them;</li>
 *     <li>worker 102 is frozen (SIGSTOP) past its lease and resumed (SIGCONT): the completions it then sends carry
 *     tokens the engine has fenced off and are rejected {@code STALE_FENCING_TOKEN}, and the SDK tells the
 *     handler;</li>
 *     <li>the server is SIGKILLed and started again on the same data directory and ingress while the workers run:
 *     they find it by themselves and every workflow completes.</li>
 * </ol>
 * Then the log itself is read ({@code bin/axiom wal dump}, offline): every (workflow, step) has exactly one
 * {@code StepCompleted}, each committed by a worker with the token of a lease the log holds; leases of both the killed
 * and the frozen worker expired ({@code StepAttemptFailed LEASE_EXPIRED}) and no step committed with an expired
 * lease's token or with one worker 102 was told was stale (those tasks were finished under other leases).
 * <p>
 * Phases follow progress, not the clock: each fault is injected once enough steps have committed (counted from the
 * workers' own lines), and the only wait by time is the freeze, whose point is to outlast the lease.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class WorkersSystemTest
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(150);
    private static final int WORKFLOWS_TO_RUN = 1000;
    private static final String[] STEPS = {"VALIDATE", "RESERVE", "CHARGE", "SHIP"};
    private static final long LEASE_MS = 2000;
    private static final long SEED = 20261130L;
    private static final String RETRY = "\"retry\":{\"max_attempts\":12,\"backoff_ms\":20,\"max_backoff_ms\":400," +
        "\"multiplier\":2.0}";
    private static final Pattern STALE = Pattern.compile("^task workflow=(\\d+) step=(\\d+) \\S+ attempt=\\d+ " +
        "token=(\\d+): REJECTED STALE_FENCING_TOKEN", Pattern.MULTILINE);

    @TempDir
    Path dataDir;

    private final List<ServerProcess> processes = new ArrayList<>();
    private final List<ServerProcess> workers = new ArrayList<>();
    private final SystemHttp http = new SystemHttp(Duration.ofSeconds(30));

    @AfterEach
    void stopProcesses()
    {
        // SIGCONT first: a stopped process cannot act on the SIGKILL that follows until it runs again
        processes.forEach(p -> signal(p, "CONT"));
        processes.forEach(ServerProcess::close);
        http.close();
    }

    @Test
    void threeWorkersRunAThousandWorkflowsThroughAWorkerKillAFreezeAndAServerKill() throws Exception
    {
        System.out.println("WorkersSystemTest seed " + SEED);
        final String ingress = TestServer.freeIngress();
        final ServerProcess first = startServer("server-1", ingress);

        final ServerProcess killed = startWorker(101, ingress);
        final ServerProcess frozen = startWorker(102, ingress);
        final ServerProcess steady = startWorker(103, ingress);
        for (final ServerProcess worker : List.of(killed, frozen, steady))
        {
            worker.awaitOutput("welcomed by the engine", START_TIMEOUT);
        }

        for (int i = 0; i < WORKFLOWS_TO_RUN; i++)
        {
            create(first, i);
        }

        // 1. SIGKILL a worker while it holds tasks
        awaitCommitted(first, 300);
        killed.kill();
        final long expiriesBefore = leaseExpiries(first);
        awaitCondition(first, "the leases of the killed worker expire", () -> leaseExpiries(first) > expiriesBefore);
        for (final int workerId : new int[] {101, 102, 103})
        {
            assertTrue(first.output().contains(" INFO  workers  worker " + workerId + " connected: answers on "),
                "the server logs each worker's connection:\n" + first.output());
        }
        awaitCondition(first, "the server logs that the killed worker is gone",
            () -> first.output().contains(" INFO  workers  worker 101 disconnected: "));

        // 2. freeze another past its lease, then let it go on
        final long expiriesBeforeFreeze = leaseExpiries(first);
        final long frozenAt = System.nanoTime();
        signal(frozen, "STOP");
        awaitCondition(first, "the frozen worker's leases expire", () -> leaseExpiries(first) > expiriesBeforeFreeze);
        final long outlast = frozenAt + TimeUnit.MILLISECONDS.toNanos(LEASE_MS + LEASE_MS / 2);
        while (System.nanoTime() < outlast)
        {
            Thread.sleep(50); // the freeze must outlast every lease the worker held: that is what is tested
        }
        signal(frozen, "CONT");
        frozen.awaitOutput("REJECTED STALE_FENCING_TOKEN", RUN_TIMEOUT);

        // 3. SIGKILL the server while the workers run, start it again on the same log and ingress
        final int committedAtServerKill = awaitCommitted(first, 1600);
        assertTrue(committedAtServerKill < WORKFLOWS_TO_RUN * STEPS.length - 200,
            "the run was nearly over (" + committedAtServerKill + " steps committed) before the server was killed: " +
            "the workers are too fast for this test");
        first.kill();
        final ServerProcess server = startServer("server-2", ingress);
        awaitAllCompleted(server);
        steady.awaitOutput("welcomed by the engine", RUN_TIMEOUT);
        assertTrue(count(steady.output(), "welcomed by the engine") >= 2,
            "the steady worker said hello to the restarted server:\n" + steady.output());

        // stop cleanly so that the log is read at rest
        for (final ServerProcess worker : List.of(frozen, steady))
        {
            worker.process().toHandle().destroy();
            worker.awaitExit(Duration.ofSeconds(60));
        }
        server.process().toHandle().destroy();
        assertEquals(128 + 15, server.awaitExit(Duration.ofSeconds(60)), "a JVM ends 143 on SIGTERM\n" +
            server.output());

        assertTheLogCommittedEveryStepOnce(frozen.output());
    }

    private void assertTheLogCommittedEveryStepOnce(final String frozenOutput)
        throws InterruptedException
    {
        final ServerProcess verify = ServerProcess.launch("verify",
            List.of("verify", "--data-dir", dataDir.toString()));
        processes.add(verify);
        assertEquals(0, verify.awaitExit(Duration.ofSeconds(120)), "offline verify of the log:\n" + verify.output());
        final WalDump log = WalDump.read(dataDir, processes);
        final Set<Long> steps = new HashSet<>();
        for (long workflow = 1; workflow <= WORKFLOWS_TO_RUN; workflow++)
        {
            for (int step = 0; step < STEPS.length; step++)
            {
                steps.add(WalDump.key(workflow, step));
            }
        }
        final String wrong = log.exactlyOnce(steps);
        assertNull(wrong, () -> wrong + "dump tail:\n" + log.tail());
        assertEquals(WORKFLOWS_TO_RUN * STEPS.length, log.completions.size(), "no other step committed");
        final Map<Long, Long> completedWith = log.completedWith;
        final Map<Long, Long> leaseWorker = log.leaseWorker;
        final Set<Long> expiredLeases = log.expiredLeases;
        final int leaseExpired = expiredLeases.size();
        final int attemptFailures = log.attemptFailures;
        final Map<Long, Integer> completions = log.completions;
        assertTrue(leaseExpired > 0, "leases expired (a killed and a frozen worker)");
        assertTrue(attemptFailures > leaseExpired, "the demo's seeded failures were retried: " + attemptFailures +
            " failed attempts, " + leaseExpired + " of them expiries");

        // what the frozen worker was told was stale was never what committed
        final Matcher stale = STALE.matcher(frozenOutput);
        int staleCount = 0;
        while (stale.find())
        {
            staleCount++;
            final long key = Long.parseLong(stale.group(1)) * 8 + Long.parseLong(stale.group(2));
            final long token = Long.parseLong(stale.group(3));
            assertTrue(completedWith.get(key) != token,
                "workflow " + key / 8 + " step " + key % 8 + " committed with token " + token +
                " that its worker was told was stale");
        }
        assertTrue(staleCount > 0, frozenOutput);

        // the tasks the killed worker held when it died expired and were committed under other workers' leases;
        // the frozen worker's leases expired too
        final Map<Long, Integer> expiredOf = new java.util.TreeMap<>(); // worker id -> leases expired
        for (final long token : expiredLeases)
        {
            expiredOf.merge(leaseWorker.get(token), 1, Integer::sum);
        }
        assertTrue(expiredOf.getOrDefault(101L, 0) > 0, "the killed worker's leases expired: " + expiredOf);
        assertTrue(expiredOf.getOrDefault(102L, 0) > 0, "the frozen worker's leases expired: " + expiredOf);
        System.out.println("WorkersSystemTest: " + completions.size() + " steps committed once each, " +
            leaseWorker.size() + " leases, " + attemptFailures + " failed attempts (" + leaseExpired +
            " lease expiries, by worker " + expiredOf + "), " +
            staleCount + " stale completions rejected");
    }

    private ServerProcess startServer(final String name, final String ingress)
    {
        final ServerProcess server = ServerProcess.startServer(name, dataDir, START_TIMEOUT, "--ingress", ingress,
            "--lease-duration-ms", Long.toString(LEASE_MS), "--wal.snapshot-interval-events=5000");
        processes.add(server);
        return server;
    }

    private ServerProcess startWorker(final long id, final String ingress)
    {
        final ServerProcess worker = ServerProcess.launch("worker-" + id, List.of("worker", "--demo",
            "--steps", String.join(",", STEPS), "--ingress", ingress, "--worker-id", Long.toString(id),
            "--capacity", "8", "--delay-ms", "50", "--fail-rate", "0.05", "--seed", Long.toString(SEED + id)));
        processes.add(worker);
        workers.add(worker);
        return worker;
    }

    private void create(final ServerProcess server, final int i) throws IOException
    {
        final StringBuilder steps = new StringBuilder();
        for (final String step : STEPS)
        {
            steps.append(steps.isEmpty() ? "" : ",")
                .append("{\"name\":\"").append(step).append("\",\"type\":\"task\",").append(RETRY).append('}');
        }
        final HttpResponse<String> response = http.post(server, WORKFLOWS, "{\"name\":\"order-" + i +
            "\",\"steps\":[" + steps + "],\"input\":{\"order_id\":" + i + "}}");
        if (201 != response.statusCode())
        {
            throw server.failure("create answered " + response.statusCode() + " " + response.body(), null);
        }
    }

    private int awaitCommitted(final ServerProcess server, final int steps)
    {
        final int[] committed = new int[1];
        awaitCondition(server, steps + " steps committed", () ->
        {
            committed[0] = 0;
            for (final ServerProcess worker : workers)
            {
                committed[0] += count(worker.output(), "completed, committed");
            }
            return committed[0] >= steps;
        });
        return committed[0];
    }

    private void awaitAllCompleted(final ServerProcess server)
    {
        awaitCondition(server, "all " + WORKFLOWS_TO_RUN + " workflows COMPLETED", () ->
        {
            final long failed = total(server, "FAILED");
            if (failed > 0)
            {
                throw server.failure(failed + " workflows FAILED", null);
            }
            return total(server, "COMPLETED") == WORKFLOWS_TO_RUN;
        });
    }

    private long total(final ServerProcess server, final String state)
    {
        try
        {
            return http.getOk(server, WORKFLOWS + "?state=" + state + "&limit=1").get("total").asLong();
        }
        catch (final IOException ex)
        {
            throw server.failure("cannot list " + state + " workflows", ex);
        }
    }

    private long leaseExpiries(final ServerProcess server)
    {
        try
        {
            return http.getOk(server, "/api/v1/metrics").get("leases").get("expired").asLong();
        }
        catch (final IOException ex)
        {
            throw server.failure("cannot read the metrics", ex);
        }
    }

    private void awaitCondition(
        final ServerProcess server, final String what, final java.util.function.BooleanSupplier condition)
    {
        SystemHttp.await(server, RUN_TIMEOUT, what + "\n" + workerOutputs(), condition);
    }

    private String workerOutputs()
    {
        final StringBuilder all = new StringBuilder();
        for (final ServerProcess worker : workers)
        {
            all.append("----- worker pid ").append(worker.pid()).append(" -----\n").append(tail(worker.output()))
                .append('\n');
        }
        return all.toString();
    }

    private static void signal(final ServerProcess process, final String signal)
    {
        if (!process.process().isAlive())
        {
            return;
        }
        try
        {
            final Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
            if (!kill.waitFor(10, TimeUnit.SECONDS) || 0 != kill.exitValue())
            {
                throw new AssertionError("kill -" + signal + " " + process.pid() + " failed");
            }
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot run kill", ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    private static int count(final String text, final String what)
    {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + what.length()))
        {
            n++;
        }
        return n;
    }

    private static String tail(final String text)
    {
        return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
    }
}
