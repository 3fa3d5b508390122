package io.axiom.chaos.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import org.agrona.collections.LongArrayList;

/**
 * The soak's client: creates task workflows over HTTP at a fixed rate and keeps the ledger of every create the server
 * acknowledged, the harness's own record of what the engine promised to keep.
 * <p>
 * Every create carries an {@code Idempotency-Key} ({@code soak-SEED-N}). A create that gets no answer (the server was
 * killed with it in flight, or is down) has an unknown outcome: it may be in the log or not. It is sent again, with
 * the same key, until the server answers: {@code 201} (it was not there, now it is) or {@code 200} with {@code
 * Idempotent-Replayed} (it was there), both an acknowledgement. So at the end every key is acknowledged exactly once,
 * and a second workflow for one key, or a different id for the same key, is a violation. Retries go before new
 * creates. While no server is up, ticks pass without a request; after an outage the pace resumes, never a burst.
 * <p>
 * With a cluster, creates go to the members in turn ({@link Endpoints#next()}), so a create that got no answer is
 * sent again, with its key, to another member. The driver keeps when each acknowledged request was sent and answered:
 * {@link #outageAfter(long)} is a fault's outage as this client lived it.
 */
final class LoadDriver
{
    static final List<String> STEPS = List.of("RESERVE", "CHARGE", "SHIP", "NOTIFY");
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** A single server's client waits as long as the server does (its {@code gateway.request-timeout-ms}). */
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(10);
    /**
     * A cluster's client gives up sooner and tries another member: a write offered to a leader that dies before
     * committing it is lost with it and never answered.
     */
    static final Duration CLUSTER_REQUEST_TIMEOUT = Duration.ofSeconds(3);
    private static final String RETRY_POLICY =
        "\"retry\":{\"max_attempts\":1000,\"backoff_ms\":50,\"max_backoff_ms\":1000,\"multiplier\":2.0}";

    private final Endpoints server;
    private final long seed;
    private final double rate;
    private final Findings findings;
    private final HttpClient http;
    private final Duration requestTimeout;
    private final String stepsJson;
    private final Deque<String> unresolved = new ArrayDeque<>();
    private final Map<String, Long> acknowledged = new ConcurrentHashMap<>();
    private final LongArrayList ackSentNanos = new LongArrayList();
    private final LongArrayList ackAnsweredNanos = new LongArrayList();
    private volatile boolean running;
    private Thread thread;
    private long created;
    private long requests;
    private long acknowledgedByReplay;
    private long answeredNotOk;

    /**
     * @param server   the base URIs of the server or the cluster's members now.
     * @param seed     the soak's seed (part of every key, so two soaks never share keys).
     * @param rate     creates per second.
     * @param requestTimeout how long a create waits for its answer before it is sent again.
     * @param findings where a broken promise goes.
     */
    LoadDriver(
        final Endpoints server,
        final long seed,
        final double rate,
        final Duration requestTimeout,
        final Findings findings)
    {
        this.requestTimeout = requestTimeout;
        this.server = server;
        this.seed = seed;
        this.rate = rate;
        this.findings = findings;
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2))
            .build();
        final StringBuilder steps = new StringBuilder();
        for (final String step : STEPS)
        {
            steps.append(steps.isEmpty() ? "" : ",").append("{\"name\":\"").append(step)
                .append("\",\"type\":\"task\",").append(RETRY_POLICY).append('}');
        }
        this.stepsJson = steps.toString();
    }

    /**
     * Start creating at the rate on a thread of its own.
     */
    synchronized void start()
    {
        running = true;
        thread = Thread.ofPlatform().name("soak-load").start(this::paced);
    }

    /**
     * Stop creating and wait for the thread; creates still unresolved stay for {@link #resolve(long)}.
     */
    void stop() throws InterruptedException
    {
        running = false;
        final Thread t;
        synchronized (this)
        {
            t = thread;
        }
        if (null != t)
        {
            t.join();
        }
    }

    private void paced()
    {
        final long interval = (long)(TimeUnit.SECONDS.toNanos(1) / rate);
        long next = System.nanoTime();
        while (running)
        {
            final long now = System.nanoTime();
            if (now < next)
            {
                park(next - now);
                continue;
            }
            // after an outage or a slow request, go on at the pace from now: no burst to catch up
            next = Math.max(next + interval, now - interval);
            final URI base = server.next();
            if (null != base)
            {
                final String key;
                synchronized (this)
                {
                    key = unresolved.isEmpty() ? "soak-" + seed + "-" + ++created : unresolved.pollFirst();
                }
                if (!send(base, key))
                {
                    synchronized (this)
                    {
                        unresolved.addLast(key);
                    }
                }
            }
        }
    }

    /**
     * Send every unresolved create again until each is answered, or the deadline passes.
     *
     * @param deadlineNanos {@link System#nanoTime()} bound.
     * @return true when none is left unresolved.
     */
    boolean resolve(final long deadlineNanos)
    {
        while (System.nanoTime() < deadlineNanos)
        {
            final String key;
            synchronized (this)
            {
                if (unresolved.isEmpty())
                {
                    return true;
                }
                key = unresolved.peekFirst();
            }
            final URI base = server.next();
            if (null != base && send(base, key))
            {
                synchronized (this)
                {
                    unresolved.pollFirst();
                }
            }
            else
            {
                park(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }
        synchronized (this)
        {
            return unresolved.isEmpty();
        }
    }

    /**
     * @return true when the server answered (the key is acknowledged, or refused for good and reported).
     */
    private boolean send(final URI base, final String key)
    {
        synchronized (this)
        {
            requests++;
        }
        final String body = "{\"name\":\"" + key + "\",\"steps\":[" + stepsJson + "],\"input\":{\"soak_seed\":" +
            seed + ",\"key\":\"" + key + "\"}}";
        final long sentNanos = System.nanoTime();
        final HttpResponse<String> response;
        try
        {
            response = http.send(HttpRequest.newBuilder(base.resolve("/api/v1/workflows"))
                .timeout(requestTimeout)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build(), HttpResponse.BodyHandlers.ofString());
        }
        catch (final IOException ex)
        {
            return false; // no answer: the outcome is unknown until the key is sent again
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
        final int status = response.statusCode();
        if (201 == status || 200 == status)
        {
            final long id;
            try
            {
                final JsonNode json = MAPPER.readTree(response.body());
                id = Long.parseLong(json.path("id").asText());
            }
            catch (final IOException | NumberFormatException ex)
            {
                findings.violation("create " + key + " answered " + status + " without a workflow id: " +
                    response.body());
                return true;
            }
            synchronized (this)
            {
                if (200 == status)
                {
                    acknowledgedByReplay++;
                }
                ackSentNanos.addLong(sentNanos);
                ackAnsweredNanos.addLong(System.nanoTime());
            }
            final Long before = acknowledged.putIfAbsent(key, id);
            if (null != before && before != id)
            {
                findings.violation("idempotent create " + key + " acknowledged as workflow " + before +
                    " and later as workflow " + id);
            }
            return true;
        }
        synchronized (this)
        {
            answeredNotOk++;
        }
        if (status >= 500 || 429 == status || 408 == status)
        {
            return false; // the server is not ready or cannot write now: send it again
        }
        findings.violation("create " + key + " refused with " + status + ": " + response.body());
        return true;
    }

    private static void park(final long nanos)
    {
        try
        {
            TimeUnit.NANOSECONDS.sleep(Math.min(nanos, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * A fault's outage as this client lived it: from the fault until the answer to the first create sent after it
     * that was acknowledged.
     *
     * @param faultNanos {@link System#nanoTime()} of the fault.
     * @return the outage in nanoseconds, or -1 when no create sent after it was acknowledged.
     */
    synchronized long outageAfter(final long faultNanos)
    {
        for (int i = 0, size = ackSentNanos.size(); i < size; i++)
        {
            if (ackSentNanos.getLong(i) >= faultNanos)
            {
                return ackAnsweredNanos.getLong(i) - faultNanos;
            }
        }
        return -1;
    }

    /**
     * @return every acknowledged create: idempotency key to workflow id.
     */
    Map<String, Long> acknowledged()
    {
        return Map.copyOf(acknowledged);
    }

    /**
     * @return distinct creates issued (keys).
     */
    synchronized long created()
    {
        return created;
    }

    /**
     * @return creates acknowledged only by a retry's replay (the first answer was lost).
     */
    synchronized long acknowledgedByReplay()
    {
        return acknowledgedByReplay;
    }

    /**
     * @return create requests sent, retries included.
     */
    synchronized long requests()
    {
        return requests;
    }

    /**
     * @return creates whose outcome is still unknown.
     */
    synchronized int unresolved()
    {
        return unresolved.size();
    }

    /**
     * @return answers that were neither 200 nor 201 (503 while recovering, ...).
     */
    synchronized long answeredNotOk()
    {
        return answeredNotOk;
    }
}
