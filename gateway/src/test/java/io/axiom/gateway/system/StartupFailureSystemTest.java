package io.axiom.gateway.system;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/**
 * A server that cannot start says why in one line and exits non-zero: the real {@code bin/axiom server}, with the
 * port taken, the data path a file, a path under a file, an unreadable data directory, or a segment size the journal
 * would refuse. It never prints the listening or ready lines, and prints a stack trace only with {@code --debug}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class StartupFailureSystemTest
{
    private static final Duration EXIT_TIMEOUT = Duration.ofSeconds(90);
    private static final Pattern STACK_TRACE = Pattern.compile("(?m)^\\s+at [\\w.$/]+\\(|Exception|\\.java:\\d+");

    @TempDir
    Path dir;

    private final List<ServerProcess> servers = new ArrayList<>();

    @AfterEach
    void stopServers()
    {
        servers.forEach(ServerProcess::close);
    }

    @Test
    void portInUse() throws IOException
    {
        try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress()))
        {
            final int port = taken.getLocalPort();
            final String output = refused(1, "server", "--port", Integer.toString(port), "--data-dir",
                dir.resolve("data").toString());
            assertTrue(output.contains("axiom: cannot listen on 127.0.0.1:" + port + ": the address is already in use"),
                output);

            final String debug = refused(1, "server", "--debug", "--port", Integer.toString(port), "--data-dir",
                dir.resolve("data").toString(), "--expect-trace");
            assertTrue(debug.contains("axiom: cannot listen on 127.0.0.1:" + port), debug);
        }
    }

    @Test
    void dataPathIsAFile() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("not-a-dir"), "x");
        final String output = refused(2, "server", "--port", "0", "--data-dir", file.toString());
        assertTrue(output.contains("axiom: wal.data-dir " + file + " is not a directory (it is a file)"), output);
    }

    @Test
    void dataPathUnderAFile() throws IOException
    {
        final Path file = Files.writeString(dir.resolve("plain-file"), "x");
        final Path under = file.resolve("data");
        final String output = refused(2, "server", "--port", "0", "--data-dir", under.toString());
        assertTrue(output.contains("axiom: wal.data-dir " + under + " cannot be created: " + file +
            " is a file, not a directory"), output);
    }

    @Test
    void dataDirectoryUnreadable() throws IOException
    {
        final Path locked = Files.createDirectory(dir.resolve("locked"));
        Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("---------"));
        try
        {
            assumeFalse(Files.isReadable(locked), "running as root: a directory of mode 000 is still readable");
            final String output = refused(2, "server", "--port", "0", "--data-dir", locked.toString());
            assertTrue(output.contains("axiom: cannot use wal.data-dir " + locked + ": permission denied"), output);
        }
        finally
        {
            Files.setPosixFilePermissions(locked, PosixFilePermissions.fromString("rwx------"));
        }
    }

    @Test
    void segmentSizeTheJournalWouldRefuse()
    {
        final String output = refused(2, "server", "--port", "0", "--data-dir", dir.resolve("data").toString(),
            "--wal.max-segment-size=2GiB");
        assertTrue(output.contains("axiom: configuration error: invalid value '2GiB' for wal.max-segment-size " +
            "(from flag --wal.max-segment-size): expected a value between 64KiB and 1GiB"), output);
        assertFalse(Files.exists(dir.resolve("data")), "nothing may be created for a refused configuration");
    }

    /**
     * @param exitCode the exit status expected.
     * @param args     arguments of {@code bin/axiom}; {@code --expect-trace} (removed) expects a stack trace.
     * @return the output, checked for the absence of the listening and ready lines and (unless expected) of a
     * stack trace, and for exactly one {@code axiom: } line.
     */
    private String refused(final int exitCode, final String... args)
    {
        final List<String> argList = new ArrayList<>(List.of(args));
        final boolean expectTrace = argList.remove("--expect-trace");
        final ServerProcess server = ServerProcess.launch("refused", argList);
        servers.add(server);
        final int code = server.awaitExit(EXIT_TIMEOUT);
        final String output = server.output();
        assertEquals(exitCode, code, output);
        assertFalse(output.contains("Axiom listening"), output);
        assertFalse(output.contains("Axiom ready"), output);
        assertEquals(expectTrace, STACK_TRACE.matcher(output).find(), output);
        assertEquals(1, output.lines().filter(l -> l.startsWith("axiom: ")).count(), output);
        return output;
    }
}
