package io.axiom.transport;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.concurrent.atomic.AtomicLong;

import io.aeron.Aeron;
import io.aeron.ControlledFragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.RegistrationException;
import io.aeron.logbuffer.ControlledFragmentHandler.Action;
import io.aeron.logbuffer.Header;
import io.axiom.wire.CompletionRejectedEncoder;
import io.axiom.wire.HelloRejectedEncoder;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.RejectReason;
import io.axiom.wire.TaskCompletedDecoder;
import io.axiom.wire.TaskFailedDecoder;
import io.axiom.wire.WorkerGoodbyeDecoder;
import io.axiom.wire.WorkerGoodbyeEncoder;
import io.axiom.wire.WorkerHelloDecoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.collections.Int2ObjectHashMap;
import org.agrona.collections.IntArrayQueue;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.NanoClock;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The endpoint's duty cycle, on one thread: the Aeron client's conductor, the ingress subscription, and the upkeep of
 * every worker connection.
 * <p>
 * <b>Frames in.</b> Fragments are reassembled ({@link ControlledFragmentAssembler}) and each frame checked: schema id
 * 7302, a template a worker sends, a version no newer than this code's, every length within the frame
 * ({@link WireFrames}). What fails is dropped and counted, and answered CompletionRejected(MALFORMED) when its
 * worker's connection is known; a WorkerHello of a newer version is answered HelloRejected here, naming both
 * versions, and never reaches the engine. A good frame goes to the {@link EngineInbox}; when the inbox is full the
 * frame is left in its image ({@code ABORT}) and offered again next cycle, so nothing is lost and the worker's own
 * publication feels the back-pressure.
 * <p>
 * <b>Keying.</b> A connection is keyed by the ingress image's session id <i>and</i> the worker id of the hello.
 * The session id alone would merge two workers that share one Aeron publication (two workers in one process on one
 * client); the worker id alone would let a restarted worker, or a second one that picked the same id, take over a
 * live worker's connection and its answers. A worker that reconnects gets a new publication, a new session id and a
 * new connection: the engine judges its completions by fencing token, not by connection, so nothing it holds is lost.
 * Lookups are two primitive maps, nothing allocated per frame.
 * <p>
 * <b>Hello.</b> The first hello of a (session, worker) opens a connection: a publication to the response channel it
 * names, added asynchronously so the cycle never waits on the driver. The hello is held until that publication is
 * connected and only then offered to the engine, so the Welcome and the first dispatches go to a worker that can
 * receive them. A repeated hello on a live connection goes straight on (the engine answers it again).
 * <p>
 * <b>Workers that go away.</b> A connection closes when its worker's ingress image becomes unavailable, when its
 * response publication loses its subscriber (NOT_CONNECTED), when the worker sends nothing for longer than the worker
 * timeout (workers heartbeat a third of a lease apart), or when its publication never connects. Unless the worker said
 * goodbye itself, the endpoint then offers a WorkerGoodbye on its behalf (again next cycle while the inbox is full), so
 * that the engine stops dealing to it; its leases expire and their tasks are dealt again.
 */
final class EndpointAgent implements Agent
{
    private static final System.Logger LOG = System.getLogger("axiom.workers");

    private static final int ANSWER_CAPACITY = 2048;
    private static final int MAX_DETAIL_CHARS = 400;

    private final WorkerEndpoint.Context ctx;
    private final Aeron aeron;
    private final AgentInvoker invoker;
    private final AgentInvoker driverInvoker;
    private final EngineInbox inbox;
    private final NanoClock clock;
    private final EndpointCounters counters = new EndpointCounters();
    private final ControlledFragmentAssembler assembler = new ControlledFragmentAssembler(this::onFragment);
    private final Int2ObjectHashMap<Long2ObjectHashMap<WorkerConnection>> bySession = new Int2ObjectHashMap<>();
    private final ArrayList<WorkerConnection> connections = new ArrayList<>();
    private final ArrayList<WorkerConnection> pendingGoodbyes = new ArrayList<>();
    private final IntArrayQueue lostSessions = new IntArrayQueue();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final WorkerHelloDecoder hello = new WorkerHelloDecoder();
    private final CompletionRejectedEncoder rejected = new CompletionRejectedEncoder();
    private final HelloRejectedEncoder helloRejected = new HelloRejectedEncoder();
    private final WorkerGoodbyeEncoder goodbye = new WorkerGoodbyeEncoder();
    private final UnsafeBuffer answer = new UnsafeBuffer(new byte[ANSWER_CAPACITY]);
    private final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
    private Subscription subscription;
    private volatile int connectionCount;
    private long nowNs;

    /** Wakes this agent's thread when the engine has put frames into a publication: the embedded driver runs here. */
    private final Runnable waker;
    private final FrameFaults faults;
    private volatile boolean dropConnectionsRequested;
    private volatile boolean draining;

    EndpointAgent(final WorkerEndpoint.Context ctx, final Aeron aeron)
    {
        this.ctx = ctx;
        this.aeron = aeron;
        this.invoker = aeron.conductorAgentInvoker();
        this.driverInvoker = ctx.driverAgentInvoker();
        this.inbox = ctx.inbox();
        this.clock = ctx.nanoClock();
        this.nowNs = clock.nanoTime();
        this.waker = ctx.idleStrategy() instanceof WakeableIdleStrategy wakeable ? wakeable::wake : () -> {};
        this.faults = ctx.frameFaults();
    }

    void subscription(final Subscription subscription)
    {
        this.subscription = subscription;
    }

    EndpointCounters counters()
    {
        return counters;
    }

    int connectionCount()
    {
        return connectionCount;
    }

    @Override
    public String roleName()
    {
        return "axiom-worker-endpoint";
    }

    @Override
    public int doWork()
    {
        int work = null == driverInvoker ? 0 : driverInvoker.invoke();
        work += invoker.invoke();
        nowNs = clock.nanoTime();
        work += handleLostImages();
        work += dropConnectionsIfRequested();
        work += subscription.controlledPoll(assembler, ctx.fragmentLimit());
        work += serviceConnections();
        work += offerGoodbyes();
        connectionCount = connections.size();
        return work;
    }

    void requestDropConnections()
    {
        dropConnectionsRequested = true;
    }

    void requestDrain()
    {
        draining = true;
        dropConnectionsRequested = true;
    }

    private int dropConnectionsIfRequested()
    {
        if (!dropConnectionsRequested)
        {
            return 0;
        }
        dropConnectionsRequested = false;
        final int count = connections.size();
        for (final WorkerConnection connection : new ArrayList<>(connections))
        {
            retire(connection, counters.connectionsDropped, "the endpoint dropped its connections");
        }
        return count;
    }

    @Override
    public void onClose()
    {
        // every worker the engine knows through this endpoint is said goodbye for, so that it deals them nothing more
        for (final WorkerConnection connection : new ArrayList<>(connections))
        {
            retire(connection, null, "the endpoint is closing");
        }
        offerGoodbyes();
        connections.clear();
        bySession.clear();
        pendingGoodbyes.clear();
        connectionCount = 0;
        CloseHelper.closeAll(subscription, aeron);
    }

    // ---------------------------------------------------------------------------------------------- images

    void onImageAvailable(final Image image)
    {
        // nothing to do: a connection opens with the worker's hello
    }

    void onImageUnavailable(final Image image)
    {
        // called inside the conductor's duty cycle, where no client call may be made: handled right after it
        lostSessions.addInt(image.sessionId());
    }

    private int handleLostImages()
    {
        int work = 0;
        while (!lostSessions.isEmpty())
        {
            final int sessionId = lostSessions.pollInt();
            counters.imagesLost.incrementAndGet();
            assembler.freeSessionBuffer(sessionId);
            final Long2ObjectHashMap<WorkerConnection> workers = bySession.get(sessionId);
            if (null != workers)
            {
                for (final WorkerConnection connection : new ArrayList<>(workers.values()))
                {
                    retire(connection, null, "its ingress image was lost");
                    work++;
                }
            }
        }
        return work;
    }

    // ---------------------------------------------------------------------------------------------- frames in

    private Action onFragment(final DirectBuffer buffer, final int offset, final int length, final Header header)
    {
        try
        {
            final Action action = onFrame(buffer, offset, length, header.sessionId());
            if (Action.ABORT != action)
            {
                counters.framesReceived.incrementAndGet();
            }
            return action;
        }
        catch (final RuntimeException ex)
        {
            counters.framesReceived.incrementAndGet();
            counters.handlerErrors.incrementAndGet();
            ctx.errorHandler().onError(ex);
            return Action.CONTINUE;
        }
    }

    private Action onFrame(final DirectBuffer buffer, final int offset, final int length, final int sessionId)
    {
        if (length < WireFrames.HEADER_LENGTH)
        {
            counters.droppedMalformed.incrementAndGet();
            answerMalformed(sessionId, null, 0, 0, "a frame of " + length + " bytes is shorter than the " +
                WireFrames.HEADER_LENGTH + "-byte message header");
            return Action.CONTINUE;
        }
        header.wrap(buffer, offset);
        final int schemaId = header.schemaId();
        final int templateId = header.templateId();
        final int version = header.version();
        final int blockLength = header.blockLength();
        if (MessageHeaderDecoder.SCHEMA_ID != schemaId)
        {
            counters.droppedWrongSchema.incrementAndGet();
            answerMalformed(sessionId, null, 0, 0, "a frame of schema id " + schemaId + " is not of the worker " +
                "protocol (schema id " + MessageHeaderDecoder.SCHEMA_ID + ")");
            return Action.CONTINUE;
        }
        if (!WireFrames.isWorkerTemplate(templateId))
        {
            counters.droppedUnknownTemplate.incrementAndGet();
            answerMalformed(sessionId, null, 0, 0, "template " + templateId + " is not a frame a worker sends " +
                "(WorkerHello, Heartbeat, TaskCompleted, TaskFailed, WorkerGoodbye)");
            return Action.CONTINUE;
        }
        if (version > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            if (WorkerHelloDecoder.TEMPLATE_ID == templateId)
            {
                rejectNewerHello(buffer, offset, length, sessionId, blockLength, version);
                return Action.CONTINUE;
            }
            counters.droppedNewerVersion.incrementAndGet();
            answerMalformed(sessionId, buffer, offset, length, WireFrames.name(templateId) + " of worker protocol " +
                "version " + version + " is newer than this engine's version " + MessageHeaderDecoder.SCHEMA_VERSION);
            return Action.CONTINUE;
        }
        final String problem = version < 1 ? "worker protocol version " + version + " does not exist" :
            WireFrames.check(buffer, offset, length, templateId, blockLength, false);
        if (null != problem)
        {
            counters.droppedMalformed.incrementAndGet();
            answerMalformed(sessionId, buffer, offset, length, problem);
            return Action.CONTINUE;
        }

        if (null != faults && !faults.onReceive(templateId))
        {
            counters.droppedByFaults.incrementAndGet();
            return Action.CONTINUE;
        }
        final long workerId = workerId(buffer, offset);
        if (WorkerHelloDecoder.TEMPLATE_ID == templateId)
        {
            if (draining)
            {
                counters.droppedDraining.incrementAndGet(); // the worker says hello again, to the next endpoint
                return Action.CONTINUE;
            }
            return onHello(buffer, offset, length, sessionId, workerId, blockLength, version);
        }
        final WorkerConnection connection = connection(sessionId, workerId);
        if (null == connection || !connection.helloForwarded)
        {
            counters.droppedUnknownWorker.incrementAndGet();
            return Action.CONTINUE;
        }
        if (!inbox.offer(buffer, offset, length, connection))
        {
            counters.inboxFull.incrementAndGet();
            return Action.ABORT;
        }
        counters.framesForwarded.incrementAndGet();
        connection.lastFrameNs = nowNs;
        if (WorkerGoodbyeDecoder.TEMPLATE_ID == templateId)
        {
            connection.saidGoodbye = true;
        }
        return Action.CONTINUE;
    }

    private Action onHello(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int sessionId,
        final long workerId,
        final int blockLength,
        final int version)
    {
        hello.wrap(buffer, offset + WireFrames.HEADER_LENGTH, blockLength, version);
        final int namedStream = hello.responseStreamId();
        final WorkerHelloDecoder.StepNamesDecoder names = hello.stepNames();
        while (names.hasNext())
        {
            names.next().skipName();
        }
        final String channel = hello.responseChannel();
        final int stream = 0 == namedStream ? ctx.responseStreamIdDefault() : namedStream;
        if (!usable(channel))
        {
            return Action.CONTINUE;
        }

        WorkerConnection connection = connection(sessionId, workerId);
        if (null != connection)
        {
            if (connection.responseChannel().equals(channel) && connection.responseStreamId() == stream &&
                !connection.rejectOnly)
            {
                connection.lastFrameNs = nowNs;
                if (connection.helloForwarded && WorkerConnection.ACTIVE == connection.state())
                {
                    if (!inbox.offer(buffer, offset, length, connection))
                    {
                        counters.inboxFull.incrementAndGet();
                        return Action.ABORT;
                    }
                    counters.framesForwarded.incrementAndGet();
                    connection.saidGoodbye = false;
                }
                else
                {
                    connection.holdHello(buffer, offset, length); // the latest hello goes once it is connected
                }
                return Action.CONTINUE;
            }
            // the worker answers elsewhere now: its old connection goes
            retire(connection, null, "it said hello from another response channel");
        }
        connection = open(sessionId, workerId, channel, stream);
        if (null != connection)
        {
            connection.holdHello(buffer, offset, length);
        }
        return Action.CONTINUE;
    }

    private void rejectNewerHello(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int sessionId,
        final int blockLength,
        final int version)
    {
        counters.droppedNewerVersion.incrementAndGet();
        if (null != WireFrames.check(buffer, offset, length, WorkerHelloDecoder.TEMPLATE_ID, blockLength, true))
        {
            return; // cannot even find where to answer
        }
        hello.wrap(buffer, offset + WireFrames.HEADER_LENGTH, blockLength, version);
        final long workerId = hello.workerId();
        final int namedStream = hello.responseStreamId();
        final WorkerHelloDecoder.StepNamesDecoder names = hello.stepNames();
        while (names.hasNext())
        {
            names.next().skipName();
        }
        final String channel = hello.responseChannel();
        final int stream = 0 == namedStream ? ctx.responseStreamIdDefault() : namedStream;
        if (!usable(channel))
        {
            return;
        }
        WorkerConnection connection = connection(sessionId, workerId);
        if (null == connection || !connection.responseChannel().equals(channel) ||
            connection.responseStreamId() != stream)
        {
            if (null != connection)
            {
                retire(connection, null, "it said hello in a newer protocol version");
            }
            connection = open(sessionId, workerId, channel, stream);
            if (null == connection)
            {
                return;
            }
            connection.rejectOnly = true;
        }
        helloRejected.wrapAndApplyHeader(answer, 0, headerEncoder)
            .workerId(workerId)
            .reason(clip("worker protocol version " + version + " is newer than this engine's version " +
                MessageHeaderDecoder.SCHEMA_VERSION + " (schema id " + MessageHeaderDecoder.SCHEMA_ID + "); use an " +
                "SDK that speaks version " + MessageHeaderDecoder.SCHEMA_VERSION + ", or upgrade the engine"));
        if (connection.queue(answer, 0, MessageHeaderEncoder.ENCODED_LENGTH + helloRejected.encodedLength()))
        {
            counters.helloRejectedVersion.incrementAndGet();
        }
    }

    private boolean usable(final String channel)
    {
        try
        {
            WorkerEndpoint.Context.checkChannel("response channel", channel);
            return true;
        }
        catch (final IllegalArgumentException ex)
        {
            counters.droppedBadResponseChannel.incrementAndGet();
            return false;
        }
    }

    // ---------------------------------------------------------------------------------------------- connections

    private WorkerConnection connection(final int sessionId, final long workerId)
    {
        final Long2ObjectHashMap<WorkerConnection> workers = bySession.get(sessionId);
        return null == workers ? null : workers.get(workerId);
    }

    private WorkerConnection open(final int sessionId, final long workerId, final String channel, final int stream)
    {
        if (connections.size() >= ctx.maxConnections())
        {
            counters.droppedTooManyConnections.incrementAndGet();
            return null;
        }
        final WorkerConnection connection = new WorkerConnection(
            sessionId, workerId, channel, stream, ctx.backlogCapacity(), counters, waker, faults);
        try
        {
            connection.registrationId = aeron.asyncAddPublication(channel, stream);
        }
        catch (final RuntimeException ex)
        {
            counters.droppedBadResponseChannel.incrementAndGet();
            return null;
        }
        connection.createdNs = nowNs;
        connection.lastFrameNs = nowNs;
        Long2ObjectHashMap<WorkerConnection> workers = bySession.get(sessionId);
        if (null == workers)
        {
            workers = new Long2ObjectHashMap<>();
            bySession.put(sessionId, workers);
        }
        workers.put(workerId, connection);
        connections.add(connection);
        counters.connectionsOpened.incrementAndGet();
        return connection;
    }

    private int serviceConnections()
    {
        int work = 0;
        for (int i = connections.size() - 1; i >= 0; i--)
        {
            final WorkerConnection connection = connections.get(i);
            switch (connection.state())
            {
                case WorkerConnection.PENDING -> work += awaitPublication(connection);
                case WorkerConnection.CONNECTING ->
                {
                    if (connection.publication().isConnected())
                    {
                        connection.activate();
                        work++;
                    }
                    else if (nowNs - connection.createdNs > ctx.connectTimeoutNs())
                    {
                        retire(connection, counters.connectTimeouts, "its response channel did not connect in time");
                    }
                }
                case WorkerConnection.ACTIVE -> work += serviceActive(connection);
                default ->
                {
                    // closed connections are no longer in the list
                }
            }
        }
        return work;
    }

    private int awaitPublication(final WorkerConnection connection)
    {
        final Publication publication;
        try
        {
            publication = aeron.getPublication(connection.registrationId);
        }
        catch (final RegistrationException ex)
        {
            counters.droppedBadResponseChannel.incrementAndGet();
            connection.registrationId = Aeron.NULL_VALUE;
            retire(connection, null, "its response channel is not usable");
            return 1;
        }
        if (null != publication)
        {
            connection.publication(publication);
            return 1;
        }
        if (nowNs - connection.createdNs > ctx.connectTimeoutNs())
        {
            retire(connection, counters.connectTimeouts, "its response channel did not connect in time");
            return 1;
        }
        return 0;
    }

    private int serviceActive(final WorkerConnection connection)
    {
        int work = 0;
        if (connection.heldHelloLength > 0 && !connection.rejectOnly)
        {
            if (inbox.offer(connection.heldHello, 0, connection.heldHelloLength, connection))
            {
                counters.framesForwarded.incrementAndGet();
                connection.heldHelloLength = 0;
                if (!connection.helloForwarded)
                {
                    LOG.log(System.Logger.Level.INFO, "worker " + connection.workerId() + " connected: answers on " +
                        connection.responseChannel() + " stream " + connection.responseStreamId());
                }
                connection.helloForwarded = true;
                connection.saidGoodbye = false;
                work++;
            }
            else
            {
                counters.inboxFull.incrementAndGet();
            }
        }
        work += connection.drain();
        if (connection.rejectOnly)
        {
            if (0 == connection.backlogBytes())
            {
                // its HelloRejected is in the publication, which lingers to deliver it
                retire(connection, null, "its protocol version is not supported");
            }
        }
        else if (!connection.publication().isConnected())
        {
            retire(connection, counters.responseDisconnects, "its response subscription is gone");
        }
        else if (nowNs - connection.lastFrameNs > ctx.workerTimeoutNs())
        {
            retire(connection, counters.silenceTimeouts, "it was silent for longer than the worker timeout");
        }
        return work;
    }

    /**
     * Close a connection and forget it; unless the worker said goodbye (or the engine never heard of it), offer a
     * goodbye on its behalf so that the engine stops dealing to it.
     */
    private void retire(final WorkerConnection connection, final AtomicLong reason, final String why)
    {
        if (connection.helloForwarded && !connection.rejectOnly && WorkerConnection.ACTIVE == connection.state())
        {
            LOG.log(System.Logger.Level.INFO, "worker " + connection.workerId() + " disconnected: " +
                (connection.saidGoodbye ? "it said goodbye" : why));
        }
        if (null != reason)
        {
            reason.incrementAndGet();
        }
        final Long2ObjectHashMap<WorkerConnection> workers = bySession.get(connection.sessionId());
        if (null != workers && workers.get(connection.workerId()) == connection)
        {
            workers.remove(connection.workerId());
            if (workers.isEmpty())
            {
                bySession.remove(connection.sessionId());
            }
        }
        connections.remove(connection);
        if (WorkerConnection.PENDING == connection.state() && Aeron.NULL_VALUE != connection.registrationId)
        {
            aeron.asyncRemovePublication(connection.registrationId);
        }
        connection.close();
        counters.connectionsClosed.incrementAndGet();
        if (connection.helloForwarded && !connection.saidGoodbye && !connection.rejectOnly)
        {
            connection.goodbyePending = true;
            pendingGoodbyes.add(connection);
        }
    }

    private int offerGoodbyes()
    {
        int work = 0;
        for (int i = pendingGoodbyes.size() - 1; i >= 0; i--)
        {
            final WorkerConnection connection = pendingGoodbyes.get(i);
            goodbye.wrapAndApplyHeader(answer, 0, headerEncoder).workerId(connection.workerId());
            if (!inbox.offer(answer, 0, MessageHeaderEncoder.ENCODED_LENGTH + WorkerGoodbyeEncoder.BLOCK_LENGTH,
                connection))
            {
                counters.inboxFull.incrementAndGet();
                break; // the engine is busy: the rest next cycle
            }
            pendingGoodbyes.remove(i);
            connection.goodbyePending = false;
            connection.saidGoodbye = true;
            counters.goodbyesOnBehalf.incrementAndGet();
            work++;
        }
        return work;
    }

    // ---------------------------------------------------------------------------------------------- answers

    /**
     * Answer a dropped frame with CompletionRejected(MALFORMED) when its worker's connection is known: by the worker
     * id the frame carries when it is readable, else the session's only connection.
     */
    private void answerMalformed(
        final int sessionId, final DirectBuffer buffer, final int offset, final int length, final String problem)
    {
        WorkerConnection connection = null;
        long taskId = 0;
        long token = 0;
        if (null != buffer && length >= WireFrames.HEADER_LENGTH + Long.BYTES)
        {
            connection = connection(sessionId, workerId(buffer, offset));
            final int templateId = header.templateId();
            final int body = offset + WireFrames.HEADER_LENGTH;
            if ((TaskCompletedDecoder.TEMPLATE_ID == templateId || TaskFailedDecoder.TEMPLATE_ID == templateId) &&
                length >= WireFrames.HEADER_LENGTH + TaskCompletedDecoder.BLOCK_LENGTH)
            {
                taskId = buffer.getLong(body + TaskCompletedDecoder.taskIdEncodingOffset(), ByteOrder.LITTLE_ENDIAN);
                token = buffer.getLong(body + TaskCompletedDecoder.fencingTokenEncodingOffset(),
                    ByteOrder.LITTLE_ENDIAN);
            }
        }
        if (null == connection)
        {
            final Long2ObjectHashMap<WorkerConnection> workers = bySession.get(sessionId);
            if (null != workers && 1 == workers.size())
            {
                connection = workers.values().iterator().next();
            }
        }
        if (null == connection || connection.rejectOnly)
        {
            return;
        }
        rejected.wrapAndApplyHeader(answer, 0, headerEncoder)
            .taskId(taskId)
            .fencingToken(token)
            .reason(RejectReason.MALFORMED)
            .detail(clip(problem + "; the frame was dropped, nothing was written"))
            .putCommittedOutput(empty, 0, 0);
        if (connection.queue(answer, 0, MessageHeaderEncoder.ENCODED_LENGTH + rejected.encodedLength()))
        {
            counters.malformedAnswered.incrementAndGet();
        }
    }

    private static long workerId(final DirectBuffer buffer, final int offset)
    {
        // every frame a worker sends starts its block with the worker id
        return buffer.getLong(offset + WireFrames.HEADER_LENGTH, ByteOrder.LITTLE_ENDIAN);
    }

    private static String clip(final String text)
    {
        return text.length() <= MAX_DETAIL_CHARS ? text : text.substring(0, MAX_DETAIL_CHARS) + "...";
    }
}
