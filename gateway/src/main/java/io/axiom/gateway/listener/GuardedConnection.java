package io.axiom.gateway.listener;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.spi.ServerConnection;

/**
 * One client connection: Helidon's own HTTP/1.1 connection inside, and around it the phase the connection is in, so
 * that the {@link ConnectionGuard} can time out a request head that arrives too slowly and tell Helidon's idle
 * check how long the connection has really been idle.
 * <p>
 * Phases: {@code IDLE} (waiting for a request), {@code HEAD} (the first byte of a request arrived, its headers are
 * not complete), {@code REQUEST} (headers complete: the body, the route and the response; no timeout applies),
 * {@code UPGRADED} (a WebSocket: idle only), {@code TIMED_OUT} (the guard is closing it). The reader thread moves the
 * phase forward as bytes and headers arrive; the guard's sweeper takes {@code HEAD} to {@code TIMED_OUT}; both use
 * compare-and-set, so exactly one of them wins a race between the last header byte and the deadline.
 */
final class GuardedConnection implements ServerConnection, InterruptableTask<Void>
{
    static final int IDLE = 0;
    static final int HEAD = 1;
    static final int REQUEST = 2;
    static final int UPGRADED = 3;
    static final int TIMED_OUT = 4;

    private final ConnectionGuard guard;
    private final GuardedContext context;
    private final AtomicInteger phase = new AtomicInteger(IDLE);
    private volatile long headStartNs;
    private volatile long lastActivityNs;
    private volatile boolean closeAfterResponse;
    private ServerConnection http;

    GuardedConnection(final ConnectionGuard guard, final GuardedContext context)
    {
        this.guard = guard;
        this.context = context;
        this.lastActivityNs = System.nanoTime();
    }

    void http(final ServerConnection http)
    {
        this.http = http;
    }

    GuardedContext context()
    {
        return context;
    }

    @Override
    public void handle(final Limit limit) throws InterruptedException
    {
        guard.opened(this);
        try
        {
            http.handle(limit);
        }
        finally
        {
            guard.closed(this);
        }
    }

    /**
     * @return time without a request in progress: zero while a request head or a request is in progress (the head
     * timeout and the route's own timeout apply then), else since the last byte received or response begun.
     */
    @Override
    public Duration idleTime()
    {
        final int current = phase.get();
        if (HEAD == current || REQUEST == current)
        {
            return Duration.ZERO;
        }
        return Duration.ofNanos(System.nanoTime() - lastActivityNs);
    }

    @Override
    public void close(final boolean interrupt)
    {
        http.close(interrupt);
    }

    @Override
    public boolean canInterrupt()
    {
        return http instanceof InterruptableTask<?> task && task.canInterrupt();
    }

    /**
     * Bytes arrived from the client (called on the reader thread).
     */
    void onBytes()
    {
        final long now = System.nanoTime();
        lastActivityNs = now;
        if (IDLE == phase.get())
        {
            headStartNs = now;
            phase.compareAndSet(IDLE, HEAD);
        }
    }

    /**
     * The request line was parsed; a pipelined request may not have announced itself with new bytes.
     */
    void onRequestLine()
    {
        if (IDLE == phase.get())
        {
            headStartNs = System.nanoTime();
            phase.compareAndSet(IDLE, HEAD);
        }
        failIfTimedOut();
    }

    /**
     * The request's headers are complete: the head timeout no longer applies.
     */
    void onHeadersComplete()
    {
        if (!phase.compareAndSet(HEAD, REQUEST))
        {
            failIfTimedOut();
            phase.compareAndSet(IDLE, REQUEST);
        }
    }

    /**
     * A response begins: the connection is idle again once it is sent, or a WebSocket after a 101.
     *
     * @param status the response status code.
     */
    void onResponse(final int status)
    {
        lastActivityNs = System.nanoTime();
        if (101 == status)
        {
            phase.set(UPGRADED);
        }
        else
        {
            phase.compareAndSet(REQUEST, IDLE);
        }
    }

    /**
     * The request or the response says {@code Connection: close}: end the connection once the response is sent.
     * Helidon 4.5 writes the header but keeps reading; a client reading to the end of the stream (HTTP/1.0) would
     * wait for the idle timeout.
     */
    void closeAfterResponse()
    {
        closeAfterResponse = true;
    }

    /**
     * @return true when the reader, asking for the next request's bytes, should see the end of the stream instead.
     */
    boolean endsAfterResponse()
    {
        return closeAfterResponse && IDLE == phase.get();
    }

    /**
     * @param nowNs     the sweeper's clock.
     * @param timeoutNs the head timeout.
     * @return true when this call took the connection from {@code HEAD} past its deadline to {@code TIMED_OUT}.
     */
    boolean expireHead(final long nowNs, final long timeoutNs)
    {
        return HEAD == phase.get() && nowNs - headStartNs > timeoutNs && phase.compareAndSet(HEAD, TIMED_OUT);
    }

    int phase()
    {
        return phase.get();
    }

    private void failIfTimedOut()
    {
        if (TIMED_OUT == phase.get())
        {
            throw new CloseConnectionException("request head timed out");
        }
    }
}
