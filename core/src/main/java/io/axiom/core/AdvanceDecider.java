package io.axiom.core;

import io.axiom.codecs.AdvanceWorkflowDecoder;
import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.ReplyStatus;
import io.axiom.codecs.StepType;
import org.agrona.DirectBuffer;

/**
 * AdvanceWorkflow: an operator completes the current step (with an optional output) and the workflow moves on. The
 * StepCompleted it writes says OPERATOR, so that a worker's late completion of the same step is refused (the step
 * commits once). A caller that names the step it expects (by index, or by name) never completes a later step by
 * mistake: a step already completed answers ALREADY_COMMITTED, another step STEP_MISMATCH; with an
 * Idempotency-Key a retry is answered from the state and writes nothing.
 */
final class AdvanceDecider
{
    private final EngineState state;
    private final EventWriter events;
    private final StepFlow flow;
    private final Replies replies;
    private final int maxOutputBytes;
    private final AdvanceWorkflowDecoder decoder = new AdvanceWorkflowDecoder();
    private final OperatorRequest request = new OperatorRequest();

    AdvanceDecider(
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
        this.maxOutputBytes = ctx.maxInputBytes();
    }

    void onAdvance(
        final DirectBuffer buffer,
        final int bodyOffset,
        final int end,
        final int blockLength,
        final int version,
        final ReplySink sink,
        final Object replyTo)
    {
        final AdvanceWorkflowDecoder d = decoder.wrap(buffer, bodyOffset, blockLength, version);
        final OperatorRequest r = request;
        r.reset();
        r.correlationId = d.correlationId();
        r.workflowId = d.workflowId();
        r.expectedStepIndex(d.expectedStepIndex());
        r.expectedStep = d.expectedStepLength() > 0 ? d.expectedStep() : null;
        if (null == r.expectedStep)
        {
            d.skipExpectedStep();
        }
        r.payloadLength = d.outputLength();
        d.wrapOutput(r.payload);
        r.keyLength = d.idempotencyKeyLength();
        d.wrapIdempotencyKey(r.key);
        final int maxOutput = Math.min(maxOutputBytes, events.maxPayloadLength() -
            EventWriter.stepCompletedLength(0, r.keyLength));
        final Workflow workflow = r.admit("AdvanceWorkflow", end - d.limit(), "output", maxOutput, true, state, events,
            replies, sink, replyTo);
        if (null == workflow)
        {
            return;
        }

        final int step = r.expectedStepIndex != OperatorRequest.NO_INDEX ? r.expectedStepIndex : workflow.currentStep;
        if (r.expectedStepIndex != OperatorRequest.NO_INDEX && workflow.isCompleted(step))
        {
            replies.problem(sink, replyTo, r.correlationId, ReplyStatus.CONFLICT, "ALREADY_COMMITTED",
                "step " + step + " '" + workflow.definition.stepNames[step] + "' of workflow " + workflow.id +
                " was already completed (StepCompleted at position " + workflow.completedPosition(step) +
                "); nothing was written");
            return;
        }
        if (workflow.isTerminal())
        {
            replies.problem(sink, replyTo, r.correlationId, ReplyStatus.CONFLICT, "ILLEGAL_TRANSITION",
                "workflow " + workflow.id + " is " + workflow.state + "; there is no step to advance");
            return;
        }
        final String current = workflow.currentStepName();
        if (step != workflow.currentStep || (null != r.expectedStep && !r.expectedStep.equals(current)))
        {
            replies.problem(sink, replyTo, r.correlationId, ReplyStatus.CONFLICT, "STEP_MISMATCH",
                "workflow " + workflow.id + " is at step " + workflow.currentStep + " '" + current + "', not " +
                (step != workflow.currentStep ? "step " + step : "'" + r.expectedStep + "'"));
            return;
        }
        if (workflow.definition.stepTypes[step] == StepType.TIMER)
        {
            replies.problem(sink, replyTo, r.correlationId, ReplyStatus.CONFLICT, "ILLEGAL_TRANSITION",
                "step '" + current + "' of workflow " + workflow.id + " is a timer step; it completes when its " +
                "timer fires at " + java.time.Instant.ofEpochMilli(workflow.wakeAt));
            return;
        }
        if (!replies.reserveView(sink, replies.views().lengthAfter(workflow, r.payloadLength)))
        {
            replies.noRoomForReply(sink, replyTo, r.correlationId);
            return;
        }
        if (!events.ensureRoom(EventWriter.frameBound(EventWriter.stepCompletedLength(r.payloadLength, r.keyLength)) +
            StepFlow.SCHEDULE_BOUND))
        {
            Deciders.noRoom(replies, sink, replyTo, r.correlationId, events);
            return;
        }
        flow.completeCurrentStep(workflow, CompletedBy.OPERATOR, 0, r.payload, 0, r.payloadLength, r.key, 0,
            r.keyLength);
        replies.view(sink, replyTo, r.correlationId, ReplyStatus.OK, workflow);
    }
}
