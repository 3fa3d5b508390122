package io.axiom.gateway.cli.client;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;
import io.axiom.gateway.TestServer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code axiom workflow list} with the search options, against a real in-process server: each option reaches the
 * server as its query parameter, and a refusal exits 1 with the server's problem.
 */
class WorkflowListSearchTest
{
    @TempDir
    static Path dataDir;

    private static TestServer server;

    /**
     * Output of one command run.
     */
    record Run(int code, String out, String err)
    {
    }

    @BeforeAll
    static void startServer()
    {
        server = TestServer.start(dataDir);
        for (final String name : List.of("inv-1", "inv-2", "refund-1"))
        {
            assertEquals(0, axiom("workflow", "create", "--name", name, "--steps-json",
                "[{\"name\":\"" + (name.startsWith("inv") ? "REVIEW" : "PAY") + "\",\"type\":\"approval\"}]").code());
        }
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
    void searchOptionsFilterSortAndOrder()
    {
        assertEquals(List.of("2", "1"), ids(axiom("workflow", "list", "--name-prefix", "inv", "--order", "desc")));
        assertEquals(List.of("1"), ids(axiom("workflow", "list", "--name", "inv-1")));
        assertEquals(List.of("3"), ids(axiom("workflow", "list", "--step", "PAY", "--state", "WAITING")));
        assertEquals(List.of("1", "2", "3"), ids(axiom("workflow", "list", "--created-after", "2000-01-01T00:00:00Z",
            "--created-before", "2999-01-01T00:00:00Z", "--sort", "created_at", "--order", "asc")));
        assertEquals(List.of(), ids(axiom("workflow", "list", "--created-before", "2000-01-01T00:00:00Z")));
    }

    @Test
    void aRefusedSearchExitsOneWithTheServersProblem()
    {
        final Run run = axiom("workflow", "list", "--created-after", "yesterday");
        assertEquals(1, run.code(), run.toString());
        assertTrue(run.err().contains("INVALID_QUERY: created_after must be an ISO-8601 instant"), run.err());
        final Run sort = axiom("workflow", "list", "--sort", "name");
        assertEquals(1, sort.code(), sort.toString());
        assertTrue(sort.err().contains("sort must be id or created_at"), sort.err());
    }

    private static List<String> ids(final Run run)
    {
        assertEquals(0, run.code(), run.toString());
        final List<String> ids = new ArrayList<>();
        run.out().lines().skip(1).filter(l -> l.matches("\\d+\\s.*")).forEach(l -> ids.add(l.split("\\s+")[0]));
        return ids;
    }

    private static Run axiom(final String... args)
    {
        final List<String> all = new ArrayList<>(List.of(args));
        all.add("--server");
        all.add("http://127.0.0.1:" + server.port());
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(Map.of(), new PrintWriter(out), new PrintWriter(err),
            all.toArray(String[]::new));
        return new Run(code, out.toString(), err.toString());
    }
}
