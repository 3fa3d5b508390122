package io.axiom.perf;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.HdrHistogram.Histogram;

/**
 * An open-loop, fixed-rate HTTP load: request {@code i} is due at {@code start + i / rate}, whatever happened to the
 * requests before it, and its latency is measured from that intended time (so a stall of the server, or of the
 * generator, shows up in the latency of every request that should have been sent during it: no coordinated
 * omission; the wrk2 model).
 * <p>
 * {@code connections} threads each own one persistent {@link HttpConnection} with at most one request in flight. A
 * free thread claims the next request index from a shared counter, parks until its intended time (no spinning) and
 * sends it; when every connection is busy the next request simply starts late, and the lateness counts. Each thread
 * records into its own histograms, merged at the end. Requests due in the warm-up are sent and checked but not
 * recorded; the run stops claiming at the end of the measured window and waits for the responses in flight (each
 * bounded by the read timeout).
 */
final class FixedRateHttpLoad
{
    static final long HIGHEST_NANOS = TimeUnit.SECONDS.toNanos(120);

    /**
     * The bytes of request {@code index} (request line, headers and body).
     */
    interface Requests
    {
        byte[] request(long index);
    }

    /**
     * Whether a response with the expected status is a success; e.g. a GraphQL answer without {@code "errors"}.
     */
    interface BodyCheck
    {
        boolean ok(HttpConnection connection);
    }

    /**
     * Counts and histograms of one phase (warm-up or measured) of a run, merged over the connections.
     */
    static final class Stats
    {
        final Histogram intendedToResponse = new Histogram(HIGHEST_NANOS, 3);
        final Histogram sendToResponse = new Histogram(HIGHEST_NANOS, 3);
        final Histogram sendLag = new Histogram(HIGHEST_NANOS, 3);
        final Map<Integer, Long> unexpectedStatus = new TreeMap<>();
        long sent;
        long ok;
        long bodyErrors;
        long timeouts;
        long ioErrors;
        long okCompletedInWindow;
        long minId = Long.MAX_VALUE;
        long maxId = -1;

        long errors()
        {
            long bad = 0;
            for (final long n : unexpectedStatus.values())
            {
                bad += n;
            }
            return bad + bodyErrors + timeouts + ioErrors;
        }

        void add(final Stats other)
        {
            intendedToResponse.add(other.intendedToResponse);
            sendToResponse.add(other.sendToResponse);
            sendLag.add(other.sendLag);
            other.unexpectedStatus.forEach((k, v) -> unexpectedStatus.merge(k, v, Long::sum));
            sent += other.sent;
            ok += other.ok;
            bodyErrors += other.bodyErrors;
            timeouts += other.timeouts;
            ioErrors += other.ioErrors;
            okCompletedInWindow += other.okCompletedInWindow;
            minId = Math.min(minId, other.minId);
            maxId = Math.max(maxId, other.maxId);
        }
    }

    /**
     * What one run did.
     */
    static final class Result
    {
        final Stats warmup = new Stats();
        final Stats measured = new Stats();
        double rate;
        double windowS;
        int connections;
        int connects;
        long unfinishedThreads;
        long serverCpuNs = -1;
        long harnessCpuNs = -1;

        double achievedRate()
        {
            return measured.okCompletedInWindow / windowS;
        }
    }

    private final InetSocketAddress address;
    private final int connections;
    private final int timeoutMs;
    private final boolean virtualThreads;

    FixedRateHttpLoad(
        final InetSocketAddress address, final int connections, final int timeoutMs, final boolean virtualThreads)
    {
        this.address = address;
        this.connections = connections;
        this.timeoutMs = timeoutMs;
        this.virtualThreads = virtualThreads;
    }

    /**
     * Run at a fixed rate for warm-up + measured seconds, then wait for the responses in flight.
     *
     * @param cpu             sampled at the start and the end of the measured window.
     * @param expectedStatus  the status of a success (201 for a create, 200 otherwise).
     */
    Result run(
        final double rate,
        final double warmupS,
        final double durationS,
        final Requests requests,
        final int expectedStatus,
        final BodyCheck check,
        final ProcessCpu cpu) throws InterruptedException
    {
        final double intervalNs = 1e9 / rate;
        final long startNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(50);
        final long measureStartNs = startNs + (long)(warmupS * 1e9);
        final long endNs = measureStartNs + (long)(durationS * 1e9);
        final AtomicLong next = new AtomicLong();
        final Worker[] workers = new Worker[connections];
        final Thread[] threads = new Thread[connections];
        for (int i = 0; i < connections; i++)
        {
            workers[i] = new Worker(new HttpConnection(address, timeoutMs), next, startNs, intervalNs,
                measureStartNs, endNs, requests, expectedStatus, check);
            final Thread.Builder builder = virtualThreads ? Thread.ofVirtual() : Thread.ofPlatform().daemon(true);
            threads[i] = builder.name("http-load-" + i).unstarted(workers[i]);
        }
        for (final Thread t : threads)
        {
            t.start();
        }

        sleepUntil(measureStartNs);
        final long[] cpuStart = cpu.sample();
        sleepUntil(endNs);
        final long[] cpuEnd = cpu.sample();

        final long joinDeadlineNs = endNs + TimeUnit.MILLISECONDS.toNanos(timeoutMs + 5_000L);
        final Result result = new Result();
        for (int i = 0; i < connections; i++)
        {
            final long leftMs = Math.max(1, TimeUnit.NANOSECONDS.toMillis(joinDeadlineNs - System.nanoTime()));
            threads[i].join(leftMs);
            if (threads[i].isAlive())
            {
                result.unfinishedThreads++;
                workers[i].connection.close();
                threads[i].join(1_000);
            }
            result.warmup.add(workers[i].warmup);
            result.measured.add(workers[i].measured);
            result.connects += workers[i].connection.connects;
        }
        result.rate = rate;
        result.windowS = durationS;
        result.connections = connections;
        result.serverCpuNs = cpuStart[0] < 0 || cpuEnd[0] < 0 ? -1 : cpuEnd[0] - cpuStart[0];
        result.harnessCpuNs = cpuEnd[1] - cpuStart[1];
        return result;
    }

    private static void sleepUntil(final long deadlineNs)
    {
        long now;
        while ((now = System.nanoTime()) < deadlineNs)
        {
            LockSupport.parkNanos(deadlineNs - now);
        }
    }

    /**
     * One connection's thread: claim the next request, park until it is due, send it, read the answer, record.
     */
    private static final class Worker implements Runnable
    {
        final HttpConnection connection;
        final Stats warmup = new Stats();
        final Stats measured = new Stats();
        private final AtomicLong next;
        private final long startNs;
        private final double intervalNs;
        private final long measureStartNs;
        private final long endNs;
        private final Requests requests;
        private final int expectedStatus;
        private final BodyCheck check;

        Worker(
            final HttpConnection connection,
            final AtomicLong next,
            final long startNs,
            final double intervalNs,
            final long measureStartNs,
            final long endNs,
            final Requests requests,
            final int expectedStatus,
            final BodyCheck check)
        {
            this.connection = connection;
            this.next = next;
            this.startNs = startNs;
            this.intervalNs = intervalNs;
            this.measureStartNs = measureStartNs;
            this.endNs = endNs;
            this.requests = requests;
            this.expectedStatus = expectedStatus;
            this.check = check;
        }

        public void run()
        {
            try
            {
                while (true)
                {
                    final long index = next.getAndIncrement();
                    final long intendedNs = startNs + (long)(index * intervalNs);
                    if (intendedNs >= endNs)
                    {
                        break;
                    }
                    final byte[] request = requests.request(index);
                    sleepUntil(intendedNs);
                    send(intendedNs, request, intendedNs >= measureStartNs ? measured : warmup);
                }
            }
            finally
            {
                connection.close();
            }
        }

        private void send(final long intendedNs, final byte[] request, final Stats stats)
        {
            final long sendNs = System.nanoTime();
            stats.sent++;
            if (stats == measured)
            {
                stats.sendLag.recordValue(Math.min(HIGHEST_NANOS, Math.max(0, sendNs - intendedNs)));
            }
            try
            {
                final int status = connection.exchange(request);
                final long doneNs = System.nanoTime();
                if (status != expectedStatus)
                {
                    stats.unexpectedStatus.merge(status, 1L, Long::sum);
                    return;
                }
                if (null != check && !check.ok(connection))
                {
                    stats.bodyErrors++;
                    return;
                }
                stats.ok++;
                if (connection.locationId >= 0)
                {
                    stats.minId = Math.min(stats.minId, connection.locationId);
                    stats.maxId = Math.max(stats.maxId, connection.locationId);
                }
                if (doneNs >= measureStartNs && doneNs < endNs)
                {
                    measured.okCompletedInWindow++;
                }
                if (stats == measured)
                {
                    stats.intendedToResponse.recordValue(Math.min(HIGHEST_NANOS, doneNs - intendedNs));
                    stats.sendToResponse.recordValue(Math.min(HIGHEST_NANOS, doneNs - sendNs));
                }
            }
            catch (final SocketTimeoutException ex)
            {
                stats.timeouts++;
            }
            catch (final IOException ex)
            {
                stats.ioErrors++;
            }
        }
    }
}
