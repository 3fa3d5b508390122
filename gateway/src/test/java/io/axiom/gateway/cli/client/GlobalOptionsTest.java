package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import picocli.CommandLine;

import io.axiom.gateway.AxiomMain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code --server}, {@code --token} and {@code --json} before the command ({@code axiom --json workflow inspect 1})
 * and after it, against a {@link FakeServer} that records what it was sent; and the lazily built command tree.
 */
class GlobalOptionsTest
{
    private static final String WORKFLOW = "{\"id\":\"1\",\"name\":\"w\",\"state\":\"RUNNING\"," +
        "\"current_step\":\"A\",\"current_step_index\":0,\"steps\":[],\"input\":null,\"idempotency_key\":null," +
        "\"created_at\":\"2026-01-01T00:00:00.000Z\",\"updated_at\":\"2026-01-01T00:00:00.000Z\",\"event_count\":2," +
        "\"reason\":null}";

    record Run(int code, String out, String err)
    {
    }

    @Test
    void optionsBeforeTheCommandWorkLikeOptionsAfterIt()
    {
        try (FakeServer fake = new FakeServer(200, "application/json", WORKFLOW))
        {
            final Run before = axiom(Map.of(), "--server", fake.url(), "--token", "t1", "--json",
                "workflow", "inspect", "1");
            final Run after = axiom(Map.of(), "workflow", "inspect", "1", "--server", fake.url(), "--token", "t1",
                "--json");
            final Run mixed = axiom(Map.of(), "--json", "workflow", "inspect", "1", "--server=" + fake.url(),
                "--token=t1");

            assertEquals(0, before.code(), before.toString());
            assertEquals(0, after.code(), after.toString());
            assertEquals(0, mixed.code(), mixed.toString());
            assertTrue(before.out().startsWith("{\n  \"id\": \"1\""), before.out());
            assertEquals(before.out(), after.out());
            assertEquals(before.out(), mixed.out());
            assertEquals(3, fake.requests().size());
            for (final FakeServer.Request request : fake.requests())
            {
                assertEquals("Bearer t1", request.authorization());
                assertEquals("/api/v1/workflows/1", request.pathAndQuery());
            }
        }
    }

    @Test
    void anOptionAfterTheCommandWinsOverTheSameOneBefore()
    {
        try (FakeServer fake = new FakeServer(200, "application/json", WORKFLOW))
        {
            final Run run = axiom(Map.of(), "--server", "http://127.0.0.1:1", "--token", "before", "workflow",
                "inspect", "1", "--server", fake.url(), "--token", "after");

            assertEquals(0, run.code(), run.toString());
            assertTrue(run.out().contains("FIELD"), "a table without --json: " + run.out());
            assertEquals("Bearer after", fake.requests().get(0).authorization());
        }
    }

    @Test
    void theEnvironmentStillNamesTheServerAndTheToken()
    {
        try (FakeServer fake = new FakeServer(200, "application/json", WORKFLOW))
        {
            final Run run = axiom(Map.of(ClientOptions.SERVER_ENV, fake.url(), ClientOptions.TOKEN_ENV, "env-token"),
                "--json", "workflow", "inspect", "1");

            assertEquals(0, run.code(), run.toString());
            assertTrue(run.out().startsWith("{"), run.out());
            assertEquals("Bearer env-token", fake.requests().get(0).authorization());

            final Run flag = axiom(Map.of(ClientOptions.SERVER_ENV, "http://127.0.0.1:1",
                ClientOptions.TOKEN_ENV, "env-token"), "--server", fake.url(), "--token", "flag", "tasks", "--json");
            assertEquals(0, flag.code(), flag.toString());
            assertEquals("Bearer flag", fake.requests().get(1).authorization());
        }
    }

    @Test
    void aClientOptionBeforeACommandWithoutItIsAUsageErrorAndRunsNothing()
    {
        for (final List<String> args : List.of(
            List.of("--json", "server", "--port", "0"),
            List.of("--token", "t", "wal", "verify", "--data-dir", "/nonexistent"),
            List.of("--server", "http://127.0.0.1:1", "worker", "--demo", "--steps", "A"),
            List.of("--server", "http://127.0.0.1:1", "wal", "dump", "--data-dir", "/nonexistent")))
        {
            final Run run = axiom(Map.of(), args.toArray(String[]::new));

            assertEquals(2, run.code(), args + ": " + run);
            assertTrue(run.err().contains(args.get(0) + " is not an option of 'axiom "), run.err());
            assertTrue(run.err().contains("Usage: axiom "), run.err());
            assertEquals("", run.out());
        }
    }

    @Test
    void badValuesBeforeTheCommandAreUsageErrors()
    {
        final Run badUrl = axiom(Map.of(), "--server", "localhost:4000", "workflow", "list");
        assertEquals(2, badUrl.code(), badUrl.toString());
        assertTrue(badUrl.err().contains("server URL 'localhost:4000' (from --server) must look like http://HOST:PORT"),
            badUrl.err());

        final Run missing = axiom(Map.of(), "workflow", "list", "--server");
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("Missing required parameter for option '--server'"), missing.err());

        final Run unknown = axiom(Map.of(), "--jsn", "workflow", "list");
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("Unknown option: '--jsn'"), unknown.err());
    }

    @Test
    void aRunBuildsOnlyTheCommandItNamesAndHelpListsThemAll()
    {
        assertEquals("workflow", AxiomMain.commandWord("--server", "http://h:1", "--json", "workflow", "list"));
        assertEquals("tasks", AxiomMain.commandWord("--token=t", "--server=http://h:1", "tasks"));
        assertNull(AxiomMain.commandWord("--json"));

        final CommandLine all = AxiomMain.commandLine(Map.of());
        assertEquals(List.of("server", "worker", "wal", "workflow", "tasks", "metrics", "chaos", "verify",
            "snapshot", "cluster", "help", "completion"), List.copyOf(all.getSubcommands().keySet()));
        assertEquals(List.of("workflow"), List.copyOf(AxiomMain.commandLine(Map.of(), "workflow").getSubcommands()
            .keySet()));
        assertTrue(AxiomMain.commandLine(Map.of(), "server").getSubcommands().get("server").getCommandSpec()
            .findOption("--port") != null, "the server's flags come from its model transformer");
        assertEquals(all.getSubcommands().keySet(),
            AxiomMain.commandLine(Map.of(), "workflw").getSubcommands().keySet());

        final Run version = axiom(Map.of(), "--version");
        assertEquals(0, version.code(), version.toString());
        assertTrue(version.out().startsWith("axiom "), version.out());
        final Run versionThenCommand = axiom(Map.of(), "--version", "tasks");
        assertEquals(0, versionThenCommand.code(), versionThenCommand.toString());
        assertTrue(versionThenCommand.out().startsWith("axiom "), versionThenCommand.out());

        final Run typo = axiom(Map.of(), "workflw", "list");
        assertEquals(2, typo.code(), typo.toString());
        assertTrue(typo.err().contains("Did you mean: axiom workflow"), typo.err());
    }

    private static Run axiom(final Map<String, String> env, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(new HashMap<>(env), new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }
}
