package io.axiom.gateway;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.helidon.webserver.WebServer;
import io.helidon.webserver.websocket.WsRouting;

import io.axiom.core.Engine;
import io.axiom.core.EngineContext;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.http.Gateway;
import io.axiom.gateway.http.GatewayModule;
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
    private final List<GatewayModule> modules;
    private boolean closed;

    private AxiomServer(
        final AxiomConfig config, final Engine engine, final WebServer webServer, final List<GatewayModule> modules)
    {
        this.config = config;
        this.engine = engine;
        this.webServer = webServer;
        this.modules = modules;
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
        final List<GatewayModule> modules = new ArrayList<>();
        try
        {
            final GatewaySettings settings = gatewaySettings(config);
            final Gateway gateway = new Gateway(engine, settings);
            modules.addAll(modules(engine, config, settings));
            final WsRouting.Builder wsRouting = WsRouting.builder();
            modules.forEach(m -> m.websocket(wsRouting));
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
                .routing(routing ->
                {
                    modules.forEach(m -> m.filters(routing));
                    gateway.routes(routing);
                    modules.forEach(m -> m.routes(routing));
                    gateway.fallbacks(routing);
                })
                .addRouting(wsRouting)
                .build()
                .start();
            return new AxiomServer(config, engine, webServer, modules);
        }
        catch (final RuntimeException ex)
        {
            modules.forEach(GatewayModule::close);
            engine.close();
            throw ex;
        }
    }

    /**
     * The one place where the gateway's capabilities are listed, in the order their filters run.
     *
     * @param engine   the engine to serve.
     * @param config   effective configuration.
     * @param settings the gateway's limits.
     * @return the modules.
     */
    static List<GatewayModule> modules(final Engine engine, final AxiomConfig config, final GatewaySettings settings)
    {
        final List<GatewayModule> modules = new ArrayList<>();
        final io.axiom.gateway.metrics.MetricsModule metrics = new io.axiom.gateway.metrics.MetricsModule(engine);
        modules.add(new io.axiom.gateway.auth.AuthModule(config, metrics.http()));
        modules.add(metrics);
        modules.add(new io.axiom.gateway.openapi.OpenApiModule());
        modules.add(io.axiom.gateway.graphql.GraphQlModule.of(engine, config, settings));
        modules.add(new io.axiom.gateway.graphiql.GraphiQlModule());
        return modules;
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
            modules.forEach(GatewayModule::close);
        }
        finally
        {
            engine.close();
        }
    }
}
