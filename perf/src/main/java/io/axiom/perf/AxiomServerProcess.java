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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The real server as a child process: {@code bin/axiom server --port 0 --data-dir DIR}, its output in a log file,
 * ready when it has printed its listening line and {@code GET /ready} answers 200. Closing sends SIGTERM (bin/axiom
 * exec's the JVM, so the child's pid is the server's) and waits, then kills it if it does not stop.
 */
final class AxiomServerProcess implements AutoCloseable
{
    private static final Pattern LISTENING = Pattern.compile("Axiom listening on (http://[0-9.]+:[0-9]+)");
    private static final String VERSION = "0.1.0-SNAPSHOT";

    private final Process process;
    private final Path log;
    private final Thread shutdownHook;
    final String baseUrl;
    final List<String> command;
    final boolean prebuiltClasspath;

    /**
     * Start the server and wait until it is ready.
     *
     * @param script   bin/axiom.
     * @param dataDir  an empty directory for its journal.
     * @param javaOpts passed as AXIOM_JAVA_OPTS (null or empty: none, whatever this process's environment says).
     * @param timeout  how long to wait for the listening line and then for ready.
     */
    AxiomServerProcess(final Path script, final Path dataDir, final String javaOpts, final Duration timeout)
        throws IOException, InterruptedException
    {
        // an ingress for Aeron workers on a UDP port free now: a second server (or a developer's) must not collide
        this.command = List.of(script.toString(), "server", "--port", "0", "--data-dir", dataDir.toString(),
            "--ingress", "aeron:udp?endpoint=localhost:" + freeUdpPort());
        this.log = dataDir.resolveSibling(dataDir.getFileName() + ".log");
        final ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        final Map<String, String> env = pb.environment();
        env.remove("AXIOM_API_TOKEN");
        env.remove("AXIOM_JAVA_OPTS");
        if (null != javaOpts && !javaOpts.isBlank())
        {
            env.put("AXIOM_JAVA_OPTS", javaOpts);
        }
        // Run the gateway jar that is there: bin/axiom would otherwise rebuild everything whenever a source file
        // (this harness's included) is newer than its build stamp, in the middle of a benchmark.
        final Path home = script.toAbsolutePath().getParent().getParent();
        final Path jar = home.resolve("gateway/target/axiom-gateway-" + VERSION + ".jar");
        prebuiltClasspath = Files.exists(jar) && Files.isDirectory(home.resolve("gateway/target/lib"));
        if (prebuiltClasspath)
        {
            env.put("AXIOM_CLASSPATH", jar + ":" + home.resolve("gateway/target/lib") + "/*");
        }
        process = pb.start();
        shutdownHook = new Thread(process::destroyForcibly, "axiom-server-killer");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        try
        {
            baseUrl = awaitListening(timeout);
            awaitReady(timeout);
        }
        catch (final IOException | RuntimeException | InterruptedException ex)
        {
            close();
            throw ex;
        }
    }

    private static int freeUdpPort() throws IOException
    {
        try (java.net.DatagramSocket socket = new java.net.DatagramSocket(0, java.net.InetAddress.getLoopbackAddress()))
        {
            return socket.getLocalPort();
        }
    }

    long pid()
    {
        return process.pid();
    }

    private String awaitListening(final Duration timeout) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline)
        {
            if (Files.exists(log))
            {
                final Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
                if (m.find())
                {
                    return m.group(1);
                }
            }
            if (!process.isAlive())
            {
                throw new IOException("server exited with " + process.exitValue() + " before listening; its output:\n" +
                    Files.readString(log, StandardCharsets.UTF_8));
            }
            Thread.sleep(50);
        }
        throw new IOException("server did not print its listening line within " + timeout + "; see " + log);
    }

    private void awaitReady(final Duration timeout) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        try (HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build())
        {
            while (System.nanoTime() < deadline)
            {
                try
                {
                    final HttpResponse<String> response = client.send(
                        HttpRequest.newBuilder(URI.create(baseUrl + "/ready")).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.ofString());
                    if (response.statusCode() == 200)
                    {
                        return;
                    }
                }
                catch (final IOException notYet)
                {
                    // keep polling
                }
                Thread.sleep(100);
            }
        }
        throw new IOException("GET /ready did not answer 200 within " + timeout + "; see " + log);
    }

    /**
     * SIGTERM, wait up to 20 s, then SIGKILL.
     */
    public void close()
    {
        try
        {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS))
            {
                System.err.println("[http] server did not stop within 20 s of SIGTERM; killing it");
                process.destroyForcibly();
                process.waitFor(10, TimeUnit.SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
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
        final List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    }
}
