package io.axiom.core;

import io.axiom.codecs.CreateWorkflowDecoder;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.StepType;
import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.codecs.WorkflowCreatedEncoder;
import io.axiom.journal.Journal;
import org.agrona.DirectBuffer;

/**
 * CreateWorkflow: validates the whole command first (bad input changes nothing), honours an Idempotency-Key (the
 * same request again answers the first workflow and writes nothing; a different request with the same key is
 * refused; a key is known while its workflow is on the heap or in the cold store, and a key whose workflow's
 * record retention.history deleted is a new key), then writes WorkflowCreated and starts step 0, as one atomic unit.
 */
final class CreateDecider
{
    private static final int HEADER_LENGTH = MessageHeaderDecoder.ENCODED_LENGTH;

    private final EngineState state;
    private final EventWriter events;
    private final StepFlow flow;
    private final Replies replies;
    private final int maxSteps;
    private final int maxNameBytes;
    private final int maxInputBytes;
    private final CreateWorkflowDecoder decoder = new CreateWorkflowDecoder();
    private final CreatedRecord existing = new CreatedRecord();

    CreateDecider(
        final EngineContext ctx,
        final EngineState state,
        final EventWriter events,
        final StepFlow flow,
        final Replies replies)
    {
        this.state = state;
        this.events = events;
        this.flow = flow;
        this.replies = replies;
        this.maxSteps = ctx.maxSteps();
        this.maxNameBytes = ctx.maxNameLength() * 4;
        this.maxInputBytes = ctx.maxInputBytes();
    }

    void onCreate(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final CreateWorkflowDecoder d = decoder.wrap(buffer, offset + HEADER_LENGTH, blockLength, version);
        final long correlationId = d.correlationId();
        if (blockLength != CreateWorkflowDecoder.BLOCK_LENGTH ||
            CreateWorkflowDecoder.BLOCK_LENGTH != WorkflowCreatedEncoder.BLOCK_LENGTH)
        {
            invalid(sink, replyTo, correlationId, "MALFORMED",
                "CreateWorkflow block length " + blockLength + " is not " + CreateWorkflowDecoder.BLOCK_LENGTH);
            return;
        }

        final CreateWorkflowDecoder.StepsDecoder steps = d.steps();
        final int stepCount = steps.count();
        if (0 == stepCount)
        {
            invalid(sink, replyTo, correlationId, "INVALID_STEPS", "steps must not be empty");
            return;
        }
        if (stepCount > maxSteps)
        {
            invalid(sink, replyTo, correlationId, "TOO_MANY_STEPS", stepCount + " steps exceed the limit of " + maxSteps);
            return;
        }
        int index = 0;
        while (steps.hasNext())
        {
            steps.next();
            final String error = validateStep(steps);
            if (null != error)
            {
                invalid(sink, replyTo, correlationId, "INVALID_STEPS", "step " + index + ": " + error);
                return;
            }
            index++;
        }

        final int nameLength = d.nameLength();
        if (0 == nameLength || nameLength > maxNameBytes)
        {
            invalid(sink, replyTo, correlationId, "INVALID_NAME",
                0 == nameLength ? "name must not be empty" : "name of " + nameLength + " bytes is too long");
            return;
        }
        d.skipName();
        final int keyLength = d.idempotencyKeyLength();
        final String idempotencyKey = keyLength > 0 ? d.idempotencyKey() : null;
        if (0 == keyLength)
        {
            d.skipIdempotencyKey();
        }
        final int inputLength = d.inputLength();
        if (inputLength > maxInputBytes)
        {
            invalid(sink, replyTo, correlationId, "INPUT_TOO_LARGE",
                "input of " + inputLength + " bytes exceeds the limit of " + maxInputBytes);
            return;
        }
        d.skipInput();
        if (d.limit() != offset + length)
        {
            invalid(sink, replyTo, correlationId, "MALFORMED",
                "CreateWorkflow has " + (offset + length - d.limit()) + " trailing bytes");
            return;
        }
        if (length > events.maxPayloadLength())
        {
            final Journal journal = events.journal();
            invalid(sink, replyTo, correlationId, "INPUT_TOO_LARGE",
                "the workflow's definition and input take " + length + " bytes, more than one journal record can " +
                "hold (" + journal.maxPayloadLength() + " bytes with wal.max-segment-size " + journal.segmentSize() +
                ")");
            return;
        }

        if (null != idempotencyKey)
        {
            final long existingId = state.createdBy(idempotencyKey);
            // a key is known while its workflow is (on the heap or in the cold store): a known key's workflow is there
            final Workflow first = existingId != -1 ? state.workflowOrRetired(existingId) : null;
            if (null != first)
            {
                if (existing.sameRequest(events.journal(), first.createdPosition, buffer, offset, length))
                {
                    replies.view(sink, replyTo, correlationId, ReplyStatus.EXISTING, first);
                }
                else
                {
                    replies.problem(sink, replyTo, correlationId, ReplyStatus.UNPROCESSABLE,
                        "IDEMPOTENCY_KEY_REUSED", "Idempotency-Key '" + idempotencyKey + "' was used to create " +
                        "workflow " + existingId + " with a different request; send a new key for a new workflow");
                }
                return;
            }
        }

        if (!replies.reserveView(sink, WorkflowViews.lengthOfNew(stepCount, length)))
        {
            replies.noRoomForReply(sink, replyTo, correlationId);
            return;
        }
        if (!events.ensureRoom(EventWriter.frameBound(length) + StepFlow.SCHEDULE_BOUND))
        {
            Deciders.noRoom(replies, sink, replyTo, correlationId, events);
            return;
        }
        final long workflowId = state.nextWorkflowId;
        events.created(buffer, offset, length, workflowId);
        final Workflow workflow = state.workflow(workflowId);
        flow.schedule(workflow, 0);
        replies.view(sink, replyTo, correlationId, ReplyStatus.CREATED, workflow);
    }

    private void invalid(
        final ReplySink sink, final Object replyTo, final long correlationId, final String code, final String detail)
    {
        replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, code, detail);
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
        if (0 == step.nameLength())
        {
            return "name must not be empty";
        }
        step.skipName();
        return null;
    }

    /**
     * Compares a create request with the WorkflowCreated record an earlier request with the same key wrote: the same
     * request is the same bytes after the block (steps, name, key, input).
     */
    private static final class CreatedRecord implements io.axiom.journal.RecordHandler
    {
        private DirectBuffer request;
        private int requestOffset;
        private int requestLength;
        private boolean same;

        boolean sameRequest(
            final Journal journal, final long position, final DirectBuffer request, final int offset, final int length)
        {
            this.request = request;
            this.requestOffset = offset;
            this.requestLength = length;
            this.same = false;
            if (!journal.readRecord(position, this))
            {
                throw new IllegalStateException("journal has no record at position " + position);
            }
            this.request = null;
            return same;
        }

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
            final int blockLength = buffer.getShort(offset, java.nio.ByteOrder.LITTLE_ENDIAN) & 0xFFFF;
            final int skip = HEADER_LENGTH + WorkflowCreatedDecoder.BLOCK_LENGTH;
            same = length == requestLength && blockLength == WorkflowCreatedDecoder.BLOCK_LENGTH &&
                Deciders.equalBytes(buffer, offset + skip, request, requestOffset + skip, length - skip);
        }
    }
}
