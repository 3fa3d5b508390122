package io.axiom.cluster.service;

import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import io.aeron.ExclusivePublication;
import io.aeron.Image;
import io.aeron.cluster.codecs.CloseReason;
import io.aeron.cluster.service.ClientSession;
import io.aeron.cluster.service.Cluster;
import io.aeron.cluster.service.ClusteredService;
import io.aeron.logbuffer.Header;
import io.axiom.core.CommandRing;
import io.axiom.core.CommandSlot;
import io.axiom.core.Engine;
import io.axiom.core.HostedLog;
import io.axiom.core.ReplySink;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.concurrent.AgentTerminationException;
import org.agrona.concurrent.IdleStrategy;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * Axiom's processor as an Aeron Cluster {@link ClusteredService}: every entry of the replicated log goes, in log
 * order and with the log's timestamp, onto the engine's log ring ({@link Engine#logRing()}), where the same processor
 * as on a single node applies it ({@link HostedLog} says what changes when it is hosted).
 * <p>
 * <b>Entries.</b> A session message is a batch of {@link LogEnvelope} items, each an entry: the token under which
 * the sending member's gateway waits for the answer, the route key of a worker connection, the command. A cluster
 * timer is the log's tick: timers fire and ended workflows retire at its timestamp, and it schedules the next one. A
 * closed session takes its workers with it.
 * <p>
 * <b>Snapshots.</b> {@link #onTakeSnapshot} asks the processor for its whole state at this point of the log (the
 * processor forces its journal first) and writes it into the cluster's snapshot; {@link #onStart} hands the
 * snapshot's state to the engine it launches, whose journal is cut back to where that state ends.
 * <p>
 * <b>Thread.</b> Everything here runs on the service container's thread. It never does I/O: the processor's thread
 * does. It blocks only when the log ring is full (back-pressure on the log, which the cluster handles) and while a
 * snapshot is taken.
 */
public final class AxiomService implements ClusteredService
{
    /** The correlation id of the log's tick timer: one timer, rescheduled by each tick. */
    static final long TICK_TIMER_ID = 1;
    private static final System.Logger LOG = System.getLogger("axiom.cluster");
    private static final long SNAPSHOT_WAIT_NS = TimeUnit.MINUTES.toNanos(10);

    private final Function<HostedLog, Engine> launcher;
    private final Routes routes;
    private final long tickMs;
    private final int memberId;
    private final ExpandableArrayBuffer snapshotIn = new ExpandableArrayBuffer(1024);
    private volatile Engine engine;
    private volatile Cluster.Role role = Cluster.Role.FOLLOWER;
    private Cluster cluster;
    private CommandRing logRing;
    private IdleStrategy idle;

    /**
     * @param memberId this member's id, for the log.
     * @param launcher launches the engine hosted on this log, with the state of the snapshot the node starts from.
     * @param routes   shared with this node's {@link LogForwarder}.
     * @param tickMs   the log's tick: how often timers are looked at, in the log's time.
     */
    AxiomService(
        final int memberId, final Function<HostedLog, Engine> launcher, final Routes routes, final long tickMs)
    {
        this.memberId = memberId;
        this.launcher = launcher;
        this.routes = routes;
        this.tickMs = tickMs;
    }

    /**
     * @return the engine once {@link #onStart} launched it, else null.
     */
    Engine engine()
    {
        return engine;
    }

    /**
     * @return this node's role in the cluster, as last told.
     */
    Cluster.Role role()
    {
        return role;
    }

    @Override
    public void onStart(final Cluster cluster, final Image snapshotImage)
    {
        this.cluster = cluster;
        this.idle = cluster.idleStrategy();
        final int snapshotLength = null == snapshotImage ? 0 : readSnapshot(snapshotImage);
        final HostedLog hosted = new HostedLog(
            null == snapshotImage ? null : new UnsafeBuffer(snapshotIn.byteArray()), snapshotLength, routes);
        final Engine engine = launcher.apply(hosted);
        this.logRing = engine.logRing();
        this.engine = engine;
        while (!engine.isReady())
        {
            if (null != engine.failure() || engine.isClosed())
            {
                throw new IllegalStateException("the engine did not start on the replicated log: " +
                    engine.failure(), engine.failure());
            }
            idle.idle();
        }
        idle.reset();
        LOG.log(System.Logger.Level.INFO, "member " + memberId + ": the processor is hosted on the cluster's log" +
            (null == snapshotImage ? " (no snapshot: the log is replayed from its start)" :
            " from a snapshot of " + snapshotLength + " bytes"));
    }

    @Override
    public void onSessionOpen(final ClientSession session, final long timestamp)
    {
        // The tick starts with the first session (no write can come before one; timers may not be scheduled from
        // onStart). Scheduling the same timer again only moves it, the same way on every node: it is a log event.
        scheduleTick(timestamp + tickMs);
    }

    @Override
    public void onSessionClose(final ClientSession session, final long timestamp, final CloseReason closeReason)
    {
        final long slotSequence = claim();
        logRing.slot(slotSequence).length(0).replyTo(Routes.DISCARD, null)
            .logged(CommandSlot.SESSION_CLOSED, timestamp, session.id());
        logRing.publish(slotSequence);
        routes.sessionClosed(session.id());
    }

    @Override
    public void onSessionMessage(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final Header header)
    {
        final int end = offset + length;
        int item = offset;
        while (item < end)
        {
            final int commandLength = end - item >= LogEnvelope.ITEM_HEADER ?
                LogEnvelope.commandLength(buffer, item) : -1;
            if (commandLength < 0 || commandLength > end - item - LogEnvelope.ITEM_HEADER)
            {
                // Every member skips the same rest of the same message: a wiring fault, never a client's input.
                LOG.log(System.Logger.Level.WARNING, "ignored the rest of a log message of " + length + " bytes " +
                    "from session " + session.id() + " at byte " + (item - offset) + ": not a whole item");
                return;
            }
            entry(session, timestamp, buffer, item, commandLength);
            item += LogEnvelope.ITEM_HEADER + commandLength;
        }
    }

    private void entry(
        final ClientSession session,
        final long timestamp,
        final DirectBuffer buffer,
        final int item,
        final int commandLength)
    {
        final long token = LogEnvelope.token(buffer, item);
        final long routeKey = LogEnvelope.routeKey(buffer, item);
        final int commandOffset = item + LogEnvelope.ITEM_HEADER;
        final ReplySink sink;
        final Object replyTo;
        if (0 != routeKey)
        {
            sink = routes.sink(routeKey);
            replyTo = routes.replyTo(routeKey);
        }
        else
        {
            final Routes.Route waiting = routes.take(session.id(), token);
            sink = null == waiting ? Routes.DISCARD : waiting.sink();
            replyTo = null == waiting ? null : waiting.replyTo();
        }
        final long sequence = claim();
        logRing.slot(sequence).copyOf(buffer, commandOffset, commandLength).replyTo(sink, replyTo)
            .logged(CommandSlot.LOGGED, timestamp, routeKey);
        logRing.publish(sequence);
    }

    @Override
    public void onTimerEvent(final long correlationId, final long timestamp)
    {
        if (TICK_TIMER_ID != correlationId)
        {
            return;
        }
        final long sequence = claim();
        logRing.slot(sequence).length(0).replyTo(Routes.DISCARD, null).logged(CommandSlot.TICK, timestamp, 0);
        logRing.publish(sequence);
        scheduleTick(timestamp + tickMs);
    }

    /**
     * Schedule the log's next tick, whatever it takes: a request the consensus module's back-pressure refused would
     * end the tick for good on this member (no timer would fire here again, and after a failover nowhere).
     */
    private void scheduleTick(final long deadline)
    {
        int refused = 0;
        while (!cluster.scheduleTimer(TICK_TIMER_ID, deadline))
        {
            refused++;
            checkEngine();
            idle.idle();
        }
        idle.reset();
        if (refused > 0)
        {
            LOG.log(System.Logger.Level.INFO, "member " + memberId + ": the consensus module took the next tick " +
                "after refusing it " + refused + " time(s) (back-pressure)");
        }
    }

    @Override
    public void onTakeSnapshot(final ExclusivePublication snapshotPublication)
    {
        final SnapshotAnswer answer = new SnapshotAnswer();
        final long sequence = claim();
        logRing.slot(sequence).length(0).replyTo(answer, null).logged(CommandSlot.SNAPSHOT, cluster.time(), 0);
        logRing.publish(sequence);
        final long deadlineNs = System.nanoTime() + SNAPSHOT_WAIT_NS;
        byte[] state;
        while (null == (state = answer.state))
        {
            checkEngine();
            if (System.nanoTime() - deadlineNs > 0)
            {
                throw new IllegalStateException("the processor did not answer the snapshot in " +
                    TimeUnit.NANOSECONDS.toSeconds(SNAPSHOT_WAIT_NS) + " s");
            }
            idle.idle();
        }
        idle.reset();
        SnapshotStream.write(snapshotPublication, state, idle);
        LOG.log(System.Logger.Level.INFO, "member " + memberId + ": snapshot of " + state.length +
            " bytes written at log position " + cluster.logPosition());
    }

    @Override
    public void onRoleChange(final Cluster.Role newRole)
    {
        role = newRole;
        LOG.log(System.Logger.Level.INFO, "member " + memberId + " is now " +
            newRole);
    }

    @Override
    public void onTerminate(final Cluster cluster)
    {
        LOG.log(System.Logger.Level.INFO, "member " + memberId + ": the cluster terminates");
    }

    private int readSnapshot(final Image image)
    {
        return SnapshotStream.read(image, snapshotIn, cluster.idleStrategy());
    }

    /**
     * @return a claimed sequence of the log ring, waiting while it is full: back-pressure on the log.
     */
    private long claim()
    {
        long sequence;
        while ((sequence = logRing.tryNext()) == CommandRing.FULL)
        {
            checkEngine();
            idle.idle();
        }
        idle.reset();
        return sequence;
    }

    private void checkEngine()
    {
        final Engine engine = this.engine;
        if (null != engine.failure() || engine.isClosed())
        {
            // An entry the processor cannot apply must not be skipped: the service stops here, and so does
            // this node's part in the cluster, rather than diverging.
            throw new AgentTerminationException("the engine stopped: " + engine.failure());
        }
    }

    /**
     * Receives the processor's whole state, on the processor's thread.
     */
    private static final class SnapshotAnswer implements ReplySink
    {
        volatile byte[] state;

        @Override
        public void onReply(final Object replyTo, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            state = copy;
        }
    }
}
