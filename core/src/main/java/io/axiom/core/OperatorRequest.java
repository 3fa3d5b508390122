package io.axiom.core;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.StepCompletedDecoder;
import io.axiom.codecs.WorkflowCancelledDecoder;
import io.axiom.journal.Journal;
import io.axiom.journal.RecordHandler;
import org.agrona.DirectBuffer;
import org.agrona.concurrent.UnsafeBuffer;

/**
 * What an operator's advance or cancel asks, and the checks both share: the step the caller expects (by index and
 * by name), and the Idempotency-Key that makes a retry harmless. A key is remembered per workflow with the position
 * of the event it produced; the same request again is answered from the state without writing, a different request
 * with the same key is refused.
 */
final class OperatorRequest implements RecordHandler
{
    static final int NO_INDEX = -1;

    final UnsafeBuffer payload = new UnsafeBuffer(0, 0);
    final UnsafeBuffer key = new UnsafeBuffer(0, 0);
    long correlationId;
    long workflowId;
    int expectedStepIndex = NO_INDEX;
    String expectedStep;
    int payloadLength;
    int keyLength;
    String keyText;

    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final StepCompletedDecoder stepCompleted = new StepCompletedDecoder();
    private final WorkflowCancelledDecoder cancelled = new WorkflowCancelledDecoder();
    private final UnsafeBuffer recorded = new UnsafeBuffer(0, 0);
    private boolean advance;
    private int recordedStep;
    private boolean same;
    private boolean found;

    void reset()
    {
        correlationId = 0;
        workflowId = 0;
        expectedStepIndex = NO_INDEX;
        expectedStep = null;
        payloadLength = 0;
        keyLength = 0;
        keyText = null;
        payload.wrap(0, 0);
        key.wrap(0, 0);
    }

    /**
     * @param stepIndex the step index as the command carries it (null value from an older command version).
     */
    void expectedStepIndex(final int stepIndex)
    {
        expectedStepIndex = stepIndex == Integer.MIN_VALUE ? NO_INDEX : stepIndex;
    }

    /**
     * What both commands check before deciding, in order: no trailing bytes, the workflow exists, sizes and the
     * expected index are in range, and a retry with a known Idempotency-Key is answered from the state.
     *
     * @param command      the command's name, for problems.
     * @param trailing     bytes after the decoded command, 0 when it ends where it should.
     * @param payloadName  "output" or "reason".
     * @param maxPayload   largest payload the command may carry.
     * @param isAdvance    true for an advance, false for a cancel.
     * @return the workflow to decide on, or null when the request was answered here (nothing must be written).
     */
    Workflow admit(
        final String command,
        final int trailing,
        final String payloadName,
        final int maxPayload,
        final boolean isAdvance,
        final EngineState state,
        final EventWriter events,
        final Replies replies,
        final ReplySink sink,
        final Object replyTo)
    {
        if (0 != trailing)
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, "MALFORMED",
                command + " has " + trailing + " trailing bytes");
            return null;
        }
        final Workflow workflow = state.workflowOrRetired(workflowId); // a retired one answers as it ended
        if (null == workflow)
        {
            replies.notFound(sink, replyTo, correlationId, workflowId, state);
            return null;
        }
        final String[] malformed = malformed(workflow, maxPayload, payloadName);
        if (null != malformed)
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.INVALID, malformed[0], malformed[1]);
            return null;
        }
        if (answerRetry(state, events.journal(), replies, sink, replyTo, workflow, isAdvance))
        {
            return null;
        }
        return workflow;
    }

    /**
     * Checks shared by both commands before anything else: sizes and the expected index's range.
     *
     * @return a problem code and detail, or null when the request is well formed.
     */
    String[] malformed(final Workflow workflow, final int maxPayloadBytes, final String payloadName)
    {
        if (payloadLength > maxPayloadBytes)
        {
            return new String[]{payloadName.toUpperCase(java.util.Locale.ROOT) + "_TOO_LARGE",
                payloadName + " of " + payloadLength + " bytes exceeds the limit of " + maxPayloadBytes};
        }
        if (keyLength > Deciders.MAX_IDEMPOTENCY_KEY_BYTES)
        {
            return new String[]{"INVALID_IDEMPOTENCY_KEY", "Idempotency-Key of " + keyLength +
                " bytes is longer than " + Deciders.MAX_IDEMPOTENCY_KEY_BYTES};
        }
        if (expectedStepIndex != NO_INDEX &&
            (expectedStepIndex < 0 || expectedStepIndex >= workflow.definition.stepCount()))
        {
            return new String[]{"INVALID_STEP_INDEX", "expected_step_index " + expectedStepIndex +
                " is not a step of workflow " + workflow.id + " (it has " + workflow.definition.stepCount() +
                " steps, indexed from 0)"};
        }
        return null;
    }

    /**
     * Answer a retry: when the key was used before on this workflow, reply EXISTING for the same request or
     * UNPROCESSABLE for a different one.
     *
     * @return true when the request was answered here and nothing must be written.
     */
    boolean answerRetry(
        final EngineState state,
        final Journal journal,
        final Replies replies,
        final ReplySink sink,
        final Object replyTo,
        final Workflow workflow,
        final boolean isAdvance)
    {
        if (0 == keyLength)
        {
            return false;
        }
        keyText = key.getStringWithoutLengthAscii(0, keyLength);
        final long position = state.operationKeys.getValue(EngineState.operationKey(workflowId, keyText));
        if (position == -1)
        {
            return false;
        }
        advance = isAdvance;
        found = false;
        same = false;
        if (!journal.readRecord(position, this) || !found)
        {
            throw new IllegalStateException("the Idempotency-Key of workflow " + workflowId +
                " names position " + position + ", which holds no advance or cancel");
        }
        if (same && expectedStep != null && !expectedStep.equals(workflow.definition.stepNames[recordedStep]))
        {
            same = false;
        }
        if (same)
        {
            replies.view(sink, replyTo, correlationId, ReplyStatus.EXISTING, workflow);
        }
        else
        {
            replies.problem(sink, replyTo, correlationId, ReplyStatus.UNPROCESSABLE, "IDEMPOTENCY_KEY_REUSED",
                "Idempotency-Key '" + keyText + "' was already used on workflow " + workflowId + " for a " +
                "different request (the event at position " + position + "); nothing was written. Use a new key " +
                "for a new request");
        }
        return true;
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
        header.wrap(buffer, offset);
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        if (type == StepCompletedDecoder.TEMPLATE_ID)
        {
            final StepCompletedDecoder d = stepCompleted.wrap(buffer, body, header.blockLength(), header.version());
            found = true;
            recordedStep = d.stepIndex();
            final int outputLength = d.outputLength();
            d.wrapOutput(recorded);
            same = advance && d.completedBy() == CompletedBy.OPERATOR && sameStep() &&
                outputLength == payloadLength && Deciders.equalBytes(recorded, 0, payload, 0, payloadLength);
        }
        else if (type == WorkflowCancelledDecoder.TEMPLATE_ID)
        {
            final WorkflowCancelledDecoder d = cancelled.wrap(buffer, body, header.blockLength(), header.version());
            found = true;
            recordedStep = d.stepIndex();
            final int reasonLength = d.reasonLength();
            d.wrapReason(recorded);
            same = !advance && sameStep() &&
                reasonLength == payloadLength && Deciders.equalBytes(recorded, 0, payload, 0, payloadLength);
        }
    }

    private boolean sameStep()
    {
        return expectedStepIndex == NO_INDEX || expectedStepIndex == recordedStep;
    }
}
