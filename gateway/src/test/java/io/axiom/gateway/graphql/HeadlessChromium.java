package io.axiom.gateway.graphql;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Headless Chromium driven over the Chrome DevTools protocol, with name resolution of every host but 127.0.0.1
 * switched off, so a page can reach nothing but the server under test; every URL the page requests and every
 * console message is recorded. The process and its children are always killed on {@link #close()}.
 */
final class HeadlessChromium implements AutoCloseable
{
    /** Where Debian's {@code chromium} package installs the browser. */
    static final Path EXECUTABLE = Path.of(System.getProperty("axiom.chromium", "/usr/bin/chromium"));
    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private final Process process;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<Long, CompletableFuture<JsonNode>> calls = new ConcurrentHashMap<>();
    private final AtomicLong ids = new AtomicLong();
    private final List<String> requestedUrls = Collections.synchronizedList(new ArrayList<>());
    private final List<String> console = Collections.synchronizedList(new ArrayList<>());
    private WebSocket page;

    private HeadlessChromium(final Process process)
    {
        this.process = process;
    }

    /**
     * @param userDataDir an empty directory for the browser's profile.
     * @return a browser with one blank page attached.
     */
    static HeadlessChromium launch(final Path userDataDir)
    {
        if (!Files.isExecutable(EXECUTABLE))
        {
            fail(EXECUTABLE + " is missing: install it (Debian: apt-get install -y chromium) or point " +
                "-Daxiom.chromium at a Chromium binary; this test does not skip");
        }
        final Process process;
        try
        {
            process = new ProcessBuilder(EXECUTABLE.toString(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--disable-breakpad",
                "--disable-crash-reporter",
                "--disable-default-apps",
                "--no-first-run",
                "--no-default-browser-check",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--remote-debugging-address=127.0.0.1",
                "--remote-debugging-port=0",
                "--user-data-dir=" + userDataDir,
                "about:blank")
                .redirectErrorStream(true)
                .redirectOutput(userDataDir.resolveSibling(userDataDir.getFileName() + ".log").toFile())
                .start();
        }
        catch (final IOException ex)
        {
            throw new AssertionError("cannot start " + EXECUTABLE, ex);
        }
        final HeadlessChromium browser = new HeadlessChromium(process);
        try
        {
            browser.attach(userDataDir.resolve("DevToolsActivePort"));
            return browser;
        }
        catch (final RuntimeException | AssertionError ex)
        {
            browser.close();
            throw ex;
        }
    }

    /**
     * @param url to load.
     */
    void navigate(final String url)
    {
        call("Page.navigate", Map.of("url", url));
    }

    /**
     * @param expression JavaScript, possibly returning a promise.
     * @return its value.
     */
    JsonNode evaluate(final String expression)
    {
        final JsonNode result = call("Runtime.evaluate",
            Map.of("expression", expression, "returnByValue", true, "awaitPromise", true));
        if (result.has("exceptionDetails"))
        {
            throw new AssertionError("page script failed: " + expression + " -> " + result.get("exceptionDetails"));
        }
        return result.path("result").path("value");
    }

    /**
     * Evaluate an expression until it is true, or fail after {@link #TIMEOUT} showing the page's text.
     *
     * @param what       what is awaited.
     * @param expression JavaScript returning a boolean.
     */
    void await(final String what, final String expression)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!evaluate(expression).asBoolean(false))
        {
            if (System.nanoTime() - deadline > 0)
            {
                fail("timed out after " + TIMEOUT + " waiting for " + what + "; page text: " +
                    evaluate("document.body ? document.body.innerText.slice(0, 2000) : ''").asText() +
                    "\nconsole: " + console() + "\nrequests: " + requestedUrls());
            }
            try
            {
                Thread.sleep(50);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }
    }

    /**
     * @return every URL requested so far (documents, scripts, styles, fetches, WebSockets).
     */
    List<String> requestedUrls()
    {
        synchronized (requestedUrls)
        {
            return List.copyOf(requestedUrls);
        }
    }

    /**
     * @return console messages, exceptions and browser log entries so far.
     */
    List<String> console()
    {
        synchronized (console)
        {
            return List.copyOf(console);
        }
    }

    @Override
    public void close()
    {
        if (null != page)
        {
            page.abort();
        }
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        http.close();
    }

    private void attach(final Path activePortFile)
    {
        final long deadline = System.nanoTime() + TIMEOUT.toNanos();
        int port = -1;
        while (port < 0)
        {
            if (!process.isAlive())
            {
                fail("chromium exited with " + process.exitValue() + " before opening its DevTools port");
            }
            try
            {
                final List<String> lines = Files.exists(activePortFile) ? Files.readAllLines(activePortFile) :
                    List.of();
                if (lines.size() >= 2)
                {
                    port = Integer.parseInt(lines.get(0).trim());
                }
                else if (System.nanoTime() - deadline > 0)
                {
                    fail("chromium did not open its DevTools port within " + TIMEOUT);
                }
                else
                {
                    Thread.sleep(20);
                }
            }
            catch (final IOException | NumberFormatException ex)
            {
                // the file is being written; read it again
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new AssertionError(ex);
            }
        }

        final JsonNode target;
        try
        {
            final HttpResponse<String> created = http.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/json/new?about:blank"))
                .PUT(HttpRequest.BodyPublishers.noBody()).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
            target = GraphQlHttp.MAPPER.readTree(created.body());
            page = http.newWebSocketBuilder()
                .connectTimeout(TIMEOUT)
                .buildAsync(URI.create(target.get("webSocketDebuggerUrl").asText()), new Listener())
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        }
        catch (final Exception ex)
        {
            throw new AssertionError("cannot attach to chromium's DevTools on port " + port, ex);
        }
        call("Network.enable", Map.of());
        call("Runtime.enable", Map.of());
        call("Log.enable", Map.of());
        call("Page.enable", Map.of());
    }

    private JsonNode call(final String method, final Map<String, Object> params)
    {
        final long id = ids.incrementAndGet();
        final ObjectNode message = GraphQlHttp.MAPPER.createObjectNode();
        message.put("id", id);
        message.put("method", method);
        message.set("params", GraphQlHttp.MAPPER.valueToTree(params));
        final CompletableFuture<JsonNode> reply = new CompletableFuture<>();
        calls.put(id, reply);
        try
        {
            page.sendText(message.toString(), true).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            final JsonNode answer = reply.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            if (answer.has("error"))
            {
                throw new AssertionError(method + " failed: " + answer.get("error"));
            }
            return answer.path("result");
        }
        catch (final Exception ex)
        {
            throw new AssertionError("DevTools call " + method + " did not complete", ex);
        }
        finally
        {
            calls.remove(id);
        }
    }

    private void onMessage(final JsonNode message)
    {
        if (message.has("id"))
        {
            final CompletableFuture<JsonNode> reply = calls.get(message.get("id").asLong());
            if (null != reply)
            {
                reply.complete(message);
            }
            return;
        }
        final String method = message.path("method").asText();
        final JsonNode params = message.path("params");
        switch (method)
        {
            case "Network.requestWillBeSent", "Network.webSocketCreated" ->
            {
                final String url = params.has("request") ? params.path("request").path("url").asText() :
                    params.path("url").asText();
                requestedUrls.add(url.startsWith("data:") ? url.substring(0, Math.min(url.length(), 30)) : url);
            }
            case "Runtime.consoleAPICalled" -> console.add(params.path("type").asText() + ": " + params.path("args"));
            case "Runtime.exceptionThrown" -> console.add("exception: " + params.path("exceptionDetails"));
            case "Log.entryAdded" -> console.add(params.path("entry").path("level").asText() + " " +
                params.path("entry").path("source").asText() + ": " + params.path("entry").path("text").asText());
            default ->
            {
                // other events are not needed
            }
        }
    }

    /**
     * @param predicate what a URL must satisfy.
     * @return the URLs requested so far that do not.
     */
    List<String> requestedUrlsNot(final Predicate<String> predicate)
    {
        return requestedUrls().stream().filter(predicate.negate()).toList();
    }

    private final class Listener implements WebSocket.Listener
    {
        private final StringBuilder partial = new StringBuilder();

        @Override
        public CompletionStage<?> onText(final WebSocket webSocket, final CharSequence data, final boolean last)
        {
            partial.append(data);
            if (last)
            {
                try
                {
                    onMessage(GraphQlHttp.MAPPER.readTree(partial.toString()));
                }
                catch (final IOException ex)
                {
                    console.add("unreadable DevTools message: " + ex);
                }
                partial.setLength(0);
            }
            webSocket.request(1);
            return null;
        }
    }
}
