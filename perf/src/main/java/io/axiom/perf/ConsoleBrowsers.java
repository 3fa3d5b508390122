package io.axiom.perf;

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
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real web consoles for a benchmark: one headless Chromium (Debian's {@code /usr/bin/chromium}) with a tab per
 * console page, each in its own window (a visible page, as an operator's open console is), opened through the
 * DevTools protocol, with every host but 127.0.0.1 unresolvable. The browser runs at the lowest CPU priority
 * ({@code nice -n 19}): on an operator's desk it would not share the server's cores at all, here it only takes what
 * the server leaves. The pages
 * run as an operator's would (their polling, their subscriptions, their charts); the browser's own CPU is sampled
 * over its whole process tree, so that a run can say what the browser took from the shared cores.
 */
final class ConsoleBrowsers implements AutoCloseable
{
    static final Path CHROMIUM = Path.of(System.getProperty("axiom.chromium", "/usr/bin/chromium"));
    private static final long NANOS_PER_TICK = 10_000_000L;

    private final Process process;
    private final Path profile;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final String devtools;

    private ConsoleBrowsers(final Process process, final Path profile, final String devtools)
    {
        this.process = process;
        this.profile = profile;
        this.devtools = devtools;
    }

    static boolean available()
    {
        return Files.isExecutable(CHROMIUM);
    }

    /**
     * Start the browser and open one tab per URL; returns once every tab says it has loaded.
     *
     * @param dir  where the browser's profile goes (deleted on close).
     * @param urls one tab each.
     */
    static ConsoleBrowsers open(final Path dir, final List<String> urls) throws IOException, InterruptedException
    {
        final Path profile = Files.createTempDirectory(dir, "chromium-");
        final Process process = new ProcessBuilder("nice", "-n", "19", CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
            "--disable-dev-shm-usage", "--disable-quic", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--disable-extensions", "--disable-breakpad",
            "--no-first-run", "--no-default-browser-check",
            "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
            "--disable-backgrounding-occluded-windows",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
            "--user-data-dir=" + profile, "about:blank")
            .redirectErrorStream(true)
            .redirectOutput(profile.resolveSibling(profile.getFileName() + ".log").toFile())
            .start();
        ConsoleBrowsers browsers = null;
        try
        {
            final Path portFile = profile.resolve("DevToolsActivePort");
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (!Files.exists(portFile) || Files.readAllLines(portFile).isEmpty())
            {
                if (System.nanoTime() > deadline || !process.isAlive())
                {
                    throw new IOException("Chromium did not open its DevTools port (see " + profile + ".log)");
                }
                Thread.sleep(50);
            }
            final List<String> lines = Files.readAllLines(portFile);
            browsers = new ConsoleBrowsers(process, profile, "http://127.0.0.1:" + lines.get(0).trim());
            browsers.openWindows("ws://127.0.0.1:" + lines.get(0).trim() + lines.get(1).trim(), urls);
            browsers.awaitLoaded(urls.size());
            return browsers;
        }
        catch (final IOException | RuntimeException | InterruptedException ex)
        {
            if (null != browsers)
            {
                browsers.close();
            }
            else
            {
                process.destroyForcibly();
            }
            throw ex;
        }
    }

    /**
     * @return CPU time of the browser's whole process tree so far, in ns (processes that already ended are not
     * counted).
     */
    long cpuNs()
    {
        long total = 0;
        final List<Long> tree = new ArrayList<>();
        tree.add(process.pid());
        process.descendants().forEach(h -> tree.add(h.pid()));
        for (final long pid : tree)
        {
            try
            {
                final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
                final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
                total += (Long.parseLong(f[11]) + Long.parseLong(f[12])) * NANOS_PER_TICK;
            }
            catch (final IOException | RuntimeException ignore)
            {
                // the process ended between the listing and the read
            }
        }
        return total;
    }

    /**
     * One window per URL (Target.createTarget with newWindow over the browser's DevTools WebSocket): a tab of a
     * window is hidden unless it is the window's active one, and a hidden console stops polling, as it should.
     */
    private void openWindows(final String browserSocket, final List<String> urls)
        throws IOException, InterruptedException
    {
        final BlockingQueue<String> answers = new LinkedBlockingQueue<>();
        final WebSocket socket;
        try
        {
            socket = http.newWebSocketBuilder().buildAsync(URI.create(browserSocket), new WebSocket.Listener()
            {
                private final StringBuilder text = new StringBuilder();

                @Override
                public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last)
                {
                    text.append(data);
                    if (last)
                    {
                        answers.add(text.toString());
                        text.setLength(0);
                    }
                    ws.request(1);
                    return null;
                }
            }).get(10, TimeUnit.SECONDS);
        }
        catch (final ExecutionException | TimeoutException ex)
        {
            throw new IOException("cannot reach Chromium's DevTools at " + browserSocket, ex);
        }
        try
        {
            int id = 0;
            for (final String url : urls)
            {
                id++;
                socket.sendText("{\"id\":" + id + ",\"method\":\"Target.createTarget\",\"params\":{\"url\":\"" +
                    url.replace("\\", "\\\\").replace("\"", "\\\"") + "\",\"newWindow\":true}}", true).join();
                final String answer = answers.poll(10, TimeUnit.SECONDS);
                if (null == answer || !answer.contains("targetId"))
                {
                    throw new IOException("Chromium did not open " + url + ": " + answer);
                }
            }
        }
        finally
        {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(t -> null);
        }
    }

    private void awaitLoaded(final int tabs) throws IOException, InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true)
        {
            final String list = call("GET", "/json/list");
            final long loaded = Stream.of(list.split("\"url\"")).skip(1)
                .filter(s -> s.contains("127.0.0.1") || s.contains("localhost")).count();
            if (loaded >= tabs)
            {
                return;
            }
            if (System.nanoTime() > deadline)
            {
                throw new IOException("only " + loaded + " of " + tabs + " console tabs opened: " + list);
            }
            Thread.sleep(100);
        }
    }

    private String call(final String method, final String path) throws IOException, InterruptedException
    {
        final HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(devtools + path))
            .method(method, HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofSeconds(10)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() != 200)
        {
            throw new IOException(method + " " + path + " answered " + response.statusCode() + ": " +
                response.body());
        }
        return response.body();
    }

    @Override
    public void close()
    {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try
        {
            process.waitFor(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        try
        {
            JournalBenchmark.deleteTree(profile);
        }
        catch (final IOException ex)
        {
            System.out.println("[console] could not delete the browser profile " + profile + ": " + ex);
        }
    }
}
