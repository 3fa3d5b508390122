package io.axiom.gateway.listener;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.http.HeaderValues;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Status;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ProtocolConfigs;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionListener;
import io.helidon.webserver.http1.Http1ConnectionProvider;
import io.helidon.webserver.spi.ProtocolConfig;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.websocket.WsConfig;

import io.axiom.gateway.http.ApiProblem;
import io.axiom.gateway.http.JsonViews;
import io.axiom.gateway.http.RequestLog;

/**
 * The listener's only connection selector: every accepted socket becomes Helidon's own HTTP/1.1 connection (with the
 * WebSocket upgrade), wrapped in a {@link GuardedConnection} that reads through {@link RequestBytes}.
 * <p>
 * Being the only selector matters: with one candidate Helidon hands the socket over at once, before any byte
 * arrives, so a client that connects and says nothing is already a connection the idle check sees. The guard keeps a
 * registry of open connections and a sweeper thread that closes, with a 408 problem, every connection whose request
 * head (request line and headers) has not arrived within {@code gateway.request-head-timeout-ms} of its first byte.
 * Idle connections are closed by Helidon's own idle check, which asks each connection for its idle time.
 */
public final class ConnectionGuard implements ServerConnectionSelector, AutoCloseable
{
    /** Problem code of a request whose head arrived too slowly. */
    public static final String HEAD_TIMEOUT_CODE = "REQUEST_HEAD_TIMEOUT";

    private static final System.Logger LOG = System.getLogger(ConnectionGuard.class.getName());

    private final ServerConnectionSelector http1;
    private final long headTimeoutNs;
    private final long headTimeoutMs;
    private final Set<GuardedConnection> open = ConcurrentHashMap.newKeySet();
    private final AtomicLong accepted = new AtomicLong();
    private final AtomicLong headTimeouts = new AtomicLong();
    private final Thread sweeper;
    private volatile boolean running = true;

    /**
     * @param headTimeout longest time from a request's first byte to the end of its headers.
     * @param webSocket   Helidon's WebSocket settings, for the upgrade.
     */
    public ConnectionGuard(final Duration headTimeout, final WsConfig webSocket)
    {
        this.headTimeoutNs = headTimeout.toNanos();
        this.headTimeoutMs = headTimeout.toMillis();
        // Helidon's defaults; a builder seeded from another configuration would keep that one's listener chain
        final Http1Config guarded = Http1Config.builder()
            .addReceiveListener(new RequestListener())
            .addSendListener(new ResponseListener())
            .build();
        final List<ProtocolConfig> protocols = List.of(webSocket);
        this.http1 = new Http1ConnectionProvider().create("@default", guarded, ProtocolConfigs.create(protocols));
        final long periodMs = Math.clamp(headTimeout.toMillis() / 5, 20, 250);
        this.sweeper = Thread.ofPlatform().daemon().name("axiom-connection-guard").unstarted(() -> sweep(periodMs));
        sweeper.start();
    }

    /**
     * @return connections open now.
     */
    public int openConnections()
    {
        return open.size();
    }

    /**
     * @return connections handed to the guard since it started.
     */
    public long acceptedConnections()
    {
        return accepted.get();
    }

    /**
     * @return connections closed because their request head was too slow.
     */
    public long headTimeouts()
    {
        return headTimeouts.get();
    }

    @Override
    public int bytesToIdentifyConnection()
    {
        return 0;
    }

    @Override
    public Support supports(final BufferData request)
    {
        return Support.SUPPORTED;
    }

    @Override
    public Set<String> supportedApplicationProtocols()
    {
        return http1.supportedApplicationProtocols();
    }

    @Override
    public ServerConnection connection(final ConnectionContext socket)
    {
        final DataReader socketReader = socket.dataReader();
        final RequestBytes bytes = new RequestBytes(socketReader, () ->
            socket.localPeer().address() instanceof InetSocketAddress address ? address : null);
        final GuardedContext context = new GuardedContext(socket, bytes);
        final GuardedConnection connection = new GuardedConnection(this, context);
        bytes.connection(connection);
        context.connection(connection);
        connection.http(http1.connection(context));
        return connection;
    }

    @Override
    public void close()
    {
        running = false;
        sweeper.interrupt();
    }

    /**
     * End every open connection, as a crash of the connection handling would (fault injection: chaos's
     * {@code process_kill}): an idle one, or a WebSocket, is closed now; one serving a request is closed once its
     * response is sent, so that no answer is cut off after the engine acted on it.
     *
     * @return the connections closed now or marked to close after their response.
     */
    public int dropConnections()
    {
        int dropped = 0;
        for (final GuardedConnection connection : open)
        {
            dropped++;
            final int phase = connection.phase();
            if (GuardedConnection.IDLE == phase || GuardedConnection.UPGRADED == phase)
            {
                try
                {
                    connection.context().serverSocket().close();
                }
                catch (final RuntimeException ex)
                {
                    LOG.log(System.Logger.Level.DEBUG, "closing a connection for fault injection", ex);
                }
            }
            else
            {
                connection.closeAfterResponse();
            }
        }
        return dropped;
    }

    void opened(final GuardedConnection connection)
    {
        accepted.incrementAndGet();
        open.add(connection);
    }

    void closed(final GuardedConnection connection)
    {
        open.remove(connection);
    }

    private void sweep(final long periodMs)
    {
        while (running)
        {
            try
            {
                TimeUnit.MILLISECONDS.sleep(periodMs);
            }
            catch (final InterruptedException ex)
            {
                return;
            }
            final long now = System.nanoTime();
            for (final GuardedConnection connection : open)
            {
                if (connection.expireHead(now, headTimeoutNs))
                {
                    headTimeouts.incrementAndGet();
                    Thread.ofVirtual().name("axiom-head-timeout").start(() -> refuse(connection));
                }
            }
        }
    }

    private void refuse(final GuardedConnection connection)
    {
        final GuardedContext context = connection.context();
        try
        {
            final ApiProblem problem = new ApiProblem(408, HEAD_TIMEOUT_CODE, "Request timeout",
                "the request line and headers did not arrive within " + headTimeoutMs +
                " ms (gateway.request-head-timeout-ms); the connection is closed");
            final byte[] body = JsonViews.problem(problem, null);
            RequestLog.answered("-", "-", 408, problem);
            final byte[] head = ("HTTP/1.1 408 Request Timeout\r\nContent-Type: application/problem+json\r\n" +
                "Content-Length: " + body.length + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
            final byte[] response = Arrays.copyOf(head, head.length + body.length);
            System.arraycopy(body, 0, response, head.length, body.length);
            context.dataWriter().writeNow(BufferData.create(response));
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.DEBUG, "could not send 408 to a slow client", ex);
        }
        finally
        {
            context.serverSocket().close();
        }
    }

    /**
     * Told by Helidon of each request line and each complete request head.
     */
    private static final class RequestListener implements Http1ConnectionListener
    {
        @Override
        public void prologue(final ConnectionContext ctx, final HttpPrologue prologue)
        {
            if (ctx instanceof GuardedContext guarded)
            {
                guarded.connection().onRequestLine();
            }
        }

        @Override
        public void headers(final ConnectionContext ctx, final Headers headers)
        {
            if (ctx instanceof GuardedContext guarded)
            {
                guarded.connection().onHeadersComplete();
                if (headers.containsToken(HeaderValues.CONNECTION_CLOSE))
                {
                    guarded.connection().closeAfterResponse();
                }
            }
        }
    }

    /**
     * Told by Helidon of each response it begins.
     */
    private static final class ResponseListener implements Http1ConnectionListener
    {
        @Override
        public void status(final ConnectionContext ctx, final Status status)
        {
            if (ctx instanceof GuardedContext guarded)
            {
                guarded.connection().onResponse(status.code());
                discardIfEnding(guarded);
            }
        }

        @Override
        public void headers(final ConnectionContext ctx, final Headers headers)
        {
            if (ctx instanceof GuardedContext guarded && headers.containsToken(HeaderValues.CONNECTION_CLOSE))
            {
                guarded.connection().closeAfterResponse();
                discardIfEnding(guarded);
            }
        }

        /**
         * The connection ends with this response: bytes already read past the request (a body nobody read, the rest
         * of a body whose framing broke) must not be taken for another request.
         */
        private static void discardIfEnding(final GuardedContext guarded)
        {
            if (guarded.connection().endsAfterResponse())
            {
                final DataReader reader = guarded.dataReader();
                reader.skip(reader.available());
            }
        }
    }
}
