package io.axiom.core;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import io.axiom.codecs.AdvanceWorkflowEncoder;
import io.axiom.codecs.CancelWorkflowEncoder;
import io.axiom.codecs.CreateWorkflowEncoder;
import io.axiom.codecs.GetConsistentPointEncoder;
import io.axiom.codecs.TakeSnapshotEncoder;
import io.axiom.codecs.GetWorkflowEncoder;
import io.axiom.codecs.GetTaskQueuesEncoder;
import io.axiom.codecs.GetWorkflowEventsEncoder;
import io.axiom.codecs.ListSort;
import io.axiom.codecs.ListWorkflowsEncoder;
import io.axiom.codecs.NameMatch;
import io.axiom.codecs.SortOrder;
import io.axiom.codecs.ReplayWorkflowEncoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.StateFilter;
import io.axiom.core.api.CreateWorkflow;
import io.axiom.core.api.EngineReply;
import io.axiom.core.api.Status;
import io.axiom.core.api.StepSpec;
import io.axiom.core.api.WorkflowQuery;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * A blocking, thread-safe way into the engine for gateways and tools: encodes a command into a ring slot, waits for
 * the reply the processor releases after fsync, and decodes it on the caller's thread.
 * <p>
 * Made for request threads (virtual threads welcome): it allocates per call, which the HTTP path can afford. Latency
 * critical producers use {@link CommandRing} directly with their own preallocated encoders and {@link ReplySink}.
 * <p>
 * A full ring is retried with back-off until the timeout, then answered with {@link Status#OVERLOADED} and nothing
 * written. A reply that does not arrive in time is answered with {@link Status#UNAVAILABLE}: the command may still
 * take effect, which is what idempotency keys are for.
 */
public final class EngineClient
{
    private static final int HEADER = MessageHeaderEncoder.ENCODED_LENGTH;
    private static final int VAR_HEADER = 4;
    private static final int GROUP_HEADER = 4;
    private static final long MAX_PARK_NS = TimeUnit.MILLISECONDS.toNanos(50);
    private static final ReplySink SINK = (replyTo, buffer, offset, length) ->
        ((PendingReply)replyTo).complete(buffer, offset, length);

    /** An advance or cancel that names no step index. */
    public static final int NO_STEP_INDEX = -1;
    /** Events from the workflow's first. */
    public static final long NO_POSITION = -1;

    private final Engine engine;
    private final CommandRing ring;

    EngineClient(final Engine engine, final CommandRing ring)
    {
        this.engine = engine;
        this.ring = ring;
    }

    /**
     * @param command to create a workflow.
     * @param timeout how long to wait for the durable reply.
     * @return Workflow(CREATED or EXISTING), or a Problem.
     */
    public EngineReply create(final CreateWorkflow command, final Duration timeout)
    {
        final byte[] name = utf8(command.name());
        final byte[] key = utf8(command.idempotencyKey());
        final byte[] input = null == command.inputJson() ? new byte[0] : command.inputJson();
        final byte[][] stepNames = new byte[command.steps().size()][];
        int length = HEADER + CreateWorkflowEncoder.BLOCK_LENGTH + GROUP_HEADER;
        for (int i = 0; i < stepNames.length; i++)
        {
            stepNames[i] = utf8(command.steps().get(i).name());
            length += CreateWorkflowEncoder.StepsEncoder.sbeBlockLength() + VAR_HEADER + stepNames[i].length;
        }
        length += VAR_HEADER + name.length + VAR_HEADER + key.length + VAR_HEADER + input.length;
        if (stepNames.length > 0xFFFF)
        {
            return new EngineReply.Problem(Status.INVALID, "TOO_MANY_STEPS",
                stepNames.length + " steps cannot be encoded (at most 65535)");
        }

        return submit(length, timeout, (buffer) ->
        {
            final CreateWorkflowEncoder encoder = new CreateWorkflowEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0);
            final CreateWorkflowEncoder.StepsEncoder steps = encoder.stepsCount(stepNames.length);
            for (int i = 0; i < stepNames.length; i++)
            {
                final StepSpec spec = command.steps().get(i);
                steps.next()
                    .type(WorkflowDefinition.type(spec.kind()))
                    .timeoutMs(spec.timeoutMs())
                    .durationMs(spec.durationMs())
                    .maxAttempts(spec.maxAttempts())
                    .backoffMs(spec.backoffMs())
                    .maxBackoffMs(spec.maxBackoffMs())
                    .multiplier(spec.multiplier())
                    .putName(stepNames[i], 0, stepNames[i].length);
            }
            encoder.putName(name, 0, name.length);
            encoder.putIdempotencyKey(key, 0, key.length);
            encoder.putInput(input, 0, input.length);
            return HEADER + encoder.encodedLength();
        });
    }

    /**
     * @param workflowId   the workflow.
     * @param expectedStep the step the caller believes is current, or null.
     * @param outputJson   the step's output as JSON bytes, or null.
     * @param timeout      how long to wait for the durable reply.
     * @return Workflow(OK) after the step completed, or a Problem.
     */
    public EngineReply advance(
        final long workflowId, final String expectedStep, final byte[] outputJson, final Duration timeout)
    {
        return advance(workflowId, expectedStep, NO_STEP_INDEX, outputJson, null, timeout);
    }

    /**
     * Complete the current step as an operator.
     *
     * @param workflowId        the workflow.
     * @param expectedStep      the step name the caller believes is current, or null.
     * @param expectedStepIndex the step index the caller believes is current, or {@link #NO_STEP_INDEX}: a step
     *                          already completed then answers ALREADY_COMMITTED instead of completing the next one.
     * @param outputJson        the step's output as JSON bytes, or null.
     * @param idempotencyKey    makes a retry answer the first result without writing, or null.
     * @param timeout           how long to wait for the durable reply.
     * @return Workflow(OK) after the step completed, Workflow(EXISTING) for a retry, or a Problem.
     */
    public EngineReply advance(
        final long workflowId,
        final String expectedStep,
        final int expectedStepIndex,
        final byte[] outputJson,
        final String idempotencyKey,
        final Duration timeout)
    {
        final byte[] expected = utf8(expectedStep);
        final byte[] output = null == outputJson ? new byte[0] : outputJson;
        final byte[] key = utf8(idempotencyKey);
        final int length = HEADER + AdvanceWorkflowEncoder.BLOCK_LENGTH + VAR_HEADER + expected.length +
            VAR_HEADER + output.length + VAR_HEADER + key.length;
        return submit(length, timeout, (buffer) ->
        {
            final AdvanceWorkflowEncoder encoder = new AdvanceWorkflowEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0)
                .workflowId(workflowId)
                .expectedStepIndex(expectedStepIndex)
                .putExpectedStep(expected, 0, expected.length)
                .putOutput(output, 0, output.length)
                .putIdempotencyKey(key, 0, key.length);
            return HEADER + encoder.encodedLength();
        });
    }

    /**
     * @param workflowId the workflow.
     * @param reason     why, or null.
     * @param timeout    how long to wait for the durable reply.
     * @return Workflow(OK) once cancelled, or a Problem.
     */
    public EngineReply cancel(final long workflowId, final String reason, final Duration timeout)
    {
        return cancel(workflowId, reason, NO_STEP_INDEX, null, timeout);
    }

    /**
     * @param workflowId        the workflow.
     * @param reason            why, or null.
     * @param expectedStepIndex the step the caller believes is current, or {@link #NO_STEP_INDEX}.
     * @param idempotencyKey    makes a retry answer the first result without writing, or null.
     * @param timeout           how long to wait for the durable reply.
     * @return Workflow(OK) once cancelled, Workflow(EXISTING) for a retry, or a Problem.
     */
    public EngineReply cancel(
        final long workflowId,
        final String reason,
        final int expectedStepIndex,
        final String idempotencyKey,
        final Duration timeout)
    {
        final byte[] why = utf8(reason);
        final byte[] key = utf8(idempotencyKey);
        final int length = HEADER + CancelWorkflowEncoder.BLOCK_LENGTH + VAR_HEADER + why.length +
            VAR_HEADER + key.length;
        return submit(length, timeout, (buffer) ->
        {
            final CancelWorkflowEncoder encoder = new CancelWorkflowEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0)
                .workflowId(workflowId)
                .expectedStepIndex(expectedStepIndex)
                .putReason(why, 0, why.length)
                .putIdempotencyKey(key, 0, key.length);
            return HEADER + encoder.encodedLength();
        });
    }

    /**
     * @param workflowId the workflow.
     * @param timeout    how long to wait.
     * @return Workflow(OK) or Problem(NOT_FOUND).
     */
    public EngineReply get(final long workflowId, final Duration timeout)
    {
        return submit(HEADER + GetWorkflowEncoder.BLOCK_LENGTH, timeout, (buffer) ->
        {
            new GetWorkflowEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0)
                .workflowId(workflowId);
            return HEADER + GetWorkflowEncoder.BLOCK_LENGTH;
        });
    }

    /**
     * @param offset  workflows to skip.
     * @param limit   most workflows to return (0..1000).
     * @param state   only workflows in this state (CREATED, RUNNING, ...), or null for all.
     * @param timeout how long to wait.
     * @return WorkflowList or Problem(INVALID).
     */
    public EngineReply list(final int offset, final int limit, final String state, final Duration timeout)
    {
        return list(WorkflowQuery.page(offset, limit, state), timeout);
    }

    /**
     * @param query   the filters, order and page.
     * @param timeout how long to wait.
     * @return WorkflowList or Problem(INVALID).
     */
    public EngineReply list(final WorkflowQuery query, final Duration timeout)
    {
        final String state = query.state();
        final StateFilter filter;
        if (null == state)
        {
            filter = StateFilter.ANY;
        }
        else
        {
            try
            {
                filter = StateFilter.valueOf(state);
            }
            catch (final IllegalArgumentException ex)
            {
                return new EngineReply.Problem(Status.INVALID, "INVALID_QUERY", "unknown state '" + state + "'");
            }
            if (filter == StateFilter.ANY || filter == StateFilter.NULL_VAL)
            {
                return new EngineReply.Problem(Status.INVALID, "INVALID_QUERY", "unknown state '" + state + "'");
            }
        }
        final byte[] name = null == query.name() ? new byte[0] : query.name().getBytes(StandardCharsets.UTF_8);
        final byte[] step = null == query.step() ? new byte[0] : query.step().getBytes(StandardCharsets.UTF_8);
        final NameMatch match = null == query.name() ? NameMatch.ANY :
            query.namePrefix() ? NameMatch.PREFIX : NameMatch.EXACT;
        final int length = HEADER + ListWorkflowsEncoder.BLOCK_LENGTH + VAR_HEADER + name.length + VAR_HEADER +
            step.length;
        return submit(length, timeout, (buffer) ->
        {
            new ListWorkflowsEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0)
                .skip(query.offset())
                .maxCount(query.limit())
                .state(filter)
                .createdFrom(query.createdFrom())
                .createdUntil(query.createdUntil())
                .nameMatch(match)
                .sort(query.byCreatedAt() ? ListSort.CREATED_AT : ListSort.ID)
                .order(query.descending() ? SortOrder.DESC : SortOrder.ASC)
                .putName(name, 0, name.length)
                .putStep(step, 0, step.length);
            return length;
        });
    }

    /**
     * @param workflowId the workflow.
     * @param timeout    how long to wait.
     * @return Events (the first page of the workflow's events in log order, as many as the reply budget holds) or
     * Problem(NOT_FOUND).
     */
    public EngineReply events(final long workflowId, final Duration timeout)
    {
        return events(workflowId, NO_POSITION, Integer.MAX_VALUE, timeout);
    }

    /**
     * Every event of a workflow, page after page (for a subscription's history and for tools; memory grows with the
     * workflow's events).
     *
     * @param workflowId the workflow.
     * @param timeout    how long to wait for each page.
     * @return Events with every event and no next page, or the first Problem.
     */
    public EngineReply allEvents(final long workflowId, final Duration timeout)
    {
        final java.util.List<io.axiom.core.api.EventView> all = new java.util.ArrayList<>();
        long after = NO_POSITION;
        while (true)
        {
            final EngineReply reply = events(workflowId, after, Integer.MAX_VALUE, timeout);
            if (!(reply instanceof EngineReply.Events page))
            {
                return reply;
            }
            all.addAll(page.events());
            if (page.nextAfter() < 0)
            {
                return new EngineReply.Events(workflowId, page.total(), all, NO_POSITION);
            }
            after = page.nextAfter();
        }
    }

    /**
     * @param workflowId    the workflow.
     * @param afterPosition the first event returned is the first after this position, or {@link #NO_POSITION} to
     *                      start at the workflow's first event.
     * @param limit         most events to return; the page is also cut to the engine's reply budget.
     * @param timeout       how long to wait.
     * @return Events (with the position to ask the next page after) or a Problem.
     */
    public EngineReply events(final long workflowId, final long afterPosition, final int limit, final Duration timeout)
    {
        return submit(HEADER + GetWorkflowEventsEncoder.BLOCK_LENGTH, timeout, (buffer) ->
        {
            new GetWorkflowEventsEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0)
                .workflowId(workflowId)
                .fromIndex(0)
                .maxCount(limit)
                .afterPosition(afterPosition);
            return HEADER + GetWorkflowEventsEncoder.BLOCK_LENGTH;
        });
    }

    /**
     * @param workflowId the workflow.
     * @param timeout    how long to wait.
     * @return Replay (the workflow rebuilt from its events, state after each, and whether it equals the live state)
     * or Problem(NOT_FOUND).
     */
    public EngineReply replay(final long workflowId, final Duration timeout)
    {
        return submit(HEADER + ReplayWorkflowEncoder.BLOCK_LENGTH, timeout, (buffer) ->
        {
            new ReplayWorkflowEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0)
                .workflowId(workflowId);
            return HEADER + ReplayWorkflowEncoder.BLOCK_LENGTH;
        });
    }

    /**
     * @param timeout how long to wait.
     * @return TaskQueues: per step name, tasks queued and leased.
     */
    public EngineReply tasks(final Duration timeout)
    {
        return submit(HEADER + GetTaskQueuesEncoder.BLOCK_LENGTH, timeout, (buffer) ->
        {
            new GetTaskQueuesEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0);
            return HEADER + GetTaskQueuesEncoder.BLOCK_LENGTH;
        });
    }

    /**
     * Where the log ends now and the digest of the state it built, read together by the processor: the point a live
     * verify replays the log up to ({@link LiveVerifier}). Every record before it is in the segment files when this
     * returns (the reply leaves after the batch's flush).
     *
     * @param timeout how long to wait.
     * @return ConsistentPoint, or a Problem.
     */
    public EngineReply consistentPoint(final Duration timeout)
    {
        return submit(HEADER + GetConsistentPointEncoder.BLOCK_LENGTH, timeout, (buffer) ->
        {
            new GetConsistentPointEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0);
            return HEADER + GetConsistentPointEncoder.BLOCK_LENGTH;
        });
    }

    /**
     * Take a snapshot now, or join the one being captured or written, and wait until it is durable.
     *
     * @param timeout how long to wait (a snapshot of millions of workflows takes seconds).
     * @return SnapshotTaken, or a Problem (SNAPSHOTS_DISABLED, NOTHING_TO_SNAPSHOT, SNAPSHOT_FAILED, a timeout).
     */
    public EngineReply takeSnapshot(final Duration timeout)
    {
        return submit(HEADER + TakeSnapshotEncoder.BLOCK_LENGTH, timeout, (buffer) ->
        {
            new TakeSnapshotEncoder()
                .wrapAndApplyHeader(buffer, 0, new MessageHeaderEncoder())
                .correlationId(0);
            return HEADER + TakeSnapshotEncoder.BLOCK_LENGTH;
        });
    }

    /**
     * Put one frame of the worker protocol (the wire schema, {@code io.axiom.wire}: WorkerHello, Heartbeat,
     * TaskCompleted, TaskFailed, WorkerGoodbye) on the ring. Whatever the engine answers, and every task it deals to a
     * worker that said hello with this {@code replyTo}, goes to {@code sink} after the batch's fsync, on the processor
     * thread: the sink must not block. For gateways and tests; the Aeron endpoint writes into ring slots itself.
     *
     * @param frame   holding the frame, message header included.
     * @param offset  of the frame.
     * @param length  of the frame.
     * @param sink    where answers and dispatches go.
     * @param replyTo identifies the worker connection: the same object for every frame of one connection.
     * @param timeout how long to wait while the ring is full.
     * @return false when the ring stayed full (nothing was put on it) or the engine is not running.
     */
    public boolean offerWorkerFrame(
        final DirectBuffer frame,
        final int offset,
        final int length,
        final ReplySink sink,
        final Object replyTo,
        final Duration timeout)
    {
        if (null != unavailable())
        {
            return false;
        }
        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        long backoffNs = 1_000;
        long sequence;
        while ((sequence = ring.tryNext()) == CommandRing.FULL)
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return false;
            }
            LockSupport.parkNanos(backoffNs);
            backoffNs = Math.min(backoffNs * 2, MAX_PARK_NS);
        }
        final CommandSlot slot = ring.slot(sequence);
        slot.copyOf(frame, offset, length);
        slot.replyTo(sink, replyTo);
        ring.publish(sequence);
        return true;
    }

    @FunctionalInterface
    private interface CommandEncoder
    {
        int encode(MutableDirectBuffer buffer);
    }

    private EngineReply submit(final int length, final Duration timeout, final CommandEncoder encoder)
    {
        final EngineReply unavailable = unavailable();
        if (null != unavailable)
        {
            return unavailable;
        }

        final long deadlineNs = System.nanoTime() + timeout.toNanos();
        final PendingReply pending = new PendingReply();
        long sequence;
        long backoffNs = 1_000;
        while ((sequence = ring.tryNext()) == CommandRing.FULL)
        {
            if (System.nanoTime() - deadlineNs >= 0)
            {
                return new EngineReply.Problem(Status.OVERLOADED, "OVERLOADED",
                    "the engine's command ring stayed full for " + timeout.toMillis() + " ms; retry later");
            }
            LockSupport.parkNanos(backoffNs);
            backoffNs = Math.min(backoffNs * 2, MAX_PARK_NS);
        }

        final CommandSlot slot = ring.slot(sequence);
        try
        {
            if (length <= slot.capacity())
            {
                slot.length(encoder.encode(slot.buffer()));
            }
            else
            {
                final UnsafeBuffer overflow = new UnsafeBuffer(new byte[length]);
                slot.overflow(overflow, encoder.encode(overflow));
            }
            slot.replyTo(SINK, pending);
        }
        catch (final RuntimeException ex)
        {
            // The slot must be published whatever happens; an empty command is answered as malformed.
            slot.length(0).replyTo(SINK, pending);
        }
        finally
        {
            ring.publish(sequence);
        }

        return pending.await(deadlineNs, this);
    }

    EngineReply unavailable()
    {
        final Throwable failure = engine.failure();
        if (null != failure)
        {
            return new EngineReply.Problem(Status.UNAVAILABLE, "ENGINE_FAILED", "the engine stopped: " + failure);
        }
        if (engine.isClosed())
        {
            return new EngineReply.Problem(Status.UNAVAILABLE, "ENGINE_STOPPED", "the engine is shutting down");
        }
        return null;
    }

    private static byte[] utf8(final String value)
    {
        return null == value ? new byte[0] : value.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * One caller waiting for its reply; completed on the processor thread, read on the caller's.
     */
    private static final class PendingReply
    {
        private final Thread waiter = Thread.currentThread();
        private volatile byte[] reply;

        void complete(final DirectBuffer buffer, final int offset, final int length)
        {
            final byte[] copy = new byte[length];
            buffer.getBytes(offset, copy);
            reply = copy;
            LockSupport.unpark(waiter);
        }

        EngineReply await(final long deadlineNs, final EngineClient client)
        {
            byte[] bytes;
            while (null == (bytes = reply))
            {
                final long remainingNs = deadlineNs - System.nanoTime();
                final EngineReply unavailable = client.unavailable();
                if (null != unavailable)
                {
                    return unavailable;
                }
                if (remainingNs <= 0)
                {
                    return new EngineReply.Problem(Status.UNAVAILABLE, "TIMEOUT",
                        "no reply from the engine in time: the outcome is unknown, the command may or may not " +
                        "take effect; sending it again with an Idempotency-Key makes the retry safe");
                }
                LockSupport.parkNanos(this, Math.min(remainingNs, MAX_PARK_NS));
            }
            return ReplyReader.read(new UnsafeBuffer(bytes), 0, bytes.length);
        }
    }
}
