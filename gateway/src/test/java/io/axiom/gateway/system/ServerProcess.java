package io.axiom.gateway.system;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real {@code bin/axiom} child process, started the way a user starts it, for system tests.
 * <p>
 * The launcher runs with {@code AXIOM_JAVA} set to the JVM running the tests and {@code AXIOM_CLASSPATH} set to the
 * test classpath, so that it does not recurse into Maven; everything else (JDK check, JVM flags, {@code exec}) is the
 * launcher's own code. Because the launcher {@code exec}s the JVM, the pid of this process is the server JVM's pid, and
 * {@link #kill()} is a SIGKILL of the server.
 * <p>
 * The child's stdout and stderr are merged and collected by a reader thread, so the child never blocks on a full
 * pipe and its output can be shown when something goes wrong.
 */
public final class ServerProcess implements AutoCloseable
{
    /** The line the server prints once its HTTP port is bound. */
    public static final Pattern LISTENING = Pattern.compile("Axiom listening on (http://[^\\s\"]+)");

    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(30);

    private final String name;
    private final Process process;
    private final List<String> output = new ArrayList<>();
    private final CompletableFuture<URI> listening = new CompletableFuture<>();
    private final Thread reader;
    private URI baseUri;

    private ServerProcess(final String name, final Process process)
    {
        this.name = name;
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().name("output-" + name).start(this::readOutput);
    }

    /**
     * @return {@code bin/axiom}, found by walking up from {@code user.dir}.
     */
    public static Path launcher()
    {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        while (null != dir)
        {
            final Path candidate = dir.resolve("bin").resolve("axiom");
            if (Files.isRegularFile(candidate))
            {
                if (!Files.isExecutable(candidate))
                {
                    throw new AssertionError(candidate + " exists but is not executable");
                }
                return candidate;
            }
            dir = dir.getParent();
        }
        throw new AssertionError("no bin/axiom in " + System.getProperty("user.dir") + " or any directory above it");
    }

    /**
     * Run {@code bin/axiom} with the given arguments and the environment that makes it use this JVM and classpath.
     *
     * @param name label for thread names and diagnostics.
     * @param args arguments after {@code bin/axiom}.
     * @return the started process.
     */
    public static ServerProcess launch(final String name, final List<String> args)
    {
        return launch(name, args, 0, "");
    }

    /**
     * Run {@code bin/axiom} like {@link #launch(String, List)}, under a limit of open files and with more JVM options.
     *
     * @param name          label for thread names and diagnostics.
     * @param args          arguments after {@code bin/axiom}.
     * @param openFiles     the process's open-files limit ({@code ulimit -n}), or 0 to inherit it.
     * @param moreJavaOpts  JVM options added to {@code AXIOM_JAVA_OPTS}, e.g. a system property.
     * @return the started process; its pid is the JVM's ({@code bash} and the launcher both {@code exec}).
     */
    public static ServerProcess launch(
        final String name, final List<String> args, final int openFiles, final String moreJavaOpts)
    {
        return launch(name, List.of(), args, openFiles, moreJavaOpts);
    }

    /**
     * Run {@code bin/axiom} like {@link #launch(String, List)}, under a command that execs it, e.g.
     * {@code ip netns exec NS}: the pid stays the JVM's only when the wrapper execs, as {@code ip netns exec} does.
     *
     * @param name    label for thread names and diagnostics.
     * @param wrapper the command and arguments put before {@code bin/axiom}.
     * @param args    arguments after {@code bin/axiom}.
     * @return the started process.
     */
    public static ServerProcess launch(final String name, final List<String> wrapper, final List<String> args)
    {
        return launch(name, wrapper, args, 0, "");
    }

    private static ServerProcess launch(
        final String name,
        final List<String> wrapper,
        final List<String> args,
        final int openFiles,
        final String moreJavaOpts)
    {
        final Path launcher = launcher();
        final List<String> command = new ArrayList<>(wrapper);
        if (openFiles > 0)
        {
            command.addAll(List.of("bash", "-c", "ulimit -n " + openFiles + " && exec \"$0\" \"$@\""));
        }
        command.add(launcher.toString());
        command.addAll(withIngress(args));
        final ProcessBuilder builder = new ProcessBuilder(command)
            .directory(launcher.getParent().getParent().toFile())
            .redirectErrorStream(true);
        final Map<String, String> env = builder.environment();
        // only what the test decides: no setting of the developer's shell leaks into the server
        env.keySet().removeIf(key -> key.startsWith("AXIOM_"));
        env.put("AXIOM_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("AXIOM_CLASSPATH", System.getProperty("java.class.path"));
        env.put("AXIOM_JAVA_OPTS", ("-Xmx256m " + moreJavaOpts).trim());
        try
        {
            return new ServerProcess(name, builder.start());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start " + command, ex);
        }
    }

    /**
     * @param args arguments after {@code bin/axiom}.
     * @return the same, with {@code --ingress} on a free UDP port added to a {@code server} command that does not
     * set the transport itself, so that servers of parallel tests never share an ingress.
     */
    static List<String> withIngress(final List<String> args)
    {
        if (args.isEmpty() || !"server".equals(args.getFirst()) ||
            args.stream().anyMatch(a -> a.startsWith("--ingress") || a.startsWith("--transport.")))
        {
            return args;
        }
        final List<String> all = new ArrayList<>(args);
        all.addAll(List.of("--ingress", io.axiom.gateway.TestServer.freeIngress()));
        return all;
    }

    /**
     * Start {@code bin/axiom server --port 0 --data-dir DIR}, wait for its listening line and for {@code /ready}.
     *
     * @param name      label for diagnostics.
     * @param dataDir   journal directory.
     * @param timeout   bound on start-up, recovery included.
     * @param extraArgs more arguments for {@code bin/axiom server}, e.g. {@code --wal.snapshot-interval-events=500}.
     * @return a ready server.
     */
    public static ServerProcess startServer(
        final String name, final Path dataDir, final Duration timeout, final String... extraArgs)
    {
        final List<String> args = new ArrayList<>(List.of("server", "--port", "0", "--data-dir", dataDir.toString()));
        args.addAll(List.of(extraArgs));
        final ServerProcess server = launch(name, args);
        try
        {
            final long deadline = System.nanoTime() + timeout.toNanos();
            server.awaitListening(timeout);
            server.awaitReady(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
            return server;
        }
        catch (final RuntimeException | Error ex)
        {
            server.close();
            throw ex;
        }
    }

    /**
     * Wait for {@code Axiom listening on http://HOST:PORT} on the child's stdout.
     *
     * @param timeout bound on the wait.
     * @return the base URI.
     */
    public URI awaitListening(final Duration timeout)
    {
        try
        {
            baseUri = listening.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return baseUri;
        }
        catch (final TimeoutException ex)
        {
            throw failure("no 'Axiom listening on' line within " + timeout, null);
        }
        catch (final ExecutionException ex)
        {
            throw failure("the server exited before listening", ex.getCause());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for the server", ex);
        }
    }

    /**
     * Poll {@code GET /ready} until it answers 200.
     *
     * @param timeout bound on the wait.
     */
    public void awaitReady(final Duration timeout)
    {
        final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        final long deadline = System.nanoTime() + timeout.toNanos();
        String last = "no answer yet";
        while (System.nanoTime() < deadline)
        {
            if (!process.isAlive())
            {
                throw failure("the server exited (status " + process.exitValue() + ") before /ready was 200", null);
            }
            try
            {
                final HttpResponse<String> response = client.send(
                    HttpRequest.newBuilder(uri("/ready")).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
                if (response.statusCode() == 200)
                {
                    return;
                }
                last = response.statusCode() + " " + response.body();
            }
            catch (final IOException ex)
            {
                last = ex.toString();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw failure("interrupted while waiting for /ready", ex);
            }
            pause(50);
        }
        throw failure("GET /ready was not 200 within " + timeout + "; last answer: " + last, null);
    }

    /**
     * @param path absolute path, e.g. {@code /api/v1/workflows}.
     * @return the URI of that path on this server.
     */
    public URI uri(final String path)
    {
        if (null == baseUri)
        {
            throw new IllegalStateException("the server has not announced its address yet");
        }
        return baseUri.resolve(path);
    }

    /**
     * @return the port the server announced.
     */
    public int port()
    {
        return uri("/").getPort();
    }

    /**
     * @return the child's pid, which is the JVM's since {@code bin/axiom} execs it.
     */
    public long pid()
    {
        return process.pid();
    }

    /**
     * @return the process handle.
     */
    public Process process()
    {
        return process;
    }

    /**
     * SIGKILL the server (no shutdown hook runs) and wait until it is gone.
     */
    public void kill()
    {
        process.destroyForcibly();
        awaitExit(STOP_TIMEOUT);
    }

    /**
     * SIGTERM the server (a clean stop: its shutdown hook runs) and wait until it is gone.
     *
     * @param timeout bound on the wait.
     * @return its exit status.
     */
    public int terminate(final Duration timeout)
    {
        process.toHandle().destroy(); // Process.destroy() would also close the pipe whose output is still read
        return awaitExit(timeout);
    }

    /**
     * Wait for the process to end.
     *
     * @param timeout bound on the wait.
     * @return its exit status.
     */
    public int awaitExit(final Duration timeout)
    {
        try
        {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
            {
                throw failure("the process did not end within " + timeout, null);
            }
            reader.join(timeout.toMillis());
            return process.exitValue();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw failure("interrupted while waiting for the process to end", ex);
        }
    }

    /**
     * Wait until the child has printed a line containing the text.
     *
     * @param text    what to wait for.
     * @param timeout bound on the wait.
     * @throws AssertionError with the child's output when it ends first or the time runs out.
     */
    public void awaitOutput(final String text, final Duration timeout)
    {
        final long deadline = System.nanoTime() + timeout.toNanos();
        while (!output().contains(text))
        {
            if (System.nanoTime() > deadline || !process.isAlive())
            {
                throw failure("no line with '" + text + "' within " + timeout, null);
            }
            pause(20);
        }
    }

    /**
     * @return everything the child printed so far.
     */
    public String output()
    {
        synchronized (output)
        {
            return String.join("\n", output);
        }
    }

    /**
     * @param message what went wrong.
     * @param cause   the cause, or null.
     * @return an AssertionError carrying the child's output.
     */
    public AssertionError failure(final String message, final Throwable cause)
    {
        return new AssertionError(message + "\n----- output of " + name + " (pid " + process.pid() + ", " +
            (process.isAlive() ? "alive" : "exited " + process.exitValue()) + ") -----\n" + output() +
            "\n----- end of output of " + name + " -----", cause);
    }

    /**
     * Kill the process (and anything it started) when it is still running.
     */
    @Override
    public void close()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        if (process.isAlive())
        {
            process.destroyForcibly();
        }
        try
        {
            process.waitFor(STOP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            reader.join(STOP_TIMEOUT.toMillis());
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void readOutput()
    {
        try (BufferedReader in = new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)))
        {
            String line;
            while (null != (line = in.readLine()))
            {
                synchronized (output)
                {
                    output.add(line);
                }
                final Matcher m = LISTENING.matcher(line);
                if (m.find() && !listening.isDone())
                {
                    listening.complete(URI.create(m.group(1)));
                }
            }
        }
        catch (final IOException ex)
        {
            synchronized (output)
            {
                output.add("[output reader: " + ex + "]");
            }
        }
        finally
        {
            listening.completeExceptionally(new IllegalStateException("the output of " + name + " ended"));
        }
    }

    static void pause(final long millis)
    {
        try
        {
            Thread.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", ex);
        }
    }
}
