package io.axiom.core;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.FailureKind;
import io.axiom.codecs.MessageHeaderDecoder;
import io.axiom.codecs.StepAttemptFailedDecoder;
import io.axiom.codecs.StepLeasedDecoder;
import io.axiom.codecs.StepCompletedDecoder;
import io.axiom.codecs.StepScheduledDecoder;
import io.axiom.codecs.StepType;
import io.axiom.codecs.TimerFiredDecoder;
import io.axiom.codecs.TimerPurpose;
import io.axiom.codecs.TimerScheduledDecoder;
import io.axiom.codecs.WaitReason;
import io.axiom.codecs.WorkflowCancelledDecoder;
import io.axiom.codecs.WorkflowCompletedDecoder;
import io.axiom.codecs.WorkflowCreatedDecoder;
import io.axiom.codecs.WorkflowFailedDecoder;
import io.axiom.codecs.WorkflowResumedDecoder;
import io.axiom.codecs.WorkflowRetiredDecoder;
import io.axiom.codecs.WorkflowState;
import io.axiom.codecs.WorkflowWaitingDecoder;
import io.axiom.journal.RecordHandler;
import org.agrona.DirectBuffer;

/**
 * The only code that changes the {@link EngineState}: it applies one event of the log. Live events are applied right
 * after a decider wrote them, and recovery replays the log through the same method, so the state after a restart is
 * the state before it.
 * <p>
 * <b>Strict.</b> Every event is checked against the state the log built up to it: a step completes only once and only
 * while it is current, a workflow ends only once, a timer fires only if it was scheduled, ids come in order. An
 * illegal event is an {@link IllegalEventException} naming its position: corruption at recovery, a bug live (the
 * processor stops before the event can be acknowledged). Deciders check the same rules first and answer
 * ALREADY_COMMITTED or ILLEGAL_TRANSITION instead of ever writing such an event.
 * <p>
 * Every event is decoded with the block length and version of its own message header, so a log written by an older
 * schema version still applies.
 */
final class Applier implements RecordHandler
{
    private final EngineState state;
    private final MessageHeaderDecoder header = new MessageHeaderDecoder();
    private final WorkflowCreatedDecoder created = new WorkflowCreatedDecoder();
    private final StepScheduledDecoder stepScheduled = new StepScheduledDecoder();
    private final StepCompletedDecoder stepCompleted = new StepCompletedDecoder();
    private final TimerScheduledDecoder timerScheduled = new TimerScheduledDecoder();
    private final TimerFiredDecoder timerFired = new TimerFiredDecoder();
    private final WorkflowWaitingDecoder waiting = new WorkflowWaitingDecoder();
    private final WorkflowResumedDecoder resumed = new WorkflowResumedDecoder();
    private final WorkflowCompletedDecoder completed = new WorkflowCompletedDecoder();
    private final WorkflowCancelledDecoder cancelled = new WorkflowCancelledDecoder();
    private final WorkflowFailedDecoder failed = new WorkflowFailedDecoder();
    private final StepLeasedDecoder leased = new StepLeasedDecoder();
    private final StepAttemptFailedDecoder attemptFailed = new StepAttemptFailedDecoder();
    private final WorkflowRetiredDecoder retired = new WorkflowRetiredDecoder();

    Applier(final EngineState state)
    {
        this.state = state;
    }

    /**
     * Apply one record of the log.
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

    /**
     * Apply one event.
     *
     * @param buffer    holding the event, SBE message header included.
     * @param offset    of the event.
     * @param length    of the event.
     * @param type      the record's type (template id); must match the message header.
     * @param position  the record's journal position.
     * @param timestamp the record's timestamp (epoch ms).
     * @throws IllegalEventException when the event is illegal in the current state.
     */
    void apply(
        final DirectBuffer buffer,
        final int offset,
        final int length,
        final int type,
        final long position,
        final long timestamp)
    {
        if (length < MessageHeaderDecoder.ENCODED_LENGTH)
        {
            throw new IllegalEventException(position, "record of " + length + " bytes holds no event");
        }
        header.wrap(buffer, offset);
        if (header.templateId() != type || header.schemaId() != MessageHeaderDecoder.SCHEMA_ID)
        {
            throw new IllegalEventException(position, "record type " + type + " holds a message of template " +
                header.templateId() + " and schema " + header.schemaId());
        }
        if (header.version() > MessageHeaderDecoder.SCHEMA_VERSION)
        {
            throw new IllegalEventException(position, "event of schema version " + header.version() +
                ", newer than this Axiom's " + MessageHeaderDecoder.SCHEMA_VERSION + ": upgrade Axiom");
        }
        final int body = offset + MessageHeaderDecoder.ENCODED_LENGTH;
        final int block = header.blockLength();
        final int version = header.version();
        switch (type)
        {
            case WorkflowCreatedDecoder.TEMPLATE_ID -> applyCreated(buffer, body, block, version, position, timestamp);
            case StepScheduledDecoder.TEMPLATE_ID ->
            {
                final StepScheduledDecoder d = stepScheduled.wrap(buffer, body, block, version);
                applyStepScheduled(live(d.workflowId(), position), d.stepIndex(), d.attempt(), position, timestamp);
            }
            case StepCompletedDecoder.TEMPLATE_ID ->
            {
                final StepCompletedDecoder d = stepCompleted.wrap(buffer, body, block, version);
                applyStepCompleted(live(d.workflowId(), position), d, version, position, timestamp);
            }
            case TimerScheduledDecoder.TEMPLATE_ID ->
            {
                final TimerScheduledDecoder d = timerScheduled.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                final int step = d.stepIndex();
                final StepType stepType = step == w.currentStep ? w.definition.stepTypes[step] : null;
                final boolean stepTimer = d.purpose() == TimerPurpose.STEP_TIMER && stepType == StepType.TIMER &&
                    !w.attemptFailed();
                final boolean backoff = d.purpose() == TimerPurpose.RETRY_BACKOFF && stepType == StepType.TASK &&
                    w.attemptFailed() && null == w.lease;
                requireActiveStep(w, step, position, "TimerScheduled");
                if (!stepTimer && !backoff)
                {
                    throw illegal(w, position, "TimerScheduled with purpose " + d.purpose() + " for step " + step +
                        ", a " + w.definition.stepTypes[step] + " step");
                }
                touch(w, position, timestamp);
                state.timers.schedule(w, d.deadline());
            }
            case TimerFiredDecoder.TEMPLATE_ID ->
            {
                final TimerFiredDecoder d = timerFired.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                requireActiveStep(w, d.stepIndex(), position, "TimerFired");
                if (0 == w.wakeAt || d.deadline() != w.wakeAt)
                {
                    throw illegal(w, position, "TimerFired for deadline " + d.deadline() + " but the workflow's " +
                        "pending timer is " + (0 == w.wakeAt ? "none" : String.valueOf(w.wakeAt)));
                }
                touch(w, position, timestamp);
                state.timers.cancel(w);
            }
            case WorkflowWaitingDecoder.TEMPLATE_ID ->
            {
                final WorkflowWaitingDecoder d = waiting.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                requireActiveStep(w, d.stepIndex(), position, "WorkflowWaiting");
                final StepType stepType = w.definition.stepTypes[d.stepIndex()];
                final WaitReason reason = d.reason();
                if (!(reason == WaitReason.APPROVAL && stepType == StepType.APPROVAL) &&
                    !(reason == WaitReason.TIMER && stepType == StepType.TIMER) &&
                    !(reason == WaitReason.RETRY_BACKOFF && stepType == StepType.TASK && w.attemptFailed()))
                {
                    throw illegal(w, position, "WorkflowWaiting for " + reason + " on a " + stepType + " step");
                }
                touch(w, position, timestamp);
                moveTo(w, WorkflowState.WAITING);
            }
            case WorkflowResumedDecoder.TEMPLATE_ID ->
            {
                final WorkflowResumedDecoder d = resumed.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                final int step = d.stepIndex();
                final boolean next = step == w.currentStep + 1 && w.isCompleted(w.currentStep);
                final boolean retry = step == w.currentStep && !w.isCompleted(step) && w.attemptFailed() &&
                    0 == w.wakeAt;
                if (w.state != WorkflowState.WAITING || !(next || retry) || step >= w.definition.stepCount())
                {
                    throw illegal(w, position, "WorkflowResumed at step " + step);
                }
                touch(w, position, timestamp);
                moveTo(w, WorkflowState.RUNNING);
            }
            case WorkflowCompletedDecoder.TEMPLATE_ID ->
            {
                final WorkflowCompletedDecoder d = completed.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                final int last = w.definition.stepCount() - 1;
                if (w.currentStep != last || !w.isCompleted(last))
                {
                    throw illegal(w, position, "WorkflowCompleted before its last step " + last + " completed");
                }
                touch(w, position, timestamp);
                terminate(w, WorkflowState.COMPLETED, position);
            }
            case WorkflowCancelledDecoder.TEMPLATE_ID ->
            {
                final WorkflowCancelledDecoder d = cancelled.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                if (d.stepIndex() != w.currentStep)
                {
                    throw illegal(w, position, "WorkflowCancelled at step " + d.stepIndex());
                }
                d.skipReason();
                final int keyLength = d.idempotencyKeyLength();
                if (keyLength > 0)
                {
                    state.putOperationKey(EngineState.operationKey(w.id, d.idempotencyKey()), position);
                }
                touch(w, position, timestamp);
                terminate(w, WorkflowState.CANCELLED, position);
            }
            case WorkflowFailedDecoder.TEMPLATE_ID ->
            {
                final WorkflowFailedDecoder d = failed.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                if (d.stepIndex() != w.currentStep || !w.attemptFailed())
                {
                    throw illegal(w, position, "WorkflowFailed at step " + d.stepIndex() + " without a failed attempt");
                }
                touch(w, position, timestamp);
                terminate(w, WorkflowState.FAILED, position);
            }
            case StepLeasedDecoder.TEMPLATE_ID ->
            {
                final StepLeasedDecoder d = leased.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                final int step = d.stepIndex();
                requireActiveStep(w, step, position, "StepLeased");
                if (w.definition.stepTypes[step] != StepType.TASK || null != w.lease || w.attemptFailed() ||
                    d.attempt() != w.attempt)
                {
                    throw illegal(w, position, "StepLeased for attempt " + d.attempt() + " of step " + step +
                        (null != w.lease ? ", already leased with token " + w.lease.token : ""));
                }
                touch(w, position, timestamp);
                state.taskQueues.dequeue(w);
                w.taskQueue = null;
                state.taskQueues.queue(w.definition.stepNames[step]).leased++;
                final Lease lease = new Lease(position, d.workerId(), step, d.attempt(), d.attemptDeadline());
                w.lease = lease;
                state.leases++;
                lease.expiresAt = d.leaseExpiresAt();
                state.timers.arm(w, lease);
            }
            case StepAttemptFailedDecoder.TEMPLATE_ID ->
            {
                final StepAttemptFailedDecoder d = attemptFailed.wrap(buffer, body, block, version);
                final Workflow w = live(d.workflowId(), position);
                final Lease lease = w.lease;
                if (null == lease || d.fencingToken() != lease.token || d.stepIndex() != w.currentStep ||
                    d.attempt() != w.attempt || FailureKind.NULL_VAL == d.kind())
                {
                    throw illegal(w, position, "StepAttemptFailed with token " + d.fencingToken() + " for attempt " +
                        d.attempt() + " of step " + d.stepIndex() + (null == lease ? ", which is not leased" :
                        ", the lease's token is " + lease.token));
                }
                touch(w, position, timestamp);
                endLease(w);
                w.flags |= Workflow.ATTEMPT_FAILED;
            }
            case WorkflowRetiredDecoder.TEMPLATE_ID ->
                retire(retired.wrap(buffer, body, block, version).workflowId(), position, timestamp);
            default -> throw new IllegalEventException(position, "event type " + type + " is not one this " +
                "version of Axiom applies (LeaseExtended is never written: heartbeats are not logged)");
        }
        state.eventsApplied++;
    }

    private void applyCreated(
        final DirectBuffer buffer,
        final int body,
        final int block,
        final int version,
        final long position,
        final long timestamp)
    {
        final WorkflowCreatedDecoder d = created.wrap(buffer, body, block, version);
        final long workflowId = d.workflowId();
        if (state.workflows.isEmpty() && state.idBase == EngineState.REPLAY_ANY_ID)
        {
            state.idBase = workflowId - 1;
        }
        final long expected = state.workflows.size() + 1 + state.idBase;
        if (workflowId != expected)
        {
            throw new IllegalEventException(position, "WorkflowCreated for workflow " + workflowId +
                " but the next id is " + expected);
        }

        final int stepsOffset = body + block;
        final WorkflowCreatedDecoder.StepsDecoder steps = d.steps();
        if (0 == steps.count())
        {
            throw new IllegalEventException(position, "WorkflowCreated for workflow " + workflowId + " has no steps");
        }
        while (steps.hasNext())
        {
            if (StepType.NULL_VAL == steps.next().type())
            {
                throw new IllegalEventException(position, "WorkflowCreated for workflow " + workflowId +
                    " has a step of unknown type");
            }
            steps.skipName();
        }
        final int stepsLength = d.limit() - stepsOffset;
        WorkflowDefinition definition = state.definitions.find(buffer, stepsOffset, stepsLength);
        if (null == definition)
        {
            d.wrap(buffer, body, block, version);
            definition = state.definitions.add(buffer, stepsOffset, stepsLength, d);
        }
        final Workflow workflow = new Workflow(workflowId, definition, position, timestamp);
        final int index = state.workflows.size();
        state.names.add(workflow, index, d);
        if (d.idempotencyKeyLength() > 0)
        {
            state.putCreateKey(d.idempotencyKey(), workflow);
        }

        workflow.addEvent(position);
        state.workflows.add(workflow);
        state.states.add(index, WorkflowState.CREATED);
        state.steps.enter(index, definition.stepNames[0]);
        state.created(timestamp);
        state.nextWorkflowId = workflowId + 1;
    }

    /**
     * An ended workflow leaves the heap: its record (with its Idempotency-Key) goes to the cold store (when there is
     * one), then it leaves the table, the create keys and every index. Not one of its events: its event list stays
     * as it ended.
     */
    private void retire(final long workflowId, final long position, final long timestamp)
    {
        final Workflow w = state.workflow(workflowId);
        if (null == w)
        {
            throw new IllegalEventException(position, "WorkflowRetired names workflow " + workflowId + ", which " +
                (workflowId >= 1 && workflowId < state.nextWorkflowId ? "already left the heap" : "was never created"));
        }
        if (!w.isTerminal())
        {
            throw illegal(w, position, "WorkflowRetired before the workflow ended");
        }
        final int index = state.indexOf(w);
        final SnapshotCapture capture = state.capture;
        if (null != capture)
        {
            capture.beforeWrite(index); // a snapshot marked while it was on the heap still holds it
        }
        if (null != state.cold)
        {
            state.cold.write(w, timestamp);
        }
        state.removeCreateKey(w);
        state.states.remove(index, w.state);
        state.names.remove(w, index);
        state.workflows.remove(index);
        state.retired++;
    }

    private void applyStepScheduled(
        final Workflow w, final int step, final int attempt, final long position, final long timestamp)
    {
        final boolean first = step == 0 && !w.currentStepScheduled() && attempt == 1;
        final boolean next = step == w.currentStep + 1 && w.isCompleted(w.currentStep) && attempt == 1;
        final boolean retry = step == w.currentStep && !w.isCompleted(step) && w.attemptFailed() &&
            attempt == w.attempt + 1 && 0 == w.wakeAt && attempt <= w.definition.maxAttempts[step];
        if (!(first || next || retry) || step >= w.definition.stepCount() ||
            (retry && w.state == WorkflowState.WAITING))
        {
            throw illegal(w, position, "StepScheduled for step " + step + " attempt " + attempt);
        }
        touch(w, position, timestamp);
        if (step != w.currentStep)
        {
            final int index = state.indexOf(w);
            state.steps.leave(index, w.definition.stepNames[w.currentStep]);
            state.steps.enter(index, w.definition.stepNames[step]);
        }
        w.currentStep = step;
        w.attempt = attempt;
        w.flags &= ~Workflow.ATTEMPT_FAILED;
        if (w.definition.stepTypes[step] == StepType.TASK)
        {
            moveTo(w, WorkflowState.RUNNING);
            state.taskQueues.enqueue(w, timestamp, ++state.orderSequence);
        }
    }

    private void applyStepCompleted(
        final Workflow w,
        final StepCompletedDecoder d,
        final int version,
        final long position,
        final long timestamp)
    {
        final int step = d.stepIndex();
        if (step != w.currentStep || !w.currentStepScheduled())
        {
            throw illegal(w, position, "StepCompleted for step " + step + ", which is not the current step");
        }
        if (w.isCompleted(step))
        {
            throw illegal(w, position, "a second StepCompleted for step " + step + " (the first is at position " +
                w.completedPosition(step) + ")");
        }
        if (d.attempt() != w.attempt)
        {
            throw illegal(w, position, "StepCompleted for attempt " + d.attempt() + " of step " + step +
                " but the current attempt is " + w.attempt);
        }
        final boolean timerStep = w.definition.stepTypes[step] == StepType.TIMER;
        final CompletedBy by = completedBy(d, version, timerStep);
        if (by == CompletedBy.NULL_VAL)
        {
            throw illegal(w, position, "StepCompleted for step " + step + " says no one completed it");
        }
        if (by == CompletedBy.TIMER != timerStep || (timerStep && 0 != w.wakeAt))
        {
            throw illegal(w, position, "StepCompleted by " + by + " for step " + step + ", a " +
                w.definition.stepTypes[step] + " step" + (0 != w.wakeAt ? " whose timer has not fired" : ""));
        }
        if (by == CompletedBy.WORKER && (null == w.lease || d.fencingToken() != w.lease.token))
        {
            throw illegal(w, position, "StepCompleted by a worker with token " + d.fencingToken() + " for step " +
                step + (null == w.lease ? ", which is not leased" : ", the lease's token is " + w.lease.token));
        }
        if (w.attemptFailed() && by != CompletedBy.OPERATOR)
        {
            throw illegal(w, position, "StepCompleted by " + by + " for step " + step + " after its attempt failed");
        }
        d.skipOutput();
        if (d.idempotencyKeyLength() > 0)
        {
            state.putOperationKey(EngineState.operationKey(w.id, d.idempotencyKey()), position);
        }
        touch(w, position, timestamp);
        w.completedPosition(step, position);
        state.taskQueues.dequeue(w);
        endLease(w);
        state.timers.cancel(w);
        w.flags &= ~Workflow.ATTEMPT_FAILED;
    }

    /**
     * @return who completed the step; version-1 events do not say, so it is inferred from the step type.
     */
    static CompletedBy completedBy(final StepCompletedDecoder d, final int version, final boolean timerStep)
    {
        if (version < 2)
        {
            return timerStep ? CompletedBy.TIMER : CompletedBy.OPERATOR;
        }
        return d.completedBy();
    }

    private void requireActiveStep(final Workflow w, final int step, final long position, final String event)
    {
        if (step != w.currentStep || !w.currentStepScheduled() || w.isCompleted(step))
        {
            throw illegal(w, position, event + " for step " + step + ", which is not the step in progress");
        }
    }

    private Workflow live(final long workflowId, final long position)
    {
        final Workflow workflow = state.workflow(workflowId);
        if (null == workflow)
        {
            throw new IllegalEventException(position, "the event names workflow " + workflowId + (workflowId >= 1 &&
                workflowId < state.nextWorkflowId ? ", which left the heap (WorkflowRetired): it ended" :
                ", which was never created"));
        }
        if (workflow.isTerminal())
        {
            throw illegal(workflow, position, "an event after the workflow ended");
        }
        final SnapshotCapture capture = state.capture;
        if (null != capture)
        {
            capture.beforeWrite(state.indexOf(workflow));
        }
        return workflow;
    }

    private static IllegalEventException illegal(final Workflow w, final long position, final String what)
    {
        return new IllegalEventException(position, what + " (workflow " + w.id + " is " + w.state + " at step " +
            w.currentStep + ", attempt " + w.attempt + ")");
    }

    private static void touch(final Workflow workflow, final long position, final long timestamp)
    {
        workflow.addEvent(position);
        workflow.updatedAt = timestamp;
    }

    private void moveTo(final Workflow workflow, final WorkflowState to)
    {
        if (workflow.state != to)
        {
            state.states.move(state.indexOf(workflow), workflow.state, to);
            workflow.state = to;
        }
    }

    /**
     * The workflow's lease, if any, ends: its timers stop and its worker gets its credit back.
     */
    private void endLease(final Workflow workflow)
    {
        final Lease lease = workflow.lease;
        if (null != lease)
        {
            state.timers.cancel(lease);
            state.taskQueues.queue(workflow.definition.stepNames[lease.stepIndex]).leased--;
            if (null != lease.session)
            {
                lease.session.inFlight--;
                lease.session = null;
            }
            workflow.lease = null;
            state.leases--;
        }
    }

    private void terminate(final Workflow workflow, final WorkflowState to, final long position)
    {
        state.timers.cancel(workflow);
        state.taskQueues.dequeue(workflow);
        endLease(workflow);
        state.steps.leave(state.indexOf(workflow), workflow.definition.stepNames[workflow.currentStep]);
        moveTo(workflow, to);
        workflow.terminalPosition = position;
        workflow.orderSeq = ++state.orderSequence;
        if (state.retiring)
        {
            state.ended.offerLong(workflow.id);
        }
    }
}
