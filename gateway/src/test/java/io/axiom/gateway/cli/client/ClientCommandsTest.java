package io.axiom.gateway.cli.client;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.TestServer;
import io.axiom.gateway.system.ServerProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client commands of {@code axiom}, run in-process through {@link AxiomMain#execute} with captured output against
 * a real in-process server on an ephemeral port, and against a {@link FakeServer} for what a real server cannot be
 * made to answer on demand.
 */
class ClientCommandsTest
{
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    static Path dataDir;

    private static TestServer server;

    /**
     * Output of one command run.
     */
    record Run(int code, String out, String err)
    {
        JsonNode json()
        {
            try
            {
                return MAPPER.readTree(out);
            }
            catch (final IOException ex)
            {
                throw new AssertionError("stdout is not JSON: " + this, ex);
            }
        }
    }

    @BeforeAll
    static void startServer()
    {
        server = TestServer.start(dataDir);
    }

    @AfterAll
    static void stopServer()
    {
        if (null != server)
        {
            server.close();
        }
    }

    @Test
    void createListInspectEventsAdvanceCancelAgainstARealServer()
    {
        final Run created = axiom("workflow", "create", "--name", "cli-order", "--steps", "RESERVE,CHARGE,SHIP",
            "--input", "{\"order_id\":42}");
        assertEquals(0, created.code(), created.toString());
        assertTrue(created.out().startsWith("created workflow "), created.out());
        assertTrue(created.out().lines().anyMatch(l -> l.matches("state\\s+RUNNING")), created.out());
        assertTrue(created.out().lines().anyMatch(l -> l.matches("0\\s+RESERVE\\s+task\\s+ACTIVE\\s+1\\s.*")),
            created.out());

        final Run typed = axiom("workflow", "create", "--name", "cli-refund", "--json", "--steps-json",
            "[{\"name\":\"APPROVE\",\"type\":\"approval\"},\"PAY\"]", "--idempotency-key", "cli-refund-1");
        assertEquals(0, typed.code(), typed.toString());
        final JsonNode refund = typed.json();
        final String id = refund.get("id").asText();
        assertEquals("WAITING", refund.get("state").asText());
        assertEquals("APPROVE", refund.get("current_step").asText());
        assertEquals("cli-refund-1", refund.get("idempotency_key").asText());

        final Run again = axiom("workflow", "create", "--name", "cli-refund", "--steps-json",
            "[{\"name\":\"APPROVE\",\"type\":\"approval\"},\"PAY\"]", "--idempotency-key", "cli-refund-1");
        assertEquals(0, again.code(), again.toString());
        assertTrue(again.out().startsWith("workflow " + id + " already exists for idempotency key cli-refund-1"),
            again.out());

        final Run list = axiom("workflow", "list", "--state", "WAITING", "--limit", "10");
        assertEquals(0, list.code(), list.toString());
        assertTrue(list.out().lines().findFirst().orElseThrow()
            .matches("ID\\s+NAME\\s+STATE\\s+CURRENT STEP\\s+EVENTS\\s+UPDATED AT"), list.out());
        assertTrue(list.out().lines().anyMatch(l -> l.matches(id + "\\s+cli-refund\\s+WAITING\\s+APPROVE\\s+3\\s+" +
            "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z")), list.out());

        final Run listJson = axiom("workflow", "list", "--json", "--state", "WAITING", "--offset", "0");
        assertEquals(0, listJson.code(), listJson.toString());
        assertTrue(listJson.json().get("total").asInt() >= 1, listJson.out());
        assertTrue(listJson.out().contains("\n  \"workflows\": ["), "pretty-printed: " + listJson.out());

        final Run inspect = axiom("workflow", "inspect", id);
        assertEquals(0, inspect.code(), inspect.toString());
        assertTrue(inspect.out().lines().anyMatch(l -> l.matches("current step\\s+APPROVE \\(index 0\\)")),
            inspect.out());
        assertEquals(id, axiom("workflow", "inspect", id, "--json").json().get("id").asText());

        final Run events = axiom("workflow", "events", id);
        assertEquals(0, events.code(), events.toString());
        assertTrue(events.out().lines().anyMatch(l -> l.matches("\\d+\\s+\\d+\\s+\\S+Z\\s+WorkflowCreated\\s+" +
            "name=cli-refund .*")), events.out());
        assertEquals(3, axiom("workflow", "events", id, "--json").json().get("events").size());

        final Run advanced = axiom("workflow", "advance", id, "--output", "{\"approved_by\":\"alice\"}",
            "--expected-step", "APPROVE");
        assertEquals(0, advanced.code(), advanced.toString());
        assertTrue(advanced.out().startsWith("advanced workflow " + id + ": now RUNNING at PAY"), advanced.out());
        assertTrue(advanced.out().contains("{\"approved_by\":\"alice\"}"), advanced.out());

        final Run tasks = axiom("tasks");
        assertEquals(0, tasks.code(), tasks.toString());
        assertTrue(tasks.out().lines().anyMatch(l -> l.matches("PAY\\s+1\\s+0\\s+0\\s+\\d+ ms")), tasks.out());
        assertTrue(axiom("tasks", "--json").json().has("queues"));

        final Run cancelled = axiom("workflow", "cancel", id, "--reason", "changed my mind", "--json");
        assertEquals(0, cancelled.code(), cancelled.toString());
        assertEquals("CANCELLED", cancelled.json().get("state").asText());
        assertEquals("changed my mind", cancelled.json().get("reason").asText());
    }

    @Test
    void replayOfARealWorkflowMatchesAndExitsZero()
    {
        final String id = createJson("replayed", "A,B").get("id").asText();

        final Run replay = axiom("workflow", "replay", id);

        assertEquals(0, replay.code(), replay.toString());
        final List<String> lines = replay.out().lines().toList();
        assertTrue(lines.get(0).matches("#\\s+POSITION\\s+EVENT\\s+STEP\\s+STATE AFTER\\s+CURRENT STEP"),
            replay.out());
        assertTrue(lines.get(1).matches("1\\s+\\d+\\s+WorkflowCreated\\s+-\\s+CREATED\\s+A"), replay.out());
        assertTrue(lines.get(2).matches("2\\s+\\d+\\s+StepScheduled\\s+A\\s+RUNNING\\s+A"), replay.out());
        assertEquals("replay of 2 events matches the live state: RUNNING, current step A", lines.get(3));

        final Run json = axiom("workflow", "replay", id, "--json");
        assertEquals(0, json.code(), json.toString());
        assertTrue(json.json().get("matches_live").asBoolean());
    }

    @Test
    void replayThatDiffersFromTheLiveStateExitsOne()
    {
        final String body = "{\"workflow_id\":\"7\",\"matches_live\":false,\"steps\":[{\"event\":{\"position\":64," +
            "\"sequence\":1,\"type\":\"WorkflowCreated\",\"timestamp\":\"2026-01-01T00:00:00.000Z\"},\"state\":" +
            "{\"id\":\"7\",\"state\":\"CREATED\",\"current_step\":\"A\"}}],\"live\":{\"id\":\"7\",\"state\":" +
            "\"RUNNING\",\"current_step\":\"A\"}}";
        try (FakeServer fake = new FakeServer(200, "application/json", body))
        {
            final Run replay = axiom(Map.of(), "workflow", "replay", "7", "--server", fake.url());

            assertEquals(1, replay.code(), replay.toString());
            assertTrue(replay.out().contains("replay of 1 events does NOT match the live state:"), replay.out());
            assertTrue(replay.out().contains("  state: replay CREATED, live RUNNING"), replay.out());
            assertTrue(replay.err().contains("REPLAY_MISMATCH"), replay.err());
            assertEquals("/api/v1/workflows/7/replay", fake.requests().get(0).pathAndQuery());
        }
    }

    @Test
    void unknownWorkflowExitsOneWithTheServersDetail()
    {
        final Run inspect = axiom("workflow", "inspect", "987654");

        assertEquals(1, inspect.code(), inspect.toString());
        assertEquals("", inspect.out());
        assertTrue(inspect.err().startsWith("axiom: NOT_FOUND: ") && inspect.err().contains("987654"),
            inspect.err());

        final Run notANumber = axiom("workflow", "events", "abc");
        assertEquals(1, notANumber.code(), notANumber.toString());
        assertTrue(notANumber.err().contains("WORKFLOW_NOT_FOUND: no workflow with id 'abc'"), notANumber.err());

        final Run badState = axiom("workflow", "list", "--state", "SLEEPING");
        assertEquals(1, badState.code(), badState.toString());
        assertTrue(badState.err().contains("INVALID_QUERY: query parameter state must be one of"), badState.err());
    }

    @Test
    void refusedTransitionExitsOneWithTheServersDetail()
    {
        final String id = createJson("cancelled-first", "TASK_ONLY").get("id").asText();
        assertEquals(0, axiom("workflow", "cancel", id).code());

        final Run advance = axiom("workflow", "advance", id);

        assertEquals(1, advance.code(), advance.toString());
        assertTrue(advance.err().startsWith("axiom: ILLEGAL_TRANSITION: "), advance.err());
    }

    @Test
    void serverDownExitsOneNamingTheUrl()
    {
        final String url = "http://127.0.0.1:" + closedPort();

        final Run run = axiom(Map.of(), "workflow", "list", "--server", url);

        assertEquals(1, run.code(), run.toString());
        assertTrue(run.err().contains("cannot reach the Axiom server at " + url) &&
            run.err().contains("connection refused"), run.err());

        final Run fromEnv = axiom(Map.of("AXIOM_SERVER", url), "tasks");
        assertEquals(1, fromEnv.code(), fromEnv.toString());
        assertTrue(fromEnv.err().contains(url), fromEnv.err());
    }

    @Test
    void badUsageExitsTwo()
    {
        assertUsage(axiom(Map.of(), "workflow"), "Missing command");
        assertUsage(axiom("workflow", "create", "--steps", "A"), "--name");
        assertUsage(axiom("workflow", "create", "--name", "x"), "--steps");
        assertUsage(axiom("workflow", "create", "--name", "x", "--steps", "A", "--steps-json", "[\"A\"]"),
            "mutually exclusive");
        assertUsage(axiom("workflow", "create", "--name", "x", "--steps", "A", "--input", "{oops"),
            "--input is not valid JSON");
        assertUsage(axiom("workflow", "create", "--name", "x", "--steps-json", "{\"name\":\"A\"}"),
            "--steps-json must be a JSON array");
        assertUsage(axiom("workflow", "inspect"), "ID");
        assertUsage(axiom("workflow", "list", "--limit", "many"), "--limit");
        assertUsage(axiom("workflow", "list", "--bogus"), "--bogus");
        assertUsage(axiom(Map.of(), "workflow", "list", "--server", "localhost:4000"), "http://HOST:PORT");
        assertUsage(axiom(Map.of("AXIOM_SERVER", "ftp://example"), "tasks"), "AXIOM_SERVER");
        assertUsage(axiom(Map.of(), "chaos"), "Missing command");
        assertUsage(axiom("chaos", "run"), "SCENARIO");
        assertUsage(axiom("chaos", "run", "process_kill", "--duration", "0"), "--duration must be positive");
    }

    @Test
    void tokenIsSentAsBearerFromTheFlagOrTheEnvironment()
    {
        try (FakeServer fake = new FakeServer(200, "application/json", "{\"queues\":[],\"queued\":0,\"leased\":0}"))
        {
            assertEquals(0, axiom(Map.of(), "tasks", "--server", fake.url(), "--token", "s3cret").code());
            assertEquals(0, axiom(Map.of("AXIOM_API_TOKEN", "from-env", "AXIOM_SERVER", fake.url()), "tasks").code());
            assertEquals(0, axiom(Map.of("AXIOM_API_TOKEN", "from-env"), "tasks", "--server", fake.url(),
                "--token", "flag-wins").code());
            assertEquals(0, axiom(Map.of(), "tasks", "--server", fake.url()).code());

            final List<FakeServer.Request> requests = fake.requests();
            assertEquals("Bearer s3cret", requests.get(0).authorization());
            assertEquals("Bearer from-env", requests.get(1).authorization());
            assertEquals("Bearer flag-wins", requests.get(2).authorization());
            assertNull(requests.get(3).authorization());
        }
    }

    @Test
    void realServerWithATokenRefusesWithoutItAndAnswersWithIt()
    {
        try (TestServer secured = TestServer.start(dataDir.resolve("secured"), "--gateway.api-token", "s3cret"))
        {
            final String url = "http://127.0.0.1:" + secured.port();

            final Run without = axiom(Map.of(), "workflow", "list", "--server", url);
            assertEquals(1, without.code(), without.toString());
            assertTrue(without.err().startsWith("axiom: UNAUTHENTICATED: "), without.err());

            final Run wrong = axiom(Map.of(), "tasks", "--server", url, "--token", "guess");
            assertEquals(1, wrong.code(), wrong.toString());
            assertTrue(wrong.err().startsWith("axiom: UNAUTHENTICATED: "), wrong.err());

            final Run flag = axiom(Map.of(), "workflow", "create", "--name", "secured", "--steps", "A", "--server",
                url, "--token", "s3cret", "--json");
            assertEquals(0, flag.code(), flag.toString());
            assertEquals("secured", flag.json().get("name").asText());

            final Run env = axiom(Map.of("AXIOM_API_TOKEN", "s3cret", "AXIOM_SERVER", url), "workflow", "list");
            assertEquals(0, env.code(), env.toString());
            assertTrue(env.out().contains("workflows 1-1 of 1"), env.out());
        }
    }

    @Test
    void launcherHelpListsTheClientCommands()
    {
        try (ServerProcess help = ServerProcess.launch("launcher-help", List.of("--help")))
        {
            assertEquals(0, help.awaitExit(Duration.ofSeconds(60)), help.output());
            final String usage = help.output();
            for (final String command : List.of("workflow list|inspect|events|replay|create|advance|cancel",
                "tasks", "metrics", "chaos run SCENARIO [--duration MS] [--seed N]", "verify", "completion"))
            {
                assertTrue(usage.lines().anyMatch(l -> l.startsWith("  " + command)), command + "\n" + usage);
            }
            assertTrue(usage.contains("Usage: axiom [-hV] [--json] [--server=URL] [--token=TOKEN] COMMAND"),
                "the command help follows: " + usage);
        }
    }

    @Test
    void unauthenticatedAnswerExitsOneAndSaysHowToPassAToken()
    {
        final String problem = "{\"type\":\"urn:axiom:problem:unauthenticated\",\"title\":\"Unauthorized\"," +
            "\"status\":401,\"detail\":\"this server requires an API token: send the header Authorization: " +
            "Bearer <token>\",\"instance\":\"/api/v1/workflows\",\"code\":\"UNAUTHENTICATED\"}";
        try (FakeServer fake = new FakeServer(401, "application/problem+json", problem))
        {
            final Run run = axiom(Map.of(), "workflow", "list", "--server", fake.url());

            assertEquals(1, run.code(), run.toString());
            assertTrue(run.err().startsWith("axiom: UNAUTHENTICATED: this server requires an API token"), run.err());
            assertTrue(run.err().contains("--token TOKEN or set AXIOM_API_TOKEN"), run.err());
        }
    }

    @Test
    void metricsPrintsTheServersDocumentOrItsProblem()
    {
        final Run metrics = axiom("metrics", "--json");
        assertEquals(0, metrics.code(), metrics.toString());
        assertTrue(metrics.json().isObject() && !metrics.json().isEmpty(), metrics.out());

        final Run table = axiom("metrics");
        assertEquals(0, table.code(), table.toString());
        assertTrue(table.out().startsWith("KEY"), table.out());

        final String notFound = "{\"type\":\"urn:axiom:problem:route-not-found\",\"title\":\"Not found\"," +
            "\"status\":404,\"detail\":\"no resource at GET /api/v1/metrics; the API lives under /api/v1\"," +
            "\"instance\":\"/api/v1/metrics\",\"code\":\"ROUTE_NOT_FOUND\"}";
        try (FakeServer fake = new FakeServer(404, "application/problem+json", notFound))
        {
            final Run missing = axiom(Map.of(), "metrics", "--server", fake.url());

            assertEquals(1, missing.code(), missing.toString());
            assertEquals("", missing.out());
            assertTrue(missing.err().startsWith("axiom: ROUTE_NOT_FOUND: no resource at GET /api/v1/metrics"),
                missing.err());
            assertTrue(missing.err().contains("does not offer GET /api/v1/metrics"), missing.err());
        }
    }

    @Test
    void chaosAndVerifyReportTheServersAnswerAsItIs()
    {
        final Run chaos = axiom("chaos", "run", "process_kill", "--duration", "30000");
        assertEquals(1, chaos.code(), chaos.toString());
        assertTrue(chaos.err().contains("FORBIDDEN: chaos is off on this server: start it with --chaos-enabled"),
            chaos.err());

        final Run verify = axiom("verify");
        assertEquals(0, verify.code(), verify.toString());
        assertTrue(verify.out().contains("consistent with the log") && verify.out().endsWith("OK\n"), verify.out());

        try (FakeServer fake = new FakeServer(200, "application/json", "{\"scenario\":\"process_kill\",\"ok\":true}"))
        {
            final Run run = axiom(Map.of(), "chaos", "run", "process_kill", "--duration", "30000", "--seed", "7",
                "--server", fake.url());
            assertEquals(0, run.code(), run.toString());
            assertTrue(run.out().lines().anyMatch(l -> l.matches("scenario\\s+process_kill")), run.out());
            final FakeServer.Request request = fake.requests().get(0);
            assertEquals("POST /api/v1/chaos/run", request.method() + " " + request.pathAndQuery());
            assertEquals("application/json", request.contentType());
            assertEquals("{\"scenario\":\"process_kill\",\"duration_ms\":30000,\"seed\":7}", request.body());
            assertEquals(0, axiom(Map.of(), "verify", "--server", fake.url()).code());
        }
        try (FakeServer fake = new FakeServer(200, "application/json", "{\"ok\":false,\"workflows\":3}"))
        {
            final Run run = axiom(Map.of(), "verify", "--server", fake.url());
            assertEquals(1, run.code(), run.toString());
            assertTrue(run.err().contains("INCONSISTENT"), run.err());
            assertEquals("POST", fake.requests().get(0).method());
        }
    }

    @Test
    void helpListsTheClientCommandsAndCompletionPrintsAScript()
    {
        final Run help = axiom(Map.of(), "--help");
        assertEquals(0, help.code(), help.toString());
        for (final String command : List.of("workflow", "tasks", "metrics", "chaos", "verify", "completion"))
        {
            assertTrue(help.out().lines().anyMatch(l -> l.startsWith("  " + command + " ")), command + "\n" + help);
        }
        final Run workflowHelp = axiom(Map.of(), "workflow", "--help");
        for (final String command : List.of("list", "inspect", "events", "replay", "create", "advance", "cancel"))
        {
            assertTrue(workflowHelp.out().lines().anyMatch(l -> l.startsWith("  " + command + " ")),
                command + "\n" + workflowHelp);
        }
        final Run listHelp = axiom(Map.of(), "workflow", "list", "--help");
        assertTrue(listHelp.out().contains("--server=URL") && listHelp.out().contains("--token=TOKEN") &&
            listHelp.out().contains("--json"), listHelp.out());

        final Run completion = axiom(Map.of(), "completion");
        assertEquals(0, completion.code(), completion.toString());
        assertTrue(completion.out().contains("complete -F _complete_axiom"), completion.out());
        assertTrue(completion.out().contains("workflow") && completion.out().contains("replay") &&
            completion.out().contains("--steps-json"), "completion covers subcommands and options");
    }

    private static void assertUsage(final Run run, final String expected)
    {
        assertEquals(2, run.code(), run.toString());
        assertTrue(run.err().contains(expected), "stderr lacks '" + expected + "': " + run.err());
        assertFalse(run.err().contains("Exception"), run.err());
    }

    private static JsonNode createJson(final String name, final String steps)
    {
        final Run run = axiom("workflow", "create", "--name", name, "--steps", steps, "--json");
        assertEquals(0, run.code(), run.toString());
        return run.json();
    }

    private static int closedPort()
    {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Run a command against the shared real server (named by {@code --server}).
     */
    private static Run axiom(final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.add("--server");
        all.add("http://127.0.0.1:" + server.port());
        final Map<String, String> env = new HashMap<>();
        return axiom(env, all.toArray(String[]::new));
    }

    private static Run axiom(final Map<String, String> env, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(env, new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
