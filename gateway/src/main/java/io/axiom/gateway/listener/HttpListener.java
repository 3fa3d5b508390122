package io.axiom.gateway.listener;

import java.io.IOException;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

import io.helidon.webserver.ErrorHandling;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.websocket.WsConfig;

import io.axiom.gateway.StartupException;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.http.RequestErrors;

/**
 * The HTTP listener of a server: Helidon's web server with Axiom's limits on connections, and the watch that brings
 * it back if its accept loop ever ends.
 * <ul>
 *     <li>At most {@code gateway.max-connections} connections at once, lowered to what the open-files limit leaves
 *     ({@link FileDescriptors}); more wait in the listen backlog until one closes.</li>
 *     <li>Idle connections close after {@code gateway.idle-timeout-ms}; a request head that takes longer than
 *     {@code gateway.request-head-timeout-ms} gets 408 ({@link ConnectionGuard}).</li>
 *     <li>A port that cannot be bound fails {@link #start} with a {@link StartupException} naming address and cause
 *     (Helidon itself only logs it and reports port -1).</li>
 *     <li>Should the accept loop end anyway (Helidon ends it on any accept failure, e.g. EMFILE from descriptors used
 *     by something else), the listener is rebuilt on the same port, retrying with back-off until it binds again;
 *     meanwhile {@link #isAccepting()} is false and {@code /ready} answers 503.</li>
 * </ul>
 */
public final class HttpListener implements AutoCloseable
{
    /** System property, for the test of the recovery only: admit connections beyond what the descriptors allow. */
    public static final String IGNORE_FD_LIMIT_PROP = "axiom.listener.ignore-fd-limit";

    private static final long PROBE_INTERVAL_MS = 100;
    private static final int PROBES_ALIVE = 3;
    private static final long RESTART_BACKOFF_MIN_MS = 20;
    private static final long RESTART_BACKOFF_MAX_MS = 2_000;
    private static final System.Logger LOG = System.getLogger("axiom.listener");

    private final String host;
    private final int maxConnections;
    private final Duration idleTimeout;
    private final ConnectionGuard guard;
    private final Consumer<WebServerConfig.Builder> routes;
    private final List<String> startNotes = new ArrayList<>();
    private final AtomicBoolean restarting = new AtomicBoolean();
    private volatile WebServer webServer;
    private volatile int port;
    private volatile boolean accepting;
    private volatile boolean closed;
    private volatile long restarts;

    private HttpListener(
        final AxiomConfig config,
        final Consumer<WebServerConfig.Builder> routes)
    {
        this.host = config.host();
        this.idleTimeout = Duration.ofMillis(config.idleTimeoutMs());
        this.routes = routes;
        final FileDescriptors descriptors = FileDescriptors.ofThisProcess();
        final int limit = Boolean.getBoolean(IGNORE_FD_LIMIT_PROP) ? config.maxConnections() :
            descriptors.connectionLimit(config.maxConnections());
        if (limit < config.maxConnections())
        {
            startNotes.add("gateway.max-connections lowered from " + config.maxConnections() + " to " + limit +
                ": the open-files limit is " + descriptors.limit() + " (ulimit -n), " + descriptors.open() +
                " are open and " + descriptors.reserve() + " are kept for the journal and the JVM");
        }
        this.maxConnections = limit;
        this.guard = new ConnectionGuard(
            Duration.ofMillis(config.requestHeadTimeoutMs()), WsConfig.create());
    }

    /**
     * Bind and start serving.
     *
     * @param config  effective configuration: host, port and the connection limits.
     * @param routes  adds routing, WebSocket routing and direct handlers to a server builder; called again for each
     *                restart, so it must build fresh routing each time.
     * @param debug   let Helidon's own log records of listener failures through ({@code --debug}).
     * @return the running listener.
     * @throws StartupException when the address cannot be bound.
     */
    public static HttpListener start(
        final AxiomConfig config,
        final Consumer<WebServerConfig.Builder> routes,
        final boolean debug)
    {
        HelidonLog.install(debug);
        RequestErrors.install();
        final HttpListener listener = new HttpListener(config, routes);
        try
        {
            final WebServer server = listener.bind(config.port());
            if (null == server)
            {
                final Throwable cause = HelidonLog.takeStartFailure();
                throw new StartupException(1, "cannot listen on " + address(config.host(), config.port()) + ": " +
                    bindFailure(cause), cause);
            }
            listener.webServer = server;
            listener.port = server.port();
            listener.accepting = true;
            HelidonLog.register(listener);
            return listener;
        }
        catch (final RuntimeException ex)
        {
            listener.guard.close();
            throw ex;
        }
    }

    /**
     * @return notes for the start-up output, e.g. that the connection limit was lowered.
     */
    public List<String> startNotes()
    {
        return List.copyOf(startNotes);
    }

    /**
     * @return the port bound.
     */
    public int port()
    {
        return port;
    }

    /**
     * @return connections admitted at once.
     */
    public int maxConnections()
    {
        return maxConnections;
    }

    /**
     * @return true while the accept loop runs; false while it is being rebuilt after a failure.
     */
    public boolean isAccepting()
    {
        return accepting && !closed;
    }

    /**
     * @return times the listener was rebuilt after its accept loop ended.
     */
    public long restarts()
    {
        return restarts;
    }

    /**
     * @return the connection guard (open connections, head timeouts).
     */
    public ConnectionGuard guard()
    {
        return guard;
    }

    /**
     * Stop accepting, close every connection. Idempotent.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        HelidonLog.deregister(this);
        try
        {
            webServer.stop();
        }
        finally
        {
            guard.close();
        }
    }

    /**
     * Helidon logged that an accept loop ended: if it was this one, rebuild it.
     *
     * @param cause what ended it.
     */
    void acceptLoopEnded(final Throwable cause)
    {
        if (closed || !restarting.compareAndSet(false, true))
        {
            return;
        }
        Thread.ofPlatform().daemon().name("axiom-listener-restart").start(() ->
        {
            try
            {
                restart(cause);
            }
            finally
            {
                restarting.set(false);
            }
        });
    }

    private void restart(final Throwable cause)
    {
        // Helidon logs first and closes the server socket after: give it a moment, then look several times, since
        // the record may be another listener's (it does not say which) and this one may be merely busy.
        long backoffMs = RESTART_BACKOFF_MIN_MS;
        boolean announced = false;
        int seenAlive = 0;
        while (!closed)
        {
            pause(PROBE_INTERVAL_MS);
            final Boolean alive = announced ? Boolean.FALSE : probe();
            if (Boolean.TRUE.equals(alive))
            {
                if (++seenAlive >= PROBES_ALIVE)
                {
                    return;
                }
                continue;
            }
            if (Boolean.FALSE.equals(alive))
            {
                if (!announced)
                {
                    announced = true;
                    accepting = false;
                    LOG.log(System.Logger.Level.WARNING, "the HTTP listener on " + address(host, port) +
                        " stopped accepting (" + describe(cause) + "); starting it again");
                }
                final WebServer server = bind(port);
                if (null != server)
                {
                    HelidonLog.takeStartFailure();
                    webServer = server;
                    restarts++;
                    accepting = true;
                    LOG.log(System.Logger.Level.INFO, "the HTTP listener on " + address(host, port) + " accepts again");
                    return;
                }
                HelidonLog.takeStartFailure();
            }
            pause(backoffMs);
            backoffMs = Math.min(RESTART_BACKOFF_MAX_MS, backoffMs * 2);
        }
    }

    /**
     * @return true when something accepts on the port, false when the connection is refused, null when this process
     * cannot tell (it cannot open a socket itself, e.g. out of descriptors).
     */
    private Boolean probe()
    {
        try (SocketChannel channel = SocketChannel.open())
        {
            channel.connect(new InetSocketAddress(probeAddress(), port));
            return Boolean.TRUE;
        }
        catch (final ConnectException ex)
        {
            return Boolean.FALSE;
        }
        catch (final IOException | RuntimeException ex)
        {
            return null;
        }
    }

    private InetAddress probeAddress() throws UnknownHostException
    {
        final InetAddress bound = InetAddress.getByName(host);
        return bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound;
    }

    /**
     * @param port the port to bind (0 for an ephemeral one).
     * @return the started server, or null when it could not bind (the cause is in {@link HelidonLog}).
     */
    private WebServer bind(final int port)
    {
        final WebServerConfig.Builder builder = WebServer.builder()
            .host(host)
            .port(port)
            .shutdownHook(false)
            .protocolsDiscoverServices(false)
            .addProtocol(WsConfig.create())
            .addConnectionSelector(guard)
            .errorHandling(ErrorHandling.builder().logAllMessages(true).build())
            .maxTcpConnections(maxConnections)
            // an answer written in more than one segment must not wait for the client's delayed ACK (Nagle):
            // a 10 KB answer cost 40 ms without it
            .connectionOptions(options -> options.tcpNoDelay(true))
            .idleConnectionTimeout(idleTimeout)
            .idleConnectionPeriod(Duration.ofMillis(Math.clamp(idleTimeout.toMillis() / 5, 50, 5_000)));
        routes.accept(builder);
        final WebServer server = builder.build().start();
        return server.isRunning() ? server : null;
    }

    private static String bindFailure(final Throwable cause)
    {
        for (Throwable c = cause; null != c; c = c.getCause())
        {
            if (c instanceof BindException bind)
            {
                final String message = String.valueOf(bind.getMessage());
                if (message.toLowerCase(java.util.Locale.ROOT).contains("in use"))
                {
                    return "the address is already in use (is another server running there? choose another port " +
                        "with --port or gateway.port)";
                }
                return message.toLowerCase(java.util.Locale.ROOT) + " (check gateway.host and gateway.port)";
            }
        }
        Throwable root = cause;
        while (null != root && null != root.getCause())
        {
            root = root.getCause();
        }
        return null == root || null == root.getMessage() ? "the web server did not start (run with --debug for " +
            "Helidon's own report)" : root.getMessage();
    }

    private static String describe(final Throwable cause)
    {
        Throwable root = cause;
        while (null != root && null != root.getCause())
        {
            root = root.getCause();
        }
        return null == root || null == root.getMessage() ? "accept failed" : root.getMessage();
    }

    private static String address(final String host, final int port)
    {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    private static void pause(final long millis)
    {
        try
        {
            TimeUnit.MILLISECONDS.sleep(millis);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
