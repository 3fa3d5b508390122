package io.axiom.gateway.docs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import io.axiom.gateway.TestServer;
import io.axiom.gateway.system.ServerProcess;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Runs every example of README.md, in document order, against fresh real servers (in-process, ephemeral port, temp
 * data directory; one per distinct {@code server-flags}), and compares what each prints with the output block the
 * README shows after it. {@code curl} and {@code bin/axiom} run for real, in {@code bash}, from the repository root;
 * {@code bin/axiom} uses this JVM and the test classpath, so it does not build.
 * <p>
 * An example never skips itself: one that needs a module which is not there fails, and its name says which module
 * it needs ({@code README:LINE [module] command}).
 */
class ReadmeExamplesTest
{
    private static final Duration BLOCK_TIMEOUT = Duration.ofSeconds(120);
    private static final Duration MESSAGE_TIMEOUT = Duration.ofSeconds(15);
    private static final Pattern END_OF_COMMAND = Pattern.compile("\n\u001e(\\d+)\n");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Map<String, TestServer> SERVERS = new LinkedHashMap<>();
    private static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();

    @TempDir
    static Path dataRoot;

    @AfterAll
    static void stopServers()
    {
        SERVERS.values().forEach(TestServer::close);
        SERVERS.clear();
    }

    @Test
    void everyShellBlockRunsOrSaysWhyNot() throws IOException
    {
        final List<ReadmeExamples.Example> examples = ReadmeExamples.examples(readme());
        assertTrue(examples.stream().filter(e -> null == e.skip()).count() >= 20,
            "the README should have runnable examples");
        for (final ReadmeExamples.Example example : examples)
        {
            assertTrue(ReadmeExamples.MODULES.contains(example.needs()), example.title() + ": unknown module " +
                example.needs() + "; known: " + ReadmeExamples.MODULES);
            if (null != example.skip())
            {
                assertFalse(example.skip().isBlank(), example.title() + ": skip needs a reason");
            }
        }
        for (final ReadmeExamples.Block block : ReadmeExamples.blocks(readme()))
        {
            assertFalse(block.lang().equals("bash") || block.lang().equals("shell"),
                "README line " + block.line() + ": write shell examples as ```sh so that they run");
        }
    }

    @TestFactory
    Stream<DynamicTest> readmeExamplesRunAsShown() throws IOException
    {
        final String readme = readme();
        return ReadmeExamples.examples(readme).stream()
            .filter(e -> null == e.skip())
            .map(e -> DynamicTest.dynamicTest(e.title(), () -> run(e)));
    }

    private static void run(final ReadmeExamples.Example example)
    {
        final TestServer server = server(example.serverFlags());
        switch (example.kind())
        {
            case SHELL -> runShell(example, server);
            case GRAPHQL -> runGraphQl(example, server);
            case WEBSOCKET -> runTranscript(example, server);
            default -> fail("unknown kind " + example.kind());
        }
    }

    private static void runShell(final ReadmeExamples.Example example, final TestServer server)
    {
        final List<String> commands = ReadmeExamples.commands(example.text());
        assertFalse(commands.isEmpty(), example.title() + ": no command");
        final int[] exits = example.exits(commands.size());
        final List<String> outputs = shell(example, server, commands);
        for (int i = 0; i < commands.size(); i++)
        {
            final String output = outputs.get(2 * i);
            final int status = Integer.parseInt(outputs.get(2 * i + 1));
            assertEquals(exits[i], status, failure(example, "'" + commands.get(i) + "' exited " + status +
                ", the README expects " + exits[i], String.join("\n", outputsOnly(outputs))));
        }
        compare(example, String.join("\n", outputsOnly(outputs)));
    }

    private static void runGraphQl(final ReadmeExamples.Example example, final TestServer server)
    {
        final String body = MAPPER.createObjectNode().put("query", example.text()).toString();
        final HttpResponse<String> response = send(HttpRequest.newBuilder(url(server, "/graphql"))
            .timeout(MESSAGE_TIMEOUT)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8)).build());
        assertEquals(200, response.statusCode(), failure(example, "POST /graphql answered " +
            response.statusCode(), response.body()));
        compare(example, response.body());
    }

    private static void runTranscript(final ReadmeExamples.Example example, final TestServer server)
    {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>();
        final List<String> log = new ArrayList<>();
        final WebSocket socket = connect(example, server, received);
        try
        {
            for (final String line : example.text().lines().toList())
            {
                if (line.startsWith("> "))
                {
                    log.add(line);
                    socket.sendText(line.substring(2), true).get(MESSAGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                }
                else if (line.startsWith("< "))
                {
                    final String message = received.poll(MESSAGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                    log.add("< " + (null == message ? "(nothing within " + MESSAGE_TIMEOUT + ")" : message));
                    final JsonNode expected = MAPPER.readTree(line.substring(2));
                    assertTrue(null != message && LooseMatch.subset(expected, MAPPER.readTree(message)),
                        failure(example, "expected a message like " + line.substring(2), String.join("\n", log)));
                }
                else if (line.startsWith("$ "))
                {
                    log.add(line);
                    final List<String> outputs = shell(example, server, List.of(line.substring(2)));
                    assertEquals("0", outputs.get(1), failure(example, "'" + line + "' failed", outputs.get(0)));
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            fail(example.title() + ": interrupted");
        }
        catch (final IOException | ExecutionException | TimeoutException ex)
        {
            fail(failure(example, "transcript failed: " + ex, String.join("\n", log)), ex);
        }
        finally
        {
            socket.abort();
        }
    }

    private static WebSocket connect(
        final ReadmeExamples.Example example, final TestServer server, final BlockingQueue<String> received)
    {
        final URI uri = URI.create("ws://127.0.0.1:" + server.port() + example.attrs().get("ws"));
        final WebSocket.Listener listener = new WebSocket.Listener()
        {
            private final StringBuilder partial = new StringBuilder();

            @Override
            public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
            {
                partial.append(data);
                if (last)
                {
                    received.add(partial.toString());
                    partial.setLength(0);
                }
                webSocket.request(1);
                return null;
            }

            @Override
            public CompletionStage<?> onClose(final WebSocket webSocket, final int statusCode, final String reason)
            {
                received.add("{\"closed\":" + statusCode + ",\"reason\":" +
                    MAPPER.createObjectNode().textNode(reason) + "}");
                return null;
            }
        };
        try
        {
            final CompletableFuture<WebSocket> future = HTTP.newWebSocketBuilder()
                .subprotocols(example.attrs().getOrDefault("subprotocol", "graphql-transport-ws"))
                .connectTimeout(MESSAGE_TIMEOUT)
                .buildAsync(uri, listener);
            return future.get(MESSAGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(example.title() + ": interrupted", ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new AssertionError(failure(example, "cannot open a WebSocket to " + uri + ": " + ex, ""), ex);
        }
    }

    /**
     * Run commands in one bash from the repository root.
     *
     * @return output, exit status, output, exit status, ... (one pair per command).
     */
    private static List<String> shell(
        final ReadmeExamples.Example example, final TestServer server, final List<String> commands)
    {
        final String address = "127.0.0.1:" + server.port();
        final StringBuilder script = new StringBuilder("exec 2>&1\n");
        for (final String command : commands)
        {
            script.append(command.replace("localhost:4000", address)).append('\n')
                .append("printf '\\n\\036%d\\n' \"$?\"\n");
        }
        final Path launcher = ServerProcess.launcher();
        final ProcessBuilder builder = new ProcessBuilder("bash", "-c", script.toString())
            .directory(launcher.getParent().getParent().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .redirectErrorStream(true);
        final Map<String, String> env = builder.environment();
        env.keySet().removeIf(key -> key.startsWith("AXIOM_"));
        env.put("AXIOM_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
        env.put("AXIOM_CLASSPATH", System.getProperty("java.class.path"));
        env.put("AXIOM_JAVA_OPTS", "-Xmx128m -XX:TieredStopAtLevel=1");
        env.put("AXIOM_SERVER", "http://" + address);
        env.put("LC_ALL", "C.UTF-8");

        final Process process;
        try
        {
            process = builder.start();
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("cannot start bash", ex);
        }
        final CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readAll(process));
        try
        {
            if (!process.waitFor(BLOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS))
            {
                process.descendants().forEach(ProcessHandle::destroyForcibly);
                process.destroyForcibly();
                fail(failure(example, "did not finish within " + BLOCK_TIMEOUT, output.getNow("")));
            }
            final String text = output.get(BLOCK_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            final List<String> parts = new ArrayList<>();
            final Matcher m = END_OF_COMMAND.matcher(text);
            int from = 0;
            while (m.find())
            {
                parts.add(text.substring(from, m.start()));
                parts.add(m.group(1));
                from = m.end();
            }
            assertEquals(2 * commands.size(), parts.size(), failure(example, "bash ended early (exit " +
                process.exitValue() + ")", text));
            return parts;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError(example.title() + ": interrupted", ex);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new AssertionError(example.title() + ": cannot read the output of bash", ex);
        }
        finally
        {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
    }

    private static List<String> outputsOnly(final List<String> parts)
    {
        final List<String> outputs = new ArrayList<>();
        for (int i = 0; i < parts.size(); i += 2)
        {
            outputs.add(parts.get(i).stripTrailing());
        }
        return outputs;
    }

    private static void compare(final ReadmeExamples.Example example, final String actual)
    {
        if (null != example.expected())
        {
            assertTrue(LooseMatch.matches(example.expected(), actual),
                failure(example, "the output does not fit the block the README shows", actual));
        }
    }

    private static String failure(final ReadmeExamples.Example example, final String what, final String actual)
    {
        return example.title() + " (needs module '" + example.needs() + "'): " + what +
            "\n----- example -----\n" + example.text() +
            "----- README shows -----\n" + (null == example.expected() ? "(nothing)\n" : example.expected()) +
            "----- actual output -----\n" + actual + "\n-----";
    }

    private static TestServer server(final String flags)
    {
        return SERVERS.computeIfAbsent(flags, f ->
        {
            final String[] parts = f.isBlank() ? new String[0] : f.trim().split("\\s+");
            final List<String> pairs = new ArrayList<>();
            for (final String part : parts)
            {
                final int eq = part.indexOf('=');
                assertTrue(part.startsWith("--") && eq > 2, "server-flags are --key=value, got " + part);
                pairs.add(part.substring(0, eq));
                pairs.add(part.substring(eq + 1));
            }
            final Path dir = dataRoot.resolve("server-" + SERVERS.size());
            return TestServer.start(dir, pairs.toArray(String[]::new));
        });
    }

    private static URI url(final TestServer server, final String path)
    {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    private static HttpResponse<String> send(final HttpRequest request)
    {
        try
        {
            return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", ex);
        }
    }

    private static String readAll(final Process process)
    {
        try (InputStream in = process.getInputStream())
        {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        catch (final IOException ex)
        {
            return "[cannot read output: " + ex + "]";
        }
    }

    private static String readme() throws IOException
    {
        final Path file = ServerProcess.launcher().getParent().getParent().resolve("README.md");
        assertNotNull(file);
        return Files.readString(file);
    }
}
