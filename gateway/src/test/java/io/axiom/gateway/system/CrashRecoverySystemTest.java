package io.axiom.gateway.system;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Promise 3 (crash-safe) and promise 1 (durable) end to end: the real {@code bin/axiom server} takes creates from
 * several concurrent HTTP clients, is SIGKILLed in the middle of the load, is restarted on the same data directory,
 * and must still hold every workflow it acknowledged, with the very same events, and go on working.
 * <p>
 * The kill comes after a random number of acknowledgements; the seed is printed and can be replayed with
 * {@code -Daxiom.system.seed=N}.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class CrashRecoverySystemTest
{
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String WORKFLOWS = "/api/v1/workflows";
    private static final int CLIENTS = 4;
    /** At least this many creates are acknowledged before the kill. */
    private static final int MIN_ACKS_BEFORE_KILL = 500;
    /** Bound on the creates of one client, so that the load ends even if the kill never comes. */
    private static final int MAX_CREATES_PER_CLIENT = 5_000;
    private static final Duration START_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** What the client sent for one workflow and what the server acknowledged. */
    enum Kind
    {
        /** Task steps given as plain strings. */
        STRING_STEPS,
        /** Two approval steps given as typed objects: can be advanced to COMPLETED without workers. */
        APPROVALS,
        /** An approval, then a typed task step with timeout and retry policy. */
        MIXED
    }

    record Ack(String id, Kind kind, JsonNode created, String idempotencyKey, String requestBody)
    {
    }

    @TempDir
    Path dataDir;

    private final List<ServerProcess> servers = new ArrayList<>();
    private final HttpClient http = HttpClient.newBuilder()
        .connectTimeout(Duration.ofSeconds(5))
        .version(HttpClient.Version.HTTP_1_1)
        .build();

    // ---- what the clients learnt before the kill ----
    private final Map<String, Ack> acked = new ConcurrentHashMap<>();
    /** Workflow id to the body of its last acknowledged advance. */
    private final Map<String, JsonNode> advanced = new ConcurrentHashMap<>();
    /** Workflows whose advance was sent but never answered: either outcome is allowed. */
    private final Set<String> advanceInDoubt = ConcurrentHashMap.newKeySet();
    /** Workflow id to its events as fetched before the kill, after the last change its client made to it. */
    private final Map<String, JsonNode> eventsBeforeKill = new ConcurrentHashMap<>();
    private final AtomicInteger createsInDoubt = new AtomicInteger();
    private final AtomicInteger createsRefused = new AtomicInteger();
    private final ConcurrentLinkedQueue<String> unexpected = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean killing = new AtomicBoolean();

    @AfterEach
    void stopServers()
    {
        for (final ServerProcess server : servers)
        {
            server.close();
        }
        http.close();
    }

    @Test
    void everyAcknowledgedWorkflowSurvivesSigkillMidLoad() throws Exception
    {
        final long seed = Long.getLong("axiom.system.seed", System.nanoTime());
        try
        {
            crashAndRecover(seed);
        }
        catch (final AssertionError ex)
        {
            throw new AssertionError("[seed " + seed + ", rerun with -Daxiom.system.seed=" + seed + "] " +
                ex.getMessage(), ex);
        }
    }

    private void crashAndRecover(final long seed) throws Exception
    {
        final Random random = new Random(seed);
        final int killAfter = MIN_ACKS_BEFORE_KILL + random.nextInt(300);
        // snapshots during the load, so that recovery is "newest snapshot + replay of the log after it"
        final int snapshotInterval = 300 + random.nextInt(1200);
        System.out.println("CrashRecoverySystemTest: seed=" + seed + " (rerun with -Daxiom.system.seed=" + seed +
            "), SIGKILL after " + killAfter + " acknowledged creates, snapshot every " + snapshotInterval +
            " events, data dir " + dataDir);

        // ---- 1. the real server, loaded by concurrent clients, killed mid-load ----
        final ServerProcess first = start("server-1", "--wal.snapshot-interval-events=" + snapshotInterval);
        assertLauncherExecedTheJvm(first);

        final CountDownLatch killMoment = new CountDownLatch(1);
        final AtomicInteger acks = new AtomicInteger();
        final AtomicInteger running = new AtomicInteger(CLIENTS);
        final ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        final List<Future<?>> futures = new ArrayList<>();
        try
        {
            for (int c = 0; c < CLIENTS; c++)
            {
                final int client = c;
                final long clientSeed = seed * 31 + c;
                futures.add(clients.submit(() ->
                {
                    try
                    {
                        load(first, client, new Random(clientSeed), acks, killAfter, killMoment);
                    }
                    finally
                    {
                        running.decrementAndGet();
                    }
                }));
            }

            if (!killMoment.await(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS))
            {
                throw first.failure("only " + acks.get() + " of " + killAfter + " creates acknowledged within " +
                    START_TIMEOUT + "; unexpected: " + unexpected, null);
            }
            final int clientsSendingAtKill = running.get();
            killing.set(true);
            final List<ProcessHandle> children = first.process().descendants().toList();
            first.kill();
            System.out.println("CrashRecoverySystemTest: SIGKILLed pid " + first.pid() + " after " + acks.get() +
                " acknowledged creates, " + clientsSendingAtKill + " clients still sending");
            assertFalse(first.process().isAlive(), "the server survived SIGKILL");
            for (final ProcessHandle child : children)
            {
                assertTrue(child.onExit().toCompletableFuture().completeOnTimeout(null, 30, TimeUnit.SECONDS)
                    .thenApply(h -> !child.isAlive()).get(), "a child of the server outlived it: " + child.pid());
            }
            assertEquals(CLIENTS, clientsSendingAtKill, "the kill must come while every client is still sending");
        }
        finally
        {
            killing.set(true);
            clients.shutdown();
            if (!clients.awaitTermination(REQUEST_TIMEOUT.toSeconds() * 2, TimeUnit.SECONDS))
            {
                clients.shutdownNow();
                fail("the clients did not stop after the kill");
            }
        }
        for (final Future<?> f : futures)
        {
            f.get(1, TimeUnit.SECONDS); // rethrows a client's own failure
        }
        assertTrue(unexpected.isEmpty(), "unexpected answers before the kill: " + unexpected);
        final int ackCount = acked.size();
        assertTrue(ackCount >= killAfter, "acknowledged " + ackCount + " < " + killAfter);
        System.out.println("CrashRecoverySystemTest: " + ackCount + " creates acknowledged, " + createsInDoubt.get() +
            " unanswered, " + createsRefused.get() + " refused; " + advanced.size() + " advances acknowledged, " +
            advanceInDoubt.size() + " unanswered; events fetched for " + eventsBeforeKill.size() + " workflows");
        assertFalse(eventsBeforeKill.isEmpty(), "the load must have sampled some events before the kill");
        assertFalse(advanced.isEmpty(), "the load must have advanced some workflows before the kill");

        // ---- 2. restart on the same data dir: everything acknowledged is there, unchanged ----
        try (var files = java.nio.file.Files.list(dataDir))
        {
            System.out.println("CrashRecoverySystemTest: data dir after the kill: " +
                files.map(f -> f.getFileName().toString()).sorted().toList());
        }
        final ServerProcess second = start("server-2");
        second.output().lines().filter(l -> !l.contains(" config ") &&
                (l.contains("Axiom ready") || l.contains("snapshot") || l.contains("torn")))
            .forEach(l -> System.out.println("CrashRecoverySystemTest: server-2: " + l));

        final Set<Long> positions = new HashSet<>();
        for (final Ack ack : acked.values())
        {
            final JsonNode workflow = getOk(second, WORKFLOWS + "/" + ack.id());
            final JsonNode events = getOk(second, WORKFLOWS + "/" + ack.id() + "/events");
            checkRecovered(ack, workflow, events, positions);
        }

        final JsonNode page = getOk(second, WORKFLOWS + "?limit=1");
        final long total = page.get("total").asLong();
        assertTrue(total >= ackCount, "list total " + total + " < acknowledged " + ackCount);
        assertTrue(total <= ackCount + createsInDoubt.get(), "list total " + total + " > acknowledged " + ackCount +
            " + unanswered " + createsInDoubt.get() + ": a workflow nobody created appeared");

        // the idempotency keys survived: a repeated create returns the recovered workflow and writes nothing
        int replays = 0;
        for (final Ack ack : acked.values())
        {
            if (null == ack.idempotencyKey() || replays == 10)
            {
                continue;
            }
            final HttpResponse<String> again = post(second, WORKFLOWS, ack.requestBody(), ack.idempotencyKey());
            assertEquals(200, again.statusCode(), "repeated create with key " + ack.idempotencyKey() + ": " +
                again.body());
            assertEquals(ack.id(), JSON.readTree(again.body()).get("id").asText());
            replays++;
        }
        assertTrue(replays > 0, "no acknowledged create carried an idempotency key");
        assertEquals(total, getOk(second, WORKFLOWS + "?limit=1").get("total").asLong(),
            "repeated creates with idempotency keys must not create workflows");

        // ---- 3. the recovered engine goes on: advance recovered workflows to COMPLETED, create new ones ----
        final List<Ack> toFinish = acked.values().stream()
            .filter(a -> a.kind() == Kind.APPROVALS && !advanceInDoubt.contains(a.id()))
            .sorted((a, b) -> Boolean.compare(advanced.containsKey(b.id()), advanced.containsKey(a.id())))
            .limit(8)
            .toList();
        assertTrue(toFinish.size() >= 3, "too few approval workflows to advance: " + toFinish.size());
        for (final Ack ack : toFinish)
        {
            advanceToCompletion(second, ack);
        }

        final HttpResponse<String> fresh = post(second, WORKFLOWS,
            "{\"name\":\"after-recovery\",\"steps\":[\"AUDIT\"],\"input\":{}}", null);
        assertEquals(201, fresh.statusCode(), fresh.body());
        final String freshId = JSON.readTree(fresh.body()).get("id").asText();
        assertFalse(acked.containsKey(freshId), "a new workflow reused the id of a recovered one: " + freshId);
        final long maxAcked = acked.keySet().stream().mapToLong(Long::parseLong).max().orElseThrow();
        assertTrue(Long.parseLong(freshId) > maxAcked, "new id " + freshId + " is not above recovered " + maxAcked);

        // ---- 4. a clean stop, then the operator's verify agrees the log is whole ----
        second.process().destroy();
        second.awaitExit(Duration.ofSeconds(60));
        final ServerProcess verify = launch("wal-verify", List.of("wal", "verify", "--data-dir", dataDir.toString()));
        final int status = verify.awaitExit(Duration.ofSeconds(60));
        if (status != 0 || !verify.output().matches("(?sm).*^OK$.*"))
        {
            throw verify.failure("bin/axiom wal verify failed on the recovered journal", null);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------

    /**
     * One client: create workflows of every kind, advance some, fetch the events of some, until the server dies.
     * Every operation on one workflow is made by the client that created it, in order, so that what the client saw
     * last is what the log must hold unless an operation was left unanswered by the kill.
     */
    private void load(
        final ServerProcess server,
        final int client,
        final Random random,
        final AtomicInteger acks,
        final int killAfter,
        final CountDownLatch killMoment)
    {
        for (int n = 0; n < MAX_CREATES_PER_CLIENT; n++)
        {
            final Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
            final String body = createBody(kind, client, n);
            final String key = random.nextInt(5) == 0 ? "sys-" + client + "-" + n + "-" + random.nextLong() : null;

            final HttpResponse<String> created;
            try
            {
                created = post(server, WORKFLOWS, body, key);
            }
            catch (final IOException ex)
            {
                if (!killing.get())
                {
                    unexpected.add("client " + client + " create: " + ex);
                }
                createsInDoubt.incrementAndGet();
                return;
            }
            if (created.statusCode() != 201)
            {
                createsRefused.incrementAndGet();
                unexpected.add("client " + client + " create: " + created.statusCode() + " " + created.body());
                return;
            }
            final JsonNode workflow = readTree(created.body());
            final String id = workflow.get("id").asText();
            final Optional<String> location = created.headers().firstValue("Location");
            if (location.isEmpty() || !location.get().endsWith(WORKFLOWS + "/" + id))
            {
                unexpected.add("create of " + id + " answered Location " + location);
            }
            acked.put(id, new Ack(id, kind, workflow, key, body));
            if (acks.incrementAndGet() == killAfter)
            {
                killMoment.countDown();
            }

            try
            {
                if (kind != Kind.STRING_STEPS && random.nextInt(3) == 0)
                {
                    advanceInDoubt.add(id);
                    final HttpResponse<String> answer = post(server, WORKFLOWS + "/" + id + "/advance",
                        "{\"output\":{\"approved_by\":\"client-" + client + "\",\"n\":" + n + "}}", null);
                    if (answer.statusCode() != 200)
                    {
                        unexpected.add("advance of " + id + ": " + answer.statusCode() + " " + answer.body());
                        return;
                    }
                    advanced.put(id, readTree(answer.body()));
                    advanceInDoubt.remove(id);
                }
                if (random.nextInt(8) == 0)
                {
                    final HttpResponse<String> events = get(server, WORKFLOWS + "/" + id + "/events");
                    if (events.statusCode() != 200)
                    {
                        unexpected.add("events of " + id + ": " + events.statusCode() + " " + events.body());
                        return;
                    }
                    eventsBeforeKill.put(id, readTree(events.body()));
                }
            }
            catch (final IOException ex)
            {
                if (!killing.get())
                {
                    unexpected.add("client " + client + " on " + id + ": " + ex);
                }
                return;
            }
        }
    }

    private static String createBody(final Kind kind, final int client, final int n)
    {
        final ObjectNode root = JSON.createObjectNode();
        root.put("name", "order-" + kind.name().toLowerCase() + "-" + client + "-" + n);
        final ArrayNode steps = root.putArray("steps");
        switch (kind)
        {
            case STRING_STEPS ->
            {
                steps.add("RESERVE_STOCK");
                steps.add("CHARGE_CARD");
                steps.add("SHIP");
            }
            case APPROVALS ->
            {
                steps.addObject().put("name", "MANAGER_APPROVAL").put("type", "approval");
                steps.addObject().put("name", "FINANCE_APPROVAL").put("type", "approval");
            }
            case MIXED ->
            {
                steps.addObject().put("name", "MANAGER_APPROVAL").put("type", "approval");
                final ObjectNode task = steps.addObject()
                    .put("name", "PROCESS_PAYMENT").put("type", "task").put("timeout_ms", 60_000);
                task.putObject("retry")
                    .put("max_attempts", 5).put("backoff_ms", 100).put("max_backoff_ms", 60_000)
                    .put("multiplier", 2.0);
            }
        }
        final ObjectNode input = root.putObject("input");
        input.put("client", client).put("n", n).put("amount_cents", 100L * n + client);
        input.putArray("tags").add("system-test").add(kind.name());
        return root.toString();
    }

    /**
     * The recovered workflow and its events against what was acknowledged before the kill.
     */
    private void checkRecovered(
        final Ack ack, final JsonNode workflow, final JsonNode events, final Set<Long> positions)
    {
        final String id = ack.id();
        final JsonNode created = ack.created();
        final JsonNode lastAnswer = advanced.getOrDefault(id, created);

        // what the workflow is made of never changes
        for (final String field : List.of("id", "name", "input", "idempotency_key", "created_at"))
        {
            assertEquals(created.get(field), workflow.get(field), field + " of recovered workflow " + id);
        }
        assertEquals(stepShapes(created), stepShapes(workflow), "steps of recovered workflow " + id);

        // its state is the last one acknowledged, or a later one only when an advance was left unanswered
        if (advanceInDoubt.contains(id))
        {
            final boolean unchanged = workflow.equals(created);
            final boolean advancedOnce = "COMPLETED".equals(workflow.at("/steps/0/status").asText());
            assertTrue(unchanged || advancedOnce, "workflow " + id + " with an unanswered advance is neither as " +
                "created nor advanced once: " + workflow);
        }
        else
        {
            assertEquals(lastAnswer, workflow, "recovered workflow " + id + " differs from the last acknowledged " +
                "answer about it");
        }

        // its events: the ones fetched before the kill, exactly; for all, the ones the create wrote
        assertEquals(id, events.get("workflow_id").asText());
        final JsonNode list = events.get("events");
        assertEquals(list.size(), events.get("total").asInt(), "events total of " + id);
        final JsonNode before = eventsBeforeKill.get(id);
        if (null != before)
        {
            assertEquals(before, events, "events of workflow " + id + " before the kill and after the restart");
        }
        final int createdEvents = created.get("event_count").asInt();
        assertTrue(list.size() >= createdEvents, "workflow " + id + " has " + list.size() + " events, its create " +
            "acknowledged " + createdEvents);
        if (!advanceInDoubt.contains(id))
        {
            assertEquals(lastAnswer.get("event_count").asInt(), list.size(), "event count of " + id);
        }
        assertEquals("WorkflowCreated", list.get(0).get("type").asText(), "first event of " + id);
        for (int i = 0; i < createdEvents; i++)
        {
            assertEquals(created.get("created_at").asText(), list.get(i).get("timestamp").asText(),
                "timestamp of event " + i + " of " + id + " (written by its create)");
        }
        long previous = -1;
        for (final JsonNode event : list)
        {
            final long position = event.get("position").asLong();
            assertTrue(position > previous, "positions of " + id + " must grow: " + list);
            assertTrue(positions.add(position), "position " + position + " belongs to two workflows");
            previous = position;
        }
    }

    private static List<String> stepShapes(final JsonNode workflow)
    {
        final List<String> shapes = new ArrayList<>();
        for (final JsonNode step : workflow.get("steps"))
        {
            final ObjectNode shape = step.deepCopy();
            shape.remove(List.of("status", "attempts", "completed_at", "output"));
            shapes.add(shape.toString());
        }
        return shapes;
    }

    private void advanceToCompletion(final ServerProcess server, final Ack ack) throws Exception
    {
        final int steps = ack.created().get("steps").size();
        JsonNode workflow = getOk(server, WORKFLOWS + "/" + ack.id());
        for (int i = 0; i <= steps && !"COMPLETED".equals(workflow.get("state").asText()); i++)
        {
            final HttpResponse<String> answer = post(server, WORKFLOWS + "/" + ack.id() + "/advance",
                "{\"output\":{\"after_recovery\":true}}", null);
            assertEquals(200, answer.statusCode(), "advance of recovered workflow " + ack.id() + ": " +
                answer.body());
            workflow = readTree(answer.body());
        }
        assertEquals("COMPLETED", workflow.get("state").asText(), "recovered workflow " + ack.id() + ": " + workflow);
        final JsonNode events = getOk(server, WORKFLOWS + "/" + ack.id() + "/events").get("events");
        assertEquals("WorkflowCompleted", events.get(events.size() - 1).get("type").asText(), events.toString());
        final JsonNode again = getOk(server, WORKFLOWS + "/" + ack.id());
        assertEquals(workflow, again, "a read after the advances answers what the last advance did");
        final HttpResponse<String> late = post(server, WORKFLOWS + "/" + ack.id() + "/advance", "", null);
        assertEquals(409, late.statusCode(), "advancing a COMPLETED workflow: " + late.body());
        assertTrue(late.headers().firstValue("Content-Type").orElse("").startsWith("application/problem+json"),
            late.headers().map().toString());
    }

    // ---------------------------------------------------------------------------------------------------------------

    private ServerProcess start(final String name, final String... extraArgs)
    {
        final ServerProcess server = ServerProcess.startServer(name, dataDir, START_TIMEOUT, extraArgs);
        servers.add(server);
        assertNotEquals(0, server.port());
        return server;
    }

    private ServerProcess launch(final String name, final List<String> args)
    {
        final ServerProcess process = ServerProcess.launch(name, args);
        servers.add(process);
        return process;
    }

    /** The pid of bin/axiom must be the JVM itself, or a SIGKILL would leave the server running. */
    private static void assertLauncherExecedTheJvm(final ServerProcess server)
    {
        final Optional<String> command = server.process().info().command();
        command.ifPresent(c -> assertTrue(Path.of(c).getFileName().toString().startsWith("java"),
            "bin/axiom must exec the JVM, but pid " + server.pid() + " runs " + c));
        assertEquals(0, server.process().descendants().filter(p -> p.info().command()
            .map(c -> c.endsWith("java")).orElse(false)).count(), "the JVM is a child of bin/axiom, not exec'd");
    }

    private HttpResponse<String> post(
        final ServerProcess server, final String path, final String body, final String idempotencyKey)
        throws IOException
    {
        final HttpRequest.Builder request = HttpRequest.newBuilder(server.uri(path))
            .timeout(REQUEST_TIMEOUT)
            .POST(body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (!body.isEmpty())
        {
            request.header("Content-Type", "application/json");
        }
        if (null != idempotencyKey)
        {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return send(request.build());
    }

    private HttpResponse<String> get(final ServerProcess server, final String path) throws IOException
    {
        return send(HttpRequest.newBuilder(server.uri(path)).timeout(REQUEST_TIMEOUT).GET().build());
    }

    private JsonNode getOk(final ServerProcess server, final String path) throws IOException
    {
        final HttpResponse<String> response = get(server, path);
        if (response.statusCode() != 200)
        {
            throw server.failure("GET " + path + " answered " + response.statusCode() + " " + response.body(), null);
        }
        return readTree(response.body());
    }

    private HttpResponse<String> send(final HttpRequest request) throws IOException
    {
        try
        {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", ex);
        }
    }

    private static JsonNode readTree(final String body)
    {
        try
        {
            final JsonNode node = JSON.readTree(body);
            assertNotNull(node, "empty body");
            return node;
        }
        catch (final IOException ex)
        {
            throw new AssertionError("not JSON: " + body, ex);
        }
    }
}
