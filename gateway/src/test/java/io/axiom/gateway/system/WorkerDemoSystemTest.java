package io.axiom.gateway.system;

import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
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
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a user does by hand, with real processes: {@code bin/axiom server} in one terminal, {@code bin/axiom worker
 * --demo --steps RESERVE_STOCK,CHARGE_CARD,SHIP} in another, then workflows of those task steps created over HTTP run
 * to COMPLETED, every step completed once, by the worker. Then the server is SIGKILLed and started again on the same
 * data directory and ingress: the worker finds the new engine by itself and the next workflows complete too. The
 * worker stops on SIGTERM after saying goodbye.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class WorkerDemoSystemTest
{
    private static final Duration START_TIMEOUT = Duration.ofSeconds(90);
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);
    private static final String STEPS = "RESERVE_STOCK,CHARGE_CARD,SHIP";

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
    void theDemoWorkerRunsWorkflowsToCompletionAndFindsARestartedServer() throws Exception
    {
        final String ingress = TestServer.freeIngress();
        ServerProcess server = start("server-1", ingress);
        assertTrue(server.output().contains("workers over Aeron: ingress " + ingress + " stream 1001"),
            server.output());

        final ServerProcess worker = ServerProcess.launch("worker", List.of("worker", "--demo", "--steps", STEPS,
            "--ingress", ingress, "--capacity", "4", "--delay-ms", "20", "--fail-rate", "0.2", "--seed", "7"));
        processes.add(worker);
        worker.awaitOutput("welcomed by the engine", START_TIMEOUT);

        final List<String> first = create(server, 0, 6);
        awaitCompleted(server, first, worker);
        for (final String id : first)
        {
            assertStepsCompletedOnceByTheWorker(server, id);
        }
        assertTrue(worker.output().contains("failure recorded"), "fail-rate 0.2 with seed 7 fails some attempts:\n" +
            worker.output());

        server.kill();
        server = start("server-2", ingress);
        final List<String> second = create(server, 6, 3);
        awaitCompleted(server, second, worker);
        for (final String id : second)
        {
            assertStepsCompletedOnceByTheWorker(server, id);
        }

        worker.process().toHandle().destroy(); // SIGTERM (Process.destroy would also close the output pipe)
        worker.awaitExit(Duration.ofSeconds(30));
        final String output = worker.output();
        assertTrue(output.contains("stopping: finishing") && output.lines().anyMatch(l -> l.matches(
            "worker \\d+ stopped: \\d+ completed, \\d+ failed, 0 rejected")), output);
        assertTrue(output.contains("task workflow=1 step=0 RESERVE_STOCK attempt=1"), output);
    }

    private ServerProcess start(final String name, final String ingress)
    {
        final ServerProcess server = ServerProcess.startServer(name, dataDir, START_TIMEOUT, "--ingress", ingress);
        processes.add(server);
        return server;
    }

    private List<String> create(final ServerProcess server, final int from, final int count) throws IOException
    {
        final List<String> ids = new ArrayList<>();
        for (int i = from; i < from + count; i++)
        {
            final HttpResponse<String> response = http.post(server, WORKFLOWS, "{\"name\":\"order-" + i +
                "\",\"steps\":[\"RESERVE_STOCK\",\"CHARGE_CARD\",\"SHIP\"],\"input\":{\"order_id\":" + i + "}}");
            if (201 != response.statusCode())
            {
                throw server.failure("create answered " + response.statusCode() + " " + response.body(), null);
            }
            ids.add(readTree(response.body()).get("id").asText());
        }
        return ids;
    }

    private void awaitCompleted(final ServerProcess server, final List<String> ids, final ServerProcess worker)
        throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
        for (final String id : ids)
        {
            while (true)
            {
                final String state = http.getOk(server, WORKFLOWS + "/" + id).get("state").asText();
                if ("COMPLETED".equals(state))
                {
                    break;
                }
                if (System.nanoTime() > deadline)
                {
                    throw worker.failure("workflow " + id + " is " + state + " after " + RUN_TIMEOUT +
                        "; server output:\n" + server.output(), null);
                }
                Thread.sleep(50);
            }
        }
    }

    private void assertStepsCompletedOnceByTheWorker(final ServerProcess server, final String id) throws IOException
    {
        final JsonNode events = http.getOk(server, WORKFLOWS + "/" + id + "/events").get("events");
        final int[] completions = new int[3];
        for (final JsonNode event : events)
        {
            if ("StepCompleted".equals(event.get("type").asText()))
            {
                completions[event.get("step_index").asInt()]++;
                assertEquals("WORKER", event.get("completed_by").asText(), event.toString());
            }
        }
        assertEquals("[1, 1, 1]", java.util.Arrays.toString(completions), "workflow " + id + ": " + events);
    }
}
