package io.axiom.cluster.service;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.service.Cluster;
import io.axiom.cluster.node.ClusterNode;
import io.axiom.core.Engine;
import io.axiom.core.EngineContext;
import io.axiom.core.HostedLog;
import org.agrona.CloseHelper;
import org.agrona.concurrent.AgentRunner;
import org.agrona.concurrent.BackoffIdleStrategy;

/**
 * One node of a replicated Axiom: the cluster node (media driver, archive, consensus module, service container)
 * hosting the engine in an {@link AxiomService}, and the {@link LogForwarder} through which this node's gateway and
 * worker endpoint write into the replicated log. The gateway and the endpoint use {@link #engine()} as on a single
 * node: its {@link Engine#ring()} is the way in, its client answers once the entry is committed and applied here.
 * <p>
 * Closing stops the forwarder, then the node (no more entries reach the engine); the engine is closed by its owner
 * after that.
 */
public final class ReplicatedEngine implements AutoCloseable
{
    /** How often the log ticks (timers fire, ended workflows retire) by default, in the log's milliseconds. */
    public static final long TICK_MS_DEFAULT = 20;

    private final ClusterNode node;
    private final AxiomService service;
    private final LogForwarder forwarder;
    private final AgentRunner forwarderRunner;
    private final Engine engine;

    private ReplicatedEngine(
        final ClusterNode node,
        final AxiomService service,
        final LogForwarder forwarder,
        final AgentRunner forwarderRunner,
        final Engine engine)
    {
        this.node = node;
        this.service = service;
        this.forwarder = forwarder;
        this.forwarderRunner = forwarderRunner;
        this.engine = engine;
    }

    /**
     * Launch the node and, once its service starts, the engine on it.
     *
     * @param nodeContext    the node (its members, directory, timeouts); its clustered service is set here.
     * @param engineContexts the engine's context for the log's start (not concluded): the host sets
     *                       {@link EngineContext#hostedLog}.
     * @param tickMs         the log's tick.
     * @param startTimeout   how long the service may take to start the engine.
     * @return the running node.
     */
    public static ReplicatedEngine launch(
        final ClusterNode.Context nodeContext,
        final Function<HostedLog, EngineContext> engineContexts,
        final long tickMs,
        final Duration startTimeout)
    {
        final Routes routes = new Routes();
        final AxiomService service = new AxiomService(nodeContext.memberId(),
            hosted -> Engine.launch(engineContexts.apply(hosted).hostedLog(hosted)), routes, tickMs);
        final ClusterNode node = ClusterNode.launch(nodeContext.clusteredService(service));
        try
        {
            final long deadlineNs = System.nanoTime() + startTimeout.toNanos();
            Engine engine;
            while (null == (engine = service.engine()))
            {
                if (System.nanoTime() - deadlineNs > 0)
                {
                    throw new IllegalStateException("member " + node.memberId() + ": the clustered service did " +
                        "not start the engine within " + startTimeout.toMillis() + " ms");
                }
                java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            }
            final AeronCluster.Context client = new AeronCluster.Context()
                .aeronDirectoryName(node.aeronDirectoryName())
                .ingressChannel(ClusterNode.INGRESS_CHANNEL)
                .ingressEndpoints(nodeContext.members().ingressEndpoints())
                .egressChannel("aeron:udp?endpoint=" + nodeContext.members().member(node.memberId()).host() +
                    ":0")
                // Aeron's default handler exits the JVM when the client's driver (this node's) goes away first
                .errorHandler(ex -> System.getLogger("axiom.cluster").log(System.Logger.Level.ERROR,
                    "member " + node.memberId() + ": the log forwarder's cluster client: " + ex, ex));
            final LogForwarder forwarder = new LogForwarder(client, engine.ring(), engine.logRing(), routes);
            final AgentRunner runner = new AgentRunner(
                new BackoffIdleStrategy(100, 10, TimeUnit.MICROSECONDS.toNanos(1), TimeUnit.MILLISECONDS.toNanos(1)),
                ex -> System.getLogger("axiom.cluster").log(System.Logger.Level.ERROR, "log forwarder: " + ex, ex),
                null, forwarder);
            AgentRunner.startOnThread(runner);
            return new ReplicatedEngine(node, service, forwarder, runner, engine);
        }
        catch (final RuntimeException ex)
        {
            CloseHelper.quietClose(node);
            final Engine engine = service.engine();
            if (null != engine)
            {
                engine.close();
            }
            throw ex;
        }
    }

    /**
     * @return the engine hosted on this node.
     */
    public Engine engine()
    {
        return engine;
    }

    /**
     * @return the cluster node.
     */
    public ClusterNode node()
    {
        return node;
    }

    /**
     * @return this node's role, as its service was last told.
     */
    public Cluster.Role role()
    {
        return service.role();
    }

    /**
     * @return true while this node's gateway is connected to the cluster (a leader known to it).
     */
    public boolean connected()
    {
        return forwarder.isConnected();
    }

    /**
     * @return the leader member this node's gateway sends to, or -1.
     */
    public int leaderMemberId()
    {
        return forwarder.leaderMemberId();
    }

    /**
     * @return messages this member's forwarder had the log take (each a batch of writes).
     */
    public long logMessagesSent()
    {
        return forwarder.messagesSent();
    }

    /**
     * @return writes this member's forwarder sent into the log.
     */
    public long writesForwarded()
    {
        return forwarder.writesForwarded();
    }

    @Override
    public void close()
    {
        CloseHelper.quietClose(forwarderRunner);
        CloseHelper.quietClose(node);
    }
}
