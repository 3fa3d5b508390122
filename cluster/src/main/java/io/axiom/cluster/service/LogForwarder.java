package io.axiom.cluster.service;

import java.util.concurrent.TimeUnit;

import io.aeron.Publication;
import io.aeron.cluster.client.AeronCluster;
import io.aeron.cluster.client.EgressListener;
import io.axiom.codecs.ReplyStatus;
import io.axiom.core.CommandRing;
import io.axiom.core.CommandSlot;
import io.axiom.core.Engine;
import io.axiom.core.ReplySink;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableDirectByteBuffer;
import org.agrona.concurrent.Agent;

/**
 * This node's gateway and worker endpoint as a client of the cluster: it takes what their producers put on the
 * engine's ring ({@link Engine#ring()}) and sends every write into the replicated log through the leader (following
 * it when it changes), while reads go straight onto this node's log ring, answered from this node's state.
 * <p>
 * A write's answer comes back on this node, from this node's processor, once the entry is committed (on a majority)
 * and applied here: the {@link Routes} keep the waiting party meanwhile. A write offered to a leader that then failed
 * may be lost with it: its caller gets no answer and times out, and its retry, with the same Idempotency-Key, is safe.
 * <p>
 * Writes drained in one duty cycle travel as one message of the log ({@link LogEnvelope}: a batch of up to
 * {@link #BATCH_BYTES}), so the log's per-message work is shared by all of them.
 * <p>
 * Reads never wait for the cluster: they flow while the log refuses entries and while there is no session at all.
 * Writes the log refuses for now (back-pressure, a leader change under way) are held, in order, up to
 * {@link #HELD_LIMIT} batches; beyond it the forwarder takes nothing more from the ring, so the ring fills and
 * producers see OVERLOADED rather than losing anything. Without a session with the cluster (start-up, a lost session),
 * a write is answered at once with {@code NO_LEADER}: nothing was written, retry. When the leader changes, every write
 * already offered to the old one is answered {@code LEADER_CHANGED}: it may or may not have been committed, and a retry
 * with the same Idempotency-Key tells which without a second effect.
 */
final class LogForwarder implements Agent, CommandRing.SlotHandler
{
    private static final System.Logger LOG = System.getLogger("axiom.cluster");
    private static final long KEEP_ALIVE_NS = TimeUnit.MILLISECONDS.toNanos(500);
    private static final long SWEEP_NS = TimeUnit.SECONDS.toNanos(1);
    private static final int DRAIN_LIMIT = 1024;
    /** Batches of writes held while the log refuses them, at most. */
    static final int HELD_LIMIT = 256;
    /** Bytes of writes packed into one message of the log, at most (a larger command goes alone). */
    static final int BATCH_BYTES = 64 * 1024;

    private final AeronCluster.Context clientContext;
    private final CommandRing ingress;
    private final CommandRing logRing;
    private final Routes routes;
    private final ExpandableDirectByteBuffer out = new ExpandableDirectByteBuffer(64 * 1024);
    private AeronCluster.AsyncConnect connecting;
    private AeronCluster client;
    private final java.util.ArrayDeque<Held> held = new java.util.ArrayDeque<>();
    private int batchLength;
    private long batchMaxToken;
    private long lastSentToken;
    private volatile long leaderChanges;
    private long leaderChangesAnswered;
    private boolean refusing;
    private long lastKeepAliveNs;
    private long lastSweepNs;
    private int drained;
    private volatile boolean connected;
    private volatile int leaderMemberId = -1;
    private volatile long entriesSent;
    private volatile long writesForwarded;

    /**
     * @param clientContext to connect to the cluster's ingress (not concluded).
     * @param ingress       the engine's producers' ring.
     * @param logRing       the engine's processor ring.
     * @param routes        shared with this node's {@link AxiomService}.
     */
    LogForwarder(
        final AeronCluster.Context clientContext,
        final CommandRing ingress,
        final CommandRing logRing,
        final Routes routes)
    {
        this.clientContext = clientContext;
        this.ingress = ingress;
        this.logRing = logRing;
        this.routes = routes;
        clientContext.egressListener(new Leader());
    }

    /**
     * @return true while connected to the cluster (a leader known).
     */
    boolean isConnected()
    {
        return connected;
    }

    /**
     * @return the leader this node's client sends to, or -1.
     */
    int leaderMemberId()
    {
        return leaderMemberId;
    }

    /**
     * @return messages the log took from this member (each a batch of writes).
     */
    long messagesSent()
    {
        return entriesSent;
    }

    /**
     * @return writes packed into those messages, or waiting in a batch.
     */
    long writesForwarded()
    {
        return writesForwarded;
    }

    @Override
    public void onStart()
    {
        connecting = AeronCluster.asyncConnect(clientContext.clone());
    }

    @Override
    public int doWork()
    {
        final long nowNs = System.nanoTime();
        int work = 0;
        if (null == client)
        {
            work += connect();
        }
        else
        {
            work += client.pollEgress();
            if (client.isClosed())
            {
                LOG.log(System.Logger.Level.WARNING, "this node's session with the cluster closed; connecting " +
                    "again (worker connections must say hello again)");
                connected = false;
                client = null;
                answerSent("LEADER_CHANGED", "this member's session with the cluster closed");
                connecting = AeronCluster.asyncConnect(clientContext.clone());
                work++;
            }
            else if (nowNs - lastKeepAliveNs > KEEP_ALIVE_NS)
            {
                lastKeepAliveNs = nowNs;
                client.sendKeepAlive();
            }
        }
        if (leaderChanges != leaderChangesAnswered)
        {
            leaderChangesAnswered = leaderChanges;
            answerSent("LEADER_CHANGED", "the cluster's leader changed while this write was on its way");
        }
        if (nowNs - lastSweepNs > SWEEP_NS)
        {
            lastSweepNs = nowNs;
            routes.sweep(nowNs);
        }
        work += sendHeld();
        if (held.size() < HELD_LIMIT)
        {
            drained = 0;
            work += ingress.drain(this);
            flushBatch();
        }
        return work;
    }

    /**
     * A batch the log refused for now, with the highest token in it.
     */
    private record Held(byte[] bytes, long maxToken)
    {
    }

    /**
     * Offer the writes packed since the last flush as one message, or hold them when the log refuses it.
     */
    private void flushBatch()
    {
        if (0 == batchLength)
        {
            return;
        }
        if (null == client)
        {
            answerUnsent(out, batchLength, "NO_LEADER", "this member lost its session with the cluster");
        }
        else if (held.isEmpty() && send(batchLength))
        {
            lastSentToken = Math.max(lastSentToken, batchMaxToken);
        }
        else
        {
            final byte[] bytes = new byte[batchLength];
            out.getBytes(0, bytes);
            held.addLast(new Held(bytes, batchMaxToken));
        }
        batchLength = 0;
        batchMaxToken = 0;
    }

    /**
     * Offer held batches in order while the log takes them.
     */
    private int sendHeld()
    {
        int sent = 0;
        while (!held.isEmpty() && null != client)
        {
            final Held batch = held.peekFirst();
            out.putBytes(0, batch.bytes());
            if (!send(batch.bytes().length))
            {
                break;
            }
            lastSentToken = Math.max(lastSentToken, batch.maxToken());
            held.pollFirst();
            sent++;
        }
        if (null == client && !held.isEmpty())
        {
            // The session is gone: what was held never reached the log, and will not now.
            while (!held.isEmpty())
            {
                final byte[] bytes = held.pollFirst().bytes();
                out.putBytes(0, bytes);
                answerUnsent(out, bytes.length, "NO_LEADER", "this member lost its session with the cluster");
            }
        }
        return sent;
    }

    private void answerSent(final String code, final String why)
    {
        final int answered = routes.takeSent(lastSentToken, route -> Engine.answerProblem(route.sink(),
            route.replyTo(), 0, ReplyStatus.UNAVAILABLE, code, why + ": the outcome is unknown, the write may or " +
            "may not take effect; retry it with the same Idempotency-Key (on any member) to know without a second " +
            "effect"));
        if (answered > 0)
        {
            LOG.log(System.Logger.Level.INFO, answered + " write(s) in flight answered " + code + " (" + why + ")");
        }
    }

    private void answerUnsent(
        final org.agrona.DirectBuffer batch, final int length, final String code, final String why)
    {
        for (int item = 0; item < length; item += LogEnvelope.ITEM_HEADER + LogEnvelope.commandLength(batch, item))
        {
            final long token = LogEnvelope.token(batch, item);
            final Routes.Route route = 0 == token ? null : routes.take(routes.session(), token);
            if (null != route)
            {
                Engine.answerProblem(route.sink(), route.replyTo(), 0, ReplyStatus.UNAVAILABLE, code, why +
                    ": nothing was written; retry shortly, or on another member");
            }
        }
    }

    private int connect()
    {
        try
        {
            final AeronCluster connected = connecting.poll();
            if (null == connected)
            {
                return 0;
            }
            client = connected;
            connecting = null;
            routes.session(client.clusterSessionId());
            leaderMemberId = client.leaderMemberId();
            this.connected = true;
            LOG.log(System.Logger.Level.INFO, "connected to the cluster: session " + client.clusterSessionId() +
                ", leader member " + client.leaderMemberId());
            return 1;
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cannot connect to the cluster yet: " + ex.getMessage());
            connecting.close();
            connecting = AeronCluster.asyncConnect(clientContext.clone());
            return 0;
        }
    }

    @Override
    public boolean onSlot(final CommandSlot slot)
    {
        final DirectBuffer command = slot.command();
        final int length = slot.length();
        if (!Engine.changesState(command, 0, length))
        {
            forwardLocal(slot, command, length);
            return ++drained < DRAIN_LIMIT;
        }
        final ReplySink sink = slot.sink();
        final Object replyTo = slot.replyToken();
        final boolean workerFrame = Engine.isWorkerFrame(command, 0, length);
        if (null == client)
        {
            if (!workerFrame)
            {
                // No session: nothing can reach the log now. A worker's frame is dropped: it says hello elsewhere.
                Engine.answerProblem(sink, replyTo, 0, ReplyStatus.UNAVAILABLE, "NO_LEADER", "this member has no " +
                    "session with the cluster's leader (starting, an election, or no majority reachable): nothing " +
                    "was written; retry shortly, or on another member");
            }
            return ++drained < DRAIN_LIMIT;
        }
        final int largest = client.ingressPublication().maxMessageLength() - AeronCluster.SESSION_HEADER_LENGTH -
            LogEnvelope.ITEM_HEADER;
        if (length > largest)
        {
            if (!workerFrame)
            {
                Engine.answerProblem(sink, replyTo, 0, ReplyStatus.TOO_LARGE, "TOO_LARGE_FOR_THE_LOG", "a command " +
                    "of " + length + " bytes does not fit one message of the cluster's log (at most " + largest +
                    " bytes with its term length); nothing was written");
            }
            return ++drained < DRAIN_LIMIT;
        }
        final long nowNs = System.nanoTime();
        final long routeKey = workerFrame ? routes.connection(sink, replyTo, nowNs) : 0;
        final long token = workerFrame || null == sink ? 0 : routes.expect(sink, replyTo, nowNs);
        if (workerFrame && Engine.isWorkerGoodbye(command, 0, length))
        {
            routes.forget(replyTo);
        }
        final int itemLength = LogEnvelope.ITEM_HEADER + length;
        if (batchLength > 0 && batchLength + itemLength > BATCH_BYTES)
        {
            flushBatch();
            if (held.size() >= HELD_LIMIT)
            {
                batchLength += LogEnvelope.putItem(out, 0, token, routeKey, command, length);
                batchMaxToken = token;
                writesForwarded++;
                return false; // the log refuses for now: this item waits in the batch, the ring fills behind it
            }
        }
        batchLength += LogEnvelope.putItem(out, batchLength, token, routeKey, command, length);
        batchMaxToken = Math.max(batchMaxToken, token);
        writesForwarded++;
        return ++drained < DRAIN_LIMIT;
    }

    private boolean send(final int length)
    {
        final long result = client.offer(out, 0, length);
        if (result > 0)
        {
            entriesSent++;
            refusing = false;
            return true;
        }
        if (!refusing)
        {
            // Once per spell of refusals: around a leader change they come by the thousand.
            refusing = true;
            LOG.log(System.Logger.Level.INFO, "the cluster's ingress refuses entries for now (" +
                Publication.errorString(result) + "); holding writes, reads go on");
        }
        return false;
    }

    /**
     * A read: straight onto this node's log ring, answered from this node's state.
     */
    private void forwardLocal(final CommandSlot from, final DirectBuffer command, final int length)
    {
        long sequence;
        while ((sequence = logRing.tryNext()) == CommandRing.FULL)
        {
            java.util.concurrent.locks.LockSupport.parkNanos(1_000);
        }
        final CommandSlot slot = logRing.slot(sequence);
        if (length <= slot.capacity())
        {
            slot.buffer().putBytes(0, command, 0, length);
            slot.length(length);
        }
        else
        {
            slot.overflow(command, length); // carried by reference: the producer gave it up with its slot
        }
        slot.replyTo(from.sink(), from.replyToken());
        logRing.publish(sequence);
    }

    @Override
    public void onClose()
    {
        if (null != connecting)
        {
            connecting.close();
        }
        if (null != client)
        {
            client.close();
        }
        connected = false;
    }

    @Override
    public String roleName()
    {
        return "axiom-log-forwarder";
    }

    /**
     * The cluster's egress: nothing comes back on it but leader changes (answers come from this node's processor).
     */
    private final class Leader implements EgressListener
    {
        @Override
        public void onMessage(
            final long clusterSessionId,
            final long timestamp,
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final io.aeron.logbuffer.Header header)
        {
        }

        @Override
        public void onNewLeader(
            final long clusterSessionId,
            final long leadershipTermId,
            final int leaderMemberId,
            final String ingressEndpoints)
        {
            LogForwarder.this.leaderMemberId = leaderMemberId;
            leaderChanges++;
            LOG.log(System.Logger.Level.INFO, "the cluster's leader is now member " + leaderMemberId + " (term " +
                leadershipTermId + ")");
        }
    }
}
