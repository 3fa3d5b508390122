package io.axiom.gateway.transport;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomServer;
import io.axiom.gateway.StartupException;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.worker.AxiomWorker;
import io.axiom.worker.Task;
import io.axiom.worker.TaskRejection;
import io.axiom.worker.WorkerListener;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The real engine behind the server's worker transport, and a worker of the Java SDK over UDP loopback, both in this
 * JVM, each with its own media driver (as two processes would have). fsync is on.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class WorkersOverAeronTest
{
    private static final List<String> STEPS = List.of("RESERVE_STOCK", "CHARGE_CARD", "SHIP");
    /**
     * Small servers: Helidon 4.5 never cancels a stopped web server's idle-connection timer, whose task keeps the
     * whole server (and its engine's ring) reachable, so every server a test JVM starts stays in its heap.
     */
    private static final String[] SMALL = {"--wal.max-segment-size", "1MiB", "--core.ring-size", "1024"};

    @TempDir
    Path dir;

    /**
     * What the worker's listener heard.
     */
    static final class Verdicts implements WorkerListener
    {
        final AtomicInteger accepted = new AtomicInteger();
        final List<String> rejected = new CopyOnWriteArrayList<>();

        @Override
        public void onAccepted(final Task task, final boolean failure)
        {
            accepted.incrementAndGet();
        }

        @Override
        public void onRejected(final Task task, final TaskRejection rejection)
        {
            rejected.add(task.workflowId() + "/" + task.stepIndex() + " " + rejection);
        }
    }

    @Test
    void fiftyWorkflowsOfThreeTaskStepsCompleteEachStepOnceByTheWorker() throws Exception
    {
        try (TestServer server = TestServer.start(dir.resolve("data"), SMALL))
        {
            final String ingress = server.server().config().transportIngress();
            final Verdicts verdicts = new Verdicts();
            final AxiomWorker.Context ctx = new AxiomWorker.Context().ingressChannel(ingress).capacity(8)
                .listener(verdicts);
            final AxiomWorker worker = AxiomWorker.create(ctx);
            for (final String step : STEPS)
            {
                worker.handler(step, task -> "{\"step\":\"" + task.stepName() + "\",\"workflow\":" +
                    task.workflowId() + ",\"key\":\"" + task.idempotencyKey() + "\"}");
            }
            try (AxiomWorker started = worker.start())
            {
                assertTrue(started.awaitConnected(Duration.ofSeconds(30)), "the engine welcomed the worker");

                final List<String> ids = new ArrayList<>();
                for (int i = 0; i < 50; i++)
                {
                    final TestServer.Response created = server.postJson("/api/v1/workflows",
                        "{\"name\":\"order-" + i + "\",\"steps\":[\"RESERVE_STOCK\",\"CHARGE_CARD\",\"SHIP\"]," +
                        "\"input\":{\"order\":" + i + "}}");
                    assertEquals(201, created.status(), created.toString());
                    ids.add(created.json().get("id").asText());
                }
                TestServer.await("50 workflows COMPLETED", () ->
                    50 == server.get("/api/v1/workflows?state=COMPLETED&limit=100").json().get("total").asInt());

                for (final String id : ids)
                {
                    final JsonNode events = server.get("/api/v1/workflows/" + id + "/events").json();
                    assertTrue(events.get("next_after").isNull(), "one page holds a 3-step workflow's events");
                    final Map<Integer, Integer> completions = new HashMap<>();
                    for (final JsonNode event : events.get("events"))
                    {
                        if ("StepCompleted".equals(event.get("type").asText()))
                        {
                            final int step = event.get("step_index").asInt();
                            completions.merge(step, 1, Integer::sum);
                            assertEquals("WORKER", event.get("completed_by").asText(), event.toString());
                        }
                    }
                    assertEquals(Map.of(0, 1, 1, 1, 2, 1), completions, "workflow " + id + ": " + events);
                    final JsonNode view = server.get("/api/v1/workflows/" + id).json();
                    assertEquals("COMPLETED", view.get("state").asText());
                    assertEquals("CHARGE_CARD", view.get("steps").get(1).get("output").get("step").asText());
                    assertEquals(id + "-1", view.get("steps").get(1).get("output").get("key").asText());
                }
                assertEquals(150, verdicts.accepted.get());
                assertEquals(List.of(), verdicts.rejected);
                assertEquals(150, started.completionsAccepted());
                final Map<String, Long> counters = server.server().transport().counters();
                assertEquals(0L, counters.get("dropped_not_connected") + counters.get("dropped_backlog_full") +
                    counters.get("dropped_malformed") + counters.get("replies_not_wire"), counters.toString());
            }
            TestServer.await("the worker's connection closed",
                () -> 0 == server.server().transport().endpoint().connectionCount());
        }
    }

    @Test
    void anOutputThatIsNotJsonIsRefusedAndTheStepIsDealtAgainWhenItsLeaseExpires() throws Exception
    {
        try (TestServer server = TestServer.start(dir.resolve("data"),
            with(SMALL, "--scheduler.lease-duration-ms", "1000")))
        {
            final Verdicts verdicts = new Verdicts();
            final AxiomWorker.Context ctx = new AxiomWorker.Context()
                .ingressChannel(server.server().config().transportIngress()).listener(verdicts);
            try (AxiomWorker worker = AxiomWorker.create(ctx)
                .handler("CHARGE_CARD", task -> 1 == task.attempt() ? "charged, no JSON" : "{\"charged\":true}")
                .start())
            {
                assertTrue(worker.awaitConnected(Duration.ofSeconds(30)));
                final TestServer.Response created = server.postJson("/api/v1/workflows",
                    "{\"name\":\"once\",\"steps\":[\"CHARGE_CARD\"],\"input\":{}}");
                final String id = created.json().get("id").asText();
                TestServer.await("COMPLETED", () -> "COMPLETED".equals(
                    server.get("/api/v1/workflows/" + id).json().get("state").asText()));

                assertEquals(1, verdicts.rejected.size(), verdicts.rejected.toString());
                assertTrue(verdicts.rejected.getFirst().contains("MALFORMED: the output is not a JSON document"),
                    verdicts.rejected.getFirst());
                final JsonNode view = server.get("/api/v1/workflows/" + id).json();
                assertEquals(2, view.get("steps").get(0).get("attempts").asInt(), view.toString());
                assertTrue(view.get("steps").get(0).get("output").get("charged").asBoolean());
                assertEquals(1L, server.server().transport().counters().get("outputs_refused_not_json"));
            }
        }
    }

    @Test
    void aSecondServerOnTheSameIngressIsRefusedNamingIt()
    {
        try (TestServer first = TestServer.start(dir.resolve("first"), SMALL))
        {
            final String ingress = first.server().config().transportIngress();
            final AxiomConfig config = AxiomConfig.load(null, Map.of(), Map.of(
                "--data-dir", dir.resolve("second").toString(), "--port", "0", "--ingress", ingress,
                "--wal.max-segment-size", "1MiB", "--core.ring-size", "1024"));
            final StartupException ex = assertThrows(StartupException.class, () -> AxiomServer.start(config, false));
            assertEquals(1, ex.exitCode());
            assertTrue(ex.getMessage().startsWith("cannot receive workers on " + ingress +
                " (transport.ingress): the address is in use"), ex.getMessage());
        }
    }

    @Test
    void anIngressThatIsNotAnAeronChannelIsAConfigurationError()
    {
        final AxiomConfig config = AxiomConfig.load(null, Map.of(), Map.of(
            "--data-dir", dir.resolve("data").toString(), "--port", "0", "--ingress", "localhost:40123",
            "--core.ring-size", "1024"));
        final StartupException ex = assertThrows(StartupException.class, () -> AxiomServer.start(config, false));
        assertEquals(2, ex.exitCode());
        assertTrue(ex.getMessage().contains("transport.ingress 'localhost:40123' is not an Aeron channel"),
            ex.getMessage());
    }

    @Test
    void transportOffRunsWithoutADriver()
    {
        try (TestServer server = TestServer.start(dir.resolve("data"), with(SMALL, "--transport.enabled", "false")))
        {
            assertNull(server.server().transport());
            assertEquals(201, server.postJson("/api/v1/workflows", "{\"name\":\"w\",\"steps\":[\"A\"]}").status());
        }
    }

    private static String[] with(final String[] flags, final String... more)
    {
        final List<String> all = new ArrayList<>(List.of(flags));
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }
}
