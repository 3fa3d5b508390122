package io.axiom.worker;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import io.aeron.Aeron;
import io.aeron.ExclusivePublication;
import io.aeron.FragmentAssembler;
import io.aeron.Image;
import io.aeron.Publication;
import io.aeron.Subscription;
import io.aeron.exceptions.AeronException;
import io.aeron.logbuffer.Header;
import io.axiom.transport.WakeableIdleStrategy;
import io.axiom.wire.CompletionAcceptedDecoder;
import io.axiom.wire.CompletionRejectedDecoder;
import io.axiom.wire.HeartbeatEncoder;
import io.axiom.wire.HelloRejectedDecoder;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.RejectReason;
import io.axiom.wire.TaskAssignedDecoder;
import io.axiom.wire.TaskCompletedEncoder;
import io.axiom.wire.TaskFailedEncoder;
import io.axiom.wire.WelcomeDecoder;
import io.axiom.wire.WorkerGoodbyeEncoder;
import io.axiom.wire.WorkerHelloEncoder;
import org.agrona.CloseHelper;
import org.agrona.DirectBuffer;
import org.agrona.ExpandableArrayBuffer;
import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.concurrent.Agent;
import org.agrona.concurrent.AgentInvoker;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The worker's duty cycle, on its poller thread: the Aeron client's conductor, the engine's frames, hellos,
 * heartbeats, outcomes and their resends, and the goodbye.
 * <p>
 * <b>Connecting.</b> Once the publication to the engine's ingress is connected the worker says hello, again every
 * hello interval until Welcome; it says hello again whenever the connection breaks: the publication disconnects, the
 * engine's answers stop (the last response image goes away), or an outcome goes unanswered and has to be sent again
 * (a restarted engine does not know this connection and cannot answer it; a hello to an engine that does know it keeps
 * its session). Outcomes are sent again every resend interval, at most a quarter of the engine's lease, so that after an
 * engine restart the worker is known again well before the leases it holds (given a fresh period) expire.
 * A HelloRejected stops it for good (the engine will not change its mind about a version or a capacity).
 * <p>
 * <b>Failing over.</b> With more than one ingress channel, a worker that has gone the failover timeout without a
 * Welcome since it started, lost its connection or last switched (the engine's answers stopped, its publication
 * disconnected, or hellos and outcomes went unanswered) closes its publication and publishes to the next channel in
 * the list, round-robin, and says hello there. The engine behind the new channel knows its tasks by their fencing
 * tokens: outcomes held go again once it welcomes the worker.
 * <p>
 * <b>Tasks.</b> A TaskAssigned becomes a {@link Task} run on the task pool (or at once on this thread, with inline
 * handlers); while it runs, and until its outcome is
 * answered, its lease is extended by a heartbeat every heartbeat interval (a third of the engine's lease). An idle
 * worker sends a liveness heartbeat (task 0) as often, so that the engine's endpoint does not take it for gone.
 * <p>
 * <b>Outcomes.</b> The handler's result is encoded once and sent until the engine answers (frames can be lost when a
 * connection breaks); the answer goes to the {@link WorkerListener}: accepted (or ALREADY_COMMITTED with this
 * completion's own output, which means an earlier copy committed and its answer was lost), rejected (STALE, UNKNOWN,
 * MALFORMED, or ALREADY_COMMITTED with another output: do not commit the effect), or NO_ROOM, which is sent again
 * after the resend interval. A publication that pushes back is offered the frame again on the next cycle.
 * <p>
 * <b>Leaving.</b> On close the worker says goodbye first (the engine stops dealing to it and acknowledges once every
 * task it dealt before has been sent), runs what it holds to the end and waits for the answers, all within the close
 * timeout, then says goodbye again to mark the end and waits for that acknowledgement. What is left at the deadline is
 * abandoned: the leases expire and the tasks are dealt again.
 */
final class WorkerPoller implements Agent
{
    enum Phase
    {
        CONNECTING, HELLO, ACTIVE, REJECTED, LEAVING, FINAL_GOODBYE, DONE
    }

    private static final int UNANSWERED_SENDS_BEFORE_HELLO = 1;
    private static final long RESEND_SCAN_INTERVAL_NS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long FINAL_ACK_TIMEOUT_NS = TimeUnit.SECONDS.toNanos(2);
    private static final int MAX_ERROR_CHARS = 1000;
    private static final byte[] NO_BYTES = new byte[0];

    private final AxiomWorker worker;
    private final AxiomWorker.Context ctx;
    private final Aeron aeron;
    private final AgentInvoker invoker;
    private final AgentInvoker driverInvoker;
    private final List<String> ingressChannels;
    private final int ingressStreamId;
    private final long failoverTimeoutNs;
    private ExclusivePublication publication;
    private long pendingPublicationId = -1;
    private int channelIndex;
    private int maxMessageLength;
    private long notWelcomedSinceNs;
    private volatile String ingressChannel;
    private volatile long failovers;
    private final Subscription subscription;
    private final Map<String, AxiomWorker.Handler> handlers;
    private final ExecutorService pool;
    private final WorkerListener listener;
    private final FragmentAssembler assembler = new FragmentAssembler(this::onFragment);
    private final Long2ObjectHashMap<InFlight> byToken = new Long2ObjectHashMap<>();
    private final ManyToOneConcurrentLinkedQueue<InFlight> outcomes = new ManyToOneConcurrentLinkedQueue<>();
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final WelcomeDecoder welcome = new WelcomeDecoder();
    private final HelloRejectedDecoder helloRejected = new HelloRejectedDecoder();
    private final TaskAssignedDecoder assigned = new TaskAssignedDecoder();
    private final CompletionAcceptedDecoder accepted = new CompletionAcceptedDecoder();
    private final CompletionRejectedDecoder rejected = new CompletionRejectedDecoder();
    private final HeartbeatEncoder heartbeat = new HeartbeatEncoder();
    private final WorkerGoodbyeEncoder goodbye = new WorkerGoodbyeEncoder();
    private final UnsafeBuffer small = new UnsafeBuffer(new byte[64]);
    private final UnsafeBuffer helloFrame;
    private final int helloLength;
    private final long workerId;
    private final CountDownLatch done = new CountDownLatch(1);
    private final CountDownLatch welcomed = new CountDownLatch(1);

    private volatile Phase phase = Phase.CONNECTING;
    private volatile long closeRequestedNs;
    private volatile int inFlightCount;
    private boolean responseLost;
    private long nowNs;
    private long lastHelloNs;
    private long lastHeartbeatNs;
    private long heartbeatIntervalNs;
    private long resendIntervalNs;
    private long nextResendScanNs;
    private boolean unsentOutcomes;
    private final WakeableIdleStrategy wakeable;
    private final boolean inlineHandlers;
    private long leaveDeadlineNs;
    private long finalGoodbyeNs;
    private boolean goodbyeAcked;
    private final long[] counts = new long[Count.values().length];

    enum Count
    {
        RECEIVED, ACCEPTED, REJECTED, FAILED_ACCEPTED, ABANDONED, SENT_OUTCOMES, RESENT_OUTCOMES, HELLOS, HEARTBEATS
    }

    /**
     * A task from its TaskAssigned to the engine's answer to its outcome.
     */
    static final class InFlight
    {
        final Task task;
        final AxiomWorker.Handler handler;
        // written by the task thread before it is queued, read by the poller after
        byte[] output;
        String error;
        boolean failed;
        boolean retryable;
        boolean interrupted;
        // poller thread only
        UnsafeBuffer frame;
        int frameLength;
        long lastSentNs;
        int sends;

        InFlight(final Task task, final AxiomWorker.Handler handler)
        {
            this.task = task;
            this.handler = handler;
        }

        boolean awaitingAnswer()
        {
            return null != frame;
        }
    }

    WorkerPoller(
        final AxiomWorker worker,
        final AxiomWorker.Context ctx,
        final Aeron aeron,
        final AgentInvoker driverInvoker,
        final ExclusivePublication publication,
        final Subscription subscription,
        final String responseChannel,
        final int responseStreamId,
        final Map<String, AxiomWorker.Handler> handlers,
        final ExecutorService pool)
    {
        this.worker = worker;
        this.ctx = ctx;
        this.aeron = aeron;
        this.invoker = aeron.conductorAgentInvoker();
        this.driverInvoker = driverInvoker;
        this.publication = publication;
        this.ingressChannels = ctx.ingressChannels();
        this.ingressStreamId = ctx.ingressStreamId();
        this.failoverTimeoutNs = TimeUnit.MILLISECONDS.toNanos(ctx.failoverTimeoutMs());
        this.ingressChannel = ingressChannels.get(0);
        this.maxMessageLength = publication.maxMessageLength();
        this.subscription = subscription;
        this.handlers = handlers;
        this.pool = pool;
        this.listener = ctx.listener();
        this.workerId = ctx.workerId();
        this.heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(
            ctx.heartbeatIntervalMs() > 0 ? ctx.heartbeatIntervalMs() : 10_000);
        this.resendIntervalNs = TimeUnit.MILLISECONDS.toNanos(ctx.resendIntervalMs());
        this.wakeable = ctx.idleStrategy() instanceof WakeableIdleStrategy w ? w : null;
        this.inlineHandlers = ctx.inlineHandlers();

        final ExpandableArrayBuffer hello = new ExpandableArrayBuffer(256);
        final WorkerHelloEncoder encoder = new WorkerHelloEncoder().wrapAndApplyHeader(hello, 0, headerEncoder)
            .workerId(workerId)
            .capacity(ctx.capacity())
            .responseStreamId(responseStreamId);
        final WorkerHelloEncoder.StepNamesEncoder names = encoder.stepNamesCount(handlers.size());
        for (final String name : handlers.keySet())
        {
            names.next().name(name);
        }
        encoder.responseChannel(responseChannel);
        helloLength = MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength();
        helloFrame = new UnsafeBuffer(new byte[helloLength]);
        helloFrame.putBytes(0, hello, 0, helloLength);
    }

    @Override
    public void onStart()
    {
        notWelcomedSinceNs = System.nanoTime();
    }

    @Override
    public String roleName()
    {
        return "axiom-worker-" + workerId;
    }

    // ---------------------------------------------------------------------------------------------- called by others

    void onResponseImageUnavailable(final Image image)
    {
        responseLost = true; // in the conductor's callback: acted on after it
    }

    void requestClose(final long nowNs)
    {
        closeRequestedNs = nowNs;
    }

    boolean awaitDone(final long timeoutMs) throws InterruptedException
    {
        return done.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    boolean awaitWelcome(final long timeoutMs) throws InterruptedException
    {
        return welcomed.await(timeoutMs, TimeUnit.MILLISECONDS);
    }

    Phase phase()
    {
        return phase;
    }

    int inFlightCount()
    {
        return inFlightCount;
    }

    String ingressChannel()
    {
        return ingressChannel;
    }

    long failovers()
    {
        return failovers;
    }

    long count(final Count count)
    {
        synchronized (counts)
        {
            return counts[count.ordinal()];
        }
    }

    private void add(final Count count)
    {
        synchronized (counts)
        {
            counts[count.ordinal()]++;
        }
    }

    /**
     * Called on the task threads: queue a finished task for the poller.
     */
    void finished(final InFlight inFlight)
    {
        outcomes.offer(inFlight);
        if (null != wakeable)
        {
            wakeable.wake(); // the poller sends it: no need to wait out its park
        }
    }

    // ---------------------------------------------------------------------------------------------- duty cycle

    @Override
    public int doWork()
    {
        int work = null == driverInvoker ? 0 : driverInvoker.invoke();
        work += invoker.invoke();
        nowNs = System.nanoTime();
        if (responseLost)
        {
            responseLost = false;
            if (0 == subscription.imageCount() && (Phase.ACTIVE == phase || Phase.HELLO == phase))
            {
                disconnected("the engine's answers stopped (its publication to this worker went away)");
            }
        }
        work += subscription.poll(assembler, 16);
        work += awaitPublication();
        work += takeOutcomes();
        work += connection();
        work += resendOutcomes();
        work += heartbeats();
        work += leave();
        inFlightCount = byToken.size();
        return work;
    }

    @Override
    public void onClose()
    {
        CloseHelper.closeAll(publication, subscription, aeron);
    }

    private int connection()
    {
        final Phase phase = this.phase;
        final boolean connected = null != publication && publication.isConnected();
        if ((Phase.CONNECTING == phase || Phase.HELLO == phase) && 0 == closeRequestedNs &&
            ingressChannels.size() > 1 && nowNs - notWelcomedSinceNs >= failoverTimeoutNs)
        {
            failOver();
            return 1;
        }
        switch (phase)
        {
            case CONNECTING ->
            {
                if (connected && 0 == closeRequestedNs)
                {
                    sendHello();
                    this.phase = Phase.HELLO;
                    return 1;
                }
            }
            case HELLO ->
            {
                if (!connected)
                {
                    this.phase = Phase.CONNECTING;
                    return 1;
                }
                if (nowNs - lastHelloNs >= TimeUnit.MILLISECONDS.toNanos(ctx.helloIntervalMs()))
                {
                    sendHello();
                    return 1;
                }
            }
            case ACTIVE ->
            {
                if (!connected)
                {
                    disconnected("the publication to the engine's ingress is not connected");
                    return 1;
                }
            }
            default ->
            {
                // REJECTED stays; LEAVING and after are driven by leave()
            }
        }
        return 0;
    }

    /**
     * No Welcome within the failover timeout: publish to the next ingress channel instead (added asynchronously, so
     * that the duty cycle never blocks on the driver).
     */
    private void failOver()
    {
        final String from = ingressChannels.get(channelIndex);
        CloseHelper.quietClose(publication);
        publication = null;
        if (-1 != pendingPublicationId)
        {
            aeron.asyncRemovePublication(pendingPublicationId);
        }
        channelIndex = (channelIndex + 1) % ingressChannels.size();
        final String to = ingressChannels.get(channelIndex);
        ingressChannel = to;
        failovers++;
        phase = Phase.CONNECTING;
        notWelcomedSinceNs = nowNs;
        try
        {
            pendingPublicationId = aeron.asyncAddExclusivePublication(to, ingressStreamId);
        }
        catch (final AeronException ex)
        {
            pendingPublicationId = -1;
            notify(() -> listener.onError("cannot publish to the ingress " + to, ex));
        }
        notify(() -> listener.onDisconnected(worker, "no Welcome from " + from + " within " +
            TimeUnit.NANOSECONDS.toMillis(failoverTimeoutNs) + " ms: failing over to " + to));
    }

    private int awaitPublication()
    {
        if (-1 == pendingPublicationId)
        {
            return 0;
        }
        try
        {
            final ExclusivePublication added = aeron.getExclusivePublication(pendingPublicationId);
            if (null == added)
            {
                return 0;
            }
            publication = added;
            maxMessageLength = added.maxMessageLength();
        }
        catch (final AeronException ex)
        {
            notify(() -> listener.onError("cannot publish to the ingress " + ingressChannel, ex));
        }
        pendingPublicationId = -1;
        return 1;
    }

    private void sendHello()
    {
        lastHelloNs = nowNs;
        if (offer(helloFrame, helloLength))
        {
            add(Count.HELLOS);
        }
        else
        {
            lastHelloNs = 0; // pushed back: again on the next cycle
        }
    }

    private void disconnected(final String reason)
    {
        notWelcomedSinceNs = nowNs;
        phase = 0 == closeRequestedNs ? Phase.CONNECTING : Phase.LEAVING;
        if (0 == closeRequestedNs)
        {
            notify(() -> listener.onDisconnected(worker, reason));
        }
    }

    private boolean offer(final DirectBuffer buffer, final int length)
    {
        final ExclusivePublication publication = this.publication;
        return null != publication && publication.offer(buffer, 0, length) > 0;
    }

    // ---------------------------------------------------------------------------------------------- frames in

    private void onFragment(final DirectBuffer buffer, final int offset, final int length, final Header h)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            return;
        }
        header.wrap(buffer, offset);
        if (MessageHeaderDecoder.SCHEMA_ID != header.schemaId())
        {
            notify(() -> listener.onError("a frame of schema " + header.schemaId() + " from the engine was ignored",
                null));
            return;
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int block = header.blockLength();
        final int version = header.version();
        switch (header.templateId())
        {
            case WelcomeDecoder.TEMPLATE_ID -> onWelcome(welcome.wrap(buffer, body, block, version));
            case HelloRejectedDecoder.TEMPLATE_ID -> onHelloRejected(helloRejected.wrap(buffer, body, block, version));
            case TaskAssignedDecoder.TEMPLATE_ID -> onTask(assigned.wrap(buffer, body, block, version));
            case CompletionAcceptedDecoder.TEMPLATE_ID ->
            {
                accepted.wrap(buffer, body, block, version);
                onAccepted(accepted.fencingToken());
            }
            case CompletionRejectedDecoder.TEMPLATE_ID -> onRejected(rejected.wrap(buffer, body, block, version));
            default ->
            {
                // a frame of a newer engine this worker does not know: ignored
            }
        }
    }

    private void onWelcome(final WelcomeDecoder d)
    {
        if (d.workerId() != workerId)
        {
            return;
        }
        final Phase phase = this.phase;
        if (Phase.LEAVING == phase || Phase.FINAL_GOODBYE == phase)
        {
            goodbyeAcked = true; // a Welcome after our goodbye acknowledges it
            return;
        }
        if (Phase.REJECTED == phase || Phase.DONE == phase)
        {
            return;
        }
        final long leaseMs = d.leaseDurationMs();
        final long intervalMs = ctx.heartbeatIntervalMs() > 0 ? ctx.heartbeatIntervalMs() : Math.max(1, leaseMs / 3);
        heartbeatIntervalNs = TimeUnit.MILLISECONDS.toNanos(intervalMs);
        resendIntervalNs = TimeUnit.MILLISECONDS.toNanos(Math.min(ctx.resendIntervalMs(), Math.max(1, leaseMs / 4)));
        final boolean wasActive = Phase.ACTIVE == phase;
        this.phase = Phase.ACTIVE;
        if (!wasActive)
        {
            lastHeartbeatNs = nowNs;
            for (final InFlight f : byToken.values())
            {
                f.lastSentNs = 0; // outcomes waiting for an answer go again at once
                f.sends = 0;
            }
            unsentOutcomes = true;
            notify(() -> listener.onConnected(worker, leaseMs));
        }
        welcomed.countDown();
    }

    private void onHelloRejected(final HelloRejectedDecoder d)
    {
        if (d.workerId() != workerId)
        {
            return;
        }
        final String reason = d.reason();
        phase = Phase.REJECTED;
        notify(() -> listener.onError("the engine refused this worker's hello: " + reason, null));
        welcomed.countDown(); // whoever waits for the Welcome learns now that none will come
    }

    private void onTask(final TaskAssignedDecoder d)
    {
        final long taskId = d.taskId();
        final long workflowId = d.workflowId();
        final int stepIndex = d.stepIndex();
        final int attempt = d.attempt();
        final long token = d.fencingToken();
        final long leaseExpiresAt = d.leaseExpiresAt();
        final long attemptDeadline = d.attemptDeadline();
        final String stepName = d.stepName();
        final String key = d.idempotencyKey();
        final byte[] input = new byte[d.inputLength()];
        d.getInput(input, 0, input.length);
        if (byToken.containsKey(token))
        {
            return; // the same lease twice: already running
        }
        add(Count.RECEIVED);
        final Task task = new Task(taskId, workflowId, stepIndex, stepName, attempt, key, token, leaseExpiresAt,
            attemptDeadline, input);
        final AxiomWorker.Handler handler = handlers.get(stepName);
        final InFlight inFlight = new InFlight(task, handler);
        byToken.put(token, inFlight);
        if (null == handler)
        {
            inFlight.failed = true;
            inFlight.retryable = true;
            inFlight.error = "worker " + workerId + " has no handler for step " + stepName;
            encodeOutcome(inFlight);
            return;
        }
        if (inlineHandlers)
        {
            run(inFlight); // on this thread: its outcome is taken in this same duty cycle
            return;
        }
        try
        {
            pool.execute(() -> run(inFlight));
        }
        catch (final RejectedExecutionException ex)
        {
            byToken.remove(token);
            abandon(inFlight, "the worker's task pool is shut down");
        }
    }

    private void onAccepted(final long token)
    {
        final InFlight inFlight = byToken.get(token);
        if (null == inFlight || !inFlight.awaitingAnswer())
        {
            return;
        }
        byToken.remove(token);
        add(inFlight.failed ? Count.FAILED_ACCEPTED : Count.ACCEPTED);
        notify(() -> listener.onAccepted(inFlight.task, inFlight.failed));
    }

    private void onRejected(final CompletionRejectedDecoder d)
    {
        final long token = d.fencingToken();
        final RejectReason reason = d.reason();
        final String detail = d.detail();
        final byte[] committed = new byte[d.committedOutputLength()];
        d.getCommittedOutput(committed, 0, committed.length);
        final InFlight inFlight = byToken.get(token);
        if (null == inFlight || !inFlight.awaitingAnswer())
        {
            notify(() -> listener.onError("the engine refused a frame of this worker (" + reason + "): " + detail,
                null));
            return;
        }
        switch (reason)
        {
            case NO_ROOM ->
            {
                inFlight.lastSentNs = nowNs; // sent again after the resend interval
                inFlight.sends = 0;          // it was answered: the connection is fine
            }
            case ALREADY_COMMITTED ->
            {
                byToken.remove(token);
                if (!inFlight.failed && java.util.Arrays.equals(committed, inFlight.output))
                {
                    // what committed is this completion: an earlier copy of it was accepted, its answer lost
                    add(Count.ACCEPTED);
                    notify(() -> listener.onAccepted(inFlight.task, false));
                }
                else
                {
                    // the step committed with another result: this one must not take effect
                    add(Count.REJECTED);
                    final TaskRejection rejection = new TaskRejection(TaskRejection.Reason.ALREADY_COMMITTED,
                        detail, committed);
                    notify(() -> listener.onRejected(inFlight.task, rejection));
                }
            }
            default ->
            {
                byToken.remove(token);
                add(Count.REJECTED);
                final TaskRejection rejection = new TaskRejection(reason(reason), detail, committed);
                notify(() -> listener.onRejected(inFlight.task, rejection));
            }
        }
    }

    private static TaskRejection.Reason reason(final RejectReason reason)
    {
        return switch (reason)
        {
            case STALE_FENCING_TOKEN -> TaskRejection.Reason.STALE_FENCING_TOKEN;
            case ALREADY_COMMITTED -> TaskRejection.Reason.ALREADY_COMMITTED;
            case UNKNOWN_TASK -> TaskRejection.Reason.UNKNOWN_TASK;
            case NO_ROOM -> TaskRejection.Reason.NO_ROOM;
            default -> TaskRejection.Reason.MALFORMED;
        };
    }

    // ---------------------------------------------------------------------------------------------- tasks

    /**
     * On a task thread (on the poller's with inline handlers): run the handler and queue the outcome for the poller.
     */
    private void run(final InFlight inFlight)
    {
        try
        {
            final byte[] output = inFlight.handler.handle(inFlight.task);
            inFlight.output = null == output ? NO_BYTES : output;
        }
        catch (final RetryableTaskException ex)
        {
            inFlight.failed = true;
            inFlight.retryable = true;
            inFlight.error = describe(ex);
        }
        catch (final InterruptedException ex)
        {
            if (inlineHandlers)
            {
                // the poller's own thread: nobody interrupts it to close, so the handler did; a retryable failure
                Thread.interrupted();
                inFlight.failed = true;
                inFlight.retryable = true;
                inFlight.error = describe(ex);
            }
            else
            {
                inFlight.interrupted = true;
                Thread.currentThread().interrupt();
            }
        }
        catch (final Throwable ex)
        {
            inFlight.failed = true;
            inFlight.retryable = false;
            inFlight.error = describe(ex);
        }
        finished(inFlight);
    }

    private static String describe(final Throwable ex)
    {
        final String text = null == ex.getMessage() ? ex.getClass().getName() :
            ex instanceof RetryableTaskException ? ex.getMessage() : ex.getClass().getSimpleName() + ": " +
            ex.getMessage();
        return text.length() <= MAX_ERROR_CHARS ? text : text.substring(0, MAX_ERROR_CHARS) + "...";
    }

    private int takeOutcomes()
    {
        int work = 0;
        InFlight inFlight;
        while (null != (inFlight = outcomes.poll()))
        {
            work++;
            if (inFlight.interrupted)
            {
                byToken.remove(inFlight.task.fencingToken());
                abandon(inFlight, "the handler was interrupted while the worker closed");
                continue;
            }
            encodeOutcome(inFlight);
        }
        return work;
    }

    private void encodeOutcome(final InFlight inFlight)
    {
        final Task task = inFlight.task;
        final ExpandableArrayBuffer buffer = new ExpandableArrayBuffer(128 +
            (null == inFlight.output ? 0 : inFlight.output.length) + (null == inFlight.error ? 0 :
            inFlight.error.length() * 3));
        final int length;
        if (inFlight.failed)
        {
            final TaskFailedEncoder e = new TaskFailedEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .workerId(workerId)
                .taskId(task.taskId())
                .fencingToken(task.fencingToken())
                .retryable((short)(inFlight.retryable ? 1 : 0))
                .error(inFlight.error);
            length = MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
        }
        else
        {
            final TaskCompletedEncoder e = new TaskCompletedEncoder().wrapAndApplyHeader(buffer, 0, headerEncoder)
                .workerId(workerId)
                .taskId(task.taskId())
                .fencingToken(task.fencingToken())
                .putOutput(inFlight.output, 0, inFlight.output.length);
            length = MessageHeaderEncoder.ENCODED_LENGTH + e.encodedLength();
        }
        if (length > maxMessageLength)
        {
            // the output cannot travel: the attempt fails for good rather than expire again and again
            inFlight.failed = true;
            inFlight.retryable = false;
            inFlight.error = "the output of " + (null == inFlight.output ? 0 : inFlight.output.length) +
                " bytes exceeds the largest frame this worker can send (" + maxMessageLength + ")";
            inFlight.output = null;
            encodeOutcome(inFlight);
            return;
        }
        inFlight.frame = new UnsafeBuffer(buffer.byteArray(), 0, length);
        inFlight.frameLength = length;
        inFlight.lastSentNs = 0;
        inFlight.sends = 0;
        sendOutcome(inFlight);
    }

    private boolean canSend()
    {
        final Phase phase = this.phase;
        return Phase.ACTIVE == phase || Phase.LEAVING == phase || Phase.FINAL_GOODBYE == phase;
    }

    private void sendOutcome(final InFlight inFlight)
    {
        if (!canSend())
        {
            return;
        }
        if (offer(inFlight.frame, inFlight.frameLength))
        {
            add(0 == inFlight.sends ? Count.SENT_OUTCOMES : Count.RESENT_OUTCOMES);
            inFlight.lastSentNs = nowNs;
            inFlight.sends++;
        }
        else if (0 == inFlight.lastSentNs)
        {
            unsentOutcomes = true; // pushed back before it ever went: again on the next cycle
        }
    }

    private int resendOutcomes()
    {
        if (byToken.isEmpty() || !canSend() || (!unsentOutcomes && nowNs - nextResendScanNs < 0))
        {
            return 0; // resends are due at most every resend interval: look at most every millisecond
        }
        nextResendScanNs = nowNs + RESEND_SCAN_INTERVAL_NS;
        unsentOutcomes = false;
        final long intervalNs = resendIntervalNs;
        int work = 0;
        boolean unanswered = false;
        for (final InFlight inFlight : byToken.values())
        {
            if (inFlight.awaitingAnswer() && (0 == inFlight.lastSentNs || nowNs - inFlight.lastSentNs >= intervalNs))
            {
                unanswered |= inFlight.sends >= UNANSWERED_SENDS_BEFORE_HELLO;
                sendOutcome(inFlight);
                work++;
            }
        }
        if (unanswered && Phase.ACTIVE == phase)
        {
            // outcomes go unanswered: the engine may not know this connection any more (it restarted)
            for (final InFlight inFlight : byToken.values())
            {
                inFlight.sends = 0;
            }
            phase = Phase.HELLO;
            notWelcomedSinceNs = nowNs;
            sendHello();
            notify(() -> listener.onDisconnected(worker, "an outcome went unanswered"));
        }
        return work;
    }

    private int heartbeats()
    {
        if (!canSend() || nowNs - lastHeartbeatNs < heartbeatIntervalNs)
        {
            return 0;
        }
        lastHeartbeatNs = nowNs;
        int work = 0;
        for (final InFlight inFlight : byToken.values())
        {
            work += heartbeat(inFlight.task.taskId(), inFlight.task.fencingToken());
        }
        if (0 == work)
        {
            work += heartbeat(0, 0); // liveness: the endpoint takes a silent worker for gone
        }
        return work;
    }

    private int heartbeat(final long taskId, final long token)
    {
        heartbeat.wrapAndApplyHeader(small, 0, headerEncoder).workerId(workerId).taskId(taskId).fencingToken(token);
        if (offer(small, MessageHeaderEncoder.ENCODED_LENGTH + HeartbeatEncoder.BLOCK_LENGTH))
        {
            add(Count.HEARTBEATS);
            return 1;
        }
        return 0;
    }

    private void abandon(final InFlight inFlight, final String reason)
    {
        add(Count.ABANDONED);
        notify(() -> listener.onAbandoned(inFlight.task, reason));
    }

    // ---------------------------------------------------------------------------------------------- leaving

    private int leave()
    {
        final long requestedNs = closeRequestedNs;
        if (0 == requestedNs)
        {
            return 0;
        }
        switch (phase)
        {
            case ACTIVE ->
            {
                leaveDeadlineNs = requestedNs + TimeUnit.MILLISECONDS.toNanos(ctx.closeTimeoutMs());
                goodbyeAcked = false;
                phase = Phase.LEAVING;
                sendGoodbye();
                return 1;
            }
            case CONNECTING, HELLO, REJECTED ->
            {
                // never welcomed (or lost): nobody to say goodbye to; what is held can no longer be answered
                abandonAll("the worker closed while not connected to the engine");
                phase = Phase.DONE;
                done.countDown();
                return 1;
            }
            case LEAVING ->
            {
                if (byToken.isEmpty() && (goodbyeAcked || nowNs - requestedNs > FINAL_ACK_TIMEOUT_NS))
                {
                    goodbyeAcked = false;
                    finalGoodbyeNs = nowNs;
                    phase = Phase.FINAL_GOODBYE;
                    sendGoodbye();
                    return 1;
                }
                if (!goodbyeAcked && nowNs - lastHelloNs > TimeUnit.MILLISECONDS.toNanos(ctx.helloIntervalMs()))
                {
                    sendGoodbye(); // not acknowledged yet: again
                }
                if (nowNs - leaveDeadlineNs > 0)
                {
                    abandonAll("the worker closed before the engine answered (close timeout " +
                        ctx.closeTimeoutMs() + " ms)");
                    goodbyeAcked = false;
                    finalGoodbyeNs = nowNs;
                    phase = Phase.FINAL_GOODBYE;
                    sendGoodbye();
                    return 1;
                }
            }
            case FINAL_GOODBYE ->
            {
                if (goodbyeAcked || nowNs - finalGoodbyeNs > FINAL_ACK_TIMEOUT_NS)
                {
                    phase = Phase.DONE;
                    done.countDown();
                    return 1;
                }
                if (nowNs - lastHelloNs > TimeUnit.MILLISECONDS.toNanos(ctx.helloIntervalMs()))
                {
                    sendGoodbye(); // resend until acknowledged
                }
            }
            default ->
            {
                // DONE
            }
        }
        return 0;
    }

    private void sendGoodbye()
    {
        lastHelloNs = nowNs;
        goodbye.wrapAndApplyHeader(small, 0, headerEncoder).workerId(workerId);
        if (!offer(small, MessageHeaderEncoder.ENCODED_LENGTH + WorkerGoodbyeEncoder.BLOCK_LENGTH))
        {
            lastHelloNs = 0;
        }
    }

    private void abandonAll(final String reason)
    {
        for (final InFlight inFlight : new ArrayList<>(byToken.values()))
        {
            abandon(inFlight, reason);
        }
        byToken.clear();
    }

    private void notify(final Runnable callback)
    {
        try
        {
            callback.run();
        }
        catch (final RuntimeException ex)
        {
            System.err.println("axiom worker " + workerId + ": the listener threw " + ex);
        }
    }
}
