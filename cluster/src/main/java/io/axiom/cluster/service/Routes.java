package io.axiom.cluster.service;

import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.axiom.core.HostedLog;
import io.axiom.core.ReplySink;
import io.axiom.core.RouteResolver;

/**
 * Where the answer to a command that went through the replicated log goes on this node.
 * <p>
 * Every node applies every entry of the log; only the node whose gateway sent an entry has someone waiting for its
 * answer. The {@link LogForwarder} records, before it offers a write to the log, the waiting party under a token it
 * puts into the entry ({@link #expect}); the {@link AxiomService} takes it back when the entry comes out of the log
 * ({@link #take}) and hands the processor that party. Entries sent by other nodes' gateways are answered into
 * {@link #DISCARD}: the processor writes the same events everywhere, the answer matters only where someone waits.
 * <p>
 * A worker connection gets a route key, cluster-wide: the sending gateway's cluster session id in the high bits, a
 * number of this node's connections in the low {@link HostedLog#ROUTE_CONNECTION_BITS}. The dealer knows workers by
 * it on every node; the node holding the connection resolves it to the connection, the others to a stand-in
 * ({@link #worker}).
 * <p>
 * Thread safety: {@link #expect} and {@link #connection} run on the forwarder's thread, {@link #take} and
 * {@link #worker} on the service's; the maps between them are concurrent.
 */
final class Routes implements RouteResolver
{
    /** Where answers nobody waits for on this node go. */
    static final ReplySink DISCARD = (replyTo, buffer, offset, length) -> {};
    /** A waiting party whose entry was not answered within this long is forgotten (its caller timed out). */
    static final long FORGET_AFTER_NS = 120_000_000_000L;

    private final ConcurrentHashMap<Long, Route> pending = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, WorkerRoute> workers = new ConcurrentHashMap<>();
    private final IdentityHashMap<Object, Long> connectionKeys = new IdentityHashMap<>();
    private final org.agrona.collections.Long2ObjectHashMap<Object> standIns =
        new org.agrona.collections.Long2ObjectHashMap<>();
    private volatile long sessionId = -1;
    private long nextToken;
    private int nextConnection;

    /**
     * A party waiting on this node.
     *
     * @param sink    the producer's sink.
     * @param replyTo the producer's token for it.
     * @param atNs    when it started waiting.
     */
    record Route(ReplySink sink, Object replyTo, long atNs)
    {
    }

    /**
     * A worker connection this node holds, under one route key: the dealer's identity for that key here, as a
     * {@link StandIn} is on the other nodes. One object per key, never per connection: a connection that comes back
     * under a new key (after a goodbye, or when this node's session with the cluster was replaced) is a new worker
     * for the dealer on every node alike, never the old one here and a new one elsewhere.
     */
    static final class WorkerRoute
    {
        final long routeKey;
        final ReplySink sink;
        final Object replyTo;

        WorkerRoute(final long routeKey, final ReplySink sink, final Object replyTo)
        {
            this.routeKey = routeKey;
            this.sink = sink;
            this.replyTo = replyTo;
        }
    }

    /** Delivers to the connection behind a {@link WorkerRoute}, with the token its producer gave. */
    static final ReplySink ROUTED = (replyTo, buffer, offset, length) ->
    {
        final WorkerRoute route = (WorkerRoute)replyTo;
        route.sink.onReply(route.replyTo, buffer, offset, length);
    };

    /**
     * @param sessionId this node's gateway's cluster session, now that it is connected (a new one after a
     *                  reconnect: connections of the old session are forgotten, their workers must say hello again).
     */
    void session(final long sessionId)
    {
        if (this.sessionId != sessionId)
        {
            connectionKeys.clear();
            nextConnection = 0;
        }
        this.sessionId = sessionId;
    }

    long session()
    {
        return sessionId;
    }

    /**
     * @return a token for an entry whose answer {@code sink} waits for.
     */
    long expect(final ReplySink sink, final Object replyTo, final long nowNs)
    {
        final long token = ++nextToken;
        pending.put(token, new Route(sink, replyTo, nowNs));
        return token;
    }

    /**
     * @return the route key of a worker connection (a new one on its first frame).
     */
    long connection(final ReplySink sink, final Object replyTo, final long nowNs)
    {
        final Long known = connectionKeys.get(replyTo);
        if (null != known)
        {
            return known;
        }
        final long key = (sessionId << HostedLog.ROUTE_CONNECTION_BITS) | (++nextConnection);
        connectionKeys.put(replyTo, key);
        workers.put(key, new WorkerRoute(key, sink, replyTo));
        return key;
    }

    /**
     * A worker connection said goodbye (forwarder thread): its next frame, if any, gets a new key.
     */
    void forget(final Object replyTo)
    {
        connectionKeys.remove(replyTo);
    }

    /**
     * @return the party waiting for the entry with this token from this node's session, or null.
     */
    Route take(final long clusterSessionId, final long token)
    {
        return clusterSessionId == sessionId && 0 != token ? pending.remove(token) : null;
    }

    /**
     * @return where a worker connection's answers go on this node: nowhere unless it holds the connection.
     */
    @Override
    public ReplySink sink(final long routeKey)
    {
        return workers.containsKey(routeKey) ? ROUTED : DISCARD;
    }

    /**
     * @return the dealer's identity for the key on this node: its {@link WorkerRoute} when this node holds the
     * connection, else its stand-in.
     */
    @Override
    public Object replyTo(final long routeKey)
    {
        final WorkerRoute local = workers.get(routeKey);
        return null == local ? standIn(routeKey) : local;
    }

    /**
     * @return the stand-in for a worker connection another node holds: the same object for the same key.
     */
    synchronized Object standIn(final long routeKey)
    {
        Object standIn = standIns.get(routeKey);
        if (null == standIn)
        {
            standIn = new StandIn(routeKey);
            standIns.put(routeKey, standIn);
        }
        return standIn;
    }

    /**
     * A cluster session closed (service thread): its workers' routes are gone.
     */
    synchronized void sessionClosed(final long clusterSessionId)
    {
        standIns.keySet().removeIf(key -> key >>> HostedLog.ROUTE_CONNECTION_BITS == clusterSessionId);
        workers.keySet().removeIf(key -> key >>> HostedLog.ROUTE_CONNECTION_BITS == clusterSessionId);
    }

    /**
     * Forget waiting parties older than {@link #FORGET_AFTER_NS}: their callers timed out long ago.
     */
    int sweep(final long nowNs)
    {
        int swept = 0;
        for (final Iterator<Map.Entry<Long, Route>> it = pending.entrySet().iterator(); it.hasNext(); )
        {
            if (nowNs - it.next().getValue().atNs() > FORGET_AFTER_NS)
            {
                it.remove();
                swept++;
            }
        }
        return swept;
    }

    /**
     * Take every waiting party whose entry was sent (token up to {@code lastSent}), for the forwarder to answer: the
     * leader they went to is gone, and with it, maybe, their entries. One the service takes first is answered by the
     * processor instead; either way exactly once.
     *
     * @param lastSent the last token offered to the log.
     * @param answer   called with each party taken.
     * @return how many were taken.
     */
    int takeSent(final long lastSent, final java.util.function.Consumer<Route> answer)
    {
        int taken = 0;
        for (final Long token : pending.keySet())
        {
            if (token <= lastSent)
            {
                final Route route = pending.remove(token);
                if (null != route)
                {
                    answer.accept(route);
                    taken++;
                }
            }
        }
        return taken;
    }

    int pendingCount()
    {
        return pending.size();
    }

    /**
     * A worker connection another node holds, as the dealer sees it here.
     *
     * @param routeKey its key.
     */
    record StandIn(long routeKey)
    {
    }
}
