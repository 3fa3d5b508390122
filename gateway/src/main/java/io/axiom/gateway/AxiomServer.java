package io.axiom.gateway;


import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import io.helidon.http.DirectHandler;
import io.helidon.webserver.http.DirectHandlers;
import io.helidon.webserver.websocket.WsRouting;

import io.axiom.cluster.node.ClusterMembers;
import io.axiom.cluster.node.ClusterNode;
import io.axiom.cluster.service.ReplicatedEngine;
import io.axiom.core.Engine;
import io.axiom.core.EngineContext;
import io.axiom.gateway.config.AxiomConfig;
import io.axiom.gateway.http.Gateway;
import io.axiom.gateway.http.GatewayModule;
import io.axiom.gateway.http.GatewaySettings;
import io.axiom.gateway.http.RequestLog;
import io.axiom.gateway.listener.HttpListener;
import io.axiom.gateway.chaos.ChaosFaults;
import io.axiom.gateway.chaos.ChaosModule;
import io.axiom.gateway.chaos.ChaosRunner;
import io.axiom.gateway.transport.WorkerTransport;

/**
 * One running Axiom server: the engine (recovering or ready), the worker transport over Aeron (unless
 * {@code transport.enabled} is false) and the HTTP gateway in front of it. Closing stops the gateway first, then the
 * worker transport (its endpoint, then its media driver), so that nothing reaches a closing engine, then the engine.
 */
public final class AxiomServer implements AutoCloseable
{
    private final AxiomConfig config;
    private final Engine engine;
    private final HttpListener listener;
    private final List<GatewayModule> modules;
    private final WorkerTransport transport;
    private final ChaosRunner chaos;
    private final ReplicatedEngine replicated;
    private boolean closed;

    private AxiomServer(
        final AxiomConfig config,
        final Engine engine,
        final HttpListener listener,
        final List<GatewayModule> modules,
        final WorkerTransport transport,
        final ChaosRunner chaos,
        final ReplicatedEngine replicated)
    {
        this.replicated = replicated;
        this.config = config;
        this.engine = engine;
        this.listener = listener;
        this.modules = modules;
        this.transport = transport;
        this.chaos = chaos;
    }

    /**
     * @return the chaos runner (refusing every run unless chaos is enabled).
     */
    public ChaosRunner chaos()
    {
        return chaos;
    }

    /**
     * Launch the engine (recovery runs in the background) and start serving HTTP at once; {@code /ready} tells when
     * recovery has finished.
     *
     * @param config effective configuration.
     * @param repair truncate the journal at mid-log corruption instead of refusing to start.
     * @return the running server.
     * @throws StartupException when the data directory cannot be used or the address cannot be bound.
     */
    public static AxiomServer start(final AxiomConfig config, final boolean repair)
    {
        return start(config, repair, false);
    }

    /**
     * Launch the engine (recovery runs in the background) and start serving HTTP at once; {@code /ready} tells when
     * recovery has finished.
     *
     * @param config  effective configuration.
     * @param repair  truncate the journal at mid-log corruption instead of refusing to start.
     * @param debug   let Helidon's own reports of listener failures through to the log.
     * @return the running server.
     * @throws StartupException when the data directory cannot be used, or the address or the worker ingress cannot
     *                          be bound.
     */
    public static AxiomServer start(final AxiomConfig config, final boolean repair, final boolean debug)
    {
        DataDirectory.check(config.dataDir());
        final ChaosFaults chaosFaults = config.chaosEnabled() ? new ChaosFaults() : null;
        final EngineContext engineContext = engineContext(config, repair);
        if (null != chaosFaults)
        {
            engineContext.journalFaults(chaosFaults).dutyCycleFaults(chaosFaults::onDutyCycle);
        }
        final ReplicatedEngine replicated = config.clusterEnabled() ? launchReplicated(config, engineContext) : null;
        final Engine engine = null == replicated ? Engine.launch(engineContext) : replicated.engine();
        final List<GatewayModule> modules = new ArrayList<>();
        WorkerTransport transport = null;
        try
        {
            transport = WorkerTransport.start(engine, config, chaosFaults);
            final GatewaySettings settings = gatewaySettings(config);
            final Gateway gateway = new Gateway(engine, settings);
            final ChaosRunner chaos = ChaosRunner.of(engine, chaosFaults);
            modules.addAll(modules(engine, config, settings, chaos, replicated));
            for (final GatewayModule module : modules)
            {
                if (module instanceof io.axiom.gateway.cluster.ClusterModule cluster)
                {
                    attachCluster(cluster, replicated, gateway, modules);
                }
            }
            final HttpListener listener = HttpListener.start(config, builder ->
            {
                final WsRouting.Builder wsRouting = WsRouting.builder();
                modules.forEach(m -> m.websocket(wsRouting));
                builder
                    .maxPayloadSize(settings.drainLimit())
                    .directHandlers(handlers -> directHandlers(handlers, gateway))
                    .routing(routing ->
                    {
                        routing.addFilter(RequestLog::filter);
                        modules.forEach(m -> m.filters(routing));
                        gateway.routes(routing);
                        modules.forEach(m -> m.routes(routing));
                        gateway.fallbacks(routing);
                    })
                    .addRouting(wsRouting);
            }, debug);
            gateway.accepting(listener::isAccepting);
            chaos.attach(transport, listener);
            return new AxiomServer(config, engine, listener, modules, transport, chaos, replicated);
        }
        catch (final RuntimeException ex)
        {
            modules.forEach(GatewayModule::close);
            if (null != transport)
            {
                transport.close();
            }
            if (null != replicated)
            {
                replicated.close();
            }
            engine.close();
            throw ex;
        }
    }

    /**
     * Let {@code /ready}, the metrics and GraphQL report this server's part in a cluster.
     */
    private static void attachCluster(
        final io.axiom.gateway.cluster.ClusterModule cluster,
        final ReplicatedEngine replicated,
        final Gateway gateway,
        final List<GatewayModule> modules)
    {
        for (final GatewayModule module : modules)
        {
            if (module instanceof io.axiom.gateway.graphql.GraphQlModule graphQl)
            {
                graphQl.cluster(cluster);
            }
            else if (module instanceof io.axiom.gateway.metrics.MetricsModule metrics && null != replicated)
            {
                metrics.add(cluster.metrics());
            }
        }
        if (null != replicated)
        {
            gateway.membership(cluster.membership());
        }
    }

    /**
     * Start this server as a member of a replicated cluster: the cluster node, and the engine hosted on its log.
     */
    private static ReplicatedEngine launchReplicated(final AxiomConfig config, final EngineContext engineContext)
    {
        final ClusterMembers members;
        try
        {
            members = ClusterMembers.parse(config.clusterMembers());
            if (!members.contains(config.clusterMemberId()))
            {
                throw new IllegalArgumentException("cluster.member-id " + config.clusterMemberId() + " is not one " +
                    "of cluster.members (" + config.clusterMembers() + ")");
            }
        }
        catch (final IllegalArgumentException ex)
        {
            throw new StartupException(2, "cannot run as a cluster member: " + ex.getMessage(), ex);
        }
        try
        {
            return ReplicatedEngine.launch(new ClusterNode.Context()
                .memberId(config.clusterMemberId())
                .members(members)
                .nodeDir(config.clusterDir().toFile())
                .forceArchive(config.clusterForceArchive()),
                hosted -> engineContext, config.clusterTickMs(), Duration.ofSeconds(60));
        }
        catch (final RuntimeException ex)
        {
            throw new StartupException(1, "cannot start cluster member " + config.clusterMemberId() + ": " +
                ex.getMessage(), ex);
        }
    }

    /**
     * @return this server's part in a replicated cluster, or null on a single node.
     */
    public ReplicatedEngine replicated()
    {
        return replicated;
    }

    private static void directHandlers(final DirectHandlers.Builder handlers, final Gateway gateway)
    {
        for (final DirectHandler.EventType type : List.of(
            DirectHandler.EventType.BAD_REQUEST,
            DirectHandler.EventType.PAYLOAD_TOO_LARGE,
            DirectHandler.EventType.FORBIDDEN,
            DirectHandler.EventType.INTERNAL_ERROR,
            DirectHandler.EventType.OTHER,
            DirectHandler.EventType.HTTP_VERSION_NOT_SUPPORTED))
        {
            handlers.addHandler(type, gateway.directHandler());
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
        return modules(engine, config, settings, ChaosRunner.of(engine, null), null);
    }

    /**
     * @param engine     the engine to serve.
     * @param config     effective configuration.
     * @param settings   the gateway's limits.
     * @param chaos      the chaos runner (refusing every run unless chaos is enabled).
     * @param replicated this server's part in a cluster, or null on a single node.
     * @return the modules.
     */
    static List<GatewayModule> modules(
        final Engine engine,
        final AxiomConfig config,
        final GatewaySettings settings,
        final ChaosRunner chaos,
        final ReplicatedEngine replicated)
    {
        final List<GatewayModule> modules = new ArrayList<>();
        final io.axiom.gateway.metrics.MetricsModule metrics = new io.axiom.gateway.metrics.MetricsModule(engine);
        modules.add(new io.axiom.gateway.auth.AuthModule(config, metrics.http()));
        modules.add(metrics);
        modules.add(new io.axiom.gateway.openapi.OpenApiModule());
        modules.add(io.axiom.gateway.graphql.GraphQlModule.of(engine, config, settings, chaos));
        modules.add(new ChaosModule(chaos, settings));
        modules.add(new io.axiom.gateway.graphiql.GraphiQlModule());
        modules.add(new io.axiom.gateway.console.ConsoleModule());
        modules.add(new io.axiom.gateway.http.VerifyModule(engine, settings));
        modules.add(new io.axiom.gateway.http.SnapshotModule(engine, settings));
        modules.add(new io.axiom.gateway.cluster.ClusterModule(replicated, settings));
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
            .snapshotIntervalBytes(config.snapshotIntervalBytes())
            .snapshotIntervalMs(config.snapshotIntervalMs())
            .snapshotRetain(config.snapshotRetain())
            .inMemoryRetentionMs(config.inMemoryRetentionMs())
            .historyRetentionMs(config.historyRetentionMs())
            .archiveRetired(config.archiveRetired())
            .archiveDir(config.archiveDir())
            .repair(repair)
            .ringSize(config.ringSize())
            .maxSteps(config.maxSteps())
            .maxNameLength(config.maxNameLength())
            .maxInputBytes(config.maxBodyBytes())
            .maxReplyBytes(config.maxReplyBytes())
            .maxBatchReplyBytes(config.maxBatchReplyBytes())
            .searchBudget(config.searchBudget())
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
        return listener.port();
    }

    /**
     * @return the HTTP listener (connection limits, open connections, restarts).
     */
    public HttpListener listener()
    {
        return listener;
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
     * @return the worker transport over Aeron, or null when {@code transport.enabled} is false.
     */
    public WorkerTransport transport()
    {
        return transport;
    }

    /**
     * @return the configuration the server runs with.
     */
    public AxiomConfig config()
    {
        return config;
    }

    /**
     * Stop serving, then close the worker transport (endpoint, then media driver), then the engine. Idempotent.
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
            listener.close();
            modules.forEach(GatewayModule::close);
        }
        finally
        {
            try
            {
                if (null != transport)
                {
                    transport.close();
                }
            }
            finally
            {
                try
                {
                    if (null != replicated)
                    {
                        replicated.close(); // no more entries reach the engine
                    }
                }
                finally
                {
                    engine.close();
                }
            }
        }
    }
}
