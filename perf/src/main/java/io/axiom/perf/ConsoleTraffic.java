package io.axiom.perf;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The requests of N open consoles without their browsers: what the console's pages send (gateway resources
 * {@code io/axiom/gateway/console/}), so that what they cost the server can be told apart from what a browser on
 * the same 2 cores costs the machine. Per console, as its view does:
 * <ul>
 *     <li>every view: {@code GET /api/v1/metrics?max_age_ms=500} once a second ({@code app.js}, POLL_MS);</li>
 *     <li>#/workflows: {@code GET /api/v1/workflows} at start and again at most every 5 s while the counts change
 *     ({@code workflows.js}, REFRESH_MS: under load they always change);</li>
 *     <li>#/workflows/{id}: {@code GET} of the workflow and its events at start, then the {@code workflowEvents}
 *     subscription over a graphql-transport-ws WebSocket ({@code workflow.js}, {@code live.js});</li>
 *     <li>#/tasks: the {@code taskUpdates} subscription ({@code tasks.js});</li>
 *     <li>#/charts: nothing more than the metrics.</li>
 * </ul>
 * The suite prints the request rate the server counted for these and for the real browsers side by side, so a
 * drift between this replay and the console shows.
 */
final class ConsoleTraffic implements AutoCloseable
{
    private static final String TASKS = "subscription { taskUpdates { queued leased queues { step queued leased " +
        "workers oldest_queued_age_ms } } }";
    private static final String EVENTS = "subscription ($id: ID!) { workflowEvents(workflow_id: $id) { position " +
        "sequence type timestamp step step_index data } }";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final ScheduledExecutorService timers = Executors.newScheduledThreadPool(2, r ->
    {
        final Thread t = new Thread(r, "console-traffic");
        t.setDaemon(true);
        return t;
    });
    private final List<WebSocket> sockets = new ArrayList<>();
    private final AtomicLong failures = new AtomicLong();
    private final String baseUrl;

    private ConsoleTraffic(final String baseUrl)
    {
        this.baseUrl = baseUrl;
    }

    /**
     * @param baseUrl    the server.
     * @param paths      one console each, as {@link ConsoleBrowsers} opens them ({@code /#/charts} ...).
     * @param workflowId the workflow the workflow views follow.
     */
    static ConsoleTraffic open(final String baseUrl, final List<String> paths, final String workflowId)
        throws IOException, InterruptedException
    {
        final ConsoleTraffic traffic = new ConsoleTraffic(baseUrl);
        try
        {
            int n = 0;
            for (final String path : paths)
            {
                final long phaseMs = (n++ * 97L) % 1000; // consoles opened at different moments
                traffic.every(phaseMs, 1_000, "/api/v1/metrics?max_age_ms=500");
                if (path.startsWith("/#/workflows/"))
                {
                    traffic.get("/api/v1/workflows/" + workflowId);
                    traffic.get("/api/v1/workflows/" + workflowId + "/events?limit=200");
                    traffic.subscribe(EVENTS, "{\"id\":\"" + workflowId + "\"}");
                }
                else if (path.startsWith("/#/workflows"))
                {
                    traffic.every(phaseMs, 5_000, "/api/v1/workflows");
                }
                else if (path.startsWith("/#/tasks"))
                {
                    traffic.subscribe(TASKS, "{}");
                }
            }
            return traffic;
        }
        catch (final IOException | RuntimeException | InterruptedException ex)
        {
            traffic.close();
            throw ex;
        }
    }

    /**
     * @return requests that failed or answered other than 200 so far.
     */
    long failures()
    {
        return failures.get();
    }

    private void every(final long phaseMs, final long periodMs, final String path)
    {
        timers.scheduleWithFixedDelay(() ->
        {
            try
            {
                get(path);
            }
            catch (final IOException ex)
            {
                failures.incrementAndGet();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
            }
        }, phaseMs, periodMs, TimeUnit.MILLISECONDS);
    }

    private void get(final String path) throws IOException, InterruptedException
    {
        final HttpResponse<Void> response = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
            .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200)
        {
            failures.incrementAndGet();
        }
    }

    private void subscribe(final String query, final String variables) throws IOException, InterruptedException
    {
        final WebSocket socket;
        try
        {
            socket = http.newWebSocketBuilder().subprotocols("graphql-transport-ws")
                .buildAsync(URI.create(baseUrl.replaceFirst("^http", "ws") + "/graphql"), new WebSocket.Listener()
                {
                    @Override
                    public CompletionStage<?> onText(final WebSocket ws, final CharSequence data, final boolean last)
                    {
                        if (last && data.toString().contains("\"type\":\"ping\""))
                        {
                            ws.sendText("{\"type\":\"pong\"}", true);
                        }
                        ws.request(1);
                        return null;
                    }
                }).get(10, TimeUnit.SECONDS);
        }
        catch (final java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException ex)
        {
            throw new IOException("cannot open the GraphQL WebSocket of " + baseUrl, ex);
        }
        sockets.add(socket);
        socket.sendText("{\"type\":\"connection_init\",\"payload\":{}}", true).join();
        socket.sendText("{\"id\":\"1\",\"type\":\"subscribe\",\"payload\":{\"query\":\"" +
            query.replace("\"", "\\\"") + "\",\"variables\":" + variables + "}}", true).join();
    }

    @Override
    public void close()
    {
        timers.shutdownNow();
        for (final WebSocket socket : sockets)
        {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "").exceptionally(t -> null);
        }
        try
        {
            timers.awaitTermination(5, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
