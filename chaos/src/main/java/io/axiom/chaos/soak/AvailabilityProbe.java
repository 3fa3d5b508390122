package io.axiom.chaos.soak;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Asks the server {@code GET /ready} every {@value #INTERVAL_MS} ms and keeps the longest time it did not answer 200:
 * from its last good answer to its next one, so an outage includes the kill, the time down, the JVM's start and the
 * journal's recovery, as a client would live it. With a cluster it asks the members in turn (those up), so an outage
 * is a time in which every member asked said no: an election, not one member's restart.
 */
final class AvailabilityProbe
{
    static final long INTERVAL_MS = 50;

    private final Endpoints server;
    private final long originNanos;
    private final HttpClient http;
    private volatile boolean running;
    private Thread thread;
    private long lastOkNanos;
    private long longestNanos;
    private long longestFromNanos;
    private long longestToNanos;
    private long probes;
    private long failures;

    /**
     * @param server      the base URIs of the server or the members now.
     * @param originNanos the soak's t+0, for the report.
     */
    AvailabilityProbe(final Endpoints server, final long originNanos)
    {
        this.server = server;
        this.originNanos = originNanos;
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(1))
            .build();
    }

    synchronized void start()
    {
        lastOkNanos = System.nanoTime();
        running = true;
        thread = Thread.ofPlatform().daemon().name("soak-probe").start(this::loop);
    }

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

    private void loop()
    {
        while (running)
        {
            final boolean ok = answers();
            final long now = System.nanoTime();
            synchronized (this)
            {
                probes++;
                if (ok)
                {
                    final long gap = now - lastOkNanos;
                    if (gap > longestNanos)
                    {
                        longestNanos = gap;
                        longestFromNanos = lastOkNanos;
                        longestToNanos = now;
                    }
                    lastOkNanos = now;
                }
                else
                {
                    failures++;
                }
            }
            try
            {
                TimeUnit.MILLISECONDS.sleep(INTERVAL_MS);
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private boolean answers()
    {
        final URI base = server.next();
        if (null == base)
        {
            return false;
        }
        try
        {
            return 200 == http.send(HttpRequest.newBuilder(base.resolve("/ready")).timeout(Duration.ofSeconds(1))
                .GET().build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        }
        catch (final IOException ex)
        {
            return false;
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /**
     * @return the longest outage as the report prints it.
     */
    synchronized String describeLongest()
    {
        if (0 == longestNanos)
        {
            return "none measured";
        }
        return String.format(java.util.Locale.ROOT, "%.3f s (no 200 from GET /ready from t+%s to t+%s; %d of %d " +
            "probes unanswered)", longestNanos / 1e9, FaultSchedule.seconds(ms(longestFromNanos)).trim(),
            FaultSchedule.seconds(ms(longestToNanos)).trim(), failures, probes);
    }

    /**
     * @return the longest outage in milliseconds.
     */
    synchronized long longestMs()
    {
        return TimeUnit.NANOSECONDS.toMillis(longestNanos);
    }

    private long ms(final long nanos)
    {
        return TimeUnit.NANOSECONDS.toMillis(nanos - originNanos);
    }
}
