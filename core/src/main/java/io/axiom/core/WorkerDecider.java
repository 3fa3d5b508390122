package io.axiom.core;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.FailureKind;
import io.axiom.codecs.StepCompletedDecoder;
import io.axiom.codecs.StepLeasedDecoder;
import io.axiom.journal.RecordHandler;
import io.axiom.wire.CompletionAcceptedEncoder;
import io.axiom.wire.CompletionRejectedEncoder;
import io.axiom.wire.HeartbeatDecoder;
import io.axiom.wire.HelloRejectedEncoder;
import io.axiom.wire.MessageHeaderDecoder;
import io.axiom.wire.MessageHeaderEncoder;
import io.axiom.wire.RejectReason;
import io.axiom.wire.TaskCompletedDecoder;
import io.axiom.wire.TaskFailedDecoder;
import io.axiom.wire.WelcomeEncoder;
import io.axiom.wire.WorkerGoodbyeDecoder;
import io.axiom.wire.WorkerHelloDecoder;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * The worker protocol's frames (the wire schema, {@code io.axiom.wire}), as the transport and the HTTP worker API put
 * them on the ring: hello and goodbye (the {@link Dealer}'s sessions), heartbeats (a lease's expiry moves on, nothing is
 * logged), and a task's outcome.
 * <p>
 * <b>Fencing.</b> A completion or failure counts only with the step's current lease token (the position of its
 * StepLeased event): then StepCompleted (by WORKER, with the token) or StepAttemptFailed is written and the answer is
 * CompletionAccepted. Otherwise nothing is written: a token whose lease committed the step answers ALREADY_COMMITTED
 * with the committed output (an idempotent repeat); any other token of the workflow answers STALE_FENCING_TOKEN (its
 * lease expired, or an operator completed the step); a task or token the log does not know answers UNKNOWN_TASK.
 */
final class WorkerDecider
{
    /** Most tasks one worker may hold at once. */
    static final int MAX_CAPACITY = 100_000;
    private static final int MAX_STEP_NAMES = 1024;

    private final EngineState state;
    private final EventWriter events;
    private final StepFlow flow;
    private final Dealer dealer;
    private final ReplyArena arena;
    private final Replies replies;
    private final int maxOutputBytes;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final WorkerHelloDecoder hello = new WorkerHelloDecoder();
    private final HeartbeatDecoder heartbeat = new HeartbeatDecoder();
    private final TaskCompletedDecoder completed = new TaskCompletedDecoder();
    private final TaskFailedDecoder failed = new TaskFailedDecoder();
    private final WorkerGoodbyeDecoder goodbye = new WorkerGoodbyeDecoder();
    private final WelcomeEncoder welcome = new WelcomeEncoder();
    private final HelloRejectedEncoder helloRejected = new HelloRejectedEncoder();
    private final CompletionAcceptedEncoder accepted = new CompletionAcceptedEncoder();
    private final CompletionRejectedEncoder rejected = new CompletionRejectedEncoder();
    private final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    private final TokenLookup lookup = new TokenLookup();
    private final UnsafeBuffer empty = new UnsafeBuffer(new byte[0]);
    private long completionsAccepted;
    private long failuresAccepted;
    private final long[] rejections = new long[RejectReason.values().length];

    WorkerDecider(
        final EngineContext ctx,
        final EngineState state,
        final EventWriter events,
        final StepFlow flow,
        final Dealer dealer,
        final Replies replies)
    {
        this.state = state;
        this.events = events;
        this.flow = flow;
        this.dealer = dealer;
        this.replies = replies;
        this.arena = replies.arena();
        this.maxOutputBytes = ctx.maxInputBytes();
    }

    /**
     * @param buffer holding a wire-schema frame, message header included.
     * @param offset of the frame.
     * @param length of the frame.
     * @param sink   where answers to this worker go.
     * @param replyTo the worker connection's token (the same for all its frames).
     */
    void onFrame(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final ReplySink sink,
        final Object replyTo)
    {
        header.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int block = header.blockLength();
        final int version = header.version();
        final int end = offset + length;
        switch (header.templateId())
        {
            case WorkerHelloDecoder.TEMPLATE_ID -> onHello(buffer, body, block, version, end, sink, replyTo);
            case HeartbeatDecoder.TEMPLATE_ID -> onHeartbeat(heartbeat.wrap(buffer, body, block, version));
            case TaskCompletedDecoder.TEMPLATE_ID -> onCompleted(buffer, body, block, version, end, sink, replyTo);
            case TaskFailedDecoder.TEMPLATE_ID -> onFailed(buffer, body, block, version, end, sink, replyTo);
            case WorkerGoodbyeDecoder.TEMPLATE_ID ->
            {
                goodbye.wrap(buffer, body, block, version);
                dealer.disconnect(replyTo);
                if (null != sink)
                {
                    welcome(sink, replyTo, goodbye.workerId());
                }
            }
            default -> rejected(sink, replyTo, 0, 0, RejectReason.MALFORMED,
                "unknown worker frame template " + header.templateId(), -1);
        }
    }

    /**
     * Answer a frame the engine cannot read: HelloRejected for a hello, CompletionRejected(MALFORMED) otherwise.
     */
    void refuse(final ReplySink sink, final Object replyTo, final int templateId, final String why)
    {
        if (WorkerHelloDecoder.TEMPLATE_ID == templateId)
        {
            helloRejected(sink, replyTo, 0, why);
        }
        else
        {
            rejected(sink, replyTo, 0, 0, RejectReason.MALFORMED, why, -1);
        }
    }

    private void helloRejected(final ReplySink sink, final Object replyTo, final long workerId, final String problem)
    {
        if (null == sink)
        {
            return;
        }
        final int offset = arena.begin(sink, replyTo);
        if (arena.reserve(offset, 256 + 3L * problem.length()))
        {
            helloRejected.wrapAndApplyHeader(arena.buffer(), offset, headerEncoder)
                .workerId(workerId)
                .reason(problem);
            arena.commit(MessageHeaderEncoder.ENCODED_LENGTH + helloRejected.encodedLength());
        }
        else
        {
            arena.abort();
        }
    }

    private void onHello(
        final DirectBuffer buffer,
        final int body,
        final int block,
        final int version,
        final int end,
        final ReplySink sink,
        final Object replyTo)
    {
        final WorkerHelloDecoder d = hello.wrap(buffer, body, block, version);
        final long workerId = d.workerId();
        final int capacity = d.capacity();
        final WorkerHelloDecoder.StepNamesDecoder names = d.stepNames();
        final int count = names.count();
        String problem = null;
        if (null == replyTo)
        {
            problem = "a worker connection must carry a reply token";
        }
        else if (capacity < 1 || capacity > MAX_CAPACITY)
        {
            problem = "capacity must be between 1 and " + MAX_CAPACITY + ", got " + capacity;
        }
        else if (0 == count || count > MAX_STEP_NAMES)
        {
            problem = "a worker must name between 1 and " + MAX_STEP_NAMES + " step names, got " + count;
        }
        final String[] stepNames = new String[count];
        for (int i = 0; i < count && null == problem; i++)
        {
            stepNames[i] = names.next().name();
            if (stepNames[i].isEmpty())
            {
                problem = "step name " + i + " is empty";
            }
        }
        if (null == problem)
        {
            d.skipResponseChannel();
            if (d.limit() != end)
            {
                problem = "WorkerHello has " + (end - d.limit()) + " trailing bytes";
            }
        }
        if (null != problem)
        {
            helloRejected(sink, replyTo, workerId, problem);
            return;
        }
        dealer.connect(sink, replyTo, workerId, capacity, stepNames);
        welcome(sink, replyTo, workerId);
    }

    private void welcome(final ReplySink sink, final Object replyTo, final long workerId)
    {
        final int offset = arena.begin(sink, replyTo);
        if (!arena.reserve(offset, 64))
        {
            arena.abort();
            return;
        }
        welcome.wrapAndApplyHeader(arena.buffer(), offset, headerEncoder)
            .workerId(workerId)
            .leaseDurationMs(dealer.leaseDurationMs());
        arena.commit(MessageHeaderEncoder.ENCODED_LENGTH + WelcomeEncoder.BLOCK_LENGTH);
    }

    private void onHeartbeat(final HeartbeatDecoder d)
    {
        final Workflow workflow = state.workflow(d.taskId());
        if (null != workflow && null != workflow.lease && workflow.lease.token == d.fencingToken())
        {
            // soft state: a heartbeat moves the lease's expiry on, never logged and without touching the timer
            // wheel: the lease's timer, when it comes, finds the later expiry and is set again
            workflow.lease.expiresAt = events.now() + dealer.leaseDurationMs();
        }
    }

    private void onCompleted(
        final DirectBuffer buffer,
        final int body,
        final int block,
        final int version,
        final int end,
        final ReplySink sink,
        final Object replyTo)
    {
        final TaskCompletedDecoder d = completed.wrap(buffer, body, block, version);
        final long taskId = d.taskId();
        final long token = d.fencingToken();
        final int outputLength = d.outputLength();
        d.wrapOutput(payload);
        if (d.limit() != end)
        {
            rejected(sink, replyTo, taskId, token, RejectReason.MALFORMED, "TaskCompleted has " + (end - d.limit()) +
                " trailing bytes", -1);
            return;
        }
        final Workflow workflow = currentLease(sink, replyTo, taskId, token);
        if (null == workflow)
        {
            return;
        }
        final int maxOutput = Math.min(maxOutputBytes, events.maxPayloadLength() -
            EventWriter.stepCompletedLength(0, 0));
        if (outputLength > maxOutput)
        {
            rejected(sink, replyTo, taskId, token, RejectReason.MALFORMED, "output of " + outputLength +
                " bytes exceeds the limit of " + maxOutput + "; the lease stays until it expires", -1);
            return;
        }
        if (!events.ensureRoom(EventWriter.frameBound(EventWriter.stepCompletedLength(outputLength, 0)) +
            StepFlow.SCHEDULE_BOUND) || !arena.reserve(arena.nextOffset(), 64))
        {
            rejected(sink, replyTo, taskId, token, RejectReason.NO_ROOM, "the journal has no room now (" +
                events.storageDetail() + "); nothing was written, send the completion again", -1);
            return;
        }
        flow.completeCurrentStep(workflow, CompletedBy.WORKER, token, payload, 0, outputLength, empty, 0, 0);
        completionsAccepted++;
        accepted(sink, replyTo, taskId, token);
    }

    private void onFailed(
        final DirectBuffer buffer,
        final int body,
        final int block,
        final int version,
        final int end,
        final ReplySink sink,
        final Object replyTo)
    {
        final TaskFailedDecoder d = failed.wrap(buffer, body, block, version);
        final long taskId = d.taskId();
        final long token = d.fencingToken();
        final boolean retryable = d.retryable() != 0;
        final int errorLength = d.errorLength();
        d.wrapError(payload);
        if (d.limit() != end)
        {
            rejected(sink, replyTo, taskId, token, RejectReason.MALFORMED, "TaskFailed has " + (end - d.limit()) +
                " trailing bytes", -1);
            return;
        }
        final Workflow workflow = currentLease(sink, replyTo, taskId, token);
        if (null == workflow)
        {
            return;
        }
        int kept = Math.min(errorLength, StepFlow.MAX_ERROR_BYTES);
        while (kept < errorLength && kept > 0 && (payload.getByte(kept) & 0xC0) == 0x80)
        {
            kept--; // cut at a character boundary, never inside a UTF-8 sequence
        }
        if (!events.ensureRoom(StepFlow.failAttemptBound(kept)) || !arena.reserve(arena.nextOffset(), 64))
        {
            rejected(sink, replyTo, taskId, token, RejectReason.NO_ROOM, "the journal has no room now (" +
                events.storageDetail() + "); nothing was written, send the failure again", -1);
            return;
        }
        flow.failAttempt(workflow, FailureKind.ERROR, retryable, payload, 0, kept);
        failuresAccepted++;
        accepted(sink, replyTo, taskId, token);
    }

    /**
     * @return the workflow whose current lease the token is, or null after answering why not.
     */
    private Workflow currentLease(final ReplySink sink, final Object replyTo, final long taskId, final long token)
    {
        final Workflow workflow = state.workflowOrRetired(taskId); // a retired one answers as it ended
        if (null == workflow)
        {
            rejected(sink, replyTo, taskId, token, RejectReason.UNKNOWN_TASK, "no workflow " + taskId, -1);
            return null;
        }
        if (null != workflow.lease && workflow.lease.token == token)
        {
            return workflow;
        }
        // Not the current lease: find out from the log what the token was.
        if (token <= 0 || !events.journal().read(token, lookup) || !lookup.isLeaseOf(taskId))
        {
            rejected(sink, replyTo, taskId, token, RejectReason.UNKNOWN_TASK, "fencing token " + token +
                " is not a lease of workflow " + taskId, -1);
            return null;
        }
        final int step = lookup.stepIndex;
        final long completedPosition = workflow.isCompleted(step) ? workflow.completedPosition(step) : 0;
        if (0 != completedPosition && lookup.completedWith(events.journal(), completedPosition) == token)
        {
            rejected(sink, replyTo, taskId, token, RejectReason.ALREADY_COMMITTED, "step " + step + " of workflow " +
                taskId + " already committed with this lease; nothing was written", completedPosition);
            return null;
        }
        rejected(sink, replyTo, taskId, token, RejectReason.STALE_FENCING_TOKEN, "the lease with token " + token +
            " on step " + step + " of workflow " + taskId + " is over (" + (0 != completedPosition ?
            "the step was completed by someone else" : null != workflow.lease ? "the task was leased again" :
            workflow.isTerminal() ? "the workflow is " + workflow.state : "its attempt ended") + "); do not commit " +
            "the effect", -1);
        return null;
    }

    private void accepted(final ReplySink sink, final Object replyTo, final long taskId, final long token)
    {
        if (null == sink)
        {
            return;
        }
        final int offset = arena.begin(sink, replyTo);
        accepted.wrapAndApplyHeader(arena.buffer(), offset, headerEncoder).taskId(taskId).fencingToken(token);
        arena.commit(MessageHeaderEncoder.ENCODED_LENGTH + CompletionAcceptedEncoder.BLOCK_LENGTH);
    }

    /**
     * @param committedPosition position of the StepCompleted whose output to send back, or -1.
     */
    private void rejected(
        final ReplySink sink,
        final Object replyTo,
        final long taskId,
        final long token,
        final RejectReason reason,
        final String detail,
        final long committedPosition)
    {
        rejections[reason.value()]++;
        if (null == sink)
        {
            return;
        }
        int outputLength = 0;
        if (committedPosition > 0)
        {
            lookup.readOutput(events.journal(), committedPosition, payload);
            outputLength = payload.capacity();
        }
        final int offset = arena.begin(sink, replyTo);
        if (!arena.reserve(offset, 256 + 3L * detail.length() + outputLength))
        {
            arena.abort();
            return;
        }
        rejected.wrapAndApplyHeader(arena.buffer(), offset, headerEncoder)
            .taskId(taskId)
            .fencingToken(token)
            .reason(reason)
            .detail(detail)
            .putCommittedOutput(payload, 0, outputLength);
        arena.commit(MessageHeaderEncoder.ENCODED_LENGTH + rejected.encodedLength());
    }

    long completionsAccepted()
    {
        return completionsAccepted;
    }

    long failuresAccepted()
    {
        return failuresAccepted;
    }

    /**
     * @param reason a rejection reason.
     * @return completions and failures rejected for it since start.
     */
    long rejections(final RejectReason reason)
    {
        return rejections[reason.value()];
    }

    /**
     * Reads what a token (a StepLeased position from outside, so checked by CRC) and a StepCompleted say.
     */
    private static final class TokenLookup implements RecordHandler
    {
        private final io.axiom.codecs.MessageHeaderDecoder header = new io.axiom.codecs.MessageHeaderDecoder();
        private final StepLeasedDecoder leased = new StepLeasedDecoder();
        private final StepCompletedDecoder completedDecoder = new StepCompletedDecoder();
        private boolean isLeased;
        private long workflowId;
        int stepIndex;
        private long completedToken;
        private UnsafeBuffer outputTarget;

        public void onRecord(
            final DirectBuffer buffer,
            final int offset,
            final int length,
            final int type,
            final int version,
            final long position,
            final long sequence,
            final long timestamp)
        {
            header.wrap(buffer, offset);
            final int body = offset + io.axiom.codecs.MessageHeaderDecoder.ENCODED_LENGTH;
            if (type == StepLeasedDecoder.TEMPLATE_ID)
            {
                leased.wrap(buffer, body, header.blockLength(), header.version());
                isLeased = true;
                workflowId = leased.workflowId();
                stepIndex = leased.stepIndex();
            }
            else if (type == StepCompletedDecoder.TEMPLATE_ID)
            {
                completedDecoder.wrap(buffer, body, header.blockLength(), header.version());
                completedToken = completedDecoder.fencingToken();
                if (null != outputTarget)
                {
                    completedDecoder.wrapOutput(outputTarget);
                }
            }
            else
            {
                isLeased = false;
            }
        }

        boolean isLeaseOf(final long taskId)
        {
            final boolean result = isLeased && workflowId == taskId;
            isLeased = false;
            return result;
        }

        long completedWith(final io.axiom.journal.Journal journal, final long position)
        {
            outputTarget = null;
            completedToken = 0;
            journal.readRecord(position, this);
            return completedToken;
        }

        void readOutput(final io.axiom.journal.Journal journal, final long position, final UnsafeBuffer target)
        {
            outputTarget = target;
            journal.readRecord(position, this);
            outputTarget = null;
        }
    }
}
