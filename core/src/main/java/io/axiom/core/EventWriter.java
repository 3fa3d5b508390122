package io.axiom.core;

import io.axiom.codecs.CompletedBy;
import io.axiom.codecs.CreateWorkflowDecoder;
import io.axiom.codecs.MessageHeaderEncoder;
import io.axiom.codecs.FailureKind;
import io.axiom.codecs.StepAttemptFailedEncoder;
import io.axiom.codecs.StepCompletedEncoder;
import io.axiom.codecs.StepLeasedEncoder;
import io.axiom.codecs.WorkflowFailedEncoder;
import io.axiom.codecs.StepScheduledEncoder;
import io.axiom.codecs.TimerFiredEncoder;
import io.axiom.codecs.TimerPurpose;
import io.axiom.codecs.TimerScheduledEncoder;
import io.axiom.codecs.WaitReason;
import io.axiom.codecs.WorkflowCancelledEncoder;
import io.axiom.codecs.WorkflowCompletedEncoder;
import io.axiom.codecs.WorkflowRetiredEncoder;
import io.axiom.codecs.WorkflowCreatedEncoder;
import io.axiom.codecs.WorkflowResumedEncoder;
import io.axiom.codecs.WorkflowWaitingEncoder;
import io.axiom.journal.Journal;
import io.axiom.journal.JournalClaim;
import org.agrona.DirectBuffer;
import org.agrona.MutableDirectBuffer;
import org.agrona.collections.LongArrayList;

/**
 * Writes events: each one is encoded straight into a claimed journal record, committed, and applied at once through
 * the {@link Applier}, the same code replay runs. The one place where events are encoded; deciders say which event,
 * this says how.
 * <p>
 * The events of one command form one atomic unit of the journal (the processor ends the unit after the command), so
 * a crash can never leave half a command in the log. Before writing, a decider asks {@link #ensureRoom(int)} for an
 * upper bound of what the command will write; when the disk is full nothing is written and the command is refused.
 */
final class EventWriter
{
    /** Upper bound of the aligned journal frame of any fixed-size event (header, SBE header and block). */
    static final int SMALL_EVENT_BOUND = 128;
    static final int SCHEMA_VERSION = MessageHeaderEncoder.SCHEMA_VERSION;
    static final int HEADER_LENGTH = MessageHeaderEncoder.ENCODED_LENGTH;

    private final Applier applier;
    private final JournalClaim claim = new JournalClaim();
    private final MessageHeaderEncoder header = new MessageHeaderEncoder();
    private final WorkflowCreatedEncoder created = new WorkflowCreatedEncoder();
    private final StepScheduledEncoder stepScheduled = new StepScheduledEncoder();
    private final StepCompletedEncoder stepCompleted = new StepCompletedEncoder();
    private final TimerScheduledEncoder timerScheduled = new TimerScheduledEncoder();
    private final TimerFiredEncoder timerFired = new TimerFiredEncoder();
    private final WorkflowWaitingEncoder waiting = new WorkflowWaitingEncoder();
    private final WorkflowResumedEncoder resumed = new WorkflowResumedEncoder();
    private final WorkflowCompletedEncoder completed = new WorkflowCompletedEncoder();
    private final WorkflowRetiredEncoder retired = new WorkflowRetiredEncoder();
    private final WorkflowCancelledEncoder cancelled = new WorkflowCancelledEncoder();
    private final StepLeasedEncoder stepLeased = new StepLeasedEncoder();
    private final StepAttemptFailedEncoder attemptFailed = new StepAttemptFailedEncoder();
    private final WorkflowFailedEncoder workflowFailed = new WorkflowFailedEncoder();
    private final LongArrayList appended = new LongArrayList(1024, Long.MIN_VALUE);
    private Journal journal;
    private long now;

    EventWriter(final Applier applier)
    {
        this.applier = applier;
    }

    void journal(final Journal journal)
    {
        this.journal = journal;
    }

    Journal journal()
    {
        return journal;
    }

    /**
     * @param nowMs the time read once for the command being handled, stamped into its events.
     */
    void now(final long nowMs)
    {
        now = nowMs;
    }

    long now()
    {
        return now;
    }

    /**
     * @return positions of the events written since the processor last drained the list (after its group commit).
     */
    LongArrayList appended()
    {
        return appended;
    }

    /**
     * @param payloadLength bytes of an event.
     * @return bytes its journal record takes, aligned.
     */
    static int frameBound(final long payloadLength)
    {
        return (int)Math.min(Integer.MAX_VALUE, (Journal.HEADER_LENGTH + payloadLength + Journal.ALIGNMENT - 1) &
            -Journal.ALIGNMENT);
    }

    /**
     * @param bytes upper bound of the records the command about to be handled will write.
     * @return true when they can be written; false when the journal has no room (disk full): write nothing.
     */
    boolean ensureRoom(final int bytes)
    {
        // A command as large as a whole segment may still cross into the next one; recovery handles that unit too.
        return journal.ensureRoom((int)Math.min(bytes, journal.segmentSize() - Journal.SEGMENT_HEADER_LENGTH));
    }

    /**
     * @return why the journal has no room, for the operator.
     */
    String storageDetail()
    {
        return journal.storageState().detail();
    }

    /**
     * @return largest event payload one journal record can hold.
     */
    int maxPayloadLength()
    {
        return journal.maxPayloadLength();
    }

    /**
     * WorkflowCreated: the create command with the assigned id in the block; same block length, same layout after it.
     *
     * @param command    buffer holding the CreateWorkflow command, message header included.
     * @param offset     of the command.
     * @param length     of the command.
     * @param workflowId the id the processor assigns.
     */
    void created(final DirectBuffer command, final int offset, final int length, final long workflowId)
    {
        final long position = journal.claim(length, WorkflowCreatedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        final MutableDirectBuffer out = claim.buffer();
        final int outOffset = claim.offset();
        created.wrapAndApplyHeader(out, outOffset, header).workflowId(workflowId);
        out.putBytes(
            outOffset + HEADER_LENGTH + WorkflowCreatedEncoder.BLOCK_LENGTH,
            command,
            offset + HEADER_LENGTH + CreateWorkflowDecoder.BLOCK_LENGTH,
            length - HEADER_LENGTH - WorkflowCreatedEncoder.BLOCK_LENGTH);
        commit(WorkflowCreatedEncoder.TEMPLATE_ID, position, length);
    }

    void stepScheduled(final Workflow workflow, final int stepIndex, final int attempt)
    {
        final int length = HEADER_LENGTH + StepScheduledEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, StepScheduledEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        stepScheduled.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(stepIndex)
            .attempt(attempt);
        commit(StepScheduledEncoder.TEMPLATE_ID, position, length);
    }

    /**
     * @return payload bytes of a StepCompleted with this output and key.
     */
    static int stepCompletedLength(final int outputLength, final int keyLength)
    {
        return HEADER_LENGTH + StepCompletedEncoder.BLOCK_LENGTH + StepCompletedEncoder.outputHeaderLength() +
            outputLength + StepCompletedEncoder.idempotencyKeyHeaderLength() + keyLength;
    }

    void stepCompleted(
        final Workflow workflow,
        final CompletedBy by,
        final long fencingToken,
        final DirectBuffer output,
        final int outputOffset,
        final int outputLength,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength)
    {
        final int length = stepCompletedLength(outputLength, keyLength);
        final long position = journal.claim(length, StepCompletedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        stepCompleted.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(workflow.currentStep)
            .attempt(workflow.attempt)
            .fencingToken(fencingToken)
            .completedBy(by)
            .putOutput(output, outputOffset, outputLength)
            .putIdempotencyKey(key, keyOffset, keyLength);
        commit(StepCompletedEncoder.TEMPLATE_ID, position, length);
    }

    void timerScheduled(final Workflow workflow, final int stepIndex, final long deadline, final TimerPurpose purpose)
    {
        final int length = HEADER_LENGTH + TimerScheduledEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, TimerScheduledEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        timerScheduled.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(stepIndex)
            .deadline(deadline)
            .purpose(purpose);
        commit(TimerScheduledEncoder.TEMPLATE_ID, position, length);
    }

    void timerFired(final Workflow workflow, final TimerPurpose purpose)
    {
        final int length = HEADER_LENGTH + TimerFiredEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, TimerFiredEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        timerFired.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(workflow.currentStep)
            .deadline(workflow.wakeAt)
            .purpose(purpose);
        commit(TimerFiredEncoder.TEMPLATE_ID, position, length);
    }

    /**
     * StepLeased: its position is the lease's fencing token.
     *
     * @return the position (the fencing token).
     */
    long stepLeased(final Workflow workflow, final long workerId, final long leaseExpiresAt, final long attemptDeadline)
    {
        final int length = HEADER_LENGTH + StepLeasedEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, StepLeasedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        stepLeased.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(workflow.currentStep)
            .attempt(workflow.attempt)
            .workerId(workerId)
            .leaseExpiresAt(leaseExpiresAt)
            .attemptDeadline(attemptDeadline);
        commit(StepLeasedEncoder.TEMPLATE_ID, position, length);
        return position;
    }

    /**
     * @return payload bytes of a StepAttemptFailed with this error.
     */
    static int attemptFailedLength(final int errorLength)
    {
        return HEADER_LENGTH + StepAttemptFailedEncoder.BLOCK_LENGTH + StepAttemptFailedEncoder.errorHeaderLength() +
            errorLength;
    }

    void stepAttemptFailed(
        final Workflow workflow,
        final long fencingToken,
        final FailureKind kind,
        final boolean retryable,
        final DirectBuffer error,
        final int errorOffset,
        final int errorLength)
    {
        final int length = attemptFailedLength(errorLength);
        final long position = journal.claim(length, StepAttemptFailedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        attemptFailed.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(workflow.currentStep)
            .attempt(workflow.attempt)
            .fencingToken(fencingToken)
            .kind(kind)
            .retryable((short)(retryable ? 1 : 0))
            .putError(error, errorOffset, errorLength);
        commit(StepAttemptFailedEncoder.TEMPLATE_ID, position, length);
    }

    /**
     * @return payload bytes of a WorkflowFailed with this reason.
     */
    static int workflowFailedLength(final int reasonLength)
    {
        return HEADER_LENGTH + WorkflowFailedEncoder.BLOCK_LENGTH + WorkflowFailedEncoder.reasonHeaderLength() +
            reasonLength;
    }

    void workflowFailed(final Workflow workflow, final DirectBuffer reason, final int offset, final int reasonLength)
    {
        final int length = workflowFailedLength(reasonLength);
        final long position = journal.claim(length, WorkflowFailedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        workflowFailed.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(workflow.currentStep)
            .putReason(reason, offset, reasonLength);
        commit(WorkflowFailedEncoder.TEMPLATE_ID, position, length);
    }

    void waiting(final Workflow workflow, final int stepIndex, final WaitReason reason)
    {
        final int length = HEADER_LENGTH + WorkflowWaitingEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, WorkflowWaitingEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        waiting.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(stepIndex)
            .reason(reason);
        commit(WorkflowWaitingEncoder.TEMPLATE_ID, position, length);
    }

    void resumed(final Workflow workflow, final int stepIndex)
    {
        final int length = HEADER_LENGTH + WorkflowResumedEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, WorkflowResumedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        resumed.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(stepIndex);
        commit(WorkflowResumedEncoder.TEMPLATE_ID, position, length);
    }

    void workflowCompleted(final Workflow workflow)
    {
        final int length = HEADER_LENGTH + WorkflowCompletedEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, WorkflowCompletedEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        completed.wrapAndApplyHeader(claim.buffer(), claim.offset(), header).workflowId(workflow.id);
        commit(WorkflowCompletedEncoder.TEMPLATE_ID, position, length);
    }

    /**
     * An ended workflow leaves the heap for the cold store (its own unit; not one of the workflow's events).
     *
     * @param workflow an ended workflow on the heap.
     */
    void workflowRetired(final Workflow workflow)
    {
        final int length = HEADER_LENGTH + WorkflowRetiredEncoder.BLOCK_LENGTH;
        final long position = journal.claim(length, WorkflowRetiredEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        retired.wrapAndApplyHeader(claim.buffer(), claim.offset(), header).workflowId(workflow.id);
        commit(WorkflowRetiredEncoder.TEMPLATE_ID, position, length);
    }

    /**
     * @return payload bytes of a WorkflowCancelled with this reason and key.
     */
    static int cancelledLength(final int reasonLength, final int keyLength)
    {
        return HEADER_LENGTH + WorkflowCancelledEncoder.BLOCK_LENGTH + WorkflowCancelledEncoder.reasonHeaderLength() +
            reasonLength + WorkflowCancelledEncoder.idempotencyKeyHeaderLength() + keyLength;
    }

    void cancelled(
        final Workflow workflow,
        final DirectBuffer reason,
        final int reasonOffset,
        final int reasonLength,
        final DirectBuffer key,
        final int keyOffset,
        final int keyLength)
    {
        final int length = cancelledLength(reasonLength, keyLength);
        final long position = journal.claim(length, WorkflowCancelledEncoder.TEMPLATE_ID, SCHEMA_VERSION, now, claim);
        cancelled.wrapAndApplyHeader(claim.buffer(), claim.offset(), header)
            .workflowId(workflow.id)
            .stepIndex(workflow.currentStep)
            .putReason(reason, reasonOffset, reasonLength)
            .putIdempotencyKey(key, keyOffset, keyLength);
        commit(WorkflowCancelledEncoder.TEMPLATE_ID, position, length);
    }

    private void commit(final int templateId, final long position, final int length)
    {
        claim.commit();
        appended.addLong(position);
        applier.apply(claim.buffer(), claim.offset(), length, templateId, position, now);
    }
}
