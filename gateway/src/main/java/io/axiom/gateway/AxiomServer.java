package io.axiom.gateway;

import java.time.Duration;

import io.helidon.webserver.WebServer;

import io.axiom.core.Engine;
import io.axiom.core.EngineContext;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.http.Gateway;
import io.axiom.gateway.http.GatewaySettings;

/**
 * One running Axiom server: the engine (recovering or ready) and the HTTP gateway in front of it. Closing stops the
 * gateway first, so that no request reaches a closing engine, then the engine.
 */
public final class AxiomServer implements AutoCloseable
{
    private final AxiomConfig config;
    private final Engine engine;
    private final WebServer webServer;
    private boolean closed;

    private AxiomServer(final AxiomConfig config, final Engine engine, final WebServer webServer)
    {
        this.config = config;
        this.engine = engine;
        this.webServer = webServer;
    }

    /**
     * Launch the engine (recovery runs in the background) and start serving HTTP at once; {@code /ready} tells when
     * recovery has finished.
     *
     * @param config effective configuration.
     * @param repair truncate the journal at mid-log corruption instead of refusing to start.
     * @return the running server.
     */
    public static AxiomServer start(final AxiomConfig config, final boolean repair)
    {
        final Engine engine = Engine.launch(engineContext(config, repair));
        try
        {
            final GatewaySettings settings = gatewaySettings(config);
            final Gateway gateway = new Gateway(engine, settings);
            final WebServer webServer = WebServer.builder()
                .host(config.host())
                .port(config.port())
                .shutdownHook(false)
                .maxPayloadSize(settings.drainLimit())
                .directHandlers(handlers -> handlers
                    .addHandler(io.helidon.http.DirectHandler.EventType.BAD_REQUEST, gateway.directHandler())
                    .addHandler(io.helidon.http.DirectHandler.EventType.PAYLOAD_TOO_LARGE, gateway.directHandler())
                    .addHandler(io.helidon.http.DirectHandler.EventType.FORBIDDEN, gateway.directHandler())
                    .addHandler(io.helidon.http.DirectHandler.EventType.INTERNAL_ERROR, gateway.directHandler())
                    .addHandler(io.helidon.http.DirectHandler.EventType.OTHER, gateway.directHandler())
                    .addHandler(
                        io.helidon.http.DirectHandler.EventType.HTTP_VERSION_NOT_SUPPORTED, gateway.directHandler()))
                .routing(gateway::routing)
                .build()
                .start();
            return new AxiomServer(config, engine, webServer);
        }
        catch (final RuntimeException ex)
        {
            engine.close();
            throw ex;
        }
    }

    /**
     * @param config effective configuration.
     * @param repair explicit repair of a corrupt journal.
     * @return the engine's context, not yet concluded.
     */
    public static EngineContext engineContext(final AxiomConfig config, final boolean repair)
    {
        return new EngineContext()
            .dataDir(config.dataDir())
            .maxSegmentSize(config.maxSegmentSize())
            .fsync(config.fsync())
            .snapshotIntervalEvents(config.snapshotIntervalEvents())
            .snapshotRetain(config.snapshotRetain())
            .repair(repair)
            .ringSize(config.ringSize())
            .maxSteps(config.maxSteps())
            .maxNameLength(config.maxNameLength())
            .maxInputBytes(config.maxBodyBytes())
            .leaseDurationMs(config.leaseDurationMs())
            .workerTimeoutMs(config.workerTimeoutMs());
    }

    /**
     * @param config effective configuration.
     * @return the gateway's limits.
     */
    public static GatewaySettings gatewaySettings(final AxiomConfig config)
    {
        return new GatewaySettings(config.maxBodyBytes(), config.maxSteps(), config.maxNameLength(),
            Duration.ofMillis(config.requestTimeoutMs()));
    }

    /**
     * @return the port actually bound (differs from the configured one when that was 0).
     */
    public int port()
    {
        return webServer.port();
    }

    /**
     * @return the host the server was asked to bind.
     */
    public String host()
    {
        return config.host();
    }

    /**
     * @return base URL, e.g. {@code http://127.0.0.1:4000}.
     */
    public String url()
    {
        final String host = config.host().contains(":") ? "[" + config.host() + "]" : config.host();
        return "http://" + host + ":" + port();
    }

    /**
     * @return the engine behind the gateway.
     */
    public Engine engine()
    {
        return engine;
    }

    /**
     * @return the configuration the server runs with.
     */
    public AxiomConfig config()
    {
        return config;
    }

    /**
     * Stop serving, then close the engine. Idempotent.
     */
    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            webServer.stop();
        }
        finally
        {
            engine.close();
        }
    }
}
