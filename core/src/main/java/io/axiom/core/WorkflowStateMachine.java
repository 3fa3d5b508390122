package io.axiom.core;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;

import io.axiom.codecs.AdvanceWorkflowDecoder;
import io.axiom.codecs.CancelWorkflowDecoder;
import io.axiom.codecs.CreateWorkflowDecoder;
import io.axiom.codecs.EventListHeaderEncoder;
import io.axiom.codecs.GetWorkflowDecoder;
import io.axiom.codecs.GetTaskQueuesDecoder;
import io.axiom.codecs.ReplayWorkflowDecoder;
import io.axiom.codecs.WorkflowReplayHeaderEncoder;
import io.axiom.codecs.GetWorkflowEventsDecoder;
import io.axiom.codecs.TaskQueuesEncoder;
import io.axiom.codecs.ListWorkflowsDecoder;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.ProblemEncoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.StateFilter;
import io.axiom.codecs.StepCompletedDecoder;
import io.axiom.codecs.StepCompletedEncoder;
import io.axiom.codecs.StepScheduledDecoder;
import io.axiom.codecs.StepScheduledEncoder;
import io.axiom.codecs.StepStatus;
import io.axiom.codecs.StepType;
import io.axiom.codecs.TimerFiredDecoder;
import io.axiom.codecs.TimerFiredEncoder;
import io.axiom.codecs.TimerPurpose;
import io.axiom.codecs.TimerScheduledDecoder;
import io.axiom.codecs.TimerScheduledEncoder;
import io.axiom.codecs.WaitReason;
import io.axiom.codecs.WorkflowCancelledDecoder;
import io.axiom.codecs.WorkflowCancelledEncoder;
import io.axiom.codecs.WorkflowCompletedDecoder;
import io.axiom.codecs.WorkflowCompletedEncoder;
import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.codecs.WorkflowCreatedEncoder;
import io.axiom.codecs.WorkflowFailedDecoder;
import io.axiom.codecs.WorkflowListHeaderEncoder;
import io.axiom.codecs.WorkflowResumedDecoder;
import io.axiom.codecs.WorkflowResumedEncoder;
import io.axiom.codecs.WorkflowState;
import io.axiom.codecs.WorkflowViewEncoder;
import io.axiom.codecs.WorkflowWaitingDecoder;
import io.axiom.codecs.WorkflowWaitingEncoder;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalClaim;
import io.axiom.journal.RecordHandler;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.Long2LongHashMap;
import org.agrona.collections.LongArrayList;
import org.agrona.collections.Object2LongHashMap;
import org.agrona.collections.Object2ObjectHashMap;
import org.agrona.concurrent.UnsafeBuffer;
import org.agrona.DeadlineTimerWheel;

/**
 * The whole of Axiom's workflow logic: decides what a command means against current state, writes the events that
 * say so, and changes state only by applying events.
 * <p>
 * Two doors lead in. {@link #onCommand} validates a command completely before it writes anything (bad input changes
 * nothing), then emits events; each emitted event is applied through {@link #onRecord}, the very method replay uses,
 * so the state after a restart is the state before it. {@link #onTimerExpiry} turns due timers into events the same
 * way. The machine owns no thread, reads no clock (time arrives as an argument) and does no I/O except through the
 * {@link Journal}: it can be hosted by the single-threaded processor here or by a replicated service later.
 * <p>
 * Replies are encoded into the {@link ReplyArena} and released by the processor after the batch's fsync.
 */
final class WorkflowStateMachine implements RecordHandler, DeadlineTimerWheel.TimerHandler
{
    static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;
    static final int SCHEMA_ID = MessageHeaderDecoder.SCHEMA_ID;
    static final int SCHEMA_VERSION = MessageHeaderDecoder.SCHEMA_VERSION;
    static final int MAX_PAGE = 1000;
    static final int MAX_TIMERS_PER_POLL = 1000;
    private static final long REPLAY_ANY_ID = -1;
    static final int MAX_TICKS_PER_POLL = 100_000;
    private static final int STATE_COUNT = WorkflowState.values().length - 1;

    private final EngineContext ctx;
    private final int maxSteps;
    private final int maxNameBytes;
    private final int maxInputBytes;
    private final ReplyArena replies;
    private final WorkflowDefinitions definitions = new WorkflowDefinitions();
    private final WorkflowTable workflows = new WorkflowTable();
    private final Object2LongHashMap<String> idempotencyKeys = new Object2LongHashMap<>(-1);
    private final long[] stateCounts = new long[STATE_COUNT];
    private final Long2LongHashMap timerToWorkflow = new Long2LongHashMap(-1);
    private final Object2ObjectHashMap<String, TaskQueue> taskQueues = new Object2ObjectHashMap<>();
    private final ArrayList<TaskQueue> taskQueueList = new ArrayList<>();
    private final TaskQueuesEncoder taskQueuesEncoder = new TaskQueuesEncoder();
    private final ReplayWorkflowDecoder replayDecoder = new ReplayWorkflowDecoder();
    private final WorkflowReplayHeaderEncoder replayHeaderEncoder = new WorkflowReplayHeaderEncoder();
    private final GetTaskQueuesDecoder taskQueuesDecoder = new GetTaskQueuesDecoder();
    private final DeadlineTimerWheel timerWheel;
    private final JournalClaim claim = new JournalClaim();
    private final RecordRef recordRef = new RecordRef();
    private final EventCopier eventCopier = new EventCopier();
    private final UnsafeBuffer varView = new UnsafeBuffer(0, 0);

    private final MessageHeaderDecoder headerDecoder = new MessageHeaderDecoder();
    private final MessageHeaderEncoder headerEncoder = new MessageHeaderEncoder();
    private final CreateWorkflowDecoder createDecoder = new CreateWorkflowDecoder();
    private final AdvanceWorkflowDecoder advanceDecoder = new AdvanceWorkflowDecoder();
    private final CancelWorkflowDecoder cancelDecoder = new CancelWorkflowDecoder();
    private final GetWorkflowDecoder getDecoder = new GetWorkflowDecoder();
    private final ListWorkflowsDecoder listDecoder = new ListWorkflowsDecoder();
    private final GetWorkflowEventsDecoder eventsDecoder = new GetWorkflowEventsDecoder();

    private final WorkflowCreatedEncoder createdEncoder = new WorkflowCreatedEncoder();
    private final StepScheduledEncoder stepScheduledEncoder = new StepScheduledEncoder();
    private final StepCompletedEncoder stepCompletedEncoder = new StepCompletedEncoder();
    private final TimerScheduledEncoder timerScheduledEncoder = new TimerScheduledEncoder();
    private final TimerFiredEncoder timerFiredEncoder = new TimerFiredEncoder();
    private final WorkflowWaitingEncoder waitingEncoder = new WorkflowWaitingEncoder();
    private final WorkflowResumedEncoder resumedEncoder = new WorkflowResumedEncoder();
    private final WorkflowCompletedEncoder completedEncoder = new WorkflowCompletedEncoder();
    private final WorkflowCancelledEncoder cancelledEncoder = new WorkflowCancelledEncoder();

    private final MessageHeaderDecoder eventHeaderDecoder = new MessageHeaderDecoder();
    private final WorkflowCreatedDecoder createdDecoder = new WorkflowCreatedDecoder();
    private final StepScheduledDecoder stepScheduledDecoder = new StepScheduledDecoder();
    private final StepCompletedDecoder stepCompletedDecoder = new StepCompletedDecoder();
    private final TimerScheduledDecoder timerScheduledDecoder = new TimerScheduledDecoder();
    private final TimerFiredDecoder timerFiredDecoder = new TimerFiredDecoder();
    private final WorkflowWaitingDecoder waitingDecoder = new WorkflowWaitingDecoder();
    private final WorkflowResumedDecoder resumedDecoder = new WorkflowResumedDecoder();
    private final WorkflowCompletedDecoder completedDecoder = new WorkflowCompletedDecoder();
    private final WorkflowCancelledDecoder cancelledDecoder = new WorkflowCancelledDecoder();
    private final WorkflowFailedDecoder failedDecoder = new WorkflowFailedDecoder();
    private final StepCompletedDecoder viewStepDecoder = new StepCompletedDecoder();
    private final WorkflowCancelledDecoder viewCancelledDecoder = new WorkflowCancelledDecoder();
    private final WorkflowFailedDecoder viewFailedDecoder = new WorkflowFailedDecoder();

    private final ProblemEncoder problemEncoder = new ProblemEncoder();
    private final WorkflowViewEncoder viewEncoder = new WorkflowViewEncoder();
    private final WorkflowListHeaderEncoder listHeaderEncoder = new WorkflowListHeaderEncoder();
    private final EventListHeaderEncoder eventListHeaderEncoder = new EventListHeaderEncoder();

    private final LongArrayList appended = new LongArrayList(1024, Long.MIN_VALUE);
    private Journal journal;
    private long idBase;
    private long now;
    private long nextWorkflowId = 1;
    private long eventsApplied;

    WorkflowStateMachine(final EngineContext ctx, final ReplyArena replies, final long startTimeMs)
    {
        this.ctx = ctx;
        this.maxSteps = ctx.maxSteps();
        this.maxNameBytes = ctx.maxNameLength() * 4;
        this.maxInputBytes = ctx.maxInputBytes();
        this.replies = replies;
        this.timerWheel = new DeadlineTimerWheel(TimeUnit.MILLISECONDS, startTimeMs, 8, 512);
    }

    /**
     * A scratch machine that rebuilds one workflow, whatever its id, from its events alone: used by replay, never
     * fed commands, reading (never writing) the same journal.
     *
     * @param ctx     limits.
     * @param journal to read inputs and outputs from when encoding views.
     * @return the scratch machine.
     */
    static WorkflowStateMachine forReplay(final EngineContext ctx, final Journal journal)
    {
        final WorkflowStateMachine machine = new WorkflowStateMachine(ctx, new ReplyArena(), 0);
        machine.journal = journal;
        machine.idBase = REPLAY_ANY_ID;
        return machine;
    }

    /**
     * @param journal to append to and read from; replay must go through {@link #onRecord} before commands arrive.
     */
    void journal(final Journal journal)
    {
        this.journal = journal;
    }

    /**
     * @return positions of the events written since the last {@link LongArrayList#clear()}; the processor drains it
     * after each group commit to feed released events to readers.
     */
    LongArrayList appended()
    {
        return appended;
    }

    long workflowCount()
    {
        return workflows.size();
    }

    long stateCount(final WorkflowState state)
    {
        return stateCounts[state.value()];
    }

    long eventsApplied()
    {
        return eventsApplied;
    }

    int definitionCount()
    {
        return definitions.size();
    }

    // ------------------------------------------------------------------------------------------------ commands

    /**
     * Handle one command from the ring.
     *
     * @param buffer  holding the command, message header included.
     * @param offset  of the command.
     * @param length  of the command.
     * @param nowMs   the time, read once for this command and stamped into its events.
     * @param sink    where the reply goes, or null when nobody waits for one.
     * @param replyTo the producer's token for the sink.
     */
    void onCommand(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final long nowMs,
        final ReplySink sink,
        final Object replyTo)
    {
        now = nowMs;
        if (length < HEADER_LENGTH + 8)
        {
            problem(sink, replyTo, 0, ReplyStatus.INVALID, "MALFORMED", "command of " + length + " bytes is too short");
            return;
        }

        headerDecoder.wrap(buffer, offset);
        final long correlationId = buffer.getLong(offset + HEADER_LENGTH, java.nio.ByteOrder.LITTLE_ENDIAN);
        if (headerDecoder.schemaId() != SCHEMA_ID)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "command has schema id " + headerDecoder.schemaId() + ", expected " + SCHEMA_ID);
            return;
        }

        final int templateId = headerDecoder.templateId();
        final int blockLength = headerDecoder.blockLength();
        final int version = headerDecoder.version();
        final int bodyOffset = offset + HEADER_LENGTH;
        try
        {
            switch (templateId)
            {
                case CreateWorkflowDecoder.TEMPLATE_ID ->
                    onCreate(buffer, offset, length, blockLength, version, sink, replyTo);
                case AdvanceWorkflowDecoder.TEMPLATE_ID ->
                    onAdvance(buffer, bodyOffset, offset + length, blockLength, version, sink, replyTo);
                case CancelWorkflowDecoder.TEMPLATE_ID ->
                    onCancel(buffer, bodyOffset, offset + length, blockLength, version, sink, replyTo);
                case GetWorkflowDecoder.TEMPLATE_ID ->
                    onGet(buffer, bodyOffset, blockLength, version, sink, replyTo);
                case ListWorkflowsDecoder.TEMPLATE_ID ->
                    onList(buffer, bodyOffset, blockLength, version, sink, replyTo);
                case GetWorkflowEventsDecoder.TEMPLATE_ID ->
                    onEvents(buffer, bodyOffset, blockLength, version, sink, replyTo);
                case ReplayWorkflowDecoder.TEMPLATE_ID ->
                    onReplay(buffer, bodyOffset, blockLength, version, sink, replyTo);
                case GetTaskQueuesDecoder.TEMPLATE_ID ->
                    onTaskQueues(buffer, bodyOffset, blockLength, version, sink, replyTo);
                default -> problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                    "unknown command template " + templateId);
            }
        }
        catch (final IndexOutOfBoundsException | IllegalStateException ex)
        {
            // Validation runs before any event is written, so a command that does not decode changes nothing.
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "command template " + templateId + " does not decode: " + ex.getMessage());
        }
    }

    private void onCreate(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final CreateWorkflowDecoder decoder = createDecoder;
        decoder.wrap(buffer, offset + HEADER_LENGTH, blockLength, version);
        final long correlationId = decoder.correlationId();
        if (blockLength != CreateWorkflowDecoder.BLOCK_LENGTH ||
            CreateWorkflowDecoder.BLOCK_LENGTH != WorkflowCreatedEncoder.BLOCK_LENGTH)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "CreateWorkflow block length " + blockLength + " is not " + CreateWorkflowDecoder.BLOCK_LENGTH);
            return;
        }

        final CreateWorkflowDecoder.StepsDecoder steps = decoder.steps();
        final int stepCount = steps.count();
        if (0 == stepCount)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INVALID_STEPS", "steps must not be empty");
            return;
        }
        if (stepCount > maxSteps)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "TOO_MANY_STEPS",
                stepCount + " steps exceed the limit of " + maxSteps);
            return;
        }

        int index = 0;
        while (steps.hasNext())
        {
            steps.next();
            final String error = validateStep(steps);
            if (null != error)
            {
                problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INVALID_STEPS",
                    "step " + index + ": " + error);
                return;
            }
            index++;
        }

        final int nameLength = decoder.nameLength();
        if (0 == nameLength || nameLength > maxNameBytes)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INVALID_NAME",
                0 == nameLength ? "name must not be empty" : "name of " + nameLength + " bytes is too long");
            return;
        }
        decoder.skipName();

        final int keyLength = decoder.idempotencyKeyLength();
        final String idempotencyKey = keyLength > 0 ? decoder.idempotencyKey() : null;
        if (keyLength == 0)
        {
            decoder.skipIdempotencyKey();
        }

        final int inputLength = decoder.inputLength();
        if (inputLength > maxInputBytes)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INPUT_TOO_LARGE",
                "input of " + inputLength + " bytes exceeds the limit of " + maxInputBytes);
            return;
        }
        decoder.skipInput();
        if (decoder.limit() != offset + length)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "CreateWorkflow has " + (offset + length - decoder.limit()) + " trailing bytes");
            return;
        }

        if (length > journal.maxPayloadLength())
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INPUT_TOO_LARGE",
                "the workflow's definition and input take " + length + " bytes, more than one journal record can " +
                "hold (" + journal.maxPayloadLength() + " bytes with wal.max-segment-size " + journal.segmentSize() +
                ")");
            return;
        }
        if (null != idempotencyKey)
        {
            final long existingId = idempotencyKeys.getValue(idempotencyKey);
            if (existingId != -1)
            {
                view(sink, replyTo, correlationId, ReplyStatus.EXISTING, workflow(existingId));
                return;
            }
        }

        // Same block length and same layout after the block: the event is the command with the id in the block.
        final long workflowId = nextWorkflowId;
        final int bodyLength = length - HEADER_LENGTH - WorkflowCreatedEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, WorkflowCreatedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        final MutableDirectBuffer out = claim.buffer();
        final int outOffset = claim.offset();
        createdEncoder.wrapAndApplyHeader(out, outOffset, headerEncoder).workflowId(workflowId);
        out.putBytes(
            outOffset + HEADER_LENGTH + WorkflowCreatedEncoder.BLOCK_LENGTH,
            buffer,
            offset + HEADER_LENGTH + CreateWorkflowDecoder.BLOCK_LENGTH,
            bodyLength);
        commitAndApply(WorkflowCreatedEncoder.TEMPLATE_ID, position, length);

        final Workflow workflow = workflow(workflowId);
        scheduleStep(workflow, 0, 1);
        view(sink, replyTo, correlationId, ReplyStatus.CREATED, workflow);
    }

    private static String validateStep(final CreateWorkflowDecoder.StepsDecoder step)
    {
        final StepType type = step.type();
        if (StepType.NULL_VAL == type)
        {
            return "unknown step type " + step.typeRaw();
        }
        if (step.timeoutMs() < 0)
        {
            return "timeout_ms must not be negative";
        }
        if (type == StepType.TIMER && step.durationMs() <= 0)
        {
            return "a timer step needs duration_ms > 0";
        }
        if (type != StepType.TIMER && step.durationMs() != 0)
        {
            return "duration_ms is only for timer steps";
        }
        if (step.maxAttempts() < 1)
        {
            return "max_attempts must be at least 1";
        }
        if (step.backoffMs() < 0 || step.maxBackoffMs() < step.backoffMs())
        {
            return "backoff_ms must be >= 0 and max_backoff_ms >= backoff_ms";
        }
        final double multiplier = step.multiplier();
        if (!(multiplier >= 1.0) || Double.isInfinite(multiplier))
        {
            return "multiplier must be a finite number >= 1.0";
        }
        final int nameLength = step.nameLength();
        if (0 == nameLength)
        {
            return "name must not be empty";
        }
        step.skipName();
        return null;
    }

    private void onAdvance(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int end,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final AdvanceWorkflowDecoder decoder = advanceDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long workflowId = decoder.workflowId();
        final Workflow workflow = workflow(workflowId);
        if (null == workflow)
        {
            notFound(sink, replyTo, correlationId, workflowId);
            return;
        }

        final String expectedStep = decoder.expectedStepLength() > 0 ? decoder.expectedStep() : null;
        if (null == expectedStep)
        {
            decoder.skipExpectedStep();
        }
        final int outputLength = decoder.outputLength();
        decoder.wrapOutput(varView);
        if (decoder.limit() != end)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "AdvanceWorkflow has " + (end - decoder.limit()) + " trailing bytes");
            return;
        }
        if (outputLength > maxInputBytes || HEADER_LENGTH + StepCompletedEncoder.BLOCK_LENGTH +
            StepCompletedEncoder.outputHeaderLength() + outputLength > journal.maxPayloadLength())
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "OUTPUT_TOO_LARGE",
                "output of " + outputLength + " bytes exceeds the limit of " +
                Math.min(maxInputBytes, journal.maxPayloadLength() - HEADER_LENGTH - StepCompletedEncoder.BLOCK_LENGTH -
                StepCompletedEncoder.outputHeaderLength()));
            return;
        }
        if (workflow.isTerminal())
        {
            problem(sink, replyTo, correlationId, ReplyStatus.CONFLICT, "ILLEGAL_TRANSITION",
                "workflow " + workflowId + " is " + workflow.state + "; there is no step to advance");
            return;
        }

        final String stepName = workflow.currentStepName();
        if (null != expectedStep && !expectedStep.equals(stepName))
        {
            problem(sink, replyTo, correlationId, ReplyStatus.CONFLICT, "STEP_MISMATCH",
                "workflow " + workflowId + " is at step '" + stepName + "', not '" + expectedStep + "'");
            return;
        }
        if (workflow.definition.stepTypes[workflow.currentStep] == StepType.TIMER)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.CONFLICT, "ILLEGAL_TRANSITION",
                "step '" + stepName + "' of workflow " + workflowId + " is a timer step; it completes when its " +
                "timer fires at " + java.time.Instant.ofEpochMilli(workflow.wakeAt));
            return;
        }

        completeStep(workflow, 0, varView, 0, outputLength);
        view(sink, replyTo, correlationId, ReplyStatus.OK, workflow);
    }

    private void onCancel(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int end,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final CancelWorkflowDecoder decoder = cancelDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long workflowId = decoder.workflowId();
        final Workflow workflow = workflow(workflowId);
        if (null == workflow)
        {
            notFound(sink, replyTo, correlationId, workflowId);
            return;
        }
        final int reasonLength = decoder.reasonLength();
        decoder.wrapReason(varView);
        if (decoder.limit() != end)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                "CancelWorkflow has " + (end - decoder.limit()) + " trailing bytes");
            return;
        }
        if (reasonLength > maxInputBytes || HEADER_LENGTH + WorkflowCancelledEncoder.BLOCK_LENGTH +
            WorkflowCancelledEncoder.reasonHeaderLength() + reasonLength > journal.maxPayloadLength())
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "REASON_TOO_LARGE",
                "reason of " + reasonLength + " bytes exceeds the limit of " + maxInputBytes);
            return;
        }
        if (workflow.isTerminal())
        {
            problem(sink, replyTo, correlationId, ReplyStatus.CONFLICT, "ILLEGAL_TRANSITION",
                "workflow " + workflowId + " is already " + workflow.state + " and cannot be cancelled");
            return;
        }

        final int payloadLength = HEADER_LENGTH + WorkflowCancelledEncoder.BLOCK_LENGTH +
            WorkflowCancelledEncoder.reasonHeaderLength() + reasonLength;
        final long position = journal.claim(
            payloadLength, WorkflowCancelledEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        cancelledEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .workflowId(workflowId)
            .stepIndex(workflow.currentStep)
            .putReason(varView, 0, reasonLength);
        commitAndApply(WorkflowCancelledEncoder.TEMPLATE_ID, position, payloadLength);
        view(sink, replyTo, correlationId, ReplyStatus.OK, workflow);
    }

    private void onGet(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final GetWorkflowDecoder decoder = getDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long workflowId = decoder.workflowId();
        final Workflow workflow = workflow(workflowId);
        if (null == workflow)
        {
            notFound(sink, replyTo, decoder.correlationId(), workflowId);
            return;
        }
        view(sink, replyTo, decoder.correlationId(), ReplyStatus.OK, workflow);
    }

    private void onList(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final ListWorkflowsDecoder decoder = listDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final int skip = decoder.skip();
        final int maxCount = decoder.maxCount();
        final StateFilter filter = decoder.state();
        if (skip < 0 || maxCount < 0 || maxCount > MAX_PAGE || StateFilter.NULL_VAL == filter)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INVALID_QUERY",
                "offset must be >= 0, limit between 0 and " + MAX_PAGE + " and state a known state");
            return;
        }
        if (null == sink)
        {
            return;
        }

        final long total = filter == StateFilter.ANY ? workflows.size() : stateCounts[filter.value()];
        final int headerOffset = replies.begin(sink, replyTo);
        final MutableDirectBuffer out = replies.buffer();
        listHeaderEncoder.wrapAndApplyHeader(out, headerOffset, headerEncoder)
            .correlationId(correlationId)
            .total(total)
            .count(0);
        int limit = headerOffset + HEADER_LENGTH + WorkflowListHeaderEncoder.BLOCK_LENGTH;
        int count = 0;
        int skipped = 0;
        for (int i = 0, size = workflows.size(); i < size && count < maxCount; i++)
        {
            final Workflow workflow = workflows.get(i);
            if (filter != StateFilter.ANY && workflow.state.value() != filter.value())
            {
                continue;
            }
            if (skipped < skip)
            {
                skipped++;
                continue;
            }
            limit += encodeView(out, limit, correlationId, ReplyStatus.OK, workflow);
            count++;
        }
        listHeaderEncoder.wrap(out, headerOffset + HEADER_LENGTH).count(count);
        replies.commit(limit - headerOffset);
    }

    private void onEvents(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final GetWorkflowEventsDecoder decoder = eventsDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long workflowId = decoder.workflowId();
        final Workflow workflow = workflow(workflowId);
        if (null == workflow)
        {
            notFound(sink, replyTo, correlationId, workflowId);
            return;
        }
        final int fromIndex = decoder.fromIndex();
        final int maxCount = decoder.maxCount();
        if (fromIndex < 0 || maxCount < 0)
        {
            problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "INVALID_QUERY",
                "from index and limit must be >= 0");
            return;
        }
        if (null == sink)
        {
            return;
        }

        final int total = workflow.eventCount();
        final int end = (int)Math.min(total, (long)fromIndex + maxCount);
        final int headerOffset = replies.begin(sink, replyTo);
        final MutableDirectBuffer out = replies.buffer();
        eventListHeaderEncoder.wrapAndApplyHeader(out, headerOffset, headerEncoder)
            .correlationId(correlationId)
            .workflowId(workflowId)
            .total(total)
            .count(Math.max(0, end - fromIndex));
        eventCopier.out = out;
        eventCopier.limit = headerOffset + HEADER_LENGTH + EventListHeaderEncoder.BLOCK_LENGTH;
        for (int i = fromIndex; i < end; i++)
        {
            final long position = workflow.eventPosition(i);
            if (!journal.readRecord(position, eventCopier))
            {
                throw new IllegalStateException("journal has no record at position " + position +
                    " for workflow " + workflowId);
            }
        }
        replies.commit(eventCopier.limit - headerOffset);
        eventCopier.out = null;
    }

    private void onReplay(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final ReplayWorkflowDecoder decoder = replayDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long correlationId = decoder.correlationId();
        final long workflowId = decoder.workflowId();
        final Workflow live = workflow(workflowId);
        if (null == live)
        {
            notFound(sink, replyTo, correlationId, workflowId);
            return;
        }
        if (null == sink)
        {
            return;
        }

        // A fresh machine sees only this workflow's records, through the same apply code as recovery; the live
        // state is not consulted until the end, to compare.
        final WorkflowStateMachine scratch = forReplay(ctx, journal);
        final int headerOffset = replies.begin(sink, replyTo);
        final MutableDirectBuffer out = replies.buffer();
        final int count = live.eventCount();
        replayHeaderEncoder.wrapAndApplyHeader(out, headerOffset, headerEncoder)
            .correlationId(correlationId)
            .workflowId(workflowId)
            .count(count)
            .matchesLive((short)0);
        int limit = headerOffset + HEADER_LENGTH + WorkflowReplayHeaderEncoder.BLOCK_LENGTH;
        int rebuiltOffset = 0;
        int rebuiltLength = 0;
        for (int i = 0; i < count; i++)
        {
            final long position = live.eventPosition(i);
            eventCopier.out = out;
            eventCopier.limit = limit;
            if (!journal.readRecord(position, eventCopier) || !journal.readRecord(position, scratch))
            {
                throw new IllegalStateException("journal has no record at position " + position);
            }
            limit = eventCopier.limit;
            rebuiltOffset = limit;
            rebuiltLength = scratch.encodeView(out, limit, correlationId, ReplyStatus.OK, scratch.workflow(workflowId));
            limit += rebuiltLength;
        }
        eventCopier.out = null;
        final int liveOffset = limit;
        final int liveLength = encodeView(out, limit, correlationId, ReplyStatus.OK, live);
        limit += liveLength;
        final boolean matches = liveLength == rebuiltLength &&
            equalBytes(out, liveOffset, out, rebuiltOffset, liveLength);
        replayHeaderEncoder.wrap(out, headerOffset + HEADER_LENGTH).matchesLive((short)(matches ? 1 : 0));
        replies.commit(limit - headerOffset);
    }

    private static boolean equalBytes(
        final DirectBuffer a, final int aOffset, final DirectBuffer b, final int bOffset, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            if (a.getByte(aOffset + i) != b.getByte(bOffset + i))
            {
                return false;
            }
        }
        return true;
    }

    private void onTaskQueues(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final GetTaskQueuesDecoder decoder = taskQueuesDecoder.wrap(buffer, bodyOffset, blockLength, version);
        if (null == sink)
        {
            return;
        }
        final int offset = replies.begin(sink, replyTo);
        final TaskQueuesEncoder encoder = taskQueuesEncoder.wrapAndApplyHeader(replies.buffer(), offset, headerEncoder)
            .correlationId(decoder.correlationId());
        final TaskQueuesEncoder.QueuesEncoder queues = encoder.queuesCount(Math.min(0xFFFF, taskQueueList.size()));
        for (int i = 0, size = Math.min(0xFFFF, taskQueueList.size()); i < size; i++)
        {
            final TaskQueue queue = taskQueueList.get(i);
            queues.next().queued(queue.queued).leased(queue.leased).stepName(queue.stepName);
        }
        replies.commit(HEADER_LENGTH + encoder.encodedLength());
    }

    /**
     * @return task steps waiting for a worker, over all step names.
     */
    long tasksQueued()
    {
        long total = 0;
        for (int i = 0, size = taskQueueList.size(); i < size; i++)
        {
            total += taskQueueList.get(i).queued;
        }
        return total;
    }

    // ------------------------------------------------------------------------------------------------ timers

    /**
     * Turn due timers into events.
     *
     * @param nowMs the time, read once.
     * @return timers that fired.
     */
    int pollTimers(final long nowMs)
    {
        now = nowMs;
        if (0 == timerWheel.timerCount())
        {
            // Keep the idle wheel in step with the clock so that a new timer never waits for the wheel to catch up.
            timerWheel.resetStartTime(nowMs);
            return 0;
        }

        // The wheel moves at most one tick per poll; catch up after a pause (or a clock moved by hand), bounded so a
        // long outage cannot stall the duty cycle: the rest is caught up on the next cycles.
        int fired = 0;
        int ticks = 0;
        long tickTime;
        do
        {
            tickTime = timerWheel.currentTickTime();
            fired += timerWheel.poll(nowMs, this, MAX_TIMERS_PER_POLL - fired);
        }
        while (timerWheel.currentTickTime() != tickTime && timerWheel.timerCount() > 0 &&
            fired < MAX_TIMERS_PER_POLL && ++ticks < MAX_TICKS_PER_POLL);
        return fired;
    }

    /**
     * {@inheritDoc}
     */
    public boolean onTimerExpiry(final TimeUnit timeUnit, final long nowMs, final long timerId)
    {
        final long workflowId = timerToWorkflow.remove(timerId);
        final Workflow workflow = workflow(workflowId);
        if (null == workflow || workflow.timerId != timerId || workflow.isTerminal())
        {
            return true;
        }

        final int stepIndex = workflow.currentStep;
        final int payloadLength = HEADER_LENGTH + TimerFiredEncoder.BLOCK_LENGTH;
        final long position = journal.claim(payloadLength, TimerFiredEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        timerFiredEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .workflowId(workflowId)
            .stepIndex(stepIndex)
            .deadline(workflow.wakeAt)
            .purpose(TimerPurpose.STEP_TIMER);
        commitAndApply(TimerFiredEncoder.TEMPLATE_ID, position, payloadLength);

        completeStep(workflow, 0, varView, 0, 0);
        return true;
    }

    long timerCount()
    {
        return timerWheel.timerCount();
    }

    // ------------------------------------------------------------------------------------------------ emitting

    private void scheduleStep(final Workflow workflow, final int stepIndex, final int attempt)
    {
        final long workflowId = workflow.id;
        final StepType type = workflow.definition.stepTypes[stepIndex];
        if (type == StepType.TASK && workflow.state == WorkflowState.WAITING)
        {
            final int length = HEADER_LENGTH + WorkflowResumedEncoder.BLOCK_LENGTH;
            final long position = journal.claim(length, WorkflowResumedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
            resumedEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .workflowId(workflowId)
                .stepIndex(stepIndex);
            commitAndApply(WorkflowResumedEncoder.TEMPLATE_ID, position, length);
        }

        final int scheduledLength = HEADER_LENGTH + StepScheduledEncoder.BLOCK_LENGTH;
        final long scheduledPosition = journal.claim(
            scheduledLength, StepScheduledEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        stepScheduledEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .workflowId(workflowId)
            .stepIndex(stepIndex)
            .attempt(attempt);
        commitAndApply(StepScheduledEncoder.TEMPLATE_ID, scheduledPosition, scheduledLength);

        if (type == StepType.TIMER)
        {
            final int length = HEADER_LENGTH + TimerScheduledEncoder.BLOCK_LENGTH;
            final long position = journal.claim(length, TimerScheduledEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
            timerScheduledEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .workflowId(workflowId)
                .stepIndex(stepIndex)
                .deadline(now + workflow.definition.durationMs[stepIndex])
                .purpose(TimerPurpose.STEP_TIMER);
            commitAndApply(TimerScheduledEncoder.TEMPLATE_ID, position, length);
            emitWaiting(workflow, stepIndex, WaitReason.TIMER);
        }
        else if (type == StepType.APPROVAL)
        {
            emitWaiting(workflow, stepIndex, WaitReason.APPROVAL);
        }
    }

    private void emitWaiting(final Workflow workflow, final int stepIndex, final WaitReason reason)
    {
        final int length = HEADER_LENGTH + WorkflowWaitingEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, WorkflowWaitingEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        waitingEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .workflowId(workflow.id)
            .stepIndex(stepIndex)
            .reason(reason);
        commitAndApply(WorkflowWaitingEncoder.TEMPLATE_ID, position, length);
    }

    private void completeStep(
        final Workflow workflow,
        final long fencingToken,
        final DirectBuffer output,
        final int outputOffset,
        final int outputLength)
    {
        final int stepIndex = workflow.currentStep;
        final int length = HEADER_LENGTH + StepCompletedEncoder.BLOCK_LENGTH +
            StepCompletedEncoder.outputHeaderLength() + outputLength;
        final long position = journal.claim(length, StepCompletedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        stepCompletedEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
            .workflowId(workflow.id)
            .stepIndex(stepIndex)
            .attempt(workflow.attempt)
            .fencingToken(fencingToken)
            .putOutput(output, outputOffset, outputLength);
        commitAndApply(StepCompletedEncoder.TEMPLATE_ID, position, length);

        final int next = stepIndex + 1;
        if (next < workflow.definition.stepCount())
        {
            scheduleStep(workflow, next, 1);
        }
        else
        {
            final int completedLength = HEADER_LENGTH + WorkflowCompletedEncoder.BLOCK_LENGTH;
            final long completedPosition = journal.claim(
                completedLength, WorkflowCompletedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
            completedEncoder.wrapAndApplyHeader(claim.buffer(), claim.offset(), headerEncoder)
                .workflowId(workflow.id);
            commitAndApply(WorkflowCompletedEncoder.TEMPLATE_ID, completedPosition, completedLength);
        }
    }

    private void commitAndApply(final int templateId, final long position, final int length)
    {
        claim.commit();
        appended.addLong(position);
        apply(claim.buffer(), claim.offset(), length, templateId, position, now);
    }

    // ------------------------------------------------------------------------------------------------ applying

    /**
     * Apply one event of the log: the only way state changes, during replay and live alike.
     */
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
        apply(buffer, offset, length, type, position, timestamp);
    }

    private void apply(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final long position,
        final long timestamp)
    {
        final MessageHeaderDecoder header = eventHeaderDecoder.wrap(buffer, offset);
        final int bodyOffset = offset + HEADER_LENGTH;
        final int blockLength = header.blockLength();
        final int version = header.version();
        if (header.templateId() != type)
        {
            throw new IllegalStateException("record at position " + position + " has type " + type +
                " but its message is template " + header.templateId());
        }
        eventsApplied++;

        switch (type)
        {
            case WorkflowCreatedDecoder.TEMPLATE_ID ->
                applyCreated(buffer, bodyOffset, blockLength, version, position, timestamp);
            case StepScheduledDecoder.TEMPLATE_ID ->
            {
                final StepScheduledDecoder d = stepScheduledDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final Workflow workflow = touch(d.workflowId(), position, timestamp);
                workflow.currentStep = d.stepIndex();
                workflow.attempt = d.attempt();
                if (workflow.definition.stepTypes[workflow.currentStep] == StepType.TASK)
                {
                    state(workflow, WorkflowState.RUNNING);
                    enqueueTask(workflow);
                }
            }
            case StepCompletedDecoder.TEMPLATE_ID ->
            {
                final StepCompletedDecoder d = stepCompletedDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final Workflow workflow = touch(d.workflowId(), position, timestamp);
                workflow.completedPosition(d.stepIndex(), position);
                dequeueTask(workflow);
            }
            case TimerScheduledDecoder.TEMPLATE_ID ->
            {
                final TimerScheduledDecoder d = timerScheduledDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final Workflow workflow = touch(d.workflowId(), position, timestamp);
                clearTimer(workflow);
                workflow.wakeAt = d.deadline();
                workflow.timerId = timerWheel.scheduleTimer(d.deadline());
                timerToWorkflow.put(workflow.timerId, workflow.id);
            }
            case TimerFiredDecoder.TEMPLATE_ID ->
            {
                final TimerFiredDecoder d = timerFiredDecoder.wrap(buffer, bodyOffset, blockLength, version);
                final Workflow workflow = touch(d.workflowId(), position, timestamp);
                clearTimer(workflow);
            }
            case WorkflowWaitingDecoder.TEMPLATE_ID ->
            {
                final WorkflowWaitingDecoder d = waitingDecoder.wrap(buffer, bodyOffset, blockLength, version);
                state(touch(d.workflowId(), position, timestamp), WorkflowState.WAITING);
            }
            case WorkflowResumedDecoder.TEMPLATE_ID ->
            {
                final WorkflowResumedDecoder d = resumedDecoder.wrap(buffer, bodyOffset, blockLength, version);
                state(touch(d.workflowId(), position, timestamp), WorkflowState.RUNNING);
            }
            case WorkflowCompletedDecoder.TEMPLATE_ID ->
            {
                final WorkflowCompletedDecoder d = completedDecoder.wrap(buffer, bodyOffset, blockLength, version);
                terminate(touch(d.workflowId(), position, timestamp), WorkflowState.COMPLETED, position);
            }
            case WorkflowCancelledDecoder.TEMPLATE_ID ->
            {
                final WorkflowCancelledDecoder d = cancelledDecoder.wrap(buffer, bodyOffset, blockLength, version);
                terminate(touch(d.workflowId(), position, timestamp), WorkflowState.CANCELLED, position);
            }
            case WorkflowFailedDecoder.TEMPLATE_ID ->
            {
                final WorkflowFailedDecoder d = failedDecoder.wrap(buffer, bodyOffset, blockLength, version);
                terminate(touch(d.workflowId(), position, timestamp), WorkflowState.FAILED, position);
            }
            default ->
            {
                // Worker-protocol events (StepLeased, LeaseExtended, StepAttemptFailed) belong to the dispatch
                // capability; this processor never writes them, so finding one means a newer log.
                throw new IllegalStateException("record at position " + position + " has event type " + type +
                    " which this version of Axiom does not apply");
            }
        }
    }

    private void applyCreated(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int blockLength,
        final int version,
        final long position,
        final long timestamp)
    {
        final WorkflowCreatedDecoder d = createdDecoder.wrap(buffer, bodyOffset, blockLength, version);
        final long workflowId = d.workflowId();
        if (workflows.isEmpty() && idBase == REPLAY_ANY_ID)
        {
            idBase = workflowId - 1;
        }
        if (workflowId != workflows.size() + 1 + idBase)
        {
            throw new IllegalStateException("record at position " + position + " creates workflow " + workflowId +
                " but the next id is " + (workflows.size() + 1 + idBase));
        }

        final int definitionOffset = bodyOffset + blockLength;
        final WorkflowCreatedDecoder.StepsDecoder steps = d.steps();
        while (steps.hasNext())
        {
            steps.next().skipName();
        }
        d.skipName();
        final int definitionLength = d.limit() - definitionOffset;
        WorkflowDefinition definition = definitions.find(buffer, definitionOffset, definitionLength);
        if (null == definition)
        {
            d.wrap(buffer, bodyOffset, blockLength, version);
            definition = definitions.add(buffer, definitionOffset, definitionLength, d);
        }
        if (d.idempotencyKeyLength() > 0)
        {
            idempotencyKeys.put(d.idempotencyKey(), workflowId);
        }

        final Workflow workflow = new Workflow(workflowId, definition, position, timestamp);
        workflow.addEvent(position);
        workflows.add(workflow);
        stateCounts[WorkflowState.CREATED.value()]++;
        nextWorkflowId = workflowId + 1;
    }

    private Workflow touch(final long workflowId, final long position, final long timestamp)
    {
        final Workflow workflow = workflow(workflowId);
        if (null == workflow)
        {
            throw new IllegalStateException("record at position " + position + " names workflow " + workflowId +
                " which was never created");
        }
        workflow.addEvent(position);
        workflow.updatedAt = timestamp;
        return workflow;
    }

    private void state(final Workflow workflow, final WorkflowState state)
    {
        stateCounts[workflow.state.value()]--;
        stateCounts[state.value()]++;
        workflow.state = state;
    }

    private void terminate(final Workflow workflow, final WorkflowState state, final long position)
    {
        clearTimer(workflow);
        dequeueTask(workflow);
        state(workflow, state);
        workflow.terminalPosition = position;
    }

    private void enqueueTask(final Workflow workflow)
    {
        if (null == workflow.taskQueue)
        {
            final String stepName = workflow.definition.stepNames[workflow.currentStep];
            TaskQueue queue = taskQueues.get(stepName);
            if (null == queue)
            {
                queue = new TaskQueue(stepName);
                taskQueues.put(stepName, queue);
                taskQueueList.add(queue);
            }
            queue.queued++;
            workflow.taskQueue = queue;
        }
    }

    private void dequeueTask(final Workflow workflow)
    {
        final TaskQueue queue = workflow.taskQueue;
        if (null != queue)
        {
            queue.queued--;
            workflow.taskQueue = null;
        }
    }

    private void clearTimer(final Workflow workflow)
    {
        if (workflow.timerId != Workflow.NO_TIMER)
        {
            timerWheel.cancelTimer(workflow.timerId);
            timerToWorkflow.remove(workflow.timerId);
            workflow.timerId = Workflow.NO_TIMER;
        }
        workflow.wakeAt = 0;
    }

    private Workflow workflow(final long workflowId)
    {
        final long index = workflowId - 1 - idBase;
        return index >= 0 && index < workflows.size() ? workflows.get((int)index) : null;
    }

    // ------------------------------------------------------------------------------------------------ snapshots

    private static final long SNAPSHOT_MAGIC = 0x3150414E53585841L; // "AXXSNAP1"

    /**
     * @return exactly the bytes {@link #writeSnapshot(MutableDirectBuffer)} will write now.
     */
    int snapshotLength()
    {
        long length = 8 + 4;
        for (int i = 0, size = definitions.size(); i < size; i++)
        {
            length += 4 + definitions.get(i).encoding.length;
        }
        length += 4;
        for (int i = 0, size = taskQueueList.size(); i < size; i++)
        {
            length += 4 + utf8Length(taskQueueList.get(i).stepName);
        }
        length += 4;
        for (int i = 0, size = workflows.size(); i < size; i++)
        {
            final Workflow w = workflows.get(i);
            length += 53 + 8L * w.definition.stepCount() + 4 + 8L * w.eventCount();
        }
        length += 4;
        final Object2LongHashMap<String>.KeyIterator keys = idempotencyKeys.keySet().iterator();
        while (keys.hasNext())
        {
            length += 4 + utf8Length(keys.next()) + 8;
        }
        if (length > Integer.MAX_VALUE - 64)
        {
            throw new IllegalStateException("state of " + length + " bytes is too large for one snapshot");
        }
        return (int)length;
    }

    private static int utf8Length(final String value)
    {
        return value.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }

    /**
     * Write the whole state: definitions, workflows (with their event positions), idempotency keys. Timers and task
     * queues are derived from the workflows when the snapshot is loaded.
     *
     * @param out growing buffer to write into from offset 0.
     * @return bytes written.
     */
    int writeSnapshot(final MutableDirectBuffer out)
    {
        int p = 0;
        out.putLong(p, SNAPSHOT_MAGIC);
        p += 8;
        out.putInt(p, definitions.size());
        p += 4;
        for (int i = 0, size = definitions.size(); i < size; i++)
        {
            final byte[] encoding = definitions.get(i).encoding;
            out.putInt(p, encoding.length);
            out.putBytes(p + 4, encoding);
            p += 4 + encoding.length;
        }
        out.putInt(p, taskQueueList.size());
        p += 4;
        for (int i = 0, size = taskQueueList.size(); i < size; i++)
        {
            p += out.putStringUtf8(p, taskQueueList.get(i).stepName);
        }
        out.putInt(p, workflows.size());
        p += 4;
        for (int i = 0, size = workflows.size(); i < size; i++)
        {
            final Workflow w = workflows.get(i);
            out.putInt(p, w.definition.index);
            out.putLong(p + 4, w.createdPosition);
            out.putLong(p + 12, w.createdAt);
            out.putByte(p + 20, (byte)w.state.value());
            out.putInt(p + 21, w.currentStep);
            out.putInt(p + 25, w.attempt);
            out.putLong(p + 29, w.updatedAt);
            out.putLong(p + 37, w.wakeAt);
            out.putLong(p + 45, w.terminalPosition);
            p += 53;
            for (int s = 0, steps = w.definition.stepCount(); s < steps; s++)
            {
                out.putLong(p, w.completedPosition(s));
                p += 8;
            }
            final int events = w.eventCount();
            out.putInt(p, events);
            p += 4;
            for (int e = 0; e < events; e++)
            {
                out.putLong(p, w.eventPosition(e));
                p += 8;
            }
        }
        out.putInt(p, idempotencyKeys.size());
        p += 4;
        final Object2LongHashMap<String>.EntryIterator keys = idempotencyKeys.entrySet().iterator();
        while (keys.hasNext())
        {
            keys.next();
            final int length = out.putStringUtf8(p, keys.getKey());
            out.putLong(p + length, keys.getLongValue());
            p += length + 8;
        }
        return p;
    }

    /**
     * Replace the (empty) state with a snapshot's; the log after the snapshot's position is replayed next.
     *
     * @param in     holding the snapshot.
     * @param length of the snapshot.
     */
    void loadSnapshot(final DirectBuffer in, final int length)
    {
        if (!workflows.isEmpty() || length < 12 || in.getLong(0) != SNAPSHOT_MAGIC)
        {
            throw new IllegalStateException("not a state snapshot, or state already loaded");
        }
        int p = 8;
        final int definitionCount = in.getInt(p);
        p += 4;
        final org.agrona.ExpandableArrayBuffer scratch = new org.agrona.ExpandableArrayBuffer(1024);
        final WorkflowCreatedDecoder decoder = new WorkflowCreatedDecoder();
        for (int i = 0; i < definitionCount; i++)
        {
            final int encodingLength = in.getInt(p);
            // Rebuild a WorkflowCreated message around the definition bytes so the one decoder path is used.
            createdEncoder.wrapAndApplyHeader(scratch, 0, headerEncoder).workflowId(0);
            final int definitionOffset = HEADER_LENGTH + WorkflowCreatedEncoder.BLOCK_LENGTH;
            scratch.putBytes(definitionOffset, in, p + 4, encodingLength);
            scratch.putInt(definitionOffset + encodingLength, 0);
            scratch.putInt(definitionOffset + encodingLength + 4, 0);
            decoder.wrap(scratch, HEADER_LENGTH, WorkflowCreatedEncoder.BLOCK_LENGTH, SCHEMA_VERSION);
            definitions.add(scratch, definitionOffset, encodingLength, decoder);
            p += 4 + encodingLength;
        }
        final int queueCount = in.getInt(p);
        p += 4;
        for (int i = 0; i < queueCount; i++)
        {
            final int nameLength = in.getInt(p);
            final TaskQueue queue = new TaskQueue(in.getStringWithoutLengthUtf8(p + 4, nameLength));
            taskQueues.put(queue.stepName, queue);
            taskQueueList.add(queue);
            p += 4 + nameLength;
        }
        final int workflowCount = in.getInt(p);
        p += 4;
        for (int i = 0; i < workflowCount; i++)
        {
            final WorkflowDefinition definition = definitions.get(in.getInt(p));
            final Workflow w = new Workflow(i + 1, definition, in.getLong(p + 4), in.getLong(p + 12));
            w.state = WorkflowState.get(in.getByte(p + 20));
            w.currentStep = in.getInt(p + 21);
            w.attempt = in.getInt(p + 25);
            w.updatedAt = in.getLong(p + 29);
            final long wakeAt = in.getLong(p + 37);
            w.terminalPosition = in.getLong(p + 45);
            p += 53;
            for (int s = 0, steps = definition.stepCount(); s < steps; s++)
            {
                w.completedPosition(s, in.getLong(p));
                p += 8;
            }
            final int events = in.getInt(p);
            p += 4;
            for (int e = 0; e < events; e++)
            {
                w.addEvent(in.getLong(p));
                p += 8;
            }
            workflows.add(w);
            stateCounts[w.state.value()]++;
            if (!w.isTerminal())
            {
                if (wakeAt != 0)
                {
                    w.wakeAt = wakeAt;
                    w.timerId = timerWheel.scheduleTimer(wakeAt);
                    timerToWorkflow.put(w.timerId, w.id);
                }
                if (w.state == WorkflowState.RUNNING && definition.stepTypes[w.currentStep] == StepType.TASK)
                {
                    enqueueTask(w);
                }
            }
        }
        final int keyCount = in.getInt(p);
        p += 4;
        for (int i = 0; i < keyCount; i++)
        {
            final int keyLength = in.getInt(p);
            final String key = in.getStringWithoutLengthUtf8(p + 4, keyLength);
            p += 4 + keyLength;
            idempotencyKeys.put(key, in.getLong(p));
            p += 8;
        }
        if (p != length)
        {
            throw new IllegalStateException("snapshot has " + (length - p) + " bytes left over after decoding");
        }
        nextWorkflowId = workflows.size() + 1;
    }

    /**
     * A digest of the whole state, equal for equal states: what recovery must reproduce.
     *
     * @return 64-bit digest.
     */
    long digest()
    {
        long h = 1125899906842597L;
        for (int i = 0, size = workflows.size(); i < size; i++)
        {
            final Workflow w = workflows.get(i);
            h = 31 * h + w.id;
            h = 31 * h + w.definition.hash;
            h = 31 * h + w.createdPosition;
            h = 31 * h + w.createdAt;
            h = 31 * h + w.state.value();
            h = 31 * h + w.currentStep;
            h = 31 * h + w.attempt;
            h = 31 * h + w.updatedAt;
            h = 31 * h + w.wakeAt;
            h = 31 * h + w.terminalPosition;
            for (int s = 0, steps = w.definition.stepCount(); s < steps; s++)
            {
                h = 31 * h + w.completedPosition(s);
            }
            for (int e = 0, events = w.eventCount(); e < events; e++)
            {
                h = 31 * h + w.eventPosition(e);
            }
        }
        long keys = idempotencyKeys.size();
        final Object2LongHashMap<String>.EntryIterator entries = idempotencyKeys.entrySet().iterator();
        while (entries.hasNext())
        {
            entries.next();
            keys += 31L * entries.getKey().hashCode() + entries.getLongValue();
        }
        h = 31 * h + keys;
        for (final long count : stateCounts)
        {
            h = 31 * h + count;
        }
        return h;
    }

    // ------------------------------------------------------------------------------------------------ replies

    private void notFound(final ReplySink sink, final Object replyTo, final long correlationId, final long workflowId)
    {
        problem(sink, replyTo, correlationId, ReplyStatus.NOT_FOUND, "NOT_FOUND",
            "workflow " + workflowId + " does not exist");
    }

    private void problem(
        final ReplySink sink,
        final Object replyTo,
        final long correlationId,
        final ReplyStatus status,
        final String code,
        final String detail)
    {
        if (null == sink)
        {
            return;
        }
        final int offset = replies.begin(sink, replyTo);
        problemEncoder.wrapAndApplyHeader(replies.buffer(), offset, headerEncoder)
            .correlationId(correlationId)
            .status(status)
            .code(code)
            .detail(detail);
        replies.commit(HEADER_LENGTH + problemEncoder.encodedLength());
    }

    private void view(
        final ReplySink sink, final Object replyTo, final long correlationId, final ReplyStatus status, final Workflow wf)
    {
        if (null == sink)
        {
            return;
        }
        final int offset = replies.begin(sink, replyTo);
        replies.commit(encodeView(replies.buffer(), offset, correlationId, status, wf));
    }

    private int encodeView(
        final MutableDirectBuffer out,
        final int offset,
        final long correlationId,
        final ReplyStatus status,
        final Workflow workflow)
    {
        final boolean terminal = workflow.isTerminal();
        final WorkflowViewEncoder encoder = viewEncoder.wrapAndApplyHeader(out, offset, headerEncoder)
            .correlationId(correlationId)
            .status(status)
            .workflowId(workflow.id)
            .state(workflow.state)
            .currentStep(terminal ? -1 : workflow.currentStep)
            .createdAt(workflow.createdAt)
            .updatedAt(workflow.updatedAt)
            .eventCount(workflow.eventCount())
            .lastPosition(workflow.lastEventPosition())
            .wakeAt(workflow.wakeAt);

        final int stepCount = workflow.definition.stepCount();
        final WorkflowViewEncoder.StepStatesEncoder stepStates = encoder.stepStatesCount(stepCount);
        for (int i = 0; i < stepCount; i++)
        {
            stepStates.next();
            final long completedPosition = workflow.completedPosition(i);
            if (0 != completedPosition)
            {
                readRecord(completedPosition);
                final StepCompletedDecoder d = viewStepDecoder.wrap(
                    recordRef.buffer, recordRef.offset + HEADER_LENGTH,
                    StepCompletedDecoder.BLOCK_LENGTH, StepCompletedDecoder.SCHEMA_VERSION);
                stepStates.status(StepStatus.COMPLETED).attempts(d.attempt()).completedAt(recordRef.timestamp);
                final int outputLength = d.outputLength();
                d.wrapOutput(varView);
                stepStates.putOutput(varView, 0, outputLength);
            }
            else
            {
                final StepStatus stepStatus;
                int attempts = 0;
                if (i == workflow.currentStep && !terminal)
                {
                    stepStatus = StepStatus.ACTIVE;
                    attempts = workflow.attempt;
                }
                else if (i == workflow.currentStep && workflow.state == WorkflowState.CANCELLED)
                {
                    stepStatus = StepStatus.CANCELLED;
                    attempts = workflow.attempt;
                }
                else if (i == workflow.currentStep && workflow.state == WorkflowState.FAILED)
                {
                    stepStatus = StepStatus.FAILED;
                    attempts = workflow.attempt;
                }
                else
                {
                    stepStatus = StepStatus.PENDING;
                }
                stepStates.status(stepStatus).attempts(attempts).completedAt(0).putOutput(varView, 0, 0);
            }
        }

        readRecord(workflow.createdPosition);
        encoder.putDefinition(recordRef.buffer, recordRef.offset, recordRef.length);

        if (workflow.state == WorkflowState.CANCELLED)
        {
            readRecord(workflow.terminalPosition);
            final WorkflowCancelledDecoder d = viewCancelledDecoder.wrap(
                recordRef.buffer, recordRef.offset + HEADER_LENGTH,
                WorkflowCancelledDecoder.BLOCK_LENGTH, WorkflowCancelledDecoder.SCHEMA_VERSION);
            final int reasonLength = d.reasonLength();
            d.wrapReason(varView);
            encoder.putReason(varView, 0, reasonLength);
        }
        else if (workflow.state == WorkflowState.FAILED)
        {
            readRecord(workflow.terminalPosition);
            final WorkflowFailedDecoder d = viewFailedDecoder.wrap(
                recordRef.buffer, recordRef.offset + HEADER_LENGTH,
                WorkflowFailedDecoder.BLOCK_LENGTH, WorkflowFailedDecoder.SCHEMA_VERSION);
            final int reasonLength = d.reasonLength();
            d.wrapReason(varView);
            encoder.putReason(varView, 0, reasonLength);
        }
        else
        {
            encoder.putReason(varView, 0, 0);
        }

        return HEADER_LENGTH + encoder.encodedLength();
    }

    private void readRecord(final long position)
    {
        if (!journal.readRecord(position, recordRef))
        {
            throw new IllegalStateException("journal has no record at position " + position);
        }
    }

    /**
     * Task steps of one step name: queued for a worker, or leased to one.
     */
    static final class TaskQueue
    {
        final String stepName;
        long queued;
        long leased;

        TaskQueue(final String stepName)
        {
            this.stepName = stepName;
        }
    }

    /**
     * Remembers where the record just read lies, without copying it.
     */
    private static final class RecordRef implements RecordHandler
    {
        DirectBuffer buffer;
        int offset;
        int length;
        long timestamp;

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
            this.buffer = buffer;
            this.offset = offset;
            this.length = length;
            this.timestamp = timestamp;
        }
    }

    /**
     * Copies records into an event list reply: position, sequence, timestamp, type, version, length, payload.
     */
    private static final class EventCopier implements RecordHandler
    {
        MutableDirectBuffer out;
        int limit;

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
            limit = EventFrames.write(out, limit, buffer, offset, length, type, version, position, sequence, timestamp);
        }
    }
}
