package io.axiom.core;

import io.axiom.codecs.CancelWorkflowDecoder;
import io.axiom.codecs.ReplyStatus;
import org.agrona.DirectBuffer;

/**
 * CancelWorkflow: ends a workflow that has not ended, with an optional reason. Like advance it can name the step it
 * expects the workflow to be at and carry an Idempotency-Key, so a retry never cancels what moved on since.
 */
final class CancelDecider
{
    private final EngineState state;
    private final EventWriter events;
    private final Replies replies;
    private final int maxReasonBytes;
    private final CancelWorkflowDecoder decoder = new CancelWorkflowDecoder();
    private final OperatorRequest request = new OperatorRequest();

    CancelDecider(final EngineContext ctx, final EngineState state, final EventWriter events, final Replies replies)
    {
        this.state = state;
        this.events = events;
        this.replies = replies;
        this.maxReasonBytes = ctx.maxInputBytes();
    }

    void onCancel(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int end,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final CancelWorkflowDecoder d = decoder.wrap(buffer, bodyOffset, blockLength, version);
        final OperatorRequest r = request;
        r.reset();
        r.correlationId = d.correlationId();
        r.workflowId = d.workflowId();
        r.expectedStepIndex(d.expectedStepIndex());
        r.payloadLength = d.reasonLength();
        d.wrapReason(r.payload);
        r.keyLength = d.idempotencyKeyLength();
        d.wrapIdempotencyKey(r.key);
        final int maxReason = Math.min(maxReasonBytes, events.maxPayloadLength() -
            EventWriter.cancelledLength(0, r.keyLength));
        final Workflow workflow = r.admit("CancelWorkflow", end - d.limit(), "reason", maxReason, false, state, events,
            replies, sink, replyTo);
        if (null == workflow)
        {
            return;
        }
        if (workflow.isTerminal())
        {
            replies.problem(sink, replyTo, r.correlationId, ReplyStatus.CONFLICT, "ILLEGAL_TRANSITION",
                "workflow " + workflow.id + " is already " + workflow.state + " and cannot be cancelled");
            return;
        }
        if (r.expectedStepIndex != OperatorRequest.NO_INDEX && r.expectedStepIndex != workflow.currentStep)
        {
            replies.problem(sink, replyTo, r.correlationId, ReplyStatus.CONFLICT, "STEP_MISMATCH",
                "workflow " + workflow.id + " is at step " + workflow.currentStep + " '" +
                workflow.currentStepName() + "', not step " + r.expectedStepIndex + "; nothing was written");
            return;
        }
        if (!replies.reserveView(sink, replies.views().lengthAfter(workflow, r.payloadLength)))
        {
            replies.noRoomForReply(sink, replyTo, r.correlationId);
            return;
        }
        if (!events.ensureRoom(EventWriter.frameBound(EventWriter.cancelledLength(r.payloadLength, r.keyLength))))
        {
            Deciders.noRoom(replies, sink, replyTo, r.correlationId, events);
            return;
        }
        events.cancelled(workflow, r.payload, 0, r.payloadLength, r.key, 0, r.keyLength);
        replies.view(sink, replyTo, r.correlationId, ReplyStatus.OK, workflow);
    }
}
