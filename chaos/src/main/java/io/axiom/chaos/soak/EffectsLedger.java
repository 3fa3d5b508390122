package io.axiom.chaos.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * The downstream system the soak's workers change: a stand-in for a payment provider, run by the harness so that it
 * outlives every process the soak kills. A worker applies its step's business effect here before it reports the step
 * done, keyed by the step's idempotency key ({@code {workflowId}-{stepIndex}}, the same on every attempt) and
 * carrying the attempt's fencing token. Like a provider that honours fencing, the ledger
 * <ul>
 *     <li>records one effect per key: the first application is {@link Verdict#APPLIED};</li>
 *     <li>treats a repeat with the same or a higher token as already applied ({@link Verdict#DUPLICATE}, nothing
 *     new happens; a retry after a crash lands here);</li>
 *     <li>refuses an application with a lower token than one it has seen for the key ({@link Verdict#STALE}: a newer
 *     attempt exists, this one is a zombie).</li>
 * </ul>
 * It keeps every token it was shown per key, so that the end of the soak can check that the token the log committed
 * is the newest one the provider saw.
 * <p>
 * Over HTTP (JDK {@code com.sun.net.httpserver}, loopback, an ephemeral port): {@code POST
 * /effects?key=K&token=T&worker=W} answers 200 {@code APPLIED} or {@code DUPLICATE}, or 409 {@code STALE}.
 */
public final class EffectsLedger implements AutoCloseable
{
    /**
     * What the ledger did with one application.
     */
    public enum Verdict
    {
        /** The first application for the key: the effect happened now. */
        APPLIED,
        /** The effect had already happened; nothing new (the token is the same or newer). */
        DUPLICATE,
        /** Refused: the ledger has seen a newer token for this key. */
        STALE
    }

    /**
     * The one effect of a key.
     *
     * @param key         the idempotency key.
     * @param token       the token of the application that made it.
     * @param worker      the worker that made it.
     * @param tokens      every token shown for the key, accepted or not, in arrival order.
     * @param duplicates  applications after the first that were accepted as already applied.
     * @param stale       applications refused as stale.
     */
    public record Effect(String key, long token, long worker, List<Long> tokens, int duplicates, int stale)
    {
        /**
         * @return the newest token the ledger has seen for this key.
         */
        public long newestToken()
        {
            long newest = Long.MIN_VALUE;
            for (final long t : tokens)
            {
                newest = Math.max(newest, t);
            }
            return newest;
        }
    }

    private static final class Entry
    {
        final long token;
        final long worker;
        final List<Long> tokens = new ArrayList<>(2);
        long newest;
        int duplicates;
        int stale;

        Entry(final long token, final long worker)
        {
            this.token = token;
            this.worker = worker;
            this.newest = token;
            tokens.add(token);
        }
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong deduplicated = new AtomicLong();
    private final AtomicLong staleRejected = new AtomicLong();
    private HttpServer server;
    private ExecutorService executor;

    /**
     * Apply one step's effect.
     *
     * @param key    the step's idempotency key.
     * @param token  the attempt's fencing token.
     * @param worker the worker applying it.
     * @return what happened.
     */
    public Verdict apply(final String key, final long token, final long worker)
    {
        final Verdict[] verdict = new Verdict[1];
        entries.compute(key, (k, entry) ->
        {
            if (null == entry)
            {
                verdict[0] = Verdict.APPLIED;
                return new Entry(token, worker);
            }
            synchronized (entry)
            {
                entry.tokens.add(token);
                if (token < entry.newest)
                {
                    entry.stale++;
                    verdict[0] = Verdict.STALE;
                }
                else
                {
                    entry.newest = token;
                    entry.duplicates++;
                    verdict[0] = Verdict.DUPLICATE;
                }
            }
            return entry;
        });
        switch (verdict[0])
        {
            case APPLIED -> applied.incrementAndGet();
            case DUPLICATE -> deduplicated.incrementAndGet();
            case STALE -> staleRejected.incrementAndGet();
            default -> throw new IllegalStateException();
        }
        return verdict[0];
    }

    /**
     * @return a copy of every effect, by key.
     */
    public Map<String, Effect> effects()
    {
        final Map<String, Effect> copy = new HashMap<>();
        entries.forEach((key, entry) ->
        {
            synchronized (entry)
            {
                copy.put(key, new Effect(key, entry.token, entry.worker, List.copyOf(entry.tokens), entry.duplicates,
                    entry.stale));
            }
        });
        return copy;
    }

    /**
     * @return effects applied (one per key).
     */
    public long applied()
    {
        return applied.get();
    }

    /**
     * @return applications accepted as already applied.
     */
    public long deduplicated()
    {
        return deduplicated.get();
    }

    /**
     * @return applications refused for a stale token.
     */
    public long staleRejected()
    {
        return staleRejected.get();
    }

    /**
     * Serve {@code POST /effects} on a loopback ephemeral port.
     *
     * @return the URI workers post to, e.g. {@code http://127.0.0.1:41234/effects}.
     * @throws IOException when the port cannot be bound.
     */
    public synchronized URI serve() throws IOException
    {
        if (null == server)
        {
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            executor = Executors.newFixedThreadPool(4, runnable ->
            {
                final Thread thread = new Thread(runnable, "effects-ledger");
                thread.setDaemon(true);
                return thread;
            });
            server.setExecutor(executor);
            server.createContext("/effects", this::handle);
            server.start();
        }
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/effects");
    }

    private void handle(final HttpExchange exchange) throws IOException
    {
        try (exchange; InputStream body = exchange.getRequestBody())
        {
            body.readAllBytes();
            if (!"POST".equals(exchange.getRequestMethod()))
            {
                respond(exchange, 405, "POST only");
                return;
            }
            final Map<String, String> query = query(exchange.getRequestURI().getRawQuery());
            final String key = query.get("key");
            final long token;
            final long worker;
            try
            {
                token = Long.parseLong(query.getOrDefault("token", ""));
                worker = Long.parseLong(query.getOrDefault("worker", "0"));
            }
            catch (final NumberFormatException ex)
            {
                respond(exchange, 400, "token and worker must be numbers");
                return;
            }
            if (null == key || key.isEmpty())
            {
                respond(exchange, 400, "key is required");
                return;
            }
            final Verdict verdict = apply(key, token, worker);
            respond(exchange, Verdict.STALE == verdict ? 409 : 200, verdict.name());
        }
    }

    private static void respond(final HttpExchange exchange, final int status, final String text) throws IOException
    {
        final byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody())
        {
            out.write(bytes);
        }
    }

    private static Map<String, String> query(final String raw)
    {
        final Map<String, String> params = new HashMap<>();
        if (null == raw)
        {
            return params;
        }
        for (final String pair : raw.split("&"))
        {
            final int eq = pair.indexOf('=');
            if (eq > 0)
            {
                params.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                    URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return params;
    }

    /**
     * Stop serving; the ledger's contents stay readable.
     */
    @Override
    public synchronized void close()
    {
        if (null != server)
        {
            server.stop(0);
            executor.shutdownNow();
            server = null;
        }
    }
}
