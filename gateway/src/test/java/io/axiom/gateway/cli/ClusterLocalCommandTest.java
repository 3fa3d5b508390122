package io.axiom.gateway.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.AxiomMain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code axiom cluster local} refuses what it cannot run before it starts anything: no launcher to start members
 * with, a member count or ports out of range. (It runs for real in {@code ClusterLocalSystemTest}.)
 */
class ClusterLocalCommandTest
{
    @TempDir
    Path dir;

    @Test
    void withoutTheLauncherNothingStarts()
    {
        final Path data = dir.resolve("data-cluster");
        final Run run = run(Map.of(), "cluster", "local", "--data-dir", data.toString());
        assertEquals(2, run.code, run.err);
        assertTrue(run.err.startsWith("axiom: cluster local starts its members with bin/axiom, and " +
            "$AXIOM_LAUNCHER (which bin/axiom exports) is not set"), run.err);
        assertFalse(Files.exists(data), "nothing created");

        final Run notExecutable = run(Map.of(ClusterLocalCommand.LAUNCHER_ENV, dir.resolve("nope").toString()),
            "cluster", "local", "--data-dir", data.toString());
        assertEquals(2, notExecutable.code, notExecutable.err);
        assertTrue(notExecutable.err.contains("is not an executable: "), notExecutable.err);
    }

    @Test
    void outOfRangeOptionsAreUsageErrors()
    {
        final Map<String, String> env = Map.of(ClusterLocalCommand.LAUNCHER_ENV, "/bin/true");
        final Run none = run(env, "cluster", "local", "--nodes", "0");
        assertEquals(2, none.code, none.err);
        assertTrue(none.err.contains("--nodes must be 1..9, not 0"), none.err);
        final Run ports = run(env, "cluster", "local", "--base-port", "65530");
        assertEquals(2, ports.code, ports.err);
        assertTrue(ports.err.contains("--base-port 65530 leaves no room for 3 member(s)"), ports.err);
        final Run http = run(env, "cluster", "local", "--port", "65535");
        assertEquals(2, http.code, http.err);
        assertTrue(http.err.contains("--port 65535 leaves no room for 3 HTTP port(s)"), http.err);
    }

    private static Run run(final Map<String, String> env, final String... args)
    {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final int code = AxiomMain.execute(env, new PrintWriter(out), new PrintWriter(err), args);
        return new Run(code, out.toString(), err.toString());
    }

    private record Run(int code, String out, String err)
    {
    }
}
