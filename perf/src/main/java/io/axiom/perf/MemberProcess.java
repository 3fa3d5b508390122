package io.axiom.perf;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A server child process started without waiting ({@code bin/axiom server ARGS} on a fixed HTTP port), so that the
 * members of a cluster can be started together and awaited after: a member's start waits for the others. Its output
 * goes to a log file (replaced by each launch). {@link #kill()} sends SIGKILL (bin/axiom exec's the JVM: the child's
 * pid is the server's), {@link #close()} SIGTERM, then SIGKILL after a grace period.
 */
final class MemberProcess implements AutoCloseable
{
    private static final String VERSION = "0.1.0-SNAPSHOT";

    private final Process process;
    private final Path log;
    private final Thread shutdownHook;
    final String baseUrl;

    /**
     * Start {@code script server ARGS --port PORT}; return at once.
     *
     * @param script   bin/axiom.
     * @param port     the HTTP port (fixed, so that a restarted member answers on the same URL).
     * @param args     the server's other arguments.
     * @param log      where its output goes.
     * @param javaOpts its AXIOM_JAVA_OPTS (null or blank: none).
     * @throws IOException when the process cannot be started.
     */
    MemberProcess(final Path script, final int port, final List<String> args, final Path log, final String javaOpts)
        throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(script.toString(), "server", "--port",
            Integer.toString(port), "--host", "127.0.0.1"));
        command.addAll(args);
        this.log = log;
        this.baseUrl = "http://127.0.0.1:" + port;
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        final Map<String, String> env = pb.environment();
        env.remove("AXIOM_API_TOKEN");
        env.remove("AXIOM_JAVA_OPTS");
        if (null != javaOpts && !javaOpts.isBlank())
        {
            env.put("AXIOM_JAVA_OPTS", javaOpts);
        }
        // run the jar that is there: bin/axiom would otherwise rebuild when a source is newer than its stamp
        final Path home = script.toAbsolutePath().getParent().getParent();
        final Path jar = home.resolve("gateway/target/axiom-gateway-" + VERSION + ".jar");
        if (Files.exists(jar) && Files.isDirectory(home.resolve("gateway/target/lib")))
        {
            env.put("AXIOM_CLASSPATH", jar + ":" + home.resolve("gateway/target/lib") + "/*");
        }
        process = pb.start();
        shutdownHook = new Thread(process::destroyForcibly, "axiom-member-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
    }

    long pid()
    {
        return process.pid();
    }

    boolean isAlive()
    {
        return process.isAlive();
    }

    /**
     * Wait until {@code GET /ready} answers 200.
     *
     * @param client  the HTTP client to ask with.
     * @param timeout how long to wait.
     * @throws IOException when it exits first or is not ready in time (the message holds its log's tail).
     */
    void awaitReady(final HttpClient client, final Duration timeout) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        final HttpRequest ready = HttpRequest.newBuilder(URI.create(baseUrl + "/ready"))
            .timeout(Duration.ofSeconds(2)).build();
        while (System.nanoTime() - deadline < 0)
        {
            if (!process.isAlive())
            {
                throw new IOException("member exited with " + process.exitValue() + " before ready:\n" + logTail(40));
            }
            try
            {
                if (200 == client.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode())
                {
                    return;
                }
            }
            catch (final IOException notYet)
            {
                // not listening yet
            }
            Thread.sleep(50);
        }
        throw new IOException("GET /ready not 200 within " + timeout + "; log " + log + ":\n" + logTail(40));
    }

    /**
     * SIGKILL, and wait until the process is gone.
     *
     * @return System.nanoTime() when the signal was sent.
     */
    long kill() throws InterruptedException
    {
        final long sentNs = System.nanoTime();
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
        removeHook();
        return sentNs;
    }

    /**
     * SIGTERM, wait up to 20 s, then SIGKILL.
     */
    @Override
    public void close()
    {
        try
        {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                System.err.println("[cluster] member " + pid() + " did not stop within 20 s of SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        removeHook();
    }

    private void removeHook()
    {
        try
        {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        }
        catch (final IllegalStateException shuttingDown)
        {
            // the hook runs anyway
        }
    }

    String logTail(final int lines) throws IOException
    {
        if (!Files.exists(log))
        {
            return "(no log)";
        }
        final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
