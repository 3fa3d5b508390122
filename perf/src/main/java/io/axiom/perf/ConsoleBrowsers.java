package io.axiom.perf;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Real web consoles for a benchmark: one headless Chromium (Debian's {@code /usr/bin/chromium}) with a tab per
 * console page, opened through the DevTools HTTP endpoint, with every host but 127.0.0.1 unresolvable. The pages
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
        final Process process = new ProcessBuilder(CHROMIUM.toString(), "--headless", "--no-sandbox", "--disable-gpu",
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
            final String port = Files.readAllLines(portFile).get(0).trim();
            browsers = new ConsoleBrowsers(process, profile, "http://127.0.0.1:" + port);
            for (final String url : urls)
            {
                browsers.call("PUT", "/json/new?" + URLEncoder.encode(url, StandardCharsets.UTF_8));
            }
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
