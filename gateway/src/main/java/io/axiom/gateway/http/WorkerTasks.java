package io.axiom.gateway.http;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import io.axiom.core.Engine;
import io.axiom.core.EngineClient;
import io.axiom.core.ReplyReader;
import io.axiom.core.ReplySink;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
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
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The HTTP worker API's way into the engine, shared by REST and GraphQL: it speaks the worker protocol (the wire
 * schema, {@code io.axiom.wire}) on the engine's ring through {@link EngineClient#offerWorkerFrame}, so that workers
 * over HTTP use the same dealer, leases and fencing as workers over Aeron.
 * <p>
 * <b>A fetch is a short worker session.</b> It says WorkerHello (capacity = {@code max_tasks}, its step names) with a
 * sink of its own, waits on the request's (virtual) thread until the dealer has sent it a task or {@code wait_ms}
 * has passed, then says WorkerGoodbye and waits for the engine's acknowledgement (a Welcome) before it answers. The
 * engine releases the replies of a batch in order, and every TaskAssigned dealt to the session was released before
 * the acknowledgement of its goodbye, after which the dealer deals it nothing more: so every task dealt to the fetch
 * is in its answer, none is lost between the end of the long poll and the goodbye. The sink runs on the processor
 * thread and only copies bytes and wakes the waiting thread; decoding happens on the request thread.
 * <p>
 * <b>Completions, failures and heartbeats</b> are single frames judged by their fencing token, not by a session:
 * a completion answers CompletionAccepted or CompletionRejected (STALE_FENCING_TOKEN, ALREADY_COMMITTED with the
 * committed output, UNKNOWN_TASK, MALFORMED, NO_ROOM), each turned into an {@link EngineReply.Problem} that
 * {@link EngineProblems} words for REST and GraphQL alike. A heartbeat has no answer in the protocol: it is
 * {@link Received}, not judged.
 * <p>
 * What HTTP cannot promise: an answer lost in transit (the client went away during the long poll) carries leases
 * nobody runs; those tasks go back to their queues when their leases expire, as any worker's would.
 */
public final class WorkerTasks
{
    /** Code of a WorkerHello the engine refused (the gateway checks first, so this means a mismatch of limits). */
    public static final String HELLO_REJECTED = "HELLO_REJECTED";

    private static final System.Logger LOG = System.getLogger(WorkerTasks.class.getName());
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final ReplySink NO_ANSWER = (replyTo, buffer, offset, length) ->
    {
    };
    /** TaskAssigned frames that reached a fetch after it had answered (only after a goodbye nobody acknowledged). */
    private static final AtomicLong LATE_DISPATCHES = new AtomicLong();

    private final Engine engine;
    private final EngineClient client;
    private final Duration timeout;
    private final LongPolls longPolls;

    /**
     * A task dealt to a fetch, as TaskAssigned says it.
     *
     * @param taskId          the task (a workflow has one task at a time, so this is the workflow id).
     * @param workflowId      the workflow.
     * @param stepIndex       the step.
     * @param step            its name.
     * @param attempt         the attempt, from 1.
     * @param fencingToken    the lease's token, to be sent with the completion, failure or heartbeat.
     * @param leaseExpiresAt  epoch ms when the lease ends unless a heartbeat extends it.
     * @param attemptDeadline epoch ms after which the attempt fails TIMED_OUT whatever the heartbeats.
     * @param idempotencyKey  the same on every attempt of the step, for downstream systems to deduplicate.
     * @param inputJson       the workflow's input as JSON text, or null.
     */
    public record Task(long taskId, long workflowId, int stepIndex, String step, int attempt, long fencingToken,
        long leaseExpiresAt, long attemptDeadline, String idempotencyKey, String inputJson)
    {
    }

    /** What the engine made of a worker's request. */
    public sealed interface Outcome permits Fetched, Accepted, Received, Refused
    {
    }

    /**
     * The tasks a fetch got, possibly none.
     *
     * @param tasks in the order they were dealt.
     * @param cut   true when the wait ended early because the server stops serving.
     */
    public record Fetched(List<Task> tasks, boolean cut) implements Outcome
    {
    }

    /**
     * A completion committed, or a failure was recorded.
     *
     * @param taskId       the task.
     * @param fencingToken the token it was accepted with.
     */
    public record Accepted(long taskId, long fencingToken) implements Outcome
    {
    }

    /**
     * A heartbeat was put on the ring: it extends the lease if the token is the current one (the protocol does not
     * answer heartbeats).
     *
     * @param taskId       the task.
     * @param fencingToken the token it was sent with.
     */
    public record Received(long taskId, long fencingToken) implements Outcome
    {
    }

    /**
     * Refused (nothing was written), or no answer in time.
     *
     * @param problem         status, code and detail, for {@link EngineProblems}.
     * @param committedOutput with ALREADY_COMMITTED: the output that committed as JSON text (null for none).
     */
    public record Refused(EngineReply.Problem problem, String committedOutput) implements Outcome
    {
    }

    /**
     * @param engine  the engine.
     * @param timeout how long a request waits for the engine (gateway.request-timeout-ms).
     */
    public WorkerTasks(final Engine engine, final Duration timeout)
    {
        this(engine, timeout, new LongPolls());
    }

    /**
     * @param engine    the engine.
     * @param timeout   how long a request waits for the engine (gateway.request-timeout-ms).
     * @param longPolls when fetches stop waiting early (the server stops serving).
     */
    public WorkerTasks(final Engine engine, final Duration timeout, final LongPolls longPolls)
    {
        this.engine = engine;
        this.client = engine.client();
        this.timeout = timeout;
        this.longPolls = longPolls;
    }

    /**
     * @return TaskAssigned frames that reached a fetch after it had answered, since start (0 unless the engine
     * stalled past a goodbye).
     */
    public static long lateDispatches()
    {
        return LATE_DISPATCHES.get();
    }

    /**
     * Fetch and lock up to {@code maxTasks} tasks of the given step names, waiting up to {@code waitMs} for the
     * first. Blocks the calling thread (never the processor).
     *
     * @param fetch what to fetch.
     * @return {@link Fetched}, or {@link Refused}.
     */
    public Outcome fetch(final RequestParser.Fetch fetch)
    {
        final long startNs = System.nanoTime();
        final Connection session = new Connection();
        final byte[][] names = new byte[fetch.steps().size()][];
        int length = MessageHeaderEncoder.ENCODED_LENGTH + WorkerHelloEncoder.BLOCK_LENGTH +
            WorkerHelloEncoder.StepNamesEncoder.HEADER_SIZE + WorkerHelloEncoder.responseChannelHeaderLength();
        for (int i = 0; i < names.length; i++)
        {
            names[i] = fetch.steps().get(i).getBytes(StandardCharsets.UTF_8);
            length += WorkerHelloEncoder.StepNamesEncoder.sbeBlockLength() +
                WorkerHelloEncoder.StepNamesEncoder.nameHeaderLength() + names[i].length;
        }
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[length]);
        final WorkerHelloEncoder hello = new WorkerHelloEncoder()
            .wrapAndApplyHeader(frame, 0, new MessageHeaderEncoder())
            .workerId(workerId(fetch.workerId()))
            .capacity(fetch.maxTasks())
            .responseStreamId(0);
        final WorkerHelloEncoder.StepNamesEncoder group = hello.stepNamesCount(names.length);
        for (final byte[] name : names)
        {
            group.next().putName(name, 0, name.length);
        }
        hello.putResponseChannel(new byte[0], 0, 0);
        final Refused notOffered = offer(frame, MessageHeaderEncoder.ENCODED_LENGTH + hello.encodedLength(), session,
            session);
        if (null != notOffered)
        {
            return notOffered;
        }

        // The hello's answer comes first; with it come the tasks dealt in the same duty cycle.
        final long answerDeadlineNs = startNs + timeout.toNanos();
        session.await(() -> session.answers >= 1, answerDeadlineNs);
        if (null != session.refusal)
        {
            return session.refusal; // no session was registered, nothing to say goodbye to
        }
        boolean cut = false;
        if (session.answers >= 1)
        {
            final long waitDeadlineNs = startNs + TimeUnit.MILLISECONDS.toNanos(fetch.waitMs());
            session.await(() -> !session.tasks.isEmpty() || ending(), waitDeadlineNs);
            cut = session.tasks.isEmpty() && ending();
        }

        // Goodbye, then wait for its acknowledgement: every task dealt before it is in the inbox by then.
        final boolean acknowledged = goodbye(session);
        session.closed = true;
        session.drain();
        final Refused stopped = engineStopped();
        if (null != stopped)
        {
            return stopped;
        }
        if (null != session.refusal)
        {
            return session.refusal; // the hello's refusal came after its wait
        }
        if (!acknowledged)
        {
            if (session.tasks.isEmpty())
            {
                return new Refused(timedOut(), null);
            }
            LOG.log(System.Logger.Level.WARNING, "an HTTP fetch for " + fetch.steps() + " answers with " +
                session.tasks.size() + " task(s) without the engine's acknowledgement of its goodbye within " +
                timeout.toMillis() + " ms; a task dealt to it later returns to its queue when its lease expires");
        }
        return new Fetched(List.copyOf(session.tasks), cut);
    }

    /**
     * @return true when a long poll must end now: the server stops serving, or the engine stopped.
     */
    private boolean ending()
    {
        return longPolls.ending() || null != engine.failure() || engine.isClosed();
    }

    /**
     * @param taskId the task (workflow id).
     * @param token  the lease's fencing token.
     * @param output the output as JSON bytes, or null for none.
     * @return {@link Accepted} or {@link Refused}.
     */
    public Outcome complete(final long taskId, final long token, final byte[] output)
    {
        final byte[] bytes = null == output ? new byte[0] : output;
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH +
            TaskCompletedEncoder.BLOCK_LENGTH + TaskCompletedEncoder.outputHeaderLength() + bytes.length]);
        final TaskCompletedEncoder encoder = new TaskCompletedEncoder()
            .wrapAndApplyHeader(frame, 0, new MessageHeaderEncoder())
            .workerId(0)
            .taskId(taskId)
            .fencingToken(token)
            .putOutput(bytes, 0, bytes.length);
        return judged(frame, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * @param taskId    the task (workflow id).
     * @param token     the lease's fencing token.
     * @param retryable false to fail the workflow whatever attempts remain.
     * @param error     what went wrong, at most {@link RequestParser#MAX_ERROR_BYTES} in UTF-8.
     * @return {@link Accepted} or {@link Refused}.
     */
    public Outcome fail(final long taskId, final long token, final boolean retryable, final String error)
    {
        final byte[] text = error.getBytes(StandardCharsets.UTF_8);
        final UnsafeBuffer frame = new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH +
            TaskFailedEncoder.BLOCK_LENGTH + TaskFailedEncoder.errorHeaderLength() + text.length]);
        final TaskFailedEncoder encoder = new TaskFailedEncoder()
            .wrapAndApplyHeader(frame, 0, new MessageHeaderEncoder())
            .workerId(0)
            .taskId(taskId)
            .fencingToken(token)
            .retryable((short)(retryable ? 1 : 0))
            .putError(text, 0, text.length);
        return judged(frame, MessageHeaderEncoder.ENCODED_LENGTH + encoder.encodedLength());
    }

    /**
     * @param taskId the task (workflow id).
     * @param token  the lease's fencing token.
     * @return {@link Received} once the heartbeat is on the ring, or {@link Refused} (ring full, engine stopped).
     */
    public Outcome heartbeat(final long taskId, final long token)
    {
        final UnsafeBuffer frame =
            new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH + HeartbeatEncoder.BLOCK_LENGTH]);
        new HeartbeatEncoder()
            .wrapAndApplyHeader(frame, 0, new MessageHeaderEncoder())
            .workerId(0)
            .taskId(taskId)
            .fencingToken(token);
        final Refused notOffered = offer(frame, frame.capacity(), NO_ANSWER, new Object());
        return null != notOffered ? notOffered : new Received(taskId, token);
    }

    /**
     * @param refused a refusal.
     * @return true when it is the engine's judgement of the token or task (not a timeout or overload).
     */
    public static boolean isRejection(final Refused refused)
    {
        final String code = refused.problem().code();
        for (final RejectReason reason : RejectReason.values())
        {
            if (reason != RejectReason.NULL_VAL && reason.name().equals(code))
            {
                return true;
            }
        }
        return false;
    }

    private Outcome judged(final UnsafeBuffer frame, final int length)
    {
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final Connection connection = new Connection();
        final Refused notOffered = offer(frame, length, connection, connection);
        if (null != notOffered)
        {
            return notOffered;
        }
        connection.await(() -> null != connection.verdict || null != connection.refusal, deadlineNs);
        if (null != connection.verdict)
        {
            return connection.verdict;
        }
        if (null != connection.refusal)
        {
            return connection.refusal;
        }
        final Refused stopped = engineStopped();
        return null != stopped ? stopped : new Refused(timedOut(), null);
    }

    /**
     * Say goodbye for a fetch and wait for the acknowledgement. A full ring is tried again for up to twice the
     * request timeout: a session left behind would be dealt tasks nobody takes.
     */
    private boolean goodbye(final Connection session)
    {
        final UnsafeBuffer frame =
            new UnsafeBuffer(new byte[MessageHeaderEncoder.ENCODED_LENGTH + WorkerGoodbyeEncoder.BLOCK_LENGTH]);
        new WorkerGoodbyeEncoder().wrapAndApplyHeader(frame, 0, new MessageHeaderEncoder()).workerId(0);
        final long giveUpNs = System.nanoTime() + 2 * timeout.toNanos();
        while (null != offer(frame, frame.capacity(), session, session))
        {
            if (null != engineStopped() || System.nanoTime() - giveUpNs >= 0)
            {
                LOG.log(System.Logger.Level.ERROR, "an HTTP fetch could not say goodbye (the command ring stayed " +
                    "full); tasks dealt to it return to their queues when their leases expire");
                return false;
            }
        }
        // The hello's answer and the goodbye's.
        return session.await(() -> session.answers >= 2, System.nanoTime() + timeout.toNanos());
    }

    /**
     * @return null when the frame is on the ring, else why not (nothing was put on it).
     */
    private Refused offer(final DirectBuffer frame, final int length, final ReplySink sink, final Object replyTo)
    {
        final Refused stopped = engineStopped();
        if (null != stopped)
        {
            return stopped;
        }
        if (client.offerWorkerFrame(frame, 0, length, sink, replyTo, timeout))
        {
            return null;
        }
        final Refused stoppedNow = engineStopped();
        return null != stoppedNow ? stoppedNow : new Refused(new EngineReply.Problem(Status.OVERLOADED, "OVERLOADED",
            "the engine's command ring stayed full for " + timeout.toMillis() + " ms; nothing was sent, retry later"),
            null);
    }

    private Refused engineStopped()
    {
        if (null != engine.failure())
        {
            return new Refused(new EngineReply.Problem(Status.UNAVAILABLE, EngineProblems.ENGINE_FAILED,
                EngineProblems.engineFailed()), null);
        }
        if (engine.isClosed())
        {
            return new Refused(new EngineReply.Problem(Status.UNAVAILABLE, "ENGINE_STOPPED",
                "the engine is shutting down"), null);
        }
        return null;
    }

    private static EngineReply.Problem timedOut()
    {
        return new EngineReply.Problem(Status.UNAVAILABLE, EngineProblems.TIMEOUT, "no reply from the engine in time");
    }

    /**
     * @param workerId the worker's name for itself, or null.
     * @return the number the log records for it (StepLeased's worker_id): a decimal number as it is, other text as a
     * stable 63-bit hash of it (FNV-1a), 0 for none.
     */
    static long workerId(final String workerId)
    {
        if (null == workerId)
        {
            return 0;
        }
        if (workerId.length() <= 18 && workerId.chars().allMatch(c -> c >= '0' && c <= '9'))
        {
            return Long.parseLong(workerId);
        }
        long hash = 0xcbf29ce484222325L;
        for (final byte b : workerId.getBytes(StandardCharsets.UTF_8))
        {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash & Long.MAX_VALUE;
    }

    /**
     * @param reason a CompletionRejected's reason.
     * @param detail its detail.
     * @return the same as a problem: STALE_FENCING_TOKEN and ALREADY_COMMITTED conflict (409), UNKNOWN_TASK is not
     * found (404), MALFORMED is invalid (400), NO_ROOM is insufficient storage (507).
     */
    private static EngineReply.Problem problem(final RejectReason reason, final String detail)
    {
        final Status status = switch (reason)
        {
            case STALE_FENCING_TOKEN, ALREADY_COMMITTED -> Status.CONFLICT;
            case UNKNOWN_TASK -> Status.NOT_FOUND;
            case MALFORMED -> Status.INVALID;
            case NO_ROOM -> Status.INSUFFICIENT_STORAGE;
            default -> Status.INTERNAL;
        };
        return new EngineReply.Problem(status, reason.name(), detail);
    }

    /**
     * One connection to the engine as the worker protocol sees it: the sink its answers and dispatches go to, and
     * its identity ({@code replyTo}). The processor thread only copies bytes into the inbox and wakes the waiter.
     */
    private static final class Connection implements ReplySink
    {
        private final Thread waiter = Thread.currentThread();
        private final ConcurrentLinkedQueue<byte[]> inbox = new ConcurrentLinkedQueue<>();
        private final MessageHeaderDecoder header = new MessageHeaderDecoder();
        private final List<Task> tasks = new ArrayList<>();
        private volatile boolean closed;
        /** Welcome, HelloRejected or a problem: the answers to hello and goodbye. */
        private int answers;
        private Refused refusal;
        private Outcome verdict;

        @Override
        public void onReply(final Object replyTo, final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            if (closed)
            {
                late(copy);
                return;
            }
            inbox.add(copy);
            LockSupport.unpark(waiter);
            if (closed)
            {
                // The fetch answered while this frame went in: whatever its last look missed is late.
                byte[] missed;
                while (null != (missed = inbox.poll()))
                {
                    late(missed);
                }
            }
        }

        /**
         * Wait on the request's thread until the condition holds over what has arrived, the deadline passes or the
         * engine stops.
         *
         * @return whether the condition holds.
         */
        boolean await(final BooleanSupplier condition, final long deadlineNs)
        {
            while (true)
            {
                drain();
                if (condition.getAsBoolean())
                {
                    return true;
                }
                final long remainingNs = deadlineNs - System.nanoTime();
                if (remainingNs <= 0)
                {
                    return false;
                }
                LockSupport.parkNanos(this, Math.min(remainingNs, MAX_PARK_NS));
            }
        }

        void drain()
        {
            byte[] frame;
            while (null != (frame = inbox.poll()))
            {
                decode(frame);
            }
        }

        private void decode(final byte[] bytes)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            header.wrap(buffer, 0);
            if (header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
            {
                // The engine's own reply schema: a refusal of the frame as a whole (e.g. a version it does not speak).
                final EngineReply reply = ReplyReader.read(buffer, 0, bytes.length);
                answers++;
                refusal = new Refused(reply instanceof EngineReply.Problem p ? p :
                    new EngineReply.Problem(Status.INTERNAL, "INTERNAL_ERROR", "unexpected engine reply"), null);
                return;
            }
            final int body = MessageHeaderDecoder.ENCODED_LENGTH;
            final int block = header.blockLength();
            final int version = header.version();
            switch (header.templateId())
            {
                case WelcomeDecoder.TEMPLATE_ID -> answers++;
                case HelloRejectedDecoder.TEMPLATE_ID ->
                {
                    final HelloRejectedDecoder d = new HelloRejectedDecoder().wrap(buffer, body, block, version);
                    answers++;
                    refusal = new Refused(new EngineReply.Problem(Status.INVALID, HELLO_REJECTED,
                        "the engine refused this worker: " + d.reason()), null);
                }
                case TaskAssignedDecoder.TEMPLATE_ID -> tasks.add(task(buffer, body, block, version));
                case CompletionAcceptedDecoder.TEMPLATE_ID ->
                {
                    final CompletionAcceptedDecoder d =
                        new CompletionAcceptedDecoder().wrap(buffer, body, block, version);
                    verdict = new Accepted(d.taskId(), d.fencingToken());
                }
                case CompletionRejectedDecoder.TEMPLATE_ID ->
                {
                    final CompletionRejectedDecoder d =
                        new CompletionRejectedDecoder().wrap(buffer, body, block, version);
                    final RejectReason reason = d.reason();
                    final String detail = d.detail();
                    final byte[] output = new byte[d.committedOutputLength()];
                    d.getCommittedOutput(output, 0, output.length);
                    verdict = new Refused(problem(reason, detail),
                        output.length == 0 ? null : new String(output, StandardCharsets.UTF_8));
                }
                default -> LOG.log(System.Logger.Level.WARNING, "an HTTP worker got an unexpected worker frame " +
                    "(template " + header.templateId() + ") and ignored it");
            }
        }

        private static Task task(final DirectBuffer buffer, final int body, final int block, final int version)
        {
            final TaskAssignedDecoder d = new TaskAssignedDecoder().wrap(buffer, body, block, version);
            final long taskId = d.taskId();
            final long workflowId = d.workflowId();
            final int stepIndex = d.stepIndex();
            final int attempt = d.attempt();
            final long token = d.fencingToken();
            final long leaseExpiresAt = d.leaseExpiresAt();
            final long attemptDeadline = d.attemptDeadline();
            final String step = d.stepName();
            final String key = d.idempotencyKey();
            final byte[] input = new byte[d.inputLength()];
            d.getInput(input, 0, input.length);
            return new Task(taskId, workflowId, stepIndex, step, attempt, token, leaseExpiresAt, attemptDeadline, key,
                input.length == 0 ? null : new String(input, StandardCharsets.UTF_8));
        }

        /**
         * A frame after the fetch answered: only a TaskAssigned matters, and it cannot be handed to anyone now; its
         * lease expires and the task is dealt again. Logged off the processor thread.
         */
        private static void late(final byte[] bytes)
        {
            final UnsafeBuffer buffer = new UnsafeBuffer(bytes);
            final MessageHeaderDecoder h = new MessageHeaderDecoder().wrap(buffer, 0);
            if (h.schemaId() != MessageHeaderDecoder.SCHEMA_ID || h.templateId() != TaskAssignedDecoder.TEMPLATE_ID)
            {
                return;
            }
            LATE_DISPATCHES.incrementAndGet();
            Thread.ofVirtual().start(() ->
            {
                final Task task = task(buffer, MessageHeaderDecoder.ENCODED_LENGTH, h.blockLength(), h.version());
                LOG.log(System.Logger.Level.WARNING, "task " + task.taskId() + " (step " + task.step() + ", attempt " +
                    task.attempt() + ") was dealt to an HTTP fetch that had already answered; it returns to its " +
                    "queue when its lease expires at " + JsonViews.isoTime(task.leaseExpiresAt()));
            });
        }
    }
}
